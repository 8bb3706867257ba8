"""The Cramér–Rao bound against the textbook result for one Gaussian line, and what it says about the
synthesizer's spectra: a metal-rich cool star carries far more metallicity information than a hot
metal-poor one."""

import numpy as np
import pytest

from stellarnn.datasets.spectra.information import cramer_rao, spectra_bounds
from stellarnn.datasets.spectra.synthesize import Synthesis


def test_a_gaussian_lines_centre_and_depth_bounds_match_the_analytic_ones():
    # Line 1 - A exp(-(x - x0)^2 / 2 s^2) on pixels of width d, white noise sigma. In the continuum limit
    # F(x0) = A^2 sqrt(pi) / (2 sigma^2 d s) and F(A) = sqrt(pi) s / (sigma^2 d); the two are uncorrelated.
    depth, width, pixel, sigma, centre = 0.3, 2.0, 0.1, 0.01, 0.0
    x = np.arange(-40, 40, pixel)
    shape = np.exp(-((x - centre) ** 2) / (2 * width**2))
    d_centre = -depth * shape * (x - centre) / width**2
    d_depth = -shape
    bound = cramer_rao(np.stack([d_centre, d_depth], axis=-1), sigma)
    assert bound[0] == pytest.approx(np.sqrt(2 * sigma**2 * pixel * width / (depth**2 * np.sqrt(np.pi))), rel=1e-6)
    assert bound[1] == pytest.approx(sigma * np.sqrt(pixel / (np.sqrt(np.pi) * width)), rel=1e-6)


def test_a_label_that_changes_nothing_has_no_bound():
    jacobian = np.stack([np.linspace(-1, 1, 50), np.zeros(50)], axis=-1)
    assert np.isinf(cramer_rao(jacobian, 0.01)).all()  # a singular Fisher matrix bounds nothing


def test_hot_metal_poor_spectra_hide_their_metallicity():
    window = Synthesis(6500.0, 6620.0, 6000, 1.5, 0.6, 0.0, 1e-3, 20.0)
    labels = np.array([[5750.0, 4.5, 0.0, 10.0], [9500.0, 4.0, -2.5, 120.0]])
    bounds = spectra_bounds(window, 4, labels, snr=100.0)
    assert np.isfinite(bounds).all()
    solar, hot = bounds
    assert solar[2] < 0.02  # dozens of Fe I lines
    assert hot[2] > 1.0  # a few weak lines smeared over 120 km/s: the spectrum cannot tell [M/H]
    twice = spectra_bounds(window, 4, labels, snr=200.0)
    np.testing.assert_allclose(twice, bounds / 2, rtol=1e-9)  # the bound scales as the noise


def test_the_prior_aware_bound_by_hand():
    from stellarnn.models.spectra.evaluate import _bound_summary

    bounds = np.array([[3.0, 1.0, 0.1, np.inf], [4.0, 1.0, 0.3, 2.0]])
    summary = _bound_summary(bounds, prior=np.array([4.0, 1.0, 1.0, 1.0]))
    assert summary["rms"]["teff_K"] == pytest.approx(np.sqrt((9 + 16) / 2))
    # 1 / (1/9 + 1/16) = 5.76 and 1 / (1/16 + 1/16) = 8: rms sqrt((5.76 + 8) / 2)
    assert summary["rms_with_prior"]["teff_K"] == pytest.approx(np.sqrt((5.76 + 8) / 2))
    assert np.isinf(summary["rms"]["vsini_kms"])  # a spectrum that says nothing: no unbiased bound
    assert summary["rms_with_prior"]["vsini_kms"] == pytest.approx(np.sqrt((1 + 0.8) / 2))  # 1 and 1/(1/4 + 1)
    assert summary["median"]["mh_dex"] == pytest.approx(0.2)
