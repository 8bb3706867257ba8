"""The built-in population: priors, SSE interpolation, remnants, photometry, noise, labels, CLI and caching.

Runs on a small evolution grid (tests/data/population-small.toml); the grid and populations are cached in one
home for the whole session, as a user's would be.
"""

import dataclasses

import numpy as np
import pytest
from conftest import REPO

from stellarnn.datasets.population import config as population_config
from stellarnn.datasets.population import evolution, generate, interpolation, remnants, sampling
from stellarnn.datasets.population.photometry import bolometric_corrections
from stellarnn.errors import UserInputError
from stellarnn.physics.engine import derive

SMALL = REPO / "tests" / "data" / "population-small.toml"


@pytest.fixture(scope="session")
def population_home(tmp_path_factory):
    return tmp_path_factory.mktemp("population-home")


@pytest.fixture(autouse=True)
def shared_cache(isolated_home, population_home, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(population_home))


@pytest.fixture(scope="module")
def small_config():
    return population_config.load(SMALL)


@pytest.fixture
def grid(small_config):
    return generate.track_grid(small_config)


@pytest.fixture
def stars(small_config):
    return generate.population(small_config, 20000, seed=11).frame


# --- configuration ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('kind = "kroupa2001"', 'kind = "miller1979"', "[imf] kind 'miller1979' is unknown"),
        ("min_age_myr = 1.0", "min_age_myr = -5.0", "[star_formation] ages must satisfy 0 <= min_age_myr"),
        ("max_age_myr = 10000.0", "max_age_myr = 0.5", "[star_formation] ages must satisfy"),
        (
            "min_mass = 0.1\nmax_mass = 100.0\n[star_formation]",
            "min_mass = 5.0\nmax_mass = 5.0\n[star_formation]",
            "[imf] mass range 5.0..5.0 is empty",
        ),
        ("evolved_fraction = 0.3", "evolved_fraction = 1.5", "[sampling] evolved_fraction must be in [0, 1)"),
        ("sigma_mh = 0.2", "sigma_mh = 0.2\nspread = 1", "[metallicity] unknown key(s) spread"),
        ("[noise]", "[nois]", "unknown section(s) nois (did you mean noise"),
        (
            "metallicities = [0.0001, 0.002, 0.01, 0.02, 0.03]",
            "metallicities = [0.02, 0.01]",
            "[grid] metallicities must be",
        ),
    ],
)
def test_bad_config_values_are_one_line_errors(tmp_path, cli, old, new, message):
    text = SMALL.read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(UserInputError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        population_config.load(bad)
    result = cli("data", "population", "--config", bad, "--output", tmp_path / "x.parquet")
    assert result.code == 2 and result.err.count("\n") == 1 and message in result.err


# --- priors ----------------------------------------------------------------------------------------------------


def test_kroupa_imf_share_above_half_a_solar_mass(small_config):
    # Kroupa (2001) on 0.1-100 M_sun: integral of (m/0.5)^-1.3 over 0.1-0.5 is 0.5*(0.2^-0.3 - 1)/0.3 = 1.03443,
    # of (m/0.5)^-2.3 over 0.5-100 is 0.5*(1 - 200^-1.3)/1.3 = 0.38422, so 27.08 % of stars are above 0.5 M_sun.
    masses = 10 ** sampling.Priors(small_config).sample_log_mass(np.random.default_rng(0), 400_000)
    assert np.mean(masses > 0.5) == pytest.approx(0.27084, abs=0.003)
    assert masses.min() >= 0.1 and masses.max() <= 100


def test_constant_star_formation_gives_uniform_ages(small_config):
    ages = sampling.Priors(small_config).sample_age(np.random.default_rng(0), 200_000)
    assert ages.mean() == pytest.approx((1.0 + 10000.0) / 2, rel=0.01)


def test_importance_weights_recover_the_natural_population(grid, small_config):
    natural = dataclasses.replace(
        small_config, sampling=dataclasses.replace(small_config.sampling, evolved_fraction=0.0)
    )
    life = lambda m, z: interpolation.remnant_formation_myr(grid, m, z)  # noqa: E731
    m_nat, *_ = sampling.draw(sampling.Priors(natural), life, np.random.default_rng(1), 200_000)
    m_mix, _, _, w = sampling.draw(sampling.Priors(small_config), life, np.random.default_rng(2), 200_000)
    assert np.mean(m_mix > 8) > 10 * np.mean(m_nat > 8)  # the proposal really boosts massive stars
    assert np.average(m_mix > 0.5, weights=w) == pytest.approx(np.mean(m_nat > 0.5), abs=0.005)


# --- evolution, interpolation, remnants ---------------------------------------------------------------------------


def test_grid_nodes_reproduce_cosmic(grid):
    # At a grid node (the mass nearest 1 M_sun, Z = 0.02) the interpolation must give COSMIC's own star.
    mass = 10 ** grid.log_mass[np.argmin(np.abs(grid.log_mass))]
    ages = np.array([1000.0, 4600.0, 8000.0])
    ours = interpolation.evaluate(grid, np.full(3, mass), np.full(3, 0.02), ages)
    for age, log_lum, log_radius in zip(ages, ours.log_lum, ours.log_radius, strict=True):
        rows = evolution.resolved([mass], [0.02], [age], {0: age, 1: age})
        last = rows.sort_values("tphys").iloc[-1]
        assert log_lum == pytest.approx(np.log10(last["lum_1"]), abs=0.01)
        assert log_radius == pytest.approx(np.log10(last["rad_1"]), abs=0.01)


def test_interpolated_main_sequence_is_monotonic_in_mass(grid):
    masses = np.geomspace(0.15, 2.0, 200)
    states = interpolation.evaluate(grid, masses, np.full(200, 0.01), np.full(200, 100.0))
    assert np.all(states.stage == 0)
    assert np.all(np.diff(states.log_lum) > 0)


def test_white_dwarf_cooling_and_radius_match_cosmic():
    rows = evolution.key_points([1.0], [0.0001], 13700.0)
    wd = rows[rows["kstar_1"] == 11].sort_values("tphys")
    born, final = wd.iloc[0], wd.iloc[-1]
    cooling_age = final["tphys"] - born["tphys"]
    lum = remnants.white_dwarf_luminosity(final["mass_1"], cooling_age, 0.0001, 11)
    assert lum == pytest.approx(final["lum_1"], rel=0.01)
    assert remnants.white_dwarf_radius(final["mass_1"]) == pytest.approx(final["rad_1"], rel=1e-4)


def test_sun_like_star_photometry_matches_published_solar_magnitudes():
    # M_G,sun = 4.67 (Casagrande & VandenBerg 2018), M_V,sun = 4.81 (Willmer 2018), (BP-RP)_sun = 0.82.
    mags = bolometric_corrections().absolute_magnitudes(np.array([5772.0]), np.array([4.438]), np.zeros(1), np.zeros(1))
    assert mags["abs_g_mag"][0] == pytest.approx(4.67, abs=0.05)
    assert mags["abs_v_mag"][0] == pytest.approx(4.81, abs=0.05)
    assert (mags["abs_bp_mag"] - mags["abs_rp_mag"])[0] == pytest.approx(0.82, abs=0.05)


# --- the catalogue -----------------------------------------------------------------------------------------------


def test_every_kind_of_star_is_present(stars):
    counts = stars["default__star_type"].value_counts()
    for kind in ("white dwarf", "red dwarf", "main sequence", "giant", "supergiant"):
        assert counts.get(kind, 0) >= 20, kind
    natural = stars.groupby("default__star_type")["weight"].sum() / stars["weight"].sum()
    assert 0.6 < natural["red dwarf"] < 0.9  # most stars near the Sun are M dwarfs
    assert 0.02 < natural["white dwarf"] < 0.15


def test_columns_are_physically_consistent(stars):
    logg = 4.438067627 + np.log10(stars["mass_Msun"]) - 2 * np.log10(stars["radius_Rsun"])
    np.testing.assert_allclose(stars["logg_cgs"], logg, atol=1e-9)
    sb = stars["radius_Rsun"] ** 2 * (stars["teff_K"] / 5772.0034) ** 4
    np.testing.assert_allclose(stars["lum_Lsun"], sb, rtol=1e-6)
    assert (stars["stage"] == "white dwarf").sum() == (stars["default__star_type"] == "white dwarf").sum()


def test_labels_come_from_the_physics_engine(stars):
    head = stars.head(200)
    expected = derive(head["teff_K"], head["lum_Lsun"], head["radius_Rsun"], mv=head["abs_v_mag"], scheme="fusion")
    np.testing.assert_array_equal(head["fusion__mk_type"], expected.labels()["mk_type"])
    np.testing.assert_allclose(head["fusion__bc_mag"], expected.values["bc_mag"])


def test_observed_columns_scatter_as_configured(stars):
    teff_scatter = np.std(np.log(stars["teff_gspphot"] / stars["teff_K"]))
    assert teff_scatter == pytest.approx(0.02, rel=0.05)
    pulls = (stars["parallax"] - 1000.0 / stars["distance_pc"]) / stars["parallax_error"]
    assert np.std(pulls) == pytest.approx(1.0, rel=0.05)


def test_same_seed_same_catalogue_from_the_cache(small_config):
    first = generate.population(small_config, 3000, seed=5)
    second = generate.population(small_config, 3000, seed=5)
    other = generate.population(small_config, 3000, seed=6)
    assert second.cached and second.path == first.path
    assert first.frame.equals(second.frame)
    assert not np.allclose(first.frame["teff_K"], other.frame["teff_K"])


def test_cli_population_and_hr_diagram(cli, tmp_path, shared_data):
    out = tmp_path / "pop.parquet"
    result = cli("data", "population", "--n", 2000, "--seed", 4, "--config", SMALL, "--output", out)
    assert result.code == 0 and "white dwarf" in result.out and out.is_file()
    png = tmp_path / "hrd.png"
    reference = shared_data / "gaia" / "gaia_dr3_teff_radius_20k.csv"
    drawn = cli(
        "data",
        "hrd",
        "--population",
        out,
        "--reference",
        reference,
        "--output",
        png,
        "--weighting",
        "gaia",
        "--config",
        SMALL,
    )
    assert drawn.code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_cli_rejects_a_non_positive_count(cli, tmp_path):
    result = cli("data", "population", "--n", 0, "--output", tmp_path / "x.csv")
    assert result.code == 2 and "--n must be a positive number" in result.err
