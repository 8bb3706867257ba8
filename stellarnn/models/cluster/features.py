"""What the networks see of a cluster, computed from its member table exactly as for the seed.

- the CMD histogram: BP-RP 0-4.1 in 41 bins of 0.1 mag by G 10-18 in 10 bins of 0.8 mag = 410 inputs, the
  counts divided by the number of members used;
- three guesses (Cantat-Gaudin et al. 2020): the slope of colour against G for stars whose distance-corrected
  magnitude (G minus the distance modulus of the median parallax) is brighter than 4; the mean colour of stars
  with corrected magnitude between 4 and 5 (of the five stars nearest 4.5 when none are there); the median
  parallax; and, our addition, that parallax's distance modulus 10 - 5 log10(parallax / mas), which is what
  the label is (a network would otherwise have to learn the logarithm);
- a CMD image of pixels x pixels counts, for the CNN and the mixed-data model. Its frame is a config choice:
  the seed's (BP-RP 0-4, G 10-18) leaves out every star brighter than G = 10, which for a third of the
  clusters is the turn-off, so the default frame reaches G = 4 and BP-RP -0.5.

Members are the stars with membership probability >= the threshold (Cantat-Gaudin 2020 used 0.7); a table
without probabilities counts every star as a member.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

COLOUR_EDGES = np.linspace(0.0, 4.1, 42)
MAGNITUDE_EDGES = np.linspace(10.0, 18.0, 11)
HISTOGRAM_BINS = (len(COLOUR_EDGES) - 1) * (len(MAGNITUDE_EDGES) - 1)  # 410
GUESSES = ("ms_slope", "mean_colour_4_5_mag", "median_parallax_mas", "parallax_distance_modulus_mag")
MIN_PARALLAX_MAS = 0.02  # a median parallax below this (or negative) is read as 50 kpc for the guesses


@dataclass
class ClusterFeatures:
    clusters: np.ndarray  # the 'cluster' value of each row
    members_used: np.ndarray  # stars above the membership threshold
    histogram: np.ndarray  # (n, 410) float32
    guesses: np.ndarray  # (n, 4) float32: GUESSES
    images: np.ndarray | None  # (n, pixels, pixels) uint8 counts (clipped at 255)


def selected_members(members: pd.DataFrame, threshold: float) -> pd.DataFrame:
    if "membership_probability" not in members:
        return members
    p = members["membership_probability"].to_numpy()
    return members[np.isnan(p) | (p >= threshold)]


def _grouped(values, code, n, how):
    return pd.Series(values).groupby(code).agg(how).reindex(range(n)).to_numpy()


@dataclass(frozen=True)
class ImageFrame:
    pixels: int
    colour_mag: tuple[float, float]  # BP-RP range, left to right
    g_mag: tuple[float, float]  # G range, top (bright) to bottom


def cluster_features(members: pd.DataFrame, threshold: float, frame: ImageFrame | None) -> ClusterFeatures:
    """Features of every cluster in the table (column 'cluster'); images only when a frame is given."""
    stars = selected_members(members, threshold)
    ids, code = np.unique(stars["cluster"].to_numpy(), return_inverse=True)
    n = len(ids)
    g, colour = stars["g_mag"].to_numpy(float), stars["bp_rp_mag"].to_numpy(float)
    used = np.bincount(code, minlength=n)

    ci = np.floor(colour / 0.1).astype(int)
    mi = np.floor((g - MAGNITUDE_EDGES[0]) / 0.8).astype(int)
    inside = (colour >= 0) & (colour < COLOUR_EDGES[-1]) & (g >= MAGNITUDE_EDGES[0]) & (g < MAGNITUDE_EDGES[-1])
    ci, mi = np.minimum(ci, 40), np.minimum(mi, 9)
    flat = code[inside] * HISTOGRAM_BINS + mi[inside] * 41 + ci[inside]
    histogram = np.bincount(flat, minlength=n * HISTOGRAM_BINS).reshape(n, HISTOGRAM_BINS) / used[:, None]

    plx = _grouped(stars["parallax_mas"].to_numpy(float), code, n, "median")
    dm = 10.0 - 5.0 * np.log10(np.maximum(plx, MIN_PARALLAX_MAS))
    corrected = g - dm[code]
    guesses = np.column_stack([_bright_slope(g, colour, corrected, code, n),
                               _colour_at_4_5(colour, corrected, code, n), plx, dm])  # fmt: skip

    images = _images(colour, g, code, n, frame) if frame else None
    return ClusterFeatures(ids, used, histogram.astype(np.float32), guesses.astype(np.float32), images)


def _images(colour, g, code, n, frame: ImageFrame, clusters_at_once: int = 1000) -> np.ndarray:
    """(n, pixels, pixels) uint8 counts, made a block of clusters at a time to bound the counting array."""
    pixels, (c0, c1), (g0, g1) = frame.pixels, frame.colour_mag, frame.g_mag
    px = np.floor((colour - c0) / (c1 - c0) * pixels).astype(int)
    py = np.floor((g - g0) / (g1 - g0) * pixels).astype(int)
    keep = (px >= 0) & (px < pixels) & (py >= 0) & (py < pixels)
    pixel = (py * pixels + px)[keep]
    owner = code[keep]
    images = np.zeros((n, pixels * pixels), np.uint8)
    for first in range(0, n, clusters_at_once):
        last = min(n, first + clusters_at_once)
        inside = (owner >= first) & (owner < last)
        counts = np.bincount((owner[inside] - first) * pixels * pixels + pixel[inside],
                             minlength=(last - first) * pixels * pixels)  # fmt: skip
        images[first:last] = np.minimum(counts, 255).reshape(last - first, -1)
    return images.reshape(n, pixels, pixels)


def _bright_slope(g, colour, corrected, code, n):
    """Least-squares d(BP-RP)/dG of stars brighter than corrected magnitude 4 (0 with fewer than 3)."""
    bright = corrected < 4.0
    frame = pd.DataFrame({"c": code[bright], "g": g[bright], "y": colour[bright]})
    frame["gy"], frame["gg"] = frame["g"] * frame["y"], frame["g"] ** 2
    s = frame.groupby("c").agg(["sum", "count"]).reindex(range(n))
    k = s[("g", "count")].fillna(0).to_numpy()
    sg, sy, sgy, sgg = (s[(c, "sum")].fillna(0).to_numpy() for c in ("g", "y", "gy", "gg"))
    variance = sgg - sg**2 / np.maximum(k, 1)
    ok = (k >= 3) & (variance > 1e-9)
    return np.where(ok, (sgy - sg * sy / np.maximum(k, 1)) / np.where(ok, variance, 1.0), 0.0)


def _colour_at_4_5(colour, corrected, code, n):
    """Mean colour at corrected magnitude 4-5; of the five stars nearest 4.5 where none are in range."""
    in_range = (corrected >= 4.0) & (corrected < 5.0)
    mean = _grouped(np.where(in_range, colour, np.nan), code, n, "mean")
    distance = pd.Series(np.abs(corrected - 4.5))
    rank = distance.groupby(code).rank(method="first").to_numpy()
    nearest = _grouped(np.where(rank <= 5, colour, np.nan), code, n, "mean")
    return np.where(np.isnan(mean), nearest, mean)
