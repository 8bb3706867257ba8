"""What a cluster prediction is worth: split-conformal intervals and the training domain.

After training, the ensemble predicts the validation clusters. They were never trained on (they only chose
the epoch to stop at and when to halve the learning rate), so their absolute residuals are honest conformity
scores: the interval at level p is the prediction +- their p-quantile (stellarnn.models.conformal). Choosing
the stopping epoch on them could make them look a little better than new clusters, so the held-out test
clusters then measure whether p of them really fall inside (the card's and `evaluate cluster`'s coverage).

The scores are split by the number of members used (Mondrian bins, MEMBER_BIN_EDGES): a cluster read off 40
stars is less certain than one read off 1,000, and one pooled quantile would be too wide for the rich clusters
and too narrow for the poor ones. The noise of drawing a cluster's members is in those residuals, so no
bootstrap over members is added on top.

The domain is the box the training clusters' guesses span (slope, mean colour, median parallax and its distance
modulus; features.GUESSES): a real cluster outside it lies where the network saw no example.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.clusters import LABELS
from stellarnn.models import domain
from stellarnn.models.conformal import DEFAULT_LEVEL, LOWER, UPPER, Calibration

MEMBER_BIN_EDGES = (100, 300)  # members used: < 100 -> bin 0, 100-299 -> bin 1, >= 300 -> bin 2
MIN_CLUSTERS_PER_BIN = 20  # fewer calibration clusters than this give no finite 95 % interval (n >= 19)
FLOOR = {"av_mag": 0.0}  # a label's physical lower bound: predicted values and interval bounds are raised to it


def member_bins(members_used, edges=MEMBER_BIN_EDGES) -> np.ndarray:
    """The Mondrian bin of each cluster: how many edges its number of members used reaches."""
    return np.searchsorted(np.asarray(edges, float), np.asarray(members_used, float), side="right")


def usable_edges(members_used, edges=MEMBER_BIN_EDGES, least: int = MIN_CLUSTERS_PER_BIN) -> tuple[int, ...]:
    """``edges`` without those whose bins hold fewer than ``least`` calibration clusters (a sparse bin is merged
    with its neighbour): a bin of a handful of clusters would give intervals of any width by chance, or none."""
    edges = list(edges)
    while edges:
        counts = np.bincount(member_bins(members_used, edges), minlength=len(edges) + 1)
        sparse = int(np.argmin(counts))
        if counts[sparse] >= least:
            break
        edges.pop(min(sparse, len(edges) - 1))  # merged with the next bin up, the last with the one below
    return tuple(int(e) for e in edges)


def fit(truth, predicted, training_labels, members_used, edges=MEMBER_BIN_EDGES):
    """({label: Calibration}, the bin edges used) from calibration clusters (rows of ``truth``/``predicted``,
    columns LABELS) and the training clusters' labels (the label-only reference of Calibration)."""
    edges = usable_edges(members_used, edges)
    bins = member_bins(members_used, edges)
    calibrations = {
        name: Calibration.fit(truth[:, i], predicted[:, i], training_labels[:, i], bins)
        for i, name in enumerate(LABELS)
    }
    return calibrations, edges


def calibrate(truth, predicted, members_used, training_labels, training_guesses) -> dict:
    """The preprocessing entries of a trained model: calibration per label, its bin edges and the domain."""
    from stellarnn.models.cluster.features import GUESSES

    calibrations, edges = fit(truth, predicted, training_labels, members_used)
    return {
        "calibration": {name: c.to_json() for name, c in calibrations.items()},
        "calibration_bins": list(edges),
        "domain": domain.Box.fit(training_guesses, GUESSES).to_json(),
    }


@dataclass(frozen=True)
class Intervals:
    """A stored model's calibration: per label, and the member-count bin edges it was split by."""

    calibrations: dict[str, Calibration]
    edges: tuple[int, ...]

    @classmethod
    def from_preprocessing(cls, pre: dict) -> "Intervals | None":
        """None for a model trained before the calibration existed."""
        if "calibration" not in pre:
            return None
        calibrations = {name: Calibration.from_json(v) for name, v in pre["calibration"].items()}
        return cls(calibrations, tuple(pre.get("calibration_bins", ())))

    def half_widths(self, members_used, level: float = DEFAULT_LEVEL) -> dict[str, np.ndarray]:
        """Half width per label and cluster at ``level``, from the calibration clusters of its member bin."""
        bins = member_bins(members_used, self.edges)
        return {name: np.broadcast_to(c.half_width(level, bins), bins.shape).astype(float)
                for name, c in self.calibrations.items()}  # fmt: skip

    def bounds(self, predicted, members_used, level: float = DEFAULT_LEVEL) -> dict[str, np.ndarray]:
        """``<label>_lo`` and ``<label>_hi`` per cluster (rows of ``predicted``, columns LABELS); both bounds are
        raised to a label's physical floor where they fall below it."""
        bins = member_bins(members_used, self.edges)
        out = {}
        for i, name in enumerate(LABELS):
            if name in self.calibrations:
                low, high = self.calibrations[name].interval(predicted[:, i], level, bins, low=FLOOR.get(name, -np.inf))
                out[name + LOWER], out[name + UPPER] = low, high
        return out

    def coverage(self, truth, predicted, members_used, levels=(0.68, 0.95)) -> dict[str, dict[str, float]]:
        """{label: {"0.68": share of clusters inside, ...}}: whether the intervals hold on labelled clusters."""
        from stellarnn.evaluation.coverage import interval_scores

        widths = {level: self.half_widths(members_used, level) for level in levels}
        out = {}
        for i, name in enumerate(LABELS):
            if name in self.calibrations:
                scores = interval_scores(truth[:, i], predicted[:, i], {lv: widths[lv][name] for lv in levels})
                out[name] = {key: s["coverage"] for key, s in scores.items()}
        return out
