"""``--engine dask`` for predict and classify: progress while partitions finish, then what was done."""

from pathlib import Path


def run_partitioned(job, pattern: str, out: Path, scheduler: str | None, workers: int | None, note=None) -> None:
    """Run the job; a failed partition is listed with its reason and the command ends with exit code 2."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from stellarnn.bulk.engine import run
    from stellarnn.cli.render import console
    from stellarnn.errors import UserInputError

    if workers is not None and workers < 1:
        raise UserInputError(f"--workers must be >= 1, got {workers}")
    err = console(stderr=True)
    if note:
        err.print(f"[yellow]note:[/] {note}")
    columns = (
        TextColumn("partitions"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name)

        report = run(job, pattern, out, scheduler, workers, progress)
    if report.skipped:
        err.print(f"{len(report.skipped)} of {report.partitions} partitions were finished before; skipped")
    if report.finished:
        left_out = sum(r["left_out"] for r in report.finished.values())
        rate = report.rows / report.seconds if report.seconds else float("nan")
        err.print(f"{len(report.finished)} partitions, {report.rows:,} rows in {report.seconds:.1f} s on "
                  f"{report.workers} worker(s) ({rate:,.0f} rows/s) -> {out}"
                  + (f"; {left_out:,} rows left out, listed in {out}/*.rejected.csv" if left_out else ""))  # fmt: skip
    for name, reason in report.failed.items():
        err.print(f"[red]failed:[/] {name}: {reason}", highlight=False)
    if report.failed:
        raise UserInputError(f"{len(report.failed)} of {report.partitions} partitions failed (listed above); "
                             "the others are written, and a re-run does only the failed ones")  # fmt: skip
