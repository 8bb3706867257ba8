"""'-' as an input path: standard input, saved once to a temporary CSV file (removed at exit), so every reader
reads it as it reads a file, as often as it needs to (a figure reads the members again)."""

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

STDIN = "-"
_saved: list = []  # (the stream read, the file it went to): read once per stream


def resolve(path: str | Path) -> Path:
    """``path``, or for '-' the file holding standard input."""
    if str(path) != STDIN:
        return Path(path)
    if not _saved or _saved[0][0] is not sys.stdin:
        folder = tempfile.mkdtemp(prefix="stellarnn-stdin-")
        atexit.register(shutil.rmtree, folder, True)
        saved = Path(folder) / "stdin.csv"
        saved.write_bytes(sys.stdin.buffer.read())
        _saved[:] = [(sys.stdin, saved)]
    return _saved[0][1]
