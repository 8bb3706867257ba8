"""Training grids from the user's own spectra: a table (CSV, ECSV, Parquet, FITS, VOTable) with a ``file``
column (paths relative to the table) and the labels ``teff_K``, ``logg_cgs``, ``mh_dex`` and, optionally,
``vsini_kms`` (for every row, or the column is absent). Every spectrum is read, checked and prepared as `predict
spectra` prepares it with every step on (datasets/spectra/prepare.py: masks, continuum fit, radial velocity
-- measured against the synthesizer's spectrum at the row's own labels -- and resolution matched down to the
config's R when the file gives the instrument's), so a network reads its training spectra and the spectra it
is later given alike. They are observed spectra already, so no instrument is added; without a ``vsini_kms``
column each is rotated to every v sin i of the config's grid. Not cached: the files are the user's and may
change.
"""

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra import LABELS
from stellarnn.datasets.spectra.files import read_spectrum
from stellarnn.datasets.spectra.grid import Grid, SpectrumGrid, downsample
from stellarnn.datasets.spectra.prepare import EVERY_STEP, on_grid, star_templates, stock_templates
from stellarnn.datasets.spectra.synthesize import Synthesis, observe, wavelengths
from stellarnn.errors import UserInputError


def user_grid(table_path: Path, s: Synthesis, g: Grid) -> SpectrumGrid:
    from stellarnn.datasets.tables import read_table

    start = time.perf_counter()
    table = read_table(table_path).to_pandas()
    needed = ["file", *LABELS[:3]]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise UserInputError(f"{table_path}: a spectrum grid table needs the columns {', '.join(needed)} "
                             f"(and optionally vsini_kms); missing {', '.join(missing)}")  # fmt: skip
    labels = table[[c for c in LABELS if c in table.columns]].apply(pd.to_numeric, errors="coerce")
    bad = labels.isna().any(axis=1) | table["file"].isna()
    if bad.any():
        raise UserInputError(f"{table_path}: row {int(np.flatnonzero(bad)[0]) + 1} needs a file and numeric labels")
    target = wavelengths(s)
    spectra = [read_spectrum(table_path.parent / str(f)) for f in table["file"]]
    rotation = labels["vsini_kms"] if "vsini_kms" in labels else pd.Series(0.0, index=labels.index)
    window = (float(target[0]), float(target[-1]))
    own = star_templates(window, np.column_stack([labels[list(LABELS[:3])], rotation]))
    stock = stock_templates(window)
    flux = np.stack([on_grid(spectrum, target, s.resolution, EVERY_STEP, [template, stock], str(name))[0]
                     for spectrum, template, name in zip(spectra, own, table["file"], strict=True)])  # fmt: skip
    if "vsini_kms" in labels:
        stored, frame = flux, labels
    else:
        rotate_only = replace(s, resolution=0.0)
        stored = np.concatenate([observe(rotate_only, flux, v) for v in g.vsini_kms])
        frame = pd.concat([labels.assign(vsini_kms=float(v)) for v in g.vsini_kms], ignore_index=True)
    return SpectrumGrid(
        flux=downsample(stored, g.downsample).astype(np.float32),
        labels=frame.reset_index(drop=True),
        wavelength_A=downsample(target, g.downsample),
        path=table_path,
        cached=False,
        seconds=time.perf_counter() - start,
    )
