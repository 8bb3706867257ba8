"""Validation of (Teff, L, R, Mv) before any formula sees them.

A missing value (NaN) is allowed as long as two of Teff, L, R remain; a present value must be physical.
Problems are reported per star with a reason, so batch callers can skip or reject rows and say why.
"""

import numpy as np

from stellarnn.errors import UserInputError

POSITIVE_FIELDS = {"teff": "K", "lum": "L_sun", "radius": "R_sun"}


def _invalid_positive(x):
    with np.errstate(invalid="ignore"):
        return ~np.isnan(x) & ~(np.isfinite(x) & (x > 0))


def row_problems(teff, lum, radius, mv=None, names=None) -> dict[int, str]:
    """{row index: reason} for every star that cannot be derived; ``names`` maps field -> column name."""
    names = names or {}
    fields = {"teff": teff, "lum": lum, "radius": radius}
    problems: dict[int, list[str]] = {}
    for field, x in fields.items():
        for i in np.flatnonzero(_invalid_positive(x)):
            unit = POSITIVE_FIELDS[field]
            problems.setdefault(int(i), []).append(
                f"{names.get(field, field)} = {float(x[i])!r} is not a finite number > 0 {unit}"
            )
    if mv is not None:
        for i in np.flatnonzero(np.isinf(mv)):
            problems.setdefault(int(i), []).append(f"{names.get('mv', 'mv')} = {float(mv[i])!r} is not finite")
    given = sum((~np.isnan(x)).astype(int) for x in fields.values())
    for i in np.flatnonzero(given < 2):
        if int(i) not in problems:
            missing = [names.get(f, f) for f, x in fields.items() if np.isnan(x[i])]
            problems[int(i)] = f"fewer than two of Teff, L, R given (missing: {', '.join(missing)})"
    return {i: r if isinstance(r, str) else "; ".join(r) for i, r in sorted(problems.items())}


def check_star(teff=None, lum=None, radius=None, mv=None) -> None:
    """Raise UserInputError unless one star's given values are physical and at least two of Teff, L, R exist."""
    given = {f: v for f, v in (("teff", teff), ("lum", lum), ("radius", radius)) if v is not None}
    for field, value in given.items():
        if not (np.isfinite(value) and value > 0):
            raise UserInputError(
                f"{field} = {value} is not valid: must be a finite number > 0 {POSITIVE_FIELDS[field]}"
            )
    if mv is not None and not np.isfinite(mv):
        raise UserInputError(f"mv = {mv} is not valid: must be a finite magnitude")
    if len(given) < 2:
        raise UserInputError(
            f"need at least two of teff, lum, radius (got {', '.join(given) or 'none'}); "
            "the third follows from L = 4 pi R^2 sigma T^4"
        )
