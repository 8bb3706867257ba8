"""The wavelength grid and the broadening every synthetic spectrum goes through: rotation (Gray's kernel) and
the instrument (a Gaussian of FWHM c/R).

Spectra live on a grid uniform in ln(lambda), where one pixel is the same velocity step everywhere, so a
velocity kernel is one array for the whole window. Kernels are integrated over each pixel (not sampled at
its centre), so they sum to one exactly and stay right when they are only a pixel or two wide; broadening
convolves the line depth 1 - F, so the continuum beyond the window's ends counts as 1.
"""

import numpy as np
from scipy.signal import fftconvolve
from scipy.special import erf

C_KMS = 299_792.458


def log_lambda_grid(start_A: float, end_A: float, pixels: int) -> np.ndarray:
    """``pixels`` wavelengths from start to end, equally spaced in ln(lambda)."""
    return np.exp(np.linspace(np.log(start_A), np.log(end_A), pixels))


def pixel_velocity(wavelength_A: np.ndarray) -> float:
    """km/s per pixel of a log-lambda grid."""
    return float(C_KMS * np.log(wavelength_A[-1] / wavelength_A[0]) / (len(wavelength_A) - 1))


def _rotation_cdf(x, epsilon: float):
    """Integral of Gray's rotation profile from -1 to x (x in units of v sin i), clipped to [-1, 1]."""
    x = np.clip(x, -1.0, 1.0)
    ellipse = (x * np.sqrt(1 - x**2) + np.arcsin(x)) / 2 + np.pi / 4  # integral of sqrt(1 - x^2)
    parabola = x - x**3 / 3 + 2 / 3  # integral of (1 - x^2)
    return (2 * (1 - epsilon) * ellipse + np.pi * epsilon / 2 * parabola) / (np.pi * (1 - epsilon / 3))


def rotation_kernel(vsini_kms: float, step_kms: float, epsilon: float) -> np.ndarray:
    """Gray's rotational broadening profile (The Observation and Analysis of Stellar Photospheres, eq. 18.14)
    for linear limb darkening ``epsilon``, integrated over pixels of ``step_kms``."""
    if vsini_kms <= 0:
        return np.ones(1)
    half = int(np.ceil(vsini_kms / step_kms + 0.5))
    edges = (np.arange(-half, half + 2) - 0.5) * step_kms / vsini_kms
    return np.diff(_rotation_cdf(edges, epsilon))


def gaussian_kernel(fwhm_kms: float, step_kms: float) -> np.ndarray:
    """A Gaussian of this FWHM, integrated over pixels, out to 4 sigma."""
    if fwhm_kms <= 0:
        return np.ones(1)
    sigma = fwhm_kms / (2 * np.sqrt(2 * np.log(2)))
    half = int(np.ceil(4 * sigma / step_kms + 0.5))
    edges = (np.arange(-half, half + 2) - 0.5) * step_kms / (sigma * np.sqrt(2))
    kernel = np.diff(erf(edges)) / 2
    return kernel / kernel.sum()


def convolve_depth(flux: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Convolve the line depth of spectra (..., pixels) with a kernel; continuum outside the window is 1."""
    if len(kernel) == 1:
        return flux.copy()
    shaped = kernel.astype(flux.dtype).reshape((1,) * (flux.ndim - 1) + (-1,))  # float32 spectra stay float32
    return 1.0 - fftconvolve(1.0 - flux, shaped, mode="same", axes=-1)


def broaden(flux: np.ndarray, step_kms: float, vsini_kms: float, resolution: float, epsilon: float) -> np.ndarray:
    """Rotation, then the instrument (resolution = lambda / FWHM; 0 = none)."""
    rotated = convolve_depth(flux, rotation_kernel(vsini_kms, step_kms, epsilon))
    fwhm = C_KMS / resolution if resolution > 0 else 0.0
    return convolve_depth(rotated, gaussian_kernel(fwhm, step_kms))
