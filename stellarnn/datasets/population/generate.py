"""The built-in population end to end: priors -> SSE states -> photometry -> Gaia-like observations -> labels.

Results are cached under the stellarnn home by a hash of the config, the number of stars, the seed and the
versions of the codes that make them, so the same request gives the same file without recomputing.
"""

import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.population import interpolation, observation, sampling, tracks
from stellarnn.datasets.population.config import PopulationConfig
from stellarnn.datasets.population.photometry import bolometric_corrections
from stellarnn.extras import need
from stellarnn.home import home
from stellarnn.physics.constants import LOGG_SUN_CGS
from stellarnn.physics.engine import LABEL_COLUMNS, NUMERIC_COLUMNS, SCHEMES, derive
from stellarnn.version import __version__

STAGE_NAMES = tracks.PHASES + ("white dwarf",)
LABEL_SCHEMES = tuple(SCHEMES)


def code_versions() -> tuple[str, ...]:
    """Every cached population or grid is keyed by these, so every path to one first checks the extra."""
    for module in ("cosmic", "lachesis"):  # not imported: COSMIC is run in a spawned process
        need(module, "population", "the built-in star population", load=False)
    return (__version__, version("cosmic-popsynth"), version("astrolachesis"))


def cache_dir() -> Path:
    return home() / "cache"


def track_grid(config: PopulationConfig, progress=None) -> tracks.TrackGrid:
    """The SSE grid for this config: built once (about a minute on 2 cores), then read from the cache."""
    path = cache_dir() / "tracks" / f"sse-{config.grid_digest(code_versions())}.npz"
    if path.is_file():
        return tracks.TrackGrid.load(path)
    g = config.grid
    if progress:
        progress(f"building the SSE evolution grid ({g.n_masses} masses x {len(g.metallicities)} metallicities, once)")
    grid = tracks.build(
        np.geomspace(g.min_mass, g.max_mass, g.n_masses),
        g.metallicities,
        samples_per_phase=g.samples_per_phase,
        end_myr=g.end_myr,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    grid.save(path)
    return grid


def population_path(config: PopulationConfig, n: int, seed: int) -> Path:
    return cache_dir() / "population" / f"population-{config.digest(n, seed, code_versions())}.parquet"


@dataclass
class Generated:
    frame: pd.DataFrame
    path: Path
    cached: bool
    seconds: float


def population(config: PopulationConfig, n: int, seed: int, progress=None, keep: bool = True) -> Generated:
    """n visible stars (neutron stars, black holes and massless remnants are drawn but left out).

    ``keep=False`` is for callers that use the stars once (as chunks) and cache their own result."""
    start = time.perf_counter()
    path = population_path(config, n, seed)
    if path.is_file():
        return Generated(pd.read_parquet(path), path, True, time.perf_counter() - start)
    frame = _generate(config, n, seed, progress)
    if not keep:
        return Generated(frame, path, False, time.perf_counter() - start)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return Generated(frame, path, False, time.perf_counter() - start)


def _draw_visible(grid, priors, rng, n):
    """Draw in batches until n stars are visible; returns initial mass, [M/H], age, weight and states."""
    lifetime = lambda m, z: interpolation.remnant_formation_myr(grid, m, z)  # noqa: E731
    parts, have = [], 0
    while have < n:
        batch = max(1000, int(1.3 * (n - have)))
        mass, mh, age, weight = sampling.draw(priors, lifetime, rng, batch)
        states = interpolation.evaluate(grid, mass, sampling.SOLAR_Z * 10**mh, age)
        keep = states.stage != interpolation.DARK_REMNANT
        parts.append((mass[keep], mh[keep], age[keep], weight[keep], {k: v[keep] for k, v in vars(states).items()}))
        have += int(keep.sum())
    cat = lambda i: np.concatenate([p[i] for p in parts])[:n]  # noqa: E731
    states = {k: np.concatenate([p[4][k] for p in parts])[:n] for k in parts[0][4]}
    return cat(0), cat(1), cat(2), cat(3), states


def _generate(config: PopulationConfig, n: int, seed: int, progress) -> pd.DataFrame:
    grid = track_grid(config, progress)
    rng = np.random.default_rng(seed)
    initial_mass, mh, age, weight, states = _draw_visible(grid, sampling.Priors(config), rng, n)

    log_lum, log_radius, mass = states["log_lum"], states["log_radius"], states["mass"]
    logg = LOGG_SUN_CGS + np.log10(mass) - 2 * log_radius
    derived = derive(None, 10**log_lum, 10**log_radius, scheme="default")  # Teff from Stefan-Boltzmann
    teff = derived.values["teff_K"]
    true = {
        "teff_K": teff,
        "lum_Lsun": 10**log_lum,
        "radius_Rsun": 10**log_radius,
        "mass_Msun": mass,
        "initial_mass_Msun": initial_mass,
        "age_Myr": age,
        "mh_dex": mh,
        "logg_cgs": logg,
    }
    bcs = bolometric_corrections()
    absolute = bcs.absolute_magnitudes(teff, logg, mh, log_lum)

    distance, av = observation.place(config, rng, n)
    extincted = bcs.absolute_magnitudes(teff, logg, mh, log_lum, av)
    modulus = 5 * np.log10(distance / 10.0)
    apparent = {
        "phot_g_mean_mag": extincted["abs_g_mag"] + modulus,
        "phot_bp_mean_mag": extincted["abs_bp_mag"] + modulus,
        "phot_rp_mean_mag": extincted["abs_rp_mag"] + modulus,
    }
    observed = observation.observe(config, rng, true, apparent, distance)

    columns = {
        "star_id": np.arange(n),
        **true,
        "stage": np.array(STAGE_NAMES, dtype=object)[states["stage"]],
        "remnant_kstar": states["remnant_kstar"],
        **absolute,
        "weight": weight,
        "distance_pc": distance,
        "av_mag": av,
        **observed,
    }
    for scheme in LABEL_SCHEMES:
        labels = derive(teff, true["lum_Lsun"], true["radius_Rsun"], mv=absolute["abs_v_mag"], scheme=scheme).columns()
        for name in (*NUMERIC_COLUMNS, "bc_mag", *LABEL_COLUMNS):
            columns[f"{scheme}__{name}"] = labels[name]
    return pd.DataFrame(columns)
