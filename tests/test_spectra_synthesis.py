"""The spectrum synthesizer: atomic data and the atmosphere against textbook values, the physics sanity checks
of the issue (lines deepen with [M/H], rotation conserves equivalent width, v sin i = 0 changes nothing,
Balmer wings widen with log g), and the seed's grid of 51,359 spectra."""

import numpy as np
import pytest

from stellarnn.datasets.spectra.atmosphere import line_forming_layer
from stellarnn.datasets.spectra.atoms import atoms, ionisation_fractions, partition_functions
from stellarnn.datasets.spectra.broadening import (
    convolve_depth,
    gaussian_kernel,
    pixel_velocity,
    rotation_kernel,
)
from stellarnn.datasets.spectra.grid import Grid, atmosphere_points, downsample
from stellarnn.datasets.spectra.synthesize import Synthesis, intrinsic_spectra, observe, wavelengths

WINDOW = Synthesis(6400.0, 6700.0, 29788, 1.0, 0.6, 0.0, 1e-3, 20.0)
SEED_VSINI = (0, 1, 2, 4, 6, 8, 10, 12, 16, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 80, 90, 100, 110, 120, 140,
              160, 180, 200)  # fmt: skip
SEED_GRID = Grid(
    (3500, 9750, 250), (0, 5, 0.5), ((3500, 0.0), (6250, 0.5), (7750, 1.0), (8500, 1.5), (9250, 2.0)),
    (-2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5), SEED_VSINI, 4,
)  # fmt: skip


def equivalent_width(wave, flux):
    return float(np.sum((1 - flux)[1:] * np.diff(wave)))


def near(wave, centre, half):
    return (wave > centre - half) & (wave < centre + half)


def test_partition_functions_and_solar_ionisation_match_textbook_values():
    a = atoms()
    u = partition_functions(a, [5040.0])[:, :, 0]  # theta = 1; Gray's Table D.2: log U
    assert np.log10(u[a.row(26), 0]) == pytest.approx(1.43, abs=0.03)  # Fe I
    assert np.log10(u[a.row(26), 1]) == pytest.approx(1.63, abs=0.03)  # Fe II
    assert u[a.row(1), 0] == pytest.approx(2.0, abs=0.01) and u[a.row(11), 0] == pytest.approx(2.04, abs=0.05)
    # Saha by hand, Na at 5780 K and Pe = 30 dyn/cm^2: N_II/N_I = 2 U_II/U_I (2 pi m k T/h^2)^1.5 kT e^(-chi/kT) / Pe
    t, pe = 5780.0, 30.0
    u_na = partition_functions(a, [t])[a.row(11), :, 0]
    by_hand = 2 * u_na[1] / u_na[0] * 2.4147e15 * t**1.5 * 1.380649e-16 * t * np.exp(-5.13908 / (8.617333e-5 * t)) / pe
    f = ionisation_fractions(a, [t], [pe])[a.row(11), :, 0]
    assert f[1] / f[0] == pytest.approx(by_hand, rel=0.03)


def test_the_solar_line_forming_layer_has_the_suns_pressures():
    layer = line_forming_layer(atoms(), [5772.0], [4.438], [0.0], 6550.0)
    # Holweger-Mueller / VAL-C photosphere near tau_5000 = 2/3: Pg ~ 1e5 dyn/cm^2, Pe ~ 10-30 dyn/cm^2
    assert 5e4 < layer.gas_pressure[0] < 2e5
    assert 5 < layer.electron_pressure[0] < 50
    assert layer.fractions[atoms().row(26), 1, 0] > 0.8  # iron is mostly Fe II in the photosphere


def test_pressure_rises_with_gravity_and_falls_with_metals():
    layer = line_forming_layer(atoms(), [5772.0] * 3, [2.0, 4.5, 4.5], [0.0, 0.0, -2.0], 6550.0)
    assert layer.gas_pressure[0] < layer.gas_pressure[1] < layer.gas_pressure[2]
    assert layer.electron_pressure[2] < layer.electron_pressure[1]  # fewer electron donors


