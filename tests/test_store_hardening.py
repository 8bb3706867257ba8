"""Damaged model folders (issue 24): listed as broken with the reason, skipped by default choices, removable, and
loading one by id is one error line (exit 2) naming it, never a traceback. Files named in preprocessing.json stay
inside the model folder, and Keras files load in safe mode only."""

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from stellarnn.errors import UserInputError
from stellarnn.models import store

OLDER, NEWER = "2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"
SDSS_FEATURES = ["u_g", "g_r", "r_i", "i_z", "redshift"]


@pytest.fixture(scope="module")
def keras_file(tmp_path_factory) -> bytes:
    """A small but real Keras file, so that damage, not a bogus file, is what makes a load fail."""
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    path = tmp_path_factory.mktemp("keras") / "small.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(path)
    return path.read_bytes()


def make(system: str, preprocessing: dict, files: dict[str, bytes], created: str = OLDER) -> store.Artifact:
    """A model folder saved through the store (the first of ``files`` is its model file), dated ``created``."""
    model_file = next(iter(files))

    def write(path: Path) -> None:
        for name, content in files.items():
            (path.parent / name).write_bytes(content)

    artifact = store.save(system, {"data": {"source": "builtin"}}, preprocessing, write, model_file=model_file)
    (artifact.path / store.CARD).write_text(json.dumps({**artifact.card, "created": created}))
    return store.get(artifact.id)


def hr_entry(keras_file, created=OLDER):
    """A working hr model: the seed's weights and normalisation."""
    from stellarnn.models.hr import data, network

    pre = {
        "system": "hr",
        "normalisation": data.MinMax.fit(data.seed_stars()).__dict__,
        "classes": list(network.CLASSES),
    }
    return make("hr", pre, {"weights.json": json.dumps(network.Weights.seed().as_dict()).encode()}, created)


def sdss_entry(keras_file, created=OLDER):
    """A working sdss model on colours and redshift (random weights: it classifies, not well)."""
    weights = io.BytesIO()
    rng = np.random.default_rng(1)
    np.savez(weights, kernel_0=rng.normal(size=(5, 7)).astype(np.float32), bias_0=np.zeros(7, np.float32))
    pre = {"system": "sdss", "features": SDSS_FEATURES, "feature_set": "photometry", "mean": [0.0] * 5,
           "scale": [1.0] * 5, "activation": "relu", "weights_file": "weights.npz"}  # fmt: skip
    return make("sdss", pre, {store.MODEL: keras_file, "weights.npz": weights.getvalue()}, created)


def keras_entry(system: str):
    """A fusion, spectra or cluster folder with real Keras files (not a trained model: it does not predict)."""

    def entry(keras_file, created=OLDER):
        names = [store.MODEL, *store.member_names(2)]
        return make(system, {"system": system, "members": names[1:]}, dict.fromkeys(names, keras_file), created)

    return entry


def loaded_file(artifact) -> Path:
    """The file the system's load reads the network from."""
    return artifact.path / {"hr": "weights.json", "sdss": "weights.npz"}.get(artifact.system, store.MODEL)


def edit_preprocessing(artifact, **changes) -> None:
    path = artifact.path / store.PREPROCESSING
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def symlinked_member(artifact) -> None:
    outside = artifact.path.parent.parent / "outside.keras"
    outside.write_bytes(b"elsewhere")
    (artifact.path / "member_9.keras").symlink_to(outside)
    edit_preprocessing(artifact, members=["member_9.keras"])


# damage -> (what it does to a folder, the reason 'models list' gives, or None where only loading finds it out)
DAMAGES = {
    "card garbage": (lambda a: (a.path / store.CARD).write_bytes(b"\x00{garbage"), "card.json is not valid JSON"),
    "card empty": (lambda a: (a.path / store.CARD).write_bytes(b""), "card.json is not valid JSON"),
    "card a list": (lambda a: (a.path / store.CARD).write_text("[]"), "card.json is not a JSON object"),
    "card {}": (lambda a: (a.path / store.CARD).write_text("{}"), "card.json lacks the system or the date"),
    "card date a number": (
        lambda a: (a.path / store.CARD).write_text(json.dumps({**a.card, "created": 5})),
        "card.json lacks the system or the date",
    ),
    "card missing": (lambda a: (a.path / store.CARD).unlink(), "card.json is missing"),
    "model garbage": (lambda a: loaded_file(a).write_bytes(b"garbage bytes"), None),
    "model empty": (lambda a: loaded_file(a).write_bytes(b""), "is missing or empty"),
    "model missing": (lambda a: loaded_file(a).unlink(), "is missing or empty"),
    "preprocessing garbage": (
        lambda a: (a.path / store.PREPROCESSING).write_text("{'members': "),
        "preprocessing.json is not valid JSON",
    ),
    "preprocessing {}": (lambda a: (a.path / store.PREPROCESSING).write_text("{}"), None),
    "preprocessing a list": (lambda a: (a.path / store.PREPROCESSING).write_text("[1]"), "is not a JSON object"),
    "member climbs out": (lambda a: edit_preprocessing(a, members=["../../x.keras"]), "is not a file name"),
    "member absolute": (lambda a: edit_preprocessing(a, members=["/etc/hostname"]), "is not a file name"),
    "members not a list": (lambda a: edit_preprocessing(a, members="member_1.keras"), "'members' is not a list"),
    "member links outside": (symlinked_member, "points outside the model folder"),
    "weights climb out": (lambda a: edit_preprocessing(a, weights_file="../card.json"), "is not a file name"),
}
ENTRIES = {
    "fusion": keras_entry("fusion"),
    "hr": hr_entry,
    "sdss": sdss_entry,
    "spectra": keras_entry("spectra"),
    "cluster": keras_entry("cluster"),
}


