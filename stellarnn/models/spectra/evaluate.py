"""`stellarnn evaluate spectra`: a stored model on spectra it was not trained on, either the held-out
atmospheres of its own grid (``--data`` as at training) with noise at the config's S/N, or the spectrum files a
table lists with their labels (the training-table format of ``user_grid``), read as `predict spectra` reads
them. Per-label bias, sigma and MAE, and residual-against-label figures; a table's label may be empty or
v sin i absent, and each label is scored on the rows that have it. For a model with calibrated intervals also
their coverage on the same spectra (the share whose true label lies inside, against the level asked for) and how
many predictions fall outside the training labels' box. On the held-out atmospheres also sigma and coverage by
region, and on the built-in synthesizer's grid the information limit: the Cramér–Rao bound of the same spectra,
so a sigma can be read against the best any method could do. Writes report.json, report.md, residuals.png and
(with intervals) coverage.png."""

from pathlib import Path

import numpy as np

from stellarnn.datasets.spectra import LABELS
from stellarnn.errors import UserInputError
from stellarnn.evaluation.reports import strict_json
from stellarnn.models.held_out import check_request
from stellarnn.models.spectra.calibration import REGION_NAMES, line_rich

UNITS = {"teff_K": "K", "logg_cgs": "dex", "mh_dex": "dex", "vsini_kms": "km/s"}


def evaluate(data: str = "builtin", out: Path | None = None, model_id: str | None = None, seed: int = 1,
             console=None) -> dict:  # fmt: skip
    from stellarnn.datasets.tables import FORMATS
    from stellarnn.models.spectra.system import load

    reader = load(model_id)
    trained_on = reader.artifact.card["data"]["source"]
    listed = data != trained_on and Path(data).suffix.lower() in FORMATS
    check_request("spectra", "spectra", reader.artifact, trained_on if listed else data)
    report, truth, predicted = _listed(reader, Path(data)) if listed else _held_out(reader, data)
    out = Path(out or Path("reports") / "spectra")
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(strict_json(report))
    (out / "report.md").write_text(markdown(report))
    _residual_figure(truth, predicted, out / "residuals.png")
    if "intervals" in report:
        from stellarnn.evaluation.coverage import coverage_panel, save_panels

        curves = report["intervals"]
        spectra = f"spectra of {Path(report['file']).name}" if "file" in report else "held-out spectra"
        title = f"spectra intervals ({report['held_out_spectra']:,} {spectra})"
        save_panels(lambda ax, _: coverage_panel(ax, curves, title), 1, out / "coverage.png")
    return report


def _held_out(reader, data: str) -> tuple[dict, np.ndarray, np.ndarray]:
    from stellarnn.models.spectra.config import from_card
    from stellarnn.models.spectra.system import grid_for, held_out, noisy_test_set

    card = reader.artifact.card
    settings = from_card(card["settings"], card["config"])
    grid = grid_for(settings, data)
    _, _, test = held_out(settings, grid, card["seed"])
    truth = grid.labels[list(LABELS)].to_numpy()[test]
    fitted = card["data"].get("continuum_fit", False)
    predicted, spread = reader.read(noisy_test_set(settings, grid, test, card["seed"], fitted=fitted))
    from stellarnn.models.spectra.train import residual_scores

    report = {
        "model": reader.artifact.id,
        "grid": str(grid.path),
        "held_out_spectra": int(test.size),
        "snr": settings.data.snr,
        "scores": residual_scores(truth, predicted),
        "mean_spread": dict(zip(LABELS, spread.mean(axis=0).tolist(), strict=True)),
        "by_region": {
            name: {"spectra": int(rows.sum()), "scores": residual_scores(truth[rows], predicted[rows])}
            for name, rows in _regions(truth).items()
            if rows.any()
        },  # fmt: skip
    }
    if reader.intervals is not None:
        report.update(_interval_report(reader.intervals, truth, predicted, _regions(truth)))
    if data == "builtin":  # the bound needs the model that made the spectra
        from stellarnn.datasets.spectra.information import spectra_bounds

        bounds = spectra_bounds(settings.synthesis, settings.grid.downsample, truth, settings.data.snr)
        prior = truth.std(axis=0)
        parts = {"all": np.ones(len(truth), bool), **_regions(truth)}
        report["information_limit"] = {
            name: _bound_summary(bounds[rows], prior) for name, rows in parts.items() if rows.any()
        }
    return report, truth, predicted


