"""SQL through SDSS SkyServer's SqlSearch web service, which answers in CSV (first line '#Table1')."""

import io
from collections.abc import Callable

import requests

DR18_URL = "https://skyserver.sdss.org/dr18/SkyServerWS/SearchTools/SqlSearch"

# SDSS object ids are unsigned 64-bit integers; read as int64 or float they would overflow or lose digits.
UNSIGNED_ID_COLUMNS = ("specObjID", "objID", "bestObjID")


class MalformedReply(ValueError):
    """SkyServer answered, but not with a table."""


def runner(url: str, session: requests.Session) -> Callable[[str], object]:
    """A function that runs one SQL query and returns an astropy Table (SkyServer's CSV carries no units)."""
    import pandas as pd
    from astropy.table import Table

    def run(sql: str):
        response = session.get(url, params={"cmd": " ".join(sql.split()), "format": "csv"})
        response.raise_for_status()
        lines = response.text.splitlines()
        if not lines or not lines[0].startswith("#Table"):
            first = lines[0][:120] if lines else "an empty reply"
            raise MalformedReply(f"SkyServer did not answer with a CSV table: '{first}'")
        try:
            frame = pd.read_csv(io.StringIO("\n".join(lines[1:])), dtype=dict.fromkeys(UNSIGNED_ID_COLUMNS, "uint64"))
        except Exception as exc:
            raise MalformedReply(f"SkyServer's CSV could not be read: {str(exc).splitlines()[0]}") from None
        return Table.from_pandas(frame)

    return run
