import pytest

from stellarnn.errors import UserInputError
from stellarnn.models import registry


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_SYSTEMS", {})
    monkeypatch.setattr(registry, "BUILT_IN", ())


def spec(name="demo"):
    return registry.SystemSpec(
        name=name,
        description="test system",
        config="configs/demo.toml",
        load_dataset="math:sqrt",
        build="math:sqrt",
        train="math:sqrt",
        predict="math:floor",
        evaluate="math:sqrt",
    )


def test_register_and_look_up_lazily(clean_registry):
    registry.register(spec())
    assert list(registry.systems()) == ["demo"]
    assert registry.get_system("demo").load("predict")(2.7) == 2


def test_unknown_system_is_a_user_error(clean_registry):
    with pytest.raises(UserInputError, match="unknown system 'nope'"):
        registry.get_system("nope")


def test_a_name_registers_once(clean_registry):
    registry.register(spec())
    with pytest.raises(ValueError):
        registry.register(spec())


def test_fusion_is_registered_without_importing_keras():
    import subprocess
    import sys

    probe = (
        "import sys; from stellarnn.models import registry; "
        "print(registry.get_system('fusion').description, 'keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False False") and "Teff, L and R" in out