def _listed(reader, table: Path) -> tuple[dict, np.ndarray, np.ndarray]:
    """The spectra a table lists, scored on the values `predict spectra` reports (v sin i clipped at 0)."""
    from stellarnn.models.spectra.calibration import bounded

    truth, paths = _labelled_files(table)
    predicted, spread = reader.read(reader.files(paths)[0])
    predicted = bounded(predicted)
    report = {
        "model": reader.artifact.id,
        "file": str(table),
        "held_out_spectra": len(paths),  # not trained on, as the user says; the key the CLI's summary reads
        "snr": float("nan"),  # no noise is added: the spectra are scored as given (null in the JSON)
        "scores": _known_scores(truth, predicted),
        "mean_spread": dict(zip(LABELS, spread.mean(axis=0).tolist(), strict=True)),
    }
    if reader.intervals is not None:
        report.update(_interval_report(reader.intervals, truth, predicted))
    return report, truth, predicted


def _labelled_files(table: Path) -> tuple[np.ndarray, list[Path]]:
    """(labels with NaN where a cell is empty, spectrum files relative to the table's folder as for training)."""
    from stellarnn.datasets.tables import float_column, read_table

    rows = read_table(table)
    needed = ["file", *LABELS[:3]]
    missing = [c for c in needed if c not in rows.colnames]
    if missing:
        raise UserInputError(f"{table}: a table of labelled spectra needs the columns {', '.join(needed)} (and "
                             f"optionally vsini_kms); missing {', '.join(missing)}")  # fmt: skip
    if not len(rows):
        raise UserInputError(f"{table}: lists no spectra")
    labels = []
    for name in LABELS:
        values, bad = float_column(rows, name) if name in rows.colnames else (np.full(len(rows), np.nan), {})
        if bad:
            row, reason = next(iter(bad.items()))
            raise UserInputError(f"{table} row {row + 1}: {reason}")
        labels.append(values)
    names = np.char.strip(np.ma.getdata(rows["file"]).astype(str))
    empty = np.flatnonzero(np.ma.getmaskarray(rows["file"]) | (names == ""))
    if empty.size:
        raise UserInputError(f"{table} row {empty[0] + 1}: no spectrum file")
    return np.column_stack(labels), [table.parent / name for name in names]


def _known_scores(truth: np.ndarray, predicted: np.ndarray) -> dict:
    """Bias, sigma and MAE of each label over the rows that have it, with their count; a label no row has is
    left out."""
    from stellarnn.models.spectra.train import residual_scores

    scores = {}
    for i, name in enumerate(LABELS):
        rows = np.isfinite(truth[:, i])
        if rows.any():
            part = residual_scores(truth[rows, i : i + 1], predicted[rows, i : i + 1], [name])[name]
            scores[name] = {"spectra": int(rows.sum()), **part}
    return scores


def _regions(truth: np.ndarray) -> dict[str, np.ndarray]:
    """Where the window has many metal lines (FGK, [M/H] >= -1.5) and where it has few (hot or very metal-poor
    stars, mostly H-alpha): the two behave very differently."""
    lined = line_rich(truth)
    return {REGION_NAMES[1]: lined, REGION_NAMES[0]: ~lined}


def _interval_report(intervals, truth: np.ndarray, predicted: np.ndarray, regions: dict | None = None) -> dict:
    """Coverage and mean half width of the stored calibration's intervals over CURVE_LEVELS, per label the
    spectra have; the same at 68 % and 95 % by region of the true labels if given (the bins themselves are read
    off the predictions, as for a new spectrum); and the count of predictions outside the training labels' box."""
    from stellarnn.evaluation.coverage import CURVE_LEVELS
    from stellarnn.models.conformal import REPORTED_LEVELS
    from stellarnn.models.spectra.calibration import coverage

    scores = intervals.scores(truth, predicted, CURVE_LEVELS)
    scores = {name: scores[name] for name, known in zip(LABELS, np.isfinite(truth).any(axis=0), strict=True) if known}
    report = {"intervals": scores, "coverage": coverage(scores)}
    if regions is not None:
        report["intervals_by_region"] = {
            name: {"spectra": int(rows.sum()),
                   "intervals": intervals.scores(truth[rows], predicted[rows], REPORTED_LEVELS)}
            for name, rows in regions.items()
            if rows.any()
        }  # fmt: skip
    report["out_of_domain"] = int(intervals.outside(predicted).sum())
    return report


