"""Validation of (Teff, L, R, Mv) before any formula sees them.

A missing value (NaN) is allowed as long as two of Teff, L, R remain; a present value must be a star's. The
ranges are wide enough for every star from the coolest brown dwarfs (~250 K, 1e-7 L_sun) to the hottest
white dwarfs and central stars of planetary nebulae (~250,000 K) and the largest, most luminous supergiants
(~2,000 R_sun, ~1e7 L_sun), and narrow enough that no formula overflows: 1e308 K or 1e-320 R_sun is a typo or
a unit error, not a star. The third of Teff, L, R that L = 4 pi R^2 sigma T^4 implies must lie in range too.
Problems are reported per star with a reason, so batch callers can skip or reject rows and say why.
"""

import numpy as np

from stellarnn.errors import UserInputError

# field -> (lowest, highest, unit)
RANGES = {
    "teff": (100.0, 1.0e6, "K"),
    "lum": (1.0e-10, 1.0e9, "L_sun"),
    "radius": (1.0e-3, 1.0e4, "R_sun"),
    "mv": (-20.0, 35.0, "mag"),
}
TEFF_SUN = 5772.0  # K, IAU 2015 nominal: enough to place the implied value within these wide ranges


def _outside(field: str, x: np.ndarray) -> np.ndarray:
    low, high, _ = RANGES[field]
    with np.errstate(invalid="ignore"):
        return ~np.isnan(x) & ~((x >= low) & (x <= high))


def _range_text(field: str) -> str:
    low, high, unit = RANGES[field]
    return f"{low:g} to {high:g} {unit}"


def _implied(teff, lum, radius) -> dict[str, np.ndarray]:
    """The third of Teff, L, R where exactly it is missing (L = R^2 (T/T_sun)^4 in solar units)."""
    with np.errstate(all="ignore"):
        return {
            "lum": np.where(np.isnan(lum), radius**2 * (teff / TEFF_SUN) ** 4, np.nan),
            "radius": np.where(np.isnan(radius), np.sqrt(lum) / (teff / TEFF_SUN) ** 2, np.nan),
            "teff": np.where(np.isnan(teff), TEFF_SUN * (lum / radius**2) ** 0.25, np.nan),
        }


def range_problems(values: dict[str, np.ndarray], names=None) -> dict[int, list[str]]:
    """{row index: [reasons]} for given values (any of RANGES' fields) outside a star's range; NaN is missing."""
    names = names or {}
    problems: dict[int, list[str]] = {}
    for field, x in values.items():
        for i in np.flatnonzero(_outside(field, x)):
            problems.setdefault(int(i), []).append(
                f"{names.get(field, field)} = {float(x[i])!r} is outside {_range_text(field)}"
            )
    return problems


def row_problems(teff, lum, radius, mv=None, names=None) -> dict[int, str]:
    """{row index: reason} for every star that cannot be derived; ``names`` maps field -> column name."""
    names = names or {}
    fields = {"teff": teff, "lum": lum, "radius": radius, **({"mv": mv} if mv is not None else {})}
    problems = range_problems(fields, names)
    given = sum((~np.isnan(x)).astype(int) for x in (teff, lum, radius))
    for i in np.flatnonzero(given < 2):
        if int(i) not in problems:
            missing = [names.get(f, f) for f, x in (("teff", teff), ("lum", lum), ("radius", radius)) if np.isnan(x[i])]
            problems[int(i)] = f"fewer than two of Teff, L, R given (missing: {', '.join(missing)})"
    for field, x in _implied(teff, lum, radius).items():
        for i in np.flatnonzero(_outside(field, x) & (given == 2)):
            if int(i) not in problems:
                problems[int(i)] = (f"the {field} that Teff, L and R imply ({float(x[i]):.3g}) is outside "
                                    f"{_range_text(field)}: check the units of the others")  # fmt: skip
    return {i: r if isinstance(r, str) else "; ".join(r) for i, r in sorted(problems.items())}


def check_star(teff=None, lum=None, radius=None, mv=None) -> None:
    """Raise UserInputError unless one star's given values are a star's and at least two of Teff, L, R exist."""
    given = [f for f, v in (("teff", teff), ("lum", lum), ("radius", radius)) if v is not None]
    if len(given) < 2:
        raise UserInputError(
            f"need at least two of teff, lum, radius (got {', '.join(given) or 'none'}); "
            "the third follows from L = 4 pi R^2 sigma T^4"
        )
    for field, value in (("teff", teff), ("lum", lum), ("radius", radius), ("mv", mv)):
        if value is not None and np.isnan(value):
            raise UserInputError(f"{field} = {value} is not a number: give one from {_range_text(field)}")
    as_array = lambda value: np.array([np.nan if value is None else float(value)])
    problems = row_problems(as_array(teff), as_array(lum), as_array(radius), None if mv is None else as_array(mv))
    if problems:
        raise UserInputError(f"{problems[0]} (the valid ranges are in README, 'Using it')")
