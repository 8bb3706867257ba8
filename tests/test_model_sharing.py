"""Portable models: export to one zip, import into another store and predict the same; a model folder works as
--model; every card records its format and versions and comes with a card.md; a card from a newer format, or a
hostile zip, is one clear line."""

import json
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

import stellarnn

STARS = pd.DataFrame({"teff_K": [5772.0, 4500.0], "radius_Rsun": [1.0, 10.0]})


def _one_error_line(result, *words):
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.err
    for word in words:
        assert word in lines[0], lines[0]


def test_export_then_import_predicts_identically(cli, with_models, tmp_path, monkeypatch):
    from stellarnn.models import store

    fusion = store.latest("fusion")
    before = stellarnn.load(fusion.id).predict(STARS, method="nn")
    assert cli("models", "export", fusion.id, tmp_path / "shared.zip").code == 0
    monkeypatch.setenv("STELLARNN_HOME", str(tmp_path / "elsewhere"))  # a colleague's empty store
    result = cli("models", "import", tmp_path / "shared.zip")
    assert result.code == 0, result.err
    after = stellarnn.load(fusion.id).predict(STARS, method="nn")
    for column in ("abs_g_mag", "logg_cgs", "logg_cgs_hi", "mh_dex", "mass_Msun"):
        assert np.array_equal(before[column].to_numpy(), after[column].to_numpy()), column
    _one_error_line(cli("models", "import", tmp_path / "shared.zip"), "already holds")


def test_a_model_folder_works_as_model(cli, with_models, tmp_path):
    from stellarnn.models import store

    copy = tmp_path / "my-model"
    shutil.copytree(store.latest("hr").path, copy)
    result = cli("predict", "hr", "--absmag", 4.83, "--teff", 5772, "--model", copy, "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["outputs"]["hr_class"] == "main sequence"


def test_cards_record_format_and_versions_and_a_card_for_people(with_models):
    from stellarnn.models import store

    for system in ("fusion", "sdss", "hr"):
        artifact = store.latest(system)
        assert artifact.card["format"] == store.FORMAT
        assert {"stellarnn", "python", "numpy"} <= set(artifact.card["versions"])
        text = (artifact.path / store.CARD_TEXT).read_text()
        assert "## Intended use" in text and "## Training data" in text and "## Limitations" in text
    assert "keras" in store.latest("fusion").card["versions"]  # the fusion card lost its versions before


def test_a_card_from_a_newer_format_is_one_line(cli, with_models, tmp_path):
    from stellarnn.models import store

    copy = tmp_path / "future"
    shutil.copytree(store.latest("hr").path, copy)
    card = json.loads((copy / "card.json").read_text())
    (copy / "card.json").write_text(json.dumps({**card, "format": store.FORMAT + 1}))
    _one_error_line(cli("predict", "hr", "--absmag", 4.83, "--teff", 5772, "--model", copy), "newer stellarnn")
    del card["format"]  # a card from before formats existed still loads
    (copy / "card.json").write_text(json.dumps(card))
    assert cli("predict", "hr", "--absmag", 4.83, "--teff", 5772, "--model", copy).code == 0


@pytest.mark.parametrize(
    "entries, words",
    [
        ({"m/card.json": "{}", "../evil.txt": "x"}, "exactly one folder"),
        ({"m/card.json": "{}", "m/sub/x.json": "x"}, "not a file of the model's folder"),
        ({"a/card.json": "{}", "b/card.json": "{}"}, "exactly one folder"),
        ({"m/model.keras": "x"}, "no card.json"),
        ({"m/card.json": "[]", "m/preprocessing.json": "{}"}, "cannot be used"),
    ],
)
def test_hostile_zips_are_refused(cli, tmp_path, entries, words):
    bundle = tmp_path / "bad.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    _one_error_line(cli("models", "import", bundle), words)
    assert not (tmp_path.parent / "evil.txt").exists()
    models = tmp_path / "stellarnn-home" / "models"
    assert not models.exists() or not [p for p in models.iterdir()]  # nothing left behind, staging included