def _bound_summary(bounds: np.ndarray, prior: np.ndarray) -> dict:
    """Per label: the rms of the bounds (the sigma of an unbiased method that reaches them), the same with
    the held-out labels' spread as a Gaussian prior (van Trees: 1 / (1/bound^2 + 1/spread^2) per spectrum;
    roughly what a method that falls back on the label range where a spectrum says nothing could reach --
    not a bound for one that knows the range's hard edges), and the median."""
    with_prior = 1 / np.sqrt(1 / bounds**2 + 1 / np.where(prior > 0, prior, np.inf) ** 2)
    statistics = {
        "rms": np.sqrt(np.mean(bounds**2, axis=0)),
        "rms_with_prior": np.sqrt(np.mean(with_prior**2, axis=0)),
        "median": np.median(bounds, axis=0),
    }
    return {
        name: {label: float(v) for label, v in zip(LABELS, values, strict=True)} for name, values in statistics.items()
    }


def markdown(r: dict) -> str:
    spectra = (f"{r['held_out_spectra']:,} spectra of {r['file']} (as given)" if "file" in r
               else f"{r['held_out_spectra']:,} held-out spectra (S/N {r['snr']:g})")  # fmt: skip
    lines = [
        f"# spectra: {r['model']} on {spectra}",
        "",
        "| label | bias | sigma | MAE | mean ensemble spread |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in r["scores"].items():
        unit, label = UNITS[name], name + (f" ({s['spectra']} spectra)" if "spectra" in s else "")
        lines.append(f"| {label} | {s['bias']:.3g} {unit} | {s['sigma']:.3g} {unit} | {s['mae']:.3g} {unit} "
                     f"| {r['mean_spread'][name]:.3g} {unit} |")  # fmt: skip
    if "by_region" in r:
        lines += ["", "sigma by region:", "", "| region | spectra | " + " | ".join(LABELS) + " |",
                  "|---|---:|" + "---:|" * len(LABELS)]  # fmt: skip
        for name, part in r["by_region"].items():
            cells = [f"{part['scores'][label]['sigma']:.3g} {UNITS[label]}" for label in LABELS]
            lines.append(f"| {name} | {part['spectra']} | " + " | ".join(cells) + " |")
    if "intervals" in r:
        lines += ["", "prediction intervals (split-conformal, calibrated on the validation atmospheres with their "
                  "region read off the prediction): the share of spectra whose true label lies inside, and the mean "
                  "half width:", "", "| spectra | label | coverage 68 % | coverage 95 % | half width 68 % "
                  "| half width 95 % |", "|---|---|---:|---:|---:|---:|"]  # fmt: skip
        parts = {f"all {r['held_out_spectra']}": r["intervals"]}
        parts.update(
            {
                f"{name} ({part['spectra']})": part["intervals"]
                for name, part in r.get("intervals_by_region", {}).items()
            }
        )
        for part, scores in parts.items():
            for label in scores:
                low, high = scores[label]["0.68"], scores[label]["0.95"]
                lines.append(f"| {part} | {label} | {low['coverage']:.1%} | {high['coverage']:.1%} "
                             f"| {low['mean_half_width']:.3g} {UNITS[label]} "
                             f"| {high['mean_half_width']:.3g} {UNITS[label]} |")  # fmt: skip
        lines += ["", f"predictions outside the training labels' box (out_of_domain): {r['out_of_domain']} of "
                  f"{r['held_out_spectra']}"]  # fmt: skip
    if "information_limit" in r:
        lines += ["", "information limit (Cramér–Rao bound of the same spectra; no unbiased method has a smaller "
                  "sigma; 'with prior': the held-out labels' spread as a Gaussian prior):", "",
                  "| spectra | bound | " + " | ".join(LABELS) + " |", "|---|---|" + "---:|" * len(LABELS)]  # fmt: skip
        for name, part in r["information_limit"].items():
            for statistic, values in part.items():
                cells = [f"{values[label]:.3g} {UNITS[label]}" for label in LABELS]
                lines.append(f"| {name} | {statistic.replace('_', ' ')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _residual_figure(truth: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    """One panel per label the spectra have, over the rows that have it."""
    from stellarnn.evaluation.coverage import save_panels

    known = np.flatnonzero(np.isfinite(truth).any(axis=0))

    def panel(ax, j):
        i = known[j]
        name, residual = LABELS[i], predicted[:, i] - truth[:, i]
        ax.scatter(truth[:, i], residual, s=4, alpha=0.4)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel(f"true {name} ({UNITS[name]})")
        ax.set_ylabel(f"predicted - true ({UNITS[name]})")
        ax.set_title(f"sigma {np.nanstd(residual):.3g}, bias {np.nanmean(residual):.2g}")

    save_panels(panel, known.size, path, size=(4.0, 3.6))
