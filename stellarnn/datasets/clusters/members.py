"""A user's (or Cantat-Gaudin's) member table in the one shape the cluster code uses.

Columns are matched by name: our own, Gaia archive names and VizieR's (Gmag, BP-RP, plx, PMemb/proba, Cluster).
Tables: CSV, ECSV, Parquet, FITS, VOTable, or a VizieR tab-separated export (.tsv, with its units and dashes
lines). A table without a cluster column is one cluster, named after the file.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from stellarnn.datasets.schema import find_column, input_unit
from stellarnn.datasets.tables import check_input_file, check_unique_headers, float_column, read_table
from stellarnn.errors import UserInputError

ALIASES = {
    "g_mag": ("g_mag", "Gmag", "phot_g_mean_mag"),
    "bp_rp_mag": ("bp_rp_mag", "BP-RP", "bp_rp"),
    "parallax_mas": ("parallax_mas", "plx", "parallax"),
    "membership_probability": ("membership_probability", "PMemb", "proba", "probability"),
    "cluster": ("cluster", "Cluster"),
}
REQUIRED = ("g_mag", "bp_rp_mag", "parallax_mas")
# The values a member table may hold: (lowest, highest, unit), after conversion to the unit of our column name. They
# are wider than any Gaia star's (G about 3 to 21, BP-RP -0.5 to 6, parallax below 800 mas), so a value outside is a
# wrong column, unit or placeholder (1e300). A negative or zero parallax is a legal measurement of a faint distant
# star and is kept. An empty cell is a missing value: that star is left out, not refused.
RANGES = {
    "g_mag": (-5.0, 25.0, "mag"),
    "bp_rp_mag": (-1.0, 8.0, "mag"),
    "parallax_mas": (-100.0, 1000.0, "mas"),
    "membership_probability": (0.0, 1.0, ""),
}
NO_CLUSTER = "(no cluster id)"  # the left-out key of stars whose cluster cell is empty


def _read_vizier_tsv(path: Path):
    """The export as a table of strings, with the units of its units line (VizieR writes them in CDS syntax)."""
    import astropy.units as u
    from astropy.table import Table

    lines = [line.rstrip("\n") for line in path.read_text().splitlines() if line and not line.startswith("#")]
    if len(lines) < 3 or not set(lines[2].replace("\t", "")) <= {"-", " "}:
        raise UserInputError(f"'{path}' is not a VizieR tab-separated export (header, units, dashes, rows)")
    header = [c.strip() for c in lines[0].split("\t")]
    check_unique_headers(path, header)
    rows = [[cell.strip() for cell in line.split("\t")] for line in lines[3:]]
    if any(len(r) != len(header) for r in rows):
        raise UserInputError(f"'{path}': every row must have the header's {len(header)} tab-separated cells")
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in header]
    written = dict(zip(header, (c.strip() for c in lines[1].split("\t")), strict=False))
    units = {name: u.Unit(unit, format="cds", parse_strict="silent") for name, unit in written.items() if unit}
    return Table([np.array(c, dtype=str) for c in columns], names=header, units=units)


def read_members(path: str | Path, extra: dict[str, tuple[str, ...]] | None = None) -> tuple[pd.DataFrame, dict]:
    """(stars with g_mag, bp_rp_mag, parallax_mas, membership_probability, cluster, and those of the ``extra``
    columns (name: aliases) the table has, e.g. a catalogue's labels; what was left out and why)."""
    from stellarnn.datasets.stdin import resolve

    path = resolve(path)
    if path.suffix.lower() == ".tsv":
        check_input_file(path)
        table = _read_vizier_tsv(path)
    else:
        table = read_table(path)
    return members_from_table(table, path.stem, extra, f"'{path}'")


def members_from_table(table, cluster: str, extra: dict[str, tuple[str, ...]] | None = None,
                       where: str = "the member table") -> tuple[pd.DataFrame, dict]:  # fmt: skip
    """read_members of an astropy Table; ``cluster`` names the cluster of a table without a cluster column."""
    extra = extra or {}
    found = {name: find_column(table.colnames, aliases) for name, aliases in {**ALIASES, **extra}.items()}
    missing = [name for name in REQUIRED if found[name] is None]
    if missing:
        wanted = "; ".join(f"{m}: {', '.join(ALIASES[m])}" for m in missing)
        raise UserInputError(f"{where} lacks member columns ({wanted})")
    frame = {}
    for name in (*REQUIRED, "membership_probability", *(e for e in extra if found[e] is not None)):
        if found[name] is None:
            frame[name] = np.full(len(table), np.nan)
            continue
        values, bad = float_column(table, found[name], input_unit(name))  # e.g. a parallax in arcsec
        if bad:
            row, reason = next(iter(bad.items()))
            raise UserInputError(f"{where} row {row + 1}: {reason}")
        if name in RANGES:
            _check_range(values, name, found[name], where)
        frame[name] = values
    frame["cluster"] = _cluster_ids(table[found["cluster"]]) if found["cluster"] else np.full(len(table), cluster)
    stars = pd.DataFrame(frame)
    incomplete = ~np.isfinite(stars[list(REQUIRED)]).all(axis=1) | (stars["cluster"] == NO_CLUSTER)
    left_out = stars[incomplete].groupby("cluster").size().to_dict()
    return stars[~incomplete].reset_index(drop=True), {str(k): int(v) for k, v in left_out.items()}


def _check_range(values: np.ndarray, name: str, column: str, where: str) -> None:
    """Refuse a given value outside RANGES[name] (infinity included); NaN is a missing value, left for the caller."""
    low, high, unit = RANGES[name]
    outside = np.flatnonzero(~np.isnan(values) & ~((values >= low) & (values <= high)))
    if outside.size:
        row = int(outside[0])
        span = f"{low:g} to {high:g} {unit}".rstrip()
        raise UserInputError(f"{where} row {row + 1}: {column} = {values[row]:g} is outside {span}")


def _cluster_ids(column) -> np.ndarray:
    """Cluster ids as stripped text, NO_CLUSTER where a cell is empty, masked or NaN: numpy would turn a masked cell
    into '0' or '' and merge those stars into another cluster."""
    raw = np.ma.getdata(column)
    missing = np.ma.getmaskarray(column).copy()
    if raw.dtype.kind == "f":
        missing |= np.isnan(raw)
    ids = np.char.strip(np.asarray(raw).astype(str))
    missing |= (ids == "") | (np.char.lower(ids) == "nan")
    return np.where(missing, NO_CLUSTER, ids)
