"""Each formula against values worked out by hand (scalar Python, constants typed in from their sources).

Fusion-scheme values use Fusion's constants: L_sun = 3.827e26 W, R_sun = 6.96e8 m, M_sun = 1.989e30 kg,
CODATA 2018 sigma, G, u, k, and M = L^(2/7). Stars: Sun (5772 K, 1 L_sun, 1 R_sun), Sirius A (9940 K,
25.4 L_sun, 1.711 R_sun), Proxima Cen (3050 K, 0.00151 L_sun, 0.154 R_sun), Betelgeuse (3600 K, 88000 L_sun,
764 R_sun). E.g. Sun: log Pc = log10(3 G M^2 / (8 pi R^4)) = log10(3*6.6743e-11*1.989e30^2 / (8 pi 6.96e8^4))
= 14.12812; Proxima: peak = 2897771.955 / 3050 = 950.0892 nm.
"""

import numpy as np
import pytest

from stellarnn.physics import formulas
from stellarnn.physics.constants import DEFAULT
from stellarnn.physics.engine import derive

STARS = {
    "Sun": (5772.0, 1.0, 1.0),
    "Sirius A": (9940.0, 25.4, 1.711),
    "Proxima Cen": (3050.0, 0.00151, 0.154),
    "Betelgeuse": (3600.0, 88000.0, 764.0),
}
# column -> value per star, in STARS order
FUSION_EXPECTED = {
    "mbol_mag": (4.75, 1.237915708, 11.80255763, -7.61120668),
    "log_lbol_W": (20.58353432, 21.99427459, 17.85046983, 25.52962575),
    "mass_Msun": (1.0, 2.519886976, 0.1563123936, 25.86481253),
    "density_rhosun": (1.0, 0.5030730278, 42.79876636, 5.800016902e-08),
    "log_central_pressure_Pa": (14.12811973, 13.99788181, 15.76602367, 5.421164962),
    "log_central_temperature_K": (7.360597082, 7.528728134, 7.367069775, 5.890213058),
    "lifespan_tsun": (1.0, 0.09920814866, 103.5181415, 0.0002939183242),
    "log_binding_energy_J": (41.3572173, 41.92672941, 40.55768341, 41.29954261),
    "log_bolometric_flux_W_m2": (7.798917026, 8.743157274, 6.690811094, 6.97882174),
    "peak_wavelength_nm": (502.0394932, 291.5263536, 950.0891656, 804.9366542),
    "volume_Vsun": (1.0, 5.008988431, 0.003652264, 445943744.0),
    "surface_area_SAsun": (1.0, 2.927521, 0.023716, 583696.0),
    "great_circle_area_GCAsun": (1.0, 2.927521, 0.023716, 583696.0),
    "diameter_Dsun": (1.0, 1.711, 0.154, 764.0),
    "great_circle_circumference_GCCsun": (1.0, 1.711, 0.154, 764.0),
}


@pytest.fixture(scope="module")
def fusion_result():
    teff, lum, radius = (np.array(x) for x in zip(*STARS.values(), strict=True))
    return derive(teff, lum, radius, scheme="fusion").values


@pytest.mark.parametrize("column", FUSION_EXPECTED)
def test_fusion_formula_matches_hand_values(fusion_result, column):
    np.testing.assert_allclose(fusion_result[column], FUSION_EXPECTED[column], rtol=1e-8)


def test_default_constants_give_the_nominal_sun():
    # IAU 2015 B3: L_sun = 3.828e26 W and R_sun = 6.957e8 m imply Teff_sun = 5772.0 K; B2: Mbol_sun = 4.74.
    log_teff = formulas.log_teff_from(0.0, 0.0, DEFAULT)
    assert 10**log_teff == pytest.approx(5772.0, abs=0.01)
    assert formulas.absolute_bolometric_magnitude(0.0, DEFAULT) == pytest.approx(4.7399959, abs=1e-6)
    assert formulas.log_bolometric_luminosity_watts(log_teff, 0.0, DEFAULT) == pytest.approx(
        np.log10(3.828e26), abs=1e-9
    )


def test_default_mass_dependent_formulas_for_one_solar_mass():
    # M = 1 M_sun = GM_sun/G = 1.98841e30 kg, R = 6.957e8 m, u = 1.66053906892e-27 kg (CODATA 2022).
    assert formulas.log_central_pressure(0.0, 0.0, DEFAULT) == pytest.approx(14.12861093, abs=1e-8)
    assert formulas.log_central_temperature(0.0, 0.0, DEFAULT) == pytest.approx(7.360655446, abs=1e-8)
    assert formulas.log_binding_energy(0.0, 0.0, DEFAULT) == pytest.approx(41.35714679, abs=1e-8)
    assert formulas.log_bolometric_flux(np.log10(5772.0), DEFAULT) == pytest.approx(7.798917026, abs=1e-8)


def test_two_inputs_complete_the_third():
    # Sun from (Teff, L), (Teff, R) and (L, R) alike.
    for teff, lum, radius in ((5772.0034, 1.0, None), (5772.0034, None, 1.0), (None, 1.0, 1.0)):
        v = derive(
            None if teff is None else np.array([teff]),
            None if lum is None else np.array([lum]),
            None if radius is None else np.array([radius]),
        ).values
        assert v["teff_K"][0] == pytest.approx(5772.0034, rel=1e-6)
        assert v["lum_Lsun"][0] == pytest.approx(1.0, rel=1e-6)
        assert v["radius_Rsun"][0] == pytest.approx(1.0, rel=1e-6)


def test_bolometric_correction_when_mv_is_known():
    # The Sun: Mv = 4.83 (Willmer 2018: 4.81-4.83), Mbol = 4.7399959 -> BC_V = +0.0900041 in the default scheme.
    v = derive(np.array([5772.0034]), np.array([1.0]), None, mv=np.array([4.83])).values
    assert v["bc_mag"][0] == pytest.approx(0.0900041, abs=1e-6)
