"""Fusion's label rules, reproduced exactly for replication and for reading Fusion-style data.

The thresholds are those of the Fusion project's data-expansion script (github.com/anshmenghani/Fusion,
src/data/expandData.py). They are not the MK system: Fusion's "G" spans 5200-7000 K, every star with
L <= 0.1 L_sun is luminosity class "D", K dwarfs fainter than 0.1 L_sun are "white dwarfs", and giants are
"supergiants". The README's "Differences from the original" lists what the default scheme does instead.
"""

import numpy as np

from stellarnn.physics.classes import UNCLASSIFIED, Classes

SPECTRAL_CLASSES = ("M", "K", "G", "F", "A", "B", "O")
LUMINOSITY_CLASSES = ("D", "Ia", "Ib", "II", "III", "IV", "V")
STAR_TYPES = ("brown dwarf", "red dwarf", "white dwarf", "main sequence", "supergiant", "hypergiant")

# Spectral bands in code order M..O: lower edge of the subclass count, subclass width, upper Teff bound
# (exclusive, except O whose 420,000 K bound is inclusive).
_BAND_LOWER = np.array([2400.0, 4000.0, 5200.0, 7000.0, 12000.0, 20000.0, 34000.0])
_BAND_WIDTH = np.array([160.0, 120.0, 200.0, 500.0, 800.0, 1400.0, 76000.0])
_BAND_UPPER = np.array([4000.0, 5200.0, 7000.0, 12000.0, 20000.0, 34000.0])
_O_UPPER = 420000.0
# Luminosity classes by L (upper bounds inclusive): D <= 0.1 < V <= 25 < IV <= 100 < III <= 1300 < II <= 8000
# < Ib <= 125000 < Ia.
_LUM_BOUNDS = np.array([0.1, 25.0, 100.0, 1300.0, 8000.0, 125000.0])
_LUM_CODES = np.array([0, 6, 5, 4, 3, 2, 1], dtype=np.int8)


def class_boundaries() -> dict[str, list[float]]:
    """Every threshold the rules below use, by the quantity it applies to (log10 Teff, log10 L)."""
    teff_edges = sorted({*_BAND_UPPER, _O_UPPER, 2400.0, 4500.0, 30000.0})
    lum_edges = sorted({*_LUM_BOUNDS})
    return {"log_teff": np.log10(teff_edges).tolist(), "log_lum": np.log10(lum_edges).tolist()}


def log_mass(log_lum):
    """Fusion's mass-luminosity relation M = L^(2/7), applied to every star."""
    return (2.0 / 7.0) * log_lum


def classify(teff, lum) -> Classes:
    spectral = np.searchsorted(_BAND_UPPER, teff, side="right").astype(np.int8)
    subclass = np.floor((teff - _BAND_LOWER[spectral]) / _BAND_WIDTH[spectral])
    beyond = teff > _O_UPPER
    spectral[beyond] = UNCLASSIFIED
    subclass[beyond] = np.nan
    luminosity = _LUM_CODES[np.searchsorted(_LUM_BOUNDS, lum, side="left")]

    star_type = np.select(
        [
            teff < 2400,
            (teff < 4500) & (lum <= 25),
            lum < 0.1,
            (teff > 4500) & (teff < 30000) & (lum <= 25),
            (lum > 25) & (lum <= 125000),
            lum > 125000,
        ],
        [0, 1, 2, 3, 4, 5],
        default=UNCLASSIFIED,  # Fusion leaves T = 4500 K or T >= 30000 K with 0.1 <= L <= 25 unlabelled
    ).astype(np.int8)
    return Classes(spectral, subclass, luminosity, star_type)
