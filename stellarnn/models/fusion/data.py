"""Training and evaluation data for fusion: inputs, targets and their scaling.

Whatever the source (the built-in population, a Gaia DR3 download, a Fusion-style file), the formula outputs
and classes are computed by the physics engine from the file's own Teff, L, R in the model's scheme, and the
three catalogue quantities (absolute magnitude, log g, [M/H]) are read from the file. Missing targets are NaN
(class code -1) and masked out of the loss.

Training needs at least ``MIN_TRAINING_STARS`` usable rows (rows with a catalogue label): fewer are refused
before any training. Evaluation needs at least one labelled row; outputs no row labels are left out of its report.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.schema import CATALOGUE_ALIASES, find_column, input_unit
from stellarnn.datasets.tables import float_column
from stellarnn.errors import UserInputError
from stellarnn.models.fusion.outputs import CLASSIFICATION, Output
from stellarnn.physics.engine import derive

# Below this many labelled rows a training table is refused: the validation and calibration splits would hold
# a handful of stars each (the calibration wants 20 per output), so the model and its intervals would mean nothing.
MIN_TRAINING_STARS = 100

INPUT_COLUMNS = (
    "teff_K",
    "lum_Lsun",
    "radius_Rsun",
    "diameter_Dsun",
    "volume_Vsun",
    "surface_area_SAsun",
    "great_circle_circumference_GCCsun",
    "great_circle_area_GCAsun",
)


def input_matrix(teff, lum, radius) -> np.ndarray:
    """The eight inputs the seed feeds the network; the geometric five are functions of R."""
    r = np.asarray(radius, float)
    return np.column_stack([teff, lum, r, r, r**3, r**2, r, r**2]).astype("float32")


@dataclass
class Dataset:
    teff: np.ndarray
    lum: np.ndarray
    radius: np.ndarray
    targets: dict[str, np.ndarray]  # float (NaN = unknown) or int class codes (-1 = unknown)
    description: dict

    def __len__(self) -> int:
        return len(self.teff)

    def subset(self, index) -> "Dataset":
        return Dataset(
            self.teff[index],
            self.lum[index],
            self.radius[index],
            {k: v[index] for k, v in self.targets.items()},
            self.description,
        )


def build_dataset(
    teff, lum, radius, catalogue: dict[str, np.ndarray], outputs: tuple[Output, ...], scheme: str, description: dict
) -> Dataset:
    result = derive(teff, lum, radius, scheme=scheme)
    teff, lum, radius = (result.values[c] for c in ("teff_K", "lum_Lsun", "radius_Rsun"))
    targets = {}
    for out in outputs:
        if out.kind == CLASSIFICATION:
            targets[out.name] = getattr(result.classes, out.name).astype(np.int64)  # same names as Classes
        elif out.formula:
            targets[out.name] = result.values[out.name].astype(float)
        else:
            targets[out.name] = catalogue.get(out.name, np.full(len(teff), np.nan)).astype(float)
    return Dataset(teff, lum, radius, targets, description)


OBSERVED_INPUTS = ("teff_gspphot", "lum_flame", "radius_gspphot")  # the population's Gaia-like measurements
TRUE_INPUTS = ("teff_K", "lum_Lsun", "radius_Rsun")


def from_population(frame, outputs, scheme: str, description: dict, observed: bool = True) -> Dataset:
    """The built-in population as training data: catalogue targets are the true M_G, log g and [M/H]; the
    inputs are the Gaia-like measured Teff, L and R (``observed``), as a real catalogue gives them, or the true
    values. Without noise, Teff, L and R fix a simulated star's mass, age and metallicity exactly, so a network
    trained on true values reads [M/H] to 0.06 dex and its intervals say so, while real stars' inputs carry
    errors that hide most of it (on real Gaia stars the same network errs by 0.7 dex)."""
    catalogue = {name: frame[name].to_numpy() for name in CATALOGUE_ALIASES if name in frame.columns}
    teff, lum, radius = (frame[c].to_numpy() for c in (OBSERVED_INPUTS if observed else TRUE_INPUTS))
    return build_dataset(teff, lum, radius, catalogue, outputs, scheme, {**description, "observed_inputs": observed})


def from_table(table, outputs, scheme: str, description: dict) -> Dataset:
    """A user's table (Gaia or Fusion column names); rows without two usable of Teff, L, R are an error."""
    from stellarnn.datasets.star_inputs import read_star_inputs

    stars = read_star_inputs(table, on_error="fail")
    catalogue = {}
    for name, aliases in CATALOGUE_ALIASES.items():
        column = find_column(table.colnames, aliases)
        if column is not None:
            catalogue[name], problems = float_column(table, column, input_unit(name))
            if problems:
                listed = "; ".join(f"row {i + 1}: {why}" for i, why in list(problems.items())[:5])
                raise UserInputError(f"{len(problems)} rows have a target that is not a number: {listed}")
    wanted = catalogue_names(outputs)
    if not any(name in catalogue for name in wanted):
        accepted = "; ".join(f"{n}: {', '.join(CATALOGUE_ALIASES[n])}" for n in wanted)
        raise UserInputError(f"the file has none of the catalogue targets ({accepted})")
    v = stars.values
    return build_dataset(v["teff"], v["lum"], v["radius"], catalogue, outputs, scheme, description)


