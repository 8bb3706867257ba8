"""Issue 25: one grammar for every command (-h, --output/-o, --json, --quiet, '-' for stdin, completion) and
sub-commands per system built from the registry, so a new system needs a registry entry and no CLI edit."""

import io
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

from stellarnn.models import registry
from stellarnn.models.predicted import Predicted
from stellarnn.models.summary import Summary

SUN = ["--teff", "5772", "--lum", "1", "--radius", "1", "--method", "physics"]


def test_short_help_everywhere(cli):
    for args in (["-h"], ["train", "-h"], ["train", "fusion", "-h"], ["predict", "hr", "-h"], ["data", "sdss", "-h"]):
        result = cli(*args)
        assert result.code == 0 and "Usage: stellarnn" in result.out, args


def test_each_system_shows_only_its_own_options(cli):
    """The options listed are the ones its library function takes: hr has a learning rate and a start, fusion a
    label scheme and a model to fine-tune, cluster an architecture; spectra is never cross-validated."""
    hr, fusion, cluster = (cli("train", name, "--help").out for name in ("hr", "fusion", "cluster"))
    assert "--lr" in hr and "--init" in hr and "--scheme" not in hr and "--architecture" not in hr
    assert "--scheme" in fusion and "--start-from" in fusion and "--lr" not in fusion and "--tune" not in fusion
    assert "--architecture" in cluster and "--model " not in cluster
    assert "--cross-validate" in cli("evaluate", "fusion", "--help").out
    spectra = cli("evaluate", "spectra", "--help").out
    assert "--cross-validate" not in spectra and "--config" not in spectra
    refused = cli("train", "fusion", "--lr", "0.1")
    assert refused.code == 2 and refused.err.strip().count("\n") == 0 and "--lr" in refused.err


def test_fusion_is_the_default_system_of_predict(cli):
    plain, named = cli("predict", *SUN, "--json"), cli("predict", "fusion", *SUN, "--json")
    assert plain.code == named.code == 0
    assert json.loads(plain.out) == json.loads(named.out)
    assert json.loads(plain.out)["outputs"]["mk_type"] == "G2V"


def test_one_name_per_system(cli):
    assert "spectra" in cli("predict", "--help").out
    result = cli("predict", "spectrum", "x.csv")
    assert result.code == 2 and "No such command 'spectrum'" in result.err


def test_output_is_the_one_spelling(cli, tmp_path):
    target = tmp_path / "pop.parquet"
    refused = cli("data", "population", "--n", "10", "--out", target)
    assert refused.code == 2 and "--out" in refused.err and not target.exists()
    made = cli("data", "population", "--n", "10", "-o", target, "--json")
    counts = json.loads(made.out)
    assert made.code == 0 and target.exists()
    assert abs(sum(c["natural_fraction"] for c in counts.values()) - 1) < 1e-9


def test_quiet_leaves_results_and_errors(cli, tmp_path):
    stars = tmp_path / "stars.csv"
    stars.write_text("teff,lum,radius\n5772,1,1\n3000,0.01,0.3\n")
    loud = cli("predict", "--input", stars, "--method", "physics", "-o", tmp_path / "a.csv")
    quiet = cli("-q", "predict", "--input", stars, "--method", "physics", "-o", tmp_path / "b.csv")
    assert loud.code == quiet.code == 0 and "read 2 rows" in loud.err and quiet.err == ""
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    failed = cli("-q", "predict", "--teff", "-5")
    assert failed.code == 2 and failed.err.startswith("error:")


def test_a_dash_reads_the_table_from_stdin(cli, tmp_path, monkeypatch):
    text = "name,teff,lum,radius\nSun,5772,1,1\nM dwarf,3000,0.01,0.3\n"
    stars = tmp_path / "stars.csv"
    stars.write_text(text)
    from_file = cli("predict", "--input", stars, "--method", "physics", "--json")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    from_stdin = cli("predict", "--input", "-", "--method", "physics", "--json")
    assert from_stdin.code == 0 and json.loads(from_stdin.out) == json.loads(from_file.out)
    assert [row["name"] for row in json.loads(from_stdin.out)] == ["Sun", "M dwarf"]


