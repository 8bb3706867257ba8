"""fusion end to end on a small population: train, store, load, predict (nn, hybrid, auto), evaluate; plus
the pieces that can be checked by hand (physics branch, masked losses, dynamic weight averaging)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO

SMALL_POPULATION = REPO / "tests" / "data" / "population-small.toml"
TINY = REPO / "tests" / "data" / "fusion-tiny.toml"


pytestmark = pytest.mark.usefixtures("in_module_home")  # the tests share models trained once


@pytest.fixture(scope="module")
def population_file(module_home):
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from astropy.table import Table

    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population
    from stellarnn.datasets.tables import write_table

    path = module_home / "population.parquet"
    write_table(Table.from_pandas(population(population_config.load(SMALL_POPULATION), 6000, seed=2).frame), path)
    return path


@pytest.fixture(scope="module")
def trained(population_file, module_home):
    """One tiny fusion model (fusion scheme) trained through the CLI code path."""
    import os

    os.environ["STELLARNN_HOME"] = str(module_home)
    from stellarnn.models.fusion.system import train

    artifact, metrics = train(data=str(population_file), config=str(TINY), seed=3)
    return artifact, metrics


# --- pieces checked by hand ----------------------------------------------------------------------------------


def test_physics_branch_is_the_formula():
    import keras

    from stellarnn.models.fusion.layers import PhysicsEstimate
    from stellarnn.models.fusion.outputs import physics_estimate
    from stellarnn.physics.constants import FUSION

    (coefficients, offset) = physics_estimate("mbol_mag", FUSION, "G")
    layer = PhysicsEstimate(coefficients, offset, center=4.0, scale=2.0)
    logs = np.log10(np.array([[5772.0, 1.0, 1.0], [3050.0, 0.00151, 0.154]], dtype="float32"))
    scaled = keras.ops.convert_to_numpy(layer(logs))[:, 0]
    # Mbol = 4.75 - 2.5 log10 L: 4.75 for the Sun, 11.80256 for Proxima; scaled by (x - 4) / 2
    np.testing.assert_allclose(scaled * 2.0 + 4.0, [4.75, 11.80255763], rtol=1e-6)


def test_masked_losses_ignore_unknown_targets():
    import keras

    from stellarnn.models.fusion.training_callbacks import masked_class_loss, masked_regression_loss

    weight = keras.Variable(2.0)
    mse = masked_regression_loss(weight, "mse")(np.array([[1.0], [np.nan], [3.0]]), np.array([[2.0], [99.0], [3.0]]))
    assert float(mse) == pytest.approx(2.0 * (1.0 + 0.0) / 2)  # the NaN row counts for nothing
    probabilities = np.array([[0.5, 0.5], [0.9, 0.1]], dtype="float32")
    ce = masked_class_loss(weight)(np.array([[1], [-1]]), probabilities)
    assert float(ce) == pytest.approx(2.0 * -np.log(0.5), rel=1e-5)


def test_dynamic_weight_averaging_rewards_stalled_outputs():
    import keras

    from stellarnn.models.fusion.training_callbacks import DynamicWeightAveraging

    weights = {"a": keras.Variable(1.0), "b": keras.Variable(1.0)}
    dwa = DynamicWeightAveraging(weights, temperature=2.0, enabled=True)
    dwa.on_epoch_end(0, {"val_a_loss": 1.0, "val_b_loss": 1.0})
    logs = {"val_a_loss": 1.0, "val_b_loss": 0.5}  # a stalled (ratio 1), b halved (ratio 0.5)
    dwa.on_epoch_end(1, logs)
    # lambda_k = 2 exp(r_k / 2) / (exp(1/2) + exp(1/4)): a 1.1244, b 0.8756
    assert float(weights["a"]) == pytest.approx(1.12436, abs=1e-4)
    assert float(weights["b"]) == pytest.approx(0.87564, abs=1e-4)
    assert logs["val_unweighted_loss"] == pytest.approx(1.5)


def test_without_dwa_weights_stay_fixed():
    import keras

    from stellarnn.models.fusion.training_callbacks import DynamicWeightAveraging

    weights = {"a": keras.Variable(1.0), "b": keras.Variable(1.0)}
    dwa = DynamicWeightAveraging(weights, temperature=2.0, enabled=False)
    for epoch, b in enumerate((1.0, 0.5, 0.25)):
        dwa.on_epoch_end(epoch, {"val_a_loss": 1.0, "val_b_loss": b})
    assert float(weights["a"]) == float(weights["b"]) == 1.0


# --- training and the store --------------------------------------------------------------------------------------


def test_training_stores_a_complete_artifact(trained):
    artifact, metrics = trained
    assert (artifact.path / "model.keras").is_file()
    card = artifact.card
    assert card["system"] == "fusion" and card["seed"] == 3 and card["scheme"] == "fusion"
    assert card["data"]["source"] == "file" and card["data"]["train_stars"] > 4000
    assert len(card["training"]["val_unweighted_loss"]) == card["training"]["epochs_run"]
    assert set(metrics) >= {"mbol_mag", "abs_g_mag", "logg_cgs", "mh_dex", "spectral_class", "star_type"}
    # even a tiny network gets the formula outputs from its physics branches
    assert metrics["log_bolometric_flux_W_m2"]["within_5_percent"] > 0.99
    assert metrics["log_central_temperature_K"]["within_5_percent"] > 0.99


def test_loads_in_a_fresh_process_with_identical_predictions(trained, module_home):
    artifact, _ = trained
    from stellarnn.models.fusion.model import load

    teff, lum, radius = (
        np.array([5772.0, 3600.0, 25193.0]),
        np.array([1.0, 88000.0, 0.0238]),
        np.array([1.0, 764.0, 0.0081]),
    )
    here = load(artifact).predict(teff, lum, radius)
    probe = f"""
