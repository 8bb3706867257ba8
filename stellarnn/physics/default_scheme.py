"""Physically grounded labels from (Teff, L, R): the scheme stellarnn uses unless told otherwise.

- Spectral type: the dwarf-sequence entry nearest in log Teff (Pecaut & Mamajek 2013; Mamajek's table), O3-Y4.
  Giants therefore get dwarf-scale subtypes, which for K and M giants run a few subtypes late.
- White dwarfs: R < 0.05 R_sun (no main-sequence star or brown dwarf is that small). They get spectral class
  "D" with the temperature index 50400/Teff (McCook & Sion 1999) in half steps; the atmosphere letter
  (A, B, O, ...) needs a spectrum and is not given.
- Luminosity class from the height above the dwarf sequence, dlogR = log10(R / R_dwarf(Teff)): V below
  0.25 dex, IV up to 0.5 dex, above that by luminosity: III, II from 10^3.0, Ib from 10^3.6, Ia from 10^4.6 L_sun.
  Real MK classes are spectroscopic; these bounds reproduce the classes of well-studied stars (see tests) but
  bright giants and supergiants overlap in L, so II/Ib/Ia near the bounds are approximate.
- Star type: brown dwarf below the hydrogen-burning limit Teff = 2075 K (Dieterich et al. 2014, AJ 147, 94)
  while in the V/IV band; red dwarf = class V of type M or L; subgiant/giant/bright giant/supergiant from the
  luminosity class; hypergiant above the band with L >= 10^5.5 L_sun.
- Mass only where a mass-luminosity relation holds: main-sequence stars (red dwarfs included), interpolated in
  log L along Mamajek's mean dwarf masses (0.075-59 M_sun). Elsewhere mass, and everything derived from it, is
  NaN rather than a number that looks right and is not.
"""

from functools import cache

import numpy as np

from stellarnn.physics.classes import Classes
from stellarnn.physics.dwarf_sequence import SPECTRAL_LETTERS, dwarf_sequence
from stellarnn.physics.lookup import SortedLookup

SPECTRAL_CLASSES = tuple(SPECTRAL_LETTERS) + ("D",)
LUMINOSITY_CLASSES = ("D", "Ia", "Ib", "II", "III", "IV", "V")
STAR_TYPES = (
    "brown dwarf",
    "red dwarf",
    "white dwarf",
    "main sequence",
    "subgiant",
    "giant",
    "bright giant",
    "supergiant",
    "hypergiant",
)

WHITE_DWARF_MAX_RADIUS = 0.05  # R_sun
HYDROGEN_BURNING_TEFF = 2075.0  # K
DWARF_BAND_DEX = 0.25  # class V while log10(R / R_dwarf) is below this
SUBGIANT_BAND_DEX = 0.5  # class IV up to this
LOG_LUM_BRIGHT_GIANT = 3.0
LOG_LUM_SUPERGIANT_IB = 3.6
LOG_LUM_SUPERGIANT_IA = 4.6
LOG_LUM_HYPERGIANT = 5.5

_D, _IA, _IB, _II, _III, _IV, _V = range(7)
_BROWN, _RED, _WHITE, _MAIN, _SUBGIANT, _GIANT, _BRIGHT, _SUPER, _HYPER = range(9)
_LETTER_M, _LETTER_L, _LETTER_D = SPECTRAL_CLASSES.index("M"), SPECTRAL_CLASSES.index("L"), len(SPECTRAL_LETTERS)


@cache
def _nearest_type_lookup() -> SortedLookup:
    """Midpoints in log Teff between adjacent dwarf types, ascending."""
    log_t = np.log10(dwarf_sequence().teff[::-1])
    return SortedLookup((log_t[1:] + log_t[:-1]) / 2)


@cache
def _dwarf_radius_lookup() -> tuple[SortedLookup, np.ndarray]:
    seq = dwarf_sequence()
    known = ~np.isnan(seq.radius[::-1])
    return SortedLookup(np.log10(seq.teff[::-1][known])), np.log10(seq.radius[::-1][known])


def dwarf_radius_knots() -> tuple[np.ndarray, np.ndarray]:
    """(log10 Teff ascending, log10 R) of the dwarf sequence: the curve dlogR is measured from."""
    lookup, log_r = _dwarf_radius_lookup()
    return lookup.knots, log_r


