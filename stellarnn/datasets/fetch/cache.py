"""The fetch cache: one Parquet file and a JSON manifest per query, built from page files that survive interruption.

Layout under ``$STELLARNN_HOME/data/<service>/``::

    <name>-<key>.parquet          the finished table (only ever renamed into place whole)
    <name>-<key>.manifest.json    service, URL, exact queries, date, rows, SHA-256 of the Parquet file
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

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text())

    def read(self):
        from stellarnn.datasets.tables import read_table

        return read_table(self.table_path)

    def pages(self) -> list[Path]:
        return sorted(self.staging.glob("page-*.parquet")) if self.staging.is_dir() else []

    def write_page(self, index: int, table) -> None:
        from stellarnn.datasets.tables import write_table

        write_table(table, self.staging / f"page-{index:06d}.parquet")

    def read_pages(self) -> list:
        from astropy.table import Table

        return [Table.read(p, format="parquet") for p in self.pages()]

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
    root = home() / "data"
    manifests = sorted(root.glob("*/*.manifest.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [(m.parent / json.loads(m.read_text())["file"], json.loads(m.read_text())) for m in manifests]


def latest(service: str, name: str) -> Path | None:
    """The newest finished download of ``name`` from ``service`` (what ``train --data <service>`` reads)."""
    folder = data_dir(service)
    finished = [
        p for p in folder.glob(f"{name}-*.parquet") if p.with_suffix("").with_suffix(".manifest.json").is_file()
    ]
    return max(finished, key=lambda p: p.stat().st_mtime) if finished else None


def require_latest(service: str, name: str, fetch_command: str, instead: str) -> Path:
    found = latest(service, name)
    if found is None:
        raise UserInputError(f"no {service} download in {data_dir(service)}: run '{fetch_command}' first, or {instead}")
    return found
