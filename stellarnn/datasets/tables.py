"""Read and write star tables in CSV, ECSV, Parquet, FITS and VOTable through astropy's unified Table I/O.

Writes go to a temporary file that is renamed into place, so an interrupted run never leaves a file that
looks complete.
"""

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError

FORMATS = {
    ".csv": "ascii.csv",
    ".ecsv": "ascii.ecsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".fits": "fits",
    ".fit": "fits",
    ".vot": "votable",
    ".votable": "votable",
    ".xml": "votable",
}


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserInputError(f"cannot tell the format of '{path}': use one of {', '.join(FORMATS)}")
    return FORMATS[suffix]


def read_table(path: str | Path):
    """An astropy Table; any reading problem becomes a one-line UserInputError."""
    from astropy.table import Table
    from astropy.utils.exceptions import AstropyWarning

    path = Path(path)
    fmt = table_format(path)
    if not path.is_file():
        raise UserInputError(f"input file '{path}' does not exist")
    try:
        with warnings.catch_warnings():  # e.g. Parquet written by pandas lacks astropy's string-length metadata
            warnings.simplefilter("ignore", AstropyWarning)
            return Table.read(path, format=fmt)
    except Exception as exc:  # astropy raises many types for unreadable files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserInputError(f"cannot read '{path}' as {fmt}: {reason}") from None


def float_column(table, name: str) -> tuple[np.ndarray, dict[int, str]]:
    """Column as float64 with NaN for empty/masked cells, plus {row: reason} for cells that are not numbers."""
    import pandas as pd

    column = table[name]
    mask = np.ma.getmaskarray(column)
    raw = np.ma.getdata(column)
    if raw.dtype.kind in "fiu":
        values = raw.astype(float)
        values[mask] = np.nan
        return values, {}
    text = np.char.strip(raw.astype(str))
    values = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=float, copy=True)
    empty = mask | (text == "")
    values[empty] = np.nan
    bad = np.flatnonzero(np.isnan(values) & ~empty & (np.char.lower(text) != "nan"))
    return values, {int(i): f"{name} = '{text[i]}' is not a number" for i in bad}


def write_table(table, path: str | Path) -> None:
    """Write atomically in the format the suffix names (overwrites an existing file)."""
    path = Path(path)
    fmt = table_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        table.write(tmp, format=fmt, overwrite=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
