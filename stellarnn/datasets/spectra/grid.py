"""Grids of synthetic spectra: every (Teff, log g, [M/H]) point synthesised once, then rotated to every
v sin i, downsampled and stored in the cache as a memory-mapped float32 array with its labels.

The seed's grid: Teff 3500-9750 K by 250, log g 0-5 by 0.5 from a Teff-dependent minimum (hot
supergiants are missing), [M/H] -2.5..+0.5 by 0.5, 29 v sin i values: 253 x 7 x 29 = 51,359 spectra.
"""

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra import LABELS
from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe, wavelengths
from stellarnn.home import home

CHUNK = 256  # atmospheres rotated at once


@dataclass(frozen=True)
class Grid:
    """Which spectra (the [grid] section of configs/spectra*.toml)."""

    teff_K: tuple[float, float, float]  # start, stop (inclusive), step
    logg_cgs: tuple[float, float, float]
    min_logg: tuple[tuple[float, float], ...]  # (from this Teff on, lowest log g): the seed's missing corners
    mh_dex: tuple[float, ...]
    vsini_kms: tuple[float, ...]
    downsample: int  # average this many pixels into one (the seed: 4, 29,788 -> 7,447)


@dataclass
class SpectrumGrid:
    flux: np.ndarray  # (spectra, pixels) float32, memory-mapped when read from the cache
    labels: pd.DataFrame  # LABELS per spectrum
    wavelength_A: np.ndarray
    path: Path
    cached: bool
    seconds: float


def _axis(start: float, stop: float, step: float) -> np.ndarray:
    return np.round(np.arange(start, stop + step / 2, step), 6)


def lowest_logg(g: Grid, teff):
    """The grid's smallest log g at each Teff: the last min_logg entry whose Teff has been reached."""
    pairs = sorted(g.min_logg) or [(-np.inf, -np.inf)]
    starts, lowest = (np.array(column, dtype=float) for column in zip(*pairs, strict=True))
    entry = np.searchsorted(starts, teff, side="right") - 1
    return np.maximum(np.where(entry >= 0, lowest[np.maximum(entry, 0)], -np.inf), g.logg_cgs[0])


def atmosphere_points(g: Grid) -> pd.DataFrame:
    """(Teff, log g, [M/H]) of the grid, without the corners the seed left out."""
    rows = []
    for t in _axis(*g.teff_K):
        lowest = lowest_logg(g, t)
        rows += [(t, lg, mh) for lg in _axis(*g.logg_cgs) if lg >= lowest - 1e-9 for mh in g.mh_dex]
    return pd.DataFrame(rows, columns=list(LABELS[:3]))


def downsample(flux: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each run of ``factor`` pixels (a trailing remainder is dropped)."""
    usable = flux.shape[-1] // factor * factor
    return flux[..., :usable].reshape(*flux.shape[:-1], -1, factor).mean(axis=-1)


def code_version() -> str:
    """Digest of this package's code and data: a cached grid is remade when either changes."""
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py")) + sorted((here / "data").glob("*"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]


def cache_dir(kind: str, *key_parts) -> Path:
    key = json.dumps([*key_parts, code_version()], sort_keys=True, default=str)
    return home() / "cache" / "spectra" / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def spectrum_grid(s: Synthesis, g: Grid, progress=None) -> SpectrumGrid:
    """The grid's synthetic spectra (noise-free), from the cache when they were made before."""
    start = time.perf_counter()
    where = cache_dir("grid", asdict(s), asdict(g))
    if (where / "manifest.json").is_file():
        return read_grid(where, True, start)
    points = atmosphere_points(g)
    say = progress or (lambda *_: None)
    say(f"synthesising {len(points):,} atmospheres x {len(g.vsini_kms)} v sin i")
    intrinsic = intrinsic_spectra(s, points["teff_K"], points["logg_cgs"], points["mh_dex"],
                                  lambda done, n: say(f"  {done:,} of {n:,} atmospheres"))  # fmt: skip
    store_grid(where, s, g, points, intrinsic, {"source": "built-in synthesizer"}, say)
    return read_grid(where, False, start)


def store_grid(where: Path, s: Synthesis, g: Grid, points: pd.DataFrame, intrinsic: np.ndarray, about: dict,
               say, vsini: np.ndarray | None = None) -> None:  # fmt: skip
    """Rotate the intrinsic spectra (on the synthesis grid), downsample, and write the grid under a temporary
    name of its own that becomes ``where`` when complete (two runs building the same grid at once each write
    their own; the first to finish is kept). ``vsini`` (rotations, atmospheres) gives each atmosphere its own
    v sin i values; by default every atmosphere gets all of the grid's."""
    start = time.perf_counter()
    if vsini is None:
        vsini = np.repeat(np.asarray(g.vsini_kms, dtype=float)[:, None], len(points), axis=1)
    where.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{where.name}.partial-", dir=where.parent))
    pixels = s.pixels // g.downsample
    flux = np.lib.format.open_memmap(partial / "flux.npy", mode="w+", dtype=np.float32, shape=(vsini.size, pixels))
    labels = []
    for k, speeds in enumerate(vsini):
        for first in range(0, len(points), CHUNK):  # bounded memory: FFTs of a few hundred spectra at a time
            rows = slice(first, min(first + CHUNK, len(points)))
            into = slice(k * len(points) + rows.start, k * len(points) + rows.stop)
            flux[into] = _rotated(s, g, intrinsic[rows], speeds[rows])
        labels.append(points.assign(vsini_kms=speeds))
        say(f"  rotations {k + 1} of {len(vsini)}")
    flux.flush()
    del flux
    pd.concat(labels, ignore_index=True).to_csv(partial / "labels.csv", index=False)
    np.save(partial / "wavelength.npy", downsample(wavelengths(s), g.downsample))
    manifest = {**about, "synthesis": asdict(s), "grid": asdict(g), "code": code_version(),
                "spectra": int(vsini.size), "seconds": time.perf_counter() - start}  # fmt: skip
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if (where / "manifest.json").is_file():  # another run finished the same grid first
        shutil.rmtree(partial)
        return
    shutil.rmtree(where, ignore_errors=True)  # an incomplete leftover
    partial.rename(where)


def _rotated(s: Synthesis, g: Grid, intrinsic: np.ndarray, speeds: np.ndarray) -> np.ndarray:
    """Observed, downsampled spectra; one FFT pass for the block when its atmospheres share a v sin i."""
    if np.all(speeds == speeds[0]):
        return downsample(observe(s, intrinsic, float(speeds[0])), g.downsample)
    return np.concatenate([downsample(observe(s, one[None], float(v)), g.downsample)
                           for one, v in zip(intrinsic, speeds, strict=True)])  # fmt: skip


def read_grid(where: Path, cached: bool, start: float) -> SpectrumGrid:
    return SpectrumGrid(
        flux=np.load(where / "flux.npy", mmap_mode="r"),
        labels=pd.read_csv(where / "labels.csv"),
        wavelength_A=np.load(where / "wavelength.npy"),
        path=where,
        cached=cached,
        seconds=time.perf_counter() - start,
    )
