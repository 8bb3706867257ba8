"""Fetch one catalogue table: from the cache if it is there, else page by page from the archive, then cache it."""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from stellarnn.datasets.fetch.cache import Entry, cache_key
from stellarnn.datasets.fetch.network import FetchError, Network, archive_errors
from stellarnn.datasets.fetch.paging import PagedQuery, fetch_pages


@dataclass(frozen=True)
class Column:
    """An archive column and what it becomes in the project's tables."""

    archive: str
    name: str
    unit: str | None = None


@dataclass(frozen=True)
class CatalogueRequest:
    service: str  # cache folder and the name in --data, e.g. "gaia"
    name: str  # table name inside the service, e.g. "stars"
    archive: str  # for people: "the Gaia archive"
    url: str
    paged: PagedQuery
    columns: tuple[Column, ...]
    instead: str  # what to do without network
    notes: dict = field(default_factory=dict)  # cuts etc., recorded in the manifest
    derive: Callable[[object], object] | None = None  # columns computed from the mapped table (e.g. labels)

    @property
    def entry(self) -> Entry:
        key = cache_key(self.service, self.name, self.url, self.paged.first_query(), self.paged.limit)
        return Entry(self.service, self.name, key)


@dataclass(frozen=True)
class Fetched:
    table: object  # astropy Table in the project's column names, with units
    manifest: dict
    entry: Entry
    from_cache: bool


def map_columns(table, columns: tuple[Column, ...]):
    """The archive's columns renamed to the project's, with units; a missing column means a reply we cannot use."""
    import astropy.units as u
    from astropy.table import Table

    by_lower = {name.lower(): name for name in table.colnames}
    missing = [c.archive for c in columns if c.archive.lower() not in by_lower]
    if missing:
        raise FetchError(f"the archive's reply lacks the column(s) {', '.join(missing)}; nothing was cached")
    out = Table()
    for c in columns:
        out.add_column(table[by_lower[c.archive.lower()]], name=c.name, copy=False)
        if c.unit is not None:
            out[c.name].unit = u.Unit(c.unit)
    return out


def fetch_catalogue(
    request: CatalogueRequest,
    run: Callable[[str], object],
    network: Network,
    *,
    refresh: bool = False,
    offline: bool = False,
    progress: Callable[[int, int | None], None] = lambda held, total: None,
) -> Fetched:
    """The cached table when there is one (unless ``refresh``); otherwise fetch, resuming any interrupted run."""
    from astropy.table import vstack

    entry = request.entry
    if refresh:
        entry.discard_pages()
    elif cached := entry.cached():
        return Fetched(*cached, entry, from_cache=True)
    if offline:
        raise FetchError(
            f"this {request.service} query is not in the cache and --offline forbids the network; {request.instead}"
        )
    with archive_errors(request.archive, request.url, network, request.instead):
        pages, queries = fetch_pages(request.paged, entry, run, progress)
    table = vstack([p for p in pages if len(p)] or pages[:1], metadata_conflicts="silent")
    del pages  # a million-row fetch should hold one copy of its rows, not two
    table.meta.clear()
    keys = np.asarray(table[request.paged.key])
    if len(np.unique(keys)) != len(keys):
        entry.discard_pages()
        raise FetchError(f"the archive returned duplicate {request.paged.key} values; the pages were discarded")
    try:
        mapped = map_columns(table, request.columns)
        if request.derive is not None:
            mapped = request.derive(mapped)
    except FetchError:
        entry.discard_pages()
        raise
    manifest = {
        "service": request.service,
        "table": request.name,
        "archive": request.archive,
        "url": request.url,
        "paging": {"key": request.paged.key, "page_size": request.paged.page_size, "limit": request.paged.limit},
        "queries": queries,
        "columns": {c.name: {"archive": c.archive, "unit": c.unit} for c in request.columns},
        **request.notes,
    }
    return Fetched(mapped, entry.finish(mapped, manifest), entry, from_cache=False)


def fetch_by_tap(request: CatalogueRequest, network: Network, mode: str = "async", **options) -> Fetched:
    """``request`` through a TAP service (Gaia archive, VizieR) in ``mode`` 'sync' or 'async'."""
    from stellarnn.datasets.fetch import tap
    from stellarnn.datasets.fetch.network import session

    if mode not in ("sync", "async"):
        raise FetchError(f"--mode must be sync or async, got '{mode}'")
    run = tap.runner(request.url, mode, session(network), wait_s=network.timeout_s)
    return fetch_catalogue(request, run, network, **options)


def fetch_by_skyserver(request: CatalogueRequest, network: Network, **options) -> Fetched:
    """``request`` through SDSS SkyServer's SQL web service."""
    from stellarnn.datasets.fetch import skyserver
    from stellarnn.datasets.fetch.network import session

    return fetch_catalogue(request, skyserver.runner(request.url, session(network)), network, **options)
