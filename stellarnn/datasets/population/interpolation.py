"""Stars of any initial mass, metallicity and age, interpolated from a :class:`TrackGrid`.

For a star between grid masses and metallicities, the four surrounding tracks are blended with bilinear
weights in (log M, log Z): first the phase start times (in log time), which fixes the star's phase and its
fraction of that phase; then the four tracks' states at that same phase and fraction. A track that skips the
phase gives no state and the others' weights are renormalised. After the last phase the star is a remnant:
white dwarfs cool by SSE's law (:mod:`remnants`), neutron stars, black holes and massless remnants are
flagged so callers can leave them out of an optical catalogue.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.population import remnants
from stellarnn.datasets.population.tracks import ALIVE, N_PHASES, TrackGrid

WHITE_DWARF = N_PHASES  # stage code after the nine nuclear phases
DARK_REMNANT = N_PHASES + 1  # neutron star, black hole or nothing: not visible in an optical catalogue


@dataclass(frozen=True)
class StarStates:
    stage: np.ndarray  # phase index 0-8, WHITE_DWARF or DARK_REMNANT
    log_lum: np.ndarray
    log_radius: np.ndarray
    mass: np.ndarray  # current mass, M_sun
    remnant_kstar: np.ndarray  # SSE type of the remnant (10-12 for white dwarfs), ALIVE before


def _bracket(grid_values, x):
    """Lower index and weight of the upper neighbour, clamped to the grid."""
    x = np.clip(x, grid_values[0], grid_values[-1])
    i = np.clip(np.searchsorted(grid_values, x, side="right") - 1, 0, len(grid_values) - 2)
    return i, (x - grid_values[i]) / (grid_values[i + 1] - grid_values[i])


def _corners(grid: TrackGrid, initial_mass, metallicity):
    """The four surrounding tracks as (mass index, Z index, bilinear weight)."""
    im, wm = _bracket(grid.log_mass, np.log10(initial_mass))
    iz, wz = _bracket(grid.log_z, np.log10(metallicity))
    return [
        (im, iz, (1 - wm) * (1 - wz)),
        (im + 1, iz, wm * (1 - wz)),
        (im, iz + 1, (1 - wm) * wz),
        (im + 1, iz + 1, wm * wz),
    ]


def remnant_formation_myr(grid: TrackGrid, initial_mass, metallicity):
    """When a star leaves its last nuclear phase (the grid's end time if it never does)."""
    return 10 ** sum(w * np.log10(grid.starts[a, b, N_PHASES]) for a, b, w in _corners(grid, initial_mass, metallicity))


def evaluate(grid: TrackGrid, initial_mass, metallicity, age_myr) -> StarStates:
    n = len(initial_mass)
    corners = _corners(grid, initial_mass, metallicity)

    # Phase boundaries blend in log time; the main sequence starts at 0 for every track.
    log_later = sum(w[:, None] * np.log10(grid.starts[a, b, 1:]) for a, b, w in corners)
    starts = np.concatenate([np.zeros((n, 1)), 10**log_later], axis=1)
    stage = np.sum(age_myr[:, None] >= starts[:, 1:], axis=1)  # 0..N_PHASES
    evolving = stage < N_PHASES
    p = np.minimum(stage, N_PHASES - 1)
    rows = np.arange(n)
    duration = starts[rows, p + 1] - starts[rows, p]
    fraction = np.where(evolving & (duration > 0), (age_myr - starts[rows, p]) / np.where(duration > 0, duration, 1), 0)

    blended = np.zeros((n, 3))
    total = np.zeros(n)
    for a, b, w in corners:
        track = grid.states[a, b, p]  # (n, K, 3)
        usable = ~np.isnan(track[:, 0, 0]) & (w > 0)
        k = np.clip(np.searchsorted(grid.fractions, fraction, side="right") - 1, 0, len(grid.fractions) - 2)
        f0, f1 = grid.fractions[k], grid.fractions[k + 1]
        t = ((fraction - f0) / (f1 - f0))[:, None]
        state = track[rows, k] * (1 - t) + track[rows, k + 1] * t
        weight = np.where(usable, w, 0.0)
        blended += np.nan_to_num(state) * weight[:, None]
        total += weight
    with np.errstate(invalid="ignore"):
        blended /= total[:, None]

    remnant_kstar, remnant_mass = _remnant(grid, corners)
    white_dwarf = ~evolving & (remnant_kstar >= 10) & (remnant_kstar <= 12)
    cooling_age = np.maximum(age_myr - starts[:, N_PHASES], 0.0)
    wd_mass = np.where(white_dwarf, remnant_mass, 0.6)  # placeholder mass keeps the formulas finite elsewhere
    wd_lum = remnants.white_dwarf_luminosity(wd_mass, cooling_age, metallicity, remnant_kstar)
    wd_radius = remnants.white_dwarf_radius(wd_mass)

    stage = np.where(evolving, stage, np.where(white_dwarf, WHITE_DWARF, DARK_REMNANT))
    return StarStates(
        stage=stage.astype(np.int8),
        log_lum=np.where(white_dwarf, np.log10(wd_lum), np.where(evolving, blended[:, 0], np.nan)),
        log_radius=np.where(white_dwarf, np.log10(wd_radius), np.where(evolving, blended[:, 1], np.nan)),
        mass=np.where(white_dwarf, remnant_mass, np.where(evolving, blended[:, 2], np.nan)),
        remnant_kstar=np.where(evolving, ALIVE, remnant_kstar).astype(np.int8),
    )


def _remnant(grid: TrackGrid, corners):
    """Remnant type of the nearest corner that has one; its mass blended over corners of the same type."""
    weights = np.stack([w for _, _, w in corners])
    kstars = np.stack([grid.remnant_kstar[a, b] for a, b, _ in corners])
    masses = np.stack([grid.remnant_mass[a, b] for a, b, _ in corners])
    has = kstars != ALIVE
    nearest = np.argmax(np.where(has, weights, -1.0), axis=0)
    kstar = kstars[nearest, np.arange(weights.shape[1])]
    same = has & (kstars == kstar)
    w = np.where(same, weights + 1e-12, 0.0)
    mass = np.sum(np.nan_to_num(masses) * w, axis=0) / np.maximum(np.sum(w, axis=0), 1e-300)
    return kstar, mass
