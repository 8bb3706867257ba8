"""Run a job over every unfinished partition on a Dask cluster and report what happened.

By default a LocalCluster on this machine (one single-threaded worker process per core, on 127.0.0.1);
with an address, any running Dask scheduler — so the same command runs on a multi-node cluster started with
dask-jobqueue, Kubernetes or `dask scheduler` / `dask worker`. A partition that fails is reported with its
reason and the others finish.
"""

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from stellarnn.bulk.plan import Job, partitions
from stellarnn.bulk.work import run_partition
from stellarnn.errors import UserInputError
from stellarnn.extras import need

NEEDS = ("dask", "--engine dask")  # the extra, and what needs it


@dataclass
class RunReport:
    partitions: int
    skipped: list[str] = field(default_factory=list)  # finished before this run
    finished: dict[str, dict] = field(default_factory=dict)  # name -> rows, written, left_out, seconds
    failed: dict[str, str] = field(default_factory=dict)  # name -> reason
    seconds: float = 0.0
    workers: int = 0

    @property
    def rows(self) -> int:
        return sum(r["rows"] for r in self.finished.values())


# Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536 to hand freed memory back to the system. Setting it
# also pins glibc's mmap threshold at 128 kB, so every array of a partition is mapped and unmapped afresh:
# the fusion network took 7 s instead of 5 s per 500,000 stars (measured here). Peak memory is set by the
# partition, which these workers hold one at a time.
FAST_ALLOCATION = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def local_cluster(workers: int | None = None):
    """One single-threaded worker process per core (or ``workers``), reachable on 127.0.0.1 only. Their logging
    is silenced: a failed partition is reported once, by name and reason, not with the worker's traceback too."""
    distributed = need("distributed", *NEEDS)  # dask comes with it
    import dask

    with dask.config.set(FAST_ALLOCATION):
        return distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                        processes=True, host="127.0.0.1", dashboard_address=":0",
                                        silence_logs=logging.CRITICAL)  # fmt: skip


def _client(scheduler: str | None, workers: int | None):
    Client = need("distributed", *NEEDS).Client
    if scheduler:
        return Client(scheduler), None
    cluster = local_cluster(workers)
    return Client(cluster), cluster


def run(job: Job, pattern: str, out_dir: Path, scheduler: str | None = None, workers: int | None = None,
        progress=None) -> RunReport:  # fmt: skip
    """``progress(done, total, name)`` is called as partitions finish."""
    as_completed = need("distributed", *NEEDS).as_completed
    start = time.perf_counter()
    parts = partitions(pattern, Path(out_dir), job)
    todo = [p for p in parts if not p.target.is_file()]
    report = RunReport(len(parts), skipped=[p.name for p in parts if p.target.is_file()])
    if not todo:
        return report
    client, cluster = _client(scheduler, workers)
    try:
        report.workers = len(client.scheduler_info()["workers"])
        futures = {client.submit(run_partition, p, job, key=f"stellarnn-{p.name}-{id(report)}", pure=False): p
                   for p in todo}  # fmt: skip
        for done, future in enumerate(as_completed(futures), 1):
            name = futures[future].name
            try:
                report.finished[name] = future.result()
            except Exception as exc:  # the worker's error, reported by name; the rest go on
                text = exc.command_line() if isinstance(exc, UserInputError) else str(exc)
                report.failed[name] = text.splitlines()[0] if text else type(exc).__name__
            if progress:
                progress(done, len(todo), name)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    report.seconds = time.perf_counter() - start
    return report
