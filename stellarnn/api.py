"""stellarnn from Python: the command line's work on the tables people already hold in a notebook.

Tables come in as a pandas DataFrame, an astropy Table or a mapping of column name to values (one star: to
numbers) and go back out as the same kind, with the results appended. Rows left out (``on_error="skip"``) are
listed in the result's ``attrs["rejected"]`` (DataFrame), ``meta["rejected"]`` (Table) or under "rejected"
(mapping). Nothing here prints; every problem with the input is a :class:`stellarnn.errors.UserInputError`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stellarnn.models.conformal import DEFAULT_LEVEL

REJECTED = "rejected"


def _as_table(data):
    """(an astropy Table of ``data``, a function that turns a result Table back into ``data``'s kind)."""
    from astropy.table import Table

    from stellarnn.errors import UserInputError

    if isinstance(data, Table):
        return data, _to_table
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # a pandas DataFrame
        return Table.from_pandas(data.reset_index(drop=True)), _to_frame
    if isinstance(data, Mapping):
        one_star = all(np.ndim(value) == 0 for value in data.values())
        columns = {name: np.atleast_1d(np.asarray(value)) for name, value in data.items()}
        if len({len(v) for v in columns.values()}) > 1:
            raise UserInputError("every column of the mapping needs the same number of values")
        return Table(columns), _to_scalars if one_star else _to_lists
    raise UserInputError(f"expected a pandas DataFrame, an astropy Table or a mapping of columns, not {type(data)}")


def _to_table(table, rejected):
    table.meta[REJECTED] = rejected
    return table


def _to_frame(table, rejected):
    frame = table.to_pandas()
    frame.attrs[REJECTED] = rejected
    return frame


def _to_lists(table, rejected):
    return {**{name: table[name].tolist() for name in table.colnames}, REJECTED: rejected}


def _to_scalars(table, rejected):
    """One star in, one star out: each column's value, or None when the star was left out."""
    if len(table) == 0:
        return {REJECTED: rejected}
    return {**{name: table[name][0].item() if hasattr(table[name][0], "item") else table[name][0]
               for name in table.colnames}, REJECTED: rejected}  # fmt: skip


def predict(stars, method: str = "auto", scheme: str | None = None, model: str | None = None,
            level: float = DEFAULT_LEVEL, on_error: str = "fail", columns: Mapping[str, str] | None = None,
            prefix: str = "", tolerance: float = 0.05):  # fmt: skip
    """Stellar parameters of every star from two or three of Teff [K], L [L_sun], R [R_sun] (columns named as
    the CLI reads them: teff_K, teff, teff_gspphot, ...; ``columns`` maps a field to another name).
    ``method``: physics, nn, hybrid or auto (hybrid when a fusion model is trained, else physics)."""
    from stellarnn.models.conformal import check_level
    from stellarnn.prediction import choose_method, predict_table

    table, back = _as_table(stars)
    result = predict_table(table, scheme=scheme, overrides=dict(columns or {}), on_error=on_error,
                           tolerance=tolerance, method=choose_method(method, model), level=check_level(level),
                           prefix=prefix)  # fmt: skip
    return back(result.table, result.rejected)


def classify(stars, model: str | None = None, on_error: str = "fail", columns: Mapping[str, str] | None = None):
    """OBAFGKM classes of SDSS-like stars: sdss_class, the calibrated probability of each class (sdss_p_O ...
    sdss_p_M) and sdss_out_of_domain. ``model``: an sdss model id; default, the newest that can read the
    table (trained on real data first)."""
    from stellarnn.datasets.outputs import check_added_columns
    from stellarnn.errors import UserInputError
    from stellarnn.models.sdss.system import added_columns, class_columns
    from stellarnn.models.sdss.system import classify as run

    table, back = _as_table(stars)
    check_added_columns(table.colnames, added_columns(), hint="rename them first")
    probabilities, features, _, inside = run(table, model, dict(columns or {}))
    if features.problems and on_error != "skip":
        row, why = next(iter(features.problems.items()))
        raise UserInputError(f"{len(features.problems)} rows cannot be classified (on_error='skip' leaves them out); "
                             f"first: row {row + 1}: {why}")  # fmt: skip
    out = table[features.rows]
    for name, values in class_columns(probabilities, inside).items():
        out[name] = values
    return back(out, features.problems)


@dataclass
class Model:
    """A trained model from the store: its card (system, config, data, metrics, versions) and ``predict``."""

    artifact: object

    @property
    def id(self) -> str:
        return self.artifact.id

    @property
    def system(self) -> str:
        return self.artifact.system

    @property
    def ref(self) -> str:
        """How the library finds this model again: its folder, in the store or not."""
        return str(self.artifact.path)

    @property
    def card(self) -> dict:
        return self.artifact.card

    def __repr__(self) -> str:
        return f"<stellarnn {self.system} model {self.id}>"


class FusionModel(Model):
    def predict(self, stars, method: str = "hybrid", level: float = DEFAULT_LEVEL, **options):
        """``method``: hybrid (exact physics plus the network's M_G, log g, [M/H]) or nn (the network alone)."""
        return predict(stars, method=method, model=self.ref, level=level, **options)


class SdssModel(Model):
    def predict(self, stars, **options):
        return classify(stars, model=self.ref, **options)


class HrModel(Model):
    def predict(self, stars, on_error: str = "fail"):
        """White dwarf / main sequence / giant from an absolute magnitude (abs_mag) and Teff (teff_K)."""
        from stellarnn.models.hr.system import predict_table

        table, back = _as_table(stars)
        result = predict_table(table, self.ref, on_error)
        return back(result.table, result.rejected)


class SpectraModel(Model):
    def predict(self, wavelength, flux, level: float = DEFAULT_LEVEL, name: str = "spectrum", ivar=None,
                continuum: bool = True, radial_velocity: bool = True, mask: bool = True,
                resolution: float | None = None):  # fmt: skip
        """Teff, log g, [M/H] and v sin i with intervals, and the measured radial velocity (rv_kms), from spectra:
        ``wavelength`` in Angstrom (air; one array, or one per spectrum), ``flux`` (one spectrum, or a list or
        2-D array of them), ``ivar`` their inverse variances if known. Each is prepared as for files: bad pixels
        masked, continuum divided out, moved to its rest frame, brought to the model's resolution from the
        instrument's ``resolution`` (lambda / FWHM). Returns a DataFrame, one row per spectrum; what the command
        line would note (velocities not measured, resolutions not matched) is in its ``attrs["notes"]``."""
        from stellarnn.datasets.spectra.prepare import Preparation
        from stellarnn.models.spectra.system import check_resolution, predict_arrays

        fluxes = [flux] if np.ndim(flux[0]) == 0 else list(flux)
        waves = [wavelength] * len(fluxes) if np.ndim(wavelength[0]) == 0 else list(wavelength)
        ivars = None if ivar is None else ([ivar] if np.ndim(ivar[0]) == 0 else list(ivar))
        names = [name] if len(fluxes) == 1 else [f"{name}_{i}" for i in range(len(fluxes))]
        how = Preparation(mask, continuum, radial_velocity, check_resolution(resolution))
        return predict_arrays(names, waves, fluxes, self.ref, level, how, ivars)


class ClusterModel(Model):
    def predict(self, members, level: float = DEFAULT_LEVEL):
        """log age, A_V and distance with intervals, one row per cluster, from a table of members (G, BP-RP,
        parallax; a cluster column for several clusters; Gaia's names work). Returns a DataFrame."""
        from stellarnn.models.cluster.system import predict_members

        table, _ = _as_table(members)
        return predict_members(table, self.ref, level)


KINDS = {"fusion": FusionModel, "sdss": SdssModel, "hr": HrModel, "spectra": SpectraModel, "cluster": ClusterModel}


def load(model: str | Path) -> Model:
    """A stored model by id (``stellarnn models list``) or by the path of its folder."""
    from stellarnn.models import store

    artifact = store.get(model)
    if artifact.broken:
        raise store.unusable(artifact.id, artifact.broken)
    return KINDS[artifact.system](artifact)


def train(system: str, data: str = "builtin", config: str | None = None, seed: int = 1, **options) -> Model:
    """Train a system (fusion, sdss, hr, spectra, cluster) as ``stellarnn train`` does and return the stored model.
    ``options`` are the system's own (epochs=..., architecture="ann" for cluster, ...)."""
    import inspect

    from stellarnn.errors import UserInputError
    from stellarnn.models.registry import get_system

    function = get_system(system).load("train")
    given = {name: value for name, value in {"data": data, "config": config, **options}.items() if value is not None}
    accepted = inspect.signature(function).parameters
    unknown = [name for name in given if name not in accepted]
    if unknown:
        raise UserInputError(f"train('{system}') takes no {', '.join(unknown)}")
    trained = function(seed=seed, **given)
    artifact = trained[0] if isinstance(trained, tuple) else trained.artifact
    return KINDS[system](artifact)
