"""Keyset paging: ask for the next ``page_size`` rows ordered by a unique key, after the last key already held.

Each page is saved before the next is asked for, so an interrupted fetch resumes where it stopped, and pages
can neither overlap nor leave gaps (every page starts strictly after the previous page's last key).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stellarnn.datasets.fetch.cache import Entry


@dataclass(frozen=True)
class PagedQuery:
    """``build(top, after)`` gives the exact query text for one page; ``after`` is None for the first page."""

    key: str
    build: Callable[[int, object], str]
    page_size: int
    limit: int | None

    def first_query(self) -> str:
        return self.build(self._top(0), None)

    def _top(self, held: int) -> int:
        return self.page_size if self.limit is None else min(self.page_size, self.limit - held)


def _last_key(table, key: str):
    value = table[key][-1]
    return value.item() if isinstance(value, np.generic) else value


def fetch_pages(
    paged: PagedQuery, entry: Entry, run: Callable[[str], object], progress: Callable[[int, int | None], None]
) -> tuple[list, list[str]]:
    """All pages (resuming from ``entry``'s saved pages) and the exact query text of each, in order."""
    pages = entry.read_pages()
    queries = [p.meta["query"] for p in pages]
    held = sum(len(p) for p in pages)
    done = bool(pages) and (len(pages[-1]) < pages[-1].meta["asked"] or held == paged.limit)
    progress(held, paged.limit)
    while not done:
        top = paged._top(held)
        after = _last_key(pages[-1], paged.key) if pages else None
        query = paged.build(top, after)
        page = run(query)
        page.meta = {"query": query, "asked": top}
        if len(page) and after is not None and not np.all(np.asarray(page[paged.key]) > after):
            raise ValueError(f"the archive returned rows at or before {paged.key} = {after}: paging is not ordered")
        entry.write_page(len(pages), page)
        pages.append(page)
        queries.append(query)
        held += len(page)
        progress(held, paged.limit)
        done = len(page) < top or held == paged.limit
    return pages, queries
