import numpy as np
import pytest

from stellarnn.physics.lookup import SortedLookup


@pytest.fixture
def knots():
    rng = np.random.default_rng(3)
    return np.cumsum(rng.uniform(0.001, 0.3, 60)) + 2.3  # irregular gaps, like a spectral-type table


def test_count_below_matches_searchsorted_everywhere(knots):
    lookup = SortedLookup(knots)
    rng = np.random.default_rng(4)
    x = np.concatenate(
        [
            rng.uniform(knots[0] - 1, knots[-1] + 1, 200_000),
            knots,
            np.nextafter(knots, -np.inf),
            np.nextafter(knots, np.inf),
            [-1e300, 1e300],
        ]
    )
    np.testing.assert_array_equal(lookup.count_below(x), np.searchsorted(knots, x, side="left"))


def test_interp_matches_numpy(knots):
    lookup = SortedLookup(knots)
    y = np.sin(knots * 7)
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(knots[0] - 1, knots[-1] + 1, 100_000), knots])
    np.testing.assert_allclose(lookup.interp(x, y), np.interp(x, knots, y), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        np.isnan(lookup.interp(x, y, left=np.nan, right=np.nan)),
        np.isnan(np.interp(x, knots, y, left=np.nan, right=np.nan)),
    )


def test_rejects_unsorted_knots():
    with pytest.raises(ValueError):
        SortedLookup([1.0, 1.0, 2.0])
