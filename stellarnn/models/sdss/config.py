"""configs/sdss.toml: the survey model for the built-in stars and the classifier's data, network, training,
tuner and evaluation settings."""

from dataclasses import dataclass, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.config_files import require
from stellarnn.datasets.sdss_like.config import Survey, check

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
    sections = config_files.read_sections(path, SECTIONS)
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
    require(d.stars >= 100, where, f"[data] stars must be >= 100, got {d.stars}")
    require(d.features in FEATURE_SETS, where, f"[data] features must be one of {', '.join(FEATURE_SETS)}")
    require(0 < d.validation_fraction and 0 < d.test_fraction and d.validation_fraction + d.test_fraction < 0.9,
            where, "[data] validation_fraction and test_fraction must be > 0 and leave training stars")  # fmt: skip
    require(len(m.hidden_units) >= 1 and all(u > 0 for u in m.hidden_units), where, "[model] hidden_units > 0")
    require(0 <= m.dropout < 1, where, f"[model] dropout must be in [0, 1), got {m.dropout}")
    require(t.epochs >= 1 and t.batch_size >= 1 and t.learning_rate > 0, where, "[training] positive values needed")
    require(t.class_weight in ("balanced", "none"), where, "[training] class_weight must be balanced or none")
    require(c.evaluation.folds >= 2 and c.evaluation.ablation_folds >= 2, where, "[evaluation] folds must be >= 2")
