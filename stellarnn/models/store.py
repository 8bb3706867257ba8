"""Trained models on disk: one directory per artifact under <home>/models/.

An artifact holds the model file (``model.keras`` for Keras systems, written by the system),
``preprocessing.json`` (scalers, class names, column order: JSON, never pickle, so loading a shared model runs
no code) and ``card.json`` (system, config, data,
metrics, versions, date). Artifacts are assembled in a hidden temporary directory and renamed into place, so
an interrupted training run never leaves a half-written model that looks complete.

Folders can still be damaged by hand (edited, truncated, half-copied): such an entry is listed as broken with
the reason, default choices skip it, and loading it is one user error that names it; see :func:`loading`.
"""

import json
import os
import platform
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
OLD_MODEL_FILES = {"hr": "weights.json"}  # for cards written before they named their model file
# What a damaged model file or preprocessing raises while it loads (Keras: ValueError, KeyError, TypeError).
LOAD_ERRORS = (OSError, ValueError, LookupError, TypeError, AttributeError, EOFError, RecursionError,
               zipfile.BadZipFile)  # fmt: skip


@dataclass(frozen=True)
class Artifact:
    id: str
    path: Path
    card: dict  # {} when card.json cannot be read
    broken: str | None = None  # why the entry cannot be used, found by the cheap checks of list_artifacts

    @property
    def system(self) -> str:
        return self.card.get("system", "?")

    def preprocessing(self) -> dict:
        try:
            return _json_object(self.path / PREPROCESSING)
        except ValueError as exc:
            raise unusable(self.id, str(exc)) from None

    def file(self, name) -> Path:
        """The file ``name`` (as the model's own JSON names it) in the model folder. Only a plain file name that
        stays inside the folder is accepted, so an edited preprocessing.json cannot make stellarnn read elsewhere."""
        if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"{name!r} is not a file name in the model folder")
        path = self.path / name
        if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(self.path)):
            raise ValueError(f"{name!r} points outside the model folder")
        return path


def unusable(artifact_id: str, reason: str) -> UserInputError:
    return UserInputError(
        f"model '{artifact_id}' cannot be used: {reason}; remove it with 'stellarnn models rm {artifact_id}'"
    )


@contextmanager
def loading(artifact: Artifact) -> Iterator[None]:
    """Wrap the reading of a model's files: whatever a damaged file raises becomes one user error naming the
    model, not a traceback."""
    if artifact.broken:
        raise unusable(artifact.id, artifact.broken)
    try:
        yield
    except UserInputError:
        raise
    except LOAD_ERRORS as exc:
        raise unusable(artifact.id, _reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    """The first line of an error, shortened: Keras' messages run to paragraphs."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


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
        "model_file": model_file,
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
    return [artifact.file(name) for name in [MODEL, *_members(artifact.preprocessing())]]


def _members(preprocessing: dict) -> list:
    members = preprocessing.get("members", [])
    if not isinstance(members, list):
        raise ValueError(f"{PREPROCESSING} 'members' is not a list")
    return members


def list_artifacts(root: Path | None = None, system: str | None = None) -> list[Artifact]:
    """Every model folder, newest first, broken ones included (with the reason); staging directories are
    ignored. A folder whose card cannot be read has no system, so a ``system`` filter leaves it out."""
    base = models_dir(root)
    if not base.is_dir():
        return []
    found = [_read(path) for path in base.iterdir() if path.is_dir() and not path.name.startswith(".")]
    return sorted(
        (a for a in found if system is None or a.card.get("system") == system),
        key=lambda a: a.card.get("created", ""),
        reverse=True,
    )


def _read(path: Path) -> Artifact:
    """The entry in ``path``, marked broken when its card cannot be read or a file it names is missing: checks
    that cost no model load, so that listing stays fast."""
    card = {}
    try:
        card = _card(path / CARD)
        _check_files(Artifact(path.name, path, card))
    except (ValueError, OSError) as exc:
        return Artifact(path.name, path, card, str(exc))
    return Artifact(path.name, path, card)


def _card(path: Path) -> dict:
    card = _json_object(path)
    if not (isinstance(card.get("system"), str) and isinstance(card.get("created"), str)):
        raise ValueError(f"{CARD} lacks the system or the date")
    if not isinstance(card.get("data", {}), dict):
        raise ValueError(f"{CARD} 'data' is not an object")
    return card


def _check_files(artifact: Artifact) -> None:
    """Every file the entry names (its model file, an ensemble's members, stored weights) is a non-empty file in
    its folder."""
    preprocessing = _json_object(artifact.path / PREPROCESSING)
    model_file = artifact.card.get("model_file") or OLD_MODEL_FILES.get(artifact.system, MODEL)
    weights = [preprocessing["weights_file"]] if "weights_file" in preprocessing else []
    for name in [model_file, *_members(preprocessing), *weights]:
        path = artifact.file(name)
        if not path.is_file() or path.stat().st_size == 0:
            raise ValueError(f"{name} is missing or empty")


def _json_object(path: Path) -> dict:
    """The JSON object in ``path``; a ValueError with a short reason when it is missing or not one."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ValueError(f"{path.name} is missing") from None
    except OSError as exc:
        raise ValueError(f"{path.name} cannot be read ({exc.strerror})") from None
    except (ValueError, RecursionError):
        raise ValueError(f"{path.name} is not valid JSON") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def get(artifact_id: str | Path, root: Path | None = None) -> Artifact:
    """A model in the store by id, or one anywhere by the path of its folder (a model someone shared)."""
    for artifact in list_artifacts(root):
        if artifact.id == str(artifact_id):
            return artifact
    folder = Path(artifact_id)
    if (folder / CARD).is_file():
        return _read(folder.resolve())
    raise UserInputError(f"no model '{artifact_id}' in {models_dir(root)}; 'stellarnn models list' shows what is there")


def usable(system: str, root: Path | None = None) -> list[Artifact]:
    """The models of ``system`` that are not broken, newest first: what a default choice picks from."""
    return [a for a in list_artifacts(root, system) if not a.broken]


def latest(system: str, root: Path | None = None) -> Artifact | None:
    found = usable(system, root)
    return found[0] if found else None


def model_for(system: str, model_id: str | None = None) -> Artifact:
    """The model ``model_id`` (which must be a ``system`` model) or the newest of ``system``; else a clear error."""
    artifact = get(model_id) if model_id else latest(system)
    if artifact is None:
        raise UserInputError(f"no trained {system} model; run 'stellarnn train {system}'")
    if artifact.broken:
        raise unusable(artifact.id, artifact.broken)
    if artifact.system != system:
        raise UserInputError(f"model '{artifact.id}' is a {artifact.system} model, not {system}")
    return artifact


def remove(artifact_id: str, root: Path | None = None) -> Path:
    artifact = get(artifact_id, root)
    if artifact.path.is_symlink():  # a folder linked into the store: drop the link, not what it points to
        artifact.path.unlink()
    else:
        shutil.rmtree(artifact.path)
    return artifact.path
