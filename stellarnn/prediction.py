"""Predict stellar parameters for one star or a whole table: validation, method choice, derivation, reporting.

Methods: ``physics`` (exact formulas and class rules), ``nn`` (a trained fusion network alone), ``hybrid``
(exact physics plus the network's absolute magnitude, log g and [M/H]) and ``auto`` (hybrid when a fusion model
is trained, else physics, with a note). This is the library behind ``stellarnn predict``; the CLI only parses
arguments and renders the result.
"""

from dataclasses import dataclass, field

import numpy as np

from stellarnn.choices import METHODS
from stellarnn.datasets.schema import INPUT_ALIASES
from stellarnn.datasets.star_inputs import read_star_inputs
from stellarnn.errors import UserInputError
from stellarnn.models import domain
from stellarnn.models.conformal import DEFAULT_LEVEL
from stellarnn.physics import inputs
from stellarnn.physics.classes import CodedLabels
from stellarnn.physics.engine import complete_inputs, derive, get_scheme, luminosity_mismatch


@dataclass
class Mismatch:
    """Stars whose given L disagrees with 4 pi R^2 sigma T^4 by more than the tolerance."""

    count: int = 0
    worst_row: int = -1
    worst_relative: float = 0.0

    def describe(self, tolerance: float) -> str:
        return (
            f"{self.count} star(s) have L inconsistent with Teff and R (L = 4 pi R^2 sigma T^4) by more than "
            f"{tolerance:.0%}; worst: row {self.worst_row + 1}, L is {self.worst_relative:+.1%} off; "
            "the given values are used as they are"
        )


@dataclass
class TablePrediction:
    table: object  # astropy Table of the kept input columns plus the derived ones
    columns: dict[str, str]  # field -> input column used
    rejected: dict[int, str] = field(default_factory=dict)  # 0-based input row -> reason
    mismatch: Mismatch = field(default_factory=Mismatch)
    n_input: int = 0
    scheme: str = "default"
    out_of_domain: int = 0  # stars outside the network's training data (flagged in the out_of_domain column)


def _mismatch(teff, lum, radius, scheme, tolerance) -> Mismatch:
    all_given = ~(np.isnan(teff) | np.isnan(lum) | np.isnan(radius))
    if not all_given.any():
        return Mismatch()
    rel = np.full(teff.shape, np.nan)
    rel[all_given] = luminosity_mismatch(teff[all_given], lum[all_given], radius[all_given], scheme)
    off = np.abs(rel) > tolerance
    if not off.any():
        return Mismatch()
    worst = int(np.nanargmax(np.abs(rel)))
    return Mismatch(int(off.sum()), worst, float(rel[worst]))


@dataclass
class Method:
    """The method that will run, the fusion artifact it needs (if any), and a note for the user."""

    name: str
    artifact: object = None
    note: str | None = None

    @property
    def model_id(self) -> str | None:
        return None if self.artifact is None else self.artifact.id


def choose_method(method: str = "auto", model_id: str | None = None) -> Method:
    if method not in METHODS:
        raise UserInputError(f"unknown method '{method}'; available: {', '.join(METHODS)}")
    if method == "physics":
        return Method("physics")
    from stellarnn.models.fusion.predict import find_model

    artifact = find_model(model_id)
    if artifact is not None and method == "auto" and model_id is None and not _networks_installed():
        return Method("physics", note="a fusion model is trained, but the 'nn' extra is not installed, so physics "
                                      "only (pip install 'stellarnn[nn]')")  # fmt: skip
    if artifact is None:
        if method == "auto":
            return Method(
                "physics",
                note="no trained fusion model, so physics only ('stellarnn train fusion' adds Mv, log g, [M/H])",
            )
        raise UserInputError(
            f"--method {method} needs a trained fusion model; run 'stellarnn train fusion' or use --method physics"
        )
    return Method("hybrid" if method == "auto" else method, artifact)


def _networks_installed() -> bool:
    from importlib.util import find_spec

    return find_spec("keras") is not None


def _columns(method: Method, teff, lum, radius, mv, scheme: str | None, level: float,
             coded_labels: bool = False) -> tuple[dict, str]:  # fmt: skip
    """Output columns for validated stars, and the scheme that labels them."""
    if len(teff) == 0 and method.name != "physics":  # a network cannot run on no rows: the columns come from one
        one = np.array([1.0])  # stand-in star (the Sun), cut to none
        columns, used = _columns(method, one * 5772.0, one, one, None if mv is None else one * 4.81, scheme, level,
                                 coded_labels)  # fmt: skip
        return {name: _none_of(values) for name, values in columns.items()}, used
    if method.name == "physics":
        scheme = scheme or "default"
        return derive(teff, lum, radius, mv, scheme=scheme).columns(coded_labels), scheme
    from stellarnn.models.fusion import predict as fusion

    model = fusion.load(method.artifact, n_stars=len(teff))
    if method.name == "hybrid":
        scheme = scheme or "default"
        columns = fusion.hybrid_columns(model, teff, lum, radius, scheme, level, coded_labels)
        if mv is not None:
            columns.update(
                {
                    k: v
                    for k, v in derive(teff, lum, radius, mv, scheme=scheme).values.items()
                    if k in ("mv_mag", "bc_mag")
                }
            )
        return columns, scheme
    if scheme is not None and scheme != model.scheme:
        raise UserInputError(
            f"model {method.artifact.id} was trained with the {model.scheme} scheme; use --scheme {model.scheme} "
            "with --method nn, or --method hybrid for exact physics in any scheme"
        )
    columns = fusion.nn_columns(model, teff, lum, radius, level)
    if mv is not None:
        columns["mv_mag"], columns["bc_mag"] = mv, mv - columns["mbol_mag"]
    return columns, model.scheme


