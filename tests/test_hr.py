"""hr: the seed's tables reproduced to its printed digits, hand-derived gradients checked two ways, a default
run that learns, and the command line."""

import json

import numpy as np
import pytest

from stellarnn.models.hr import data as hr_data
from stellarnn.models.hr import network

SEED_LOSSES_LR_0_1 = [1.099, 1.097, 1.096, 1.095, 1.094, 1.093, 1.092, 1.091, 1.091, 1.090]
SEED_LOSSES_LR_10 = [1.099, 1.464, 4.121, 1.186, 1.512, 1.987, 2.485, 1.793, 1.214, 1.386]


def seed_run(lr):
    stars = hr_data.seed_stars()
    scaling = hr_data.MinMax.fit(stars)  # the seed normalises over all 20 stars
    x = scaling.inputs(stars)
    return network.train(network.Weights.seed(), x, stars.onehot(), lr, 10, x[0])


def test_seed_table_is_the_seed_ordering():
    stars = hr_data.seed_stars()
    assert len(stars) == 20 and stars.names[0] == "The Sun" and stars.names[-1] == "Arcturus"
    assert list(np.bincount(stars.label)) == [8, 6, 6]
    assert list(stars.split).count("testing") == 10


def test_reproduces_the_seed_with_learning_rate_0_1():
    _, history = seed_run(0.1)
    assert [round(v, 3) for v in history.losses()] == SEED_LOSSES_LR_0_1
    np.testing.assert_allclose(history.rows[0].sun_output, [1 / 3] * 3, atol=5e-4)
    np.testing.assert_allclose(history.rows[-1].sun_output, [0.365, 0.324, 0.311], atol=5e-4)
    # the printed first-epoch gradients and weights
    np.testing.assert_allclose(history.rows[0].grads.b2, [-0.067, 0.033, 0.033], atol=5e-4)
    np.testing.assert_allclose(history.rows[0].weights.w2[:, 0], [0.504, 0.5, 0.496], atol=5e-4)


def test_reproduces_the_seed_with_learning_rate_10():
    _, history = seed_run(10.0)
    np.testing.assert_allclose(history.losses(), SEED_LOSSES_LR_10, atol=0.002)
    np.testing.assert_allclose(history.rows[-1].sun_output, [0.3, 0.08, 0.62], atol=5e-3)


def test_the_seed_start_never_separates_its_hidden_units():
    weights, _ = seed_run(10.0)
    assert np.allclose(weights.w1, weights.w1[0]) and np.allclose(weights.w2, weights.w2[:, :1])


def random_problem(seed=0):
    rng = np.random.default_rng(seed)
    stars = hr_data.seed_stars()
    weights = network.Weights(rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3))
    return weights, hr_data.MinMax.fit(stars).inputs(stars), stars.onehot()


def test_hand_gradients_match_central_differences():
    weights, x, y = random_problem()
    analytic = network.gradients(weights, x, y)
    for name in ("w1", "b1", "w2", "b2"):
        numeric = np.zeros_like(getattr(weights, name))
        for index in np.ndindex(numeric.shape):
            plus, minus = weights.copy(), weights.copy()
            getattr(plus, name)[index] += 1e-6
            getattr(minus, name)[index] -= 1e-6
            numeric[index] = (network.loss(plus, x, y) - network.loss(minus, x, y)) / 2e-6
        relative = np.abs(getattr(analytic, name) - numeric) / np.maximum(np.abs(numeric), 1e-8)
        assert relative.max() < 1e-6, name


