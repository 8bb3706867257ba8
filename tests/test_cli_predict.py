"""`stellarnn predict` end to end: one star, files in every format, and every documented error."""

import json

import numpy as np
import pytest
from astropy.table import Table
from conftest import EXAMPLES

from stellarnn.datasets.tables import read_table, write_table


def test_one_star_table(cli):
    result = cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1)
    assert result.code == 0
    assert "G2V" in result.out and "main sequence" in result.out
    assert "4.74" in result.out  # Mbol of the Sun (IAU 2015)


def test_one_star_json_with_two_inputs(cli):
    result = cli("predict", "--teff", 3600, "--radius", 764, "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert payload["scheme"] == "default" and payload["method"] == "physics"
    outputs = payload["outputs"]
    # L = 764^2 (3600/5772.0034)^4 = 88326 L_sun
    assert outputs["lum_Lsun"] == pytest.approx(88326, rel=1e-4)
    assert outputs["luminosity_class"] == "Ia"
    assert outputs["mass_Msun"] is None  # NaN becomes null: no mass-luminosity relation for a supergiant


def test_fusion_scheme_option(cli):
    result = cli("predict", "--teff", 3050, "--lum", 0.00151, "--scheme", "fusion", "--json")
    outputs = json.loads(result.out)["outputs"]
    assert outputs["mk_type"] == "M4D"  # Fusion's table: 2400 + 4*160 <= 3050 K, L <= 0.1 -> "D"
    assert outputs["mbol_mag"] == pytest.approx(4.75 - 2.5 * np.log10(0.00151))


def test_inconsistent_inputs_warn_by_how_much(cli):
    # Arcturus: Teff 4286 K, R 25.4 R_sun imply L = 196.1 L_sun; the catalogue L of 170 is 13.3 % lower.
    result = cli("predict", "--teff", 4286, "--lum", 170, "--radius", 25.4)
    assert result.code == 0
    assert "warning" in result.err and "-13.3%" in result.err


def test_consistent_inputs_do_not_warn(cli):
    assert "warning" not in cli("predict", "--teff", 5772, "--lum", 1, "--radius", 1).err


def test_bolometric_correction_from_mv(cli):
    outputs = json.loads(cli("predict", "--teff", 5772, "--lum", 1, "--mv", 4.83, "--json").out)["outputs"]
    assert outputs["bc_mag"] == pytest.approx(0.09, abs=1e-4)


@pytest.mark.parametrize(
    "args, message",
    [
        (("--teff", -5, "--lum", 1), "teff = -5.0 is outside 100 to 1e+06 K"),
        (("--teff", 0, "--lum", 1), "teff = 0.0 is outside 100 to 1e+06 K"),
        (("--teff", 5000, "--lum", -1), "lum = -1.0 is outside 1e-10 to 1e+09 L_sun"),
        (("--teff", 5000, "--radius", 0), "radius = 0.0 is outside 0.001 to 10000 R_sun"),
        (("--teff", "nan", "--lum", 1), "teff = nan is not a number"),
        (("--teff", "inf", "--lum", 1), "teff = inf is outside 100 to 1e+06 K"),
        (("--teff", 5000), "need at least two of teff, lum, radius (got teff)"),
        (("fusion",), "need at least two of teff, lum, radius (got none)"),
        (("--teff", "hot", "--lum", 1), "Invalid value for '--teff'"),
        (("--teff", 5000, "--lum", 1, "--scheme", "mk"), "Invalid value for '--scheme'"),
        (("--teff", 5000, "--lum", 1, "--tolerance", 0), "--tolerance must be > 0"),
        (("--teff", 5000, "--lum", 1, "--output", "x.csv"), "--output and --column work with --input FILE"),
    ],
)
def test_bad_single_star_input_is_one_line_and_exit_2(cli, args, message):
    result = cli("predict", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.count("\n") == 1 and result.err.startswith("error: ")
    assert "Traceback" not in result.err


def write_stars(path, rows, names=("teff_K", "lum_Lsun", "radius_Rsun")):
    write_table(Table(rows=rows, names=names), path)


@pytest.mark.parametrize("suffix", [".csv", ".ecsv", ".parquet", ".fits", ".vot"])
def test_batch_round_trip_in_every_format(cli, tmp_path, suffix):
    source, target = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    write_stars(source, [(5772.0, 1.0, 1.0), (9602.0, 40.12, np.nan), (25193.0, np.nan, 0.0081)])
    result = cli("predict", "--input", source, "--output", target)
    assert result.code == 0, result.err
    out = read_table(target)
    assert len(out) == 3
    assert list(out["mk_type"]) == ["G2V", "A0V", "D2"]
    assert out["radius_Rsun"][1] == pytest.approx(2.2888, rel=1e-4)  # from Teff and L


def test_gaia_column_names_are_understood(cli, tmp_path):
    source = tmp_path / "gaia.csv"
    write_stars(
        source,
        [(4.2e18, 5772.0, 1.0, 1.0), (4.3e18, 3050.0, np.nan, 0.154)],
        names=("source_id", "teff_gspphot", "lum_flame", "radius_gspphot"),
    )
    result = cli("predict", "--input", source, "--output", tmp_path / "out.parquet")
    assert result.code == 0, result.err
    assert "teff <- teff_gspphot" in result.err and "radius <- radius_gspphot" in result.err
    out = Table.read(tmp_path / "out.parquet")
    assert list(out["source_id"]) == [4.2e18, 4.3e18]  # input columns are kept
    assert list(out["star_type"]) == ["main sequence", "red dwarf"]


def test_fusion_column_names_and_column_override(cli, tmp_path):
    source = tmp_path / "fusion.csv"
    write_stars(source, [(5772.0, 1.0, 1.0)], names=("EffectiveTemperature(Teff)(K)", "Luminosity(L/Lo)", "R_mine"))
    result = cli("predict", "-i", source, "--column", "radius=R_mine", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)[0]["mk_type"] == "G2V"


def test_bad_rows_fail_by_default_with_row_numbers(cli, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,lum_Lsun,radius_Rsun\n5772,1,1\n-10,1,\n5000,,\n6000,abc,1\n")
    result = cli("predict", "-i", source, "-o", tmp_path / "out.csv")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "3 of 4 rows cannot be used" in result.err
    assert "row 2: teff_K = -10.0 is outside 100 to 1e+06 K" in result.err
    assert "row 3: fewer than two of Teff, L, R given (missing: lum_Lsun, radius_Rsun)" in result.err
    assert "row 4: lum_Lsun = 'abc' is not a number" in result.err
    assert not (tmp_path / "out.csv").exists()


def test_skip_leaves_bad_rows_out_and_lists_them(cli, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,lum_Lsun,radius_Rsun\n5772,1,1\n-10,1,\n9602,40.12,\n")
    result = cli("predict", "-i", source, "-o", tmp_path / "out.csv", "--on-error", "skip")
    assert result.code == 0
    assert "left out 1 row(s)" in result.err and "row 2: teff_K = -10.0" in result.err
    assert list(Table.read(tmp_path / "out.csv")["teff_K"]) == [5772.0, 9602.0]


def test_many_skipped_rows_are_listed_in_a_report_file(cli, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,lum_Lsun\n" + "5772,1\n" + "-1,1\n" * 25)
    result = cli("predict", "-i", source, "-o", tmp_path / "out.csv", "--on-error", "skip")
    assert result.code == 0 and "and 5 more" in result.err
    report = Table.read(tmp_path / "out.rejected.csv")
    assert list(report["row"]) == list(range(2, 27))


@pytest.mark.parametrize(
    "content, extra, message",
    [
        ("a,b\n1,2\n", (), "need columns for at least two of teff, lum, radius (found: none)"),
        ("teff_K,lum_Lsun\n5772,1\n", ("--column", "radius=R"), "column 'R' (given for radius) is not in the file"),
        ("teff_K,lum_Lsun\n5772,1\n", ("--column", "mass=lum_Lsun"), "unknown field 'mass' in --column"),
        ("teff_K,lum_Lsun\n5772,1\n", ("--column", "teff"), "--column takes FIELD=COLUMN"),
    ],
)
def test_column_errors(cli, tmp_path, content, extra, message):
    source = tmp_path / "stars.csv"
    source.write_text(content)
    result = cli("predict", "-i", source, *extra)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1


def test_unreadable_and_missing_files(cli, tmp_path):
    broken = tmp_path / "broken.fits"
    broken.write_text("this is not FITS")
    result = cli("predict", "-i", broken)
    assert result.code == 2 and "cannot read" in result.err and result.err.count("\n") == 1
    missing = cli("predict", "-i", tmp_path / "nope.csv")
    assert missing.code == 2 and "does not exist" in missing.err
    unknown = cli("predict", "-i", tmp_path / "stars.txt")
    assert unknown.code == 2 and "cannot tell the format" in unknown.err


def test_input_and_single_star_options_are_exclusive(cli):
    result = cli("predict", "-i", EXAMPLES / "famous_stars.csv", "--teff", 5000)
    assert result.code == 2 and "not both" in result.err


def test_famous_stars_example_prints_a_table(cli):
    result = cli("predict", "-i", EXAMPLES / "famous_stars.csv")
    assert result.code == 0
    for expected in ("G2V", "A0V", "D2", "M1.5Ia", "K6III"):
        assert expected in result.out


def test_csv_to_stdout(cli, tmp_path):
    source = tmp_path / "stars.csv"
    source.write_text("teff_K,lum_Lsun\n5772,1\n")
    result = cli("predict", "-i", source, "-o", "-")
    assert result.code == 0
    header, row = result.out.strip().splitlines()
    assert "mk_type" in header.split(",") and "G2V" in row
