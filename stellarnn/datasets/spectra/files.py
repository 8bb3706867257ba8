"""Spectra from files: FITS (1-D image with a linear or log-linear wavelength WCS, IRAF multispec, APOGEE apStar
-- the combined row -- and apVisit -- chips with a wavelength image --, or a table, also of one row of vectors as
ESO and LAMOST write them), CSV/text or NPY with a wavelength and a flux column; an inverse-variance or error
column, or image after a FITS flux image, is used when there is one. Checked, put into air wavelengths and
resampled onto a model's grid.

Wavelengths are in Angstrom unless the file says otherwise (FITS CUNIT1 or a table column unit, read in any
case and the usual FITS spellings: NM, ANGSTROM, Angstroms, um); FITS CTYPE1 'WAVE', AIRORVAC 'vac', WAVETYPE
'vacuum', APOGEE's telescopes and an SDSS-style ``loglam`` column (log10 of the vacuum wavelength) mean vacuum,
converted to air (Morton 2000, ApJS 130, 403), as the synthesizer's grid is in air. The instrument's resolving
power is read from the header when it gives one (SPEC_RES, RESOLUTN, R). Every problem is one UserInputError
line naming the file.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra.broadening import C_KMS
from stellarnn.errors import UserInputError

WAVELENGTH_NAMES = ("wavelength", "wave", "lambda", "wl", "wavelength_a", "lam")
LOG_WAVELENGTH_NAMES = ("loglam",)  # log10 of the vacuum wavelength in Angstrom (SDSS)
FLUX_NAMES = ("flux", "normalized_flux", "normalised_flux", "f", "flux_norm")
IVAR_NAMES = ("ivar", "inverse_variance", "invvar")
ERROR_NAMES = ("error", "err", "sigma", "flux_err", "flux_error", "uncertainty", "noise")
RESOLUTION_KEYS = ("SPEC_RES", "RESOLUTN", "RESOLUTION", "R")
LOG10_CTYPES = ("LOG-LINEAR", "LOG10")  # a CTYPE1 whose axis is log10 of the wavelength (APOGEE writes LOG-LINEAR)
APOGEE_TELESCOPES = ("apo25m", "lco25m", "apo1m")
FLAGGED_WEIGHT = 1e-6
RV_SLACK_KMS = 15.0  # how far short of the model's window a spectrum in its rest frame may end
UNIT_SPELLINGS = {"angstrom": "Angstrom", "angstroms": "Angstrom", "a": "Angstrom", "aa": "Angstrom",
                  "ang": "Angstrom", "nm": "nm", "nanometer": "nm", "nanometers": "nm", "um": "um", "micron": "um",
                  "microns": "um", "micrometer": "um", "micrometers": "um"}  # fmt: skip


@dataclass(frozen=True)
class Spectrum:
    name: str
    wavelength_A: np.ndarray  # air, increasing
    flux: np.ndarray
    ivar: np.ndarray | None = None  # inverse variance per pixel; 0 marks a bad pixel
    resolution: float | None = None  # the instrument's lambda / FWHM, when the file says


def vacuum_to_air(wavelength_A: np.ndarray) -> np.ndarray:
    """Morton (2000) refractive index of standard air, as used by VALD."""
    s2 = (1e4 / wavelength_A) ** 2
    n = 1 + 8.34254e-5 + 2.406147e-2 / (130 - s2) + 1.5998e-4 / (38.9 - s2)
    return wavelength_A / n


def _to_angstrom(values: np.ndarray, unit, path: Path) -> np.ndarray:
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


def _from_columns(table, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
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
        wavelength = _to_angstrom(_numbers(table[wave], path), table[wave].unit, path)
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


def _wcs_axis(crval: float, step: float, pixel: np.ndarray, ctype: str, log10_dispersion: bool) -> np.ndarray:
    """Linear; FITS '-LOG' (lambda = crval exp(step p / crval)); or IRAF/SDSS DC-FLAG = 1 (log10 lambda linear)."""
    if ctype.endswith("-LOG"):
        return crval * np.exp(step * pixel / crval)
    if log10_dispersion:
        return 10 ** (crval + step * pixel)
    return crval + step * pixel


def _multispec_axis(header, size: int, path: Path) -> np.ndarray | None:
    """The wavelengths of an IRAF multispec 1-D spectrum (WAT2 cards; dispersion type 0 linear, 1 log10-linear),
    or None when the header is not multispec."""
    if "multispec" not in str(header.get("WAT0_001", "")):
        return None
    import re
    import shlex

    wat2 = "".join(str(header[key]).ljust(68) for key in sorted(k for k in header if k.startswith("WAT2_")))
    found = re.search(r'spec1\s*=\s*"([^"]*)"', wat2)
    if found is None:
        raise UserInputError(f"{path}: a multispec header without spec1 in its WAT2 cards")
    fields = shlex.split(found.group(1))
    dispersion, start, step, pixels = int(fields[2]), float(fields[3]), float(fields[4]), int(fields[5])
    if dispersion not in (0, 1) or pixels != size:
        raise UserInputError(f"{path}: multispec dispersion type {dispersion} over {pixels} pixels is not read; "
                             "linear (0) or log-linear (1) over the whole spectrum are")  # fmt: skip
    axis = start + step * np.arange(size)
    return 10**axis if dispersion == 1 else axis


def _resolution(header) -> float | None:
    for key in RESOLUTION_KEYS:
        value = header.get(key)
        if isinstance(value, int | float) and value > 100:  # lambda / FWHM of a spectrograph, not a flag
            return float(value)
    return None


def _from_fits(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, float | None]:
    from astropy.io import fits
    from astropy.table import Table

    try:
        hdus = fits.open(path)
    except OSError as exc:
        raise UserInputError(f"{path}: not a readable FITS file ({str(exc).splitlines()[0]})") from None
    with hdus:
        resolution = _resolution(hdus[0].header)
        for index, hdu in enumerate(hdus):
            if hdu.data is None:
                continue
            if hdu.is_image:
                wave, flux, ivar = _from_image(hdus, index, path)
                return wave, flux, ivar, resolution or _resolution(hdu.header)
            if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
                return (*_from_columns(Table.read(hdu), path), resolution or _resolution(hdu.header))
    raise UserInputError(f"{path}: no 1-D spectrum or table found in the FITS file")


def _from_image(hdus, index: int, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(wavelength in Angstrom, air; flux; inverse variance or None) of the spectrum in image HDU ``index``: a
    1-D image; a 2-D one of chips with a wavelength image beside it (APOGEE apVisit: every chip's pixels, put in
    wavelength order); or the first row of an APOGEE apStar image (the combined spectrum; the other rows are
    its single visits, NVISITS in the header). An error or inverse-variance image of the same shape right after
    it gives the weights."""
    h, data = hdus[index].header, np.asarray(hdus[index].data, dtype=float)
    weights, wave_image = _weights_beside(hdus, index, data.shape), _image_after(hdus, index, data.shape, "wavelen")
    vacuum = _vacuum(hdus, h)
    if wave_image is not None:
        order = np.argsort(wave_image, axis=None, kind="stable")
        wave = _to_angstrom(wave_image.ravel()[order], h.get("CUNIT1"), path)
        ivar = None if weights is None else weights.ravel()[order]
        return (vacuum_to_air(wave) if vacuum else wave), data.ravel()[order], ivar
    if data.squeeze().ndim == 2 and "NVISITS" in hdus[0].header:
        data, weights = data[0], None if weights is None else weights[0]
    elif data.squeeze().ndim != 1:
        raise UserInputError(
            f"{path}: a {'x'.join(map(str, data.shape))} image is not a spectrum read here; 1-D "
            "images, APOGEE apStar and apVisit files and tables are (extract the row you mean)"
        )
    flux = data.squeeze()
    ivar = None if weights is None else weights.squeeze()
    multispec = _multispec_axis(h, flux.size, path)
    if multispec is not None:
        wat1 = str(h.get("WAT1_001", ""))
        unit = wat1.split("units=")[1].split()[0] if "units=" in wat1 else None
        return _to_angstrom(multispec, unit, path), flux, ivar
    if h.get("NAXIS1") != flux.size:
        raise UserInputError(f"{path}: the spectrum must run along the first axis (NAXIS1 = {h.get('NAXIS1')}, "
                             f"{flux.size} pixels)")  # fmt: skip
    step = h.get("CDELT1", h.get("CD1_1"))
    if "CRVAL1" not in h or step is None:
        raise UserInputError(f"{path}: a 1-D FITS spectrum needs CRVAL1 and CDELT1 (or CD1_1)")
    pixel = np.arange(flux.size) + 1 - h.get("CRPIX1", 1.0)
    ctype = str(h.get("CTYPE1", "")).upper()
    log10 = h.get("DC-FLAG", 0) == 1 or ctype in LOG10_CTYPES
    wave = _to_angstrom(_wcs_axis(h["CRVAL1"], step, pixel, ctype, log10), h.get("CUNIT1"), path)
    return (vacuum_to_air(wave) if vacuum else wave), flux, ivar