def test_hand_gradients_match_tensorflow_autodiff_on_the_keras_twin():
    from stellarnn.models.hr.keras_twin import autodiff_gradients, build

    weights, x, y = random_problem(seed=3)
    np.testing.assert_allclose(build(weights)(x), network.forward(weights, x).y2, rtol=1e-12)
    autodiff, analytic = autodiff_gradients(weights, x, y), network.gradients(weights, x, y)
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_allclose(getattr(analytic, name), getattr(autodiff, name), rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    import os

    home = tmp_path_factory.mktemp("hr-home")
    os.environ["STELLARNN_HOME"] = str(home)
    from stellarnn.models.hr.system import train

    return home, train(init="random", epochs=6000, seed=2, output=home / "report")


def test_default_mode_learns_and_reports_held_out_stars(default_run):
    _, result = default_run
    assert result.metrics["seed_stars"]["accuracy"] >= 0.95
    held_out = result.metrics["held_out_population"]
    assert held_out["stars"] > 1000 and held_out["accuracy"] >= 0.95
    assert np.array(held_out["confusion"]).sum() == held_out["stars"]
    for name in ("epochs.csv", "loss.png", "decision_regions.png", "scores.json"):
        assert (result.folder / name).is_file()


def test_predict_hr_through_the_cli(cli, default_run, monkeypatch, tmp_path):
    home, _ = default_run
    monkeypatch.setenv("STELLARNN_HOME", str(home))
    sun = json.loads(cli("predict", "hr", "--absmag", 4.83, "--teff", 5778, "--json").out)
    assert sun["outputs"]["hr_class"] == "main sequence"
    table = tmp_path / "stars.csv"
    table.write_text("name,abs_mag,teff_K\nSirius B,11.18,25000\nAntares,-5.28,3660\n")
    out = tmp_path / "out.csv"
    assert cli("predict", "hr", "--input", table, "--output", out).code == 0
    from astropy.table import Table

    assert list(Table.read(out)["hr_class"]) == ["white dwarf", "giant"]
    evaluated = cli("evaluate", "hr", "--data", "seed", "--output", tmp_path / "eval")
    assert evaluated.code == 0 and "accuracy" in evaluated.out and "ECE" in evaluated.out
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert sum(b["rows"] for b in report["reliability"]["bins"]) == 20  # every seed star in one probability bin
    assert (tmp_path / "eval" / "reliability.png").is_file()


@pytest.mark.parametrize(
    "content, message",
    [
        ("name,teff_K\nSun,5778\n", "hr needs a column for absolute magnitude"),
        ("abs_mag,teff_K\nbright,5778\n", "abs_mag = 'bright' is not a number"),
        ("abs_mag,teff_K\n4.83,-5\n", "teff_K = -5.0 is outside 100 to 1e+06 K"),
        ("abs_mag,teff_K\n1e308,5772\n", "abs_mag = 1e+308 is outside -20 to 35 mag"),
    ],
)
def test_bad_hr_inputs_exit_2(cli, default_run, monkeypatch, tmp_path, content, message):
    home, _ = default_run
    monkeypatch.setenv("STELLARNN_HOME", str(home))
    source = tmp_path / "bad.csv"
    source.write_text(content)
    result = cli("predict", "hr", "--input", source)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1


def test_stars_beyond_the_training_ranges_are_flagged(cli, default_run, monkeypatch, tmp_path):
    home, _ = default_run
    monkeypatch.setenv("STELLARNN_HOME", str(home))
    sun = json.loads(cli("predict", "hr", "--absmag", 4.83, "--teff", 5778, "--json").out)
    assert sun["outputs"]["out_of_domain"] is False
    far = json.loads(cli("predict", "hr", "--absmag", 30, "--teff", 5778, "--json").out)  # M = 30: no such star
    assert far["outputs"]["out_of_domain"] is True
    source = tmp_path / "stars.csv"
    source.write_text("abs_mag,teff_K\n4.83,5778\n30,5778\n")
    result = cli("predict", "hr", "--input", source)
    assert result.code == 0 and "1 of 2 stars lie outside the model's training data" in result.err


def test_seed_run_through_the_cli(cli, tmp_path):
    result = cli("train", "hr", "--init", "seed", "--lr", 0.1, "--epochs", 10, "--output", tmp_path / "seed")
    assert result.code == 0
    assert "1.090" in result.out and "0.365 0.324 0.311" in result.out
    assert (tmp_path / "seed" / "epochs.csv").read_text().count("\n") == 11


def test_options_that_do_not_apply_are_errors(cli):
    assert cli("train", "fusion", "--init", "seed").code == 2
    assert cli("train", "hr", "--init", "symmetric").code == 2
    assert cli("predict", "hr", "--absmag", 4.8).code == 2
