"""A fusion network with its preprocessing: predictions in natural units, from memory or from the store."""

from dataclasses import dataclass

import numpy as np

from stellarnn.models import domain
from stellarnn.models.conformal import DEFAULT_LEVEL, LOWER, UPPER, Calibration
from stellarnn.models.fusion.data import TargetScaling, input_matrix
from stellarnn.models.fusion.outputs import CLASSIFICATION, class_labels
from stellarnn.models.probability import apply_temperature
from stellarnn.physics.engine import MASS_DERIVED_COLUMNS, SCHEMES, complete_inputs


@dataclass
class FusionModel:
    keras_model: object
    preprocessing: dict

    @property
    def scheme(self) -> str:
        return self.preprocessing["scheme"]

    def labels(self, name: str) -> tuple[str, ...]:
        return class_labels(SCHEMES[self.scheme], name)

    @property
    def catalogue_names(self) -> list[str]:
        """The outputs no formula gives (absolute magnitude, log g, [M/H]): read from the training catalogue."""
        return [o["name"] for o in self.preprocessing["outputs"] if o["kind"] != CLASSIFICATION and not o["formula"]]

    @property
    def calibrations(self) -> dict[str, Calibration]:
        """Conformal calibration per catalogue output (empty for models trained before calibration existed)."""
        return {k: Calibration.from_json(v) for k, v in self.preprocessing.get("calibration", {}).items()}

    def unconstrained(self) -> list[str]:
        """Catalogue outputs whose interval is about as wide as the training labels' own spread."""
        return [name for name, c in self.calibrations.items() if not c.constrained()]

    def in_domain(self, teff, lum) -> np.ndarray | None:
        """Whether each star lies where the training catalogue had stars (None for models without a domain)."""
        if "domain" not in self.preprocessing:
            return None
        from stellarnn.models.fusion.calibration import hr_coordinates

        return domain.from_json(self.preprocessing["domain"]).contains(hr_coordinates(teff, lum))

    def _inputs(self, teff, lum, radius):
        as_array = lambda v: np.asarray(v, dtype=float)  # noqa: E731
        (teff, lum, radius), _ = complete_inputs(as_array(teff), as_array(lum), as_array(radius), SCHEMES[self.scheme])
        return teff, lum, radius

    def _raw(self, teff, lum, radius, batch_size: int) -> dict:
        """The network's outputs per head; for no stars, empty arrays of the right shape (Keras' predict fails
        on an empty batch, so it runs on one placeholder star that is then dropped)."""
        x = input_matrix(teff, lum, radius)
        if len(x) == 0:
            placeholder = self.keras_model.predict(np.ones((1, x.shape[1]), "float32"), verbose=0)
            return {name: np.asarray(values)[:0] for name, values in placeholder.items()}
        return self.keras_model.predict(x, batch_size=batch_size, verbose=0)

    def class_probabilities(self, teff, lum, radius, batch_size: int = 65536) -> dict[str, np.ndarray]:
        """The class heads' softmax outputs, (stars, classes) each, before temperature scaling."""
        raw = self._raw(*self._inputs(teff, lum, radius), batch_size)
        return {
            o["name"]: np.asarray(raw[o["name"]]) for o in self.preprocessing["outputs"] if o["kind"] == CLASSIFICATION
        }

    def predict(
        self, teff, lum, radius, batch_size: int = 65536, level: float = DEFAULT_LEVEL
    ) -> dict[str, np.ndarray]:
        """Natural-unit regression outputs, class codes (``<name>_code``), labels and calibrated probabilities
        (``<name>_probability``); for calibrated catalogue outputs the conformal interval at ``level``
        (``<name>_lo``, ``<name>_hi``) and the training-domain flag. Any one of Teff, L, R may be NaN per star;
        it is completed by Stefan-Boltzmann first."""
        teff, lum, radius = self._inputs(teff, lum, radius)
        raw = self._raw(teff, lum, radius, batch_size)
        temperatures = self.preprocessing.get("temperatures", {})
        result = {}
        for out in self.preprocessing["outputs"]:
            name = out["name"]
            if out["kind"] == CLASSIFICATION:
                p = apply_temperature(raw[name], temperatures.get(name, 1.0))
                codes = np.argmax(p, axis=1).astype(np.int8)
                result[f"{name}_code"] = codes
                result[name] = np.array(self.labels(name), dtype=object)[codes]
                result[f"{name}_probability"] = p.max(axis=1)
            else:
                result[name] = TargetScaling(out["center"], out["scale"], out["log_target"]).inverse(raw[name][:, 0])
        for name, calibration in self.calibrations.items():
            result[name + LOWER], result[name + UPPER] = calibration.interval(result[name], level)
        inside = self.in_domain(teff, lum)
        if inside is not None:
            result[domain.FLAG] = ~inside
        if self.scheme == "default":  # like the physics engine: no mass-luminosity relation off the main sequence
            types = self.labels("star_type")
            main = np.isin(result["star_type_code"], [types.index("red dwarf"), types.index("main sequence")])
            for name in MASS_DERIVED_COLUMNS:
                if name in result:
                    result[name] = np.where(main, result[name], np.nan)
        return result


def load(artifact) -> FusionModel:
    """Load a stored fusion artifact with Keras safe mode (no code runs from the file); a damaged file is one user
    error that names the model."""
    from stellarnn.models import keras_runtime, store

    keras = keras_runtime.keras()
    import stellarnn.models.fusion.layers  # noqa: F401  (registers the custom layers)

    with store.loading(artifact):
        with np.errstate(all="ignore"):  # Keras' NumPy backend builds the layers on placeholder arrays
            model = keras.saving.load_model(artifact.file(store.MODEL), safe_mode=True, compile=False)
        return _read_through(FusionModel(model, artifact.preprocessing()))


def _read_through(model: FusionModel) -> FusionModel:
    """Read every part of the preprocessing a prediction uses, so that a damaged one fails while loading (as a
    KeyError, TypeError or ValueError), not in the middle of a prediction."""
    pre = model.preprocessing
    for out in pre["outputs"]:
        if out["kind"] == CLASSIFICATION:
            model.labels(out["name"])
        else:
            TargetScaling(out["center"], out["scale"], out["log_target"]).inverse(np.zeros(1))
    names = [pre["magnitude_band"], *model.catalogue_names]
    if not all(isinstance(name, str) for name in names) or not isinstance(pre.get("temperatures", {}), dict):
        raise TypeError("an output name, the magnitude band or the temperatures have the wrong type")
    model.unconstrained()  # reads the calibrations
    model.in_domain(np.array([5772.0]), np.array([1.0]))
    return model
