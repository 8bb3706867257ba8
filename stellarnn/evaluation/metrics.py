"""Regression metrics stated the way astronomers read them.

``fraction_within`` is the "correct within +-5 %" rule done symmetrically: Fusion's version accepted -95 %..+5 %
and counted every true value of 0 as wrong.
"""

import numpy as np


def relative_error(predicted, true):
    """(predicted - true) / |true|, NaN where true is 0."""
    predicted, true = np.asarray(predicted, float), np.asarray(true, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(true == 0, np.nan, (predicted - true) / np.abs(true))


def fraction_within(predicted, true, tolerance=0.05, atol=0.0):
    """Share of values with |predicted - true| <= tolerance * |true| + atol (so a true 0 can be met)."""
    predicted, true = np.asarray(predicted, float), np.asarray(true, float)
    return float(np.mean(np.abs(predicted - true) <= tolerance * np.abs(true) + atol))


def hellinger_distance(p, q) -> float:
    """Hellinger distance between two histograms (any shape; each normalised here): 0 same, 1 disjoint."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q)))))


def fusion_original_rule(predicted, true, classes: bool = False) -> float:
    """The original project's "within 5 %" score, kept for comparability (DESIGN.md): a regression value
    counted as right when (predicted - true) / true lay in [-95 %, +5 %], and a class when it matched, except
    that class 0 and true values of 0 always counted as wrong."""
    predicted, true = np.asarray(predicted, float), np.asarray(true, float)
    if classes:
        return float(np.mean((predicted == true) & (true != 0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (predicted - true) / true
    return float(np.mean((true != 0) & (rel >= -0.95) & (rel <= 0.05)))
