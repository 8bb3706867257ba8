"""A large synthetic Gaia-like catalogue as partitioned Parquet, for catalogue-scale runs and their benchmarks.

Rows are drawn (with their natural weights) from the built-in population, keep its Gaia DR3 column names and
observed values, and get fresh multiplicative noise (1 % in Teff, 2 % in radius, 0.01 mag in G) so no two
rows are copies; source_id counts from 1. Ten million rows take about a second per million.
"""

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.outputs import usual_mode
from stellarnn.errors import UserInputError

COLUMNS = ("source_id", "phot_g_mean_mag", "teff_gspphot", "radius_gspphot")
BASE_STARS = 100_000


def write_catalogue(out_dir: Path, rows: int, partitions: int, seed: int = 1, population_config_path=None,
                    progress=None) -> list[Path]:  # fmt: skip
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population

    if rows < 1 or not 1 <= partitions <= rows:
        raise UserInputError(f"need rows >= 1 and 1 <= partitions <= rows, got {rows:,} rows in {partitions}")
    base = population(population_config.load(population_config_path), BASE_STARS, seed).frame
    base = base[np.isfinite(base["teff_gspphot"]) & np.isfinite(base["radius_gspphot"])]
    weight = base["weight"].to_numpy() / base["weight"].sum()
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    edges = np.linspace(0, rows, partitions + 1).astype(np.int64)
    paths = []
    for i, (first, last) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        pick = base.iloc[rng.choice(len(base), last - first, p=weight)]
        n = len(pick)
        frame = pd.DataFrame({
            "source_id": np.arange(first + 1, last + 1, dtype=np.int64),
            "phot_g_mean_mag": pick["phot_g_mean_mag"].to_numpy() + rng.normal(0, 0.01, n),
            "teff_gspphot": pick["teff_gspphot"].to_numpy() * np.exp(rng.normal(0, 0.01, n)),
            "radius_gspphot": pick["radius_gspphot"].to_numpy() * np.exp(rng.normal(0, 0.02, n)),
        })  # fmt: skip
        path = out_dir / f"part-{i:05d}.parquet"
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=out_dir)
        os.close(fd)
        frame.to_parquet(tmp, index=False)
        usual_mode(tmp)
        os.replace(tmp, path)
        paths.append(path)
        if progress:
            progress(f"wrote {path.name} ({last:,} of {rows:,} rows)")
    for stale in set(out_dir.glob("part-*.parquet")) - set(paths):  # an earlier, larger catalogue's partitions
        stale.unlink()
    return paths
