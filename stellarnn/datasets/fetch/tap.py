"""ADQL through pyvo's TAP client: synchronous for small pages, asynchronous (UWS jobs) for big ones."""

import warnings
from collections.abc import Callable

import requests


def runner(url: str, mode: str, session: requests.Session, wait_s: float) -> Callable[[str], object]:
    """A function that runs one ADQL query on the TAP service at ``url`` and returns an astropy Table with units."""
    import pyvo

    service = pyvo.dal.TAPService(url, session=session)

    def run(query: str):
        # Services' VOTables often carry harmless standard-compliance warnings, and a UWS job's far-future
        # destruction date makes ERFA warn about a 'dubious year'; neither says anything about the data.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"astropy\.io\.votable.*")
            warnings.filterwarnings("ignore", message=r".*dubious year.*")
            if mode == "sync":
                result = service.run_sync(query)
            else:
                result = service.run_async(query, timeout=wait_s)
            return result.to_table()

    return run
