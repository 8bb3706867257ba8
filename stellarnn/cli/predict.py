"""``stellarnn predict``: parameters of one star from options, or of every star in a file."""

import inspect
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from typer.core import TyperGroup

from stellarnn.choices import DEFAULT_LEVEL, METHODS, ON_ERROR, SCHEMES

ID_COLUMNS = ["name", "source_id", "id"]
SUMMARY_COLUMNS = ["teff_K", "lum_Lsun", "abs_g_mag", "logg_cgs", "mh_dex", "mk_type", "star_type"]
WITHOUT_NETWORK = ["teff_K", "lum_Lsun", "radius_Rsun", "mass_Msun", "mk_type", "star_type"]
SHOWN_ROWS = 30

Level = Annotated[
    float,
    typer.Option(
        help="Probability of the prediction intervals (<column>_lo, <column>_hi): conformal, calibrated on data the "
        "network never trained on."
    ),
]
Model = Annotated[
    str | None, typer.Option(help="Model id (stellarnn models list) or folder; default: the system's newest.")
]
Output = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Write results here (format from the suffix; '-' = CSV on stdout)."),
]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
Input = Annotated[
    Path | None,
    typer.Option("--input", "-i", help="Table of stars: .csv .ecsv .parquet .fits .vot ('-' = CSV on stdin)."),
]
Prefix = Annotated[
    str,
    typer.Option(
        help="Put this before the names of the columns added to an --input table (e.g. pred_), so none replaces a "
        "column the table already has (without it, such a clash is an error)."
    ),
]
OnError = Annotated[
    Literal[ON_ERROR],
    typer.Option(help="Bad rows: fail (reject the file, list the rows) or skip (leave them out, list them)."),
]


