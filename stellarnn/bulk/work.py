"""One partition's work, run on a Dask worker: read it, predict or classify it, write the result atomically.

Models are loaded once per worker process (the fusion network is cached by the fusion module, the sdss
classifier here), not once per partition. The output keeps the input's identifier columns (or the row
number within the partition when there are none) next to the new columns.
"""

import os
import tempfile
import time
from functools import cache
from pathlib import Path

import numpy as np

from stellarnn.bulk.plan import Job, Partition
from stellarnn.datasets.outputs import check_added_columns, usual_mode
from stellarnn.errors import UserInputError
from stellarnn.physics.classes import CodedLabels

ID_COLUMNS = ("source_id", "spec_obj_id", "specObjID", "objid", "objID", "star_id", "name", "id")


@cache
def _method(method: str, model_id: str | None):
    from stellarnn.prediction import choose_method

    return choose_method(method, model_id)


@cache
def _classifier(model_id: str | None):
    from stellarnn.models.sdss.system import load

    return load(model_id)


def _read(partition: Partition):
    from astropy.table import Table

    try:
        return Table.read(partition.source, format="parquet")
    except Exception as exc:  # pyarrow and astropy raise many kinds for a damaged file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserInputError(f"cannot read {partition.name} as Parquet: {reason}") from None


def _identifiers(table) -> dict:
    ids = [c for c in ID_COLUMNS if c in table.colnames]
    if ids:
        return {c: np.asarray(table[c]) for c in ids}
    return {"row": np.arange(len(table))}


def run_partition(partition: Partition, job: Job) -> dict:
    """Do one partition; returns {rows read, rows written, rows left out, seconds}."""
    import pandas as pd

    start = time.perf_counter()
    table = _read(partition)
    ids = _identifiers(table)
    overrides = dict(job.overrides)
    if job.task == "predict":
        from stellarnn.prediction import predict_columns

        result = predict_columns(table, scheme=job.scheme, overrides=overrides, on_error=job.on_error,
                                 tolerance=job.tolerance, method=_method(job.method, job.model_id),
                                 level=job.level, coded_labels=True)  # fmt: skip
        derived = {job.prefix + name: values for name, values in result.derived.items()}
        check_added_columns(ids, derived, hint="add --prefix PREFIX to name the new ones")
        columns = {**{k: v[result.keep] for k, v in ids.items()}, **derived}
        rejected = result.rejected
    else:
        from stellarnn.models.sdss.system import class_columns, classify_with

        probabilities, features, _, inside = classify_with(_classifier(job.model_id), table, overrides)
        rejected = features.problems
        if rejected and job.on_error == "fail":
            row, why = next(iter(rejected.items()))
            raise UserInputError(f"{partition.name}: {len(rejected)} row(s) cannot be classified (first: row "
                                 f"{row + 1}: {why}); --on-error skip leaves them out and lists them")  # fmt: skip
        columns = {**{k: v[features.rows] for k, v in ids.items()}, **class_columns(probabilities, inside)}
    if rejected:  # before the output, whose existence marks the partition done
        listed = pd.DataFrame({"row": [r + 1 for r in rejected], "reason": list(rejected.values())})
        _replace_atomically(partition.rejected, lambda tmp: listed.to_csv(tmp, index=False))
    else:
        partition.rejected.unlink(missing_ok=True)
    written = _write_atomically(columns, partition.target)
    return {"rows": len(table), "written": written, "left_out": len(rejected),
            "seconds": time.perf_counter() - start}  # fmt: skip


def _arrow(values):
    """Arrow array of a column; labels become dictionary columns (their distinct strings stored once)."""
    import pyarrow as pa

    if isinstance(values, CodedLabels):
        return pa.DictionaryArray.from_arrays(values.indices.astype(np.int32), pa.array(values.strings, pa.string()))
    return pa.array(values)


def _write_atomically(columns: dict, target) -> int:
    """Write the columns as Parquet under a temporary name, then rename; returns the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({name: _arrow(values) for name, values in columns.items()})
    labels = [name for name, values in columns.items() if isinstance(values, CodedLabels) or values.dtype.kind in "OUS"]
    _replace_atomically(target, lambda tmp: pq.write_table(table, tmp, use_dictionary=labels))  # dictionaries pay
    return table.num_rows  # off for class labels only


def _replace_atomically(target, write) -> None:
    """``write(tmp)`` a temporary file beside ``target``, then rename it into place (with the usual file mode)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        usual_mode(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
