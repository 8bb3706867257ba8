"""Checks of the built-in population against real data (the numbers the README and benchmarks report).

(a) Gaia DR3 stars with parallax_over_error > 10 (and GSP-Phot, so G < 19) against the population seen
    through the same selection: Hellinger distance between their (log Teff, log L) histograms.
(b) log g against Teff, against Gaia DR3 GSP-Phot: binned medians for dwarfs and giants, and the Hellinger
    distance of the (log Teff, log g) histograms.
(c) SSE isochrones against PARSEC v1.2S in Gaia EDR3 bands: median |dM_G| at fixed BP-RP on the main
    sequence, median |d(BP-RP)| at fixed M_G on the red giant branch.
"""

import numpy as np
import pandas as pd

from stellarnn.datasets.population import interpolation, observation
from stellarnn.datasets.population.photometry import bolometric_corrections
from stellarnn.datasets.population.sampling import SOLAR_Z
from stellarnn.evaluation.metrics import hellinger_distance
from stellarnn.physics.constants import LOGG_SUN_CGS, TEFF_SUN_K

LOG_TEFF_BINS = np.arange(3.40, 4.60001, 0.025)
LOG_LUM_BINS = np.arange(-3.0, 4.00001, 0.1)
LOGG_BINS = np.arange(0.0, 5.60001, 0.1)
GSP_PHOT_G_LIMIT = 19.0
PARALLAX_SNR = 10.0
G_PER_V_EXTINCTION = 0.83  # A_G / A_V for a solar-type star (MIST tables at A_V = 1)


def _hist(x, y, bins_x, bins_y, weights=None):
    h, _, _ = np.histogram2d(x, y, bins=[bins_x, bins_y], weights=weights)
    return h


def selection_probability(frame: pd.DataFrame, config, seed: int = 0, positions: int = 256) -> np.ndarray:
    """Chance that each star, placed anywhere in the model disc, has G < 19 and parallax/error > 10."""
    rng = np.random.default_rng(seed)
    distance, av = observation.place(config, rng, positions)
    g = (
        frame["abs_g_mag"].to_numpy()[:, None]
        + 5 * np.log10(distance / 10.0)[None, :]
        + G_PER_V_EXTINCTION * av[None, :]
    )
    snr = (1000.0 / distance)[None, :] / observation.parallax_error_mas(g)
    return np.mean((g < GSP_PHOT_G_LIMIT) & (snr > PARALLAX_SNR), axis=1)


