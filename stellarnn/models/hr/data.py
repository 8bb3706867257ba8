"""Stars for the hr network: the seed's 20 named stars (shipped with the package) and, for real training, stars of
the built-in population; and the seed's min-max normalisation of (absolute magnitude, log Teff)."""

from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from stellarnn.models.hr.network import CLASSES

# Built-in population star types -> hr class index (the seed's three classes). Subgiants sit between the
# main sequence and the giants and have no class of their own here, so they are left out of training.
POPULATION_CLASSES = {
    "main sequence": 0,
    "red dwarf": 0,
    "white dwarf": 1,
    "giant": 2,
    "bright giant": 2,
    "supergiant": 2,
    "hypergiant": 2,
}


@dataclass
class Stars:
    names: np.ndarray
    abs_mag: np.ndarray
    log_teff: np.ndarray
    label: np.ndarray  # class index into CLASSES
    split: np.ndarray  # "testing" / "validation" (the seed's), or "population"

    def __len__(self) -> int:
        return len(self.abs_mag)

    def subset(self, mask) -> "Stars":
        return Stars(self.names[mask], self.abs_mag[mask], self.log_teff[mask], self.label[mask], self.split[mask])

    def onehot(self) -> np.ndarray:
        return np.eye(len(CLASSES))[self.label]


def seed_stars() -> Stars:
    """The seed's table, in its order (the Sun first)."""
    import csv

    text = files("stellarnn.data").joinpath("hr_seed_stars.csv").read_text()
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return Stars(
        np.array([r["name"] for r in rows]),
        np.array([float(r["abs_mag"]) for r in rows]),
        np.array([float(r["log_teff"]) for r in rows]),
        np.array([int(r["label"]) - 1 for r in rows]),
        np.array([r["split"] for r in rows]),
    )


def population_stars(frame) -> Stars:
    """Stars of a built-in population frame with an hr class (absolute V magnitude, as in the seed's table)."""
    kind = frame["default__star_type"].to_numpy()
    keep = np.isin(kind, list(POPULATION_CLASSES))
    return Stars(
        np.array([f"population star {i}" for i in frame["star_id"].to_numpy()[keep]]),
        frame["abs_v_mag"].to_numpy()[keep],
        np.log10(frame["teff_K"].to_numpy()[keep]),
        np.array([POPULATION_CLASSES[k] for k in kind[keep]]),
        np.full(int(keep.sum()), "population"),
    )


@dataclass(frozen=True)
class MinMax:
    """The seed normalises each input to [0, 1] over the training stars; stored with the model as JSON."""

    mag_min: float
    mag_max: float
    log_teff_min: float
    log_teff_max: float

    @classmethod
    def fit(cls, stars: Stars) -> "MinMax":
        return cls(
            *(float(v) for v in (stars.abs_mag.min(), stars.abs_mag.max(), stars.log_teff.min(), stars.log_teff.max()))
        )

    def apply(self, abs_mag, log_teff) -> np.ndarray:
        return np.column_stack(
            [
                (np.asarray(abs_mag) - self.mag_min) / (self.mag_max - self.mag_min),
                (np.asarray(log_teff) - self.log_teff_min) / (self.log_teff_max - self.log_teff_min),
            ]
        )

    def inputs(self, stars: Stars) -> np.ndarray:
        return self.apply(stars.abs_mag, stars.log_teff)
