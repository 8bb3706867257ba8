"""Where SDSS would see a population star: a sight line, a distance along it, dust, and the magnitude window.

Each star gets a random high-latitude sight line (uniform on the sky with |b| >= the minimum) and a distance
drawn from the star counts along it: an exponential thin and thick disc and a power-law halo (the SDSS
number-density model of Juric et al. 2008), times the volume element d^2. The component it belongs to is
drawn from the three densities at that point and sets its velocity dispersion. Dust lies in a thin layer
(cosecant law), so A_V = 3.1 E(B-V)_pole / sin|b| for every star.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.sdss_like.config import Survey

COMPONENTS = ("thin disc", "thick disc", "halo")
SIGHT_LINES = 128
DISTANCES_PC = np.geomspace(10.0, 150_000.0, 3000)


@dataclass(frozen=True)
class Placement:
    l_deg: np.ndarray
    b_deg: np.ndarray
    distance_pc: np.ndarray
    av_mag: np.ndarray
    component: np.ndarray  # index into COMPONENTS


def _densities(s: Survey, l_rad, b_rad, d_pc):
    """Thin disc, thick disc and halo number densities (relative to the local thin disc) at (l, b, d)."""
    x = s.sun_galactocentric_pc - d_pc * np.cos(b_rad) * np.cos(l_rad)
    y = d_pc * np.cos(b_rad) * np.sin(l_rad)
    z = d_pc * np.sin(b_rad)
    r_cyl = np.hypot(x, y)
    r0 = s.sun_galactocentric_pc

    def disc(height, length):
        return np.exp(-(r_cyl - r0) / length - np.abs(z) / height)

    thin = disc(s.thin_disc_height_pc, s.thin_disc_length_pc)
    thick = s.thick_disc_fraction * disc(s.thick_disc_height_pc, s.thick_disc_length_pc)
    r_halo = np.sqrt(r_cyl**2 + (z / s.halo_flattening) ** 2)
    halo = s.halo_fraction * (r0 / np.maximum(r_halo, 100.0)) ** s.halo_power
    return np.stack([thin, thick, halo])


def place(s: Survey, rng: np.random.Generator, n: int) -> Placement:
    sin_min = np.sin(np.radians(s.min_abs_latitude_deg))
    lines_l = rng.uniform(0, 2 * np.pi, SIGHT_LINES)
    lines_b = np.arcsin(rng.uniform(sin_min, 1.0, SIGHT_LINES)) * rng.choice([-1, 1], SIGHT_LINES)
    line = rng.integers(0, SIGHT_LINES, n)
    distance = np.empty(n)
    component = np.empty(n, dtype=int)
    for k in range(SIGHT_LINES):
        members = np.flatnonzero(line == k)
        if members.size == 0:
            continue
        density = _densities(s, lines_l[k], lines_b[k], DISTANCES_PC)
        counts = density.sum(axis=0) * DISTANCES_PC**3  # d^2 dd with dd proportional to d on a log grid
        cdf = np.cumsum(counts) / counts.sum()
        distance[members] = np.interp(rng.random(members.size), cdf, DISTANCES_PC)
        at_star = _densities(s, lines_l[k], lines_b[k], distance[members])
        chance = np.cumsum(at_star / at_star.sum(axis=0), axis=0)
        component[members] = (rng.random(members.size) > chance[:-1]).sum(axis=0)
    av = 3.1 * s.ebv_pole / np.abs(np.sin(lines_b[line]))
    return Placement(np.degrees(lines_l[line]), np.degrees(lines_b[line]), distance, av, component)
