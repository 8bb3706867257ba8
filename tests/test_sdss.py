"""sdss: the cost-aware score by hand, the numpy forward pass against Keras, SDSS column names, and train ->
classify -> evaluate (cross-validation with baselines and ablation) -> tune on the small config."""

import json

import numpy as np
import pytest
from astropy.table import Table
from conftest import REPO

SMALL = REPO / "tests" / "data" / "sdss-small.toml"


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def stars_file(module_home, tmp_path_factory):
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.sdss_like.generate import sdss_like_stars
    from stellarnn.models.sdss.config import load

    survey = load(SMALL).survey
    frame = sdss_like_stars(survey, population_config.load(survey.population), 600, seed=11).frame
    path = tmp_path_factory.mktemp("sdss-files") / "stars.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trained(module_home):
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from stellarnn.models.sdss.system import train

    return train(data="builtin", config=str(SMALL), seed=2)


def test_order_distance_counts_steps_in_obafgkm():
    from stellarnn.models.sdss.metrics import order_distance

    assert order_distance(np.array([0]), np.array([6])) == 6.0  # O taken for M: the worst
    assert order_distance(np.array([0, 1, 4, 5]), np.array([1, 1, 4, 3])) == pytest.approx((1 + 0 + 0 + 2) / 4)


def test_numpy_forward_pass_equals_keras():
    from stellarnn.models import keras_runtime

    keras_runtime.use_backend(training=True)
    from stellarnn.models.sdss.network import build, dense_weights, probabilities

    model = build(13, (16, 32), 0.1, "relu", 0.003)
    x = np.random.default_rng(0).normal(size=(50, 13)).astype(np.float32)
    assert np.allclose(probabilities(dense_weights(model), "relu", x), model.predict(x, verbose=0), atol=1e-6)


def test_sdss_native_names_and_row_problems():
    from stellarnn.models.sdss.features import read_features

    table = Table(
        {
            **{f"psfMag_{b}": [17.0, 18.0, np.nan] for b in "ugriz"},
            "TEFFADOP": [5800.0, -9999.0, 6000.0],
            "LOGGADOP": [4.4, 4.0, 4.2],
            "FEHADOP": [0.0, -0.5, 0.1],
            "redshift": [1e-4, 2e-4, 0.0],
            "z": [17.0, 18.0, 19.0],  # a magnitude in PhotoObj, never the redshift
        }
    )
    table["psfMag_g"][0] = 16.5
    features = read_features(table, "full")
    sentinel = table.copy()
    sentinel["psfMag_r"][0] = -9999.0  # SDSS's "no measurement"
    assert "psfMag_r = -9999 is outside" in read_features(sentinel, "full").problems[0]
    assert features.columns["u_mag"] == "psfMag_u" and features.columns["teff_K"] == "TEFFADOP"
    assert features.columns["redshift"] == "redshift"
    assert list(features.rows) == [0]
    assert set(features.problems) == {1, 2} and "TEFFADOP = -9999 is outside" in features.problems[1]
    u_g = features.values[0, features.names.index("u_g")]
    assert u_g == pytest.approx(0.5)
    # the photometry set reads colours, not magnitudes: the bands are read to make them
    colours = read_features(table, "photometry")
    assert colours.names == ("u_g", "g_r", "r_i", "i_z", "redshift") and colours.values[0, 0] == pytest.approx(0.5)
    from stellarnn.models.sdss.features import needed_columns

    assert needed_columns(("g_r", "redshift")) == ("g_mag", "r_mag", "redshift")  # a stored model's own list


def test_only_stars_get_a_stellar_label():
    from stellarnn.models.sdss.features import labels

    table = Table({"class": ["STAR", "GALAXY", "QSO", "STAR"], "subClass": ["K3", "BROADLINE", "AGN", "WD"]})
    label, column = labels(table)
    assert column == "subClass" and list(label) == ["K", "", "", ""]


def test_training_stores_keras_model_numpy_weights_and_a_card(trained):
    artifact = trained.artifact
    assert (artifact.path / "model.keras").is_file() and (artifact.path / "dense_weights.npz").is_file()
    card = json.loads((artifact.path / "card.json").read_text())
    assert card["data"]["source"] == "builtin" and card["split"]["test"] > 0
    assert 0.6 < card["metrics"]["test"]["accuracy"] <= 1.0  # a tiny run on 3,000 stars, far above chance


