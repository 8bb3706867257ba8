"""The fusion network's settings (configs/fusion*.toml): data, architecture and training."""

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.choices import SCHEMES

BANDS = ("G", "V")


@dataclass(frozen=True)
class Data:
    scheme: str
    magnitude_band: str
    population_stars: int
    population_seed: int
    validation_fraction: float
    calibration_fraction: float
    augment_fraction: float
    observed_inputs: bool


@dataclass(frozen=True)
class Model:
    dense_units: int
    hidden_units: int
    hidden_layers: int
    gaussian_dropout: float
    l1: float
    l2: float
    correction_l1: float
    embedding_dim: int


@dataclass(frozen=True)
class Training:
    epochs: int
    batch_size: int
    learning_rate: float
    fine_tune_learning_rate: float
    patience: int
    lr_patience: int
    dwa: bool
    dwa_temperature: float


@dataclass(frozen=True)
class FusionConfig:
    data: Data
    model: Model
    training: Training
    source: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "source"}

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def with_overrides(self, scheme: str | None = None, epochs: int | None = None) -> "FusionConfig":
        data = self.data if scheme is None else replace(self.data, scheme=scheme)
        training = self.training if epochs is None else replace(self.training, epochs=epochs)
        config = replace(self, data=data, training=training)
        check(config)
        return config


SECTIONS = {"data": Data, "model": Model, "training": Training}


def load(name_or_path: str | Path | None = None, default: str = "fusion") -> FusionConfig:
    """A config by name or path; the keys a file leaves out come from the packaged ``default``."""
    path = config_files.resolve(name_or_path, default)
    config = FusionConfig(**config_files.read_sections(path, SECTIONS, default), source=str(path))
    check(config)
    return config


def from_dict(values: dict, source: str = "") -> FusionConfig:
    """The config stored in a model card, back as a FusionConfig; keys added since then take the defaults."""
    defaults = load().as_dict()
    config = FusionConfig(
        **{name: cls(**{**defaults[name], **values.get(name, {})}) for name, cls in SECTIONS.items()}, source=source
    )
    check(config)
    return config


def check(c: FusionConfig) -> None:
    where, require = c.source or "fusion config", config_files.require
    d, m, t = c.data, c.model, c.training
    require(d.scheme in SCHEMES, where, f"[data] scheme '{d.scheme}' is unknown; valid: {', '.join(SCHEMES)}")
    require(d.magnitude_band in BANDS, where, f"[data] magnitude_band must be one of {', '.join(BANDS)}")
    config_files.at_least(500, where, "data", d, "population_stars")
    config_files.at_least(0, where, "data", d, "population_seed")
    require(0 < d.validation_fraction < 0.5, where, "[data] validation_fraction must be in (0, 0.5)")
    require(0 < d.calibration_fraction < 0.5, where, "[data] calibration_fraction must be in (0, 0.5)")
    require(d.validation_fraction + d.calibration_fraction < 0.7, where,
            "[data] validation_fraction + calibration_fraction must leave at least 30 % to train on")  # fmt: skip
    require(0 <= d.augment_fraction <= 10, where, "[data] augment_fraction must be in [0, 10]")
    config_files.at_least(1, where, "model", m, "dense_units", "hidden_units", "hidden_layers", "embedding_dim")
    require(0 <= m.gaussian_dropout < 1, where, "[model] gaussian_dropout must be in [0, 1)")
    require(min(m.l1, m.l2, m.correction_l1) >= 0, where, "[model] l1, l2 and correction_l1 must be >= 0")
    config_files.at_least(1, where, "training", t, "epochs", "batch_size", "patience", "lr_patience")
    require(t.learning_rate > 0, where, f"[training] learning_rate must be > 0, got {t.learning_rate}")
    require(t.fine_tune_learning_rate > 0, where, "[training] fine_tune_learning_rate must be > 0")
    require(t.dwa_temperature > 0, where, "[training] dwa_temperature must be > 0")
