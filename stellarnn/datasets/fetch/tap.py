"""ADQL through pyvo's TAP client: synchronous for small pages, asynchronous (UWS jobs) for big ones."""

from collections.abc import Callable

import requests


def runner(url: str, mode: str, session: requests.Session, wait_s: float) -> Callable[[str], object]:
    """A function that runs one ADQL query on the TAP service at ``url`` and returns an astropy Table with units."""
    import pyvo

    service = pyvo.dal.TAPService(url, session=session)

    def run(query: str):
        if mode == "sync":
            result = service.run_sync(query)
        else:
            result = service.run_async(query, timeout=wait_s)
        return result.to_table()

    return run
