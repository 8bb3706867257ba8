"""Built-in synthetic clusters: a simple stellar population seen by Gaia, with the labels known.

Per cluster: log age, A_V and distance modulus drawn uniformly over ranges like Cantat-Gaudin et al. (2020)'s
catalogue, [M/H] from a normal of open-cluster metallicities; members from the Kroupa (2001) IMF above the
lowest mass that can reach the magnitude limit; unresolved binaries (companion mass ratio uniform) whose
fluxes add; photometry from :mod:`isochrone` (extinction through the MIST tables); Gaia EDR3 photometric and
parallax errors; field stars from the built-in population put along the same line of sight; membership
probabilities that are high for members and uniform for field stars; the G limit applied to observed G;
optionally the seed's augmentation (:mod:`augment`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stellarnn.datasets.clusters import LABELS
from stellarnn.datasets.clusters.augment import shifted_copies
from stellarnn.datasets.clusters.isochrone import StellarModels, stars
from stellarnn.datasets.population import observation
from stellarnn.datasets.population.sampling import imf_per_log_mass

MAX_MASS = 100.0
PROBE_MASSES = np.geomspace(0.1, 30.0, 60)  # to find the faintest mass that can still be seen
EQUAL_MASS_BINARY_GAIN = 0.753  # mag: 2.5 log10(2)
BATCH = 200  # clusters simulated together
MEMBER_COLUMNS = ("cluster", "g_mag", "bp_rp_mag", "parallax_mas", "parallax_error_mas", "membership_probability",
                  "member")  # fmt: skip


@dataclass(frozen=True)
class Simulation:
    population: str  # population config (name or path): its evolution grid and its stars as the field
    clusters: int
    log_age_yr: tuple[float, float]  # uniform ranges
    av_mag: tuple[float, float]
    distance_modulus_mag: tuple[float, float]
    mh_dex: tuple[float, float]  # mean and standard deviation (clipped to the evolution grid)
    members: tuple[int, int]  # stars drawn per cluster above the lowest visible mass, log-uniform
    binary_fraction: float
    min_mass_ratio: float
    field_fraction: tuple[float, float]  # field stars per member drawn, uniform range
    field_distance_spread: float  # field stars' distances: the cluster's times exp(N(0, this))
    member_probability_beta: tuple[float, float]  # members' membership probabilities ~ Beta(a, b)
    g_limit_mag: float
    augmented_copies: int  # the seed's augmentation: copies of each cluster moved farther and behind more dust


@dataclass
class ClusterSet:
    members: pd.DataFrame  # one row per star (MEMBER_COLUMNS), 'cluster' indexes `clusters`
    clusters: pd.DataFrame  # one row per cluster: the labels and how it was made


def _imf_cdf():
    log_m = np.linspace(-1.0, np.log10(MAX_MASS), 4001)
    pdf = imf_per_log_mass("kroupa2001", 10**log_m)
    cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) / 2 * np.diff(log_m))])
    return log_m, cdf / cdf[-1]


def lowest_visible_mass(models: StellarModels, log_age, mh, av, dm, g_limit: float) -> np.ndarray:
    """Per cluster, the probe mass below the faintest one whose equal-mass binary reaches the G limit."""
    n, k = len(log_age), len(PROBE_MASSES)
    s = stars(models, np.tile(PROBE_MASSES, n), np.repeat(mh, k), np.repeat(log_age, k), np.repeat(av, k))
    apparent = (s["g"] + np.repeat(dm, k)).reshape(n, k)
    seen = np.nan_to_num(apparent, nan=np.inf) < g_limit + EQUAL_MASS_BINARY_GAIN
    first = np.where(seen.any(axis=1), np.argmax(seen, axis=1), k - 1)
    return PROBE_MASSES[np.maximum(first - 1, 0)]


def _combine(primary, secondary):
    """Magnitude of two unresolved stars (NaN = no light)."""
    flux = np.nan_to_num(10 ** (-0.4 * primary)) + np.nan_to_num(10 ** (-0.4 * secondary))
    with np.errstate(divide="ignore"):
        return np.where(flux > 0, -2.5 * np.log10(flux), np.nan)


def _observe(rng, g, bp, rp, distance_pc):
    """Gaia-like noisy G, BP, RP and parallax (EDR3 uncertainties as functions of G)."""
    noisy = {}
    for name, mag, column in (("g_mag", g, "phot_g_mean_mag"), ("bp_mag", bp, "phot_bp_mean_mag"),
                              ("rp_mag", rp, "phot_rp_mean_mag")):  # fmt: skip
        noisy[name] = mag + rng.normal(size=len(g)) * observation.magnitude_error(column, g)
    sigma_plx = observation.parallax_error_mas(g)
    noisy["parallax_mas"] = 1000.0 / distance_pc + rng.normal(size=len(g)) * sigma_plx
    noisy["parallax_error_mas"] = sigma_plx
    return noisy


def _draw_labels(sim: Simulation, models: StellarModels, rng, n: int) -> pd.DataFrame:
    lo_mh, hi_mh = models.mh_range()
    mean, sigma = sim.mh_dex
    return pd.DataFrame(
        {
            "log_age_yr": rng.uniform(*sim.log_age_yr, n),
            "av_mag": rng.uniform(*sim.av_mag, n),
            "distance_modulus_mag": rng.uniform(*sim.distance_modulus_mag, n),
            "mh_dex": np.clip(rng.normal(mean, sigma, n), lo_mh, hi_mh),
            "stars_drawn": np.round(np.exp(rng.uniform(*np.log(sim.members), n))).astype(int),
            "binary_fraction": np.full(n, sim.binary_fraction),
            "field_fraction": rng.uniform(*sim.field_fraction, n),
        }
    )


def _members(sim, models, rng, labels: pd.DataFrame, first_id: int) -> dict:
    """The cluster stars of a batch of clusters, observed."""
    m_min = lowest_visible_mass(models, *(labels[c].to_numpy() for c in ("log_age_yr", "mh_dex", "av_mag")),
                                labels["distance_modulus_mag"].to_numpy(), sim.g_limit_mag)  # fmt: skip
    counts = labels["stars_drawn"].to_numpy()
    which = np.repeat(np.arange(len(labels)), counts)
    log_m, cdf = _imf_cdf()
    u = np.interp(np.log10(m_min), log_m, cdf)[which]
    mass = 10 ** np.interp(u + rng.random(len(which)) * (1 - u), cdf, log_m)
    binary = rng.random(len(which)) < sim.binary_fraction
    companion = np.where(binary, mass * rng.uniform(sim.min_mass_ratio, 1.0, len(which)), 0.0)
    has_light = companion >= 0.1  # SSE's lowest mass
    per_star = {c: labels[c].to_numpy()[which] for c in ("log_age_yr", "mh_dex", "av_mag", "distance_modulus_mag")}
    args = (per_star["mh_dex"], per_star["log_age_yr"], per_star["av_mag"])
    first = stars(models, mass, *args)
    second = {b: np.full(len(which), np.nan) for b in ("g", "bp", "rp")}
    if has_light.any():
        s = stars(models, companion[has_light], *(a[has_light] for a in args))
        for band in second:
            second[band][has_light] = s[band]
    dm = per_star["distance_modulus_mag"]
    g, bp, rp = (_combine(first[b], second[b]) + dm for b in ("g", "bp", "rp"))
    observed = _observe(rng, g, bp, rp, 10 ** (dm / 5 + 1))
    a, b = sim.member_probability_beta
    return {"cluster": which + first_id, **observed, "membership_probability": rng.beta(a, b, len(which)),
            "member": np.ones(len(which), bool)}  # fmt: skip


def _field(sim, models, rng, labels: pd.DataFrame, field: pd.DataFrame, first_id: int) -> dict | None:
    """Field stars of the built-in population (drawn with their natural weights) moved onto each cluster's
    line of sight."""
    counts = np.round(labels["field_fraction"].to_numpy() * labels["stars_drawn"].to_numpy()).astype(int)
    which = np.repeat(np.arange(len(labels)), counts)
    if not len(which):
        return None
    weight = field["weight"].to_numpy()  # the population over-samples rare luminous stars; undo that here
    pick = field.iloc[rng.choice(len(field), len(which), p=weight / weight.sum())]
    distance = 10 ** (labels["distance_modulus_mag"].to_numpy()[which] / 5 + 1)
    distance = distance * np.exp(rng.normal(0.0, sim.field_distance_spread, len(which)))
    av = (
        labels["av_mag"].to_numpy()[which] * distance / 10 ** (labels["distance_modulus_mag"].to_numpy()[which] / 5 + 1)
    )
    teff, logg, mh = (pick[c].to_numpy() for c in ("teff_K", "logg_cgs", "mh_dex"))
    mags = models.bcs.absolute_magnitudes(teff, logg, mh, np.log10(pick["lum_Lsun"].to_numpy()), av)
    modulus = 5 * np.log10(distance / 10.0)
    g, bp, rp = (mags[f"abs_{b}_mag"] + modulus for b in ("g", "bp", "rp"))
    observed = _observe(rng, g, bp, rp, distance)
    return {"cluster": which + first_id, **observed, "membership_probability": rng.random(len(which)),
            "member": np.zeros(len(which), bool)}  # fmt: skip


def simulate(sim: Simulation, models: StellarModels, field: pd.DataFrame, n: int, seed: int, progress=None):
    """n clusters, reproducible from the seed; ``field`` holds population stars (teff_K, logg_cgs, mh_dex,
    lum_Lsun, weight)."""
    rng = np.random.default_rng(seed)
    labels = _draw_labels(sim, models, rng, n)
    parts = []
    for start in range(0, n, BATCH):
        batch = labels.iloc[start : start + BATCH]
        for made in (_members(sim, models, rng, batch, start), _field(sim, models, rng, batch, field, start)):
            if made is None:  # no field stars in this batch
                continue
            frame = pd.DataFrame(made)
            frame["bp_rp_mag"] = frame["bp_mag"] - frame["rp_mag"]
            parts.append(frame[np.isfinite(frame["g_mag"]) & (frame["g_mag"] < sim.g_limit_mag)])
        if progress:
            progress(f"simulated {min(n, start + BATCH):,} of {n:,} clusters")
    members = pd.concat(parts, ignore_index=True)[list(MEMBER_COLUMNS)]
    labels.insert(0, "cluster", np.arange(n))
    labels.insert(1, "original", np.arange(n))  # copies made by augmentation keep their original's number
    labels["distance_pc"] = 10 ** (labels["distance_modulus_mag"] / 5 + 1)
    labels = labels[["cluster", "original", *LABELS, "distance_pc", "mh_dex", "stars_drawn", "binary_fraction",
                     "field_fraction"]]  # fmt: skip
    if sim.augmented_copies:
        copies = shifted_copies(members, labels, sim.augmented_copies, sim.distance_modulus_mag[1], sim.av_mag[1],
                                sim.g_limit_mag, rng)  # fmt: skip
        members, labels = pd.concat([members, copies[0]]), pd.concat([labels, copies[1]], ignore_index=True)
    members = members.sort_values("cluster", kind="stable").reset_index(drop=True)
    return ClusterSet(members, labels)
