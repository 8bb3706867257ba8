"""The layer where the lines form: a gray, LTE, hydrostatic atmosphere for given Teff, log g and [M/H].

Temperature follows the Eddington gray law T^4 = 3/4 Teff^4 (tau + 2/3); the continuum opacity is that of
Gray (The Observation and Analysis of Stellar Photospheres, 3rd ed., ch. 8): H- bound-free (eq. 8.11-8.12)
and free-free (8.13), neutral hydrogen bound-free and free-free (8.8, 8.10), and Thomson scattering; the
electron pressure comes from the Saha equation for every element (Gray eq. 9.8), and the gas pressure from
integrating dP/dtau = g / kappa. It is a textbook model, not a model atmosphere code: it gets the
directions and rough sizes right (pressure ~ g^0.6 in cool stars, hydrogen ionising above ~8000 K).
"""

from dataclasses import dataclass

import numpy as np
from astropy import constants as const

from stellarnn.datasets.spectra.atoms import K_EV, Atoms, ionisation_fractions

K_CGS = const.k_B.cgs.value
AMU_G = const.u.cgs.value
HC_EV_A = (const.h * const.c).to("eV Angstrom").value
THOMSON_CM2 = const.sigma_T.cgs.value
HYDROGEN_EV = 13.598434
LOG_EPS_HELIUM = 10.93  # Asplund et al. 2009; helium is not scaled with [M/H]
HELIUM_MASS_AMU = 4.002602
H_MINUS_BF = (1.99654, -1.18267e-5, 2.64243e-6, -4.40524e-10, 3.23992e-14, -1.39568e-18, 2.78701e-23)


@dataclass(frozen=True)
class Layer:
    """The line-forming layer of each model (arrays over models)."""

    temperature: np.ndarray  # K
    gas_pressure: np.ndarray  # dyn/cm^2
    electron_pressure: np.ndarray  # dyn/cm^2
    neutral_hydrogen_density: np.ndarray  # H I per cm^3 (the perturbers of van der Waals broadening)
    continuum_opacity: np.ndarray  # cm^2 per H nucleus at the window's wavelength
    fractions: np.ndarray  # (elements, 3 stages, models)
    abundances: np.ndarray  # (elements, models): N / N_H
    source_slope: np.ndarray  # beta = (dB/dtau) / B(tau = 0) at the window's wavelength


def gray_temperature(teff, tau):
    return teff * (0.75 * (tau + 2.0 / 3.0)) ** 0.25


def abundances(a: Atoms, metallicity) -> np.ndarray:
    """N / N_H per element and model: solar, with every metal scaled by 10^[M/H]."""
    mh = np.atleast_1d(np.asarray(metallicity, dtype=float))
    solar = 10.0 ** (a.log_eps_sun - 12.0)
    scale = np.where(a.z > 2, 1.0, 0.0)[:, None] * (10.0**mh - 1.0)[None, :] + 1.0
    return solar[:, None] * scale


def _electron_pressure(a: Atoms, abundance, temperature, gas_pressure, iterations: int = 40):
    """Pe with Pe / Pg = n_e / (n_nuclei + n_e), solved by damped fixed-point iteration in log Pe."""
    nuclei = abundance.sum(axis=0) + 10 ** (LOG_EPS_HELIUM - 12)
    pe = gas_pressure * 1e-4
    for _ in range(iterations):
        f = ionisation_fractions(a, temperature, pe)
        electrons = (abundance * (f[:, 1] + 2 * f[:, 2])).sum(axis=0) / nuclei
        target = gas_pressure * electrons / (1 + electrons)
        pe = np.sqrt(pe * np.maximum(target, 1e-12 * gas_pressure))
    return pe, ionisation_fractions(a, temperature, pe)


