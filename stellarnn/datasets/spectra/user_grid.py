"""Training grids from the user's own spectra: a table (CSV, ECSV, Parquet, FITS, VOTable) with a ``file``
column (paths relative to the table) and the labels ``teff_K``, ``logg_cgs``, ``mh_dex`` and, optionally,
``vsini_kms``. Every spectrum is read and checked like `predict spectrum` input, resampled onto the synthesis
window; spectra with a v sin i are kept as they are, spectra without one are rotated to each v sin i of the
config's grid. Not cached: the files are the user's and may change.
"""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.spectra import LABELS
from stellarnn.datasets.spectra.files import read_spectrum, resample
from stellarnn.datasets.spectra.grid import Grid, SpectrumGrid, downsample
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
    target = wavelengths(s)
    flux = np.stack([resample(read_spectrum(table_path.parent / f), target, str(f)) for f in table["file"]])
    labels = table[[c for c in LABELS if c in table.columns]].astype(float)
    if labels.isna().any().any():
        raise UserInputError(
            f"{table_path}: labels must all be numbers (row {int(labels.isna().any(axis=1).argmax())})"
        )
    if "vsini_kms" in labels:
        stored, frame = flux, labels
    else:
        stored = np.concatenate([observe(s, flux, v) for v in g.vsini_kms])
        frame = pd.concat([labels.assign(vsini_kms=float(v)) for v in g.vsini_kms], ignore_index=True)
    return SpectrumGrid(
        flux=downsample(stored, g.downsample).astype(np.float32),
        labels=frame.reset_index(drop=True),
        wavelength_A=downsample(target, g.downsample),
        path=table_path,
        cached=False,
        seconds=time.perf_counter() - start,
    )
