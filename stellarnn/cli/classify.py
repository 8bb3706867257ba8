"""``stellarnn classify FILE``: OBAFGKM classes and per-class probabilities for every row of a catalogue."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

SHOWN_ROWS = 20
MAX_LISTED = 5


def _first_partition_columns(pattern: str) -> list[str]:
    """Column names of the first Parquet partition a glob names (the dask run checks the files itself)."""
    import pyarrow.parquet as pq

    from stellarnn.bulk.plan import input_files

    first = input_files(pattern)[0]
    try:
        return pq.read_schema(first).names
    except (OSError, ValueError):  # an unreadable partition is reported by the run itself, with its name
        return []


def classify(
    path: Annotated[
        Path,
        typer.Argument(
            help="Catalogue (.csv .parquet .fits .vot .ecsv; '-' = CSV on stdin); SDSS names work. --engine dask: a "
            "glob of Parquet partitions, quoted."
        ),
    ],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write every row with its class here ('-' = CSV to stdout).")
    ] = None,
    model: Annotated[str | None, typer.Option(help="sdss model id; default: the newest.")] = None,
    on_error: Annotated[
        str, typer.Option(help="Rows with missing or invalid values: fail (reject the file) or skip (list them).")
    ] = "fail",
    column: Annotated[
        list[str] | None, typer.Option(help="Map a feature to a column, e.g. teff_K=TEFF (repeatable).")
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local, or dask: partitions on a Dask cluster into the --output folder, resumable.")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="dask: address of a running scheduler (default: a LocalCluster here).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="dask: LocalCluster workers (default: one per core).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Every row with its class as JSON on stdout.")] = False,
) -> None:
    """Append sdss_class, sdss_p_O ... sdss_p_M (the sdss network's calibrated probabilities) and
    sdss_out_of_domain to every row. Without --model: the newest model trained on real data that can read the
    table's columns, else the newest that can."""

    from stellarnn.cli.render import console, json_records, report_rejected, rows_table
    from stellarnn.datasets.outputs import check_added_columns, check_folder_output, check_table_output, write_rejected
    from stellarnn.datasets.schema import parse_column_overrides
    from stellarnn.datasets.tables import read_table, write_table
    from stellarnn.errors import UserInputError, listed_rows
    from stellarnn.models import domain
    from stellarnn.models.sdss.features import ALIASES
    from stellarnn.models.sdss.system import PREFIX, added_columns, class_columns, trained_on
    from stellarnn.models.sdss.system import classify as run

    if on_error not in ("fail", "skip"):
        raise UserInputError(f"--on-error must be fail or skip, got '{on_error}'")
    if engine not in ("local", "dask"):
        raise UserInputError(f"--engine must be local or dask, got '{engine}'")
    overrides = parse_column_overrides(column or [])
    unknown = [field for field in overrides if field not in ALIASES]
    if unknown:
        raise UserInputError(f"--column {unknown[0]}=...: classify reads the fields {', '.join(ALIASES)}")
    if as_json and output is not None:
        raise UserInputError("--json writes to stdout; give --json or --output, not both")
    if engine == "dask":
        from stellarnn.bulk.plan import Job
        from stellarnn.cli.bulk import run_partitioned
        from stellarnn.models.sdss.system import load

        if output in (None, "-"):
            raise UserInputError("--engine dask writes one file per partition: give --output FOLDER")
        check_folder_output(output)
        # the same model on every worker, even if a newer one lands meanwhile; chosen by the first partition's columns
        model_id = load(model, _first_partition_columns(str(path)), overrides).artifact.id
        job = Job("classify", model_id=model_id, overrides=tuple(overrides.items()), on_error=on_error)
        run_partitioned(job, str(path), Path(output), scheduler, workers)
        return
    if scheduler is not None or workers is not None:
        raise UserInputError("--scheduler and --workers work with --engine dask")
    check_table_output(output, [path])
    table = read_table(path)
    check_added_columns(table.colnames, added_columns(), hint="rename them first")
    probabilities, features, classifier, inside = run(table, model, overrides)
    if features.problems and on_error == "fail":
        listed = listed_rows(features.problems, MAX_LISTED)
        raise UserInputError(f"{len(features.problems)} of {len(table)} rows cannot be classified (--on-error skip "
                             f"leaves them out and lists them): {listed}")  # fmt: skip
    err = console(stderr=True)
    if features.problems:
        report_rejected(features.problems, output, err)
    out = table[features.rows]
    for name, values in class_columns(probabilities, inside).items():
        out[name] = values
    used = ", ".join(f"{f} <- {c}" for f, c in features.columns.items())
    chosen = f"{classifier.feature_set} features, trained on {trained_on(classifier.artifact)}"
    err.print(f"read {len(table):,} rows from {path} ({used}); sdss model {classifier.artifact.id} ({chosen})",
              soft_wrap=True)  # fmt: skip
    outside = domain.warning(int((~inside).sum()), len(out))
    if outside:
        err.print(f"[yellow]warning:[/] {outside.replace(domain.FLAG, PREFIX + domain.FLAG)}")
    if as_json:
        print(json.dumps(json_records(out.to_pandas()), allow_nan=False))
    elif output == "-":
        out.write(sys.stdout, format="ascii.csv")
    elif output is not None:
        write_table(out, output)
        write_rejected(features.problems, output)
        err.print(f"wrote {len(out):,} rows to {output}")
    else:
        out[f"{PREFIX}p_class"] = probabilities.max(axis=1)
        ids = [c for c in ("spec_obj_id", "specObjID", "objid", "objID", "name") if c in out.colnames][:1]
        given = [c for c in ("spectral_class", "subClass", "subclass") if c in out.colnames][:1]
        console().print(rows_table(out, [*ids, *given, f"{PREFIX}class", f"{PREFIX}p_class"], SHOWN_ROWS))
        if len(out) > SHOWN_ROWS:
            err.print(f"showing {SHOWN_ROWS} of {len(out):,} rows; --output FILE writes all rows and probabilities")
