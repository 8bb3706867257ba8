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
