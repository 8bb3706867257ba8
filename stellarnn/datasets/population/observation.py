"""Gaia-like observations of model stars: positions in a thin disc, extinction, apparent magnitudes,
parallaxes and noisy astrophysical parameters, with their uncertainties.

Gaia uncertainties as a function of G follow the Gaia EDR3 summary (Gaia Collaboration, Brown et al. 2021,
A&A 649, A1): G 0.3/1/6 mmag, G_BP 0.9/12/108 mmag, G_RP 0.6/6/52 mmag at G = 13/17/20; parallax 0.02 mas at
G <= 15, 0.07 mas at 17, 0.5 mas at 20 and 1.3 mas at 21. Between these points log(sigma) is interpolated.
"""

import numpy as np

from stellarnn.datasets.population.config import PopulationConfig

_G_POINTS = np.array([13.0, 17.0, 20.0, 21.0])
_SIGMA_MAG = {  # mag at _G_POINTS (21 extrapolated along the 17-20 slope)
    "phot_g_mean_mag": np.array([0.0003, 0.001, 0.006, 0.011]),
    "phot_bp_mean_mag": np.array([0.0009, 0.012, 0.108, 0.224]),
    "phot_rp_mean_mag": np.array([0.0006, 0.006, 0.052, 0.105]),
}
_PARALLAX_G = np.array([15.0, 17.0, 20.0, 21.0])
_SIGMA_PARALLAX = np.array([0.02, 0.07, 0.5, 1.3])  # mas


def sigma_from_g(g_mag, points, sigmas):
    """Uncertainty at magnitude G, log-interpolated between published points and held flat beyond them."""
    return 10 ** np.interp(g_mag, points, np.log10(sigmas))


def magnitude_error(column: str, g_mag):
    """Gaia's uncertainty of one band (phot_g_mean_mag, phot_bp_mean_mag, phot_rp_mean_mag) at magnitude G."""
    return sigma_from_g(g_mag, _G_POINTS, _SIGMA_MAG[column])


def parallax_error_mas(g_mag):
    return sigma_from_g(g_mag, _PARALLAX_G, _SIGMA_PARALLAX)


def place(config: PopulationConfig, rng, n):
    """(distance in pc, A_V in mag): uniform in a disc around the Sun, exponential in height."""
    geo, ext = config.geometry, config.extinction
    r = geo.radius_pc * np.sqrt(rng.random(n))
    z = rng.laplace(0.0, geo.scale_height_pc, n)
    distance = np.maximum(np.hypot(r, z), 1.0)
    x = np.abs(z) / ext.dust_scale_height_pc  # fraction of the path inside the dust layer: (1 - e^-x) / x
    inside = np.where(x > 1e-8, -np.expm1(-x) / np.where(x > 1e-8, x, 1.0), 1.0)
    return distance, ext.av_per_kpc * distance / 1000.0 * inside


def observe(config: PopulationConfig, rng, true: dict, apparent: dict, distance) -> dict:
    """Noisy Gaia-style columns (archive names) with their uncertainties."""
    noise = config.noise
    g = apparent["phot_g_mean_mag"]
    out = {}
    for band, mag in apparent.items():
        sigma = magnitude_error(band, g)
        out[band] = mag + rng.normal(0.0, 1.0, len(g)) * sigma
        out[f"{band}_error"] = sigma
    out["bp_rp"] = out["phot_bp_mean_mag"] - out["phot_rp_mean_mag"]
    sigma_plx = parallax_error_mas(g)
    out["parallax"] = 1000.0 / distance + rng.normal(0.0, 1.0, len(g)) * sigma_plx
    out["parallax_error"] = sigma_plx
    out["parallax_over_error"] = out["parallax"] / sigma_plx

    def relative(values, fraction):
        return values * np.exp(rng.normal(0.0, fraction, len(values))), values * fraction

    out["teff_gspphot"], out["teff_gspphot_error"] = relative(true["teff_K"], noise.teff_fraction)
    out["radius_gspphot"], out["radius_gspphot_error"] = relative(true["radius_Rsun"], noise.radius_fraction)
    out["lum_flame"], out["lum_flame_error"] = relative(true["lum_Lsun"], noise.lum_fraction)
    out["logg_gspphot"] = true["logg_cgs"] + rng.normal(0.0, noise.logg_dex, len(g))
    out["logg_gspphot_error"] = np.full(len(g), noise.logg_dex)
    out["mh_gspphot"] = true["mh_dex"] + rng.normal(0.0, noise.mh_dex, len(g))
    out["mh_gspphot_error"] = np.full(len(g), noise.mh_dex)
    return out
