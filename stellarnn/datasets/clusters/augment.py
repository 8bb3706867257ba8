"""The seed's augmentation (Cantat-Gaudin et al. 2020, sect. 3.2): copies of clusters moved farther away and
behind more dust. Stars get fainter by the added distance modulus and extinction, redder by the added
reddening, their parallaxes shrink and their errors grow with G; stars pushed beyond the G limit are lost.

The added extinction in each band follows the published Gaia extinction law of Gaia Collaboration,
Babusiaux et al. (2018, A&A 616, A10, eq. 1 and table 1), a function of the star's intrinsic BP-RP and A_0
(taken as A_V here).
"""

import numpy as np
import pandas as pd

from stellarnn.datasets.population import observation

# k_X = c1 + c2 c + c3 c^2 + c4 c^3 + c5 A0 + c6 A0^2 + c7 c A0, c = (BP-RP)_0; A_X = k_X A0
BABUSIAUX_2018 = {
    "g": (0.9761, -0.1704, 0.0086, 0.0011, -0.0438, 0.0013, 0.0099),
    "bp": (1.1517, -0.0871, -0.0333, 0.0173, -0.0230, 0.0006, 0.0043),
    "rp": (0.6104, -0.0170, -0.0026, -0.0017, -0.0078, 0.00005, 0.0006),
}


def extinction(band: str, intrinsic_colour, a0):
    """A_band in mag for stars of intrinsic BP-RP behind A_0."""
    c1, c2, c3, c4, c5, c6, c7 = BABUSIAUX_2018[band]
    c = np.asarray(intrinsic_colour, float)
    return (c1 + c2 * c + c3 * c**2 + c4 * c**3 + c5 * a0 + c6 * a0**2 + c7 * c * a0) * a0


def intrinsic_colour(colour, a0):
    """BP-RP before reddening: colour_0 = colour - E(BP-RP)(colour_0, A_0) by fixed-point steps (each cuts
    the error ~7-fold)."""
    c0 = np.asarray(colour, float)
    for _ in range(6):
        c0 = colour - (extinction("bp", c0, a0) - extinction("rp", c0, a0))
    return c0


def _grow_noise(rng, values, old_sigma, new_sigma):
    return values + rng.normal(size=len(values)) * np.sqrt(np.maximum(new_sigma**2 - old_sigma**2, 0.0))


def _colour_error(g):
    return np.hypot(*(observation.magnitude_error(f"phot_{b}_mean_mag", g) for b in ("bp", "rp")))


def shifted_copies(members: pd.DataFrame, clusters: pd.DataFrame, copies: int, max_dm: float, max_av: float,
                   g_limit: float, rng) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """``copies`` shifted versions of every cluster, numbered after the last cluster; labels move with them.
    Members need g_mag, bp_rp_mag and parallax_mas (parallax_error_mas if known, else Gaia's at that G)."""
    new_members, new_clusters = [], []
    next_id = int(clusters["cluster"].max()) + 1
    row = np.searchsorted(clusters["cluster"].to_numpy(), members["cluster"].to_numpy())
    g_old, colour_old = members["g_mag"].to_numpy(), members["bp_rp_mag"].to_numpy()
    plx_old = members["parallax_mas"].to_numpy()
    plx_sigma_old = (members["parallax_error_mas"].to_numpy() if "parallax_error_mas" in members
                     else observation.parallax_error_mas(g_old))  # fmt: skip
    dm0, av0 = clusters["distance_modulus_mag"].to_numpy(), clusters["av_mag"].to_numpy()
    c0 = intrinsic_colour(colour_old, av0[row])
    for _ in range(copies):
        dm1 = rng.uniform(dm0, np.maximum(dm0, max_dm))
        av1 = rng.uniform(av0, np.maximum(av0, max_av))
        labels = clusters.assign(cluster=np.arange(next_id, next_id + len(clusters)), distance_modulus_mag=dm1,
                                 av_mag=av1, distance_pc=10 ** (dm1 / 5 + 1))  # fmt: skip
        shift, a_old, a_new = dm1[row] - dm0[row], av0[row], av1[row]
        g_new = g_old + shift + extinction("g", c0, a_new) - extinction("g", c0, a_old)
        reddening = lambda a: extinction("bp", c0, a) - extinction("rp", c0, a)  # noqa: E731
        colour_new = colour_old + reddening(a_new) - reddening(a_old)
        factor = 10 ** (-shift / 5)
        stars = members.copy()
        stars["g_mag"] = _grow_noise(rng, g_new, observation.magnitude_error("phot_g_mean_mag", g_old),
                                     observation.magnitude_error("phot_g_mean_mag", g_new))  # fmt: skip
        stars["bp_rp_mag"] = _grow_noise(rng, colour_new, _colour_error(g_old), _colour_error(g_new))
        plx_sigma_new = observation.parallax_error_mas(g_new)
        stars["parallax_mas"] = _grow_noise(rng, plx_old * factor, plx_sigma_old * factor, plx_sigma_new)
        if "parallax_error_mas" in stars:
            stars["parallax_error_mas"] = plx_sigma_new
        stars["cluster"] = labels["cluster"].to_numpy()[row]
        new_members.append(stars[stars["g_mag"] < g_limit])
        new_clusters.append(labels)
        next_id += len(clusters)
    return pd.concat(new_members, ignore_index=True), pd.concat(new_clusters, ignore_index=True)
