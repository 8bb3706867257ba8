import numpy as np
import pytest

from stellarnn.errors import UserInputError
from stellarnn.physics.inputs import check_star, row_problems


def test_row_problems_names_rows_and_reasons():
    teff = np.array([5772.0, -1.0, np.nan, 5000.0, np.inf])
    lum = np.array([1.0, 1.0, 1.0, np.nan, 1.0])
    radius = np.array([np.nan, np.nan, np.nan, np.nan, 1.0])
    problems = row_problems(teff, lum, radius, names={"teff": "teff_gspphot"})
    assert set(problems) == {1, 2, 3, 4}
    assert problems[1] == "teff_gspphot = -1.0 is outside 100 to 1e+06 K"
    assert problems[2].startswith("fewer than two of Teff, L, R given")
    assert "inf" in problems[4]


def test_missing_values_are_fine_when_two_remain():
    assert row_problems(np.array([5772.0]), np.array([np.nan]), np.array([1.0])) == {}


def test_infinite_mv_is_rejected_and_missing_mv_is_not():
    ok = np.array([1.0])
    assert row_problems(ok * 5772, ok, ok, mv=np.array([np.nan])) == {}
    assert "mv = inf is outside -20 to 35 mag" in row_problems(ok * 5772, ok, ok, mv=np.array([np.inf]))[0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"teff": 0, "lum": 1},
        {"teff": 5000, "radius": -2},
        {"lum": 1},
        {"teff": 5000, "lum": 1, "mv": np.nan},
        {"teff": np.nan, "lum": 1, "radius": 1},
        {"teff": 1e308, "lum": 1},
        {"teff": 5772, "radius": 1e-320},
    ],
)
def test_check_star_rejects(kwargs):
    with pytest.raises(UserInputError):
        check_star(**kwargs)


@pytest.mark.parametrize(
    "teff, lum, radius, why",
    [
        (1e308, 1.0, np.nan, "teff = 1e+308 is outside"),  # the overflow: R came out 0
        (5772.0, np.nan, 1e-320, "radius = 1e-320 is outside"),  # "white dwarf D0" before
        (5e4, np.nan, 1e4, "the lum that Teff, L and R imply"),  # 5.6e9 L_sun: no such star
        (3000.0, 1e8, np.nan, "the radius that Teff, L and R imply"),  # 3.7e4 R_sun
        (np.nan, 1e-9, 100.0, "the teff that Teff, L and R imply"),  # 32 K
    ],
)
def test_values_outside_a_stars_range_are_refused(teff, lum, radius, why):
    problems = row_problems(np.array([teff]), np.array([lum]), np.array([radius]))
    assert why in problems[0]


def test_the_range_edges_hold_real_stars():
    # Sun; Sirius B (25,000 K, 0.0084 R_sun); Betelgeuse (3,600 K, ~100,000 L_sun); a Y dwarf (300 K, 1e-7 L_sun)
    teff = np.array([5772.0, 25000.0, 3600.0, 300.0])
    lum = np.array([1.0, np.nan, 1e5, 1e-7])
    radius = np.array([1.0, 0.0084, np.nan, np.nan])
    assert row_problems(teff, lum, radius) == {}