def _split_half_distance(x, y, bins_x, bins_y, seed=0) -> float:
    """Hellinger distance between two random halves of a sample: the floor set by its finite size."""
    order = np.random.default_rng(seed).permutation(len(x))
    a, b = order[: len(x) // 2], order[len(x) // 2 :]
    return hellinger_distance(_hist(x[a], y[a], bins_x, bins_y), _hist(x[b], y[b], bins_x, bins_y))


def compare_hr_with_gaia(frame: pd.DataFrame, gaia: pd.DataFrame, config) -> dict:
    """(a): the population through Gaia's selection against the Gaia DR3 20k sample."""
    g_teff, g_radius = gaia["teff_gspphot"].to_numpy(), gaia["radius_gspphot"].to_numpy()
    ok = (g_teff > 0) & (g_radius > 0)
    g_logt = np.log10(g_teff[ok])
    g_logl = 2 * np.log10(g_radius[ok]) + 4 * np.log10(g_teff[ok] / TEFF_SUN_K)
    p_logt, p_logl = np.log10(frame["teff_K"].to_numpy()), np.log10(frame["lum_Lsun"].to_numpy())
    o_teff = frame["teff_gspphot"].to_numpy()  # the population's noisy "observed" values, as Gaia's are
    o_logt = np.log10(o_teff)
    o_logl = 2 * np.log10(frame["radius_gspphot"].to_numpy()) + 4 * np.log10(o_teff / TEFF_SUN_K)
    natural = frame["weight"].to_numpy()
    selected = natural * selection_probability(frame, config)
    gaia_hist = _hist(g_logt, g_logl, LOG_TEFF_BINS, LOG_LUM_BINS)
    return {
        "gaia_stars": int(ok.sum()),
        "population_stars": len(frame),
        "hellinger_selected_observed": hellinger_distance(
            gaia_hist, _hist(o_logt, o_logl, LOG_TEFF_BINS, LOG_LUM_BINS, selected)
        ),
        "hellinger_selected": hellinger_distance(
            gaia_hist, _hist(p_logt, p_logl, LOG_TEFF_BINS, LOG_LUM_BINS, selected)
        ),
        "hellinger_unselected_natural": hellinger_distance(
            gaia_hist, _hist(p_logt, p_logl, LOG_TEFF_BINS, LOG_LUM_BINS, natural)
        ),
        "hellinger_gaia_split_halves": _split_half_distance(g_logt, g_logl, LOG_TEFF_BINS, LOG_LUM_BINS),
        "giant_fraction_gaia": float(np.mean(g_logl[(g_logt < np.log10(5300))] > 1.0)) if ok.any() else None,
        "giant_fraction_population": float(
            np.sum(selected[(p_logt < np.log10(5300)) & (p_logl > 1.0)]) / np.sum(selected[p_logt < np.log10(5300)])
        ),
        "bins": {
            "log_teff": [LOG_TEFF_BINS[0], LOG_TEFF_BINS[-1], 0.025],
            "log_lum": [LOG_LUM_BINS[0], LOG_LUM_BINS[-1], 0.1],
        },
    }


def compare_logg_with_gaia(frame: pd.DataFrame, fusion_gaia: pd.DataFrame, config) -> dict:
    """(b): log g against Teff, population (through the selection) vs Gaia DR3 GSP-Phot."""
    g_teff = fusion_gaia["EffectiveTemperature(Teff)(K)"].to_numpy()
    g_logg = fusion_gaia["SurfaceGravity(log(g)...log(N/kg))"].to_numpy()  # cgs dex despite the label
    p_teff, p_logg = frame["teff_K"].to_numpy(), frame["logg_cgs"].to_numpy()
    weight = frame["weight"].to_numpy() * selection_probability(frame, config)
    edges = np.arange(3000, 10001, 500)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        for branch, is_branch in (("dwarfs", lambda g: g >= 3.5), ("giants", lambda g: g < 3.5)):
            gsel = (g_teff >= lo) & (g_teff < hi) & is_branch(g_logg)
            psel = (p_teff >= lo) & (p_teff < hi) & is_branch(p_logg) & (weight > 0)
            if gsel.sum() >= 20 and psel.sum() >= 20:
                p_median = _weighted_median(p_logg[psel], weight[psel])
                rows.append(
                    {
                        "teff_bin": [int(lo), int(hi)],
                        "branch": branch,
                        "gaia_median": float(np.median(g_logg[gsel])),
                        "population_median": p_median,
                        "gaia_stars": int(gsel.sum()),
                    }
                )
    diffs = [abs(r["gaia_median"] - r["population_median"]) for r in rows]
    o_teff, o_logg = frame["teff_gspphot"].to_numpy(), frame["logg_gspphot"].to_numpy()
    return {
        "bins": rows,
        "median_abs_difference_of_bin_medians": float(np.median(diffs)) if diffs else None,
        "hellinger_logt_logg_observed": hellinger_distance(
            _hist(np.log10(g_teff), g_logg, LOG_TEFF_BINS, LOGG_BINS),
            _hist(np.log10(o_teff), o_logg, LOG_TEFF_BINS, LOGG_BINS, weight),
        ),
        "hellinger_logt_logg": hellinger_distance(
            _hist(np.log10(g_teff), g_logg, LOG_TEFF_BINS, LOGG_BINS),
            _hist(np.log10(p_teff), p_logg, LOG_TEFF_BINS, LOGG_BINS, weight),
        ),
        "hellinger_gaia_split_halves": _split_half_distance(np.log10(g_teff), g_logg, LOG_TEFF_BINS, LOGG_BINS),
    }


def _weighted_median(values, weights) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def isochrone(grid, age_myr: float, z: float, n: int = 20000) -> pd.DataFrame:
    """Stars of one age and metallicity along a dense initial-mass grid, with Gaia EDR3 absolute magnitudes."""
    masses = np.geomspace(10 ** grid.log_mass[0], 10 ** grid.log_mass[-1], n)
    s = interpolation.evaluate(grid, masses, np.full(n, z), np.full(n, age_myr))
    alive = s.stage < interpolation.WHITE_DWARF
    log_lum, log_radius, mass = s.log_lum[alive], s.log_radius[alive], s.mass[alive]
    log_teff = 0.25 * (log_lum - 2 * log_radius) + np.log10(TEFF_SUN_K)
    logg = LOGG_SUN_CGS + np.log10(mass) - 2 * log_radius
    mags = bolometric_corrections().absolute_magnitudes(
        10**log_teff, logg, np.full(alive.sum(), np.log10(z / SOLAR_Z)), log_lum
    )
    return pd.DataFrame(
        {
            "initial_mass": masses[alive],
            "stage": s.stage[alive],
            "abs_g_mag": mags["abs_g_mag"],
            "bp_rp": mags["abs_bp_mag"] - mags["abs_rp_mag"],
        }
    )


def read_parsec(path) -> pd.DataFrame:
    """A PARSEC/CMD isochrone table (whitespace columns; the last '#' line before the data holds the names)."""
    header = None
    with open(path) as handle:
        for line in handle:
            if line.startswith("# Zini"):
                header = line[1:].split()
                break
    return pd.read_csv(path, sep=r"\s+", comment="#", names=header)


def _distance_along(curve_x, curve_y, x, y):
    """For each (x, y), |y - curve(x)| using the curve segment at x nearest in y (the curve may fold)."""
    out = np.full(len(x), np.nan)
    x0, x1, y0, y1 = curve_x[:-1], curve_x[1:], curve_y[:-1], curve_y[1:]
    for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
        spans = (np.minimum(x0, x1) <= xi) & (xi <= np.maximum(x0, x1)) & (x0 != x1)
        if spans.any():
            t = (xi - x0[spans]) / (x1[spans] - x0[spans])
            out[i] = np.min(np.abs(y0[spans] + t * (y1[spans] - y0[spans]) - yi))
    return out


def compare_isochrones(grid, parsec: pd.DataFrame, log_ages, parsec_z: float, sse_z: float) -> dict:
    """(c): per age, median |dM_G| at fixed colour on the MS and |d(BP-RP)| at fixed M_G on the RGB."""
    results = {}
    for log_age in log_ages:
        p = parsec[np.isclose(parsec["logAge"], log_age) & np.isclose(parsec["Zini"], parsec_z)]
        p_color, p_g = (p["G_BPmag"] - p["G_RPmag"]).to_numpy(), p["Gmag"].to_numpy()
        ours = isochrone(grid, 10**log_age / 1e6, sse_z)
        ms, rgb = ours[ours.stage == 0], ours[ours.stage == 2]
        p_ms = (p["label"] == 1).to_numpy() & (p["Mini"] >= 10 ** grid.log_mass[0]).to_numpy()
        p_rgb = (p["label"] == 3).to_numpy()
        d_ms = _distance_along(ms["bp_rp"].to_numpy(), ms["abs_g_mag"].to_numpy(), p_color[p_ms], p_g[p_ms])
        entry = {
            "parsec_ms_points": int(p_ms.sum()),
            "ms_points_matched": int(np.isfinite(d_ms).sum()),
            "ms_median_abs_dG": float(np.nanmedian(d_ms)) if np.isfinite(d_ms).any() else None,
        }
        if p_rgb.any() and len(rgb) > 1:
            d_rgb = _distance_along(rgb["abs_g_mag"].to_numpy(), rgb["bp_rp"].to_numpy(), p_g[p_rgb], p_color[p_rgb])
            entry.update(
                {
                    "parsec_rgb_points": int(p_rgb.sum()),
                    "rgb_points_matched": int(np.isfinite(d_rgb).sum()),
                    "rgb_median_abs_d_bp_rp": float(np.nanmedian(d_rgb)) if np.isfinite(d_rgb).any() else None,
                }
            )
        results[f"logAge={log_age:.2f}"] = entry
    return results
