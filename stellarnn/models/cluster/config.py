"""configs/cluster*.toml: the synthetic clusters, the features, the split, the three networks, training."""

from dataclasses import dataclass, fields, replace
from pathlib import Path

from stellarnn import config_files
from stellarnn.config_files import require
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


def _with_retired(cls: type, retired: tuple[str, ...]) -> type:
    """``cls`` with the retired keys as extra fields, to read a file that still has them."""
    from dataclasses import make_dataclass

    return make_dataclass(f"Retired{cls.__name__}", [(k, object) for k in retired], bases=(cls,), frozen=True)


def load(path: str | Path | None = None) -> ClusterConfig:
    path = config_files.resolve(path, "cluster")
    sections = config_files.read_sections(path, _reading(path))
    sections = {name: _current(SECTIONS[name], section) for name, section in sections.items()}
    population = sections["simulation"].population
    if population.endswith(".toml"):  # a file named relative to this config
        absolute = str((path.parent / population).resolve())
        sections["simulation"] = replace(sections["simulation"], population=absolute)
    return _checked(sections, str(path))


def _reading(path: Path) -> dict[str, type]:
    """SECTIONS, with a section's retired keys accepted where this file still has them."""
    import tomllib

    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError:
        return SECTIONS  # read_sections reports it
    reading = dict(SECTIONS)
    for name, keys in RETIRED.items():
        present = tuple(k for k in keys if isinstance(raw.get(name), dict) and k in raw[name])
        if present:
            reading[name] = _with_retired(SECTIONS[name], present)
    return reading


def _current(cls: type, section):
    """A section read with retired keys, as the current dataclass (the retired values dropped)."""
    return section if type(section) is cls else cls(**{f.name: getattr(section, f.name) for f in fields(cls)})


def from_card(settings: dict, source: str) -> ClusterConfig:
    """The settings a model was trained with, as its card recorded them (lists back to tuples; retired keys of
    models trained before dropped)."""
    sections = {
        name: cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in settings[name].items()
                     if k not in RETIRED.get(name, ())})
        for name, cls in SECTIONS.items()
    }  # fmt: skip
    return _checked(sections, source)


def _ordered(pair) -> bool:
    return len(pair) == 2 and pair[0] <= pair[1]


def _checked(sections: dict, where: str) -> ClusterConfig:
    c = ClusterConfig(**sections, source=where)
    s, f, d, t = c.simulation, c.features, c.data, c.training
    require(s.clusters >= 20, where, f"[simulation] clusters must be >= 20, got {s.clusters}")
    for name in ("log_age_yr", "av_mag", "distance_modulus_mag", "members", "field_fraction"):
        require(_ordered(getattr(s, name)), where, f"[simulation] {name} must be [low, high]")
    require(6.0 <= s.log_age_yr[0] and s.log_age_yr[1] <= 10.13, where,
            "[simulation] log_age_yr must lie in 6.0..10.13 (1 Myr to the age of the Universe)")  # fmt: skip
    require(0 <= s.av_mag[0] and s.av_mag[1] <= 6, where, "[simulation] av_mag must lie in 0..6 (the MIST tables)")
    require(s.members[0] >= 5, where, "[simulation] members must be >= 5")
    require(0 <= s.augmented_copies <= 10, where, "[simulation] augmented_copies must be in 0..10")
    require(0 <= s.binary_fraction <= 1 and 0 < s.min_mass_ratio <= 1, where,
            "[simulation] binary_fraction in 0..1 and min_mass_ratio in (0, 1]")  # fmt: skip
    require(len(s.mh_dex) == 2 and s.mh_dex[1] >= 0, where, "[simulation] mh_dex = [mean, sigma >= 0]")
    require(len(s.member_probability_beta) == 2 and min(s.member_probability_beta) > 0, where,
            "[simulation] member_probability_beta = [a > 0, b > 0]")  # fmt: skip
    require(0 <= f.membership_threshold < 1 and f.image_pixels >= 16, where,
            "[features] membership_threshold in 0..1 and image_pixels >= 16")  # fmt: skip
    require(_ordered(f.image_colour_mag) and _ordered(f.image_g_mag), where,
            "[features] image_colour_mag and image_g_mag must be [low, high]")  # fmt: skip
    held_out = d.test_fraction + d.validation_fraction
    require(0 < d.test_fraction and 0 < d.validation_fraction and held_out < 0.8, where,
            "[data] test_fraction and validation_fraction must be > 0 and leave clusters to train on")  # fmt: skip
    positive = t.epochs >= 1 and t.batch_size >= 1 and t.learning_rate > 0 and min(t.patience, t.lr_patience) >= 1
    require(1 <= t.ensemble <= 10, where, f"[training] ensemble must be in 1..10, got {t.ensemble}")
    require(positive, where, "[training] epochs, batch_size, learning_rate, patience, lr_patience must be positive")
    for units in (c.ann.dense_units, c.cnn.dense_units, c.mdm.guess_units, c.cnn.conv_filters):
        require(len(units) >= 1 and all(u > 0 for u in units), where, "layer sizes must be positive")
    return c