def continuum_opacity(wavelength_A: float, temperature, electron_pressure, neutral_h_fraction, electrons_per_h):
    """cm^2 per H nucleus: H- (bf + ff) and H I (bf + ff) per neutral H, plus electron scattering."""
    theta = 5040.0 / temperature
    lam = wavelength_A
    stimulated = 1 - 10 ** (-theta * HC_EV_A / lam)
    alpha_bf = 1e-18 * sum(c * lam**k for k, c in enumerate(H_MINUS_BF))
    h_minus_bf = 4.158e-10 * alpha_bf * electron_pressure * theta**2.5 * 10 ** (0.754 * theta) * stimulated
    log_lam, log_theta = np.log10(lam), np.log10(theta)
    f0 = -2.2763 - 1.6850 * log_lam + 0.76661 * log_lam**2 - 0.053346 * log_lam**3
    f1 = 15.2827 - 9.2846 * log_lam + 1.99381 * log_lam**2 - 0.142631 * log_lam**3
    f2 = -197.789 + 190.266 * log_lam - 67.9775 * log_lam**2 + 10.6913 * log_lam**3 - 0.625151 * log_lam**4
    h_minus_ff = 1e-26 * electron_pressure * 10 ** (f0 + f1 * log_theta + f2 * log_theta**2)
    alpha0 = 1.0449e-26 * lam**3
    n0 = int(np.ceil(np.sqrt(HYDROGEN_EV * lam / HC_EV_A)))  # lowest level a photon of this wavelength ionises
    levels = sum(10 ** (-theta * HYDROGEN_EV * (1 - 1 / n**2)) / n**3 for n in range(n0, n0 + 3))
    tail = np.log10(np.e) / (2 * theta * HYDROGEN_EV)
    high = tail * (10 ** (-theta * HYDROGEN_EV * (1 - 1 / (n0 + 3) ** 2)) - 10 ** (-theta * HYDROGEN_EV))
    h_bf = alpha0 * (levels + high) * stimulated
    h_ff = alpha0 * tail * 10 ** (-theta * HYDROGEN_EV) * stimulated
    return neutral_h_fraction * (h_minus_bf + h_minus_ff + h_bf + h_ff) + THOMSON_CM2 * electrons_per_h


def _state(a: Atoms, abundance, mass_per_h, teff, tau, gas_pressure, wavelength_A):
    t = gray_temperature(teff, tau)
    pe, fractions = _electron_pressure(a, abundance, t, gas_pressure)
    h = a.row(1)
    nuclei_per_h = abundance.sum(axis=0) + 10 ** (LOG_EPS_HELIUM - 12)
    h_density = (gas_pressure - pe) / (K_CGS * t) / nuclei_per_h
    kappa = continuum_opacity(wavelength_A, t, pe, fractions[h, 0], pe / (K_CGS * t) / h_density)
    return t, pe, fractions, h_density, kappa, kappa / mass_per_h


def line_forming_layer(
    a: Atoms, teff, logg, metallicity, wavelength_A: float, tau_line: float = 2.0 / 3.0, steps: int = 40
) -> Layer:
    """Integrate hydrostatic equilibrium from tau = 1e-6 down to ``tau_line`` (RK2 in ln tau), per model."""
    teff = np.atleast_1d(np.asarray(teff, dtype=float))
    g = 10.0 ** np.atleast_1d(np.asarray(logg, dtype=float))
    abundance = abundances(a, metallicity)
    mass_per_h = AMU_G * ((abundance * a.mass_amu[:, None]).sum(axis=0) + 10 ** (LOG_EPS_HELIUM - 12) * HELIUM_MASS_AMU)
    log_tau = np.linspace(np.log(1e-6), np.log(tau_line), steps)
    pressure = g * 1e-6 / 1e-3  # a starting guess at tau = 1e-6 (kappa ~ 1e-3 cm^2/g); forgotten within a few steps
    for lo, hi in zip(log_tau[:-1], log_tau[1:], strict=True):
        step = hi - lo
        slope = np.exp(lo) * g / _state(a, abundance, mass_per_h, teff, np.exp(lo), pressure, wavelength_A)[-1]
        middle = pressure + 0.5 * step * slope
        slope = np.exp(lo + step / 2) * g / _state(a, abundance, mass_per_h, teff, np.exp(lo + step / 2), middle,
                                                   wavelength_A)[-1]  # fmt: skip
        pressure = pressure + step * slope
    t, pe, fractions, h_density, kappa, _ = _state(a, abundance, mass_per_h, teff, tau_line, pressure, wavelength_A)
    return Layer(
        temperature=t,
        gas_pressure=pressure,
        electron_pressure=pe,
        neutral_hydrogen_density=h_density * fractions[a.row(1), 0],
        continuum_opacity=kappa,
        fractions=fractions,
        abundances=abundance,
        source_slope=_source_slope(teff, wavelength_A),
    )


def _planck(wavelength_A: float, temperature):
    """B_lambda up to a factor that cancels in ratios at one wavelength."""
    return 1.0 / np.expm1(HC_EV_A / (wavelength_A * K_EV * temperature))


def _source_slope(teff, wavelength_A: float):
    """Milne-Eddington beta: B(tau) ~ B0 (1 + beta tau), from the gray temperatures at tau = 0 and 1."""
    b0 = _planck(wavelength_A, gray_temperature(teff, 0.0))
    return _planck(wavelength_A, gray_temperature(teff, 1.0)) / b0 - 1.0
