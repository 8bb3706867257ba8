"""White-dwarf cooling and radius, as in SSE (Hurley, Pols & Tout 2000, eqs. 90-91) with the modified-Mestel
cooling of Hurley & Shara (2003) that COSMIC applies by default (wdflag = 1).

Evaluated here in closed form so a white dwarf of any cooling age costs nothing; tests check the numbers
against COSMIC's own output.
"""

import numpy as np

CHANDRASEKHAR_MASS = 1.44  # M_sun, SSE's value
BARYON_NUMBER = {10: 4.0, 11: 16.0, 12: 16.0}  # SSE's effective baryon number A: He WD 4, CO and ONe WDs 16


def white_dwarf_luminosity(mass, cooling_age_myr, metallicity, kstar):
    """L / L_sun of a white dwarf ``cooling_age_myr`` after its formation."""
    a = np.where(kstar == 10, BARYON_NUMBER[10], BARYON_NUMBER[11])
    t = np.asarray(cooling_age_myr, float) + 0.1
    z = np.asarray(metallicity, float) ** 0.4
    early = 300.0 * mass * z / (a * t) ** 1.18
    late = 300.0 * (9000.1 * a) ** 5.3 * mass * z / (a * t) ** 6.48
    return np.where(np.asarray(cooling_age_myr) < 9000.0, early, late)


def white_dwarf_radius(mass):
    """R / R_sun from SSE's mass-radius relation (Nauenberg-like), capped at 0.1 R_sun."""
    m = np.asarray(mass, float)
    ratio = (CHANDRASEKHAR_MASS / m) ** (2 / 3) - (m / CHANDRASEKHAR_MASS) ** (2 / 3)
    return np.minimum(0.1, 0.0115 * np.sqrt(np.maximum(1.48204e-06, ratio)))