def class_boundaries() -> dict[str, list[float]]:
    """Every threshold the rules below use, by quantity (log10 Teff, log10 L, log10 R, dlogR in dex)."""
    return {
        "log_teff": sorted([*_nearest_type_lookup().knots.tolist(), float(np.log10(HYDROGEN_BURNING_TEFF))]),
        "log_lum": [LOG_LUM_BRIGHT_GIANT, LOG_LUM_SUPERGIANT_IB, LOG_LUM_SUPERGIANT_IA, LOG_LUM_HYPERGIANT],
        "log_radius": [float(np.log10(WHITE_DWARF_MAX_RADIUS))],
        "dwarf_height": [DWARF_BAND_DEX, SUBGIANT_BAND_DEX],
    }


def height_above_dwarf_sequence(log_teff, log_radius):
    """dlogR = log10(R / R_dwarf(Teff)); Teff outside the table is clamped to its ends."""
    lookup, log_r = _dwarf_radius_lookup()
    return log_radius - lookup.interp(log_teff, log_r)


def _nearest_dwarf(log_teff) -> np.ndarray:
    """Row of the dwarf-sequence entry nearest in log Teff (hottest-first order, as the table)."""
    return len(dwarf_sequence().teff) - 1 - _nearest_type_lookup().count_below(log_teff)


def spectral_class_and_type(teff) -> tuple[np.ndarray, np.ndarray]:
    """('G', 'G2')-style class and type at these temperatures, without a luminosity class.

    For a temperature read off a spectrum (the SDSS-like survey labels its stars this way), where the
    star's L and R are not known.
    """
    seq = dwarf_sequence()
    nearest = _nearest_dwarf(np.log10(np.asarray(teff, dtype=float)))
    letters = np.array(list(SPECTRAL_LETTERS), dtype=object)[seq.letter_code]
    types = np.array([name.rstrip("V") for name in seq.spectral_type], dtype=object)
    return letters[nearest], types[nearest]


def classify(teff, log_teff, log_lum, radius, log_radius) -> Classes:
    seq = dwarf_sequence()
    nearest = _nearest_dwarf(log_teff)
    spectral = seq.letter_code[nearest].astype(np.int8)
    subclass = seq.subclass[nearest].astype(float)

    height = height_above_dwarf_sequence(log_teff, log_radius)
    white_dwarf = radius < WHITE_DWARF_MAX_RADIUS
    evolved = height >= SUBGIANT_BAND_DEX
    luminosity = np.select(
        [
            white_dwarf,
            height < DWARF_BAND_DEX,
            ~evolved,
            log_lum < LOG_LUM_BRIGHT_GIANT,
            log_lum < LOG_LUM_SUPERGIANT_IB,
            log_lum < LOG_LUM_SUPERGIANT_IA,
        ],
        [_D, _V, _IV, _III, _II, _IB],
        default=_IA,
    ).astype(np.int8)

    spectral[white_dwarf] = _LETTER_D
    subclass[white_dwarf] = np.round(2 * 50400.0 / teff[white_dwarf]) / 2

    on_band = (luminosity == _V) | (luminosity == _IV)
    star_type = np.select(
        [
            white_dwarf,
            on_band & (teff < HYDROGEN_BURNING_TEFF),
            (luminosity == _V) & ((spectral == _LETTER_M) | (spectral == _LETTER_L)),
            luminosity == _V,
            luminosity == _IV,
            luminosity == _III,
            luminosity == _II,
            evolved & (log_lum >= LOG_LUM_HYPERGIANT),
        ],
        [_WHITE, _BROWN, _RED, _MAIN, _SUBGIANT, _GIANT, _BRIGHT, _HYPER],
        default=_SUPER,
    ).astype(np.int8)
    return Classes(spectral, subclass, luminosity, star_type)


@cache
def _mass_lookup() -> tuple[SortedLookup, np.ndarray]:
    seq = dwarf_sequence()
    known = ~np.isnan(seq.mass) & ~np.isnan(seq.log_lum)
    return SortedLookup(seq.log_lum[known][::-1]), np.log10(seq.mass[known][::-1])


def log_mass(log_lum, classes: Classes):
    """Mean dwarf mass at this luminosity for main-sequence stars; NaN for every other star."""
    lookup, log_m = _mass_lookup()
    result = lookup.interp(log_lum, log_m, left=np.nan, right=np.nan)
    main_sequence = (classes.star_type == _RED) | (classes.star_type == _MAIN)
    return np.where(main_sequence, result, np.nan)
