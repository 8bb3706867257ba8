"""BaSTI-IAC isochrone files (Hidalgo et al. 2018; Gaia DR3 bands), read as a second, independent stellar-
evolution code beside PARSEC to compare the project's isochrones with."""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.errors import UserInputError

COLUMNS = ("initial_mass_Msun", "mass_Msun", "log_lum_Lsun", "log_teff", "abs_g_mag", "abs_bp_mag", "abs_rp_mag",
           "abs_rvs_mag")  # fmt: skip
HEADER = re.compile(r"\[M/H\]\s*=\s*(?P<mh>[-+.\d]+).*Age \(Myr\)\s*=\s*(?P<age>[.\d]+)")


def read_basti(path: str | Path) -> pd.DataFrame:
    """One isochrone, one row per tabulated star, with its [M/H] and log age in every row."""
    path = Path(path)
    with open(path) as lines:
        found = next(filter(None, map(HEADER.search, lines)), None)
    if found is None:
        raise UserInputError(f"'{path}' is not a BaSTI isochrone (no '[M/H] = ... Age (Myr) = ...' header)")
    frame = pd.DataFrame(np.loadtxt(path, comments="#"), columns=list(COLUMNS))
    frame["mh_dex"] = float(found["mh"])
    frame["log_age_yr"] = float(np.log10(float(found["age"]) * 1e6))
    frame["bp_rp_mag"] = frame["abs_bp_mag"] - frame["abs_rp_mag"]
    return frame


def main_sequence(frame: pd.DataFrame) -> pd.DataFrame:
    """The stars below the turn-off: BaSTI files carry no phase label, so the main sequence ends at the hottest
    star above 0.8 M_sun (where the track turns red towards the subgiant branch)."""
    upper = frame[frame["initial_mass_Msun"] > 0.8]
    turn_off = upper["initial_mass_Msun"].iloc[int(np.argmax(upper["log_teff"].to_numpy()))]
    return frame[frame["initial_mass_Msun"] <= turn_off]
