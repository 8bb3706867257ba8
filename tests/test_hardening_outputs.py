"""Issue 24, cause 2: an output never destroys an input, the rows-left-out list beside an output always belongs
to it, outputs get the usual file mode, and a terminated run leaves no temporary files."""

import os
import signal
import stat
import subprocess
import sys

import pytest
from astropy.table import Table

STARS = {"teff_K": [5772.0, 9940.0, -5.0], "lum_Lsun": [1.0, 25.4, 1.0], "radius_Rsun": [1.0, 1.711, 1.0]}


def _write(path, columns=None):
    Table(columns or STARS).write(path, overwrite=True)
    return path.read_bytes()


def _refused(result, word):
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:") and word in lines[0], result.err


def test_output_equal_to_the_input_is_refused(cli, tmp_path):
    before = _write(tmp_path / "stars.csv")
    _refused(cli("predict", "--input", tmp_path / "stars.csv", "--output", tmp_path / "stars.csv"), "input")
    _refused(cli("predict", "--input", tmp_path / "stars.csv", "--output", tmp_path / "." / "stars.csv"), "input")
    assert (tmp_path / "stars.csv").read_bytes() == before


def test_output_linked_to_the_input_is_refused(cli, tmp_path):
    before = _write(tmp_path / "stars.csv")
    os.symlink(tmp_path / "stars.csv", tmp_path / "link.csv")
    os.link(tmp_path / "stars.csv", tmp_path / "hard.csv")
    for name in ("link.csv", "hard.csv"):
        _refused(cli("predict", "--input", tmp_path / "stars.csv", "--output", tmp_path / name), "input")
    assert (tmp_path / "stars.csv").read_bytes() == before


def test_a_rejected_list_that_would_replace_the_input_is_refused(cli, tmp_path):
    # out.csv's rows left out go to out.rejected.csv: here that is the input
    before = _write(tmp_path / "out.rejected.csv")
    result = cli("predict", "--on-error", "skip", "--input", tmp_path / "out.rejected.csv", "--output",
                 tmp_path / "out.csv")  # fmt: skip
    _refused(result, "input")
    assert (tmp_path / "out.rejected.csv").read_bytes() == before


def test_the_rejected_list_is_replaced_or_removed(cli, tmp_path):
    _write(tmp_path / "stars.csv")
    stale = tmp_path / "out.rejected.csv"
    stale.write_text("row,reason\n99,from an earlier run\n")
    result = cli("predict", "--on-error", "skip", "--input", tmp_path / "stars.csv", "--output", tmp_path / "out.csv")
    assert result.code == 0, result.err
    listed = Table.read(stale)
    assert list(listed["row"]) == [3] and "teff" in listed["reason"][0]  # this run's bad row, not the stale one
    good = {k: v[:2] for k, v in STARS.items()}
    _write(tmp_path / "stars.csv", good)
    assert cli("predict", "--input", tmp_path / "stars.csv", "--output", tmp_path / "out.csv").code == 0
    assert not stale.exists()  # nothing left out this time: no list from an earlier run beside the output


def test_outputs_have_the_usual_file_mode(cli, tmp_path):
    _write(tmp_path / "stars.csv", {k: v[:2] for k, v in STARS.items()})
    old = os.umask(0o022)
    try:
        assert cli("predict", "--input", tmp_path / "stars.csv", "--output", tmp_path / "out.parquet").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.parquet").stat().st_mode) == 0o644  # mkstemp alone gives 0o600


def test_dask_output_folder_equal_to_the_input_folder_is_refused(cli, tmp_path):
    Table({"source_id": [1], "teff_gspphot": [5772.0], "radius_gspphot": [1.0]}).write(tmp_path / "p0.parquet")
    before = (tmp_path / "p0.parquet").read_bytes()
    result = cli("predict", "--method", "physics", "--engine", "dask", "--input", str(tmp_path / "*.parquet"),
                 "--output", tmp_path)  # fmt: skip
    _refused(result, "p0.parquet")
    assert (tmp_path / "p0.parquet").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path):
    """The process terminates itself in the middle of writing the output; the temporary file must go."""
    _write(tmp_path / "stars.csv", {k: v[:2] for k, v in STARS.items()})
    script = f"""
import os, signal, time
from astropy.table import Table
from stellarnn.cli import main

def write_then_terminate(self, path, **kwargs):
    open(path, "w").write("partial")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)

Table.write = write_then_terminate
main(["predict", "--method", "physics", "--input", {str(tmp_path / "stars.csv")!r}, "--output",
      {str(tmp_path / "out.csv")!r}])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stars.csv"]
