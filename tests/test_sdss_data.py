"""The built-in SDSS-like stars: survey geometry and errors checked by hand, the columns of `fetch sdss`,
reproducibility, and colours against real SDSS stars of the same subclass (when ../shared is there)."""

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

SMALL = REPO / "tests" / "data" / "sdss-small.toml"


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def settings():
    from stellarnn.models.sdss.config import load

    return load(SMALL)


@pytest.fixture(scope="module")
def stars(settings, module_home):
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.sdss_like.generate import sdss_like_stars

    return sdss_like_stars(settings.survey, population_config.load(settings.survey.population), 3000, seed=4)


def test_densities_at_the_sun_and_above_it_are_the_juric_normalisations(settings):
    from stellarnn.datasets.sdss_like.survey import _densities

    s = settings.survey
    at_sun = _densities(s, 0.0, np.pi / 2, np.array([0.0]))[:, 0]
    assert at_sun == pytest.approx([1.0, 0.12, 0.0051])
    above = _densities(s, 0.0, np.pi / 2, np.array([300.0]))[:, 0]  # 300 pc towards the north pole
    assert above[0] == pytest.approx(np.exp(-1.0)) and above[1] == pytest.approx(0.12 * np.exp(-1 / 3))


def test_photometric_errors_reach_0_2_mag_at_the_band_limit():
    from stellarnn.datasets.sdss_like.generate import _photometric_error

    assert _photometric_error(22.2, 22.2, 0.02) == pytest.approx(np.hypot(0.02, 0.2))
    assert _photometric_error(17.2, 22.2, 0.02) == pytest.approx(np.hypot(0.02, 0.002))


def test_columns_are_those_of_fetch_sdss(stars):
    from stellarnn.datasets.fetch.sdss import COLUMNS

    expected = {c.name for c in COLUMNS} - {"obj_id", "ra_deg", "dec_deg"} | {"spectral_class"}
    assert expected <= set(stars.frame.columns)
    assert len(stars.frame) == 3000 and stars.frame["spec_obj_id"].is_unique


def test_every_star_is_obafgkm_in_the_window_behind_cosecant_dust(stars, settings):
    f, s = stars.frame, settings.survey
    assert set(f["spectral_class"]) <= set("OBAFGKM")
    assert ((f["r_mag"] > s.r_min - 5 * f["r_err_mag"]) & (f["r_mag"] < s.r_max + 5 * f["r_err_mag"])).all()
    assert np.allclose(f["av_mag"] * np.abs(np.sin(np.radians(f["b_deg"]))), 3.1 * 0.02)
    assert (np.abs(f["b_deg"]) >= 30).all()


def test_the_label_and_the_sspp_teff_share_the_spectrum_error(stars):
    from stellarnn.physics.default_scheme import spectral_class_and_type

    f = stars.frame
    assert np.std(f["teff_K"] - f["true_teff_K"]) == pytest.approx(117.0, rel=0.08)
    assert np.std(f["teff_K"] - f["spectrum_teff_K"]) == pytest.approx(75.0, rel=0.08)
    assert np.std(f["spectrum_teff_K"] - f["true_teff_K"]) == pytest.approx(np.sqrt(117.0**2 - 75.0**2), rel=0.08)
    classes, types = spectral_class_and_type(f["spectrum_teff_K"].to_numpy())
    assert (f["spectral_class"] == classes).all() and (f["subclass"] == types).all()
    assert 0.0 < (f["spectral_class"] != f["true_spectral_class"]).mean() < 0.1


def test_redshifts_follow_each_components_velocity_dispersion(stars):
    f = stars.frame
    for component, sigma in (("thin disc", 25.0), ("thick disc", 50.0), ("halo", 120.0)):
        v = f.loc[f["component"] == component, "redshift"] * 299_792.458
        assert np.std(v) == pytest.approx(np.hypot(sigma, 5.0), rel=0.15), component


def test_same_seed_same_stars_from_the_cache(stars, settings):
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.sdss_like.generate import sdss_like_stars

    again = sdss_like_stars(settings.survey, population_config.load(settings.survey.population), 3000, seed=4)
    assert again.cached and again.frame.equals(stars.frame)


def test_colours_match_real_sdss_stars_of_the_same_subclass(stars, shared_data):
    real = pd.read_csv(shared_data / "sdss" / "sdss_specobj_photometry_5555.csv")
    f = stars.frame
    for subclass in ("F5", "G2", "K3", "M2"):
        mine = f[f["true_subclass"].str.startswith(subclass)]  # the photometry, not the label noise
        theirs = real[real["subClass"] == subclass]
        assert len(mine) >= 5, subclass
        assert np.median(mine["g_mag"] - mine["r_mag"]) == pytest.approx(np.median(theirs["g-r"]), abs=0.12)
        assert np.median(mine["r_mag"] - mine["i_mag"]) == pytest.approx(np.median(theirs["r-i"]), abs=0.12)


def test_data_sdss_command_writes_a_table(cli, tmp_path):
    out = tmp_path / "stars.csv"
    result = cli("data", "sdss", "--n", 200, "--seed", 2, "--config", SMALL, "--output", out)
    assert result.code == 0, result.err
    assert len(pd.read_csv(out)) == 200 and "classes:" in result.out
    assert cli("data", "sdss", "--n", 0, "--output", out).code == 2
