"""Issue 24, cause 9: a bad output path is one error line before any work: a folder, an unknown suffix, a
missing or unwritable folder, a figure that is not an image. Each command below would otherwise first load a
model, simulate or train (none is trained here, so a late check would fail with a different message)."""

import os

import pytest
from astropy.table import Table


@pytest.fixture
def stars(tmp_path):
    path = tmp_path / "stars.csv"
    Table({"teff_K": [5772.0], "lum_Lsun": [1.0]}).write(path)
    return path


def _refused(result, *words):
    lines = result.err.strip().splitlines()
    assert result.code == 2 and len(lines) == 1 and lines[0].startswith("error:"), result.err
    for word in words:
        assert word in lines[0], lines[0]


def test_output_that_is_a_folder(cli, stars, tmp_path):
    _refused(cli("predict", "--input", stars, "--output", tmp_path), "folder")
    _refused(cli("classify", stars, "--output", tmp_path), "folder")


def test_output_with_an_unknown_suffix(cli, stars, tmp_path):
    _refused(cli("predict", "--input", stars, "--output", tmp_path / "out.txt"), "format")
    _refused(cli("data", "population", "--n", "100", "--output", tmp_path / "pop.xlsx"), "format")
    _refused(cli("data", "sdss", "--n", "100", "--output", tmp_path / "s.docx"), "format")
    _refused(cli("data", "clusters", "--output", tmp_path / "c.txt"), "format")


def test_output_below_a_file(cli, stars, tmp_path):
    _refused(cli("predict", "--input", stars, "--output", stars / "sub" / "out.csv"), "is a file")
    _refused(cli("data", "catalogue", "--rows", "10", "--output", stars), "is a file")
    _refused(cli("evaluate", "cluster", "--data", "builtin", "--output", stars), "is a file")
    _refused(cli("train", "hr", "--output", stars), "is a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_output_in_a_read_only_folder(cli, stars, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        _refused(cli("predict", "--input", stars, "--output", locked / "out.csv"), "permission")
    finally:
        locked.chmod(0o700)


def test_figure_that_is_not_an_image(cli, stars, tmp_path):
    members = tmp_path / "members.csv"
    Table({"phot_g_mean_mag": [12.0], "bp_rp": [0.8], "parallax": [2.4]}).write(members)
    _refused(cli("predict", "cluster", members, "--figure", tmp_path / "cmd.csv"), "--figure", "image")
    _refused(cli("data", "hrd", "--population", stars, "--output", tmp_path / "hrd.parquet"), "--output", "image")


def test_a_missing_folder_is_made(cli, stars, tmp_path):
    result = cli("predict", "--method", "physics", "--input", stars, "--output", tmp_path / "new" / "deep" / "o.csv")
    assert result.code == 0, result.err
    assert (tmp_path / "new" / "deep" / "o.csv").is_file()
