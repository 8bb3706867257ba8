"""Exact searchsorted and linear interpolation on a small fixed table, in constant time per star.

``np.searchsorted`` and ``np.interp`` binary-search every value; on millions of unsorted stars that dominates
the physics. Here the table's range is cut into uniform buckets narrower than half the smallest gap between
knots, so each bucket holds at most one knot: one division, two gathers and two comparisons give the same
answer as the binary search.
"""

import numpy as np


class SortedLookup:
    def __init__(self, knots):
        knots = np.asarray(knots, dtype=float)
        gaps = np.diff(knots)
        if len(knots) < 2 or not np.all(gaps > 0):
            raise ValueError("knots must be strictly increasing and at least two")
        self.knots = knots
        self.step = gaps.min() / 2
        self.low = knots[0] - self.step
        n_buckets = int(np.ceil((knots[-1] - self.low) / self.step)) + 2
        self.base = np.searchsorted(knots, self.low + self.step * np.arange(n_buckets), side="left")
        # knots padded with -inf / +inf so index j-1 and j are always valid
        self.padded = np.concatenate([[-np.inf], knots, [np.inf]])

    def count_below(self, x):
        """Number of knots strictly below each x: np.searchsorted(knots, x, side='left')."""
        with np.errstate(invalid="ignore"):
            bucket = np.clip((x - self.low) / self.step, 0, len(self.base) - 1).astype(np.intp)
        j = self.base[bucket]
        return j - (self.padded[j] >= x) + (self.padded[j + 1] < x)

    def interp(self, x, y, left=None, right=None):
        """np.interp(x, knots, y, left, right) with the same knots."""
        y = np.asarray(y, dtype=float)
        segment = np.clip(self.count_below(x) - 1, 0, len(self.knots) - 2)
        x0 = self.knots[segment]
        slope = np.diff(y) / np.diff(self.knots)
        result = y[segment] + (x - x0) * slope[segment]
        result = np.where(x < self.knots[0], y[0] if left is None else left, result)
        return np.where(x > self.knots[-1], y[-1] if right is None else right, result)
