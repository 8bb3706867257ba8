"""Input tables that used to be read wrongly or with a traceback: a byte-order mark before the first header,
headers repeated in another case, an array in a cell, member tables with empty cluster ids or impossible values."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from astropy.table import Table

from stellarnn.datasets.clusters.members import NO_CLUSTER, read_members
from stellarnn.errors import UserInputError

BOM = "\ufeff"
ECSV_HEADER = (
    "# %ECSV 1.0\n# ---\n# datatype:\n# - {name: teff, datatype: float64}\n# - {name: lum, datatype: float64}\n"
    "# - {name: radius, datatype: float64}\n# schema: astropy-2.0\nteff lum radius\n"
)


def assert_one_error_line(result, message):
    assert result.code == 2, result.out
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert message in result.err


@pytest.mark.parametrize(
    "name, text",
    [
        ("stars.csv", f"{BOM}teff,lum,radius\n9000,1,1\n"),
        ("stars.ecsv", f"{BOM}{ECSV_HEADER}9000 1 1\n"),
    ],
)
def test_a_byte_order_mark_does_not_hide_the_first_column(cli, tmp_path, name, text):
    """Spreadsheet programs write a BOM before the first header; kept, it made 'teff' an unknown column and the
    star was derived from L and R alone (Teff 5772 K instead of 9000 K)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    result = cli("predict", "--method", "physics", "--input", source, "--output", tmp_path / "out.csv")
    assert result.code == 0, result.err
    out = pd.read_csv(tmp_path / "out.csv")
    assert out.columns[0] == "teff"  # echoed without the mark
    assert out["teff_K"].tolist() == [9000.0]


def test_a_byte_order_mark_before_a_header_without_newline(tmp_path):
    """The text without its mark is handed to astropy, which would take a single line for a file name."""
    from stellarnn.datasets.tables import read_table

    source = tmp_path / "empty.csv"
    source.write_text(f"{BOM}teff,lum,radius", encoding="utf-8")
    assert read_table(source).colnames == ["teff", "lum", "radius"]


def test_headers_repeated_in_another_case_are_refused(cli, tmp_path):
    """Columns are matched regardless of case, so 'teff' and 'TEFF' are two candidates for one quantity and the
    last one used to win silently."""
    source = tmp_path / "stars.csv"
    source.write_text("teff,TEFF,lum\n9000,5000,1\n")
    result = cli("predict", "--method", "physics", "--input", source, "--output", tmp_path / "out.csv")
    assert_one_error_line(result, "more than one column headed 'teff' and 'TEFF'")


def ecsv_vector(path):
    Table({"teff": np.array([[9000.0, 1.0], [8000.0, 1.0]]), "lum": [1.0, 2.0]}).write(path)


def fits_vector(path):
    Table({"teff": np.array([[9000.0, 1.0], [8000.0, 1.0]]), "lum": [1.0, 2.0]}).write(path)


def parquet_list(path):
    pq.write_table(pa.table({"teff": [[9000.0], [8000.0, 1.0]], "lum": [1.0, 2.0]}), path)


@pytest.mark.parametrize("suffix, write", [(".ecsv", ecsv_vector), (".fits", fits_vector), (".parquet", parquet_list)])
def test_an_array_per_row_is_refused(cli, tmp_path, suffix, write):
    """A vector or list column is not one number per star; it used to end in a numpy traceback."""
    source = tmp_path / f"stars{suffix}"
    write(source)
    result = cli("predict", "--method", "physics", "--input", source, "--output", tmp_path / "out.csv")
    assert_one_error_line(result, "column 'teff' holds an array per row; one number per row is needed")


def member_csv(tmp_path, rows, header="cluster,g_mag,bp_rp_mag,parallax_mas,membership_probability"):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("first", ["0", "NGC_2516"])
def test_stars_without_a_cluster_id_are_left_out_not_merged(tmp_path, first):
    """An empty cluster cell used to become cluster '0' (or ''), merging its stars into another cluster."""
    path = member_csv(tmp_path, [f"{first},12,0.5,1.0,0.9", ",13,0.6,1.0,0.9", ",14,0.7,1.0,0.9"])
    stars, left_out = read_members(path)
    assert stars["cluster"].tolist() == [first]
    assert left_out == {NO_CLUSTER: 2}


@pytest.mark.parametrize(
    "row, message",
    [
        ("A,1e300,0.5,1.0,0.9", "row 2: g_mag = 1e+300 is outside -5 to 25 mag"),
        ("A,inf,0.5,1.0,0.9", "row 2: g_mag = inf is outside -5 to 25 mag"),
        ("A,12,9.5,1.0,0.9", "row 2: bp_rp_mag = 9.5 is outside -1 to 8 mag"),
        ("A,12,0.5,2000,0.9", "row 2: parallax_mas = 2000 is outside -100 to 1000 mas"),
        ("A,12,0.5,1.0,1.5", "row 2: membership_probability = 1.5 is outside 0 to 1"),
        ("A,12,0.5,1.0,-0.1", "row 2: membership_probability = -0.1 is outside 0 to 1"),
    ],
)
def test_impossible_member_values_are_refused(tmp_path, row, message):
    """A placeholder or a value in the wrong unit would skew the cluster's CMD features without a word."""
    path = member_csv(tmp_path, ["A,12,0.5,1.0,0.9", row])
    with pytest.raises(UserInputError, match=message.replace("+", r"\+")):
        read_members(path)


def test_range_error_names_the_column_as_the_file_spells_it(tmp_path):
    path = member_csv(tmp_path, ["A,30,0.5,1.0,0.9"], header="Cluster,Gmag,BP-RP,plx,PMemb")
    with pytest.raises(UserInputError, match="row 1: Gmag = 30 is outside -5 to 25 mag"):
        read_members(path)


def test_negative_and_zero_parallaxes_and_missing_probabilities_are_kept(tmp_path):
    """Faint distant stars have measured parallaxes at or below zero; an empty probability is not out of range."""
    path = member_csv(tmp_path, ["A,19,1.2,-0.4,0.9", "A,19.5,1.3,0.0,", "A,12,0.5,1.0,1"])
    stars, left_out = read_members(path)
    assert stars["parallax_mas"].tolist() == [-0.4, 0.0, 1.0] and left_out == {}
    assert np.isnan(stars["membership_probability"][1])
