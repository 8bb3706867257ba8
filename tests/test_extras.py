"""A plain install runs the physics; a command that needs a missing extra says which, in one line (exit 2).

Missing packages are simulated in a subprocess by putting None in sys.modules (``import x`` then fails); the
real light install is checked by benchmarks/light_install.py."""

import subprocess
import sys

import pytest

from stellarnn.errors import UserInputError
from stellarnn.extras import need

HEAVY = ("keras", "jax", "jaxlib", "tensorflow", "keras_tuner", "tensorboard", "dask", "distributed", "cosmic",
         "lachesis", "h5py")  # fmt: skip

RUN_BLOCKED = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None
from stellarnn.cli import main
main({argv!r})
"""


def run_without(blocked, *argv, env=None):
    code = RUN_BLOCKED.format(blocked=tuple(blocked), argv=[str(a) for a in argv])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def assert_names_extra(result, extra: str):
    """Exit 2 and one 'error:' line (progress lines may come before it), no traceback."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 2, result.stderr
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"needs the '{extra}' extra" in errors[0] and errors[0].endswith(f"pip install 'stellarnn[{extra}]'")


def test_need_returns_an_installed_module():
    assert need("json", "nn", "anything").dumps([1]) == "[1]"
    assert need("json", "nn", "anything", load=False) is None


@pytest.mark.parametrize("load", [True, False])
def test_a_missing_module_is_one_line_naming_the_extra(load):
    with pytest.raises(UserInputError) as caught:
        need("stellarnn_no_such_module", "tune", "--tune", load=load)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("tune needs the 'tune' extra (stellarnn_no_such_module is not installed)")
    assert message.endswith("pip install 'stellarnn[tune]'")


def test_a_missing_dependency_of_the_module_names_it(tmp_path, monkeypatch):
    """Keras installed without its backend package fails inside Keras' import: still the extra, naming the gap."""
    (tmp_path / "stellarnn_fake_keras.py").write_text("import stellarnn_fake_backend\n")
    monkeypatch.syspath_prepend(tmp_path)
    with pytest.raises(UserInputError, match=r"\(stellarnn_fake_backend is not installed\).*stellarnn\[nn\]"):
        need("stellarnn_fake_keras", "nn", "training")


@pytest.mark.parametrize(
    "argv",
    [
        ("predict", "--method", "physics", "--teff", 5772, "--lum", 1, "--radius", 1),
        ("predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--json"),  # auto, no model: physics
    ],
)
def test_physics_predict_runs_without_any_extra(argv):
    result = run_without(HEAVY + ("sklearn", "crepes", "matplotlib", "pyvo"), *argv)
    assert result.returncode == 0, result.stderr
    assert "G2V" in result.stdout


def test_training_without_keras_names_the_nn_extra(tmp_path):
    stars = tmp_path / "stars.csv"
    rows = [f"{5772 + 40 * i},{1 + 0.05 * i},{1 + 0.01 * i},{4.6 - 0.01 * i},4.44,0.0" for i in range(40)]
    stars.write_text("teff,lum,radius,abs_g_mag,logg,mh\n" + "\n".join(rows) + "\n")
    result = run_without(("keras",), "train", "fusion", "--data", stars, "--config", "fusion-quick")
    assert_names_extra(result, "nn")
    assert "keras is not installed" in result.stderr


def test_the_dask_engine_without_dask_names_the_dask_extra(tmp_path):
    import pandas as pd

    pd.DataFrame({"teff": [5772.0], "lum": [1.0], "radius": [1.0]}).to_parquet(tmp_path / "part-0.parquet")
    result = run_without(("dask", "distributed"), "predict", "--method", "physics", "--engine", "dask",
                         "--input", tmp_path / "*.parquet", "--output", tmp_path / "out")  # fmt: skip
    assert_names_extra(result, "dask")


def test_the_builtin_population_without_cosmic_names_the_population_extra(tmp_path):
    result = run_without(("cosmic",), "data", "population", "--n", 10, "--output", tmp_path / "p.parquet")
    assert_names_extra(result, "population")


def test_tuning_without_keras_tuner_names_the_tune_extra():
    code = (
        "import sys; sys.modules['keras_tuner'] = None\n"
        "from stellarnn.models.sdss.tuning import search\n"
        "search(None, None, None, None, None, trials=1, seed=1)\n"  # fails before it reads a thing
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "UserInputError: tune needs the 'tune' extra (keras_tuner is not installed)" in result.stderr
