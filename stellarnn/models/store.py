"""Trained models on disk: one directory per artifact under <home>/models/.

An artifact holds the model file (``model.keras`` for Keras systems, written by the system),
``preprocessing.json`` (scalers, class names, column order: JSON, never pickle, so loading a shared model runs
no code) and ``card.json`` (system, config, data,
metrics, versions, date). A system that keeps further files beside its model names each under a preprocessing
key ending in ``_file`` (sdss's ``weights_file``, spectra's ``rv_templates_file``), so every entry is checked the
same way. Artifacts are assembled in a hidden temporary directory and renamed into place, so
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

from stellarnn.errors import UserInputError
from stellarnn.home import home
from stellarnn.version import __version__

CARD = "card.json"
CARD_TEXT = "card.md"  # the card for people: what the model is for, what it was trained on, how well it does
PREPROCESSING = "preprocessing.json"
FORMAT = 1  # the layout of a model folder this stellarnn writes; cards from before it existed count as 0
VERSIONED = ("keras", "tensorflow", "tensorflow-cpu", "jax", "numpy", "scikit-learn")  # recorded when installed
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
        "format": FORMAT,
        **card,
        "versions": {**versions(), **card.get("versions", {})},
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{artifact_id}.", dir=base))
    try:
        write_model(staging / model_file)
        (staging / PREPROCESSING).write_text(json.dumps(preprocessing, indent=2))
        (staging / CARD).write_text(json.dumps(full_card, indent=2))
        (staging / CARD_TEXT).write_text(card_text(full_card))
        staging.rename(base / artifact_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Artifact(artifact_id, base / artifact_id, full_card)


def versions() -> dict:
    """stellarnn's, Python's and the installed numerical packages' versions: what made a model."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"stellarnn": __version__, "python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def card_text(card: dict) -> str:
    """card.md: the card for people (intended use, training data, measured accuracy, limitations)."""
    from stellarnn.models.registry import systems

    spec = systems().get(card.get("system"))
    data = card.get("data", {})
    lines = [f"# {card.get('id')}", "", f"A stellarnn **{card.get('system')}** model, made {card.get('created')}.",
             "", "## Intended use", "", spec.description if spec else "", "", "## Training data", ""]  # fmt: skip
    lines += [f"- {key}: {value}" for key, value in data.items()] or ["- not recorded"]
    lines += ["", "## Measured on held-out data", ""]
    lines += [f"- {key}: {value}" for key, value in _numbers(card.get("metrics", {}))] or ["- not recorded"]
    builtin = data.get("source") == "builtin"
    lines += ["", "## Limitations", "",
              "- Trained on stellarnn's simulated data: its accuracy and interval coverage on real stars are not "
              "those above (README, 'Real stars and honest uncertainties')." if builtin else
              "- Measured on rows held out of its own training source; other catalogues may differ.",
              "- Intervals are conformal, calibrated on rows the network never trained on; rows outside the training "
              "data's range are flagged out_of_domain.",
              "", f"Versions: {', '.join(f'{k} {v}' for k, v in card.get('versions', {}).items())}", ""]  # fmt: skip
    return "\n".join(lines)


def _numbers(metrics: dict, prefix: str = "", depth: int = 2) -> list[tuple[str, str]]:
    """The card's metrics flattened to (name, value) pairs, numbers rounded, two levels deep."""
    found = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            found.append((name, f"{value:.4g}"))
        elif isinstance(value, dict) and depth > 0:
            found += _numbers(value, f"{name} ", depth - 1)
    return found


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
    made = card.get("format", 0)
    if not isinstance(made, int) or isinstance(made, bool) or made < 0:
        raise ValueError(f"{CARD} 'format' is not a format number")
    if made > FORMAT:
        raise ValueError(f"it was written by a newer stellarnn (model format {made}; this one reads up to {FORMAT}): "
                         "upgrade stellarnn to use it")  # fmt: skip
    return card


def _check_files(artifact: Artifact) -> None:
    """Every file the entry names (its model file, an ensemble's members, stored weights or templates) is a
    non-empty file in its folder."""
    preprocessing = _json_object(artifact.path / PREPROCESSING)
    model_file = artifact.card.get("model_file") or OLD_MODEL_FILES.get(artifact.system, MODEL)
    stored = [name for key, name in preprocessing.items() if key.endswith("_file")]
    for name in [model_file, *_members(preprocessing), *stored]:
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


MAX_IMPORT_BYTES = 4 * 2**30  # unpacked; the largest models here are tens of MB


def export(artifact_id: str | Path, target: str | Path) -> Path:
    """The model folder as a zip file (one folder named by the model's id) that ``import_model`` reads."""
    artifact = get(artifact_id)
    if artifact.broken:
        raise unusable(artifact.id, artifact.broken)
    target = Path(target)
    if target.suffix.lower() != ".zip":
        raise UserInputError(f"'{target}': a model is exported as a .zip file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(staging, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(artifact.path.iterdir()):
                if path.is_file() and not path.is_symlink():
                    bundle.write(path, f"{artifact.id}/{path.name}")
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return target


def import_model(source: str | Path, root: Path | None = None) -> Artifact:
    """Put an exported model into the store. The zip must hold one folder of plain files (no links, nothing
    outside it), be of sane size, and give a model that is not broken; nothing is left behind otherwise."""
    source = Path(source)
    try:
        bundle = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UserInputError(f"cannot read '{source}' as a zip file ({exc})") from None
    with bundle:
        model_id = _bundle_folder(bundle, source)
        base = models_dir(root)
        if (base / model_id).exists():
            raise UserInputError(f"the store already holds a model '{model_id}'; 'stellarnn models rm' it first")
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{model_id}.", dir=base))
        try:
            bundle.extractall(staging)
            artifact = _read(staging / model_id)
            if artifact.broken:
                raise UserInputError(f"'{source}' holds a model that cannot be used: {artifact.broken}")
            (staging / model_id).rename(base / model_id)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return get(model_id, root)


def _bundle_folder(bundle: zipfile.ZipFile, source: Path) -> str:
    """The one folder an exported zip holds; every entry a plain file in it, the whole of sane size."""
    import stat

    entries = [info for info in bundle.infolist() if not info.is_dir()]
    folders = {info.filename.split("/")[0] for info in entries}
    if len(folders) != 1:
        raise UserInputError(f"'{source}' is not an exported model: it must hold exactly one folder")
    model_id = folders.pop()
    for info in entries:
        parts = info.filename.split("/")
        if len(parts) != 2 or model_id.startswith(".") or parts[1] in ("", ".", "..") or "\\" in info.filename:
            raise UserInputError(f"'{source}': '{info.filename}' is not a file of the model's folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UserInputError(f"'{source}': '{info.filename}' is a link; a model holds plain files")
    if sum(info.file_size for info in entries) > MAX_IMPORT_BYTES:
        raise UserInputError(f"'{source}' unpacks to more than {MAX_IMPORT_BYTES / 2**30:g} GB; not a model")
    if not any(info.filename == f"{model_id}/{CARD}" for info in entries):
        raise UserInputError(f"'{source}' is not an exported model: no {CARD}")
    return model_id
