"""How exactly the fusion scheme reproduces the Fusion project's Gaia DR3 file (../shared/data), per column.

Skips (writes nothing, exit 0) when the reference data is not beside the checkout.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import write_result

from stellarnn.datasets.schema import FUSION_CLASS_COLUMNS, FUSION_FORMULA_COLUMNS
from stellarnn.evaluation.metrics import relative_error
from stellarnn.physics.engine import derive

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv"


def main() -> None:
    if not DATA.is_file():
        print(f"skipped: {DATA} not found")
        return
    frame = pd.read_csv(DATA)
    result = derive(
        frame["EffectiveTemperature(Teff)(K)"].to_numpy(),
        frame["Luminosity(L/Lo)"].to_numpy(),
        frame["Radius(R/Ro)"].to_numpy(),
        scheme="fusion",
    )
    max_rel = {
        ours: float(np.nanmax(np.abs(relative_error(result.values[ours], frame[theirs]))))
        for theirs, ours in FUSION_FORMULA_COLUMNS.items()
    }
    agreement = {
        ours: float(np.mean(getattr(result.classes, ours) == frame[theirs]))
        for theirs, ours in FUSION_CLASS_COLUMNS.items()
    }
    write_result(
        "fusion_reproduction",
        {"stars": len(frame), "max_relative_error": max_rel, "class_agreement": agreement, "target_relative": 1e-9},
    )


if __name__ == "__main__":
    sys.exit(main())