@pytest.fixture(scope="module")
def spectra():
    """Intrinsic spectra: Sun at [M/H] -1 and 0; an A star at log g 3 and 4.5."""
    teff, logg, mh = [5772, 5772, 9000, 9000], [4.44, 4.44, 3.0, 4.5], [-1.0, 0.0, 0.0, 0.0]
    return wavelengths(WINDOW), intrinsic_spectra(WINDOW, teff, logg, mh)


def test_lines_deepen_with_metallicity(spectra):
    wave, flux = spectra
    for centre in (6430.845, 6439.075, 6643.630):  # Fe I, Ca I, Ni I
        window = near(wave, centre, 0.4)
        poor, solar = (equivalent_width(wave[window], f[window]) for f in flux[:2])
        assert solar > 1.3 * poor > 0, centre


def test_balmer_wings_widen_with_gravity_in_an_a_star(spectra):
    wave, flux = spectra
    for offset in (-8.0, 8.0):  # H-alpha wings, clear of the core
        pixel = np.argmin(np.abs(wave - (6562.797 + offset)))
        low_g, high_g = flux[2][pixel], flux[3][pixel]
        assert high_g < low_g < 1.0  # more electrons, more Stark broadening: deeper wings at higher log g


def test_rotation_conserves_equivalent_width_and_zero_changes_nothing(spectra):
    wave, flux = spectra
    sun = flux[1:2]
    assert np.array_equal(observe(WINDOW, sun, 0.0), sun)
    lines_inside = np.where(near(wave, 6550.0, 140.0), sun, 1.0)  # no line within 10 A of the window's ends
    before = equivalent_width(wave, lines_inside[0])
    for vsini in (5.0, 60.0, 200.0):
        rotated = observe(WINDOW, lines_inside, vsini)[0]
        assert equivalent_width(wave, rotated) == pytest.approx(before, rel=1e-3), vsini
        assert rotated.min() > lines_inside.min()  # shallower, wider lines


