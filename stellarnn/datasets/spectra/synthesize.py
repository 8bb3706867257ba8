"""Continuum-normalised spectra from Teff, log g, [M/H] (and v sin i, resolution, S/N).

The emergent flux is the Milne-Eddington solution for a source function linear in optical depth,
B = B0 (1 + beta tau), with a line-to-continuum opacity ratio eta(lambda) fixed in depth:
F / F_c = (1 + 2/3 beta / (1 + eta)) / (1 + 2/3 beta) (Mihalas, Stellar Atmospheres, ch. 10). beta comes
from the gray temperatures, eta from lines.py. Strong lines therefore saturate at a depth set by the
temperature gradient, weak lines grow with gf and abundance, and wings with pressure.
"""

from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.spectra.atmosphere import line_forming_layer
from stellarnn.datasets.spectra.atoms import atoms
from stellarnn.datasets.spectra.broadening import broaden, log_lambda_grid, pixel_velocity
from stellarnn.datasets.spectra.lines import line_list, opacity_ratio


@dataclass(frozen=True)
class Synthesis:
    """How spectra are made (the [synthesis] section of configs/spectra*.toml)."""

    start_A: float  # air wavelengths
    end_A: float
    pixels: int  # equally spaced in ln(lambda)
    microturbulence_kms: float
    limb_darkening: float  # linear coefficient epsilon of Gray's rotation kernel
    resolution: float  # lambda / FWHM of the instrument; 0 = none
    min_line_strength: float  # lines whose central eta stays below this are skipped
    max_line_half_width_A: float  # how far any line's wings are followed


def wavelengths(s: Synthesis) -> np.ndarray:
    return log_lambda_grid(s.start_A, s.end_A, s.pixels)


def intrinsic_spectra(s: Synthesis, teff, logg, metallicity, progress=None) -> np.ndarray:
    """(models, pixels) float32 normalised flux before rotation and the instrument."""
    a, lines, wave = atoms(), line_list(), wavelengths(s)
    teff, logg, metallicity = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (teff, logg, metallicity))
    layer = line_forming_layer(a, teff, logg, metallicity, float(np.sqrt(s.start_A * s.end_A)))
    out = np.empty((teff.size, wave.size), dtype=np.float32)
    for m in range(teff.size):
        eta = opacity_ratio(
            wave, lines, a, layer, m, s.microturbulence_kms, s.min_line_strength, s.max_line_half_width_A
        )
        beta = layer.source_slope[m]
        out[m] = (1 + 2 / 3 * beta / (1 + eta)) / (1 + 2 / 3 * beta)
        if progress and (m + 1) % 100 == 0:
            progress(m + 1, teff.size)
    return out


def observe(s: Synthesis, intrinsic: np.ndarray, vsini_kms: float) -> np.ndarray:
    """Rotate, then pass through the instrument."""
    flux = broaden(intrinsic, pixel_velocity(wavelengths(s)), vsini_kms, s.resolution, s.limb_darkening)
    return flux.astype(np.float32)


def with_noise(flux: np.ndarray, snr: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of sigma = 1 / snr per pixel (the continuum's S/N); snr = 0 leaves the flux as it is."""
    if snr <= 0:
        return flux
    return (flux + rng.normal(0.0, 1.0 / snr, flux.shape)).astype(np.float32)