def _says(hdu, *words: str) -> bool:
    """Whether the HDU's name or unit (BUNIT) holds one of ``words`` (lower case)."""
    text = f"{hdu.name} {hdu.header.get('BUNIT', '')}".lower()
    return any(word in text for word in words)


def _image_after(hdus, index: int, shape, *words: str) -> np.ndarray | None:
    """The first image after HDU ``index`` with its shape whose name or BUNIT holds one of ``words``."""
    for hdu in hdus[index + 1 :]:
        if hdu.is_image and hdu.data is not None and hdu.data.shape == shape and _says(hdu, *words):
            return np.asarray(hdu.data, dtype=float)
    return None


def _weights_beside(hdus, index: int, shape) -> np.ndarray | None:
    """Inverse variances from an image after the flux with its shape that calls itself an inverse variance
    (IVAR, INVVAR) or an error (ERR, SIGMA, UNCERT, NOISE, STDEV) in its name or BUNIT."""
    ivar = _image_after(hdus, index, shape, "ivar", "invvar", "inverse")
    if ivar is not None:
        return ivar
    error = _image_after(hdus, index, shape, "err", "sigma", "uncert", "noise", "stdev")
    if error is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(error > 0, 1.0 / error**2, 0.0)


def _vacuum(hdus, header) -> bool:
    """Vacuum wavelengths: FITS CTYPE1 'WAVE' (air is 'AWAV'), SDSS's AIRORVAC = 'vac', WAVETYPE 'vacuum', or an
    APOGEE telescope (its files are in vacuum without a card that says so)."""
    cards = (hdus[0].header, header)
    if str(header.get("CTYPE1", "")).upper().startswith("WAVE"):
        return True
    if any(str(c.get(key, "")).lower().startswith("vac") for c in cards for key in ("AIRORVAC", "WAVETYPE")):
        return True
    return any(str(c.get("TELESCOP", "")).lower() in APOGEE_TELESCOPES for c in cards)


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
        wave, flux, ivar, resolution = _from_fits(path)
    elif suffix == ".npy":
        wave, flux = _from_npy(path)
    elif suffix in (".csv", ".txt", ".dat", ".ecsv", ".tsv"):
        from astropy.table import Table

        fmt = "ascii.ecsv" if suffix == ".ecsv" else ("ascii.csv" if suffix == ".csv" else "ascii")
        try:
            table = Table.read(path, format=fmt)
        except (ValueError, OSError) as exc:
            raise UserInputError(f"{path}: cannot read it as a table ({str(exc).splitlines()[0]})") from None
        wave, flux, ivar = _from_columns(table, path)
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
