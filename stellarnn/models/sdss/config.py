"""configs/sdss.toml: the survey model for the built-in stars and the classifier's data, network, training,
tuner and evaluation settings."""

from dataclasses import dataclass, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.config_files import at_least, require
from stellarnn.datasets.sdss_like.config import Survey, check
from stellarnn.models.sdss.network import ACTIVATIONS

FEATURE_SETS = ("full", "photometry")


@dataclass(frozen=True)
class Data:
    stars: int
    seed: int
    features: str
    validation_fraction: float
    test_fraction: float


@dataclass(frozen=True)
class Model:
    hidden_units: tuple[int, ...]
    dropout: float
    activation: str


@dataclass(frozen=True)
class Training:
    epochs: int
    batch_size: int
    learning_rate: float
    patience: int
    class_weight: str


@dataclass(frozen=True)
class Tuner:
    epochs: int
    depths: tuple[int, ...]
    widths: tuple[int, ...]
    dropouts: tuple[float, ...]
    learning_rates: tuple[float, ...]
    batch_sizes: tuple[int, ...]


@dataclass(frozen=True)
class Evaluation:
    folds: int
    ablation_folds: int


@dataclass(frozen=True)
class SdssConfig:
    survey: Survey
    data: Data
    model: Model
    training: Training
    tuner: Tuner
    evaluation: Evaluation
    source: str = ""


SECTIONS = {"survey": Survey, "data": Data, "model": Model, "training": Training, "tuner": Tuner,
            "evaluation": Evaluation}  # fmt: skip


def load(path: str | Path | None = None) -> SdssConfig:
    path = config_files.resolve(path, "sdss")
    sections = config_files.read_sections(path, SECTIONS, "sdss")
    survey = sections["survey"]
    population = Path(survey.population)
    if population.suffix == ".toml" and not population.is_absolute():  # relative to this config file
        sections["survey"] = replace(survey, population=str((path.parent / population).resolve()))
    config = SdssConfig(**sections, source=str(path))
    check(config.survey, str(path))
    _check(config, str(path))
    return config


def _check(c: SdssConfig, where: str) -> None:
    d, m, t = c.data, c.model, c.training
    at_least(100, where, "data", d, "stars")
    at_least(0, where, "data", d, "seed")
    require(d.features in FEATURE_SETS, where, f"[data] features must be one of {', '.join(FEATURE_SETS)}")
    require(0 < d.validation_fraction and 0 < d.test_fraction and d.validation_fraction + d.test_fraction < 0.9,
            where, "[data] validation_fraction and test_fraction must be > 0 and leave training stars")  # fmt: skip
    at_least(1, where, "model", m, "hidden_units")
    require(0 <= m.dropout < 1, where, f"[model] dropout must be in [0, 1), got {m.dropout}")
    require(m.activation in ACTIVATIONS, where, f"[model] activation must be one of {', '.join(ACTIVATIONS)}")
    at_least(1, where, "training", t, "epochs", "batch_size", "patience")
    require(t.learning_rate > 0, where, f"[training] learning_rate must be > 0, got {t.learning_rate}")
    require(t.class_weight in ("balanced", "none"), where, "[training] class_weight must be balanced or none")
    _check_tuner(c.tuner, where)
    at_least(2, where, "evaluation", c.evaluation, "folds", "ablation_folds")


def _check_tuner(u: Tuner, where: str) -> None:
    at_least(1, where, "tuner", u, "epochs", "depths", "widths", "batch_sizes")
    require(len(u.dropouts) >= 1 and all(0 <= p < 1 for p in u.dropouts), where,
            "[tuner] dropouts must be one or more values in [0, 1)")  # fmt: skip
    require(len(u.learning_rates) >= 1 and min(u.learning_rates) > 0, where,
            "[tuner] learning_rates must be one or more values > 0")  # fmt: skip
