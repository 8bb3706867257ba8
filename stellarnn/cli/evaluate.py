"""``stellarnn evaluate SYSTEM``: a report (JSON, Markdown, figures) on data the user names."""

import math
from pathlib import Path
from typing import Annotated

import typer


def evaluate(
    system: Annotated[str, typer.Argument(help="The system to evaluate.")],
    data: Annotated[
        str,
        typer.Option(
            help="fusion: builtin, gaia or a file; hr: seed or builtin; sdss: builtin, sdss or a file; spectra: what "
            "the model trained on (held-out part) or a table of labelled spectrum files; cluster: what it trained on, "
            "or a member table with catalogue labels (log_age_yr, av_mag, distance_modulus_mag or AgeNN, AVNN, DMNN)."
        ),
    ],
    out: Annotated[Path | None, typer.Option(help="Report directory; default reports/<system>-<model or cv>.")] = None,
    model: Annotated[str | None, typer.Option(help="Model id; default: the newest of the system.")] = None,
    cross_validate: Annotated[
        int, typer.Option(help="Train and score by k-fold cross-validation on --data instead.")
    ] = 0,
    config: Annotated[str | None, typer.Option(help="Config for --cross-validate (name or TOML path).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed for folds, training and the baseline.")] = 1,
    scheme: Annotated[str | None, typer.Option(help="Label scheme for --cross-validate (default, fusion).")] = None,
    features: Annotated[
        str | None, typer.Option(help="sdss: full or photometry (ugriz, colours, redshift); default: the config's.")
    ] = None,
) -> None:
    """Per-output errors, class scores, formula violations and a gradient-boosting baseline."""
    from stellarnn.cli.checks import check_seed
    from stellarnn.cli.render import console
    from stellarnn.models.registry import get_system

    check_seed(seed)
    target = (
        out or Path("reports") / f"{system}-{'cv' + str(cross_validate) if cross_validate else (model or 'latest')}"
    )
    err = console(stderr=True)
    import inspect

    from stellarnn.datasets.outputs import check_folder_output
    from stellarnn.errors import UserInputError

    check_folder_output(target, "--out")
    if cross_validate < 0 or cross_validate == 1:
        raise UserInputError(f"--cross-validate takes a number of folds >= 2 (0: score a stored model), got "
                             f"{cross_validate}")  # fmt: skip

    function = get_system(system).load("evaluate")
    accepted = inspect.signature(function).parameters
    for name, value in {"scheme": scheme, "features": features}.items():
        if value is not None and name not in accepted:
            raise UserInputError(f"--{name} does not apply to {system}")
    optional = {k: v for k, v in {"scheme": scheme, "features": features}.items() if v is not None}
    report = function(
        data=data, out=target, model_id=model, folds=cross_validate, config=config, seed=seed, console=err, **optional
    )
    if "held_out_spectra" in report:
        for name, s in report["scores"].items():
            err.print(f"{name}: bias {s['bias']:.3g}, sigma {s['sigma']:.3g}, MAE {s['mae']:.3g}"
                      + _coverage(report.get("coverage", {}).get(name)))  # fmt: skip
        where = f"in {report['file']}" if "file" in report else f"held out, at S/N {report['snr']:g}"
        err.print(f"{report['held_out_spectra']:,} spectra {where}; report in {target}/report.md")
        return
    if "held_out_clusters" in report:
        s = report["scores"]
        what = "clusters in the table" if "clusters" in report else "held-out clusters"
        finite = {k: v for k in ("mse_scaled", "r2_scaled") if (v := s.get(k)) is not None and math.isfinite(v)}
        scaled = ", ".join(f"{k.split('_')[0].upper()} {v:.4f}" for k, v in finite.items())
        err.print(f"{report['model']} ({report['kind']}): {report['held_out_clusters']:,} {what}"
                  + (f"; {scaled} on scaled labels" if scaled else ""))  # fmt: skip
        for name, v in s["labels"].items():
            err.print(f"{name}: bias {v['bias']:.3g}, RMSE {v['rmse']:.3g}, MAE {v['mae']:.3g}"
                      + _coverage(report.get("coverage", {}).get(name)))  # fmt: skip
        err.print(f"report in {target}/report.md")
        return
    if report.get("kind") in ("cross-validation", "stored model"):  # sdss
        _render_sdss(report, err, target)
        return
    if "summary" not in report:  # a classifier's report: accuracy and confusion
        labels = ", ".join(report["labels"])
        ece = report["reliability"]["expected_calibration_error"]
        err.print(f"accuracy {report['accuracy']:.2%} of {report['stars']} stars; probabilities' ECE {ece:.3f}")
        err.print(f"confusion (rows: true {labels}; columns: predicted): {report['confusion']}")
        err.print(f"report written to {target}/report.json")
        return
    summary = report["summary"]
    err.print(f"formula outputs, lowest share within ±5 %: {summary['formula_outputs_min_within_5_percent']:.2%}")
    for name, accuracy in summary["class_accuracy"].items():
        err.print(f"{name} accuracy: {accuracy:.2%}")
    for name, mae in summary["catalogue_mae"].items():
        baseline = summary["baseline_mae"].get(name)
        line = f"{name} MAE: {mae:.4f}" + (f" (gradient boosting: {baseline:.4f})" if baseline is not None else "")
        err.print(line + _coverage(summary.get("coverage", {}).get(name)))
    if report.get("out_of_domain_stars"):
        err.print(f"{report['out_of_domain_stars']:,} stars lie outside the training data's region of the HR diagram")
    err.print(f"report written to {target}/report.md")


def _coverage(by_level: dict | None) -> str:
    """'; interval coverage 68 %: x, 95 %: y' when the report measured it."""
    if not by_level:
        return ""
    return "; interval coverage " + ", ".join(f"{float(k):.0%}: {v:.1%}" for k, v in by_level.items())


def _render_sdss(report: dict, err, target) -> None:
    if report["kind"] == "stored model":
        s = report["scores"]
        err.print(f"{report['model']}: accuracy {s['accuracy']:.2%} on {report['stars']:,} stars, "
                  f"F1 macro {s['f1_macro']:.2%}, order distance {s['order_distance']:.3f}")  # fmt: skip
    else:
        for name, s in report["scores"].items():
            a, f = s["accuracy"], s["f1_macro"]
            err.print(f"{name}: accuracy {a['mean']:.2%} ± {a['std']:.2%}, F1 macro {f['mean']:.2%} ± {f['std']:.2%}")
    if "reliability" in report:
        ece = report["reliability"]["expected_calibration_error"]
        err.print(f"network probabilities: expected calibration error {ece:.3f}")
    if report.get("out_of_domain"):
        err.print(f"{report['out_of_domain']:,} stars have features outside the model's training range")
    err.print(f"report written to {target}/report.md")
