"""Prediction intervals whose coverage is measured, not assumed: split-conformal calibration (crepes).

After training, a model predicts a calibration split it never trained on. The absolute residuals there are the
conformity scores; the interval at level p is the prediction +- their p-quantile (crepes picks the finite-sample
quantile, so at least p of new rows from the same distribution fall inside). The scores are kept in the model's
JSON preprocessing, so any ``--level`` can be asked for later.

Beside them the calibration keeps the residuals of a guess that knows nothing but the training labels (their
median). When the model's 68 % interval is more than 1/sqrt(2) of that guess's, the inputs explain less than
half of the labels' variance: the output is mostly the prior, and people are told it is "not constrained"
instead of being shown a number (``constrained``). Judged at 68 % whatever level is asked for, so one output
does not flip between constrained and not with the level.

Optional Mondrian bins (a small integer per row, e.g. a region of the label space read off the prediction)
calibrate each bin on its own rows, so intervals widen where the model is worse.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.choices import DEFAULT_LEVEL  # kept import-light for the CLI

REPORTED_LEVELS = (0.68, 0.95)
NOT_CONSTRAINED_RATIO = 2**-0.5  # 68 % interval / label-only one: above it, under half the variance explained
LOWER, UPPER = "_lo", "_hi"  # the one naming convention for uncertainties: <column>_lo, <column>_hi


MIN_LEVEL, MAX_LEVEL = 0.001, 0.999  # beyond these crepes' quantile breaks (1e-17) or is meaningless


def check_level(level: float) -> float:
    """The level as a float; levels outside [0.001, 0.999] are refused (crepes fails on e.g. 1e-17)."""
    from stellarnn.errors import UserInputError

    if not (isinstance(level, int | float) and not isinstance(level, bool) and MIN_LEVEL <= level <= MAX_LEVEL):
        raise UserInputError(
            f"--level must be a probability between {MIN_LEVEL} and {MAX_LEVEL} (e.g. 0.68 or 0.95), got {level}"
        )
    return float(level)


def _quantile(scores: np.ndarray, level: float) -> float:
    """crepes' finite-sample conformal quantile of ``scores`` at ``level`` (inf when too few scores)."""
    import warnings

    from crepes import ConformalRegressor

    if scores.size == 0:
        return float("inf")
    with warnings.catch_warnings():  # too few scores for the level: crepes warns and answers inf, which we keep
        warnings.simplefilter("ignore", UserWarning)
        return float(ConformalRegressor().fit(scores).predict_int(np.zeros(1), confidence=level)[0, 1])


@dataclass(frozen=True)
class Calibration:
    """One regression output's calibration: model residuals and label-only residuals per calibration row."""

    residuals: np.ndarray  # |truth - prediction|
    label_residuals: np.ndarray  # |truth - median of the training labels|
    bins: np.ndarray | None = None  # Mondrian bin per calibration row

    @classmethod
    def fit(cls, truth, predicted, training_labels, bins=None) -> "Calibration":
        truth, predicted = np.asarray(truth, float), np.asarray(predicted, float)
        known = np.isfinite(truth) & np.isfinite(predicted)
        center = np.nanmedian(np.asarray(training_labels, float))
        return cls(
            np.abs(truth - predicted)[known],
            np.abs(truth - center)[known],
            None if bins is None else np.asarray(bins, int)[known],
        )

    def _per_row(self, scores: np.ndarray, level: float, bins) -> np.ndarray | float:
        if self.bins is None or bins is None:
            return _quantile(scores, level)
        bins = np.asarray(bins, int)
        width = np.full(bins.shape, _quantile(scores, level))  # a bin unseen in calibration gets the overall width
        for b in np.unique(bins):
            own = scores[self.bins == b]
            if own.size:
                width[bins == b] = _quantile(own, level)
        return width

    def half_width(self, level: float = DEFAULT_LEVEL, bins=None):
        return self._per_row(self.residuals, level, bins)

    def interval(self, predicted, level: float = DEFAULT_LEVEL, bins=None, low=-np.inf, high=np.inf):
        """(lower, upper) bounds around ``predicted``, clipped to [low, high] where the output is bounded."""
        predicted = np.asarray(predicted, float)
        half = self.half_width(level, bins)
        return np.clip(predicted - half, low, high), np.clip(predicted + half, low, high)

    def constrained(self, bins=None):
        """False where the 68 % interval is nearly as wide as knowing only the training labels would give."""
        level = 0.68
        return self._per_row(self.residuals, level, bins) < NOT_CONSTRAINED_RATIO * self._per_row(
            self.label_residuals, level, bins
        )

    def to_json(self) -> dict:
        rounded = lambda values: [float(f"{v:.6g}") for v in values]  # noqa: E731  (row order kept: bins align)
        out = {"residuals": rounded(self.residuals), "label_residuals": rounded(self.label_residuals)}
        if self.bins is not None:
            out["bins"] = self.bins.tolist()
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Calibration":
        bins = data.get("bins")
        return cls(
            np.asarray(data["residuals"], float),
            np.asarray(data["label_residuals"], float),
            None if bins is None else np.asarray(bins, int),
        )


def coverage(truth, lower, upper) -> float:
    """Share of rows with a known truth inside [lower, upper]."""
    truth = np.asarray(truth, float)
    known = np.isfinite(truth)
    if not known.any():
        return float("nan")
    return float(np.mean((truth[known] >= np.asarray(lower)[known]) & (truth[known] <= np.asarray(upper)[known])))
