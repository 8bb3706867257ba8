"""Wavelength and flux columns of spectrum tables (FITS, ECSV, CSV, text), and wavelength units: any case and
the usual FITS spellings (NM, ANGSTROM, Angstroms, um); an SDSS-style ``loglam`` column is log10 of the vacuum
wavelength, converted to air (Morton 2000, ApJS 130, 403) as the synthesizer's grid is in air."""

from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError

WAVELENGTH_NAMES = ("wavelength", "wave", "lambda", "wl", "wavelength_a", "lam")
LOG_WAVELENGTH_NAMES = ("loglam",)  # log10 of the vacuum wavelength in Angstrom (SDSS)
FLUX_NAMES = ("flux", "normalized_flux", "normalised_flux", "f", "flux_norm")
IVAR_NAMES = ("ivar", "inverse_variance", "invvar")
ERROR_NAMES = ("error", "err", "sigma", "flux_err", "flux_error", "uncertainty", "noise")
UNIT_SPELLINGS = {"angstrom": "Angstrom", "angstroms": "Angstrom", "a": "Angstrom", "aa": "Angstrom",
                  "ang": "Angstrom", "nm": "nm", "nanometer": "nm", "nanometers": "nm", "um": "um", "micron": "um",
                  "microns": "um", "micrometer": "um", "micrometers": "um"}  # fmt: skip


def vacuum_to_air(wavelength_A: np.ndarray) -> np.ndarray:
    """Morton (2000) refractive index of standard air, as used by VALD."""
    s2 = (1e4 / wavelength_A) ** 2
    n = 1 + 8.34254e-5 + 2.406147e-2 / (130 - s2) + 1.5998e-4 / (38.9 - s2)
    return wavelength_A / n


def to_angstrom(values: np.ndarray, unit, path: Path) -> np.ndarray:
    if unit is None or str(unit).strip() == "":
        return values
    import astropy.units as u

    text = str(unit).strip()
    try:
        parsed = u.Unit(UNIT_SPELLINGS.get(text.lower(), text), parse_strict="raise")
        return (values * parsed).to_value(u.AA, equivalencies=u.spectral())
    except (ValueError, u.UnitsError):
        raise UserInputError(f"{path}: wavelength unit '{unit}' is not a length") from None


def _pick(names: list[str], wanted: tuple[str, ...]) -> str | None:
    lower = {n.lower(): n for n in names}
    return next((lower[w] for w in wanted if w in lower), None)


def from_columns(table, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(wavelength in Angstrom, air; flux; inverse variance or None)."""
    table = _one_row_arrays_as_columns(table)
    names = list(table.colnames)
    log_wave = _pick(names, LOG_WAVELENGTH_NAMES)
    wave, flux = _pick(names, WAVELENGTH_NAMES) or log_wave, _pick(names, FLUX_NAMES)
    ivar, error = _pick(names, IVAR_NAMES), _pick(names, ERROR_NAMES)
    if wave is None or flux is None:
        if len(names) not in (2, 3):
            raise UserInputError(
                f"{path}: needs a wavelength column ({', '.join(WAVELENGTH_NAMES + LOG_WAVELENGTH_NAMES)}) and a "
                f"flux column ({', '.join(FLUX_NAMES)}), or two or three unnamed columns (wavelength, flux[, error]); "
                f"found {', '.join(names)}"
            )
        wave, flux = names[:2]
        error = names[2] if len(names) == 3 else None
    if wave == log_wave:
        wavelength = vacuum_to_air(10 ** _numbers(table[wave], path))
    else:
        wavelength = to_angstrom(_numbers(table[wave], path), table[wave].unit, path)
    if ivar is not None:
        weights = _numbers(table[ivar], path)
    elif error is not None:
        sigma = _numbers(table[error], path)
        with np.errstate(divide="ignore", invalid="ignore"):
            weights = np.where(sigma > 0, 1.0 / sigma**2, 0.0)
    else:
        weights = None
    return wavelength, _numbers(table[flux], path), weights


def _one_row_arrays_as_columns(table):
    """A table of one row whose cells are arrays (ESO Phase 3 1-D spectra, LAMOST's newer files: WAVE, FLUX,
    ERR as vectors) as the usual table of one row per pixel; any other table as it is."""
    from astropy.table import Table

    vectors = [name for name in table.colnames if table[name].ndim == 2]
    if len(table) != 1 or not vectors:
        return table
    size = len(table[vectors[0]][0])
    out = Table()
    for name in vectors:
        if len(table[name][0]) == size:
            out[name] = table[name][0]
            out[name].unit = table[name].unit
    return out


def _numbers(column, path: Path) -> np.ndarray:
    """A 1-D float column; empty (masked) cells become NaN, so the checks report them."""
    if column.ndim != 1:
        raise UserInputError(f"{path}: column '{column.name}' holds an array per row; one value per row is needed")
    try:
        return np.ma.filled(np.ma.asarray(column, dtype=float), np.nan)
    except (TypeError, ValueError):
        raise UserInputError(f"{path}: column '{column.name}' is not numeric") from None
