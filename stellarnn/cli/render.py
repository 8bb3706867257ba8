"""How results look to people: rich tables with names and units."""

import json
import math

from rich import box
from rich.console import Console
from rich.table import Table

from stellarnn.cli.quiet import QUIET
from stellarnn.models.conformal import LOWER, UPPER
from stellarnn.models.domain import FLAG

# column -> (what it is, unit shown to people)
DESCRIPTIONS = {
    "teff_K": ("Effective temperature", "K"),
    "lum_Lsun": ("Luminosity", "L☉"),
    "radius_Rsun": ("Radius", "R☉"),
    "diameter_Dsun": ("Diameter", "D☉"),
    "volume_Vsun": ("Volume", "V☉"),
    "surface_area_SAsun": ("Surface area", "A☉"),
    "great_circle_circumference_GCCsun": ("Great-circle circumference", "C☉"),
    "great_circle_area_GCAsun": ("Great-circle area", "A☉"),
    "mbol_mag": ("Absolute bolometric magnitude", "mag"),
    "mv_mag": ("Absolute visual magnitude (given)", "mag"),
    "bc_mag": ("Bolometric correction Mv − Mbol", "mag"),
    "log_lbol_W": ("Bolometric luminosity", "log W"),
    "mass_Msun": ("Mass", "M☉"),
    "density_rhosun": ("Mean density", "ρ☉"),
    "log_central_pressure_Pa": ("Central pressure", "log Pa"),
    "log_central_temperature_K": ("Central temperature", "log K"),
    "lifespan_tsun": ("Main-sequence lifespan", "t☉"),
    "log_binding_energy_J": ("Gravitational binding energy", "log J"),
    "log_bolometric_flux_W_m2": ("Bolometric surface flux", "log W/m²"),
    "peak_wavelength_nm": ("Peak wavelength", "nm"),
    "abs_g_mag": ("Absolute magnitude M_G (Gaia G; Fusion's 'Mv')", "mag"),
    "abs_v_mag": ("Absolute visual magnitude M_V", "mag"),
    "bc_g_mag": ("Bolometric correction M_G − Mbol", "mag"),
    "bc_v_mag": ("Bolometric correction M_V − Mbol", "mag"),
    "logg_cgs": ("Surface gravity log g", "cgs dex"),
    "mh_dex": ("Metallicity [M/H]", "dex"),
    "spectral_class": ("Spectral class", ""),
    "spectral_type": ("Spectral type", ""),
    "luminosity_class": ("Luminosity class", ""),
    "star_type": ("Star type", ""),
    "mk_type": ("MK classification", ""),
}


INPUT_COLUMNS = ("teff_K", "lum_Lsun", "radius_Rsun")
SHORT_HEADERS = {
    "teff_K": "Teff [K]",
    "lum_Lsun": "L [L☉]",
    "radius_Rsun": "R [R☉]",
    "mass_Msun": "M [M☉]",
    "mk_type": "MK",
    "abs_g_mag": "M_G",
    "logg_cgs": "log g",
    "mh_dex": "[M/H]",
    "star_type": "type",
}


def format_value(value, digits: int = 6) -> str:
    """Significant digits; plain notation between 1e-4 and 1e7, where people read numbers most easily."""
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if value == 0 or 1e-4 <= abs(value) < 1e7:
            return f"{float(f'{value:.{digits}g}'):f}".rstrip("0").rstrip(".")
        return f"{value:.{digits}g}"
    return str(value) or "—"


def star_table(row: dict, title: str, level: float | None = None, not_constrained=()) -> Table:
    """One star, a row per quantity; network outputs with their interval at ``level``, and "not constrained" in
    place of the value of an output its inputs do not constrain."""
    table = Table(title=title, title_justify="left")
    table.add_column("parameter")
    table.add_column("value", justify="right")
    table.add_column("unit")
    has_interval = any(name.endswith(LOWER) for name in row)
    if has_interval:
        table.add_column(f"{level:.0%} interval" if level else "interval", justify="right")
    for name, value in row.items():
        if name.endswith((LOWER, UPPER)) or name == FLAG:
            continue
        label, unit = DESCRIPTIONS.get(name, (name, ""))
        shown = "not constrained" if name in not_constrained else format_value(value)
        cells = [label, shown, unit]
        if has_interval:
            cells.append(f"{format_value(row[name + LOWER], 3)} … {format_value(row[name + UPPER], 3)}"
                         if name + LOWER in row else "")  # fmt: skip
        table.add_row(*cells, style="dim" if shown in ("—", "not constrained") else None)
    return table


def rows_table(table, columns: list[str], limit: int, not_constrained=()) -> Table:
    """The first ``limit`` rows of an astropy Table, for people ("n.c." for outputs the data do not constrain)."""
    out = Table(box=box.SIMPLE_HEAD)
    for name in columns:
        numeric = table[name].dtype.kind in "fiu"
        out.add_column(
            SHORT_HEADERS.get(name, name),
            justify="right" if numeric else "left",
            no_wrap=numeric,
            min_width=None if numeric else 6,
        )
    for row in table[:limit]:
        values = (row[name].item() if hasattr(row[name], "item") else row[name] for name in columns)
        out.add_row(
            *(
                "n.c." if name in not_constrained else format_value(v, digits=5 if name in INPUT_COLUMNS else 4)
                for name, v in zip(columns, values, strict=True)
            )
        )
    return out


def json_records(frame) -> list[dict]:
    """A pandas frame as JSON-ready rows: NaN and infinities become null, so the JSON is strict."""
    from stellarnn.evaluation.reports import finite

    return finite(json.loads(frame.to_json(orient="records", double_precision=15)))


def console(stderr: bool = False, width: int | None = None) -> Console:
    """Results go to stdout; progress, notes and warnings to stderr, which --quiet silences (errors are
    printed by the entry point, not through here, so they always show)."""
    return Console(stderr=stderr, highlight=False, width=width, quiet=stderr and QUIET["on"])


def print_summary(summary) -> None:
    """A system's Summary of a result: its table and findings on stdout, its notes on stderr."""
    import sys

    out = console(width=None if sys.stdout.isatty() else 200)  # wide tables stay whole in files and pipes
    if summary.rows:
        table = Table(title=summary.title, title_justify="left",
                      show_lines=any("\n" in cell for row in summary.rows for cell in row))  # fmt: skip
        for i, column in enumerate(summary.columns):
            table.add_column(column, justify="left" if i == 0 else "right", no_wrap=True)
        for row in summary.rows:
            table.add_row(*row)
        out.print(table)
    for line in summary.lines:
        out.print(line, markup=False, soft_wrap=True)
    err = console(stderr=True)
    for note in summary.notes:
        err.print(note, markup=False, soft_wrap=True)


def report_rejected(rejected: dict[int, str], output, err) -> None:
    """Bad rows listed with their row numbers: the first 20 on stderr; with a file --output, all of them in
    OUTPUT.rejected.csv (written by :func:`stellarnn.datasets.outputs.write_rejected`), else the rest on stderr."""
    from stellarnn.datasets.outputs import TO_STDOUT, rejected_report

    err.print(f"[yellow]left out {len(rejected)} row(s) that cannot be used[/] (row numbers count data rows from 1):")
    to_file = output is not None and str(output) != TO_STDOUT
    shown = list(rejected.items()) if not to_file else list(rejected.items())[:20]
    for i, reason in shown:
        err.print(f"  row {i + 1}: {reason}", highlight=False)
    if to_file:
        more = f"... and {len(rejected) - 20} more; " if len(rejected) > 20 else ""
        err.print(f"  {more}all listed in {rejected_report(output)}")
