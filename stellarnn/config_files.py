"""TOML config files: found by name among the packaged configs or by path, read into typed sections.

A file may set only some keys: the rest come from its system's packaged default, so a two-line file that changes
the epochs is a complete config. Every problem (unreadable file, bad TOML, unknown key, a value of the wrong type
or not finite) is a one-line UserInputError naming the file and the key, so bad configuration ends with exit
code 2, not a traceback.
"""

import difflib
import math
import reprlib
import tomllib
from dataclasses import MISSING, fields
from importlib.resources import files
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

from stellarnn.errors import UserInputError

# What each field type must be, as the error says it (singular, plural).
TYPE_NAMES = {
    bool: ("true or false", "true/false values"),
    int: ("a whole number", "whole numbers"),
    float: ("a finite number", "finite numbers"),
    str: ("a string", "strings"),
}


def packaged(name: str) -> Path:
    return Path(str(files("stellarnn.configs").joinpath(f"{name}.toml")))


def resolve(name_or_path: str | Path | None, default: str) -> Path:
    """A packaged config by name ('fusion-quick') or a file by path; ``default`` names the fallback."""
    if name_or_path is None:
        return packaged(default)
    candidate = Path(name_or_path)
    if candidate.suffix != ".toml" and packaged(str(name_or_path)).is_file():
        return packaged(str(name_or_path))
    if candidate.is_dir():
        raise UserInputError(f"config '{candidate}' is a directory, not a TOML file")
    if not candidate.is_file():
        raise UserInputError(f"config file '{candidate}' does not exist")
    return candidate


def read_sections(
    path: Path, sections: dict[str, type], default: str, retired: dict[str, tuple[str, ...]] | None = None
) -> dict[str, object]:
    """{section name: dataclass instance}: the file's values over those of the packaged config ``default``, each
    checked against its field's type. ``retired``: keys old files and model cards still carry, read and ignored."""
    values = _values(packaged(default), sections, retired or {})
    for name, given in _values(path, sections, retired or {}).items():
        values[name] = {**values.get(name, {}), **given}
    return {name: _instance(cls, values.get(name, {}), path, name) for name, cls in sections.items()}


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise UserInputError(f"{path}: not a text file (TOML must be UTF-8)") from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot be read ({exc.strerror})") from None


def _values(path: Path, sections: dict[str, type], retired: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    """The file's {section: {key: value}}, every section and key known and every value of its field's type."""
    raw = _read(path)
    unknown = [_hinted(name, sections) for name in raw if name not in sections]
    if unknown:
        raise UserInputError(f"{path}: unknown section(s) {', '.join(unknown)}")
    result = {}
    for name, given in raw.items():
        if not isinstance(given, dict):
            raise UserInputError(f"{path}: [{name}] must be a table of keys, got {reprlib.repr(given)}")
        hints = get_type_hints(sections[name])
        kept = {key: value for key, value in given.items() if key not in retired.get(name, ())}
        unknown = [_hinted(key, hints) for key in kept if key not in hints]
        if unknown:
            raise UserInputError(f"{path}: [{name}] unknown key(s) {', '.join(unknown)}")
        result[name] = {key: _typed(value, hints[key], f"{path}: [{name}] {key}") for key, value in kept.items()}
    return result


def _hinted(name: str, known) -> str:
    """An unknown name, with the known one it was probably meant to be."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"{name} (did you mean {close[0]}?)" if close else name


def _instance(cls: type, values: dict, path: Path, name: str):
    """The section's dataclass; a key neither the file nor the packaged default sets is missing (fields with a
    default are for the cards of models trained before the key existed)."""
    missing = [f.name for f in fields(cls) if f.name not in values and f.default is MISSING]
    if missing:
        raise UserInputError(f"{path}: [{name}] missing {', '.join(missing)}")
    return cls(**values)


def _typed(value, hint, where: str):
    """``value`` as the field type ``hint`` says (TOML arrays as tuples, whole numbers as floats where floats are
    meant), or a one-line error naming the key: a non-empty string such as "false" must not pass as true."""
    if not _fits(value, hint):
        raise UserInputError(f"{where} must be {_describe(hint)}, got {reprlib.repr(value)}")
    return _converted(value, hint)


def _fits(value, hint) -> bool:
    if hint is bool or hint is str:
        return isinstance(value, hint)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    item, count = _items(hint)
    return isinstance(value, list) and len(value) == (count or len(value)) and all(_fits(v, item) for v in value)


def _items(hint) -> tuple[type, int | None]:
    """A tuple field's item type and length (None: any length); all fixed-length tuples here are of one type."""
    if get_origin(hint) is not tuple:
        raise TypeError(f"config fields must be bool, int, float, str or tuples of them, not {hint}")
    args = get_args(hint)
    return args[0], None if args[-1] is Ellipsis else len(args)


def _converted(value, hint):
    if hint is float:
        return float(value)
    if isinstance(value, list):
        return tuple(_converted(v, _items(hint)[0]) for v in value)
    return value


def _describe(hint, plural: bool = False) -> str:
    if hint in TYPE_NAMES:
        return TYPE_NAMES[hint][plural]
    item, count = _items(hint)
    return f"{'lists' if plural else 'a list'} of {f'{count} ' if count else ''}{_describe(item, plural=True)}"


def require(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise UserInputError(f"{where}: {message}")


def at_least(low: int, where: str, section: str, values, *keys: str) -> None:
    """Each of ``keys`` of a section's dataclass ``values`` is >= ``low``: a number, or a list of layer sizes and
    the like that must not be empty."""
    for key in keys:
        value = getattr(values, key)
        if isinstance(value, tuple):
            require(len(value) >= 1 and min(value) >= low, where,
                    f"[{section}] {key} must be one or more values >= {low}, got {list(value)}")  # fmt: skip
        else:
            require(value >= low, where, f"[{section}] {key} must be >= {low}, got {value}")
