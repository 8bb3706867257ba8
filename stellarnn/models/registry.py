"""The systems stellarnn can train and run, by name.

Each system contributes one :class:`SystemSpec`; the CLI looks systems up here, so adding a system means adding
a spec, not editing commands: ``train`` and ``evaluate`` offer the options their functions take, print the
:class:`~stellarnn.models.summary.Summary` the system writes of its result, and ``predict NAME FILE...`` runs a
system's ``predict_files``. Callables are given as "module:function" strings and imported only when used, which
keeps TensorFlow out of commands that do not run a network.
"""

from dataclasses import dataclass
from importlib import import_module

from stellarnn.errors import UserInputError


@dataclass(frozen=True)
class SystemSpec:
    name: str
    description: str
    config: str  # default config file under configs/
    load_dataset: str  # "module:function" -> training data
    build: str  # -> an untrained model from a config
    train: str  # -> a trained artifact in the store
    predict: str  # -> predictions for a table
    evaluate: str  # -> metrics on held-out data
    describe_training: str = ""  # a train result -> Summary
    describe_report: str = ""  # (an evaluate report, its folder) -> Summary
    predict_files: str = ""  # (files, model id, level) -> Predicted, for systems that read files
    figure: str = ""  # (files, Predicted, PNG path) -> the PNGs written: the figures of a predict_files result

    def load(self, role: str):
        """Import the callable behind one role ('train', 'predict', ...)."""
        module, _, function = getattr(self, role).partition(":")
        return getattr(import_module(module), function)


_SYSTEMS: dict[str, SystemSpec] = {}
BUILT_IN = (
    "stellarnn.models.fusion.system",
    "stellarnn.models.hr.system",
    "stellarnn.models.sdss.system",
    "stellarnn.models.spectra.system",
    "stellarnn.models.cluster.system",
)  # modules that register a spec when imported (no Keras import)


def _load_built_in() -> None:
    for module in BUILT_IN:
        import_module(module)


def register(spec: SystemSpec) -> SystemSpec:
    if spec.name in _SYSTEMS:
        raise ValueError(f"system '{spec.name}' is registered twice")
    _SYSTEMS[spec.name] = spec
    return spec


def systems() -> dict[str, SystemSpec]:
    _load_built_in()
    return dict(_SYSTEMS)


def get_system(name: str) -> SystemSpec:
    _load_built_in()
    if name not in _SYSTEMS:
        known = ", ".join(_SYSTEMS) or "none yet"
        raise UserInputError(f"unknown system '{name}'; registered systems: {known}")
    return _SYSTEMS[name]
