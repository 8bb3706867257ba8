"""Teff, L, R (and Mv) read from a table in K, L_sun, R_sun (and mag), whatever units the file gives them, and
checked row by row, before any prediction or training uses them."""

from dataclasses import dataclass

import numpy as np

from stellarnn.choices import ON_ERROR
from stellarnn.datasets.schema import FIELD_UNITS, resolve_columns
from stellarnn.datasets.tables import float_column
from stellarnn.errors import UserInputError
from stellarnn.physics import inputs

MAX_LISTED_PROBLEMS = 5


@dataclass
class StarInputs:
    values: dict[str, np.ndarray]  # teff, lum, radius (NaN where missing) and mv if present, for kept rows
    columns: dict[str, str]  # field -> table column used
    rejected: dict[int, str]  # 0-based row -> reason
    keep: np.ndarray  # bool per input row
    n_input: int


def read_star_inputs(table, overrides=None, on_error: str = "fail") -> StarInputs:
    """Bad rows are rejected with a one-line error listing them (``fail``) or left out and reported (``skip``)."""
    if on_error not in ON_ERROR:
        raise UserInputError(f"on_error must be one of {', '.join(ON_ERROR)}, got '{on_error}'")
    columns = resolve_columns(table.colnames, overrides)
    n = len(table)
    values, problems = {}, {}
    for field in ("teff", "lum", "radius", "mv"):
        if field in columns:
            values[field], bad_cells = float_column(table, columns[field], FIELD_UNITS[field])
            for i, reason in bad_cells.items():
                problems[i] = f"{problems[i]}; {reason}" if i in problems else reason
        elif field != "mv":
            values[field] = np.full(n, np.nan)
    row_problems = inputs.row_problems(values["teff"], values["lum"], values["radius"], values.get("mv"), columns)
    for i, reason in row_problems.items():
        problems.setdefault(i, reason)
    problems = dict(sorted(problems.items()))
    if problems and on_error == "fail":
        listed = "; ".join(f"row {i + 1}: {reason}" for i, reason in list(problems.items())[:MAX_LISTED_PROBLEMS])
        more = len(problems) - MAX_LISTED_PROBLEMS
        raise UserInputError(
            f"{len(problems)} of {n} rows cannot be used (--on-error skip leaves them out and lists them): "
            f"{listed}{f'; and {more} more' if more > 0 else ''}"
        )
    keep = np.ones(n, dtype=bool)
    keep[list(problems)] = False
    return StarInputs({f: v[keep] for f, v in values.items()}, columns, problems, keep, n)
