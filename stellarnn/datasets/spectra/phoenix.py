"""Spectrum grids from a PHOENIX download (`stellarnn fetch phoenix`): the real library's spectra made into
the same grid the synthesizer's are, so `train spectra --data phoenix` needs nothing else.

Each spectrum is put into air wavelengths, continuum-normalised, interpolated onto the synthesis window's
ln-lambda pixels, then rotated to every v sin i of the config's grid and downsampled like synthetic ones.
PHOENIX-ACES gives absolute fluxes without a continuum, so the continuum is fitted with the one fit observed
spectra get before they are read (prepare.continuum: an iteratively clipped polynomial), so training and
prediction normalise alike.
"""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra.grid import Grid, SpectrumGrid, cache_dir, read_grid, store_grid
from stellarnn.datasets.spectra.prepare import continuum
from stellarnn.datasets.spectra.spectrum_tables import vacuum_to_air
from stellarnn.datasets.spectra.synthesize import Synthesis, wavelengths
from stellarnn.errors import UserInputError


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
        flux = table[spectrum["column"]].to_numpy(dtype=float)
        normalised = flux / continuum(air, flux, np.isfinite(flux))
        intrinsic[i] = np.interp(target, air, normalised)
    points = pd.DataFrame([{k: p[k] for k in ("teff_K", "logg_cgs", "mh_dex")} for p in spectra])
    say(f"{len(points):,} PHOENIX spectra normalised; rotating to {len(g.vsini_kms)} v sin i")
    store_grid(where, s, g, points, intrinsic, {"source": "PHOENIX", "download": str(table_path)}, say)
    return read_grid(where, False, start)
