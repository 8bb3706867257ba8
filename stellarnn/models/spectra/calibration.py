"""What a spectra prediction is worth: split-conformal intervals per label and the box of the training labels.

The ensemble's spread is 2-10x smaller than the real error, so it is not reported as one. Instead, after
training, the networks predict the validation atmospheres (never trained on; they only decided early
stopping) with noise at the config's S/N, and the absolute residuals there calibrate an interval per label
(``stellarnn.models.conformal``). The errors differ 2-10x between spectra with many metal lines (Teff < 7000 K,
[M/H] >= -1.5) and those with few (hot or very metal-poor: mostly H-alpha), so each region is calibrated on its
own rows (Mondrian bins). The region is read off the *predicted* labels: a new spectrum's true labels are
unknown. v sin i cannot be negative, so its prediction and interval are clipped at 0; clipping towards a bound
the truth respects never moves the truth outside an interval that held it.

A prediction outside the training labels' box (any label) by more than its 68 % half width is flagged: the
network extrapolates there.
Everything is JSON in the model's preprocessing.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.spectra import LABELS
from stellarnn.models import domain
from stellarnn.models.conformal import DEFAULT_LEVEL, REPORTED_LEVELS, Calibration

LINE_RICH_TEFF_K = 7000.0  # below this and at [M/H] >= LINE_RICH_MH_DEX the window is full of metal lines
LINE_RICH_MH_DEX = -1.5
LOWEST = {"vsini_kms": 0.0}  # physical lower bounds of labels
REGION_NAMES = {1: "Teff < 7000 K and [M/H] >= -1.5", 0: "Teff >= 7000 K or [M/H] < -1.5"}


def line_rich(labels: np.ndarray, names=LABELS) -> np.ndarray:
    """True where the labels (rows, in ``names`` order) put a star where the window has many metal lines."""
    labels = np.asarray(labels, float)
    teff, mh = labels[:, list(names).index("teff_K")], labels[:, list(names).index("mh_dex")]
    return (teff < LINE_RICH_TEFF_K) & (mh >= LINE_RICH_MH_DEX)


def regions(predicted: np.ndarray, names=LABELS) -> np.ndarray:
    """The Mondrian bin of each prediction: 1 line-rich, 0 otherwise."""
    return line_rich(predicted, names).astype(int)


def bounded(predicted: np.ndarray, names=LABELS) -> np.ndarray:
    """Predictions with each label clipped at its physical lower bound (v sin i >= 0): the values reported."""
    out = np.array(predicted, float, copy=True)
    for i, name in enumerate(names):
        if name in LOWEST:
            out[:, i] = np.maximum(out[:, i], LOWEST[name])
    return out


def calibrate(truth: np.ndarray, predicted: np.ndarray, training_labels: np.ndarray, names=LABELS) -> dict:
    """One Calibration per label from the calibration split (``predicted`` as the networks gave it), binned by
    the predicted region; ``training_labels`` give the label-only baseline the calibration keeps beside."""
    center, bins = bounded(predicted, names), regions(predicted, names)
    return {
        name: Calibration.fit(truth[:, i], center[:, i], training_labels[:, i], bins) for i, name in enumerate(names)
    }


def training_box(training_labels: np.ndarray, names=LABELS) -> dict:
    """The box the training labels span, as JSON: predictions outside it are extrapolations."""
    return domain.Box.fit(training_labels, names).to_json()


@dataclass(frozen=True)
class Intervals:
    """A stored model's calibrations and training box, ready to apply to its predictions."""

    calibrations: dict  # label -> Calibration
    box: object  # domain.Box
    names: tuple = LABELS

    @classmethod
    def from_preprocessing(cls, preprocessing: dict) -> "Intervals | None":
        """None for a model stored before intervals existed (no calibration in its preprocessing)."""
        if "calibration" not in preprocessing or "domain" not in preprocessing:
            return None
        names = tuple(preprocessing.get("labels", LABELS))
        stored = preprocessing["calibration"]
        return cls(
            {n: Calibration.from_json(stored[n]) for n in names}, domain.from_json(preprocessing["domain"]), names
        )

    def half_widths(self, predicted: np.ndarray, level: float) -> np.ndarray:
        """(rows, labels) half widths at ``level``, from each prediction's region."""
        bins = regions(predicted, self.names)
        return np.column_stack(
            [np.broadcast_to(self.calibrations[n].half_width(level, bins), len(bins)) for n in self.names]
        )

    def bounds(self, predicted: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, lower, upper), each (rows, labels): the bounded predictions and their intervals."""
        center = bounded(predicted, self.names)
        half = self.half_widths(predicted, level)
        low = np.array([LOWEST.get(n, -np.inf) for n in self.names])
        return center, np.maximum(center - half, low), center + half

    def outside(self, predicted: np.ndarray) -> np.ndarray:
        """True where any (bounded) predicted label lies outside the training labels' box by more than its own
        68 % half width: a star at a grid edge is read a little past it half the time, and that is no
        extrapolation (with the bare box, 169 of 708 held-out spectra-medium spectra were flagged)."""
        return ~self.box.contains(bounded(predicted, self.names), margin=self.half_widths(predicted, DEFAULT_LEVEL))

    def scores(self, truth: np.ndarray, predicted: np.ndarray, levels) -> dict:
        """Per label, ``interval_scores`` (coverage, mean half width) at each level, on labelled rows."""
        from stellarnn.evaluation.coverage import interval_scores

        center = bounded(predicted, self.names)
        widths = {level: self.half_widths(predicted, level) for level in levels}
        return {
            name: interval_scores(truth[:, i], center[:, i], {level: w[:, i] for level, w in widths.items()})
            for i, name in enumerate(self.names)
        }


def coverage(scores: dict, levels=REPORTED_LEVELS) -> dict:
    """{label: {"0.68": share inside, "0.95": ...}} from ``Intervals.scores`` results."""
    return {name: {f"{lv:g}": by_level[f"{lv:g}"]["coverage"] for lv in levels} for name, by_level in scores.items()}
