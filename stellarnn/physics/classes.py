"""Class codes shared by the label schemes, and their conversion to the strings people read."""

from dataclasses import dataclass

import numpy as np

UNCLASSIFIED = -1  # code for a star a scheme's rules do not cover


@dataclass(frozen=True)
class Classes:
    """Per-star class codes; each code indexes the scheme's label tuple (UNCLASSIFIED = no label)."""

    spectral_class: np.ndarray
    spectral_subclass: np.ndarray  # float, NaN when unclassified
    luminosity_class: np.ndarray
    star_type: np.ndarray


@dataclass(frozen=True)
class CodedLabels:
    """A label column as indices into a table of strings: cheap to build, and what Parquet stores anyway
    (a dictionary column); the strings themselves cost more than the physics."""

    indices: np.ndarray
    strings: np.ndarray  # object array; may repeat a string

    def decode(self) -> np.ndarray:
        return self.strings[self.indices]


def coded(codes: np.ndarray, labels: tuple[str, ...]) -> CodedLabels:
    """Codes of a scheme's label tuple ("" for unclassified)."""
    table = np.array(list(labels) + [""], dtype=object)
    return CodedLabels(np.where(codes == UNCLASSIFIED, len(labels), codes), table)


def format_subclass(value: float) -> str:
    return "" if np.isnan(value) else f"{value:g}"


def _half_steps(subclass) -> np.ndarray:
    """Subclasses (whole or half numbers) as int64 half-steps; NaN -> a sentinel."""
    return np.where(np.isnan(subclass), -(2**40), np.round(np.clip(subclass, -(2**38), 2**38) * 2)).astype(np.int64)


HASH_FACTORIZE_ABOVE = 100_000  # stars; below this numpy's sort is fast and pandas' import is not


def _factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inverse, unique keys): by hashing for big arrays, by sorting for small ones."""
    if key.size > HASH_FACTORIZE_ABOVE:
        import pandas as pd

        return pd.factorize(key)
    unique_keys, inverse = np.unique(key, return_inverse=True)
    return inverse.ravel(), unique_keys


def spectral_types(classes: Classes, letters: tuple[str, ...], suffix_codes=None, suffixes=()) -> CodedLabels:
    """'G2', 'M5.5', ... (plus a suffix such as the luminosity class, when given).

    Strings cost far more than the physics, so each distinct combination is formatted once and broadcast:
    the codes are packed into one int64 key and factorised.
    """
    key = (classes.spectral_class.astype(np.int64) + 1) << 42 | (_half_steps(classes.spectral_subclass) + 2**40)
    if suffix_codes is not None:
        key = key * 16 + (suffix_codes.astype(np.int64) + 1)
    inverse, unique_keys = _factorize(key)
    names = []
    for k in unique_keys:
        suffix_code = int(k % 16) - 1 if suffix_codes is not None else None
        k = k // 16 if suffix_codes is not None else k
        code, half = int(k >> 42) - 1, int(k & (2**42 - 1)) - 2**40
        if code == UNCLASSIFIED:
            names.append("")
            continue
        name = letters[code] + ("" if half == -(2**40) else format_subclass(half / 2))
        if suffix_code is not None and suffix_code != UNCLASSIFIED:
            name += suffixes[suffix_code]
        names.append(name)
    return CodedLabels(inverse, np.array(names, dtype=object))
