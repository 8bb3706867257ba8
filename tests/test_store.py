"""The model store: atomic artifacts, listing, inspection and removal, through the library and the CLI."""

import json

import pytest

from stellarnn.errors import UserInputError
from stellarnn.models import store


def write_bytes(content: bytes):
    def write(path):
        path.write_bytes(content)

    return write


def test_save_writes_model_preprocessing_and_card(isolated_home):
    artifact = store.save("fusion", {"data": {"source": "builtin"}}, {"columns": ["teff_K"]}, write_bytes(b"m"), seed=7)
    assert artifact.path.parent == isolated_home / "models"
    assert (artifact.path / store.MODEL).read_bytes() == b"m"
    assert artifact.preprocessing() == {"columns": ["teff_K"]}
    card = json.loads((artifact.path / store.CARD).read_text())
    assert card["system"] == "fusion" and card["seed"] == 7 and card["data"]["source"] == "builtin"
    assert artifact.id.startswith("fusion-") and artifact.id.endswith("-seed7")


def test_interrupted_save_leaves_nothing_behind(isolated_home):
    def crash(path):
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.save("fusion", {}, {}, crash)
    assert store.list_artifacts() == []
    assert list((isolated_home / "models").iterdir()) == []


def test_two_saves_in_the_same_second_get_distinct_ids():
    a = store.save("hr", {}, {}, write_bytes(b"1"), seed=1)
    b = store.save("hr", {}, {}, write_bytes(b"2"), seed=1)
    assert a.id != b.id and len(store.list_artifacts(system="hr")) == 2


def test_latest_and_filtering():
    store.save("hr", {}, {}, write_bytes(b"1"))
    newest = store.save("fusion", {}, {}, write_bytes(b"2"))
    assert store.latest("fusion").id == newest.id
    assert store.latest("sdss") is None


def test_unknown_model_is_a_user_error():
    with pytest.raises(UserInputError, match="no model 'nope'"):
        store.get("nope")


def test_models_cli_list_show_rm(cli):
    assert "no trained models" in cli("models", "list").err
    artifact = store.save("fusion", {"data": {"source": "builtin"}, "metrics": {"mae": 0.1}}, {}, write_bytes(b"m"))

    listed = cli("models", "list", "--json")
    assert [card["id"] for card in json.loads(listed.out)] == [artifact.id]
    assert artifact.id in cli("models", "list").out

    shown = cli("models", "show", artifact.id)
    assert shown.code == 0 and json.loads(shown.out)["metrics"] == {"mae": 0.1}

    removed = cli("models", "rm", artifact.id, "--yes")
    assert removed.code == 0 and not artifact.path.exists()


def test_models_cli_unknown_id_exits_2(cli):
    for command in (("show", "ghost"), ("rm", "ghost", "--yes")):
        result = cli("models", *command)
        assert result.code == 2 and result.err.startswith("error: no model 'ghost'")
