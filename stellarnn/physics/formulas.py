"""Closed-form stellar relations, vectorised over numpy arrays.

Inputs are in solar units (L/L_sun, R/R_sun, M/M_sun) and kelvin; ``c`` is a :class:`Constants` set, so the
same formula serves both label schemes. Logarithmic outputs are computed from the logs of the inputs (one
log per input array instead of one per output), which is what makes ten million stars a second possible.
"""

import numpy as np

from stellarnn.physics.constants import Constants


def log_luminosity_from(log_teff, log_radius, c: Constants):
    """Stefan-Boltzmann: L = 4 pi R^2 sigma T^4, in log10 L/L_sun."""
    return np.log10(4 * np.pi * c.R_sun**2 * c.sigma_sb / c.L_sun) + 2 * log_radius + 4 * log_teff


def log_radius_from(log_teff, log_lum, c: Constants):
    return 0.5 * (log_lum - log_luminosity_from(log_teff, 0.0, c))


def log_teff_from(log_lum, log_radius, c: Constants):
    return 0.25 * (log_lum - log_luminosity_from(0.0, log_radius, c))


def absolute_bolometric_magnitude(log_lum, c: Constants):
    return c.mbol_sun - 2.5 * log_lum


def log_bolometric_luminosity_watts(log_teff, log_radius, c: Constants):
    """log10 of R^2 * area factor * sigma T^4 (the area factor is 4 pi R_sun^2 except in Fusion's scheme)."""
    return np.log10(c.lbol_area_factor * c.sigma_sb) + 2 * log_radius + 4 * log_teff


def density(mass, radius_cubed):
    """Mean density relative to the Sun's."""
    return mass / radius_cubed


def log_central_pressure(log_mass, log_radius, c: Constants):
    """Uniform-sphere estimate P_c = 3 G M^2 / (8 pi R^4), in log10 Pa."""
    const = np.log10(3 * c.G * c.M_sun**2 / (8 * np.pi * c.R_sun**4))
    return const + 2 * log_mass - 4 * log_radius


def log_central_temperature(log_mass, log_radius, c: Constants):
    """Virial estimate T_c = G m_u M / (k R) (mean molecular weight 1), in log10 K."""
    const = np.log10(c.G * c.atomic_mass * c.M_sun / (c.k_B * c.R_sun))
    return const + log_mass - log_radius


def log_binding_energy(log_mass, log_radius, c: Constants):
    """Uniform-sphere gravitational binding energy 3 G M^2 / (5 R), in log10 J."""
    const = np.log10(3 * c.G * c.M_sun**2 / (5 * c.R_sun))
    return const + 2 * log_mass - log_radius


def log_bolometric_flux(log_teff, c: Constants):
    """Surface flux sigma T^4, in log10 W m^-2."""
    return np.log10(c.sigma_sb) + 4 * log_teff


def peak_wavelength_nm(teff, c: Constants):
    """Wien's displacement law."""
    return c.wien_b * 1e9 / teff


def lifespan(mass, lum):
    """Main-sequence lifetime relative to the Sun's, t ~ M / L."""
    return mass / lum


def bolometric_correction(mv, mbol):
    """BC_V = M_V - M_bol."""
    return mv - mbol