def test_shell_completion_lists_the_systems(tmp_path):
    env = {**os.environ, "_STELLARNN_COMPLETE": "complete_bash", "COMP_WORDS": "stellarnn train ", "COMP_CWORD": "2"}
    stellarnn = os.path.join(os.path.dirname(sys.executable), "stellarnn")
    out = subprocess.run([stellarnn], env=env, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert out == list(registry.systems())


def test_train_and_evaluate_speak_json(cli, tmp_path):
    """The seed's hr run: its JSON names the stored model and its scores, and evaluate's JSON is the report."""
    trained = cli("train", "hr", "--init", "seed", "--epochs", "3", "--output", tmp_path / "run", "--json")
    payload = json.loads(trained.out)
    assert trained.code == 0 and payload["metrics"]["seed_stars"]["stars"] == 20
    assert json.loads(cli("models", "show", payload["model"]).out)["id"] == payload["model"]
    evaluated = cli("evaluate", "hr", "--data", "seed", "--model", payload["model"], "-o", tmp_path / "rep", "--json")
    assert evaluated.code == 0
    assert json.loads(evaluated.out) == json.loads((tmp_path / "rep" / "report.json").read_text())


def test_fetch_list_json_when_nothing_is_fetched(cli):
    result = cli("fetch", "list", "--json")
    assert result.code == 0 and json.loads(result.out) == []


# A system known to the registry alone: its functions live here, and the CLI offers it without an edit.


def demo_train(data: str = "builtin", seed: int = 1, epochs: int | None = None, console=None):
    artifact = SimpleNamespace(id="demo-1", path="/nowhere/demo-1")
    return SimpleNamespace(artifact=artifact, metrics={"epochs": epochs, "data": data, "seed": seed})


def demo_training(result) -> Summary:
    m = result.metrics
    return Summary(lines=[f"demo: {m['epochs']} epochs on {m['data']}"], notes=["saved nowhere"])


def demo_predict(paths, model_id=None, level=0.68) -> Predicted:
    sizes = [len(open(p).read()) for p in paths]
    frame = pd.DataFrame({"file": [str(p) for p in paths], "characters": sizes, "out_of_domain": False})
    return Predicted(frame, SimpleNamespace(id="demo-1"), "files")


@pytest.fixture
def demo_system(monkeypatch):
    here = __name__
    spec = registry.SystemSpec(
        name="demo",
        description="A test system",
        config="demo.toml",
        load_dataset="",
        build="",
        train=f"{here}:demo_train",
        predict="",
        evaluate="",
        describe_training=f"{here}:demo_training",
        predict_files=f"{here}:demo_predict",
    )
    registry.systems()
    monkeypatch.setitem(registry._SYSTEMS, "demo", spec)


def test_a_registered_system_gets_its_commands(cli, demo_system, tmp_path):
    help_text = cli("train", "demo", "--help").out
    assert "--epochs" in help_text and "--seed" in help_text and "--scheme" not in help_text
    trained = cli("train", "demo", "--epochs", "7", "--data", "here")
    assert trained.code == 0 and trained.out.strip() == "demo: 7 epochs on here" and "saved nowhere" in trained.err
    assert json.loads(cli("train", "demo", "--epochs", "2", "--json").out)["metrics"]["epochs"] == 2
    note = tmp_path / "note.txt"
    note.write_text("twelve chars")
    predicted = json.loads(cli("predict", "demo", note, "--json").out)
    assert predicted["model"] == "demo-1" and predicted["files"][0]["characters"] == 12
    assert "demo" not in cli("evaluate", "--help").out  # it has no evaluate role
