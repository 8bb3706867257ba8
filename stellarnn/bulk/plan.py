"""What a run has to do: the input partitions a glob names, one output file per partition, and which are done.

A partition is finished when its output file exists (outputs are written under a temporary name and renamed),
so a re-run skips it. The run's settings are recorded in the output folder; a different run is refused there,
because its files would mix with these.
"""

import glob
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from stellarnn.datasets.outputs import same_file
from stellarnn.errors import UserInputError

RECORD = "_stellarnn_run.json"


@dataclass(frozen=True)
class Job:
    task: str  # "predict" or "classify"
    method: str = "physics"  # predict: physics, nn or hybrid
    model_id: str | None = None
    scheme: str | None = None
    overrides: tuple[tuple[str, str], ...] = ()  # (field, column) pairs
    on_error: str = "fail"  # bad rows: fail the partition, or skip them and list them beside the output
    tolerance: float = 0.05
    level: float = 0.68  # predict nn / hybrid: the level of the prediction intervals
    prefix: str = ""  # predict: put before the names of the derived columns


@dataclass(frozen=True)
class Partition:
    source: Path
    target: Path  # <output>/<input stem>.parquet
    rejected: Path  # <output>/<input stem>.rejected.csv, when rows were left out

    @property
    def name(self) -> str:
        return self.source.name


def input_files(pattern: str) -> list[Path]:
    """The Parquet partitions a glob names, in order; none, or any that is not Parquet, is one error line."""
    files = sorted(Path(p) for p in glob.glob(pattern))
    if not files:
        raise UserInputError(f"no input partition matches '{pattern}'")
    not_parquet = [f.name for f in files if f.suffix.lower() not in (".parquet", ".pq")]
    if not_parquet:
        raise UserInputError(f"--engine dask reads Parquet partitions; not Parquet: {', '.join(not_parquet[:5])}")
    return files


def partitions(pattern: str, out_dir: Path, job: Job) -> list[Partition]:
    """Every input partition with its output names; records the job in ``out_dir``."""
    files = input_files(pattern)
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise UserInputError(f"input partitions of '{pattern}' share file names; each needs its own")
    parts = [Partition(f, out_dir / f"{f.stem}.parquet", out_dir / f"{f.stem}.rejected.csv") for f in files]
    for part in parts:
        if any(same_file(written, f) for written in (part.target, part.rejected) for f in files):
            raise UserInputError(f"--output '{out_dir}' would overwrite the input {part.name}; give another folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    _record(out_dir, job)
    return parts


def _record(out_dir: Path, job: Job) -> None:
    wanted = json.loads(json.dumps(asdict(job)))
    path = out_dir / RECORD
    if path.is_file():
        held = json.loads(path.read_text())
        if held != wanted:
            raise UserInputError(f"'{out_dir}' holds the results of another run ({held}); give a new --output")
        return
    path.write_text(json.dumps(wanted, indent=2) + "\n")
