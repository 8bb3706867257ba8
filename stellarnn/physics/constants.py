"""Physical constants for the two label schemes.

Why two sets: the Fusion data files were computed with Fusion's own rounded solar values and CODATA 2018
(scipy.constants of its day); reading or reproducing them needs exactly those numbers. The default scheme uses
the IAU 2015 nominal solar values (Resolution B3), the IAU 2015 bolometric zero point (Resolution B2) and
CODATA 2022.
"""

import math
from dataclasses import dataclass

from astropy.constants import codata2018, codata2022, iau2015


@dataclass(frozen=True)
class Constants:
    """SI values used by the formulas; one instance per scheme."""

    sigma_sb: float  # Stefan-Boltzmann, W m^-2 K^-4
    G: float  # gravitational constant, m^3 kg^-1 s^-2
    atomic_mass: float  # kg
    k_B: float  # J/K
    wien_b: float  # Wien displacement constant, m K
    L_sun: float  # W
    R_sun: float  # m
    M_sun: float  # kg
    mbol_sun: float  # absolute bolometric magnitude of a 1 L_sun star
    lbol_area_factor: float  # m^2 per (R/R_sun)^2 in the "Lbol" formula (Fusion: 6.09e12, see README)


FUSION = Constants(
    sigma_sb=codata2018.sigma_sb.value,
    G=codata2018.G.value,
    atomic_mass=codata2018.u.value,
    k_B=codata2018.k_B.value,
    wien_b=2.897771955e-3,
    L_sun=3.827e26,
    R_sun=6.96e8,
    M_sun=1.989e30,
    mbol_sun=4.8 - 0.05,  # Fusion writes Mbol = 4.8 - 2.5 log10 L - 0.05
    lbol_area_factor=6.09e12,  # Fusion's value: 4*pi*R_sun^2 is 6.09e18 m^2, so its Lbol is 6 dex low
)

_L0 = iau2015.L_bol0.value  # W, zero point of the absolute bolometric magnitude scale (IAU 2015 B2)
_R_SUN = iau2015.R_sun.value

DEFAULT = Constants(
    sigma_sb=codata2022.sigma_sb.value,
    G=codata2022.G.value,
    atomic_mass=codata2022.u.value,
    k_B=codata2022.k_B.value,
    wien_b=codata2022.b_wien.value,
    L_sun=iau2015.L_sun.value,
    R_sun=_R_SUN,
    M_sun=iau2015.GM_sun.value / codata2022.G.value,
    mbol_sun=2.5 * math.log10(_L0 / iau2015.L_sun.value),
    lbol_area_factor=4 * math.pi * _R_SUN**2,
)

# The Sun's nominal effective temperature and surface gravity (IAU 2015 B3), for the datasets that go between
# log L, log R, Teff and log g in solar units.
TEFF_SUN_K = 5772.0
LOGG_SUN_CGS = math.log10(iau2015.GM_sun.cgs.value / iau2015.R_sun.cgs.value**2)
