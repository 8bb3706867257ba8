"""The low-mass main sequence calibrated on observed dwarfs.

SSE's main sequence (the Tout et al. 1996 zero-age fits) makes 0.2-0.4 M_sun stars ~150 K hotter and
0.6-0.9 M_sun stars ~250 K cooler than real dwarfs of the same mass. In the CMD that puts its lower main
sequence up to ~1 mag below real stars of the same colour (NGC 2516's M dwarfs: 1.6-1.8 mag; README). Below
1 M_sun the Teff and luminosity of main-sequence stars are therefore shifted by the difference, at the same
mass, between Mamajek's mean dwarf sequence (Pecaut & Mamajek 2013; solar-neighbourhood stars) and SSE's
solar-metallicity stars at 1 Gyr; and their Gaia magnitudes by the table's minus MIST's at the table's own
Teff, L and log g (MIST's M dwarfs are up to 0.35 mag too blue in BP-RP), a cubic in log Teff. The shifts fade
to zero between 0.9 and 1.1 M_sun (5300 and 5800 K), are the same at every age and, as the table describes
solar-neighbourhood stars, fade out between [M/H] = -0.5 and -1 (open clusters lie within ~0.3 dex of solar).
SSE's changes with metallicity and age are kept.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.population import interpolation
from stellarnn.datasets.population.photometry import BolometricCorrections
from stellarnn.datasets.population.tracks import TrackGrid
from stellarnn.physics.constants import LOGG_SUN_CGS, TEFF_SUN_K
from stellarnn.physics.dwarf_sequence import dwarf_sequence

REFERENCE_AGE_MYR = 1000.0
FADE_MSUN = (0.9, 1.1)  # full shift below the first mass, none above the second
FADE_TEFF_K = (5300.0, 5800.0)  # full colour shift below the first Teff, none above the second
FADE_MH_DEX = (-1.0, -0.5)  # the table is solar-neighbourhood stars: no shift below -1, full above -0.5
COOLEST_K = 2800.0  # M6V, about SSE's 0.1 M_sun star: the table's cooler rows are not used
SMOOTHING_DEGREE = 3  # the magnitude shifts are a cubic in log Teff: the table's rows scatter by ~0.1 mag


@dataclass(frozen=True)
class DwarfShift:
    log_mass: np.ndarray  # increasing
    dlog_teff: np.ndarray
    dlog_lum: np.ndarray
    dmag: dict[str, np.ndarray]  # per band g, bp, rp: polynomial in log Teff of the table's magnitude minus
    # MIST's at its Teff, L and log g

    def at(self, mass, mh) -> tuple[np.ndarray, np.ndarray]:
        """(d log Teff, d log L) for stars of these current masses; masses beyond the table take its ends."""
        log_mass = np.log10(np.asarray(mass, float))
        fade = _fade(FADE_MSUN[1] - 10**log_mass, FADE_MSUN) * _fade(np.asarray(mh) - FADE_MH_DEX[0], FADE_MH_DEX)
        return (fade * np.interp(log_mass, self.log_mass, self.dlog_teff),
                fade * np.interp(log_mass, self.log_mass, self.dlog_lum))  # fmt: skip

    def magnitudes_at(self, teff, mh) -> dict[str, np.ndarray]:
        """Per band, the shift of a main-sequence star of this Teff and [M/H] (none above FADE_TEFF_K)."""
        fade = _fade(FADE_TEFF_K[1] - np.asarray(teff, float), FADE_TEFF_K) * _fade(
            np.asarray(mh) - FADE_MH_DEX[0], FADE_MH_DEX)  # fmt: skip
        log_teff = np.log10(np.clip(teff, COOLEST_K, FADE_TEFF_K[1]))
        return {band: fade * np.polyval(shift, log_teff) for band, shift in self.dmag.items()}


def _fade(distance, limits: tuple[float, float]) -> np.ndarray:
    """0 at distance 0 from the far limit, rising linearly to 1 over the width of the limits."""
    return np.clip(distance / (limits[1] - limits[0]), 0.0, 1.0)


def dwarf_shift(tracks: TrackGrid, bcs: BolometricCorrections, z_sun: float) -> DwarfShift:
    """Mamajek's dwarfs minus SSE's at the same mass, Z = z_sun and 1 Gyr, over the grid's low-mass range; and
    the table's Gaia magnitudes minus MIST's for the table's own stars below FADE_TEFF_K."""
    table = dwarf_sequence()
    rows = (np.isfinite(table.mass) & np.isfinite(table.teff) & np.isfinite(table.log_lum)
            & (table.mass >= 10 ** tracks.log_mass[0]) & (table.mass <= FADE_MSUN[1]))  # fmt: skip
    mass = table.mass[rows][::-1]  # the table runs from hot to cool
    sse = interpolation.evaluate(tracks, mass, np.full(mass.size, z_sun), np.full(mass.size, REFERENCE_AGE_MYR))
    sse_log_teff = np.log10(TEFF_SUN_K) + (sse.log_lum - 2 * sse.log_radius) / 4
    return DwarfShift(np.log10(mass), np.log10(table.teff[rows][::-1]) - sse_log_teff,
                      table.log_lum[rows][::-1] - sse.log_lum, _magnitude_shift(table, bcs))  # fmt: skip


def _magnitude_shift(table, bcs: BolometricCorrections) -> dict[str, np.ndarray]:
    rows = (np.isfinite(table.abs_g) & np.isfinite(table.bp_rp) & np.isfinite(table.g_rp) & np.isfinite(table.mass)
            & np.isfinite(table.radius) & (table.teff >= COOLEST_K) & (table.teff <= FADE_TEFF_K[1]))  # fmt: skip
    teff, log_lum = table.teff[rows], table.log_lum[rows]
    logg = LOGG_SUN_CGS + np.log10(table.mass[rows]) - 2 * np.log10(table.radius[rows])
    mist = bcs.absolute_magnitudes(teff, logg, np.zeros(teff.size), log_lum)
    g, g_rp, bp_rp = table.abs_g[rows], table.g_rp[rows], table.bp_rp[rows]
    observed = {"g": g, "rp": g - g_rp, "bp": g - g_rp + bp_rp}
    return {band: np.polyfit(np.log10(teff), observed[band] - mist[f"abs_{band}_mag"], SMOOTHING_DEGREE)
            for band in observed}  # fmt: skip
