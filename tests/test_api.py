"""The Python API: a DataFrame, an astropy Table or a mapping in, the same kind out, for every system; models
loaded by id or by folder; nothing printed; a plot leaves matplotlib's backend alone."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from astropy.table import Table

import stellarnn

SUN_AND_SIRIUS = {"teff_K": [5772.0, 9940.0], "lum_Lsun": [1.0, 25.4], "radius_Rsun": [1.0, 1.711]}


def test_predict_returns_the_kind_it_was_given(capsys):
    frame = stellarnn.predict(pd.DataFrame(SUN_AND_SIRIUS), method="physics")
    table = stellarnn.predict(Table(SUN_AND_SIRIUS), method="physics")
    mapping = stellarnn.predict(SUN_AND_SIRIUS, method="physics")
    one = stellarnn.predict({"teff": 5772, "lum": 1}, method="physics")
    assert isinstance(frame, pd.DataFrame) and isinstance(table, Table) and isinstance(mapping, dict)
    assert list(frame["mk_type"]) == list(table["mk_type"]) == mapping["mk_type"]
    assert mapping["mk_type"][0] == "G2V" and mapping["radius_Rsun"] == [1.0, 1.711]
    assert one["radius_Rsun"] == pytest.approx(1.0, rel=1e-3) and one["mk_type"] == "G2V"
    assert capsys.readouterr() == ("", "")  # the library prints nothing


def test_rows_left_out_are_listed_not_lost():
    frame = pd.DataFrame({"teff_K": [5772.0, -5.0], "lum_Lsun": [1.0, 1.0]})
    result = stellarnn.predict(frame, method="physics", on_error="skip")
    assert len(result) == 1 and list(result.attrs["rejected"]) == [1]
    with pytest.raises(stellarnn.UserInputError, match="teff_K = -5.0"):
        stellarnn.predict(frame, method="physics")


def test_errors_name_parameters_not_command_line_options(cli):
    """The same mistake: Python is told about on_error and level, the command line about --on-error and --level;
    a quoted command stays as it is typed."""
    frame = pd.DataFrame({"teff_K": [5772.0, -5.0], "lum_Lsun": [1.0, 1.0]})
    with pytest.raises(stellarnn.UserInputError) as raised:
        stellarnn.predict(frame, method="physics")
    assert "on_error skip leaves them out" in str(raised.value) and "--" not in str(raised.value)
    with pytest.raises(stellarnn.UserInputError, match=r"^level must be a probability"):
        stellarnn.predict(SUN_AND_SIRIUS, method="physics", level=2)
    assert cli("predict", "--teff", 5772, "--lum", 1, "--level", 2).err.startswith("error: --level must be")
    quoted = stellarnn.UserInputError("no model; run 'stellarnn train fusion --data FILE' or use --method physics")
    assert str(quoted) == "no model; run 'stellarnn train fusion --data FILE' or use method physics"


def test_fusion_sdss_and_hr_models(with_models):
    fusion = stellarnn.predict(pd.DataFrame(SUN_AND_SIRIUS), method="hybrid")
    assert {"logg_cgs", "logg_cgs_lo", "logg_cgs_hi", "out_of_domain"} <= set(fusion.columns)
    from stellarnn.models import store

    model = stellarnn.load(store.latest("fusion").id)
    again = model.predict(pd.DataFrame(SUN_AND_SIRIUS))
    assert np.allclose(again["logg_cgs"], fusion["logg_cgs"])
    by_folder = stellarnn.load(store.latest("fusion").path)  # a model folder anywhere, not only an id
    assert np.allclose(by_folder.predict(pd.DataFrame(SUN_AND_SIRIUS))["logg_cgs"], fusion["logg_cgs"])

    stars = pd.DataFrame({"u": [19.9, 17.3], "g": [18.7, 16.2], "r": [18.3, 15.9], "i": [18.1, 15.8],
                          "z": [18.0, 15.8], "teff_K": [5800.0, 7400.0], "logg_cgs": [4.4, 4.1],
                          "feh_dex": [-0.3, -0.5], "redshift": [0.0, 0.0]})  # fmt: skip
    classes = stellarnn.classify(stars)
    assert list(classes.columns[-9:]) == ["sdss_class", *(f"sdss_p_{c}" for c in "OBAFGKM"), "sdss_out_of_domain"]
    assert np.allclose(classes[[f"sdss_p_{c}" for c in "OBAFGKM"]].sum(axis=1), 1.0)

    hr = stellarnn.load(store.latest("hr").id).predict({"abs_mag": [4.83, 11.2], "teff_K": [5772.0, 25000.0]})
    assert hr["hr_class"] == ["main sequence", "white dwarf"]


def test_train_returns_a_loaded_model(tmp_path, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path))
    model = stellarnn.train("hr", epochs=200, seed=1, output=tmp_path / "report")
    assert model.system == "hr" and model.card["seed"] == 1
    with pytest.raises(stellarnn.UserInputError, match="takes no learning_rate"):
        stellarnn.train("hr", learning_rate=2.0)


def test_a_plot_leaves_the_matplotlib_backend_alone(tmp_path):
    script = f"""
import matplotlib
matplotlib.use("svg")
import numpy as np
from stellarnn.evaluation.plots import hr_diagram
hr_diagram([("stars", np.array([5772.0, 3500.0]), np.array([1.0, 0.01]), None)], {str(tmp_path / "hr.png")!r})
print(matplotlib.get_backend())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg" and (tmp_path / "hr.png").stat().st_size > 1000
