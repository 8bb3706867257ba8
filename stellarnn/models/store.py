"""Trained models on disk: one directory per artifact under <home>/models/.

An artifact holds the model file (``model.keras`` for Keras systems, written by the system),
``preprocessing.json`` (scalers, class names, column order: JSON, never pickle, so loading a shared model runs
no code) and ``card.json`` (system, config, data,
metrics, versions, date). Artifacts are assembled in a hidden temporary directory and renamed into place, so
an interrupted training run never leaves a half-written model that looks complete.
"""

import json
import platform
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from stellarnn import __version__
from stellarnn.errors import UserInputError
from stellarnn.home import home

CARD = "card.json"
PREPROCESSING = "preprocessing.json"
MODEL = "model.keras"
MEMBER_FILE = "member_{}.keras"  # an ensemble's further networks, beside MODEL


@dataclass(frozen=True)
class Artifact:
    id: str
    path: Path
    card: dict

    @property
    def system(self) -> str:
        return self.card.get("system", "?")

    def preprocessing(self) -> dict:
        return json.loads((self.path / PREPROCESSING).read_text())


def models_dir(root: Path | None = None) -> Path:
    return (root or home()) / "models"


def new_id(system: str, seed: int | None, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{system}-{stamp}" + (f"-seed{seed}" if seed is not None else "")


def save(
    system: str,
    card: dict,
    preprocessing: dict,
    write_model: Callable[[Path], None],
    seed: int | None = None,
    root: Path | None = None,
    model_file: str = MODEL,
) -> Artifact:
    """Write a complete artifact atomically; ``write_model(path)`` saves the model file inside it."""
    base = models_dir(root)
    base.mkdir(parents=True, exist_ok=True)
    artifact_id = new_id(system, seed)
    suffix = 1
    while (base / artifact_id).exists():
        suffix += 1
        artifact_id = f"{new_id(system, seed)}-{suffix}"
    full_card = {
        "id": artifact_id,
        "system": system,
        "seed": seed,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": {"stellarnn": __version__, "python": platform.python_version()},
        **card,
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{artifact_id}.", dir=base))
    try:
        write_model(staging / model_file)
        (staging / PREPROCESSING).write_text(json.dumps(preprocessing, indent=2))
        (staging / CARD).write_text(json.dumps(full_card, indent=2))
        staging.rename(base / artifact_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Artifact(artifact_id, base / artifact_id, full_card)


def ensemble_writer(networks: list) -> Callable[[Path], None]:
    """A ``write_model`` for :func:`save` that stores an ensemble: the first network as MODEL, the others
    beside it under :func:`member_names` (list those in the preprocessing as "members")."""

    def write(path: Path) -> None:
        networks[0].save(path)
        for name, network in zip(member_names(len(networks)), networks[1:], strict=True):
            network.save(path.parent / name)

    return write


def member_names(count: int) -> list[str]:
    return [MEMBER_FILE.format(i) for i in range(1, count)]


def ensemble_files(artifact: Artifact) -> list[Path]:
    """The model files of an ensemble saved with :func:`ensemble_writer` (one file for older artifacts)."""
    return [artifact.path / MODEL] + [artifact.path / name for name in artifact.preprocessing().get("members", [])]


def list_artifacts(root: Path | None = None, system: str | None = None) -> list[Artifact]:
    """Complete artifacts, newest first; staging directories and folders without a card are ignored."""
    base = models_dir(root)
    if not base.is_dir():
        return []
    found = []
    for path in base.iterdir():
        if path.name.startswith(".") or not (path / CARD).is_file():
            continue
        card = json.loads((path / CARD).read_text())
        if system is None or card.get("system") == system:
            found.append(Artifact(path.name, path, card))
    return sorted(found, key=lambda a: a.card.get("created", ""), reverse=True)


def get(artifact_id: str, root: Path | None = None) -> Artifact:
    for artifact in list_artifacts(root):
        if artifact.id == artifact_id:
            return artifact
    raise UserInputError(f"no model '{artifact_id}' in {models_dir(root)}; 'stellarnn models list' shows what is there")


def latest(system: str, root: Path | None = None) -> Artifact | None:
    found = list_artifacts(root, system)
    return found[0] if found else None


def model_for(system: str, model_id: str | None = None) -> Artifact:
    """The model ``model_id`` (which must be a ``system`` model) or the newest of ``system``; else a clear error."""
    artifact = get(model_id) if model_id else latest(system)
    if artifact is None:
        raise UserInputError(f"no trained {system} model; run 'stellarnn train {system}'")
    if artifact.system != system:
        raise UserInputError(f"model '{artifact.id}' is a {artifact.system} model, not {system}")
    return artifact


def remove(artifact_id: str, root: Path | None = None) -> Path:
    artifact = get(artifact_id, root)
    shutil.rmtree(artifact.path)
    return artifact.path
