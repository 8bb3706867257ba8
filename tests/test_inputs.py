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
    assert problems[1] == "teff_gspphot = -1.0 is not a finite number > 0 K"
    assert problems[2].startswith("fewer than two of Teff, L, R given")
    assert "inf" in problems[4]


def test_missing_values_are_fine_when_two_remain():
    assert row_problems(np.array([5772.0]), np.array([np.nan]), np.array([1.0])) == {}


def test_infinite_mv_is_rejected_and_missing_mv_is_not():
    ok = np.array([1.0])
    assert row_problems(ok * 5772, ok, ok, mv=np.array([np.nan])) == {}
    assert "is not finite" in row_problems(ok * 5772, ok, ok, mv=np.array([np.inf]))[0]


@pytest.mark.parametrize(
    "kwargs", [{"teff": 0, "lum": 1}, {"teff": 5000, "radius": -2}, {"lum": 1}, {"teff": 5000, "lum": 1, "mv": np.nan}]
)
def test_check_star_rejects(kwargs):
    with pytest.raises(UserInputError):
        check_star(**kwargs)
