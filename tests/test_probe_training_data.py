"""Training and evaluation data that cannot give a meaningful model or score (no rows, too few rows, no labels,
an unreadable cell, an option that does not apply) are one stderr line ``error: ...`` and exit 2, before any
training and before any report is written: never a traceback, a silently tiny model or a silently partial score."""

import io
import json

import numpy as np
import pytest
from astropy.table import Table
from conftest import REPO

TINY = REPO / "tests" / "data" / "fusion-tiny.toml"
FUSION_COLUMNS = ("teff_K", "lum_Lsun", "radius_Rsun", "abs_g_mag", "logg_cgs", "mh_dex")


def _one_error_line(result, *words) -> str:
    """The whole of stderr is one ``error:`` line (no config line before it, no traceback) containing ``words``."""
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _fusion_stars(path, n: int, labelled=FUSION_COLUMNS[3:]):
    """n main-sequence-like stars with consistent Teff, L, R; catalogue columns not in ``labelled`` are NaN."""
    teff = np.linspace(4000.0, 7000.0, n)
    lum = (teff / 5772.0) ** 5
    radius = np.sqrt(lum) * (5772.0 / teff) ** 2
    labels = {"abs_g_mag": 4.6 - 2.5 * np.log10(lum), "logg_cgs": np.full(n, 4.4), "mh_dex": np.zeros(n)}
    labels = {k: v if k in labelled else np.full(n, np.nan) for k, v in labels.items()}
    Table({"teff_K": teff, "lum_Lsun": lum, "radius_Rsun": radius, **labels}).write(path, overwrite=True)
    return path


@pytest.fixture
def header_only(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(",".join(FUSION_COLUMNS) + "\n")
    return path


# 1. too little data to train on, or nothing to score


@pytest.mark.parametrize("rows", [0, 3])
def test_train_fusion_refuses_fewer_rows_than_the_minimum(cli, tmp_path, rows):
    """A 3-row table used to train and store a meaningless model; a header-only one crashed after a minute."""
    from stellarnn.models.fusion.data import MIN_TRAINING_STARS

    data = _fusion_stars(tmp_path / "few.csv", rows)
    line = _one_error_line(cli("train", "fusion", "--data", data, "--config", TINY), f"only {rows} usable rows")
    assert f"at least {MIN_TRAINING_STARS}" in line
    assert not list((tmp_path / "stellarnn-home").glob("models/fusion-*"))


def test_evaluate_fusion_on_a_header_only_table(cli, with_models, header_only, tmp_path):
    """Keras' predict on no rows raised UnboundLocalError; now the data are refused before the model loads."""
    _one_error_line(cli("evaluate", "fusion", "--data", header_only, "--output", tmp_path / "r"), "no usable rows")
    assert not (tmp_path / "r").exists()


def test_fusion_model_predicts_no_stars_as_empty_columns(with_models):
    """The Python API on an empty selection gets empty columns, not Keras' crash on an empty batch."""
    from stellarnn.models.fusion.predict import find_model, load

    model = load(find_model(None), n_stars=0)
    pred = model.predict([], [], [])
    assert pred["logg_cgs"].shape == (0,) and pred["star_type"].shape == (0,)
    assert all(p.shape[0] == 0 for p in model.class_probabilities([], [], []).values())


# 2. labels that are all missing


def test_evaluate_fusion_without_any_label_writes_nothing(cli, with_models, tmp_path):
    """Every catalogue label NaN raised KeyError 'bias' after writing a partial report.json."""
    data = _fusion_stars(tmp_path / "unlabelled.csv", 40, labelled=())
    _one_error_line(cli("evaluate", "fusion", "--data", data, "--output", tmp_path / "r"), "catalogue label")
    assert not (tmp_path / "r").exists()


def test_evaluate_fusion_leaves_out_an_output_no_row_labels(cli, with_models, tmp_path):
    """[M/H] all NaN: the report scores M_G and log g, says [M/H] was left out, and names it in the JSON."""
    data = _fusion_stars(tmp_path / "no-mh.csv", 40, labelled=("abs_g_mag", "logg_cgs"))
    result = cli("evaluate", "fusion", "--data", data, "--output", tmp_path / "r")
    assert result.code == 0, result.err
    assert "mh_dex" in result.err and "left out" in result.err
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["unlabelled_outputs"] == ["mh_dex"] and "mh_dex" not in report["outputs"]
    assert report["outputs"]["logg_cgs"]["stars"] == 40 and "mh_dex" not in report["summary"]["catalogue_mae"]
    assert "left out of this report" in (tmp_path / "r" / "report.md").read_text()


# 3. an unreadable cell in an sdss evaluation table


def test_evaluate_sdss_refuses_a_row_it_cannot_read(cli, with_models, tmp_path):
    """One u_mag = 'bright' used to be dropped silently (59 of 60 scored); classify names the row, so does this."""
    n = 60
    rng = np.random.default_rng(1)
    bands = {f"{b}_mag": 18.0 - 0.4 * i + rng.normal(0, 0.1, n) for i, b in enumerate("ugriz")}
    table = Table({**bands, "teff_K": rng.uniform(4500, 6500, n), "logg_cgs": np.full(n, 4.4),
                   "feh_dex": np.zeros(n), "redshift": np.zeros(n), "spectral_class": ["G"] * n})  # fmt: skip
    table["u_mag"] = table["u_mag"].astype(str)
    table["u_mag"][6] = "bright"
    table.write(tmp_path / "stars.csv")
    result = cli("evaluate", "sdss", "--data", tmp_path / "stars.csv", "--output", tmp_path / "r")
    _one_error_line(result, "1 of 60 rows", "row 7:", "bright")
    assert not (tmp_path / "r").exists()


# 4. the config line comes after the data are checked


def test_train_fusion_data_errors_are_the_only_line(cli, tmp_path):
    """The 'config ...' progress line used to precede every data error, making it two lines."""
    Table({"teff_K": [5772.0], "lum_Lsun": [1.0]}).write(tmp_path / "no-targets.csv")
    _one_error_line(cli("train", "fusion", "--data", tmp_path / "no-targets.csv", "--config", TINY), "targets")


def test_train_fusion_says_the_config_once_the_data_are_checked(tmp_path, monkeypatch):
    """The config line still comes, after the data passed and before training starts."""
    from rich.console import Console

    from stellarnn.models.fusion import system, train

    class Stop(Exception):
        pass

    def no_training(*args, **kwargs):
        raise Stop

    monkeypatch.setattr(train, "fit", no_training)
    out, data = io.StringIO(), _fusion_stars(tmp_path / "ok.csv", 120)
    with pytest.raises(Stop):
        system.train(data=str(data), config=str(TINY), console=Console(file=out, width=300))
    assert f"config {TINY}" in out.getvalue()


# 5. options evaluate would have ignored


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("hr", "--data", "seed", "--cross-validate", "1000"), "--cross-validate"),
        (("sdss", "--data", "builtin", "--features", "bogus"), "--features"),
        (("fusion", "--data", "builtin", "--scheme", "bogus"), "--scheme"),
    ],
)
def test_evaluate_checks_its_options_before_scoring(cli, tmp_path, args, word):
    """hr swallowed --cross-validate and scored the stored model; sdss and fusion only checked --features and
    --scheme when cross-validating. No model is needed: the option is refused first."""
    _one_error_line(cli("evaluate", *args, "--output", tmp_path / "r"), word)
    assert not (tmp_path / "r").exists()