def test_classify_appends_class_and_probabilities_to_every_row(cli, trained, stars_file, tmp_path):
    out = tmp_path / "classified.csv"
    result = cli("classify", stars_file, "--output", out)
    assert result.code == 0, result.err
    rows = Table.read(out)
    assert len(rows) == 600 and "spectral_class" in rows.colnames  # the input's own columns are kept
    p = np.column_stack([rows[f"sdss_p_{c}"] for c in "OBAFGKM"])
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert np.array_equal(np.array(list("OBAFGKM"))[p.argmax(axis=1)], np.asarray(rows["sdss_class"]))
    assert np.mean(rows["sdss_class"] == rows["spectral_class"]) > 0.6


def test_classify_reports_bad_rows_by_number(cli, trained, stars_file, tmp_path):
    table = Table.read(stars_file)
    table["teff_K"][[3, 7]] = np.nan
    bad = tmp_path / "bad.csv"
    table.write(bad)
    failed = cli("classify", bad)
    assert failed.code == 2 and "2 of 600 rows" in failed.err and "row 4:" in failed.err and "row 8:" in failed.err
    skipped = cli("classify", bad, "--on-error", "skip", "--output", tmp_path / "good.csv")
    assert skipped.code == 0 and "row 4:" in skipped.err
    assert len(Table.read(tmp_path / "good.csv")) == 598


def test_classify_with_dask_equals_the_single_process_classes(cli, trained, stars_file, tmp_path):
    """Three Parquet partitions on a 2-worker LocalCluster: the same probabilities as one process, bad rows
    skipped and listed beside their partition."""
    import pandas as pd

    frame = pd.read_csv(stars_file)
    frame.loc[5, "teff_K"] = np.nan  # partition 0, row 6
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(parts / f"p{i}.parquet", index=False)
    run = cli("classify", str(parts / "*.parquet"), "--output", tmp_path / "out", "--engine", "dask",
              "--workers", 2, "--on-error", "skip")  # fmt: skip
    assert run.code == 0, run.err
    got = pd.concat([pd.read_parquet(tmp_path / "out" / f"p{i}.parquet") for i in range(3)], ignore_index=True)
    frame.to_csv(tmp_path / "all.csv", index=False)
    single = cli("classify", tmp_path / "all.csv", "--on-error", "skip", "--output", tmp_path / "one.csv")
    assert single.code == 0
    want = Table.read(tmp_path / "one.csv").to_pandas()
    assert len(got) == 599 and got["spec_obj_id"].tolist() == want["spec_obj_id"].tolist()
    assert (got["sdss_class"] == want["sdss_class"]).all()
    assert np.allclose(got[[f"sdss_p_{c}" for c in "OBAFGKM"]], want[[f"sdss_p_{c}" for c in "OBAFGKM"]], atol=1e-6)
    listed = pd.read_csv(tmp_path / "out" / "p0.rejected.csv")
    assert listed["row"].tolist() == [6] and "teff" in listed["reason"][0]


def test_classify_needs_the_models_features(cli, trained, tmp_path):
    path = tmp_path / "photometry.csv"
    Table({b: [17.0] for b in "ugriz"} | {"redshift": [0.0]}).write(path)
    result = cli("classify", path)
    assert result.code == 2 and "lacks teff_K" in result.err


def test_cross_validation_report_with_baselines_and_ablation(cli, tmp_path):
    out = tmp_path / "cv"
    result = cli("evaluate", "sdss", "--data", "builtin", "--cross-validate", 3, "--config", SMALL, "--output", out)
    assert result.code == 0, result.err
    report = json.loads((out / "report.json").read_text())
    assert set(report["scores"]) == {"network", "dummy (most frequent)", "gradient boosting"}
    dummy = report["scores"]["dummy (most frequent)"]["accuracy"]["mean"]
    majority = max(report["class_counts"].values()) / report["stars"]
    assert dummy == pytest.approx(majority, abs=0.01)  # the dummy always says the commonest class
    assert report["scores"]["network"]["accuracy"]["mean"] > dummy + 0.2
    assert "without Teff" in report["ablation"]["rows"] and (out / "confusion.png").is_file()
    assert "order distance" in (out / "report.md").read_text()