def catalogue_names(outputs) -> list[str]:
    """The outputs a file has to label (no formula gives them): absolute magnitude, log g, [M/H]."""
    return [o.name for o in outputs if o.kind != CLASSIFICATION and not o.formula]


def _where(dataset: Dataset) -> str:
    return dataset.description.get("file") or dataset.description.get("source", "the data")


def labelled_rows(dataset: Dataset, names) -> int:
    """Rows with at least one of the catalogue labels ``names``: only they teach the network anything the
    formulas do not already give."""
    labelled = np.zeros(len(dataset), bool)
    for name in names:
        labelled |= np.isfinite(dataset.targets[name])
    return int(labelled.sum())


def check_training_rows(dataset: Dataset, names) -> None:
    """Refuse a training table too small to split into training, validation and calibration stars."""
    n = labelled_rows(dataset, names)
    if n < MIN_TRAINING_STARS:
        raise UserInputError(
            f"only {n} usable rows with a catalogue label ({', '.join(names)}) in {_where(dataset)}; "
            f"fusion trains on at least {MIN_TRAINING_STARS}"
        )


def unlabelled_outputs(dataset: Dataset, names) -> list[str]:
    """The catalogue outputs ``names`` no row of ``dataset`` labels (an evaluation leaves them out); data without
    rows, or without any label, cannot be scored and are refused."""
    if len(dataset) == 0:
        raise UserInputError(f"no usable rows in {_where(dataset)}")
    unlabelled = [name for name in names if not np.isfinite(dataset.targets[name]).any()]
    if len(unlabelled) == len(names):
        raise UserInputError(
            f"none of the {len(dataset)} rows in {_where(dataset)} has a catalogue label ({', '.join(names)})"
        )
    return unlabelled


@dataclass(frozen=True)
class TargetScaling:
    """Per regression output: optional log10, then (value - center) / scale. Stored as JSON with the model."""

    center: float
    scale: float
    log_target: bool

    def forward(self, values):
        v = np.log10(np.where(values > 0, values, np.nan)) if self.log_target else values
        return (v - self.center) / self.scale

    def inverse(self, scaled):
        v = scaled * self.scale + self.center
        return 10**v if self.log_target else v

    @classmethod
    def fit(cls, values, log_target: bool) -> "TargetScaling":
        v = np.log10(values[values > 0]) if log_target else values[np.isfinite(values)]
        if v.size == 0:
            return cls(0.0, 1.0, log_target)
        q25, q50, q75 = np.percentile(v, [25, 50, 75])
        scale = (q75 - q25) / 1.349 if q75 > q25 else (np.std(v) or 1.0)
        return cls(float(q50), float(scale), log_target)


AUGMENT_TEFF_K = (2300.0, 50000.0)
AUGMENT_RADIUS_RSUN = (0.005, 2000.0)


def augmented(dataset: Dataset, n: int, outputs, scheme: str, seed: int) -> Dataset:
    """``dataset`` plus n stars drawn log-uniformly over Teff and R across the HR diagram, with formula and class
    targets from the physics engine and no catalogue targets (masked). The formula outputs and classes are
    defined everywhere, so the network learns them everywhere, not only where the training catalogue has stars.
    """
    if n <= 0:
        return dataset
    rng = np.random.default_rng(seed)
    teff = 10 ** rng.uniform(*np.log10(AUGMENT_TEFF_K), n)
    radius = 10 ** rng.uniform(*np.log10(AUGMENT_RADIUS_RSUN), n)
    extra = build_dataset(teff, None, radius, {}, outputs, scheme, {})
    both = concatenated(dataset, extra)
    both.description["augmented_stars"] = n
    return both


def concatenated(first: Dataset, second: Dataset) -> Dataset:
    """The rows of both (targets missing from ``second`` are unknown there); ``first``'s description."""

    def joined(name):
        missing = np.full(len(second), -1 if first.targets[name].dtype.kind == "i" else np.nan)
        return np.concatenate(
            [first.targets[name], second.targets.get(name, missing).astype(first.targets[name].dtype)]
        )

    return Dataset(
        np.concatenate([first.teff, second.teff]),
        np.concatenate([first.lum, second.lum]),
        np.concatenate([first.radius, second.radius]),
        {name: joined(name) for name in first.targets},
        dict(first.description),
    )
