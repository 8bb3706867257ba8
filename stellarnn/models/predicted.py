"""Predictions read off files (spectra, cluster member tables), in the one shape every front end writes."""

from dataclasses import dataclass, field


@dataclass
class Predicted:
    frame: object  # pandas DataFrame: one row per item, each label with <label>_lo/_hi and out_of_domain
    artifact: object  # the stored model that made them
    noun: str  # what a row is, in the plural ('spectra', 'clusters')
    notes: list[str] = field(default_factory=list)  # what was left out and why
    decimals: dict[str, int] = field(default_factory=dict)  # display rounding of some columns (and their intervals)
    digits: int | None = None  # display rounding of every other column
    read: object = None  # what the network read, for a figure of the prediction
