"""Fetch against hostile or broken inputs: a server that trickles or floods, non-finite timeouts, a damaged cache
(table, manifest, saved pages), and --where conditions that try to break out of the quality cuts. Every failure
is one 'error:' line and exit code 2."""

import json
import time

import numpy as np
import pytest
from astropy.table import Table
from fake_archives import Archive, FakeServer, TrickleServer
from test_fetch import FAST, cached, gaia_tables, phoenix_files, tap_url

from stellarnn.errors import UserInputError


@pytest.fixture
def gaia_server():
    with FakeServer(Archive(gaia_tables())) as server:
        yield server


def one_error_line(result) -> str:
    assert result.code == 2, result.err
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
    return result.err


def gaia_args(server, *more):
    return ("fetch", "gaia", "--url", tap_url(server), "--limit", 30, "--mode", "sync", *FAST, *more)


def phoenix_args(url):
    grid = ("--teff", 5000, "--logg", 4.5, "--mh", 0, "--wave-min", 5000, "--wave-max", 5100)
    return ("fetch", "phoenix", "--url", url, *grid)


# --- a reply that trickles or never ends ---------------------------------------------------------------------


TRICKLED = {
    "gaia": lambda url: ("fetch", "gaia", "--url", f"{url}/tap", "--limit", 10, "--mode", "sync"),
    "sdss": lambda url: ("fetch", "sdss", "--url", f"{url}/SqlSearch", "--limit", 10),
    "phoenix": lambda url: phoenix_args(f"{url}/phoenix"),
}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("command", TRICKLED)
def test_a_trickling_reply_is_abandoned_at_the_deadline(cli, isolated_home, command, chunked):
    # a byte every 0.05 s never trips the 0.2 s timeout; the reply would take 5 s, the deadline is 4 x 0.2 s
    with TrickleServer(chunked=chunked) as server:
        start = time.monotonic()
        result = cli(*TRICKLED[command](server.url), "--timeout", 0.2, "--retries", 0)
        elapsed = time.monotonic() - start
    assert "still arriving after 0.8 s (4 x --timeout)" in one_error_line(result)
    assert elapsed < 3.0
    assert not list((isolated_home / "data").rglob("*.parquet"))  # no page, no table: nothing kept as complete


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_reply_over_the_size_cap_is_refused_and_nothing_is_kept(cli, gaia_server, isolated_home, mode):
    args = ("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 30, "--mode", mode, *FAST)
    assert "larger than 0.002 MB (--max-mb)" in one_error_line(cli(*args, "--max-mb", 0.002))
    assert not list((isolated_home / "data").rglob("*.parquet"))
    assert cli(*args, "--max-mb", 1).code == 0  # the same reply under a cap it fits


def test_a_phoenix_file_over_the_size_cap_is_refused(cli, isolated_home):
    with FakeServer(Archive({}, phoenix_files(np.linspace(4000.0, 8000.0, 4001)))) as server:
        result = cli(*phoenix_args(f"{server.url}/phoenix"), *FAST, "--max-mb", 0.01)  # the files are 16 kB
    assert "larger than 0.01 MB" in one_error_line(result)
    assert cached(isolated_home, "phoenix") == []


# --- limits that are not numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--timeout", "--max-mb"])
@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1"])
def test_a_limit_that_is_not_a_finite_positive_number_is_refused(cli, gaia_server, option, value):
    error = one_error_line(cli(*gaia_args(gaia_server), option, value))
    assert f"{option} must be a finite number > 0" in error
    assert gaia_server.archive.queries == []


# --- a damaged cache -------------------------------------------------------------------------------------------


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def replace_with_other_rows(path):
    table = Table.read(path)
    table[:5].write(path, overwrite=True)  # a valid table, but not the one that was fetched


@pytest.mark.parametrize("tamper", [flip_a_byte, replace_with_other_rows])
def test_a_cached_table_that_fails_its_sha256_is_refused_until_refreshed(cli, gaia_server, isolated_home, tamper):
    from stellarnn.datasets.fetch.cache import require_latest

    assert cli(*gaia_args(gaia_server)).code == 0
    table_path = next((isolated_home / "data" / "gaia").glob("stars-*.parquet"))
    tamper(table_path)
    asked = len(gaia_server.archive.queries)
    error = one_error_line(cli(*gaia_args(gaia_server)))
    assert "does not match the SHA-256" in error and "--refresh" in error
    assert "from the cache" not in error and len(gaia_server.archive.queries) == asked
    with pytest.raises(UserInputError, match="does not match the SHA-256"):  # what train --data gaia reads
        require_latest("gaia", "stars", "stellarnn fetch gaia", "use --data builtin")
    refreshed = cli(*gaia_args(gaia_server, "--refresh"))
    assert refreshed.code == 0, refreshed.err
    again = cli(*gaia_args(gaia_server))
    assert again.code == 0 and "from the cache" in again.err and len(Table.read(table_path)) == 30


BAD_MANIFESTS = {
    "truncated": b'{"service": "gaia", "rows": ',
    "not utf-8": b"\xff\xfe\x00",
    "a list": b"[]",
    "empty object": b"{}",
    "wrong types": json.dumps(
        {"service": "gaia", "file": 3, "rows": "30", "sha256": None, "fetched": "2026-01-01"}
    ).encode(),
}


@pytest.mark.parametrize("content", BAD_MANIFESTS.values(), ids=BAD_MANIFESTS)
def test_a_bad_manifest_is_one_line_everywhere_and_refresh_replaces_it(cli, gaia_server, isolated_home, content):
    assert cli(*gaia_args(gaia_server)).code == 0
    manifest_path = next((isolated_home / "data" / "gaia").glob("*.manifest.json"))
    manifest_path.write_bytes(content)
    for args in (gaia_args(gaia_server), ("fetch", "list")):
        error = one_error_line(cli(*args))
        assert str(manifest_path) in error and "--refresh" in error
    assert cli(*gaia_args(gaia_server, "--refresh")).code == 0
    assert json.loads(manifest_path.read_text())["rows"] == 30
    assert cli("fetch", "list").code == 0


def test_a_damaged_saved_page_blames_the_cache_and_suggests_refresh(cli, gaia_server, isolated_home):
    args = gaia_args(gaia_server, "--page-size", 10)
    gaia_server.archive.plan = ["ok", "down"]
    assert cli(*args).code == 2  # one page saved, then the archive went down
    page = next((isolated_home / "data" / "gaia" / ".partial").glob("*/page-*.parquet"))
    page.write_bytes(page.read_bytes()[:100])  # cut short, as a full disk might leave it
    gaia_server.archive.plan = []
    error = one_error_line(cli(*args))
    assert "cached copy may be corrupt" in error and "stellarnn fetch gaia" in error and "--refresh" in error
    assert "cannot fetch from the Gaia archive" not in error
    assert cli(*args, "--refresh").code == 0


def test_a_damaged_saved_phoenix_page_suggests_refresh(cli, isolated_home):
    with FakeServer(Archive({}, phoenix_files(np.linspace(4000.0, 8000.0, 4001)))) as server:
        args = (*phoenix_args(f"{server.url}/phoenix"), *FAST)
        server.archive.plan = ["ok", "down"]
        assert cli(*args).code == 2
        page = next((isolated_home / "data" / "phoenix" / ".partial").glob("*/page-*.parquet"))
        page.write_bytes(b"not parquet at all")
        server.archive.plan = []
        error = one_error_line(cli(*args))
        assert "cached copy may be corrupt" in error and "stellarnn fetch phoenix" in error
        assert cli(*args, "--refresh").code == 0


# --- --where cannot escape the quality cuts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ("1=1) OR (1=1", "closes a parenthesis it did not open"),
        ("g.ruwe < 9) OR (1=1", "closes a parenthesis it did not open"),
        ("g.ruwe < 9 -- and the rest", "comments"),
        ("g.ruwe < 9 /* and the rest */", "comments"),
        ("(g.ruwe < 9", "a parenthesis is not closed"),
        ("g.ruwe < 9; SELECT 1", "';' is not allowed"),
        ("g.designation = 'Gaia DR3 1", "quote (') is not closed"),
        ("g.designation = 'x') OR (1=1", "closes a parenthesis it did not open"),
        ("   ", "it is empty"),
    ],
)
def test_a_where_that_could_escape_its_parentheses_is_refused_before_any_request(cli, gaia_server, where, problem):
    error = one_error_line(cli(*gaia_args(gaia_server, "--where", where)))
    assert "--where" in error and problem in error
    assert gaia_server.archive.queries == []


@pytest.mark.parametrize(
    "where",
    [
        "g.phot_g_mean_mag < 12",
        "(g.ruwe < 1.2 OR a.teff_gspphot > 6000) AND g.parallax > 3",
        "g.source_id <> 0 OR g.designation = 'it''s (x) -- /* not code; */'",
    ],
)
def test_a_legitimate_where_is_wrapped_after_the_quality_cuts(cli, gaia_server, where):
    result = cli(*gaia_args(gaia_server, "--where", where, "--dry-run"))
    assert result.code == 0, result.err
    assert f"(a.radius_gspphot IS NOT NULL OR a.lum_flame IS NOT NULL) AND ({where})" in result.out
