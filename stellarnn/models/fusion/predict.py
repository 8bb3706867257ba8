"""Predictions with a trained fusion network: the network alone (nn) or with exact physics (hybrid).

hybrid: every formula-defined output and class from the physics engine (exact, in the requested scheme), and
from the network only what formulas cannot give: the absolute magnitude, log g and [M/H].
"""

import numpy as np

from stellarnn.models import domain, keras_runtime, store
from stellarnn.models.conformal import DEFAULT_LEVEL, LOWER, UPPER
from stellarnn.models.fusion.outputs import CLASSIFICATION
from stellarnn.physics.engine import NUMERIC_COLUMNS, derive

GEOMETRY = NUMERIC_COLUMNS[:5]


def find_model(model_id: str | None):
    """The named fusion artifact, or the newest usable one; None when none is trained."""
    return store.model_for("fusion", model_id) if model_id is not None else store.latest("fusion")


_LOADED: dict[tuple, object] = {}


def load(artifact, n_stars: int):
    """The artifact's network, read once per process (a catalogue worker runs it on many partitions)."""
    keras_runtime.use_backend(n_stars=n_stars)
    from stellarnn.models.fusion.model import load as load_model

    with store.loading(artifact):
        key = (str(artifact.path), artifact.file(store.MODEL).stat().st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = load_model(artifact)
    return _LOADED[key]


def _uncertainty_columns(model, pred: dict, names) -> dict:
    """The intervals of ``names`` and the domain flag, where the model has them."""
    wanted = [f"{name}{end}" for name in names for end in (LOWER, UPPER)] + [domain.FLAG]
    return {column: pred[column] for column in wanted if column in pred}


def nn_columns(model, teff, lum, radius, level: float = DEFAULT_LEVEL) -> dict[str, np.ndarray]:
    """The network's outputs in natural units (with intervals and class probabilities), plus the exact geometry
    of the inputs and BC = M - Mbol."""
    pred = model.predict(teff, lum, radius, level=level)
    physics = derive(teff, lum, radius, scheme=model.scheme)  # completes Teff/L/R and gives the geometry
    columns = {name: physics.values[name] for name in ("teff_K", "lum_Lsun", "radius_Rsun", *GEOMETRY)}
    for out in model.preprocessing["outputs"]:
        columns[out["name"]] = pred[out["name"]]
        if out["kind"] == CLASSIFICATION:
            columns[f"{out['name']}_probability"] = pred[f"{out['name']}_probability"]
    columns.update(_uncertainty_columns(model, pred, model.catalogue_names))
    band = model.preprocessing["magnitude_band"].lower()
    columns[f"bc_{band}_mag"] = pred[f"abs_{band}_mag"] - pred["mbol_mag"]
    columns["mk_type"] = pred["spectral_class"].astype(object) + pred["luminosity_class"].astype(object)
    return columns


def hybrid_columns(model, teff, lum, radius, scheme: str, level: float = DEFAULT_LEVEL, coded_labels: bool = False):
    """Exact physics (``scheme``) plus the network's catalogue quantities with their intervals, and the
    bolometric correction."""
    pred = model.predict(teff, lum, radius, level=level)
    columns = derive(teff, lum, radius, scheme=scheme).columns(coded_labels)
    for name in model.catalogue_names:
        columns[name] = pred[name]
    columns.update(_uncertainty_columns(model, pred, model.catalogue_names))
    band = model.preprocessing["magnitude_band"].lower()
    columns[f"bc_{band}_mag"] = pred[f"abs_{band}_mag"] - columns["mbol_mag"]
    return columns
