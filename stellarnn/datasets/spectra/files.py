"""Spectra from files: FITS (1-D image with a linear or log-linear wavelength WCS, or a table), CSV/text or
NPY with a wavelength and a flux column; checked, put into air wavelengths and resampled onto a model's grid.

Wavelengths are in Angstrom unless the file says otherwise (FITS CUNIT1 or a table column unit); FITS
CTYPE1 'WAVE' means vacuum and is converted to air (Morton 2000, ApJS 130, 403), as the synthesizer's grid is
in air. Every problem is one UserInputError line naming the file.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError

WAVELENGTH_NAMES = ("wavelength", "wave", "lambda", "wl", "wavelength_a", "lam")
FLUX_NAMES = ("flux", "normalized_flux", "normalised_flux", "f", "flux_norm")


@dataclass(frozen=True)
class Spectrum:
    name: str
    wavelength_A: np.ndarray  # air, increasing
    flux: np.ndarray


def vacuum_to_air(wavelength_A: np.ndarray) -> np.ndarray:
    """Morton (2000) refractive index of standard air, as used by VALD."""
    s2 = (1e4 / wavelength_A) ** 2
    n = 1 + 8.34254e-5 + 2.406147e-2 / (130 - s2) + 1.5998e-4 / (38.9 - s2)
    return wavelength_A / n


def _to_angstrom(values: np.ndarray, unit, path: Path) -> np.ndarray:
    if unit is None or str(unit).strip() == "":
        return values
    import astropy.units as u

    try:
        return (values * u.Unit(str(unit).strip())).to_value(u.AA, equivalencies=u.spectral())
    except (ValueError, u.UnitsError):
        raise UserInputError(f"{path}: wavelength unit '{unit}' is not a length") from None


def _pick(names: list[str], wanted: tuple[str, ...]) -> str | None:
    lower = {n.lower(): n for n in names}
    return next((lower[w] for w in wanted if w in lower), None)


def _from_columns(table, path: Path) -> tuple[np.ndarray, np.ndarray]:
    names = list(table.colnames)
    wave, flux = _pick(names, WAVELENGTH_NAMES), _pick(names, FLUX_NAMES)
    if wave is None or flux is None:
        if len(names) != 2:
            if len(names) not in (2, 3):
                raise UserInputError(
                    f"{path}: needs a wavelength column ({', '.join(WAVELENGTH_NAMES)}) and a flux column "
                    f"({', '.join(FLUX_NAMES)}), or two or three unnamed columns (wavelength, flux[, error]); "
                    f"found {', '.join(names)}"
                )
        wave, flux = names[:2]
    return _to_angstrom(_numbers(table[wave], path), table[wave].unit, path), _numbers(table[flux], path)


def _numbers(column, path: Path) -> np.ndarray:
    """A 1-D float column; empty (masked) cells become NaN, so the checks report them."""
    if column.ndim != 1:
        raise UserInputError(f"{path}: column '{column.name}' holds an array per row; one value per row is needed")
    try:
        return np.ma.filled(np.ma.asarray(column, dtype=float), np.nan)
    except (TypeError, ValueError):
        raise UserInputError(f"{path}: column '{column.name}' is not numeric") from None


def _wcs_axis(crval: float, step: float, pixel: np.ndarray, ctype: str, log10_dispersion: bool) -> np.ndarray:
    """Linear; FITS '-LOG' (lambda = crval exp(step p / crval)); or IRAF/SDSS DC-FLAG = 1 (log10 lambda linear)."""
    if ctype.endswith("-LOG"):
        return crval * np.exp(step * pixel / crval)
    if log10_dispersion:
        return 10 ** (crval + step * pixel)
    return crval + step * pixel


def _from_fits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    from astropy.io import fits
    from astropy.table import Table

    try:
        hdus = fits.open(path)
    except OSError as exc:
        raise UserInputError(f"{path}: not a readable FITS file ({str(exc).splitlines()[0]})") from None
    with hdus:
        for hdu in hdus:
            if hdu.data is None:
                continue
            if hdu.is_image and np.asarray(hdu.data).squeeze().ndim == 1:
                h = hdu.header
                flux = np.asarray(hdu.data, dtype=float).squeeze()
                if h.get("NAXIS1") != flux.size:
                    raise UserInputError(f"{path}: the spectrum must run along the first axis (NAXIS1 = "
                                         f"{h.get('NAXIS1')}, {flux.size} pixels)")  # fmt: skip
                step = h.get("CDELT1", h.get("CD1_1"))
                if "CRVAL1" not in h or step is None:
                    raise UserInputError(f"{path}: a 1-D FITS spectrum needs CRVAL1 and CDELT1 (or CD1_1)")
                pixel = np.arange(flux.size) + 1 - h.get("CRPIX1", 1.0)
                ctype = str(h.get("CTYPE1", "")).upper()
                axis = _wcs_axis(h["CRVAL1"], step, pixel, ctype, h.get("DC-FLAG", 0) == 1)
                wave = _to_angstrom(axis, h.get("CUNIT1"), path)
                return (vacuum_to_air(wave) if ctype.startswith("WAVE") else wave), flux
            if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
                return _from_columns(Table.read(hdu), path)
    raise UserInputError(f"{path}: no 1-D spectrum or table found in the FITS file")


def _from_npy(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError) as exc:
        raise UserInputError(f"{path}: not a plain NumPy array ({str(exc).splitlines()[0] or 'empty'})") from None
    if data.ndim == 2 and 2 in data.shape:
        pair = data if data.shape[0] == 2 else data.T
        return np.asarray(pair[0], dtype=float), np.asarray(pair[1], dtype=float)
    raise UserInputError(f"{path}: an .npy spectrum is a (2, n) or (n, 2) array of wavelength and flux")


def read_spectrum(path: str | Path) -> Spectrum:
    from stellarnn.datasets.stdin import resolve

    path = resolve(path)
    if not path.is_file():
        raise UserInputError(f"spectrum file '{path}' does not exist")
    suffix = path.suffix.lower()
    if suffix in (".fits", ".fit", ".fts"):
        wave, flux = _from_fits(path)
    elif suffix == ".npy":
        wave, flux = _from_npy(path)
    elif suffix in (".csv", ".txt", ".dat", ".ecsv", ".tsv"):
        from astropy.table import Table

        fmt = "ascii.ecsv" if suffix == ".ecsv" else ("ascii.csv" if suffix == ".csv" else "ascii")
        try:
            table = Table.read(path, format=fmt)
        except (ValueError, OSError) as exc:
            raise UserInputError(f"{path}: cannot read it as a table ({str(exc).splitlines()[0]})") from None
        wave, flux = _from_columns(table, path)
    else:
        raise UserInputError(f"{path}: unknown spectrum format '{suffix}' (use .fits, .csv, .txt, .ecsv or .npy)")
    return checked(path, wave, flux)


def checked(path: Path, wave: np.ndarray, flux: np.ndarray) -> Spectrum:
    """A spectrum that can be resampled: >= 10 finite pixels, wavelengths monotonic (turned to increasing)."""
    if wave.size < 10 or wave.size != flux.size:
        raise UserInputError(f"{path}: needs >= 10 wavelength/flux pairs of equal length, got {wave.size}/{flux.size}")
    bad = ~np.isfinite(wave) | ~np.isfinite(flux)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise UserInputError(f"{path}: {int(bad.sum())} NaN or infinite values (first at pixel {first})")
    if wave[-1] < wave[0]:
        wave, flux = wave[::-1], flux[::-1]
    steps = np.diff(wave)
    if (steps <= 0).any():
        first = int(np.flatnonzero(steps <= 0)[0])
        raise UserInputError(f"{path}: wavelengths are not monotonic (pixel {first + 1}: {wave[first + 1]:g} after "
                             f"{wave[first]:g})")  # fmt: skip
    return Spectrum(path.name, wave, flux)


def resample(spectrum: Spectrum, grid_A: np.ndarray, path_hint: str = "") -> np.ndarray:
    """Linear interpolation onto the model's grid, which the spectrum must cover."""
    lo, hi = spectrum.wavelength_A[0], spectrum.wavelength_A[-1]
    name = path_hint or spectrum.name
    if lo > grid_A[0] or hi < grid_A[-1]:
        raise UserInputError(
            f"{name}: covers {lo:.1f}-{hi:.1f} A, the model needs {grid_A[0]:.1f}-{grid_A[-1]:.1f} A "
            "(air; wavelengths in Angstrom unless the file gives a unit)"
        )
    flux = np.interp(grid_A, spectrum.wavelength_A, spectrum.flux)
    median = float(np.median(flux))
    if not 0.5 < median < 1.5:
        raise UserInputError(f"{name}: median flux {median:.3g} in the window; the model reads "
                             "continuum-normalised spectra (continuum = 1)")  # fmt: skip
    return flux.astype(np.float32)