def fusion(
    teff: Annotated[float | None, typer.Option(help="Effective temperature in K.")] = None,
    lum: Annotated[float | None, typer.Option(help="Luminosity in L_sun.")] = None,
    radius: Annotated[float | None, typer.Option(help="Radius in R_sun.")] = None,
    mv: Annotated[
        float | None, typer.Option(help="Absolute visual magnitude, if known (gives the bolometric correction BC_V).")
    ] = None,
    method: Annotated[
        Literal[METHODS],
        typer.Option(
            help="physics: exact formulas and class rules; nn: the trained fusion network alone; hybrid: exact "
            "physics plus the network's Mv (M_G), log g and [M/H]; auto: hybrid if a fusion model is trained, "
            "else physics."
        ),
    ] = "auto",
    scheme: Annotated[
        Literal[SCHEMES] | None,
        typer.Option(
            help="Labels and constants: 'default' (physically right) or 'fusion' (the original project's rules); "
            "--method nn uses its model's. [default: default]"
        ),
    ] = None,
    model: Model = None,
    level: Level = DEFAULT_LEVEL,
    input: Input = None,
    output: Output = None,
    column: Annotated[
        list[str] | None, typer.Option(help="Map a field to your column name, e.g. --column teff=T_eff (repeatable).")
    ] = None,
    prefix: Prefix = "",
    on_error: OnError = "fail",
    tolerance: Annotated[
        float, typer.Option(help="Warn when given L differs from 4πR²σT⁴ by more than this fraction.")
    ] = 0.05,
    as_json: Json = False,
    engine: Annotated[
        Literal["local", "dask"],
        typer.Option(
            help="dask: --input is a glob of Parquet partitions and --output a folder; partitions run on a Dask "
            "cluster, finished ones are skipped on a re-run."
        ),
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="dask: address of a running scheduler (default: a LocalCluster here).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="dask: LocalCluster workers (default: one per core).")] = None,
) -> None:
    """Stellar parameters from any two of Teff, L and R; the network's M_G, log g, [M/H] when one is trained.

    The third of Teff, L and R comes from L = 4πR²σT⁴; 'fusion' may be left out.

    One star: stellarnn predict --teff 5772 --lum 1 --radius 1
    A file:   stellarnn predict --input gaia.csv --output stars.parquet
    Dask:     stellarnn predict --input 'gaia/*.parquet' --output out/ --engine dask [--scheduler tcp://HOST:8786]
    """
    from stellarnn.datasets.outputs import check_folder_output, check_table_output
    from stellarnn.errors import UserInputError
    from stellarnn.models.conformal import check_level
    from stellarnn.prediction import choose_method

    _check_output_choice(as_json, output, prefix, input)
    check_level(level)
    if engine != "dask":
        check_table_output(output, [input] if input is not None else [])
    if not tolerance > 0:
        raise UserInputError(f"--tolerance must be > 0 (a fraction, e.g. 0.05), got {tolerance}")
    chosen = choose_method(method, model)
    if engine == "dask":
        from stellarnn.bulk.plan import Job
        from stellarnn.cli.bulk import run_partitioned
        from stellarnn.datasets.schema import parse_column_overrides

        if input is None or output in (None, "-"):
            raise UserInputError("--engine dask needs --input 'GLOB' (Parquet partitions) and --output FOLDER")
        check_folder_output(output)
        overrides = tuple(parse_column_overrides(column or []).items())
        job = Job("predict", chosen.name, chosen.model_id, scheme, overrides, on_error, tolerance, level, prefix)
        run_partitioned(job, str(input), Path(output), scheduler, workers, chosen.note)
        return
    if scheduler is not None or workers is not None:
        raise UserInputError("--scheduler and --workers work with --engine dask")
    if input is not None:
        if any(v is not None for v in (teff, lum, radius, mv)):
            raise UserInputError("give either --input FILE or --teff/--lum/--radius/--mv, not both")
        _predict_file(input, output, scheme, column or [], on_error, tolerance, as_json, chosen, level, prefix)
    else:
        if output is not None or column:
            raise UserInputError("--output and --column work with --input FILE")
        _predict_star(teff, lum, radius, mv, scheme, tolerance, as_json, chosen, level)


def hr(
    absmag: Annotated[float | None, typer.Option(help="Absolute (visual) magnitude.")] = None,
    teff: Annotated[float | None, typer.Option(help="Effective temperature in K.")] = None,
    model: Model = None,
    input: Input = None,
    output: Output = None,
    prefix: Prefix = "",
    on_error: OnError = "fail",
    as_json: Json = False,
) -> None:
    """White dwarf, main sequence or giant, with each class's probability, from the seed's 2-3-3 network.

    One star: stellarnn predict hr --absmag 4.8 --teff 5772
    A file:   stellarnn predict hr --input stars.csv --output classes.csv
    """
    from stellarnn.datasets.outputs import check_table_output

    _check_output_choice(as_json, output, prefix, input)
    check_table_output(output, [input] if input is not None else [])
    _predict_hr(absmag, teff, input, output, model, on_error, as_json, prefix)


def from_files(
    system: str,
    files: Annotated[
        list[Path],
        typer.Argument(help="The files to read ('-' = a CSV table on stdin).", show_default=False),
    ],
    model: Model = None,
    level: Level = DEFAULT_LEVEL,
    output: Output = None,
    as_json: Json = False,
    figure: Annotated[
        Path | None,
        typer.Option(help="Write a figure of the prediction here (PNG; several spectra: one each, FIGURE-<name>.png)."),
    ] = None,
    continuum: Annotated[
        bool,
        typer.Option(
            "--continuum/--no-continuum",
            help="Fit the continuum (sigma-clipped polynomial) and divide it out; a spectrum that came normalised "
            "is left as it is.",
        ),
    ] = True,
    radial_velocity: Annotated[
        bool,
        typer.Option(
            "--rv/--no-rv", help="Measure the radial velocity (rv_kms, cross-correlation) and move to the rest frame."
        ),
    ] = True,
    mask: Annotated[
        bool,
        typer.Option("--mask/--no-mask", help="Leave out bad pixels (NaN flux, zero inverse variance) and tellurics."),
    ] = True,
    resolution: Annotated[
        float | None,
        typer.Option(
            help="The instrument's resolving power lambda / FWHM (default: the file's header); a spectrum sharper "
            "than the model's training spectra is convolved to their R."
        ),
    ] = None,
) -> None:
    """One row per item read, each label with its interval at --level and an out_of_domain flag."""
    from stellarnn.cli.render import console
    from stellarnn.datasets.outputs import check_figure_output, check_table_output
    from stellarnn.models.registry import get_system

    _check_output_choice(as_json, output)
    check_table_output(output, files)
    check_figure_output(figure, files)
    spec = get_system(system)
    function = spec.load("predict_files")
    preparation = {"continuum": continuum, "radial_velocity": radial_velocity, "mask": mask, "resolution": resolution}
    takes = inspect.signature(function).parameters
    predicted = function(files, model, level, **{k: v for k, v in preparation.items() if k in takes})
    err = console(stderr=True)
    for note in predicted.notes:
        err.print(note, markup=False, highlight=False)
    if figure is not None:
        for written in spec.load("figure")(files, predicted, figure):
            err.print(f"figure -> {written}")
    _write_frame(predicted, output, as_json, level)


def _check_output_choice(as_json: bool, output, prefix: str = "", input=None) -> None:
    from stellarnn.errors import UserInputError

    if as_json and output is not None:
        raise UserInputError("--json writes to stdout; give --json or --output, not both")
    if prefix and input is None:
        raise UserInputError("--prefix names the columns added to an --input table")


TYPED_IN = {"fusion": fusion, "hr": hr}  # the systems whose inputs can be typed in as options


class PredictCommands(TyperGroup):
    """fusion and hr read values typed in or a table of stars; every other system with a predict_files role
    reads files (spectra, cluster member tables). Options before any system name mean fusion."""

    def list_commands(self, ctx) -> list[str]:
        from stellarnn.models.registry import systems

        return [*TYPED_IN, *(name for name, spec in systems().items() if spec.predict_files)]

    def get_command(self, ctx, name: str):
        from stellarnn.cli.systems import bound, single
        from stellarnn.models.registry import systems

        if name in TYPED_IN:
            return single(TYPED_IN[name], name)
        spec = systems().get(name)
        if spec is None or not spec.predict_files:
            return None
        takes = inspect.signature(spec.load("predict_files")).parameters  # its own options (spectra: preparation)
        options = {"files", "model", "level", "output", "as_json", *(["figure"] if spec.figure else []), *takes}
        return bound(from_files, name, options, f"{spec.description}.\n\n{inspect.getdoc(from_files)}")

    def parse_args(self, ctx, args):
        if args and args[0].startswith("-") and args[0] not in ctx.help_option_names:
            args = ["fusion", *args]
        return super().parse_args(ctx, args)


def _write_frame(predicted, output, as_json, level) -> None:
    """Predictions with intervals: JSON, CSV on stdout, a file, or a rich table (values with their interval, so
    people see the ± the model can stand behind)."""
    from astropy.table import Table

    from stellarnn.cli.render import console, json_records, rows_table
    from stellarnn.datasets.tables import write_table
    from stellarnn.models import domain

    frame, noun = predicted.frame, predicted.noun
    err = console(stderr=True)
    outside = domain.warning(int(frame[domain.FLAG].sum()) if domain.FLAG in frame else 0, len(frame), noun)
    if outside:
        err.print(f"[yellow]warning:[/] {outside}")
    if as_json:
        header = {"model": predicted.artifact.id, "level": level, "notes": predicted.notes}
        print(json.dumps({**header, noun: json_records(frame)}, indent=2, allow_nan=False))
    elif output == "-":
        sys.stdout.write(frame.to_csv(index=False))
    elif output is not None:
        write_table(Table.from_pandas(frame), output)
        err.print(f"{len(frame)} {noun} read by {predicted.artifact.id} -> {output}")
    else:
        shown = frame.round(predicted.digits) if predicted.digits is not None else frame
        decimals = predicted.decimals
        shown = shown.round({**decimals, **{f"{k}{end}": v for k, v in decimals.items() for end in ("_lo", "_hi")}})
        console().print(rows_table(Table.from_pandas(shown), list(shown.columns), SHOWN_ROWS))
        err.print(f"[dim]<column>_lo … <column>_hi: the {level:.0%} prediction interval[/]")


def _predict_hr(absmag, teff, path, output, model, on_error, as_json, prefix) -> None:
    import numpy as np

    from stellarnn.cli.render import console, json_records, report_rejected, rows_table
    from stellarnn.datasets.outputs import write_rejected
    from stellarnn.datasets.tables import read_table, write_table
    from stellarnn.errors import UserInputError
    from stellarnn.models.hr.system import predict as classify
    from stellarnn.models.hr.system import predict_table
    from stellarnn.physics.inputs import range_problems

    if path is None:
        if absmag is None or teff is None:
            raise UserInputError("predict hr needs --absmag and --teff (or --input FILE)")
        problems = range_problems({"mv": np.array([absmag]), "teff": np.array([teff])}, {"mv": "absmag"})
        if problems or np.isnan([absmag, teff]).any():
            raise UserInputError(problems[0][0] if problems else "absmag and teff must be numbers")
        columns, artifact = classify(np.array([absmag]), np.array([teff]), model)
        row = {
            "abs_mag": absmag,
            "teff_K": teff,
            **{k: (v[0].item() if hasattr(v[0], "item") else v[0]) for k, v in columns.items()},
        }
        if as_json:
            print(json.dumps({"model": artifact.id, "outputs": {k: _json_safe(v) for k, v in row.items()}}, indent=2,
                             allow_nan=False))  # fmt: skip
        else:
            from astropy.table import Table

            console().print(rows_table(Table(rows=[row], names=list(row)), list(row), 1))
        return
    table = read_table(path)
    result = predict_table(table, model, on_error, prefix)
    err = console(stderr=True)
    if result.rejected:
        report_rejected(result.rejected, output, err)
    from stellarnn.models import domain

    outside = domain.warning(int(result.table[prefix + domain.FLAG].sum()), len(result.table), "stars")
    if outside:
        err.print(f"[yellow]warning:[/] {outside}")
    out, artifact = result.table, result.artifact
    err.print(f"read {len(table)} rows from {path}; hr model {artifact.id}")
    if as_json:
        print(json.dumps(json_records(out.to_pandas()), allow_nan=False))
    elif output == "-":
        out.write(sys.stdout, format="ascii.csv")
    elif output is not None:
        write_table(out, output)
        write_rejected(result.rejected, output)
        err.print(f"wrote {len(out)} stars to {output}")
    else:
        added = ("p_main_sequence", "p_white_dwarf", "p_giant", "hr_class", "out_of_domain")
        shown = ["name", *(prefix + name for name in added)]
        shown = [c for c in shown if c in out.colnames]
        console().print(rows_table(out, shown, SHOWN_ROWS))


def _json_safe(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _title(chosen, scheme) -> str:
    model = f", model {chosen.model_id}" if chosen.model_id else ""
    return f"{chosen.name}, {scheme} scheme{model}"


def _predict_star(teff, lum, radius, mv, scheme, tolerance, as_json, chosen, level) -> None:
    from stellarnn.cli.render import console, star_table
    from stellarnn.prediction import calibration_note, predict_star, unconstrained_outputs

    row, warnings, used = predict_star(teff, lum, radius, mv, scheme=scheme, tolerance=tolerance, method=chosen,
                                       level=level)  # fmt: skip
    unconstrained = unconstrained_outputs(chosen)
    notes = [note for note in (chosen.note, calibration_note(chosen)) if note]
    if as_json:
        payload = {
            "method": chosen.name,
            "scheme": used,
            "model": chosen.model_id,
            "level": level if chosen.artifact is not None else None,
            "outputs": {k: _json_safe(v) for k, v in row.items()},
            "not_constrained": unconstrained,
            "warnings": warnings + notes,
        }
        print(json.dumps(payload, indent=2, allow_nan=False))
        return
    err = console(stderr=True)
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    for note in notes:
        err.print(f"[yellow]note:[/] {note}")
    console().print(star_table(row, _title(chosen, used), level, unconstrained))
    if used == "default" and isinstance(row.get("mass_Msun"), float) and math.isnan(row["mass_Msun"]):
        err.print("[dim]mass and the quantities built on it are given for main-sequence stars only[/]")
    if chosen.name == "physics":
        err.print("[dim]Mv, log g and [M/H] are not fixed by Teff, L and R; the physics method does not give them[/]")
    if unconstrained:
        err.print(_unconstrained_note(unconstrained))


def _unconstrained_note(names) -> str:
    return (f"[dim]not constrained: Teff, L and R explain less than half the spread of {', '.join(names)} in the "
            "labels the network was trained on, so its value is mostly their average; --json and --output keep the "
            "value and its interval[/]")  # fmt: skip


def _predict_file(path, output, scheme, column, on_error, tolerance, as_json, chosen, level, prefix) -> None:
    from stellarnn.cli.render import console, json_records, report_rejected, rows_table
    from stellarnn.datasets.outputs import write_rejected
    from stellarnn.datasets.schema import parse_column_overrides
    from stellarnn.datasets.tables import read_table, write_table
    from stellarnn.models import domain
    from stellarnn.prediction import calibration_note, predict_table, unconstrained_outputs

    result = predict_table(
        read_table(path),
        scheme=scheme,
        overrides=parse_column_overrides(column),
        on_error=on_error,
        tolerance=tolerance,
        method=chosen,
        level=level,
        prefix=prefix,
    )
    err = console(stderr=True)
    for note in (chosen.note, calibration_note(chosen)):
        if note:
            err.print(f"[yellow]note:[/] {note}")
    used = ", ".join(f"{field} <- {name}" for field, name in result.columns.items())
    err.print(f"read {result.n_input} rows from {path} ({used}); {_title(chosen, result.scheme)}")
    if result.mismatch.count:
        err.print(f"[yellow]warning:[/] {result.mismatch.describe(tolerance)}")
    if result.rejected:
        report_rejected(result.rejected, output, err)
    outside = domain.warning(result.out_of_domain, len(result.table), "stars")
    if outside:
        err.print(f"[yellow]warning:[/] {outside}")

    if as_json:
        print(json.dumps(json_records(result.table.to_pandas()), allow_nan=False))
    elif output == "-":
        result.table.write(sys.stdout, format="ascii.csv")
    elif output is not None:
        write_table(result.table, output)
        write_rejected(result.rejected, output)
        err.print(f"wrote {len(result.table)} stars to {output}")
    else:
        wanted = SUMMARY_COLUMNS if prefix + "logg_cgs" in result.table.colnames else WITHOUT_NETWORK
        columns = [c for c in ID_COLUMNS + [prefix + name for name in wanted] if c in result.table.colnames]
        unconstrained = unconstrained_outputs(chosen)
        console().print(rows_table(result.table, columns, SHOWN_ROWS,
                                   not_constrained=[prefix + name for name in unconstrained]))  # fmt: skip
        if unconstrained:
            err.print(_unconstrained_note(unconstrained))
        if len(result.table) > SHOWN_ROWS:
            err.print(f"showing {SHOWN_ROWS} of {len(result.table)} stars; use --output FILE for all columns and rows")
