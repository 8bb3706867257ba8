"""configs/cluster*.toml: the synthetic clusters, the features, the split, the three networks, training."""

from dataclasses import dataclass, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.config_files import at_least, require
from stellarnn.datasets.clusters.simulate import Simulation

MODELS = ("ann", "cnn", "mdm")


@dataclass(frozen=True)
class Features:
    membership_threshold: float  # members used: probability >= this (Cantat-Gaudin 2020: 0.7)
    image_pixels: int  # CMD images are pixels x pixels (the seed: 180)
    image_colour_mag: tuple[float, float]  # the image's BP-RP range (the seed: 0-4)
    image_g_mag: tuple[float, float]  # its G range (the seed: 10-18)

    def frame(self):
        from stellarnn.models.cluster.features import ImageFrame

        return ImageFrame(self.image_pixels, self.image_colour_mag, self.image_g_mag)


@dataclass(frozen=True)
class Data:
    test_fraction: float  # clusters held out for evaluation
    validation_fraction: float  # clusters for early stopping


@dataclass(frozen=True)
class Ann:
    dense_units: tuple[int, ...]  # hidden layers on the 410 histogram bins + 3 guesses


@dataclass(frozen=True)
class Cnn:
    conv_filters: tuple[int, ...]  # one Conv2D + MaxPool2D per entry
    kernel_size: int
    pool_size: int
    dense_units: tuple[int, ...]  # after flattening (the CNN alone; in the MDM the branch ends here too)


@dataclass(frozen=True)
class Mdm:
    guess_units: tuple[int, ...]  # the ANN branch on the three guesses
    # after joining the branches: the ANN's hidden layers ([ann] dense_units), as the seed did


@dataclass(frozen=True)
class Training:
    epochs: int
    batch_size: int
    learning_rate: float  # Adam
    lr_patience: int  # epochs without a better validation loss before the learning rate halves
    patience: int  # early stopping on validation loss, best weights restored
    ensemble: int  # networks from different initialisations; a prediction is their mean


@dataclass(frozen=True)
class ClusterConfig:
    simulation: Simulation
    features: Features
    data: Data
    ann: Ann
    cnn: Cnn
    mdm: Mdm
    training: Training
    source: str = ""


SECTIONS = {"simulation": Simulation, "features": Features, "data": Data, "ann": Ann, "cnn": Cnn, "mdm": Mdm,
            "training": Training}  # fmt: skip
# Keys that configs and model cards from before carry and that no longer mean anything: read and ignored, so an
# old config file or a model trained before still loads ([training] bootstrap: the member resamplings that
# gave the uncertainty before the conformal intervals).
RETIRED = {"training": ("bootstrap",)}


def load(path: str | Path | None = None) -> ClusterConfig:
    path = config_files.resolve(path, "cluster")
    sections = config_files.read_sections(path, SECTIONS, "cluster", RETIRED)
    population = sections["simulation"].population
    if population.endswith(".toml"):  # a file named relative to this config
        absolute = str((path.parent / population).resolve())
        sections["simulation"] = replace(sections["simulation"], population=absolute)
    return _checked(sections, str(path))


def from_card(settings: dict, source: str) -> ClusterConfig:
    """The settings a model was trained with, as its card recorded them (lists back to tuples; retired keys of
    models trained before dropped)."""
    sections = {
        name: cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings[name].items()
                     if k not in RETIRED.get(name, ())})
        for name, cls in SECTIONS.items()
    }  # fmt: skip
    return _checked(sections, source)


def _checked(sections: dict, where: str) -> ClusterConfig:
    c = ClusterConfig(**sections, source=where)
    _check_simulation(c.simulation, where)
    f, d, t = c.features, c.data, c.training
    require(0 <= f.membership_threshold < 1, where, "[features] membership_threshold must be in [0, 1)")
    at_least(16, where, "features", f, "image_pixels")
    for name in ("image_colour_mag", "image_g_mag"):
        require(_ordered(getattr(f, name)), where, f"[features] {name} must be [low, high]")
    held_out = d.test_fraction + d.validation_fraction
    require(0 < d.test_fraction and 0 < d.validation_fraction and held_out < 0.8, where,
            "[data] test_fraction and validation_fraction must be > 0 and leave clusters to train on")  # fmt: skip
    at_least(1, where, "training", t, "epochs", "batch_size", "patience", "lr_patience")
    require(t.learning_rate > 0, where, f"[training] learning_rate must be > 0, got {t.learning_rate}")
    require(1 <= t.ensemble <= 10, where, f"[training] ensemble must be in 1..10, got {t.ensemble}")
    at_least(1, where, "ann", c.ann, "dense_units")
    at_least(1, where, "cnn", c.cnn, "conv_filters", "kernel_size", "pool_size", "dense_units")
    at_least(1, where, "mdm", c.mdm, "guess_units")
    return c


def _ordered(pair) -> bool:
    return pair[0] <= pair[1]


def _check_simulation(s: Simulation, where: str) -> None:
    at_least(20, where, "simulation", s, "clusters")
    for name in ("log_age_yr", "av_mag", "distance_modulus_mag", "members", "field_fraction"):
        require(_ordered(getattr(s, name)), where, f"[simulation] {name} must be [low, high]")
    require(6.0 <= s.log_age_yr[0] and s.log_age_yr[1] <= 10.13, where,
            "[simulation] log_age_yr must lie in 6.0..10.13 (1 Myr to the age of the Universe)")  # fmt: skip
    require(0 <= s.av_mag[0] and s.av_mag[1] <= 6, where, "[simulation] av_mag must lie in 0..6 (the MIST tables)")
    require(s.distance_modulus_mag[0] >= 0, where, "[simulation] distance_modulus_mag must be >= 0 (10 pc)")
    require(s.members[0] >= 5, where, "[simulation] members must be >= 5")
    require(s.field_fraction[0] >= 0, where, "[simulation] field_fraction must be >= 0")
    require(s.field_distance_spread >= 0, where, "[simulation] field_distance_spread must be >= 0")
    require(0 < s.g_limit_mag <= 21, where, "[simulation] g_limit_mag must be in (0, 21] (Gaia's faint limit)")
    require(0 <= s.augmented_copies <= 10, where, "[simulation] augmented_copies must be in 0..10")
    require(0 <= s.binary_fraction <= 1, where, "[simulation] binary_fraction must be in [0, 1]")
    require(0 < s.min_mass_ratio <= 1, where, "[simulation] min_mass_ratio must be in (0, 1]")
    require(s.mh_dex[1] >= 0, where, "[simulation] mh_dex = [mean, sigma >= 0]")
    require(min(s.member_probability_beta) > 0, where, "[simulation] member_probability_beta = [a > 0, b > 0]")
