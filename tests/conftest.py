"""Shared fixtures: an isolated model store, the CLI run in-process, and the optional ../shared data."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from stellarnn.cli import main

# One Keras backend for the whole in-process test session (training needs TensorFlow); the automatic choice
# of a lighter backend for prediction is tested in subprocesses.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "stellarnn-home"
    monkeypatch.setenv("STELLARNN_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    """One model store for a whole test module, whose tests share models trained once."""
    return tmp_path_factory.mktemp("module-home")


@pytest.fixture
def in_module_home(isolated_home, module_home, monkeypatch):
    """A test run in its module's shared store (pytestmark = pytest.mark.usefixtures("in_module_home"))."""
    monkeypatch.setenv("STELLARNN_HOME", str(module_home))
    return module_home


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not available at {SHARED_DATA}")
    return SHARED_DATA


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> CliResult:
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(exit_info.value.code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory):
    """A store with one small fusion, sdss and hr model each, trained once for the tests that only use models
    (the hardening tests). Use it with the ``with_models`` fixture."""
    from stellarnn.models.fusion.system import train as train_fusion
    from stellarnn.models.hr.system import train as train_hr
    from stellarnn.models.sdss.system import train as train_sdss

    home = tmp_path_factory.mktemp("tiny-store")
    saved = os.environ.get("STELLARNN_HOME")
    os.environ["STELLARNN_HOME"] = str(home)
    try:
        train_fusion(data="builtin", config=str(REPO / "tests" / "data" / "fusion-tiny.toml"), seed=3)
        train_sdss(data="builtin", config=str(REPO / "tests" / "data" / "sdss-small.toml"), seed=2)
        train_hr(init="random", epochs=3000, seed=2, output=home / "hr-report")
    finally:
        os.environ.pop("STELLARNN_HOME") if saved is None else os.environ.update(STELLARNN_HOME=saved)
    return home


@pytest.fixture
def with_models(tiny_store, monkeypatch):
    monkeypatch.setenv("STELLARNN_HOME", str(tiny_store))
    return tiny_store
