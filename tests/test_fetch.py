"""Fetchers against local archives on 127.0.0.1: the real clients (pyvo's TAP, requests for SkyServer and
PHOENIX) talk real HTTP. Paging, retries, timeouts, malformed replies, resume, offline, and a fetched Gaia
table feeding `train fusion` end to end."""

import io
import json

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import MaskedColumn, Table
from conftest import REPO
from fake_archives import Archive, FakeServer

TINY = REPO / "tests" / "data" / "fusion-tiny.toml"
FAST = ("--retries", "0", "--timeout", "5")


def gaia_tables(n=300, seed=0):
    """Stars on a rough main sequence with a few giants; some fail the quality cuts, some lack FLAME L."""
    rng = np.random.default_rng(seed)
    teff = rng.uniform(3600, 9000, n)
    radius = (teff / 5772) ** 0.9 * np.where(rng.random(n) < 0.1, 12.0, 1.0) * rng.lognormal(0, 0.05, n)
    lum = radius**2 * (teff / 5772) ** 4
    source_id = 4_000_000_000_000 + np.arange(n) * 977
    source = Table(
        {
            "source_id": source_id,
            "random_index": rng.permutation(n).astype(np.int64),
            "ra": rng.uniform(0, 360, n),
            "dec": rng.uniform(-90, 90, n),
            "parallax": rng.uniform(2, 20, n),
            "parallax_error": rng.uniform(0.01, 0.1, n),
            "parallax_over_error": np.where(rng.random(n) < 0.1, 5.0, 50.0),
            "ruwe": np.where(rng.random(n) < 0.1, 2.0, 1.0),
            "phot_g_mean_mag": rng.uniform(8, 16, n),
            "phot_bp_mean_mag": rng.uniform(8, 16, n),
            "phot_rp_mean_mag": rng.uniform(8, 16, n),
            "bp_rp": rng.uniform(0, 2.5, n),
        },
        units={"ra": "deg", "dec": "deg", "parallax": "mas", "phot_g_mean_mag": "mag"},
    )
    no_flame = rng.random(n) < 0.3
    params = Table(
        {
            "source_id": source_id,
            "teff_gspphot": teff,
            "logg_gspphot": 4.44 + np.log10(np.where(radius > 5, 1.5, 1.0) / radius**2),
            "mh_gspphot": rng.normal(-0.1, 0.3, n),
            "radius_gspphot": radius,
            "mg_gspphot": 4.67 - 2.5 * np.log10(lum),
            "ag_gspphot": rng.uniform(0, 0.5, n),
            "lum_flame": MaskedColumn(lum, mask=no_flame),
            "radius_flame": MaskedColumn(radius, mask=no_flame),
            "mass_flame": MaskedColumn(np.ones(n), mask=no_flame),
            "age_flame": MaskedColumn(np.full(n, 4.0), mask=no_flame),
        },
        units={"teff_gspphot": "K", "radius_gspphot": "solRad", "lum_flame": "solLum"},
    )
    return {"gaiadr3.gaia_source": source, "gaiadr3.astrophysical_parameters": params}


def expected_gaia(tables, limit):
    """The rows the cuts keep, in random_index order: what a complete fetch must hold, no more, no fewer."""
    g = tables["gaiadr3.gaia_source"]
    keep = (g["parallax_over_error"] > 10) & (g["ruwe"] < 1.4)
    order = np.argsort(g["random_index"][keep])
    return np.asarray(g["source_id"][keep][order][:limit])


@pytest.fixture
def gaia_server():
    tables = gaia_tables()
    with FakeServer(Archive(tables)) as server:
        server.tables = tables
        yield server


def tap_url(server):
    return f"{server.url}/tap"


def cached(home, service):
    folder = home / "data" / service
    return sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []


