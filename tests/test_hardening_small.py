"""Issue 24, causes 10 and 11: an unknown --column field is refused, dask runs report a failed partition in one
line without the worker's traceback and keep the rows-left-out list in step with the output, and Keras is
recent enough that its safe mode holds."""

import os
import stat
import tomllib
from importlib.metadata import version

from astropy.table import Table
from conftest import REPO


def test_classify_refuses_an_unknown_column_field(cli, tmp_path):
    Table({"u": [18.0], "g": [17.0], "r": [16.5], "i": [16.3], "z": [16.2], "redshift": [0.0],
           "TEFF": [5800.0]}).write(tmp_path / "s.csv")  # fmt: skip
    result = cli("classify", tmp_path / "s.csv", "--column", "teff=TEFF")  # the field is teff_K: was ignored
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and "teff" in lines[0] and "teff_K" in lines[0], result.err


def test_dask_reports_a_broken_partition_without_a_traceback(cli, tmp_path):
    (tmp_path / "in").mkdir()
    Table({"source_id": [1], "teff_gspphot": [5772.0], "radius_gspphot": [1.0]}).write(tmp_path / "in" / "a.parquet")
    (tmp_path / "in" / "b.parquet").write_bytes(b"PAR1 this is not parquet")
    result = cli("predict", "--method", "physics", "--engine", "dask", "--workers", "1", "--input",
                 str(tmp_path / "in" / "*.parquet"), "--output", tmp_path / "out")  # fmt: skip
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert result.err.strip().splitlines()[-1].startswith("error: 1 of 2 partitions failed")
    assert "b.parquet" in result.err and (tmp_path / "out" / "a.parquet").is_file()


def test_dask_rejected_list_belongs_to_the_output(cli, tmp_path):
    (tmp_path / "in").mkdir()
    Table({"source_id": [1, 2], "teff_gspphot": [5772.0, -1.0], "radius_gspphot": [1.0, 1.0]}).write(
        tmp_path / "in" / "a.parquet"
    )
    (tmp_path / "out").mkdir()
    args = ["predict", "--method", "physics", "--engine", "dask", "--workers", "1", "--on-error", "skip", "--input",
            str(tmp_path / "in" / "*.parquet"), "--output", tmp_path / "out"]  # fmt: skip
    old = os.umask(0o022)
    try:
        assert cli(*args).code == 0
    finally:
        os.umask(old)
    assert list(Table.read(tmp_path / "out" / "a.rejected.csv")["row"]) == [2]
    assert stat.S_IMODE((tmp_path / "out" / "a.parquet").stat().st_mode) == 0o644  # not mkstemp's 0o600
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left behind


def test_keras_floor_closes_the_published_safe_mode_bypasses():
    networks = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["nn"]
    assert "keras>=3.14" in networks
    major, minor = (int(part) for part in version("keras").split(".")[:2])
    assert (major, minor) >= (3, 14)


def test_classify_dask_on_files_that_are_not_parquet_says_so(cli, tmp_path):
    (tmp_path / "stars.csv").write_text("u,g,r,i,z,redshift\n18,17,16.5,16.3,16.2,0\n")
    result = cli("classify", str(tmp_path / "*.csv"), "--engine", "dask", "--output", tmp_path / "out")
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and "not Parquet: stars.csv" in lines[0], result.err


def test_a_smaller_catalogue_replaces_the_partitions_of_a_larger_one(cli, tmp_path):
    assert cli("data", "catalogue", "--rows", "10", "--partitions", "2", "--output", tmp_path / "c").code == 0
    assert cli("data", "catalogue", "--rows", "10", "--partitions", "1", "--output", tmp_path / "c").code == 0
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["part-00000.parquet"]  # not part-00001 as well
