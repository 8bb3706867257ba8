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


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    return tmp_path_factory.mktemp("fusion-home")


@pytest.fixture(autouse=True)
def fusion_home(isolated_home, module_home, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(module_home))


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
    train_set, validation_set = split(dataset, 0.15, seed=5)
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

    uncertain = json.loads(
        cli("predict", "--teff", 5772, "--lum", 1, "--method", "hybrid", "--uncertainty", 8, "--json").out
    )
    assert uncertain["outputs"]["logg_cgs_std"] > 0

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
    physics_uncertainty = cli("predict", "--teff", 5772, "--lum", 1, "--method", "physics", "--uncertainty", 3)
    assert physics_uncertainty.code == 2
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
    result = cli("evaluate", "fusion", "--data", population_file, "--out", out)
    assert result.code == 0, result.err
    report = json.loads((out / "report.json").read_text())
    assert set(report["outputs"]) >= {"mbol_mag", "spectral_class"}
    assert set(report["baseline_hist_gradient_boosting"]) == {"abs_g_mag", "logg_cgs", "mh_dex"}
    assert report["outputs"]["spectral_class"]["confusion"]
    assert (out / "report.md").read_text().startswith("# fusion model")
    assert (out / "confusion_matrices.png").stat().st_size > 10_000 and (out / "residuals.png").is_file()


def test_cross_validation_scores_every_star(cli, population_file, tmp_path):
    out = tmp_path / "cv"
    result = cli("evaluate", "fusion", "--data", population_file, "--cross-validate", 2, "--config", TINY, "--out", out)
    assert result.code == 0, result.err
    report = json.loads((out / "report.json").read_text())
    assert report["cross_validation"]["folds"] == 2 and report["stars"] == 6000
    assert report["outputs"]["mbol_mag"]["stars"] == 6000
