"""Where a model has seen training data, so a prediction elsewhere can be flagged instead of trusted.

Two shapes: a box (each input within the range the training rows spanned) for inputs that vary independently
(colours, cluster guesses, spectrum labels), and occupied cells of a 2-D grid for inputs that lie along a band
(stars in the HR diagram, where a box would call the empty corners "seen"). Both are JSON in the model's
preprocessing and vectorised.
"""

from dataclasses import dataclass

import numpy as np

FLAG = "out_of_domain"  # the column every system adds


@dataclass(frozen=True)
class Box:
    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def fit(cls, x, names) -> "Box":
        x = np.asarray(x, float)
        return cls(tuple(names), np.nanmin(x, axis=0), np.nanmax(x, axis=0))

    def contains(self, x, margin=0.0) -> np.ndarray:
        """Rows inside the box widened by ``margin`` (per row and column, or one value)."""
        x = np.asarray(x, float)
        return np.all((x >= self.low - margin) & (x <= self.high + margin), axis=1)

    def to_json(self) -> dict:
        return {"kind": "box", "names": list(self.names), "low": self.low.tolist(), "high": self.high.tolist()}


@dataclass(frozen=True)
class Cells:
    """Grid cells (size ``step`` per axis) holding at least one training row, widened by one cell each way."""

    names: tuple[str, str]
    step: tuple[float, float]
    occupied: frozenset  # {(i, j)}

    @classmethod
    def fit(cls, x, names, step) -> "Cells":
        index = cls._index(np.asarray(x, float), step)
        seen = {(int(i), int(j)) for i, j in index[np.all(np.isfinite(np.asarray(x, float)), axis=1)]}
        widened = {(i + di, j + dj) for i, j in seen for di in (-1, 0, 1) for dj in (-1, 0, 1)}
        return cls(tuple(names), tuple(step), frozenset(widened))

    @staticmethod
    def _index(x: np.ndarray, step) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.floor(np.nan_to_num(x, nan=1e9, posinf=1e9, neginf=-1e9) / np.asarray(step)).astype(np.int64)

    def contains(self, x) -> np.ndarray:
        index = self._index(np.asarray(x, float), self.step)
        if not self.occupied:
            return np.zeros(len(index), bool)
        cells = np.array(sorted(self.occupied), dtype=np.int64)
        # one integer key per cell, then a sorted lookup: no per-row Python loop
        offset = cells.min(axis=0)
        span = cells.max(axis=0) - offset + 1
        keys = (cells[:, 0] - offset[0]) * span[1] + (cells[:, 1] - offset[1])
        inside = np.all((index >= offset) & (index < offset + span), axis=1)
        row_keys = (index[:, 0] - offset[0]) * span[1] + (index[:, 1] - offset[1])
        found = np.searchsorted(keys, row_keys)
        return inside & (keys[np.minimum(found, len(keys) - 1)] == row_keys)

    def to_json(self) -> dict:
        return {"kind": "cells", "names": list(self.names), "step": list(self.step), "occupied": sorted(self.occupied)}


def from_json(data: dict) -> Box | Cells:
    if data["kind"] == "box":
        return Box(tuple(data["names"]), np.asarray(data["low"], float), np.asarray(data["high"], float))
    return Cells(tuple(data["names"]), tuple(data["step"]), frozenset(tuple(c) for c in data["occupied"]))


def warning(outside: int, total: int, what: str = "rows") -> str | None:
    """The one-line warning for people, or None when every row is inside."""
    if not outside:
        return None
    return (
        f"{outside} of {total} {what} lie outside the model's training data (column {FLAG}); their values and "
        "intervals are extrapolations"
    )