def load_command(artifact, tmp_path) -> list:
    """The command line that loads ``artifact`` by id."""
    if artifact.system == "fusion":
        return ["predict", "--teff", 5772, "--lum", 1, "--radius", 1, "--method", "nn", "--model", artifact.id]
    if artifact.system == "hr":
        return ["predict", "hr", "--absmag", 4.83, "--teff", 5778, "--json", "--model", artifact.id]
    if artifact.system == "sdss":
        table = tmp_path / "stars.csv"
        table.write_text("u_mag,g_mag,r_mag,i_mag,z_mag,redshift\n19.9,18.6,18.1,17.9,17.8,0.0001\n")
        return ["classify", table, "--output", tmp_path / "classified.csv", "--model", artifact.id]
    if artifact.system == "spectra":
        spectrum = tmp_path / "star.csv"
        spectrum.write_text("wavelength,flux\n6500,1\n6501,0.9\n6502,1\n")
        return ["predict", "spectra", spectrum, "--model", artifact.id]
    members = tmp_path / "members.csv"
    members.write_text(
        "cluster,g_mag,bp_rp_mag,parallax_mas\n" + "".join(f"A,{12 + i / 10},1.0,1.0\n" for i in range(40))
    )
    return ["predict", "cluster", members, "--model", artifact.id]


def assert_one_error_line(result, artifact) -> None:
    assert result.code == 2, result.out + result.err
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert f"'{artifact.id}'" in result.err and f"stellarnn models rm {artifact.id}" in result.err
    assert "Traceback" not in result.err + result.out


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_model_is_listed_shown_and_removed(cli, keras_file, damage):
    harm, reason = DAMAGES[damage]
    artifact = ENTRIES["fusion"](keras_file)
    harm(artifact)

    listed = cli("models", "list")
    assert listed.code == 0 and artifact.id in listed.out
    assert ("broken:" in listed.out and reason in listed.out) if reason else "broken" not in listed.out
    cards = json.loads(cli("models", "list", "--json").out)
    described = next(card for card in cards if card["id"] == artifact.id)
    assert reason in described["broken"] if reason else "broken" not in described

    shown = cli("models", "show", artifact.id)
    assert shown.code == 0 and json.loads(shown.out)["id"] == artifact.id
    assert (reason in json.loads(shown.out)["broken"]) if reason else shown.err == ""

    removed = cli("models", "rm", "-y", artifact.id)
    assert removed.code == 0 and not artifact.path.exists()
    assert cli("models", "list", "--json").out.strip() == "[]"


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("system", ENTRIES)
def test_loading_a_damaged_model_is_one_error_line(cli, keras_file, tmp_path, system, damage):
    artifact = ENTRIES[system](keras_file)
    DAMAGES[damage][0](artifact)
    assert_one_error_line(cli(*load_command(artifact, tmp_path)), artifact)


@pytest.mark.parametrize("system", ["hr", "sdss"])
def test_an_undamaged_model_loads(cli, keras_file, tmp_path, system):
    """The control for the test above: the same folders, undamaged, predict."""
    artifact = ENTRIES[system](keras_file)
    result = cli(*load_command(artifact, tmp_path))
    assert result.code == 0, result.err
    assert artifact.id in result.out + result.err


@pytest.mark.parametrize("damage", ["model missing", "preprocessing garbage", "member climbs out"])
def test_default_choices_skip_a_broken_newer_model(cli, keras_file, tmp_path, damage):
    from stellarnn.models.fusion.predict import find_model
    from stellarnn.models.sdss.system import load as load_sdss
    from stellarnn.prediction import choose_method

    good = {system: ENTRIES[system](keras_file) for system in ("fusion", "hr", "sdss")}
    for system in good:
        DAMAGES[damage][0](ENTRIES[system](keras_file, created=NEWER))
    ENTRIES["hr"](keras_file, created=NEWER).path.joinpath(store.CARD).write_text("not json")  # no system at all

    assert {system: store.latest(system).id for system in good} == {s: a.id for s, a in good.items()}
    assert store.model_for("hr").id == good["hr"].id
    assert find_model(None).id == choose_method("auto").artifact.id == good["fusion"].id
    assert load_sdss(None, ["u", "g", "r", "i", "z", "redshift"]).artifact.id == good["sdss"].id

    hr = cli("predict", "hr", "--absmag", 4.83, "--teff", 5778, "--json")
    assert hr.code == 0 and json.loads(hr.out)["model"] == good["hr"].id
    sdss_command = load_command(good["sdss"], tmp_path)[:-2]  # without --model
    classified = cli(*sdss_command)
    assert classified.code == 0 and f"sdss model {good['sdss'].id}" in classified.err


