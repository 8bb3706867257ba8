"""The built-in cluster set for a config: simulated once, then read from the cache under the stellarnn home."""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from stellarnn.datasets.clusters.simulate import ClusterSet, Simulation, simulate
from stellarnn.home import home

FIELD_STARS = 50_000  # built-in population stars the field contaminants are drawn from


def cache_path(sim: Simulation, seed: int) -> Path:
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import code_versions

    population = population_config.load(sim.population)
    payload = json.dumps([asdict(sim), population.digest(FIELD_STARS, seed), code_versions()], sort_keys=True)
    return home() / "cache" / "clusters" / f"clusters-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


def cluster_set(sim: Simulation, seed: int, progress=None) -> ClusterSet:
    """sim.clusters synthetic clusters (members and labels), reproducible from the seed."""
    path = cache_path(sim, seed)
    if (path / "clusters.parquet").is_file():
        return ClusterSet(pd.read_parquet(path / "members.parquet"), pd.read_parquet(path / "clusters.parquet"))
    from stellarnn.datasets.clusters.isochrone import stellar_models
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population

    config = population_config.load(sim.population)
    models = stellar_models(config, progress)
    if progress:
        progress(f"drawing {FIELD_STARS:,} field stars from the built-in population")
    field = population(config, FIELD_STARS, seed=seed).frame
    made = simulate(sim, models, field, sim.clusters, seed, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    made.members.to_parquet(partial / "members.parquet", index=False)
    made.clusters.to_parquet(partial / "clusters.parquet", index=False)
    try:
        os.rename(partial, path)
    except OSError:  # another run finished the same set first: keep theirs
        shutil.rmtree(partial, ignore_errors=True)
    return made