def test_tuner_search_picks_values_from_the_configured_space(trained, module_home):
    from stellarnn.models.sdss.config import load
    from stellarnn.models.sdss.system import train

    result = train(data="builtin", config=str(SMALL), seed=3, tune=2)
    tuned = json.loads((result.artifact.path / "card.json").read_text())["tuned"]
    space = load(SMALL).tuner
    assert tuned["dropout"] in space.dropouts and tuned["batch_size"] in space.batch_sizes
    assert tuned["hidden_units"][0] in space.widths and len(tuned["hidden_units"]) in space.depths
    trials = json.loads((result.artifact.path / "card.json").read_text())["tuner_trials"]
    assert len(trials) == 2 and trials[0]["val_loss"] <= trials[1]["val_loss"]
    assert tuned["dropout"] == trials[0]["dropout"] and tuned["batch_size"] == trials[0]["batch_size"]


def test_photometry_model_from_a_file_classifies_real_sdss_stars(cli, stars_file, shared_data, tmp_path):
    trained = cli("train", "sdss", "--data", stars_file, "--features", "photometry", "--config", SMALL)
    assert trained.code == 0, trained.err
    out = tmp_path / "real.csv"
    real = shared_data / "sdss" / "sdss_specobj_photometry_5555.csv"
    refused = cli("classify", real, "--output", out)  # one star has SDSS's -9999 "no measurement" magnitudes
    assert refused.code == 2 and "row 989: u = -9999 is outside" in refused.err and not out.exists()
    result = cli("classify", real, "--output", out, "--on-error", "skip")
    assert result.code == 0, result.err
    assert "u_mag <- u" in result.err and "redshift <- redshift" in result.err and "row 989" in result.err
    rows = Table.read(out)
    assert len(rows) == 5554 and set(rows["sdss_class"]) <= set("OBAFGKM")  # galaxies too: classify is told to


def test_probabilities_are_calibrated_on_the_validation_split(trained):
    from stellarnn.models.sdss.system import load

    pre = trained.artifact.preprocessing()
    assert 0.05 <= pre["temperature"] <= 20 and pre["domain"]["kind"] == "box"
    ece = trained.metrics["expected_calibration_error"]
    assert 0 <= ece["calibrated"] <= 1 and 0 <= ece["raw"] <= 1
    model = load(trained.artifact.id)
    x = np.random.default_rng(1).normal(size=(20, len(model.mean))) * model.scale + model.mean
    p = model.probabilities(x)
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5) and model.temperature == pre["temperature"]


def test_photometry_tables_get_the_newest_model_trained_on_real_data(cli, trained, stars_file, tmp_path):
    """The store holds a built-in full-feature model (the fixture) and, after this, a photometry model trained on
    a file: a table without Teff, log g, [Fe/H] can only be read by the latter, and a full table prefers it too,
    because it was trained on the user's (real) data."""
    from_file = cli("train", "sdss", "--data", stars_file, "--features", "photometry", "--config", SMALL, "--seed", 4)
    assert from_file.code == 0, from_file.err
    photometry_id = next(a.id for a in _sdss_models() if a.card["data"]["source"] == "file")
    full = Table.read(stars_file)
    photometry_only = full.copy()
    photometry_only.remove_columns([c for c in ("teff_K", "logg_cgs", "feh_dex") if c in full.colnames])
    photometry_only.write(tmp_path / "photometry.csv")
    result = cli("classify", tmp_path / "photometry.csv", "--output", tmp_path / "out.csv")
    assert result.code == 0, result.err
    assert photometry_id in result.err and "photometry features, trained on real data" in result.err
    chosen = cli("classify", stars_file, "--output", tmp_path / "full.csv", "--model", trained.artifact.id)
    assert chosen.code == 0 and trained.artifact.id in chosen.err and "trained on built-in stars" in chosen.err
    missing = cli("classify", tmp_path / "photometry.csv", "--model", trained.artifact.id)
    assert missing.code == 2 and "lacks teff_K" in missing.err


def _sdss_models():
    from stellarnn.models import store

    return store.list_artifacts(system="sdss")


def test_rows_outside_the_training_features_are_flagged(cli, trained, stars_file, tmp_path):
    rows = Table.read(stars_file)[:3]
    rows["u_mag"][0] = rows["g_mag"][0] + 9.0  # u - g = 9: no star the model saw is so red in u - g
    rows.write(tmp_path / "odd.ecsv")
    result = cli("classify", tmp_path / "odd.ecsv", "--output", tmp_path / "out.ecsv", "--model", trained.artifact.id)
    assert result.code == 0, result.err
    assert "1 of 3 rows lie outside the model's training data (column sdss_out_of_domain)" in result.err
    assert Table.read(tmp_path / "out.ecsv")["sdss_out_of_domain"].tolist() == [True, False, False]