def _none_of(values):
    """A column with no rows, of the same kind."""
    if isinstance(values, CodedLabels):
        return CodedLabels(values.indices[:0], values.strings)
    return values[:0]


def predict_star(
    teff=None,
    lum=None,
    radius=None,
    mv=None,
    scheme=None,
    tolerance=0.05,
    method: Method | None = None,
    level: float = DEFAULT_LEVEL,
):
    """One star -> (ordered {column: value}, [warnings], scheme used)."""
    inputs.check_star(teff, lum, radius, mv)
    method = method or Method("physics")
    arr = lambda x: np.array([np.nan if x is None else float(x)])
    t, lu, r = arr(teff), arr(lum), arr(radius)
    warnings = []
    mismatch = _mismatch(t, lu, r, get_scheme(scheme or "default"), tolerance)
    if mismatch.count:
        warnings.append(
            f"L = {lum} L_sun differs from 4 pi R^2 sigma T^4 = {lum / (1 + mismatch.worst_relative):.6g} L_sun "
            f"by {mismatch.worst_relative:+.1%} (tolerance {tolerance:.0%}); the given values are used as they are"
        )
    (t, lu, r), _ = complete_inputs(t, lu, r, get_scheme(scheme or "default"))
    columns, used = _columns(method, t, lu, r, None if mv is None else arr(mv), scheme, level)
    row = {name: (v[0].item() if isinstance(v[0], np.generic) else v[0]) for name, v in columns.items()}
    if row.get(domain.FLAG):
        warnings.append("the star lies outside the region of the HR diagram the network was trained on: its M_G, "
                        "log g and [M/H] and their intervals are extrapolations")  # fmt: skip
    return row, warnings, used


def calibration_note(method: Method) -> str | None:
    """A note for people when the network's intervals were calibrated on simulated stars only."""
    if method.artifact is None or method.artifact.card.get("data", {}).get("source") != "builtin":
        return None
    return (
        "this model was trained and calibrated on the built-in population: on real Gaia DR3 stars its intervals "
        "hold far fewer stars than they say (README, 'fusion on real stars'); 'stellarnn train fusion --data FILE' "
        "calibrates on real stars"
    )


def unconstrained_outputs(method: Method) -> list[str]:
    """The network's outputs whose interval is about as wide as its training labels' own spread: Teff, L and R
    do not constrain them (people are shown "not constrained"; files keep value and interval)."""
    if method.artifact is None:
        return []
    from stellarnn.models.fusion import predict as fusion

    return fusion.load(method.artifact, n_stars=1).unconstrained()


@dataclass
class ColumnPrediction:
    derived: dict[str, np.ndarray | CodedLabels]  # new column -> values for the kept rows (labels: object arrays)
    keep: np.ndarray  # bool per input row
    columns: dict[str, str]
    rejected: dict[int, str]
    mismatch: Mismatch
    n_input: int
    scheme: str


def predict_table(
    table,
    scheme=None,
    overrides=None,
    on_error="fail",
    tolerance=0.05,
    method: Method | None = None,
    level: float = DEFAULT_LEVEL,
    prefix: str = "",
) -> TablePrediction:
    """Predict every star of an astropy Table. Bad rows are rejected (``fail``) or left out and listed (``skip``).
    The derived columns are named ``prefix`` + name; none may replace a column of the table, except the input
    columns given back as they were read (teff_K read as Teff, completed where it was empty)."""
    from astropy.table import Table

    from stellarnn.datasets.outputs import check_added_columns

    p = predict_columns(table, scheme, overrides, on_error, tolerance, method, level)
    derived = {prefix + name: column for name, column in p.derived.items()}
    given_back = [column for field, column in p.columns.items() if prefix + INPUT_ALIASES[field][0] == column]
    check_added_columns(table.colnames, derived, same=given_back)
    out = table[p.keep] if p.rejected else table.copy(copy_data=False)
    for name, column in derived.items():
        out[name] = column.astype(str) if column.dtype == object else column
    if not isinstance(out, Table):
        out = Table(out)
    outside = int(np.sum(p.derived[domain.FLAG])) if domain.FLAG in p.derived else 0
    return TablePrediction(out, p.columns, p.rejected, p.mismatch, p.n_input, p.scheme, outside)


def predict_columns(
    table,
    scheme=None,
    overrides=None,
    on_error="fail",
    tolerance=0.05,
    method: Method | None = None,
    level: float = DEFAULT_LEVEL,
    coded_labels: bool = False,
) -> ColumnPrediction:
    """predict_table's work without building a table: the derived columns of the kept rows; with
    ``coded_labels`` the physics' class columns stay :class:`CodedLabels` (for writing Parquet)."""
    method = method or Method("physics")
    physics_scheme = get_scheme(scheme or "default")
    star_inputs = read_star_inputs(table, overrides, on_error)
    kept, keep, problems, columns, n = (
        star_inputs.values,
        star_inputs.keep,
        star_inputs.rejected,
        star_inputs.columns,
        star_inputs.n_input,
    )
    mismatch = _mismatch(kept["teff"], kept["lum"], kept["radius"], physics_scheme, tolerance)
    if mismatch.count:
        mismatch.worst_row = int(np.flatnonzero(keep)[mismatch.worst_row])
    (teff, lum, radius), _ = complete_inputs(kept["teff"], kept["lum"], kept["radius"], physics_scheme)
    derived, used = _columns(method, teff, lum, radius, kept.get("mv"), scheme, level, coded_labels)
    return ColumnPrediction(derived, keep, columns, problems, mismatch, n, used)