def test_a_card_from_before_cards_named_the_model_file_still_loads(cli, keras_file, tmp_path):
    artifact = ENTRIES["hr"](keras_file)
    card = json.loads((artifact.path / store.CARD).read_text())
    del card["model_file"]
    (artifact.path / store.CARD).write_text(json.dumps(card))
    assert store.get(artifact.id).broken is None
    assert cli(*load_command(artifact, tmp_path)).code == 0
    (artifact.path / "weights.json").unlink()
    assert store.get(artifact.id).broken == "weights.json is missing or empty"


def test_a_newer_model_damaged_beyond_the_cheap_checks_is_named(cli, keras_file):
    """A valid-looking folder whose preprocessing lacks what hr reads is chosen, and loading it says which one."""
    ENTRIES["hr"](keras_file)
    newer = ENTRIES["hr"](keras_file, created=NEWER)
    DAMAGES["preprocessing {}"][0](newer)
    assert_one_error_line(cli("predict", "hr", "--absmag", 4.83, "--teff", 5778), newer)


def test_a_lambda_layer_is_refused(cli, tmp_path):
    """Keras safe mode: a file whose Lambda layer holds Python bytecode does not load."""
    from stellarnn.models import keras_runtime

    keras = keras_runtime.keras()
    path = tmp_path / "lambda.keras"
    inputs = keras.Input((3,))
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(path)
    artifact = make("fusion", {"system": "fusion"}, {store.MODEL: path.read_bytes()})
    result = cli(*load_command(artifact, tmp_path))
    assert_one_error_line(result, artifact)
    assert "Lambda" in result.err


def test_every_keras_load_is_in_safe_mode():
    package = Path(store.__file__).resolve().parents[1]
    calls = [line for file in package.rglob("*.py") for line in file.read_text().splitlines() if "load_model(" in line]
    keras_calls = [line for line in calls if re.search(r"saving\.load_model\(", line)]
    assert len(keras_calls) >= 3 and all("safe_mode=True" in line for line in keras_calls), keras_calls


@pytest.mark.parametrize("name", ["../x.keras", "/etc/hostname", "a/b.keras", "a\\b.keras", "", ".", "..", 3, None])
def test_only_plain_file_names_in_the_folder_are_accepted(keras_file, name):
    artifact = ENTRIES["fusion"](keras_file)
    assert artifact.file("member_1.keras") == artifact.path / "member_1.keras"
    with pytest.raises(ValueError, match="is not a file name"):
        artifact.file(name)


def test_loading_turns_errors_into_one_user_error_naming_the_model(keras_file):
    artifact = ENTRIES["fusion"](keras_file)
    with pytest.raises(UserInputError, match=rf"model '{artifact.id}' cannot be used: KeyError: 'outputs'; remove"):
        with store.loading(artifact):
            artifact.preprocessing()["outputs"]
    with pytest.raises(UserInputError, match=r"ValueError: first line; remove") as raised:
        with store.loading(artifact):
            raise ValueError("first line\nand a long second one")
    assert "\n" not in str(raised.value)
    with pytest.raises(ZeroDivisionError):  # a bug is not a damaged model
        with store.loading(artifact):
            raise ZeroDivisionError


def test_a_removed_symlinked_folder_leaves_its_target(cli, keras_file, isolated_home):
    target = ENTRIES["fusion"](keras_file).path.rename(isolated_home / "kept-elsewhere")
    (store.models_dir() / "linked").symlink_to(target)
    assert cli("models", "rm", "-y", "linked").code == 0
    assert not (store.models_dir() / "linked").exists() and (target / store.MODEL).is_file()


def test_every_file_the_preprocessing_names_is_checked_like_the_model_file(keras_file):
    """A spectra model's velocity templates (rv_templates_file), like sdss's weights_file: a missing one makes the
    entry broken, a name that climbs out of the folder is refused."""
    artifact = ENTRIES["spectra"](keras_file)
    edit_preprocessing(artifact, rv_templates_file="rv_templates.npy")
    assert store.get(artifact.id).broken == "rv_templates.npy is missing or empty"
    np.save(artifact.path / "rv_templates.npy", np.ones((2, 5)))
    assert store.get(artifact.id).broken is None
    edit_preprocessing(artifact, rv_templates_file="../card.json")
    assert "is not a file name" in store.get(artifact.id).broken
