"""How results look to people: rich tables with names and units."""

import math

from rich import box
from rich.console import Console
from rich.table import Table

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
    "spectral_class": ("Spectral class", ""),
    "spectral_type": ("Spectral type", ""),
    "luminosity_class": ("Luminosity class", ""),
    "star_type": ("Star type", ""),
    "mk_type": ("MK classification", ""),
}


SHORT_HEADERS = {
    "teff_K": "Teff [K]",
    "lum_Lsun": "L [L☉]",
    "radius_Rsun": "R [R☉]",
    "mass_Msun": "M [M☉]",
    "mk_type": "MK",
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


def star_table(row: dict, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("parameter")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, value in row.items():
        label, unit = DESCRIPTIONS.get(name, (name, ""))
        table.add_row(label, format_value(value), unit, style="dim" if format_value(value) == "—" else None)
    return table


def rows_table(table, columns: list[str], limit: int) -> Table:
    """The first ``limit`` rows of an astropy Table, for people."""
    out = Table(box=box.SIMPLE_HEAD)
    for name in columns:
        numeric = table[name].dtype.kind in "fiu"
        out.add_column(SHORT_HEADERS.get(name, name), justify="right" if numeric else "left", no_wrap=numeric)
    for row in table[:limit]:
        values = (row[name].item() if hasattr(row[name], "item") else row[name] for name in columns)
        out.add_row(*(format_value(v, digits=5) for v in values))
    return out


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)
