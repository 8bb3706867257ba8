"""Spectra in FITS files: a 1-D image with a linear, '-LOG' or log10 wavelength WCS, IRAF multispec, APOGEE
apStar (the combined row) and apVisit (chips joined by their wavelength image), or a table; error or
inverse-variance images after a flux image are used. FITS CTYPE1 'WAVE', AIRORVAC 'vac', WAVETYPE 'vacuum' and
APOGEE's telescopes mean vacuum wavelengths, converted to air. The instrument's resolving power comes from the
header when it gives one (SPEC_RES, RESOLUTN, R)."""

from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra.spectrum_tables import from_columns, to_angstrom, vacuum_to_air
from stellarnn.errors import UserInputError

RESOLUTION_KEYS = ("SPEC_RES", "RESOLUTN", "RESOLUTION", "R")
LOG10_CTYPES = ("LOG-LINEAR", "LOG10")  # a CTYPE1 whose axis is log10 of the wavelength (APOGEE writes LOG-LINEAR)
APOGEE_TELESCOPES = ("apo25m", "lco25m", "apo1m")


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


def from_fits(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, float | None]:
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
                return (*from_columns(Table.read(hdu), path), resolution or _resolution(hdu.header))
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
        wave = to_angstrom(wave_image.ravel()[order], h.get("CUNIT1"), path)
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
        return to_angstrom(multispec, unit, path), flux, ivar
    if h.get("NAXIS1") != flux.size:
        raise UserInputError(f"{path}: the spectrum must run along the first axis (NAXIS1 = {h.get('NAXIS1')}, "
                             f"{flux.size} pixels)")  # fmt: skip
    step = h.get("CDELT1", h.get("CD1_1"))
    if "CRVAL1" not in h or step is None:
        raise UserInputError(f"{path}: a 1-D FITS spectrum needs CRVAL1 and CDELT1 (or CD1_1)")
    pixel = np.arange(flux.size) + 1 - h.get("CRPIX1", 1.0)
    ctype = str(h.get("CTYPE1", "")).upper()
    log10 = h.get("DC-FLAG", 0) == 1 or ctype in LOG10_CTYPES
    wave = to_angstrom(_wcs_axis(h["CRVAL1"], step, pixel, ctype, log10), h.get("CUNIT1"), path)
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
