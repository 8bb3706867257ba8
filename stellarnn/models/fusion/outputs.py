"""The 16 outputs of the fusion network, in the seed's order (each sub-model sees all earlier outputs).

Every formula-defined output is linear in (log Teff, log L, log R, log M) once expressed in its target space
(a log for positive quantities), so its physics estimate is a fixed linear combination: the "physics branch".
Mass itself has no closed form from (Teff, L, R) except a mass-luminosity relation; the branch uses Fusion's
M = L^(2/7) as its estimate in both schemes and the network learns the rest (the default scheme's
main-sequence masses, and log g, which needs a real mass).
"""

import math
from dataclasses import dataclass

from stellarnn.physics.constants import Constants

REGRESSION, CLASSIFICATION = "regression", "classification"
MASS_EXPONENT = 2.0 / 7.0  # Fusion's mass-luminosity relation, the branch's mass estimate


@dataclass(frozen=True)
class Output:
    name: str  # column name (units in the name)
    kind: str
    log_target: bool = False  # regress log10 of the value (positive, wide-ranging quantities)
    loss: str = "mse"  # mse for formula outputs, mae for the catalogue quantities (scored by MAE)
    formula: bool = True  # has a physics estimate (and is a closed form of the inputs in the fusion scheme)


# class output -> the label tuple's attribute on a physics Scheme
CLASS_LABELS = {
    "spectral_class": "spectral_classes",
    "luminosity_class": "luminosity_classes",
    "star_type": "star_types",
}


def class_labels(scheme, name: str) -> tuple[str, ...]:
    """The labels of class output ``name`` in a physics Scheme."""
    return getattr(scheme, CLASS_LABELS[name])


def magnitude_name(band: str) -> str:
    return f"abs_{band.lower()}_mag"


def outputs(band: str) -> tuple[Output, ...]:
    return (
        Output("mbol_mag", REGRESSION),
        Output(magnitude_name(band), REGRESSION, loss="mae", formula=False),
        Output("log_lbol_W", REGRESSION),
        Output("mass_Msun", REGRESSION, log_target=True),
        Output("density_rhosun", REGRESSION, log_target=True),
        Output("log_central_pressure_Pa", REGRESSION),
        Output("log_central_temperature_K", REGRESSION),
        Output("lifespan_tsun", REGRESSION, log_target=True),
        Output("logg_cgs", REGRESSION, loss="mae", formula=False),
        Output("log_binding_energy_J", REGRESSION),
        Output("log_bolometric_flux_W_m2", REGRESSION),
        Output("mh_dex", REGRESSION, loss="mae", formula=False),
        Output("spectral_class", CLASSIFICATION),
        Output("luminosity_class", CLASSIFICATION),
        Output("peak_wavelength_nm", REGRESSION, log_target=True),
        Output("star_type", CLASSIFICATION),
    )


def physics_estimate(name: str, c: Constants, band: str) -> tuple[tuple[float, float, float], float] | None:
    """(coefficients of log Teff, log L, log R; offset) of the output's estimate in target space, or None."""
    m = MASS_EXPONENT  # log M = m log L
    log = math.log10
    table = {
        "mbol_mag": ((0, -2.5, 0), c.mbol_sun),
        magnitude_name(band): ((0, -2.5, 0), c.mbol_sun),  # Mv ~ Mbol; the network learns the correction
        "log_lbol_W": ((4, 0, 2), log(c.lbol_area_factor * c.sigma_sb)),
        "mass_Msun": ((0, m, 0), 0.0),
        "density_rhosun": ((0, m, -3), 0.0),
        "log_central_pressure_Pa": ((0, 2 * m, -4), log(3 * c.G * c.M_sun**2 / (8 * math.pi * c.R_sun**4))),
        "log_central_temperature_K": ((0, m, -1), log(c.G * c.atomic_mass * c.M_sun / (c.k_B * c.R_sun))),
        "lifespan_tsun": ((0, m - 1, 0), 0.0),
        "logg_cgs": ((0, m, -2), log(c.G * c.M_sun / c.R_sun**2 * 100.0)),
        "log_binding_energy_J": ((0, 2 * m, -1), log(3 * c.G * c.M_sun**2 / (5 * c.R_sun))),
        "log_bolometric_flux_W_m2": ((4, 0, 0), log(c.sigma_sb)),
        "peak_wavelength_nm": ((-1, 0, 0), log(c.wien_b * 1e9)),
    }
    return table.get(name)
