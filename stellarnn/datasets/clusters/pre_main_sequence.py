"""Pre-main-sequence stars: SSE's tracks start on the zero-age main sequence, but in a cluster younger than a few
hundred Myr its low-mass stars are still contracting above it — the clock that dates young clusters best.

A contracting star of mass M that is fully convective (a polytrope of index 3/2) has total energy
-(3/7) G M^2 / R; radiating L = 4 pi R^2 sigma Teff^4 at nearly constant Teff (the Hayashi track) it shrinks as
R(t) = (G M^2 / (28 pi sigma Teff^4 t))^(1/3) (Kelvin-Helmholtz contraction; e.g. Kippenhahn, Weigert & Weiss
2012, Stellar Structure and Evolution, ch. 28). A main-sequence star whose contraction radius at the cluster's
age still exceeds its track radius is put there, at its main-sequence Teff (low-mass stars descend their Hayashi
line close to that Teff), with the luminosity and gravity that radius implies. Stars above ~1 M_sun, which
leave the Hayashi line for a radiative Henyey track, reach the main sequence within ~30 Myr; their colours
before then come out too blue by this rule.
"""

import numpy as np
from astropy import constants

R_SUN_M = constants.R_sun.to_value("m")
_RATE = 28 * np.pi * constants.sigma_sb.to_value("W m-2 K-4") / (constants.G.to_value("m3 kg-1 s-2")
                                                                   * constants.M_sun.to_value("kg") ** 2)  # fmt: skip
YEAR_S = 365.25 * 86400.0


def contraction_log_radius(mass_msun, teff_k, age_yr) -> np.ndarray:
    """log10 R/R_sun of a fully convective star of this mass and Teff contracting for age_yr."""
    r_cubed = np.asarray(mass_msun, float) ** 2 / (_RATE * np.asarray(teff_k, float) ** 4 * np.asarray(age_yr) * YEAR_S)
    return np.log10(r_cubed) / 3 - np.log10(R_SUN_M)