import json, numpy as np
from stellarnn.models import store
from stellarnn.models.fusion.model import load
model = load(store.get({artifact.id!r}))
p = model.predict(np.array({teff.tolist()}), np.array({lum.tolist()}), np.array({radius.tolist()}))
keep = ('mbol_mag', 'logg_cgs', 'mh_dex')
print(json.dumps({{k: np.asarray(v).tolist() for k, v in p.items() if k.endswith('_code') or k in keep}}))
"""
    jax_cache = module_home / "cache" / "jax"
    for backend, rtol in (("tensorflow", 0.0), ("numpy", 1e-4), ("jax", 1e-4), ("jax", 1e-4)):  # 2nd: cached
        env = {"STELLARNN_HOME": str(module_home), "KERAS_BACKEND": backend, "PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True).stdout
        there = json.loads(out.strip().splitlines()[-1])
        for name in ("mbol_mag", "logg_cgs", "mh_dex"):
            np.testing.assert_allclose(there[name], here[name], rtol=rtol, atol=1e-6 if rtol else 0, err_msg=backend)
        for name in ("spectral_class_code", "luminosity_class_code", "star_type_code"):
            assert there[name] == here[name].tolist(), backend
        assert jax_cache.is_dir() == (backend == "jax")  # JAX's compilations kept for the next process


def test_deployed_model_predicts_every_kind_of_star(trained):
    artifact, _ = trained
    from stellarnn.models.fusion.model import load
    from stellarnn.physics.engine import derive

    # Stars spread over the HR diagram: every Fusion spectral class M..O and luminosity class D..Ia
    teff = np.array(
        [3000, 3500, 4500, 5000, 6000, 6500, 9000, 11000, 15000, 25000, 38000, 3600, 4300, 12000, 5800, 3300]
    )
    lum = np.array([1e-3, 0.02, 0.2, 0.5, 2, 30, 60, 500, 3000, 2e4, 2e5, 9e4, 170, 1.2e5, 1.0, 0.01])
    model = load(artifact)
    pred = model.predict(teff.astype(float), lum.astype(float), np.full(len(teff), np.nan))
    truth = derive(teff.astype(float), lum.astype(float), None, scheme="fusion").classes
    for name, true_codes in (
        ("spectral_class", truth.spectral_class),
        ("luminosity_class", truth.luminosity_class),
        ("star_type", truth.star_type),
    ):
        predicted = pred[f"{name}_code"]
        assert len(set(predicted)) >= 4, f"{name} collapses to {set(predicted)}"
        assert np.mean(predicted == true_codes) >= 0.6, name


def test_training_is_reproducible_with_a_seed(population_file):
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion import sources
    from stellarnn.models.fusion.train import fit, split

    settings = fusion_config.load(TINY).with_overrides(epochs=3)
    dataset = sources.load(str(population_file), settings)
    train_set, validation_set = split(dataset, 0.15, seed=5)[:2]
    first = fit(settings, train_set, validation_set, seed=5).history["val_unweighted_loss"]
    second = fit(settings, train_set, validation_set, seed=5).history["val_unweighted_loss"]
    np.testing.assert_allclose(first, second, rtol=1e-6)


# --- the CLI -------------------------------------------------------------------------------------------------------


def test_predict_methods_through_the_cli(cli, trained):
    artifact, _ = trained
    nn = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--method", "nn", "--json").out)
    assert nn["method"] == "nn" and nn["model"] == artifact.id and nn["scheme"] == "fusion"
    for name in ("mbol_mag", "abs_g_mag", "logg_cgs", "mh_dex", "spectral_class", "star_type", "bc_g_mag"):
        assert nn["outputs"][name] is not None, name
    assert nn["outputs"]["mbol_mag"] == pytest.approx(4.75, abs=0.1)

    hybrid = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--json").out)  # auto -> hybrid
    assert hybrid["method"] == "hybrid" and hybrid["scheme"] == "default"
    assert hybrid["outputs"]["mk_type"] == "G2V" and hybrid["outputs"]["mbol_mag"] == pytest.approx(4.74, abs=1e-3)
    assert 3.5 < hybrid["outputs"]["logg_cgs"] < 5.0 and hybrid["outputs"]["abs_g_mag"] is not None

    for level in (0.68, 0.95):
        wide = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--level", level, "--json").out)
        out = wide["outputs"]
        for name in ("abs_g_mag", "logg_cgs", "mh_dex"):
            assert out[f"{name}_lo"] <= out[name] <= out[f"{name}_hi"], name
            assert not any(k.endswith("_std") for k in out)
        assert wide["level"] == level and out["out_of_domain"] is False
    narrow = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--level", 0.5, "--json").out)["outputs"]
    assert narrow["logg_cgs_hi"] - narrow["logg_cgs_lo"] < out["logg_cgs_hi"] - out["logg_cgs_lo"]

    table = cli("predict", "--teff", 3600, "--radius", 764, "--method", "hybrid")
    assert table.code == 0 and "log g" in table.out and "hybrid" in table.out


def test_predict_file_with_the_network(cli, trained, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,lum_Lsun,radius_Rsun\n5772,1,1\n3600,,764\n25193,,0.0081\n")
    result = cli("predict", "-i", source, "-o", tmp_path / "out.csv", "--method", "nn")
    assert result.code == 0, result.err
    from astropy.table import Table

    out = Table.read(tmp_path / "out.csv")
    assert len(out) == 3 and {"logg_cgs", "mh_dex", "abs_g_mag", "star_type"} <= set(out.colnames)


def test_method_errors(cli, trained):
    mismatch = cli("predict", "--teff", 5772, "--lum", 1, "--method", "nn", "--scheme", "default")
    assert mismatch.code == 2 and "trained with the fusion scheme" in mismatch.err
    unknown = cli("predict", "--teff", 5772, "--lum", 1, "--model", "no-such-model")
    assert unknown.code == 2 and "no model 'no-such-model'" in unknown.err
    for level in (0, 1, 1.5, -0.2):
        bad_level = cli("predict", "--teff", 5772, "--lum", 1, "--level", level)
        assert bad_level.code == 2 and bad_level.err.count("error:") == 1 and "--level" in bad_level.err
    assert cli("train", "nosuch").code == 2


def test_nn_needs_a_model(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path / "empty"))
    result = cli("predict", "--teff", 5772, "--lum", 1, "--method", "nn")
    assert result.code == 2 and "needs a trained fusion model" in result.err
    fallback = cli("predict", "--teff", 5772, "--lum", 1, "--json")
    payload = json.loads(fallback.out)
    assert payload["method"] == "physics" and any("no trained fusion model" in w for w in payload["warnings"])


def test_training_data_without_catalogue_targets_is_rejected(cli, tmp_path):
    source = tmp_path / "plain.csv"
    source.write_text("teff_K,lum_Lsun\n5772,1\n4000,0.2\n")
    result = cli("train", "fusion", "--data", source, "--config", TINY)
    assert result.code == 2 and "none of the catalogue targets" in result.err


def test_evaluate_writes_a_report(cli, trained, population_file, tmp_path):
    out = tmp_path / "report"
    result = cli("evaluate", "fusion", "--data", population_file, "--output", out)
    assert result.code == 0, result.err
    report = json.loads((out / "report.json").read_text())
    assert set(report["outputs"]) >= {"mbol_mag", "spectral_class"}
    assert set(report["baseline_hist_gradient_boosting"]) == {"abs_g_mag", "logg_cgs", "mh_dex"}
    assert report["outputs"]["spectral_class"]["confusion"]
    assert (out / "report.md").read_text().startswith("# fusion model")
    assert (out / "confusion_matrices.png").stat().st_size > 10_000 and (out / "residuals.png").is_file()


def test_cross_validation_scores_every_star(cli, population_file, tmp_path):
    out = tmp_path / "cv"
    result = cli("evaluate", "fusion", "--data", population_file, "--cross-validate", 2, "--config", TINY, "-o", out)
    assert result.code == 0, result.err
    report = json.loads((out / "report.json").read_text())
    assert report["cross_validation"]["folds"] == 2 and report["stars"] == 6000
    assert report["outputs"]["mbol_mag"]["stars"] == 6000


# --- intervals, domain and fine-tuning ------------------------------------------------------------------------------


def test_training_calibrates_on_stars_it_never_trained_on(trained):
    artifact, _ = trained
    pre = artifact.preprocessing()
    card = artifact.card
    assert set(pre["calibration"]) == {"abs_g_mag", "logg_cgs", "mh_dex"}
    # 10 % of 6,000 stars: the calibration split, apart from the 15 % validation split and the training stars
    assert card["data"]["calibration_stars"] == 600 and card["data"]["train_stars"] == 6000 - 600 - 900
    assert len(pre["calibration"]["logg_cgs"]["residuals"]) == 600
    assert set(pre["temperatures"]) == {"spectral_class", "luminosity_class", "star_type"}
    assert pre["domain"]["kind"] == "cells"


def test_intervals_cover_new_stars_at_the_level_asked_for(trained, module_home):
    """A new population (another seed of the same priors) is what the calibration promises to cover. With 600
    calibration stars the realised coverage of a 68 % interval scatters by ~2 %, and by ~1 % over 3,000 test
    stars: the bands below are about four of those standard deviations wide."""
    from stellarnn.datasets.population import config as population_config
    from stellarnn.datasets.population.generate import population
    from stellarnn.models.conformal import coverage
    from stellarnn.models.fusion.model import load

    artifact, _ = trained
    frame = population(population_config.load(SMALL_POPULATION), 3000, seed=11).frame
    model = load(artifact)
    for level, (low, high) in ((0.68, (0.60, 0.76)), (0.95, (0.91, 0.985))):
        pred = model.predict(frame["teff_K"], frame["lum_Lsun"], frame["radius_Rsun"], level=level)
        for name in ("logg_cgs", "mh_dex"):
            measured = coverage(frame[name].to_numpy(), pred[f"{name}_lo"], pred[f"{name}_hi"])
            assert low <= measured <= high, (name, level, measured)


def test_stars_outside_the_training_data_are_flagged(cli, trained, tmp_path):
    artifact, _ = trained
    from stellarnn.models.fusion.model import load

    model = load(artifact)
    # the Sun and a red giant are in the population; a 40,000 K star of 100 R_sun (L ~ 2e7) is in no catalogue
    flags = model.predict(np.array([5772.0, 4500.0, 40000.0]), np.full(3, np.nan), np.array([1.0, 10.0, 100.0]))
    assert flags["out_of_domain"].tolist() == [False, False, True]
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,radius_Rsun\n5772,1\n40000,100\n")
    result = cli("predict", "-i", source, "-o", tmp_path / "out.ecsv", "--method", "hybrid")
    assert result.code == 0 and "1 of 2 stars lie outside the model's training data" in result.err
    from astropy.table import Table

    assert Table.read(tmp_path / "out.ecsv")["out_of_domain"].tolist() == [False, True]


def _copy_with_calibration(artifact, change) -> str:
    """A copy of ``artifact`` in the store whose calibration ``change`` edits (returns the copy's id)."""
    import shutil

    copy_id = artifact.id + "-edited"
    target = artifact.path.parent / copy_id
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(artifact.path, target)
    pre = json.loads((target / "preprocessing.json").read_text())
    change(pre["calibration"])
    (target / "preprocessing.json").write_text(json.dumps(pre))
    card = json.loads((target / "card.json").read_text())
    (target / "card.json").write_text(json.dumps({**card, "id": copy_id}))
    return copy_id


def test_an_output_the_inputs_do_not_constrain_is_not_shown_as_a_number(cli, trained):
    artifact, _ = trained

    def as_wide_as_the_labels(calibration):  # [M/H]: the model errs as much as the label spread; M_G: 0.01 mag
        calibration["mh_dex"]["residuals"] = calibration["mh_dex"]["label_residuals"]
        calibration["abs_g_mag"]["residuals"] = [0.01] * len(calibration["abs_g_mag"]["residuals"])

    model_id = _copy_with_calibration(artifact, as_wide_as_the_labels)
    shown = cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--model", model_id)
    assert shown.code == 0, shown.err
    mh_row = next(line for line in shown.out.splitlines() if "Metallicity" in line)
    assert "not constrained" in mh_row
    g_row = next(line for line in shown.out.splitlines() if "M_G" in line and "Bolometric" not in line)
    assert "not constrained" not in g_row and "…" in g_row  # a value with its interval
    payload = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--model", model_id, "--json").out)
    assert payload["not_constrained"] == ["mh_dex"]
    assert payload["outputs"]["mh_dex"] is not None and payload["outputs"]["mh_dex_lo"] < payload["outputs"]["mh_dex"]
    assert payload["outputs"]["abs_g_mag_hi"] - payload["outputs"]["abs_g_mag_lo"] == pytest.approx(0.02, abs=1e-6)


def test_fine_tuning_starts_from_a_stored_model(cli, trained, population_file):
    artifact, _ = trained
    from stellarnn.models.fusion.system import train

    tuned, _ = train(data=str(population_file), config=str(TINY), seed=4, epochs=1, start_from=artifact.id)
    assert tuned.card["started_from"] == artifact.id
    other = cli("train", "fusion", "--data", population_file, "--config", "fusion-quick", "--start-from", artifact.id)
    assert other.code == 2 and "same architecture" in other.err


def test_real_gaia_stars_intervals_hold_on_stars_not_trained_on(shared_data, tmp_path, cli):
    """Train on half of the real Gaia DR3 file, evaluate on the other half: the intervals calibrated on real
    stars cover real stars. 250 calibration and 1,250 test stars: the 68 % coverage scatters by ~3.3 %."""
    from astropy.table import Table

    rows = Table.read(shared_data / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv")
    order = np.random.default_rng(0).permutation(len(rows))
    rows[order[:1250]].write(tmp_path / "train.csv")
    rows[order[1250:]].write(tmp_path / "test.csv")
    config = tmp_path / "tiny-real.toml"
    text = TINY.read_text().replace('scheme = "fusion"', 'scheme = "default"')
    config.write_text(text.replace("calibration_fraction = 0.1 ", "calibration_fraction = 0.2 "))
    trained_on_half = cli("train", "fusion", "--data", tmp_path / "train.csv", "--config", config)
    assert trained_on_half.code == 0, trained_on_half.err
    out = tmp_path / "report"
    assert cli("evaluate", "fusion", "--data", tmp_path / "test.csv", "--output", out).code == 0
    report = json.loads((out / "report.json").read_text())
    for name in ("abs_g_mag", "logg_cgs", "mh_dex"):
        cover = report["summary"]["coverage"][name]
        assert 0.58 <= cover["0.68"] <= 0.78 and 0.90 <= cover["0.95"] <= 0.99, (name, cover)
    assert (out / "coverage.png").stat().st_size > 5_000 and (out / "reliability.png").is_file()


def test_real_catalogues_train_with_the_catalogue_config_unless_told_otherwise():
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion.system import default_config

    assert default_config("builtin") == "fusion" and default_config("gaia") == default_config("stars.csv")
    catalogue, population = fusion_config.load(default_config("stars.csv")), fusion_config.load("fusion")
    assert catalogue.model == population.model  # the same network, so one can fine-tune the other
    assert catalogue.training.batch_size < population.training.batch_size


def test_the_population_trains_on_measured_inputs():
    """With observed_inputs the network sees the population's Gaia-like Teff, L and R (2 %, 5 %, 5 % errors),
    not the exact ones, while its targets stay the true M_G, log g and [M/H]."""
    import pandas as pd

    from stellarnn.models.fusion.data import from_population
    from stellarnn.models.fusion.outputs import outputs

    frame = pd.DataFrame({"teff_K": [5772.0], "lum_Lsun": [1.0], "radius_Rsun": [1.0], "teff_gspphot": [5900.0],
                          "lum_flame": [1.05], "radius_gspphot": [0.98], "abs_g_mag": [4.67], "logg_cgs": [4.44],
                          "mh_dex": [0.0]})  # fmt: skip
    measured = from_population(frame, outputs("G"), "default", {}, observed=True)
    exact = from_population(frame, outputs("G"), "default", {}, observed=False)
    assert (measured.teff[0], measured.lum[0], measured.radius[0]) == (5900.0, 1.05, 0.98)
    assert (exact.teff[0], exact.lum[0], exact.radius[0]) == (5772.0, 1.0, 1.0)
    assert measured.targets["logg_cgs"][0] == exact.targets["logg_cgs"][0] == 4.44
    # formula targets follow the inputs the network sees: Mbol = 4.74 - 2.5 log10(1.05)
    assert measured.targets["mbol_mag"][0] == pytest.approx(4.74 - 2.5 * np.log10(1.05), abs=1e-3)