def test_kernels_are_normalised_and_as_wide_as_the_velocity():
    step = pixel_velocity(wavelengths(WINDOW))
    assert step == pytest.approx(299_792.458 * np.log(6700 / 6400) / 29787)
    for vsini in (1.0, 10.0, 200.0):
        kernel = rotation_kernel(vsini, step, 0.6)
        assert kernel.sum() == pytest.approx(1.0, abs=1e-12)
        assert (len(kernel) - 1) / 2 * step == pytest.approx(vsini, abs=1.5 * step)
    # Gray's kernel with epsilon = 0 is a half-ellipse: its centre is 4/pi times the mean height
    kernel = rotation_kernel(100.0, step, 0.0)
    assert kernel.max() == pytest.approx(4 / np.pi / len(kernel), rel=0.02)
    gauss = gaussian_kernel(10.0, step)
    x = (np.arange(len(gauss)) - len(gauss) // 2) * step
    assert np.sqrt(np.sum(gauss * x**2)) == pytest.approx(10.0 / 2.3548, rel=0.01)
    one_line = np.ones((1, 501))
    one_line[0, 250] = 0.5  # a one-pixel line of depth 0.5 comes out as the kernel itself, scaled by its depth
    half = len(gauss) // 2
    assert np.allclose(1 - convolve_depth(one_line, gauss)[0, 250 - half : 250 + half + 1], 0.5 * gauss, atol=1e-12)


def test_a_lines_wings_are_followed_until_they_fall_to_the_threshold():
    from dataclasses import replace

    from stellarnn.datasets.spectra.lines import line_list, lorentz_hwhm, opacity_ratio

    a, lines = atoms(), line_list()
    layer = line_forming_layer(a, [4000.0], [1.0], [0.0], 6550.0)  # a cool giant: strong, Doppler-cored lines
    ca = int(np.argmin(np.abs(lines.wavelength_A - 6439.075)))  # Ca I 6439
    one = replace(lines, **{f: getattr(lines, f)[ca : ca + 1] for f in lines.__dataclass_fields__})
    wave = np.linspace(6430.0, 6448.0, 18001)
    eta = opacity_ratio(wave, one, a, layer, 0, 1.0, 1e-3, 20.0)
    edge = np.flatnonzero(eta > 0)[[0, -1]]
    assert lorentz_hwhm(one, a, layer, 0)[0] < 0.05  # Doppler-dominated core
    assert np.all((eta[edge] > 0.8e-3) & (eta[edge] < 1.25e-3))  # cut where the wing reaches min_strength


def test_a_window_without_h_alpha_keeps_its_continuum_at_the_ends():
    blue = Synthesis(6400.0, 6500.0, 10000, 1.0, 0.6, 0.0, 1e-3, 20.0)
    for teff in (5772.0, 9000.0):
        flux = intrinsic_spectra(blue, [teff], [4.0], [0.0])[0]
        assert flux[-3:].min() > 0.9  # H-alpha's wing only, no stray core at the window's edge


def test_the_seeds_grid_has_51359_spectra_and_its_corners():
    points = atmosphere_points(SEED_GRID)
    assert len(points) * len(SEED_GRID.vsini_kms) == 51_359  # the seed's X.shape[0]
    per_teff = points.groupby("teff_K").size() // len(SEED_GRID.mh_dex)
    assert per_teff[3500] == 11 and per_teff[6250] == 10 and per_teff[8000] == 9 and per_teff[9750] == 7
    assert downsample(np.zeros((2, 29788)), 4).shape == (2, 7447)  # the seed's 29,788 -> 7,447 pixels


def test_drawn_atmospheres_fill_the_grids_box_but_not_its_missing_corners():
    from stellarnn.datasets.spectra.draws import drawn_atmospheres

    drawn = drawn_atmospheres(SEED_GRID, 20_000, np.random.default_rng(5))
    assert drawn["teff_K"].between(3500, 9750).all() and drawn["mh_dex"].between(-2.5, 0.5).all()
    assert drawn["logg_cgs"].between(0, 5).all()
    hot = drawn["teff_K"] >= 9250
    cool = drawn["teff_K"] < 6250
    assert drawn.loc[hot, "logg_cgs"].min() >= 2.0 and drawn.loc[cool, "logg_cgs"].min() < 0.1
    assert len(np.unique(drawn["teff_K"].round(3))) > 19_000  # between the grid's 26 temperatures, not on them
    again = drawn_atmospheres(SEED_GRID, 20_000, np.random.default_rng(5))
    assert drawn.equals(again)


def test_drawn_spectra_are_the_synthesizers_at_their_labels(tmp_path, monkeypatch):
    from stellarnn.datasets.spectra.draws import drawn_spectra

    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path))
    window = Synthesis(6540.0, 6590.0, 2000, 1.5, 0.6, 0.0, 1e-3, 20.0)
    grid = Grid((5000, 7000, 1000), (3, 5, 1), ((3500, 0.0),), (-1.0, 0.0), (0.0, 20.0, 60.0), 2)
    drawn = drawn_spectra(window, grid, 4, 3, seed=9)
    assert drawn.flux.shape == (12, 1000) and not drawn.cached
    assert drawn.labels["vsini_kms"].between(0, 60).all() and drawn.labels["vsini_kms"].nunique() == 12
    one = drawn.labels.iloc[7]
    by_hand = observe(window, intrinsic_spectra(window, [one.teff_K], [one.logg_cgs], [one.mh_dex]), one.vsini_kms)
    np.testing.assert_allclose(drawn.flux[7], downsample(by_hand, 2)[0], atol=1e-6)
    assert drawn_spectra(window, grid, 4, 3, seed=9).cached
