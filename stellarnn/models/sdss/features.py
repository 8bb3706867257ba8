"""The classifier's inputs: which columns, under which names, and which rows can be used.

Columns are found by our names (those of `stellarnn fetch sdss` and `stellarnn data sdss`) or SDSS's own
(PhotoObj ``u``/``psfMag_u``/``modelMag_u``, sppParams ``TEFFADOP``/``LOGGADOP``/``FEHADOP``, SpecObj ``z`` is
not accepted for the redshift because PhotoObj's ``z`` is a magnitude). Colours are derived from the bands.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.schema import find_column, input_unit
from stellarnn.errors import UserInputError

CLASSES = tuple("OBAFGKM")
BANDS = "ugriz"

ALIASES: dict[str, tuple[str, ...]] = {
    **{f"{b}_mag": (f"{b}_mag", b, f"psfMag_{b}", f"modelMag_{b}", f"cModelMag_{b}", f"dered_{b}") for b in BANDS},
    "teff_K": ("teff_K", "teff", "teffadop", "teff_adop"),
    "logg_cgs": ("logg_cgs", "logg", "loggadop", "logg_adop"),
    "feh_dex": ("feh_dex", "feh", "fehadop", "feh_adop", "mh_dex"),
    "redshift": ("redshift", "redshift_z", "specz", "z_spec"),
}
COLOURS = ("u_g", "g_r", "r_i", "i_z")
FEATURE_SETS = {
    "full": (*(f"{b}_mag" for b in BANDS), *COLOURS, "teff_K", "logg_cgs", "feh_dex", "redshift"),
    # colours, not apparent magnitudes: a star's class does not depend on its distance, and a network fed
    # magnitudes extrapolates on stars brighter or fainter than its training set's (5-fold CV on the real SDSS
    # stars: 89.6 % with colours and redshift, 89.4 % with the magnitudes too)
    "photometry": (*COLOURS, "redshift"),
}
LABEL_ALIASES = ("spectral_class", "class_label", "subclass", "subClass")
# Values outside these ranges are SDSS's "no measurement" sentinels (-9999, 9999, ...) or not stellar at all.
VALID_RANGES = {
    **{f"{b}_mag": (-10.0, 40.0) for b in BANDS},
    "teff_K": (1000.0, 1e6),
    "logg_cgs": (-2.0, 10.0),
    "feh_dex": (-6.0, 2.0),
    "redshift": (-1.0, 10.0),
}


def feature_names(features: str | tuple[str, ...]) -> tuple[str, ...]:
    """A feature set's names, or the names themselves (a stored model reads the list it was trained on)."""
    if isinstance(features, str):
        if features not in FEATURE_SETS:
            raise UserInputError(f"unknown feature set '{features}'; use one of {', '.join(FEATURE_SETS)}")
        return FEATURE_SETS[features]
    return tuple(features)


def needed_columns(features: str | tuple[str, ...]) -> tuple[str, ...]:
    """The table columns the features read: a colour needs its two bands."""
    names = feature_names(features)
    bands = {f"{band}_mag" for name in names if name in COLOURS for band in name.split("_")}
    bands |= {name for name in names if name.endswith("_mag")}
    return (*(f"{b}_mag" for b in BANDS if f"{b}_mag" in bands), *(n for n in names if n in ALIASES and n not in bands))


@dataclass(frozen=True)
class Features:
    values: np.ndarray  # (rows that can be used, features)
    rows: np.ndarray  # their row numbers in the table (0-based)
    problems: dict[int, str]  # row -> why it cannot be used
    names: tuple[str, ...]
    columns: dict[str, str]  # feature -> the table column it came from


def missing_columns(colnames, features: str | tuple[str, ...], overrides: dict[str, str] | None = None) -> list[str]:
    """The columns ``features`` need that a table with ``colnames`` lacks (with the aliases people can use)."""
    overrides = overrides or {}
    missing = []
    for name in needed_columns(features):
        column = overrides.get(name) or find_column(colnames, ALIASES[name])
        if column is None or column not in colnames:
            missing.append(f"{name} ({', '.join(ALIASES[name][:4])}, ...)")
    return missing


def read_features(table, features: str | tuple[str, ...], overrides: dict[str, str] | None = None) -> Features:
    """The feature matrix of every usable row, and a reason for every other row (nothing is dropped silently).
    ``features``: a feature set's name or a list of feature names."""
    from stellarnn.datasets.tables import float_column

    names = feature_names(features)
    overrides = overrides or {}
    missing = missing_columns(table.colnames, names, overrides)
    if missing:
        raise UserInputError(f"the table lacks {'; '.join(missing)}; map a column with --column NAME=COLUMN")
    columns = {
        name: overrides.get(name) or find_column(table.colnames, ALIASES[name]) for name in needed_columns(names)
    }
    raw, problems = {}, {}
    for name, column in columns.items():
        values, bad = float_column(table, column, input_unit(name))  # e.g. a teff in deg_C read in K
        raw[name] = values
        for row, reason in bad.items():
            problems.setdefault(row, reason)
        for row in np.flatnonzero(~np.isfinite(values)):
            problems.setdefault(int(row), f"{column} is missing or not finite")
    for name, values in raw.items():
        low, high = VALID_RANGES[name]
        for row in np.flatnonzero((values < low) | (values > high)):
            problems.setdefault(int(row), f"{columns[name]} = {values[row]:g} is outside {low:g}..{high:g}")
    for a, b in zip(BANDS, BANDS[1:], strict=False):
        if f"{a}_mag" in raw and f"{b}_mag" in raw:
            raw[f"{a}_{b}"] = raw[f"{a}_mag"] - raw[f"{b}_mag"]
    usable = np.setdiff1d(np.arange(len(table)), np.fromiter(problems, dtype=int, count=len(problems)))
    matrix = np.column_stack([raw[name][usable] for name in names])
    return Features(matrix, usable, dict(sorted(problems.items())), names, columns)


def labels(table) -> tuple[np.ndarray, str]:
    """O..M per row ('' where the label is not one of them) and the column it came from."""
    from stellarnn.datasets.fetch.sdss import spectral_class

    column = find_column(table.colnames, LABEL_ALIASES)
    if column is None:
        raise UserInputError(f"the table has no class labels (one of {', '.join(LABEL_ALIASES)})")
    label = spectral_class(np.ma.filled(table[column], ""))
    kind = find_column(table.colnames, ("class",))  # SDSS SpecObj: STAR, GALAXY or QSO
    if kind is not None:  # a galaxy's subClass 'BROADLINE' must not read as a B star
        label[np.char.upper(np.asarray(np.ma.filled(table[kind], ""), dtype=str)) != "STAR"] = ""
    return label, column
