"""Spectra from files: FITS (spectrum_fits.py), CSV/text/ECSV tables with a wavelength and a flux column and
optionally an inverse-variance or error column (spectrum_tables.py), or NPY; checked and resampled onto a
model's grid. Wavelengths come out in Angstrom, in air. Every problem is one UserInputError line naming the
file.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra.broadening import C_KMS
from stellarnn.datasets.spectra.spectrum_fits import from_fits
from stellarnn.datasets.spectra.spectrum_tables import from_columns
from stellarnn.errors import UserInputError

FLAGGED_WEIGHT = 1e-6
RV_SLACK_KMS = 15.0  # how far short of the model's window a spectrum in its rest frame may end


@dataclass(frozen=True)
class Spectrum:
    name: str
    wavelength_A: np.ndarray  # air, increasing
    flux: np.ndarray
    ivar: np.ndarray | None = None  # inverse variance per pixel; 0 marks a bad pixel
    resolution: float | None = None  # the instrument's lambda / FWHM, when the file says


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
    ivar, resolution = None, None
    if suffix in (".fits", ".fit", ".fts"):
        wave, flux, ivar, resolution = from_fits(path)
    elif suffix == ".npy":
        wave, flux = _from_npy(path)
    elif suffix in (".csv", ".txt", ".dat", ".ecsv", ".tsv"):
        from astropy.table import Table

        fmt = "ascii.ecsv" if suffix == ".ecsv" else ("ascii.csv" if suffix == ".csv" else "ascii")
        try:
            table = Table.read(path, format=fmt)
        except (ValueError, OSError) as exc:
            raise UserInputError(f"{path}: cannot read it as a table ({str(exc).splitlines()[0]})") from None
        wave, flux, ivar = from_columns(table, path)
    else:
        raise UserInputError(f"{path}: unknown spectrum format '{suffix}' (use .fits, .csv, .txt, .ecsv or .npy)")
    return checked(path, wave, flux, ivar, resolution)


def checked(path: Path, wave: np.ndarray, flux: np.ndarray, ivar: np.ndarray | None = None,
            resolution: float | None = None) -> Spectrum:  # fmt: skip
    """A spectrum that can be resampled: >= 10 pixels with a finite flux, every wavelength finite and monotonic
    (turned to increasing). A non-finite flux, or an inverse variance below FLAGGED_WEIGHT of the spectrum's
    median, marks a bad pixel (inverse variance 0), masked when prepared."""
    if wave.size < 10 or wave.size != flux.size or (ivar is not None and ivar.size != flux.size):
        raise UserInputError(f"{path}: needs >= 10 wavelength/flux pairs of equal length, got {wave.size}/{flux.size}")
    if not np.isfinite(wave).all():
        first = int(np.flatnonzero(~np.isfinite(wave))[0])
        raise UserInputError(f"{path}: {int((~np.isfinite(wave)).sum())} NaN or infinite wavelengths (first at pixel "
                             f"{first})")  # fmt: skip
    bad = ~np.isfinite(flux)
    if (~bad).sum() < 10:
        raise UserInputError(f"{path}: {int(bad.sum())} of {flux.size} flux values are NaN or infinite")
    if bad.any() or ivar is not None:
        ivar = np.where(bad, 0.0, np.ones(flux.size) if ivar is None else np.nan_to_num(ivar, nan=0.0))
        weighed = ivar[ivar > 0]  # a weight a million times below the typical flags a pixel (APOGEE: errors of 1e10)
        ivar[ivar < FLAGGED_WEIGHT * (np.median(weighed) if weighed.size else 0.0)] = 0.0
    if wave[-1] < wave[0]:
        wave, flux, ivar = wave[::-1], flux[::-1], None if ivar is None else ivar[::-1]
    steps = np.diff(wave)
    if (steps <= 0).any():
        first = int(np.flatnonzero(steps <= 0)[0])
        raise UserInputError(f"{path}: wavelengths are not monotonic (pixel {first + 1}: {wave[first + 1]:g} after "
                             f"{wave[first]:g})")  # fmt: skip
    return Spectrum(path.name, wave, flux, ivar, resolution)


def resample(spectrum: Spectrum, grid_A: np.ndarray, path_hint: str = "") -> np.ndarray:
    """Linear interpolation onto the model's grid, which the spectrum must cover to within RV_SLACK_KMS at each
    end (a spectrum made for the window moves a little when put into its rest frame; the edge value fills it)."""
    lo, hi = spectrum.wavelength_A[0], spectrum.wavelength_A[-1]
    name = path_hint or spectrum.name
    slack = grid_A[0] * RV_SLACK_KMS / C_KMS
    if lo > grid_A[0] + slack or hi < grid_A[-1] - slack:
        raise UserInputError(
            f"{name}: covers {lo:.1f}-{hi:.1f} A, the model needs {grid_A[0]:.1f}-{grid_A[-1]:.1f} A "
            "(air; wavelengths in Angstrom unless the file gives a unit)"
        )
    flux = np.interp(grid_A, spectrum.wavelength_A, spectrum.flux)
    median = float(np.median(flux))
    if not 0.5 < median < 1.5:
        raise UserInputError(f"{name}: median flux {median:.3g} in the window; the model reads continuum-normalised "
                             "spectra (continuum = 1): leave the continuum fit on (no --no-continuum)")  # fmt: skip
    return flux.astype(np.float32)
