"""PARSEC isochrone tables as the CMD web service writes them (Bressan et al. 2012; http://stev.oapd.inaf.it/cmd),
read to compare the project's isochrones with an established stellar-evolution code."""

from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.errors import UserInputError

PRE_MAIN_SEQUENCE = 0
MAIN_SEQUENCE = 1  # PARSEC's evolutionary-stage label: 0 pre-main sequence, 1 main sequence, 2 subgiant, ...
COLUMNS = {"Zini": "z", "MH": "mh_dex", "logAge": "log_age_yr", "Mini": "initial_mass_Msun", "label": "stage",
           "Gmag": "abs_g_mag", "G_BPmag": "abs_bp_mag", "G_RPmag": "abs_rp_mag"}  # fmt: skip


def read_parsec(path: str | Path) -> pd.DataFrame:
    """Every isochrone in a CMD 3.x output file (Gaia EDR3 bands), one row per tabulated star."""
    path = Path(path)
    header = None
    with open(path) as lines:
        for line in lines:
            if line.startswith("# Zini"):
                header = line[1:].split()
                break
    if header is None or not set(COLUMNS) <= set(header):
        raise UserInputError(f"'{path}' is not a PARSEC CMD table with Gaia G, G_BP and G_RP columns")
    values = np.loadtxt(path, comments="#")
    frame = pd.DataFrame(values, columns=header)[list(COLUMNS)].rename(columns=COLUMNS)
    frame["log_age_yr"] = frame["log_age_yr"].round(4)
    frame["stage"] = frame["stage"].astype(int)
    frame["bp_rp_mag"] = frame["abs_bp_mag"] - frame["abs_rp_mag"]
    return frame
