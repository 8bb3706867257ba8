"""Catalogue-scale prediction on Dask: a synthetic Gaia-like catalogue (default 10 million rows in 20 Parquet
partitions) predicted with --method physics and hybrid on a LocalCluster of 1 and of 2 single-threaded
workers; rows/s (Parquet reading and writing included, cluster start-up not) and each worker's peak resident
memory. The same runs on a catalogue a fifth the size show whether peak memory depends on catalogue size
(it should not: a worker holds one partition at a time)."""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import write_result


def peak_memory_mb(client) -> dict:
    """Each worker's peak resident memory (VmHWM). Not ru_maxrss: a spawned worker inherits its parent's."""

    def peak():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
        return float("nan")

    return {str(k): v for k, v in client.run(peak).items()}


def one_run(job, pattern: str, out: Path, workers: int) -> dict:
    from distributed import Client

    from stellarnn.bulk.engine import local_cluster, run

    with local_cluster(workers) as cluster, Client(cluster) as client:
        start = time.perf_counter()
        report = run(job, pattern, out, scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - start
        memory = peak_memory_mb(client)
    shutil.rmtree(out)
    assert not report.failed, report.failed
    rate = report.rows / seconds
    return {"workers": workers, "rows": report.rows, "seconds": seconds, "rows_per_second": rate,
            "rows_per_second_per_worker": rate / workers, "peak_memory_mb_per_worker": memory}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--methods", default="physics,hybrid")
    parser.add_argument("--result", default="bench_dask", help="name of the JSON result")
    args = parser.parse_args()
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-dask-"))
    from stellarnn.bulk.plan import Job
    from stellarnn.datasets.synthetic_catalogue import write_catalogue
    from stellarnn.prediction import choose_method

    work = Path(tempfile.mkdtemp(prefix="stellarnn-dask-bench-"))
    try:
        start = time.perf_counter()
        write_catalogue(work / "big", args.rows, args.partitions, seed=1)
        generation = time.perf_counter() - start
        write_catalogue(work / "small", args.rows // 5, args.partitions // 5 or 1, seed=2)
        methods = args.methods.split(",")
        if "hybrid" in methods and choose_method("auto").name != "hybrid":  # hybrid needs a fusion model
            from stellarnn.models.fusion.system import train

            train(config="fusion-quick", seed=1)
        runs = []
        for name in methods:
            job = Job("predict", name, choose_method(name).model_id)
            for catalogue in ("big", "small"):
                for workers in (1, 2):
                    result = one_run(job, str(work / catalogue / "*.parquet"), work / "out", workers)
                    runs.append({"method": name, "catalogue": catalogue, **result})
                    print(runs[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(args.result, {
        "catalogue_rows": {"big": args.rows, "small": args.rows // 5},
        "partitions": {"big": args.partitions, "small": args.partitions // 5 or 1},
        "generation_seconds": generation,
        "targets": {"physics_rows_per_second_per_worker": 1_000_000, "hybrid_rows_per_second_per_worker": 50_000},
        "runs": runs,
    })  # fmt: skip


if __name__ == "__main__":
    main()
