"""Read and write star tables in CSV, ECSV, Parquet, FITS and VOTable through astropy's unified Table I/O.

Units travel with the columns: a file's unit is converted to the one the project uses (a radius in km to R_sun,
a temperature in deg_C to K) or refused when it cannot be, and our columns are written with theirs (see
``schema.UNIT_SUFFIXES``). Writes go to a temporary file that is renamed into place, so an interrupted run never
leaves a file that looks complete.
"""

import os
import stat
import tempfile
import warnings
from pathlib import Path

import numpy as np

from stellarnn.datasets.schema import column_unit
from stellarnn.datasets.stdin import resolve
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
UNIT_FORMATS = {"ascii.ecsv", "parquet", "fits", "votable"}  # the formats that keep a column's unit


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UserInputError(f"cannot tell the format of '{path}': use one of {', '.join(FORMATS)}")
    return FORMATS[suffix]


def check_input_file(path: Path) -> None:
    """A readable regular file, or a one-line UserInputError saying what it is instead: astropy would report a
    directory as missing and wait forever on a named pipe."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise UserInputError(f"input file '{path}' does not exist") from None
    except OSError as exc:
        raise UserInputError(f"cannot read '{path}': {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise UserInputError(f"input '{path}' is a directory, not a table file")
    if not stat.S_ISREG(mode):
        raise UserInputError(f"input '{path}' is not a regular file (a named pipe or device?); save the table first")
    try:
        path.open("rb").close()
    except OSError as exc:
        raise UserInputError(f"cannot read '{path}': {exc.strerror}") from None


def check_unique_headers(path: Path, names) -> None:
    """Refuse repeated column headers: astropy would rename the copies (teff, teff_1) and use the first silently.
    Headers that differ only in case (teff, TEFF) are repeats too, as columns are matched regardless of case."""
    by_lower: dict[str, list[str]] = {}
    for name in map(str, names):
        by_lower.setdefault(name.lower(), []).append(name)
    repeated = [list(dict.fromkeys(spellings)) for spellings in by_lower.values() if len(spellings) > 1]
    if repeated:
        headed = "; ".join(" and ".join(repr(n) for n in spellings) for spellings in repeated)
        case = " (names are matched regardless of case)" if any(len(s) > 1 for s in repeated) else ""
        raise UserInputError(f"'{path}' has more than one column headed {headed}{case}; give each its own name")


def _text_header(path: Path, fmt: str) -> list[str]:
    """Column names of a CSV or ECSV file, parsed by astropy from the lines up to the header line."""
    from astropy.io import ascii

    lines = []
    with path.open(encoding="utf-8-sig", errors="replace") as file:  # -sig: without a byte-order mark
        for line in file:
            lines.append(line.rstrip("\r\n"))
            if line.strip() and not line.lstrip().startswith("#"):
                break
    reader = ascii.get_reader(ascii.Ecsv if fmt == "ascii.ecsv" else ascii.Csv)
    reader.header.get_cols(lines)
    return list(reader.header.names)


def _fits_header(path: Path) -> list[str]:
    """Column names of the first table HDU (the one astropy reads)."""
    from astropy.io import fits

    with fits.open(path) as hdus:
        header = next((h.header for h in hdus if isinstance(h, fits.BinTableHDU | fits.TableHDU)), None)
        return [] if header is None else [header.get(f"TTYPE{i}") for i in range(1, header["TFIELDS"] + 1)]


def _votable_header(path: Path) -> list[str]:
    """Column names of the first TABLE (ID, else name, as astropy names them), without reading its rows."""
    from xml.etree.ElementTree import iterparse

    names = []
    for _, element in iterparse(path, events=("start",)):
        tag = element.tag.rpartition("}")[2]
        if tag == "FIELD":
            names.append(element.get("ID") or element.get("name"))
        elif tag == "DATA" or (tag == "TABLE" and names):
            break
    return names


def _parquet_header(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    return pq.read_schema(path).names


def _header(path: Path, fmt: str) -> list[str]:
    """The column names as the file spells them, before astropy makes them unique."""
    if fmt.startswith("ascii."):
        return _text_header(path, fmt)
    return {"fits": _fits_header, "votable": _votable_header, "parquet": _parquet_header}[fmt](path)


def _read(path: Path, fmt: str, read):
    """``read(path)``, with any reading problem as a one-line UserInputError."""
    from astropy.utils.exceptions import AstropyWarning

    try:
        with warnings.catch_warnings():  # e.g. Parquet written by pandas lacks astropy's string-length metadata
            warnings.simplefilter("ignore", AstropyWarning)
            return read(path)
    except Exception as exc:  # astropy raises many types for unreadable files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserInputError(f"cannot read '{path}' as {fmt}: {reason}") from None


BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark, which spreadsheet programs put before a CSV's first header


def _read_text(path: Path, fmt: str):
    """A CSV or ECSV file as astropy reads it, without a byte-order mark: astropy would keep the mark in the first
    column's name (so that column would not be found as teff) and would not find an ECSV's '# %ECSV' line."""
    from astropy.table import Table

    with path.open("rb") as file:
        bom = file.read(len(BOM)) == BOM
    if not bom:
        return Table.read(path, format=fmt)
    text = path.read_text(encoding="utf-8-sig")  # the whole text, as astropy reads it anyway
    return Table.read(text if "\n" in text or "\r" in text else text + "\n", format=fmt)  # one line is not a path


def read_table(path: str | Path):
    """An astropy Table ('-': CSV on standard input); any reading problem becomes a one-line UserInputError."""
    from astropy.table import Table

    path = resolve(path)
    if path.suffix.lower() in FORMATS or os.path.isdir(path):  # a directory is said to be one, not format-less
        check_input_file(path)
    fmt = table_format(path)
    check_unique_headers(path, _read(path, fmt, lambda p: _header(p, fmt)))
    if fmt.startswith("ascii."):
        return _read(path, fmt, lambda p: _read_text(p, fmt))
    return _read(path, fmt, lambda p: Table.read(p, format=fmt))


def _check_scalar(column, name: str) -> None:
    """Refuse a column with an array in a cell (a FITS or ECSV vector column, a Parquet list): it is not one
    number per star, and numpy would fail on it with a traceback."""
    raw = np.ma.getdata(column)
    nested = raw.ndim > 1 or (raw.dtype.kind == "O" and any(np.ndim(x) > 0 for x in raw if not isinstance(x, str)))
    if nested:
        raise UserInputError(f"column '{name}' holds an array per row; one number per row is needed")


def _numbers(column, name: str) -> tuple[np.ndarray, dict[int, str]]:
    import pandas as pd

    _check_scalar(column, name)
    mask = np.ma.getmaskarray(column)
    raw = np.asarray(np.ma.getdata(column))  # a plain array: a Column would carry its unit into the arithmetic
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


def _logarithm(unit) -> str | None:
    """'dex' or 'mag' for a logarithmic unit, whatever it is the logarithm of (dex(cm/s2), mag(AB)); else None."""
    import astropy.units as u

    if unit == u.dex or isinstance(unit, u.DexUnit):
        return "dex"
    return "mag" if unit == u.mag or isinstance(unit, u.MagUnit) else None


def in_unit(values: np.ndarray, have, want: str, name: str) -> np.ndarray:
    """``values`` of column ``name``, given in the file's unit ``have``, in ``want``. No unit (or a dimensionless
    one) means the values are in ``want`` already. A logarithm astropy cannot convert (dex for log g, [Sun] for
    [Fe/H], Gaia's 'log(cgs)', mag(AB) for a magnitude) is taken as it is; any other unit that cannot be converted
    is refused."""
    import astropy.units as u

    if have is None or have == u.dimensionless_unscaled:
        return values
    with u.imperial.enable():  # by astropy's own names, deg_F included: a VOTable's 'deg_C' is Celsius
        have = u.Unit(have.to_string(), parse_strict="silent")
    want = u.Unit(want)
    if isinstance(have, u.UnrecognizedUnit):
        if _logarithm(want):
            return values
        raise UserInputError(f"column '{name}' has unit '{have}', which astropy does not know; expected {want}")
    try:
        return (values * have).to_value(want, equivalencies=u.temperature())
    except u.UnitsError:
        if _logarithm(want) and _logarithm(have) == _logarithm(want):
            return values
        raise UserInputError(f"column '{name}' has unit '{have}', which cannot be converted to {want}") from None


def float_column(table, name: str, unit: str | None = None) -> tuple[np.ndarray, dict[int, str]]:
    """Column as float64 with NaN for empty/masked cells, plus {row: reason} for cells that are not numbers; with
    ``unit``, in that unit whatever unit the file gives the column."""
    values, bad = _numbers(table[name], name)
    have = getattr(table[name], "unit", None)
    return (in_unit(values, have, unit, name) if unit else values), bad


def with_units(table):
    """A shallow copy whose numeric columns named in our convention carry their unit (teff_K: K), so a reader of
    the file is told what the numbers are in; a unit a column already has is kept."""
    from astropy.table import Column

    out = table.copy(copy_data=False)
    for column in out.itercols():
        unit = column_unit(column.info.name)
        if unit and isinstance(column, Column) and column.unit is None and column.dtype.kind in "fiu":
            column.unit = unit
    return out


def write_table(table, path: str | Path) -> None:
    """Write atomically in the format the suffix names (overwrites an existing file), with units where the format
    keeps them."""
    from astropy.units import UnitsWarning

    path = Path(path)
    fmt = table_format(path)
    if fmt in UNIT_FORMATS:
        table = with_units(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():  # VOUnit prefers 0.1 nm; Angstrom is what the _A columns are in
            warnings.filterwarnings("ignore", "The unit 'Angstrom' has been deprecated", UnitsWarning)
            table.write(tmp, format=fmt, overwrite=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
