"""Spectra at atmospheres drawn at random inside a grid's box, to train between the grid's points.

A network trained only on grid points sees Teff in steps of 250 K and [M/H] in steps of 0.5 dex, and a star
(or a held-out grid point) between them is an interpolation it was never shown. Drawing atmospheres
uniformly in Teff, in log g above the grid's missing corners, and in [M/H], each rotated at a few v sin i
drawn uniformly over the grid's range, fills the box. The draws are reproducible from their seed and cached
like grids.
"""

import time
from dataclasses import asdict

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra import LABELS
from stellarnn.datasets.spectra.grid import Grid, SpectrumGrid, cache_dir, lowest_logg, read_grid, store_grid
from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra


def drawn_atmospheres(g: Grid, n: int, rng: np.random.Generator) -> pd.DataFrame:
    teff = rng.uniform(g.teff_K[0], g.teff_K[1], n)
    logg = rng.uniform(lowest_logg(g, teff), g.logg_cgs[1])
    metallicity = rng.uniform(min(g.mh_dex), max(g.mh_dex), n)
    return pd.DataFrame(dict(zip(LABELS[:3], (teff, logg, metallicity), strict=True)))


def drawn_spectra(s: Synthesis, g: Grid, atmospheres: int, rotations: int, seed: int, progress=None) -> SpectrumGrid:
    """``atmospheres`` x ``rotations`` noise-free spectra, from the cache when they were made before."""
    start = time.perf_counter()
    where = cache_dir("drawn", asdict(s), asdict(g), atmospheres, rotations, seed)
    if (where / "manifest.json").is_file():
        return read_grid(where, True, start)
    rng = np.random.default_rng(seed)
    points = drawn_atmospheres(g, atmospheres, rng)
    vsini = rng.uniform(min(g.vsini_kms), max(g.vsini_kms), (rotations, atmospheres))
    say = progress or (lambda *_: None)
    say(f"synthesising {atmospheres:,} drawn atmospheres x {rotations} v sin i")

    def every_thousand(done: int, n: int) -> None:
        if done % 1000 == 0:
            say(f"  {done:,} of {n:,} atmospheres")

    intrinsic = intrinsic_spectra(s, points["teff_K"], points["logg_cgs"], points["mh_dex"], every_thousand)
    store_grid(where, s, g, points, intrinsic, {"source": "built-in synthesizer, drawn", "seed": seed}, say, vsini)
    return read_grid(where, False, start)
