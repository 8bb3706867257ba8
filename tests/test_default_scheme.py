"""Default-scheme classes for well-studied stars, from literature Teff, L, R (references in
examples/famous_stars.csv), and the rules the original got wrong."""

import numpy as np
import pytest

from stellarnn.physics.engine import derive


def classify(teff=None, lum=None, radius=None):
    arr = lambda x: None if x is None else np.array([float(x)])
    result = derive(arr(teff), arr(lum), arr(radius), scheme="default")
    return {name: value[0] for name, value in result.columns().items()}


def test_sun_is_g2v_main_sequence():
    star = classify(5772, 1, 1)
    assert (star["mk_type"], star["star_type"]) == ("G2V", "main sequence")


def test_proxima_centauri_is_an_m5_to_m6_red_dwarf():
    star = classify(3050, 0.00151, 0.154)  # Ribas et al. 2017
    assert star["spectral_class"] == "M" and star["spectral_type"] in ("M5", "M5.5", "M6")
    assert (star["luminosity_class"], star["star_type"]) == ("V", "red dwarf")


def test_sirius_b_is_a_white_dwarf():
    star = classify(teff=25193, radius=0.0081)  # Barstow et al. 2005
    assert star["star_type"] == "white dwarf"
    assert star["spectral_type"] == "D2"  # temperature index 50400/25193 = 2.0 (Sirius B is DA2)


def test_betelgeuse_is_an_m_supergiant_ia():
    star = classify(teff=3600, radius=764)  # Levesque & Massey 2020; Joyce et al. 2020
    assert star["spectral_class"] == "M"
    assert (star["luminosity_class"], star["star_type"]) == ("Ia", "supergiant")


def test_vega_is_a0v():
    star = classify(teff=9602, lum=40.12)  # Yoon et al. 2010
    assert (star["mk_type"], star["star_type"]) == ("A0V", "main sequence")


def test_arcturus_is_a_k_giant():
    star = classify(teff=4286, lum=170)  # Ramirez & Allende Prieto 2011
    assert star["spectral_class"] == "K"
    assert (star["luminosity_class"], star["star_type"]) == ("III", "giant")


@pytest.mark.parametrize(
    "teff, lum, radius, expected",
    [
        (12100, 120000, 78.9, "B8Ia"),  # Rigel
        (8525, 196000, 203, "A3Ia"),  # Deneb (A2Ia: one subtype off on the dwarf Teff scale)
        (5790, 1.521, 1.2234, "G2V"),  # Alpha Cen A
    ],
)
def test_more_named_stars(teff, lum, radius, expected):
    assert classify(teff, lum, radius)["mk_type"] == expected


def test_faint_m_dwarfs_are_not_white_dwarfs_or_class_d():
    # Fusion labels every star with L <= 0.1 L_sun luminosity class "D"; an M3 dwarf is class V.
    star = classify(teff=3430, radius=0.361)
    assert (star["luminosity_class"], star["star_type"]) == ("V", "red dwarf")


def test_faint_k_dwarfs_are_main_sequence_not_white_dwarfs():
    # 4600 K and 0.45 R_sun give L = 0.082 L_sun: Fusion's rules call this K dwarf a white dwarf.
    star = classify(teff=4600, radius=0.45)
    assert star["lum_Lsun"] < 0.1
    assert (star["spectral_class"], star["star_type"]) == ("K", "main sequence")
    fusion = derive(np.array([4600.0]), None, np.array([0.45]), scheme="fusion").labels()
    assert fusion["star_type"][0] == "white dwarf"


def test_brown_dwarf_below_the_hydrogen_burning_limit():
    star = classify(teff=1500, radius=0.09)
    assert star["star_type"] == "brown dwarf" and star["spectral_class"] == "L"
    assert np.isnan(star["mass_Msun"])  # no mass-luminosity relation for brown dwarfs


def test_hypergiant_needs_luminosity_above_10_to_the_5_5():
    assert classify(teff=7000, lum=10**5.7)["star_type"] == "hypergiant"
    # a hot main-sequence O star that bright stays on the main sequence
    assert classify(teff=44900, radius=13.43)["star_type"] == "main sequence"


def test_mass_only_for_main_sequence_stars():
    assert classify(5772, 1, 1)["mass_Msun"] == pytest.approx(0.995, abs=1e-3)  # between G2V 1.00 and G3V 0.99
    giant = classify(teff=4286, lum=170)
    for column in ("mass_Msun", "density_rhosun", "log_central_pressure_Pa", "lifespan_tsun"):
        assert np.isnan(giant[column])


def test_white_dwarf_radius_boundary():
    assert classify(teff=10000, radius=0.049)["star_type"] == "white dwarf"
    assert classify(teff=10000, radius=0.051)["star_type"] != "white dwarf"


@pytest.mark.parametrize(
    ("teff", "spectral_class", "spectral_type"),
    [(5772, "G", "G2"), (9700, "A", "A0"), (3060, "M", "M5"), (31400, "B", "B0"), (4440, "K", "K5")],
)
def test_a_temperature_alone_reads_as_the_mamajek_dwarf_type(teff, spectral_class, spectral_type):
    from stellarnn.physics.default_scheme import spectral_class_and_type

    classes, types = spectral_class_and_type([teff])
    assert (classes[0], types[0]) == (spectral_class, spectral_type)
