"""Isochrones and cluster photometry from the project's own stellar physics.

Stars are the population's SSE evolution grid (Hurley et al. 2000, via COSMIC) interpolated at one age and
metallicity, the low-mass main sequence moved onto observed dwarfs (:mod:`dwarf_calibration`), and low-mass
stars of young clusters still contracting towards it (:mod:`pre_main_sequence`). Gaia G, BP and RP come from
the MIST bolometric corrections (Choi et al. 2016), which tabulate BC_X against A_V (Cardelli et al. 1989 law,
R_V = 3.1), so A_G and E(BP-RP) are integrated over each star's own spectrum instead of taken from one
coefficient.

[M/H] is on the modern solar scale: the tracks are evolved at Z = 0.0152 x 10^[M/H] (the solar Z of PARSEC
v1.2S, Bressan et al. 2012) and the corrections read at [M/H]. Matched this way (equal Z) SSE's main sequence
lies closer to PARSEC's than with SSE's own solar Z of 0.02 (benchmarks/cluster_isochrones.py).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stellarnn.datasets.clusters.dwarf_calibration import DwarfShift, dwarf_shift
from stellarnn.datasets.clusters.pre_main_sequence import contraction_log_radius
from stellarnn.datasets.population import interpolation
from stellarnn.datasets.population.config import PopulationConfig
from stellarnn.datasets.population.photometry import BolometricCorrections, bolometric_corrections
from stellarnn.datasets.population.tracks import TrackGrid
from stellarnn.physics.constants import LOGG_SUN_CGS, TEFF_SUN_K

BANDS = ("g", "bp", "rp")
Z_SUN = 0.0152  # PARSEC v1.2S
MAIN_SEQUENCE = 0  # SSE phase index of core hydrogen burning (kstar 0-1)
CHUNK = 50_000  # stars per interpolation step: the track lookup holds ~3 kB per star


@dataclass(frozen=True)
class StellarModels:
    tracks: TrackGrid
    bcs: BolometricCorrections
    dwarfs: DwarfShift  # SSE's low-mass main sequence moved onto observed dwarfs

    def mh_range(self) -> tuple[float, float]:
        z = 10**self.tracks.log_z
        return float(np.log10(z[0] / Z_SUN)), float(np.log10(z[-1] / Z_SUN))


def stellar_models(population: PopulationConfig, progress=None) -> StellarModels:
    """The population's evolution grid (built once, then cached on disk) and the MIST tables."""
    from stellarnn.datasets.population.generate import track_grid

    tracks, bcs = track_grid(population, progress), bolometric_corrections()
    return StellarModels(tracks, bcs, dwarf_shift(tracks, bcs, Z_SUN))


def stars(models: StellarModels, initial_mass, mh, log_age_yr, av) -> dict[str, np.ndarray]:
    """Per star: stage, Teff, log g, log L and absolute G, BP, RP seen through A_V (NaN for dark remnants)."""
    n = len(initial_mass)
    out = {k: np.full(n, np.nan) for k in ("teff_K", "logg_cgs", "log_lum", "g", "bp", "rp")}
    out["stage"] = np.full(n, interpolation.DARK_REMNANT, dtype=np.int8)
    for lo in range(0, n, CHUNK):
        part = slice(lo, min(n, lo + CHUNK))
        z = Z_SUN * 10 ** np.asarray(mh[part], float)
        age_myr = 10 ** (np.asarray(log_age_yr[part], float) - 6.0)
        s = interpolation.evaluate(models.tracks, np.asarray(initial_mass[part], float), z, age_myr)
        out["stage"][part] = s.stage
        visible = s.stage != interpolation.DARK_REMNANT
        log_lum, log_radius = s.log_lum[visible], s.log_radius[visible]
        main_sequence = s.stage[visible] == MAIN_SEQUENCE
        star_mh = np.asarray(mh[part], float)[visible]
        dlog_teff, dlog_lum = models.dwarfs.at(s.mass[visible], star_mh)
        log_lum = log_lum + np.where(main_sequence, dlog_lum, 0.0)
        log_radius = log_radius + np.where(main_sequence, dlog_lum / 2 - 2 * dlog_teff, 0.0)
        teff = TEFF_SUN_K * 10 ** ((log_lum - 2 * log_radius) / 4)
        log_radius = np.where(main_sequence, np.maximum(log_radius, contraction_log_radius(
            s.mass[visible], teff, 1e6 * age_myr[visible])), log_radius)  # fmt: skip
        log_lum = 2 * log_radius + 4 * np.log10(teff / TEFF_SUN_K)
        logg = LOGG_SUN_CGS + np.log10(s.mass[visible]) - 2 * log_radius
        mags = models.bcs.absolute_magnitudes(teff, logg, star_mh, log_lum,
                                              np.asarray(av[part], float)[visible])  # fmt: skip
        shifts = models.dwarfs.magnitudes_at(teff, star_mh)
        index = np.arange(part.start, part.stop)[visible]
        out["teff_K"][index], out["logg_cgs"][index], out["log_lum"][index] = teff, logg, log_lum
        for band in BANDS:
            out[band][index] = mags[f"abs_{band}_mag"] + np.where(main_sequence, shifts[band], 0.0)
    return out


def isochrone(models: StellarModels, log_age_yr: float, mh: float, av: float = 0.0, masses=None) -> pd.DataFrame:
    """The visible stars of one age and metallicity, ordered by initial mass (dark remnants left out)."""
    masses = np.geomspace(0.1, 100.0, 4000) if masses is None else np.asarray(masses, float)
    n = len(masses)
    s = stars(models, masses, np.full(n, mh), np.full(n, log_age_yr), np.full(n, av))
    frame = pd.DataFrame(
        {
            "initial_mass_Msun": masses,
            "stage": s["stage"],
            "teff_K": s["teff_K"],
            "logg_cgs": s["logg_cgs"],
            "log_lum_Lsun": s["log_lum"],
            "abs_g_mag": s["g"],
            "abs_bp_mag": s["bp"],
            "abs_rp_mag": s["rp"],
        }
    )
    frame["bp_rp_mag"] = frame["abs_bp_mag"] - frame["abs_rp_mag"]
    return frame[frame["stage"] != interpolation.DARK_REMNANT].reset_index(drop=True)


def main_sequence_g_at_colour(models: StellarModels, log_age_yr: float, mh: float, colours, top_mass: float = 3.0,
                              av: float = 0.0) -> np.ndarray:  # fmt: skip
    """Absolute G of the isochrone's unevolved part (0.1 M_sun to top_mass, SSE's main-sequence phase, the
    pre-main sequence included) at these BP-RP colours, seen through av; NaN outside it. Comparing at one
    colour asks how far two sequences lie apart in the CMD itself, not how two codes pair masses."""
    line = isochrone(models, log_age_yr, mh, av, masses=np.geomspace(0.1, top_mass, 800))
    line = line[line["stage"] == MAIN_SEQUENCE].sort_values("bp_rp_mag")
    return np.interp(colours, line["bp_rp_mag"], line["abs_g_mag"], left=np.nan, right=np.nan)
