"""Line opacity: every line of the list as a Voigt profile whose strength comes from Saha-Boltzmann
populations in the line-forming layer, summed into the line-to-continuum opacity ratio eta(lambda).

- Strength: pi e^2 / (m_e c^2) lambda^2 gf exp(-chi/kT) / U * N_element/N_H * ionisation fraction *
  (1 - exp(-hc/lambda kT)), per H nucleus, divided by the continuum opacity per H nucleus.
- Gaussian width: thermal speed of the atom and the microturbulence.
- Lorentzian width: radiative (from the list) plus van der Waals by neutral hydrogen: ABO cross-sections
  (Anstee & O'Mara 1995; Barklem et al. 2000) where the list gives sigma.alpha, the list's log gamma6 at
  10^4 K where it gives that, else Unsold's approximation (Gray, ch. 11: gamma6 = 17 C6^0.4 v^0.6 N_H with
  C6 = 0.3e-30 Z^2 [1/(I - chi - chi_lambda)^2 - 1/(I - chi)^2], energies in eV, Z = 1 for neutrals, 2 for
  ions) times the list's enhancement factor.
- Hydrogen (H-alpha) is broadened by the linear Stark effect instead: a profile with Holtsmark's
  Delta-lambda^-5/2 wings, whose FWHM follows the fit of Gigosos et al. (2003, Spectrochim. Acta B 58, 1489),
  FWHM = 10.98 A (N_e / 10^17 cm^-3)^0.67965, convolved with the Doppler core.
Lines too weak to matter (central eta below ``min_strength``) are skipped for that model.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
from astropy import constants as const
from scipy.special import gamma as gamma_function
from scipy.special import voigt_profile

from stellarnn.datasets.spectra.atmosphere import HC_EV_A, Layer
from stellarnn.datasets.spectra.atoms import K_EV, Atoms, partition_functions

C_CMS = const.c.cgs.value
K_CGS = const.k_B.cgs.value
AMU_G = const.u.cgs.value
LINE_CROSS_SECTION = np.pi * const.e.esu.value**2 / (const.m_e.cgs.value * const.c.cgs.value**2)  # cm
BOHR_CM2 = const.a0.cgs.value**2
HYDROGEN_MASS_AMU = 1.00794
HOLTSMARK_NORM = 2 * (2 * np.pi / 5) / np.sin(2 * np.pi / 5)  # integral of 1 / (1 + |x|^2.5) over all x


@dataclass(frozen=True)
class LineList:
    wavelength_A: np.ndarray
    z: np.ndarray
    ion: np.ndarray  # 1 = neutral, 2 = singly ionised
    chi_lo_eV: np.ndarray
    loggf: np.ndarray
    damping: np.ndarray  # the list's van der Waals column (ABO sigma.alpha, log gamma6, or Unsold factor)
    gamma_rad: np.ndarray  # s^-1

    @property
    def hydrogen(self) -> np.ndarray:
        return self.z == 1


@cache
def line_list() -> LineList:
    """Gaia-ESO v6 lines 6400-6700 A (Heiter et al. 2021, A&A 645, A106) and H-alpha; see scripts/."""
    t = pd.read_csv(files("stellarnn.datasets.spectra") / "data" / "lines_6400_6700.csv.gz")
    return LineList(
        wavelength_A=t["wave_air_A"].to_numpy(),
        z=t["Z"].to_numpy(),
        ion=t["ion"].to_numpy(),
        chi_lo_eV=t["chi_lo_eV"].to_numpy(),
        loggf=t["loggf"].to_numpy(),
        damping=t["fdamp"].to_numpy(),
        gamma_rad=t["gamma_rad"].to_numpy(),
    )


def central_strengths(lines: LineList, a: Atoms, layer: Layer, model: int, microturbulence_kms: float):
    """(eta per unit profile in A, Doppler sigma in A) of every line, for one model of the layer."""
    t = layer.temperature[model]
    rows = a.row(lines.z)
    u = partition_functions(a, t)[rows, lines.ion - 1, 0]
    fraction = layer.fractions[rows, lines.ion - 1, model]
    population = layer.abundances[rows, model] * fraction * np.exp(-lines.chi_lo_eV / (K_EV * t)) / u
    stimulated = -np.expm1(-HC_EV_A / (lines.wavelength_A * K_EV * t))
    lam_cm = lines.wavelength_A * 1e-8
    # cm^2 per H nucleus per unit profile (1/cm), then per unit profile in 1/A
    strength = LINE_CROSS_SECTION * lam_cm**2 * 10**lines.loggf * population * stimulated * 1e8
    velocity = np.sqrt(2 * K_CGS * t / (a.mass_amu[rows] * AMU_G) + (microturbulence_kms * 1e5) ** 2)
    sigma_A = lines.wavelength_A * velocity / C_CMS / np.sqrt(2)
    return strength / layer.continuum_opacity[model], sigma_A


def lorentz_hwhm(lines: LineList, a: Atoms, layer: Layer, model: int) -> np.ndarray:
    """Half width at half maximum in A from radiative and van der Waals damping."""
    t, n_h = layer.temperature[model], layer.neutral_hydrogen_density[model]
    mass = a.mass_amu[a.row(lines.z)]
    mean_speed = np.sqrt(8 * K_CGS * t / np.pi * (1 / (HYDROGEN_MASS_AMU * AMU_G) + 1 / (mass * AMU_G)))
    d = lines.damping
    abo = d > 20
    sigma, alpha = np.floor(d) * BOHR_CM2, d - np.floor(d)
    v0 = 1e6  # cm/s, the reference speed of the ABO tables
    abo_width = (
        (4 / np.pi) ** (alpha / 2) * gamma_function((4 - alpha) / 2) * v0 * sigma * (mean_speed / v0) ** (1 - alpha)
    )
    gamma6 = np.where(abo, 2 * n_h * abo_width, 0.0)
    tabulated = d < 0
    gamma6 = np.where(tabulated, 10.0 ** np.where(tabulated, d, 0.0) * n_h * (t / 1e4) ** 0.3, gamma6)
    unsold = (d > 0) & (d <= 20) & ~lines.hydrogen
    gamma6 = np.where(unsold, d * _unsold(lines, a, t, n_h, mean_speed), gamma6)
    gamma = lines.gamma_rad + gamma6
    return lines.wavelength_A**2 * 1e-8 * gamma / (4 * np.pi * C_CMS)


def _unsold(lines: LineList, a: Atoms, t, n_h, mean_speed) -> np.ndarray:
    """Unsold's van der Waals width from the level energies (see the module docstring)."""
    limit = a.chi_eV[a.row(lines.z), lines.ion - 1]
    upper = lines.chi_lo_eV + HC_EV_A / lines.wavelength_A
    lower_gap = np.maximum(limit - lines.chi_lo_eV, 0.1)
    upper_gap = np.maximum(limit - upper, 0.1)  # levels above the limit (autoionising) get the 0.1 eV floor
    charge = lines.ion  # Z of the core the electron sees: 1 for neutrals, 2 for singly ionised (<r^2> ~ Z^2)
    c6 = 0.3e-30 * charge**2 * np.abs(1 / upper_gap**2 - 1 / lower_gap**2)
    return 17.0 * c6**0.4 * mean_speed**0.6 * n_h


