"""A million-row Gaia fetch from a local TAP server (async jobs), stopped by a server failure after 4 of 10 pages
and resumed: wall time, rows per second and the client's peak memory. The server runs in its own process (as a
real archive would), so the client's numbers are its own. Checks that the resumed table holds every expected
row exactly once."""

import argparse
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import write_result

TESTS = Path(__file__).resolve().parents[1] / "tests"
SEED = 1


def serve(stars: int, port: int, plan: list[str], serialization: str, ready) -> None:
    """Run a local Gaia archive until terminated."""
    sys.path.insert(0, str(TESTS))
    from fake_archives import Archive, FakeServer
    from test_fetch import gaia_tables

    archive = Archive(gaia_tables(stars, seed=SEED))
    archive.plan = list(plan)
    archive.serialization = serialization
    with FakeServer(archive, port):
        ready.set()
        while True:
            time.sleep(3600)


def start_server(stars: int, port: int, plan: list[str], serialization: str):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=serve, args=(stars, port, plan, serialization, ready), daemon=True)
    process.start()
    if not ready.wait(600):
        raise RuntimeError("the local archive did not start")
    return process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=100_000)
    parser.add_argument("--serialization", choices=["tabledata", "binary2"], default="binary2")
    args = parser.parse_args()
    stars = int(args.rows * 1.25)  # the quality cuts keep about 81 %
    port = free_port()
    with tempfile.TemporaryDirectory() as home:
        os.environ["STELLARNN_HOME"] = home
        from stellarnn.datasets.fetch import gaia
        from stellarnn.datasets.fetch.catalogue import fetch_by_tap
        from stellarnn.datasets.fetch.network import FetchError, Network

        request = gaia.request(args.rows, args.page_size, url=f"http://127.0.0.1:{port}/tap")
        network = Network(timeout_s=600, retries=0)
        server = start_server(stars, port, ["ok"] * 4 + ["down"], args.serialization)
        start = time.perf_counter()
        try:
            fetch_by_tap(request, network, "async")
            stopped = "not stopped"
        except FetchError as exc:
            stopped = str(exc)
        first_s = time.perf_counter() - start
        pages_before = len(request.entry.pages())
        server.terminate()
        server.join()
        server = start_server(stars, port, [], args.serialization)
        start = time.perf_counter()
        fetched = fetch_by_tap(request, network, "async")
        resume_s = time.perf_counter() - start
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        server.terminate()
        ids = np.asarray(fetched.table["source_id"])
        parquet_mb = fetched.entry.table_path.stat().st_size / 1e6
    sys.path.insert(0, str(TESTS))
    from test_fetch import expected_gaia, gaia_tables

    complete = bool(np.array_equal(ids, expected_gaia(gaia_tables(stars, seed=SEED), args.rows)))
    write_result(
        "fetch_resume",
        {
            "rows": len(ids),
            "page_size": args.page_size,
            "votable_serialization": args.serialization,
            "stopped_with": stopped.split(": ", 1)[-1],
            "pages_saved_before_failure": pages_before,
            "first_run_s": round(first_s, 1),
            "resumed_run_s": round(resume_s, 1),
            "rows_per_s": round(len(ids) / (first_s + resume_s)),
            "resumed_table_equals_expected_rows": complete,
            "duplicates": int(len(ids) - len(np.unique(ids))),
            "parquet_MB": round(parquet_mb, 1),
            "client_peak_rss_MB": round(peak_rss_mb),
        },
    )


if __name__ == "__main__":
    main()
