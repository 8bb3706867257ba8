"""The fetch cache: one Parquet file and a JSON manifest per query, built from page files that survive interruption.

Layout under ``$STELLARNN_HOME/data/<service>/``::

    <name>-<key>.parquet          the finished table (only ever renamed into place whole)
    <name>-<key>.manifest.json    service, URL, exact queries, date, rows, SHA-256 of the Parquet file (checked on
                                  every read: a table that no longer matches is refused, never served)
    .partial/<name>-<key>/        pages fetched so far; a re-run resumes from here
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stellarnn.errors import UserInputError
from stellarnn.home import home

# What every manifest holds, whatever else its fetcher recorded.
MANIFEST_FIELDS = {"service": str, "file": str, "rows": int, "sha256": str, "fetched": str}


def data_dir(service: str) -> Path:
    return home() / "data" / service


def cache_key(*parts: object) -> str:
    """Short stable hash of everything that decides the table's content."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Entry:
    """One cached download: where its table, manifest and unfinished pages live."""

    service: str
    name: str
    key: str

    @property
    def table_path(self) -> Path:
        return data_dir(self.service) / f"{self.name}-{self.key}.parquet"

    @property
    def manifest_path(self) -> Path:
        return data_dir(self.service) / f"{self.name}-{self.key}.manifest.json"

    @property
    def staging(self) -> Path:
        return data_dir(self.service) / ".partial" / f"{self.name}-{self.key}"

    def is_complete(self) -> bool:
        return self.table_path.is_file() and self.manifest_path.is_file()

    def cached(self):
        """``(table, manifest)`` of the finished download, or None; a copy that fails its checks is refused, never
        served."""
        from stellarnn.datasets.tables import read_table

        if not self.is_complete():
            return None
        manifest = verify(self.table_path)
        return read_table(self.table_path), manifest

    def pages(self) -> list[Path]:
        return sorted(self.staging.glob("page-*.parquet")) if self.staging.is_dir() else []

    def write_page(self, index: int, table) -> None:
        from stellarnn.datasets.tables import write_table

        write_table(table, self.staging / f"page-{index:06d}.parquet")

    def read_pages(self) -> list:
        """The pages saved so far; one that cannot be read is a damaged cache, not a bad reply from the archive."""
        from astropy.table import Table

        pages = []
        for path in self.pages():
            try:
                pages.append(Table.read(path, format="parquet"))
            except Exception as exc:  # astropy and pyarrow raise many types for a damaged file
                raise UserInputError(f"cannot read the saved page {path} ({_reason(exc)}): {_refetch(path)}") from None
        return pages

    def finish(self, table, manifest: dict) -> dict:
        """Write the table, then its manifest (the pair only counts once both exist), then drop the pages."""
        from stellarnn.datasets.tables import write_table

        write_table(table, self.table_path)
        manifest = {
            **manifest,
            "rows": len(table),
            "file": self.table_path.name,
            "sha256": sha256_file(self.table_path),
            "fetched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        write_text_atomic(self.manifest_path, json.dumps(manifest, indent=2) + "\n")
        self.discard_pages()
        return manifest

    def discard_pages(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        parent = self.staging.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()


def finished() -> list[tuple[Path, dict]]:
    """Every finished download under the data home with its manifest, newest first."""
    manifests = sorted((home() / "data").glob("*/*.manifest.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [(_table_of(m), read_manifest(m)) for m in manifests]


def latest(service: str, name: str) -> Path | None:
    """The newest finished download of ``name`` from ``service`` (what ``train --data <service>`` reads)."""
    finished = [p for p in data_dir(service).glob(f"{name}-*.parquet") if _manifest_of(p).is_file()]
    return max(finished, key=lambda p: p.stat().st_mtime) if finished else None


def require_latest(service: str, name: str, fetch_command: str, instead: str) -> Path:
    found = latest(service, name)
    if found is None:
        raise UserInputError(f"no {service} download in {data_dir(service)}: run '{fetch_command}' first, or {instead}")
    verify(found)
    return found


def read_manifest(path: Path) -> dict:
    """A manifest as ``Entry.finish`` writes it; anything else is one line naming the file, never a traceback."""
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:  # ValueError covers bad JSON and bad UTF-8
        raise UserInputError(f"the manifest {path} is unreadable ({_reason(exc)}): {_refetch(path)}") from None
    if not isinstance(manifest, dict) or any(not isinstance(manifest.get(k), t) for k, t in MANIFEST_FIELDS.items()):
        fields = ", ".join(MANIFEST_FIELDS)
        raise UserInputError(f"the manifest {path} is not a fetch manifest (it needs {fields}): {_refetch(path)}")
    return manifest


def verify(table_path: Path) -> dict:
    """The manifest of a cached table, once the table matches its SHA-256: a damaged or altered copy is never read."""
    manifest = read_manifest(_manifest_of(table_path))
    if sha256_file(table_path) != manifest["sha256"]:
        raise UserInputError(f"{table_path} does not match the SHA-256 in its manifest: {_refetch(table_path)}")
    return manifest


def _manifest_of(table_path: Path) -> Path:
    return table_path.with_name(table_path.name.removesuffix(".parquet") + ".manifest.json")


def _table_of(manifest_path: Path) -> Path:
    return manifest_path.with_name(manifest_path.name.removesuffix(".manifest.json") + ".parquet")


def _refetch(path: Path) -> str:
    """What to do about a damaged cache file: fetch it again, which replaces it (the service is the folder name)."""
    service = path.relative_to(home() / "data").parts[0]
    return f"the cached copy may be corrupt; run 'stellarnn fetch {service}' again with the same options and --refresh"


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
