"""Predictions with a trained fusion network: the network alone (nn) or with exact physics (hybrid).

hybrid: every formula-defined output and class from the physics engine (exact, in the requested scheme), and
from the network only what formulas cannot give: the absolute magnitude, log g and [M/H].
"""

import numpy as np

from stellarnn.errors import UserInputError
from stellarnn.models import keras_runtime, store
from stellarnn.models.fusion.outputs import CLASSIFICATION
from stellarnn.physics.engine import NUMERIC_COLUMNS, derive

GEOMETRY = NUMERIC_COLUMNS[:5]


def find_model(model_id: str | None):
    """The named fusion artifact, or the newest one; None when none is trained."""
    if model_id is not None:
        artifact = store.get(model_id)
        if artifact.system != "fusion":
            raise UserInputError(f"model '{model_id}' is a {artifact.system} model, not fusion")
        return artifact
    return store.latest("fusion")


_LOADED: dict[tuple, object] = {}


def load(artifact, n_stars: int):
    """The artifact's network, read once per process (a catalogue worker runs it on many partitions)."""
    keras_runtime.use_backend(n_stars=n_stars)
    from stellarnn.models.fusion.model import load as load_model

    key = (str(artifact.path), (artifact.path / "model.keras").stat().st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = load_model(artifact)
    return _LOADED[key]


def catalogue_outputs(model) -> list[str]:
    return [o["name"] for o in model.preprocessing["outputs"] if o["kind"] != CLASSIFICATION and not o["formula"]]


def nn_columns(model, teff, lum, radius, mc_samples: int = 0) -> dict[str, np.ndarray]:
    """The network's outputs in natural units, plus the exact geometry of the inputs and BC = M - Mbol."""
    pred = model.predict(teff, lum, radius, mc_samples=mc_samples)
    physics = derive(teff, lum, radius, scheme=model.scheme)  # completes Teff/L/R and gives the geometry
    columns = {name: physics.values[name] for name in ("teff_K", "lum_Lsun", "radius_Rsun", *GEOMETRY)}
    for out in model.preprocessing["outputs"]:
        columns[out["name"]] = pred[out["name"]]
        if f"{out['name']}_std" in pred:
            columns[f"{out['name']}_std"] = pred[f"{out['name']}_std"]
    band = model.preprocessing["magnitude_band"].lower()
    columns[f"bc_{band}_mag"] = pred[f"abs_{band}_mag"] - pred["mbol_mag"]
    columns["mk_type"] = pred["spectral_class"].astype(object) + pred["luminosity_class"].astype(object)
    return columns


def hybrid_columns(model, teff, lum, radius, scheme: str, mc_samples: int = 0, coded_labels: bool = False) -> dict:
    """Exact physics (``scheme``) plus the network's catalogue quantities and the bolometric correction."""
    pred = model.predict(teff, lum, radius, mc_samples=mc_samples)
    columns = derive(teff, lum, radius, scheme=scheme).columns(coded_labels)
    for name in catalogue_outputs(model):
        columns[name] = pred[name]
        if f"{name}_std" in pred:
            columns[f"{name}_std"] = pred[f"{name}_std"]
    band = model.preprocessing["magnitude_band"].lower()
    columns[f"bc_{band}_mag"] = pred[f"abs_{band}_mag"] - columns["mbol_mag"]
    return columns
