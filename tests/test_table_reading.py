"""Input tables that cannot be read as they are: repeated headers, directories, pipes, files without permission."""

import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from astropy.io import fits
from astropy.table import Table

from stellarnn.errors import UserInputError


def csv_file(path):
    path.write_text("teff_K,lum_Lsun,teff_K\n5772,1,6000\n")


def ecsv_file(path):
    path.write_text(
        "# %ECSV 1.0\n# ---\n# datatype:\n# - {name: teff_K, datatype: float64}\n"
        "# - {name: lum_Lsun, datatype: float64}\n# - {name: teff_K, datatype: float64}\n# schema: astropy-2.0\n"
        "teff_K lum_Lsun teff_K\n5772 1 6000\n"
    )


def fits_file(path):
    columns = [
        fits.Column(name=name, format="D", array=np.array([v])) for name, v in (("teff_K", 5772.0), ("lum_Lsun", 1.0))
    ]
    fits.BinTableHDU.from_columns(columns).writeto(path)
    with fits.open(path, mode="update") as hdus:
        hdus[1].header["TTYPE2"] = "teff_K"


def votable_file(path):
    path.write_text(
        '<?xml version="1.0"?><VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>'
        '<FIELD name="teff_K" datatype="double"/><FIELD name="lum_Lsun" datatype="double"/>'
        '<FIELD name="teff_K" datatype="double"/><DATA><TABLEDATA><TR><TD>5772</TD><TD>1</TD><TD>6000</TD></TR>'
        "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>"
    )


def parquet_file(path):
    pq.write_table(
        pa.table([pa.array([5772.0]), pa.array([1.0]), pa.array([6000.0])], names=["teff_K", "lum_Lsun", "teff_K"]),
        path,
    )


@pytest.mark.parametrize(
    "suffix, write",
    [
        (".csv", csv_file),
        (".ecsv", ecsv_file),
        (".fits", fits_file),
        (".vot", votable_file),
        (".parquet", parquet_file),
    ],
)
def test_repeated_headers_exit_2_naming_them(cli, tmp_path, suffix, write):
    source = tmp_path / f"stars{suffix}"
    write(source)
    result = cli("predict", "--input", source, "--method", "physics")
    assert result.code == 2
    assert result.err.startswith("error: ") and result.err.count("\n") == 1
    assert "more than one column headed 'teff_K'" in result.err


def test_distinct_headers_that_look_renamed_are_read(cli, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,teff_K_1,lum_Lsun\n5772,0,1\n")  # what astropy would make of a repeat, but not one
    result = cli("predict", "--input", source, "--output", tmp_path / "out.csv", "--method", "physics")
    assert result.code == 0, result.err


def test_repeated_headers_in_a_vizier_export(tmp_path):
    from stellarnn.datasets.clusters.members import read_members

    export = tmp_path / "members.tsv"
    export.write_text("Gmag\tBP-RP\tplx\tplx\nmag\tmag\tmas\tmas\n----\t----\t----\t----\n12\t0.8\t2.4\t2.5\n")
    with pytest.raises(UserInputError, match="more than one column headed 'plx'"):
        read_members(export)


@pytest.mark.parametrize("name", ["stars", "stars.csv"])
def test_a_directory_is_said_to_be_one(cli, tmp_path, name):
    (tmp_path / name).mkdir()
    result = cli("predict", "--input", tmp_path / name)
    assert result.code == 2 and result.err.count("\n") == 1
    assert f"input '{tmp_path / name}' is a directory, not a table file" in result.err


def test_a_directory_given_as_member_table(tmp_path):
    from stellarnn.datasets.clusters.members import read_members

    (tmp_path / "members.tsv").mkdir()
    with pytest.raises(UserInputError, match="is a directory"):
        read_members(tmp_path / "members.tsv")


def test_a_named_pipe_is_refused_without_waiting_for_it(cli, tmp_path):
    os.mkfifo(tmp_path / "stars.csv")
    result = cli("predict", "--input", tmp_path / "stars.csv")
    assert result.code == 2 and result.err.count("\n") == 1
    assert "is not a regular file" in result.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its permissions")
def test_a_file_without_read_permission(cli, tmp_path):
    source = tmp_path / "stars.csv"
    Table({"teff_K": [5772.0], "lum_Lsun": [1.0]}).write(source)
    source.chmod(0)
    try:
        result = cli("predict", "--input", source)
    finally:
        source.chmod(0o600)
    assert result.code == 2 and result.err.count("\n") == 1
    assert f"cannot read '{source}': Permission denied" in result.err
