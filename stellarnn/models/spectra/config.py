"""configs/spectra*.toml: the synthesizer, the grid, the split and noise, the network and its training."""

from dataclasses import dataclass
from pathlib import Path

from stellarnn import config_files
from stellarnn.config_files import at_least, require
from stellarnn.datasets.spectra.config import check
from stellarnn.datasets.spectra.grid import Grid
from stellarnn.datasets.spectra.synthesize import Synthesis


@dataclass(frozen=True)
class Data:
    test_fraction: float  # atmospheres (with all their v sin i) held out for evaluation
    validation_fraction: float  # atmospheres for early stopping
    snr: float  # continuum S/N (noise sigma = 1/snr): fresh in every training batch, once on held-out spectra
    # atmospheres drawn at random in the grid's box, added to the training set (0 = grid points only, as the
    # seed), each at this many random v sin i; defaults for the cards of models trained before they existed
    drawn_atmospheres: int = 0
    rotations_per_drawn: int = 1
    # synthetic training, validation and held-out spectra pass through the continuum fit observed spectra get
    # (datasets/spectra/prepare.py: as_fitted), so the network learns what the fit leaves; off in older cards
    continuum_fit: bool = False


@dataclass(frozen=True)
class Model:
    conv_filters: tuple[int, ...]  # the seed: 4, 16
    kernel_size: int  # 32 pixels
    pool_size: int  # 4
    dense_units: tuple[int, ...]  # 256, 128
    activation: str


@dataclass(frozen=True)
class Training:
    epochs: int
    batch_size: int  # the seed: 64
    learning_rate: float  # the seed: 7e-4 (Adam)
    patience: int  # early stopping on validation loss, best weights restored
    ensemble: int  # independently initialised networks, averaged (intervals: calibration.py, not their spread)
    lr_patience: int = 0  # epochs without a better validation loss before the rate halves; 0 = constant rate
    # (the default for the cards of models trained before the schedule existed)


@dataclass(frozen=True)
class SpectraConfig:
    synthesis: Synthesis
    grid: Grid
    data: Data
    model: Model
    training: Training
    source: str = ""


SECTIONS = {"synthesis": Synthesis, "grid": Grid, "data": Data, "model": Model, "training": Training}


def load(path: str | Path | None = None) -> SpectraConfig:
    path = config_files.resolve(path, "spectra")
    return _checked(config_files.read_sections(path, SECTIONS, "spectra"), str(path))


def from_card(settings: dict, source: str) -> SpectraConfig:
    """The settings a model was trained with, as its card recorded them (lists back to tuples)."""
    sections = {
        name: cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings[name].items()})
        for name, cls in SECTIONS.items()
    }
    return _checked(sections, source)


def _checked(sections: dict, where: str) -> SpectraConfig:
    grid = sections["grid"]
    sections["grid"] = Grid(**{**grid.__dict__, "min_logg": tuple(tuple(pair) for pair in grid.min_logg)})
    config = SpectraConfig(**sections, source=where)
    check(config.synthesis, config.grid, where)
    d, m, t = config.data, config.model, config.training
    held_out = d.test_fraction + d.validation_fraction
    require(0 < d.test_fraction and 0 < d.validation_fraction and held_out < 0.8, where,
            "[data] test_fraction and validation_fraction must be > 0 and leave atmospheres to train on")  # fmt: skip
    require(d.snr >= 0, where, f"[data] snr must be >= 0 (0 = no noise), got {d.snr}")
    at_least(0, where, "data", d, "drawn_atmospheres")
    at_least(1, where, "data", d, "rotations_per_drawn")
    at_least(1, where, "model", m, "conv_filters", "dense_units", "kernel_size", "pool_size")
    at_least(1, where, "training", t, "epochs", "batch_size", "patience")
    require(t.learning_rate > 0, where, f"[training] learning_rate must be > 0, got {t.learning_rate}")
    require(t.lr_patience >= 0, where, "[training] lr_patience must be a whole number >= 0 (0 = constant learning "
            f"rate), got {t.lr_patience}")  # fmt: skip
    require(1 <= t.ensemble <= 20, where, f"[training] ensemble must be in 1..20, got {t.ensemble}")
    return config
