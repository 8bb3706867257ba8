import pytest

from stellarnn.errors import UserInputError
from stellarnn.models import registry


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_SYSTEMS", {})


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
