"""A fusion network with its preprocessing: predictions in natural units, from memory or from the store."""

from dataclasses import dataclass

import numpy as np

from stellarnn.models.fusion.data import TargetScaling, input_matrix
from stellarnn.models.fusion.outputs import CLASSIFICATION, class_labels
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

    def _raw(self, x, batch_size, training=False):
        if training:
            return {k: np.asarray(v) for k, v in self.keras_model(x, training=True).items()}
        return self.keras_model.predict(x, batch_size=batch_size, verbose=0)

    def predict(self, teff, lum, radius, batch_size: int = 65536, mc_samples: int = 0) -> dict[str, np.ndarray]:
        """Natural-unit regression outputs, class codes (``<name>_code``) and labels; with ``mc_samples``,
        ``<name>_std`` from Monte-Carlo Gaussian-dropout samples for every regression output. Any one of
        Teff, L, R may be NaN per star; it is completed by Stefan-Boltzmann first."""
        as_array = lambda v: np.asarray(v, dtype=float)  # noqa: E731
        (teff, lum, radius), _ = complete_inputs(as_array(teff), as_array(lum), as_array(radius), SCHEMES[self.scheme])
        x = input_matrix(teff, lum, radius)
        raw = self._raw(x, batch_size)
        result = {}
        for out in self.preprocessing["outputs"]:
            name = out["name"]
            if out["kind"] == CLASSIFICATION:
                codes = np.argmax(raw[name], axis=1).astype(np.int8)
                result[f"{name}_code"] = codes
                result[name] = np.array(self.labels(name), dtype=object)[codes]
            else:
                result[name] = TargetScaling(out["center"], out["scale"], out["log_target"]).inverse(raw[name][:, 0])
        if mc_samples:
            samples = [self._raw(x, batch_size, training=True) for _ in range(mc_samples)]
            for out in self.preprocessing["outputs"]:
                if out["kind"] != CLASSIFICATION:
                    scaling = TargetScaling(out["center"], out["scale"], out["log_target"])
                    draws = np.stack([scaling.inverse(s[out["name"]][:, 0]) for s in samples])
                    result[f"{out['name']}_std"] = draws.std(axis=0)
        if self.scheme == "default":  # like the physics engine: no mass-luminosity relation off the main sequence
            types = self.labels("star_type")
            main = np.isin(result["star_type_code"], [types.index("red dwarf"), types.index("main sequence")])
            for name in MASS_DERIVED_COLUMNS:
                if name in result:
                    result[name] = np.where(main, result[name], np.nan)
        return result


def load(artifact) -> FusionModel:
    """Load a stored fusion artifact with Keras safe mode (no code runs from the file)."""
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    import stellarnn.models.fusion.layers  # noqa: F401  (registers the custom layers)

    with np.errstate(all="ignore"):  # Keras' NumPy backend builds the layers on placeholder arrays
        model = keras.saving.load_model(artifact.path / "model.keras", safe_mode=True, compile=False)
    return FusionModel(model, artifact.preprocessing())
