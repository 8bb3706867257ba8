"""TOML config files: found by name among the packaged configs or by path, read into typed sections.

Every problem (missing file, bad TOML, missing or unknown keys) is a one-line UserInputError naming the file
and the key, so bad configuration ends with exit code 2, not a traceback.
"""

import tomllib
from dataclasses import fields
from importlib.resources import files
from pathlib import Path

from stellarnn.errors import UserInputError


def packaged(name: str) -> Path:
    return Path(str(files("stellarnn.configs").joinpath(f"{name}.toml")))


def resolve(name_or_path: str | Path | None, default: str) -> Path:
    """A packaged config by name ('fusion-quick') or a file by path; ``default`` names the fallback."""
    if name_or_path is None:
        return packaged(default)
    candidate = Path(name_or_path)
    if candidate.suffix != ".toml" and packaged(str(name_or_path)).is_file():
        return packaged(str(name_or_path))
    if not candidate.is_file():
        raise UserInputError(f"config file '{candidate}' does not exist")
    return candidate


def read_sections(path: Path, sections: dict[str, type]) -> dict[str, object]:
    """{section name: dataclass instance}; keys must match the dataclass fields exactly."""
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"{path}: not valid TOML ({exc})") from None
    result = {}
    for name, cls in sections.items():
        values = raw.get(name)
        if not isinstance(values, dict):
            raise UserInputError(f"{path}: missing section [{name}]")
        expected = {f.name for f in fields(cls)}
        unknown, missing = set(values) - expected, expected - set(values)
        if unknown or missing:
            what = (
                f"unknown key(s) {', '.join(sorted(unknown))}" if unknown else f"missing {', '.join(sorted(missing))}"
            )
            raise UserInputError(f"{path}: [{name}] {what}")
        result[name] = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
    unknown_sections = set(raw) - set(sections)
    if unknown_sections:
        raise UserInputError(f"{path}: unknown section(s) {', '.join(sorted(unknown_sections))}")
    return result


def require(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise UserInputError(f"{where}: {message}")
