"""Absolute magnitude and Teff for hr, read from a table and checked row by row."""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.schema import FIELD_UNITS, INPUT_ALIASES, find_column
from stellarnn.datasets.tables import float_column
from stellarnn.errors import UserInputError
from stellarnn.physics.inputs import range_problems

ABS_MAG_ALIASES = ("abs_mag", "abs_v_mag", "mv_mag", "mv", "absmag")  # absolute V, as in the seed's table


@dataclass
class HrInputs:
    abs_mag: np.ndarray
    teff: np.ndarray
    keep: np.ndarray
    rejected: dict[int, str]


def read_hr_inputs(table, on_error: str = "fail") -> HrInputs:
    mag_column = find_column(table.colnames, ABS_MAG_ALIASES)
    teff_column = find_column(table.colnames, INPUT_ALIASES["teff"])
    if mag_column is None or teff_column is None:
        missing = [what for what, col in (("absolute magnitude", mag_column), ("Teff", teff_column)) if col is None]
        raise UserInputError(
            f"hr needs a column for {' and '.join(missing)}; accepted: {', '.join(ABS_MAG_ALIASES)} and "
            f"{', '.join(INPUT_ALIASES['teff'])}"
        )
    mag, problems = float_column(table, mag_column, "mag")
    teff, teff_problems = float_column(table, teff_column, FIELD_UNITS["teff"])
    for i, reason in teff_problems.items():
        problems[i] = f"{problems[i]}; {reason}" if i in problems else reason
    for i in np.flatnonzero(np.isnan(mag) | np.isnan(teff)):
        problems.setdefault(int(i), f"{mag_column} or {teff_column} is missing")
    names = {"mv": mag_column, "teff": teff_column}
    for i, reasons in range_problems({"teff": teff, "mv": mag}, names).items():
        problems.setdefault(i, "; ".join(reasons))
    problems = dict(sorted(problems.items()))
    if problems and on_error == "fail":
        listed = "; ".join(f"row {i + 1}: {reason}" for i, reason in list(problems.items())[:5])
        raise UserInputError(
            f"{len(problems)} of {len(table)} rows cannot be used (--on-error skip leaves them out): {listed}"
        )
    keep = np.ones(len(table), dtype=bool)
    keep[list(problems)] = False
    return HrInputs(mag[keep], teff[keep], keep, problems)