def hydrogen_stark_fwhm_A(electron_density) -> float:
    """Gigosos et al. (2003) H-alpha Stark FWHM in A."""
    return 10.98 * (electron_density / 1e17) ** 0.67965


def opacity_ratio(
    wavelength_A: np.ndarray,
    lines: LineList,
    a: Atoms,
    layer: Layer,
    model: int,
    microturbulence_kms: float,
    min_strength: float,
    max_half_width_A: float,
) -> np.ndarray:
    """eta(lambda) = line / continuum opacity on the grid, for one model."""
    strength, sigma = central_strengths(lines, a, layer, model, microturbulence_kms)
    hwhm = lorentz_hwhm(lines, a, layer, model)
    peak = strength * voigt_profile(0.0, sigma, hwhm)
    keep = (peak > min_strength) & ~lines.hydrogen
    eta = np.zeros_like(wavelength_A)
    if keep.any():
        # each line spreads until its Lorentz wing, strength * hwhm / (pi d^2), falls below min_strength; at
        # least 6 Doppler sigmas, at most the cap
        wing = np.sqrt(strength * hwhm / (np.pi * min_strength))
        reach = np.clip(np.maximum(6 * sigma, wing), 0, max_half_width_A)[keep]
        lo = np.searchsorted(wavelength_A, lines.wavelength_A[keep] - reach)
        hi = np.searchsorted(wavelength_A, lines.wavelength_A[keep] + reach)
        counts = hi - lo
        which = np.repeat(np.arange(counts.size), counts)
        pixel = lo[which] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        offset = wavelength_A[pixel] - lines.wavelength_A[keep][which]
        values = strength[keep][which] * voigt_profile(offset, sigma[keep][which], hwhm[keep][which])
        eta += np.bincount(pixel, weights=values, minlength=eta.size)
    for h in np.flatnonzero(lines.hydrogen):
        eta += strength[h] * _hydrogen_profile(wavelength_A, lines.wavelength_A[h], sigma[h], layer, model)
    return eta


def _hydrogen_profile(wavelength_A, centre_A, sigma_A, layer: Layer, model: int) -> np.ndarray:
    """Stark (Holtsmark-winged) profile convolved with the Doppler Gaussian, normalised per A.

    The Stark core is often narrower than a pixel, so it is sampled only where it is smooth (beyond 1.5
    pixels); when the line centre is in the window, the rest of its unit area, less the wings beyond the
    window's two ends, goes to the nearest pixel. A window without the line centre gets its wing only.
    """
    electron_density = layer.electron_pressure[model] / (K_CGS * layer.temperature[model])
    w = hydrogen_stark_fwhm_A(electron_density) / 2
    offset = wavelength_A - centre_A
    step = np.median(np.diff(wavelength_A))
    outer = np.abs(offset) >= 1.5 * step
    stark = np.where(outer, 1.0 / (HOLTSMARK_NORM * w * (1.0 + np.abs(offset / w) ** 2.5)), 0.0)
    if wavelength_A[0] <= centre_A <= wavelength_A[-1]:
        beyond = [centre_A - wavelength_A[0], wavelength_A[-1] - centre_A]
        wings = sum(2 / 3 / HOLTSMARK_NORM * (max(d, w) / w) ** -1.5 for d in beyond)
        stark[np.argmin(np.abs(offset))] += max(1.0 - stark.sum() * step - wings, 0.0) / step
    half = int(np.ceil(5 * sigma_A / step))
    x = np.arange(-half, half + 1) * step
    doppler = np.exp(-0.5 * (x / sigma_A) ** 2)
    return np.convolve(stark, doppler / doppler.sum(), mode="same")
