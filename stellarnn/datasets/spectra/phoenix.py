"""Spectrum grids from a PHOENIX download (`stellarnn fetch phoenix`): the real library's spectra made into
the same grid the synthesizer's are, so `train spectra --data phoenix` needs nothing else.

Each spectrum is put into air wavelengths, continuum-normalised, interpolated onto the synthesis window's
ln-lambda pixels, then rotated to every v sin i of the config's grid and downsampled like synthetic ones.
PHOENIX-ACES gives absolute fluxes without a continuum, so the continuum is fitted: the upper envelope of
the spectrum (a high percentile in bins of a few Angstrom, then a low-order polynomial through those,
refitted without bins that fall well below it, where lines crowd).
"""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra.files import vacuum_to_air
from stellarnn.datasets.spectra.grid import Grid, SpectrumGrid, cache_dir, read_grid, store_grid
from stellarnn.datasets.spectra.synthesize import Synthesis, wavelengths
from stellarnn.errors import UserInputError


def continuum_normalise(wavelength_A, flux, bin_A: float = 5.0, percentile: float = 95.0, degree: int = 3,
                        rounds: int = 4, tolerance: float = 0.01) -> np.ndarray:  # fmt: skip
    """flux / fitted continuum (see the module docstring)."""
    edges = np.arange(wavelength_A[0], wavelength_A[-1] + bin_A, bin_A)
    which = np.digitize(wavelength_A, edges)
    bins = [b for b in np.unique(which) if (which == b).sum() >= 5]
    x = np.array([wavelength_A[which == b].mean() for b in bins])
    y = np.array([np.percentile(flux[which == b], percentile) for b in bins])
    centre, width = wavelength_A.mean(), np.ptp(wavelength_A) / 2
    keep = np.ones(x.size, dtype=bool)
    for _ in range(rounds):
        coefficients = np.polyfit((x[keep] - centre) / width, y[keep], degree)
        fitted = np.polyval(coefficients, (x - centre) / width)
        keep = y >= fitted * (1 - tolerance)
        if keep.sum() <= degree + 1:
            break
    return flux / np.polyval(coefficients, (wavelength_A - centre) / width)


def phoenix_grid(table_path: Path, manifest: dict, s: Synthesis, g: Grid, progress=None) -> SpectrumGrid:
    """The downloaded spectra as a training grid (cached by download, synthesis window and grid)."""
    start = time.perf_counter()
    where = cache_dir("phoenix", str(table_path), manifest.get("files"), s.__dict__, g.__dict__)
    if (where / "manifest.json").is_file():
        return read_grid(where, True, start)
    say = progress or (lambda *_: None)
    table = pd.read_parquet(table_path)
    air = vacuum_to_air(table["wavelength_A"].to_numpy(dtype=float))
    target = wavelengths(s)
    if air[0] > target[0] or air[-1] < target[-1]:
        raise UserInputError(
            f"{table_path}: the PHOENIX download covers {air[0]:.1f}-{air[-1]:.1f} A (air), the spectra config needs "
            f"{target[0]:.1f}-{target[-1]:.1f} A: fetch it with --wave-min/--wave-max around that window"
        )
    spectra = manifest["spectra"]
    intrinsic = np.empty((len(spectra), target.size), dtype=np.float32)
    for i, spectrum in enumerate(spectra):
        normalised = continuum_normalise(air, table[spectrum["column"]].to_numpy(dtype=float))
        intrinsic[i] = np.interp(target, air, normalised)
    points = pd.DataFrame([{k: p[k] for k in ("teff_K", "logg_cgs", "mh_dex")} for p in spectra])
    say(f"{len(points):,} PHOENIX spectra normalised; rotating to {len(g.vsini_kms)} v sin i")
    store_grid(where, s, g, points, intrinsic, {"source": "PHOENIX", "download": str(table_path)}, say)
    return read_grid(where, False, start)