# --- Gaia: TAP sync and async with paging ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_gaia_pages_by_random_index_without_gaps_or_duplicates(cli, gaia_server, isolated_home, mode):
    result = cli(
        "fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 120, "--page-size", 50, "--mode", mode, *FAST
    )
    assert result.code == 0, result.err
    table = Table.read(next((isolated_home / "data" / "gaia").glob("stars-*.parquet")))
    assert list(table["source_id"]) == list(expected_gaia(gaia_server.tables, 120))
    queries = gaia_server.archive.queries
    assert [q.split()[2] for q in queries] == ["50", "50", "20"]  # TOP of each page
    assert "random_index >" not in queries[0] and "g.random_index > " in queries[1]
    assert table["teff_gspphot"].unit == "K" and table["radius_gspphot"].unit == "solRad"
    assert np.ma.count_masked(table["lum_flame"]) > 0  # missing FLAME values stay missing, rows stay


def test_manifest_records_exact_queries_and_checksum_and_rerun_hits_the_cache(cli, gaia_server, isolated_home):
    args = ("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 60, "--page-size", 25, *FAST)
    assert cli(*args).code == 0
    manifest_path = next((isolated_home / "data" / "gaia").glob("*.manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    assert manifest["queries"] == gaia_server.archive.queries
    assert manifest["rows"] == 60 and manifest["service"] == "gaia"
    import hashlib

    parquet = manifest_path.parent / manifest["file"]
    assert manifest["sha256"] == hashlib.sha256(parquet.read_bytes()).hexdigest()
    asked = len(gaia_server.archive.queries)
    again = cli(*args)
    assert again.code == 0 and "from the cache" in again.err
    assert len(gaia_server.archive.queries) == asked
    assert cli(*args, "--refresh").code == 0 and len(gaia_server.archive.queries) == 2 * asked
    listed = cli("fetch", "list")
    assert listed.code == 0 and "gaia" in listed.out and manifest["file"] in listed.out


def test_dry_run_shows_the_exact_adql_and_asks_nothing(cli, gaia_server):
    result = cli(
        "fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 10, "--where", "g.phot_g_mean_mag < 12", "--dry-run"
    )
    assert result.code == 0
    assert "SELECT TOP 10 g.source_id" in result.out and "g.ruwe < 1.4" in result.out
    assert "(g.phot_g_mean_mag < 12)" in result.out and "ORDER BY g.random_index" in result.out
    assert gaia_server.archive.queries == []


def test_server_error_then_success_is_retried(cli, gaia_server, isolated_home):
    gaia_server.archive.plan = ["error", "error"]
    result = cli("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 30, "--mode", "sync", "--retries", "3")
    assert result.code == 0, result.err
    assert len(Table.read(next((isolated_home / "data" / "gaia").glob("*.parquet")))) == 30


def test_persistent_server_error_is_one_line_and_exit_2(cli, gaia_server, isolated_home):
    gaia_server.archive.plan = ["down"]
    result = cli("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 30, "--mode", "sync", "--retries", "1")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "HTTP 500" in result.err
    assert not any(name.endswith(".parquet") for name in cached(isolated_home, "gaia"))


def test_timeout_is_one_line_and_exit_2(cli, gaia_server, isolated_home):
    gaia_server.archive.slow_s = 2.0
    gaia_server.archive.plan = ["slow"] * 4
    result = cli(
        "fetch",
        "gaia",
        "--url",
        tap_url(gaia_server),
        "--limit",
        30,
        "--mode",
        "sync",
        "--timeout",
        "0.3",
        "--retries",
        "1",
    )
    assert result.code == 2
    assert result.err.count("\n") == 1 and "no answer within 0.3 s" in result.err


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_malformed_payload_is_a_clear_error_and_nothing_is_cached(cli, gaia_server, isolated_home, mode):
    gaia_server.archive.plan = ["garbage"]
    result = cli("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 30, "--mode", mode, *FAST)
    assert result.code == 2 and result.err.count("\n") == 1
    assert result.err.startswith("error: cannot fetch from the Gaia archive")
    assert cached(isolated_home, "gaia") == []


def test_interrupted_fetch_resumes_without_duplicate_or_missing_rows(cli, gaia_server, isolated_home):
    args = ("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 200, "--page-size", 50, "--mode", "sync", *FAST)
    gaia_server.archive.plan = ["ok", "ok", "down"]
    assert cli(*args).code == 2
    partial = list((isolated_home / "data" / "gaia" / ".partial").glob("*/page-*.parquet"))
    assert len(partial) == 2 and not any(n.endswith(".parquet") for n in cached(isolated_home, "gaia"))
    gaia_server.archive.plan = []
    first_run = len(gaia_server.archive.queries)
    assert cli(*args).code == 0
    resumed = gaia_server.archive.queries[first_run:]
    assert len(resumed) == 2 and "g.random_index > " in resumed[0]  # pages 3 and 4 only
    table = Table.read(next((isolated_home / "data" / "gaia").glob("stars-*.parquet")))
    assert list(table["source_id"]) == list(expected_gaia(gaia_server.tables, 200))
    assert not (isolated_home / "data" / "gaia" / ".partial").exists()


def test_no_network_names_the_builtin_alternative(cli, isolated_home):
    result = cli("fetch", "gaia", "--url", "http://127.0.0.1:9/tap", "--limit", 10, *FAST)
    assert result.code == 2 and result.err.count("\n") == 1
    assert "no connection" in result.err and "stellarnn train fusion --data builtin" in result.err


def test_offline_uses_the_cache_only(cli, gaia_server):
    args = ("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 20, *FAST)
    missing = cli(*args, "--offline")
    assert missing.code == 2 and "--offline" in missing.err and "--data builtin" in missing.err
    assert gaia_server.archive.queries == []
    assert cli(*args).code == 0
    asked = len(gaia_server.archive.queries)
    assert cli(*args, "--offline").code == 0 and len(gaia_server.archive.queries) == asked


def test_bad_where_is_refused_before_any_request(cli, gaia_server):
    result = cli("fetch", "gaia", "--url", tap_url(gaia_server), "--where", "1=1; DROP TABLE x")
    assert result.code == 2 and "--where" in result.err and gaia_server.archive.queries == []


def test_fetched_gaia_table_trains_fusion_end_to_end(cli, gaia_server, isolated_home):
    assert cli("fetch", "gaia", "--url", tap_url(gaia_server), "--limit", 250, "--page-size", 100, *FAST).code == 0
    result = cli("train", "fusion", "--data", "gaia", "--config", TINY, "--epochs", 2)
    assert result.code == 0, result.err
    cards = list((isolated_home / "models").glob("*/card.json"))
    card = json.loads(cards[0].read_text())
    assert "data/gaia/stars-" in card["data"]["file"]


def test_train_with_gaia_but_nothing_fetched_says_what_to_run(cli):
    result = cli("train", "fusion", "--data", "gaia", "--config", TINY)
    assert result.code == 2 and "stellarnn fetch gaia" in result.err and "--data builtin" in result.err


# --- SDSS: SkyServer SQL, CSV ---------------------------------------------------------------------------------


def sdss_tables():
    ids = np.array([1_000_000_000_000 + 13 * i for i in range(40)], dtype=np.int64)
    subclasses = ["G2", "K3III", "M2V", "A0", "F5", "OB", "WD", "CV", "B6", "O8"] * 4
    spec = Table(
        {
            "specObjID": ids,
            "bestObjID": ids + 7,
            "ra": np.linspace(0, 10, 40),
            "dec": np.linspace(-5, 5, 40),
            "z": np.full(40, 1e-4),
            "zErr": np.full(40, 1e-5),
            "class": ["STAR"] * 38 + ["QSO", "GALAXY"],
            "subClass": subclasses,
            "zWarning": [0] * 30 + [4] * 5 + [0] * 5,
        }
    )
    photo = Table(
        {
            "objID": ids + 7,
            **{b: np.full(40, 17.0) for b in "ugriz"},
            **{f"err_{b}": np.full(40, 0.02) for b in "ugriz"},
            "mode": [1] * 40,
            "clean": [1] * 40,
        }
    )
    spp = Table(
        {
            "specObjID": ids,
            "TEFFADOP": np.where(np.arange(40) == 3, -9999.0, 5800.0),
            "TEFFADOPUNC": np.full(40, 80.0),
            "LOGGADOP": np.full(40, 4.4),
            "LOGGADOPUNC": np.full(40, 0.1),
            "FEHADOP": np.full(40, -0.2),
            "FEHADOPUNC": np.full(40, 0.1),
        }
    )
    return {"SpecObj": spec, "PhotoObj": photo, "sppParams": spp}


def test_sdss_pages_by_specobjid_and_labels_obafgkm(cli, isolated_home):
    with FakeServer(Archive(sdss_tables())) as server:
        url = f"{server.url}/dr18/SkyServerWS/SearchTools/SqlSearch"
        result = cli("fetch", "sdss", "--url", url, "--limit", 1000, "--page-size", 10, *FAST)
        assert result.code == 0, result.err
        assert len(server.archive.queries) == 4 and "s.specObjID > " in server.archive.queries[1]
    table = Table.read(next((isolated_home / "data" / "sdss").glob("stars-*.parquet")))
    # 40 spectra: 2 are not stars, 5 have zWarning, 1 lacks an SSPP Teff -> 32 rows, in specObjID order
    assert len(table) == 32 and np.all(np.diff(table["spec_obj_id"].astype(np.int64)) > 0)
    labels = dict(zip(table["subclass"], table["spectral_class"], strict=False))
    assert labels["G2"] == "G" and labels["K3III"] == "K" and labels["OB"] == "O" and labels["WD"] == ""
    assert table["teff_K"].unit == "K" and table["u_mag"].unit == "mag"


def test_sdss_error_page_instead_of_csv_is_refused(cli, isolated_home):
    with FakeServer(Archive(sdss_tables())) as server:
        server.archive.plan = ["garbage"]
        url = f"{server.url}/dr18/SkyServerWS/SearchTools/SqlSearch"
        result = cli("fetch", "sdss", "--url", url, "--limit", 10, *FAST)
    assert result.code == 2 and "did not answer with a CSV table" in result.err
    assert cached(isolated_home, "sdss") == []


# --- VizieR: Cantat-Gaudin 2020 ------------------------------------------------------------------------------


def cluster_tables():
    clusters = Table(
        {
            "Cluster": ["Alessi_1", "NGC_2509", "NGC_2516"],
            "RA_ICRS": [13.3, 120.7, 119.5],
            "DE_ICRS": [49.5, -19.1, -60.8],
            "GLON": [123.3, 237.8, 273.8],
            "GLAT": [-13.3, 5.8, -15.9],
            "r50": [0.3, 0.05, 0.6],
            "nbstars07": [60, 200, 600],
            "plx": [1.4, 0.3, 2.4],
            "AgeNN": [9.16, 9.08, 8.38],
            "AVNN": [0.33, 0.17, 0.33],
            "DMNN": [9.25, 11.9, 8.08],
            "DistPc": [710.0, 2400.0, 413.0],
        }
    )
    n = 90
    members = Table(
        {
            "Source": 5_000_000_000 + np.arange(n) * 31,
            "Cluster": ["NGC_2509"] * 30 + ["NGC_2516"] * 40 + ["Alessi_1"] * 20,
            "RA_ICRS": np.zeros(n),
            "DE_ICRS": np.zeros(n),
            "plx": np.full(n, 1.0),
            "Gmag": np.linspace(9, 18, n),
            "BP-RP": np.linspace(0.2, 2.0, n),
            "proba": np.full(n, 0.9),
        },
        units={"Gmag": "mag"},
    )
    return {"J/A+A/640/A1/table1": clusters, "J/A+A/640/A1/nodup": members}


def test_clusters_table_and_members_of_one_cluster(cli, isolated_home):
    with FakeServer(Archive(cluster_tables())) as server:
        result = cli(
            "fetch",
            "clusters",
            "--url",
            f"{server.url}/TAPVizieR/tap",
            "--cluster",
            "NGC 2509",
            "--page-size",
            2,
            *FAST,
        )
        assert result.code == 0, result.err
        assert any("\"Cluster\" > 'NGC_2509'" in q for q in server.archive.queries)  # clusters paged by name
    folder = isolated_home / "data" / "clusters"
    clusters = Table.read(next(folder.glob("clusters-*.parquet")))
    assert list(clusters["cluster"]) == ["Alessi_1", "NGC_2509", "NGC_2516"]
    assert clusters["log_age_yr"][1] == pytest.approx(9.08) and clusters["distance_pc"].unit == "pc"
    members = Table.read(next(folder.glob("members_NGC_2509-*.parquet")))
    assert len(members) == 30 and set(members["cluster"]) == {"NGC_2509"}
    assert members["bp_rp_mag"].unit == "mag" and "membership_probability" in members.colnames


def test_all_members_are_fetched_without_a_cluster(cli, isolated_home):
    with FakeServer(Archive(cluster_tables())) as server:
        assert cli("fetch", "clusters", "--url", f"{server.url}/TAPVizieR/tap", "--page-size", 25, *FAST).code == 0
    members = Table.read(next((isolated_home / "data" / "clusters").glob("members-*.parquet")))
    assert len(members) == 90 and len(set(members["source_id"])) == 90


def test_a_cluster_name_that_could_break_the_query_is_refused(cli):
    result = cli("fetch", "clusters", "--url", "http://127.0.0.1:9/tap", "--cluster", "x' OR '1'='1")
    assert result.code == 2 and "is not a cluster name" in result.err


# --- PHOENIX -------------------------------------------------------------------------------------------------


def fits_bytes(data) -> bytes:
    buffer = io.BytesIO()
    fits.PrimaryHDU(np.asarray(data, dtype=np.float32)).writeto(buffer)
    return buffer.getvalue()


def phoenix_files(wave):
    from stellarnn.datasets.fetch.phoenix import LIBRARY, GridPoint

    files = {f"/phoenix/WAVE_{LIBRARY}.fits": fits_bytes(wave)}
    for teff in (5000.0, 5100.0):
        for mh in (-0.5, 0.0):
            if (teff, mh) == (5100.0, -0.5):
                continue  # a hole in the grid, as the real library has
            files[f"/phoenix/{GridPoint(teff, 4.5, mh).path()}"] = fits_bytes(wave * 0 + teff + mh)
    return files


def test_phoenix_spectra_are_cut_to_the_window_and_missing_grid_points_recorded(cli, isolated_home):
    wave = np.linspace(4000.0, 8000.0, 4001)
    with FakeServer(Archive({}, phoenix_files(wave))) as server:
        args = (
            "fetch",
            "phoenix",
            "--url",
            f"{server.url}/phoenix",
            "--teff",
            5000,
            "--teff",
            5100,
            "--mh",
            -0.5,
            "--mh",
            0,
            "--logg",
            4.5,
            "--wave-min",
            5000,
            "--wave-max",
            5100,
            *FAST,
        )
        server.archive.plan = ["ok", "ok", "down"]
        assert cli(*args).code == 2  # interrupted after the wavelength file and one spectrum
        server.archive.plan = []
        result = cli(*args)
        assert result.code == 0, result.err
        assert "1 grid points not in the library" in result.err
    table = Table.read(next((isolated_home / "data" / "phoenix").glob("spectra-*.parquet")))
    assert table["wavelength_A"].min() >= 5000 and table["wavelength_A"].max() < 5100 and len(table) == 100
    spectra = table.meta["spectra"]
    assert [(s["teff_K"], s["mh_dex"]) for s in spectra] == [(5000.0, -0.5), (5000.0, 0.0), (5100.0, 0.0)]
    assert np.allclose(table[spectra[2]["column"]], 5100.0)
    manifest = json.loads(next((isolated_home / "data" / "phoenix").glob("*.manifest.json")).read_text())
    assert len(manifest["missing"]) == 1 and "lte05100-4.50-0.5" in manifest["missing"][0]


def test_phoenix_range_outside_the_grid_is_refused(cli):
    result = cli("fetch", "phoenix", "--teff", 20000, "--dry-run")
    assert result.code == 2 and "no PHOENIX grid Teff" in result.err
