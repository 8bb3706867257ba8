"""How good a fusion network is, stated plainly: per-output errors, class scores, formula violations, and a
gradient-boosting baseline for the three catalogue quantities, trained on the same data.

Targets: formula outputs and classes from the physics engine in the model's scheme (so they equal the Fusion
file's columns in the fusion scheme), catalogue quantities from the data.
"""

from pathlib import Path

import numpy as np

from stellarnn.evaluation.coverage import CURVE_LEVELS, interval_scores
from stellarnn.evaluation.metrics import fraction_within, fusion_original_rule
from stellarnn.evaluation.reports import strict_json
from stellarnn.models import domain
from stellarnn.models.fusion.data import Dataset, unlabelled_outputs
from stellarnn.models.fusion.outputs import CLASSIFICATION, physics_estimate
from stellarnn.models.probability import apply_temperature, reliability
from stellarnn.physics.engine import SCHEMES


def _regression(pred, true) -> dict:
    ok = np.isfinite(true) & np.isfinite(pred)
    if not ok.any():
        return {"stars": 0}
    err = pred[ok] - true[ok]
    return {
        "stars": int(ok.sum()),
        "mae": float(np.mean(np.abs(err))),
        "bias": float(np.mean(err)),
        "sigma": float(np.std(err)),
        "median_abs_error": float(np.median(np.abs(err))),
        "within_5_percent": fraction_within(pred[ok], true[ok], 0.05),
        "original_rule": fusion_original_rule(pred[ok], true[ok]),
    }


def _classes(pred, true, labels) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    ok = true >= 0
    present = sorted(set(true[ok]) | set(pred[ok]))
    precision, recall, f1, _ = precision_recall_fscore_support(
        true[ok], pred[ok], labels=present, average="macro", zero_division=0
    )
    return {
        "stars": int(ok.sum()),
        "accuracy": float(np.mean(pred[ok] == true[ok])),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1),
        "original_rule": fusion_original_rule(pred[ok], true[ok], classes=True),
        "labels": [labels[i] for i in present],
        "confusion": confusion_matrix(true[ok], pred[ok], labels=present).tolist(),
        "predicted_classes": sorted({labels[i] for i in pred}),
    }


def metrics(model, dataset: Dataset, predictions: dict | None = None) -> dict:
    """Per-output metrics of the network alone (method nn) against the dataset's targets."""
    pred = predictions if predictions is not None else model.predict(dataset.teff, dataset.lum, dataset.radius)
    result = {}
    for out in model.preprocessing["outputs"]:
        name, true = out["name"], dataset.targets[out["name"]]
        if out["kind"] == CLASSIFICATION:
            result[name] = _classes(pred[f"{name}_code"], true, out["labels"])
        else:
            result[name] = _regression(pred[name], true)
        result[name]["formula_defined"] = out["formula"]
    return result


def formula_violations(model, dataset: Dataset, pred: dict) -> dict:
    """How far the network's outputs stray from the formulas applied to its own inputs and mass (the
    median |difference| in the output's target space: dex for logarithmic outputs, mag for magnitudes)."""
    scheme, band = SCHEMES[model.scheme], model.preprocessing["magnitude_band"]
    logs = np.log10(np.column_stack([dataset.teff, dataset.lum, dataset.radius]))
    log_mass = np.log10(pred["mass_Msun"])
    found = {}
    for out in model.preprocessing["outputs"]:
        name = out["name"]
        estimate = physics_estimate(name, scheme.constants, band)
        if out["kind"] == CLASSIFICATION or not out["formula"] or estimate is None or name == "mass_Msun":
            continue
        (a_t, a_l, a_r), offset = estimate
        # replace the estimate's L^(2/7) mass term by the network's own mass
        mass_power = {
            "density_rhosun": 1,
            "log_central_pressure_Pa": 2,
            "log_central_temperature_K": 1,
            "lifespan_tsun": 1,
            "log_binding_energy_J": 2,
        }.get(name, 0)
        a_l_without_mass = a_l - mass_power * 2.0 / 7.0
        formula = a_t * logs[:, 0] + a_l_without_mass * logs[:, 1] + a_r * logs[:, 2] + offset + mass_power * log_mass
        value = np.log10(pred[name]) if out["log_target"] else pred[name]
        ok = np.isfinite(value) & np.isfinite(formula)
        if ok.any():
            found[name] = float(np.median(np.abs(value[ok] - formula[ok])))
    return found


def gradient_boosting_baseline(train: Dataset, test: Dataset, names, seed: int = 1) -> dict:
    """scikit-learn HistGradientBoosting on (log Teff, log L, log R), one model per catalogue quantity."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    features = lambda d: np.log10(np.column_stack([d.teff, d.lum, d.radius]))  # noqa: E731
    x_train, x_test = features(train), features(test)
    predictions = {}
    for name in names:
        y = train.targets[name]
        ok = np.isfinite(y)
        if ok.sum() < 20:
            continue
        model = HistGradientBoostingRegressor(random_state=seed).fit(x_train[ok], y[ok])
        predictions[name] = model.predict(x_test)
    return predictions


def half_widths(model, n: int) -> dict[str, dict[float, np.ndarray]]:
    """The stored model's interval half widths at every curve level, per calibrated output, for n stars."""
    return {name: {level: np.full(n, c.half_width(level)) for level in CURVE_LEVELS}
            for name, c in model.calibrations.items()}  # fmt: skip


def report(
    model,
    test: Dataset,
    baseline_train: Dataset | None,
    seed: int = 1,
    predictions: dict | None = None,
    baseline: dict | None = None,
    widths: dict | None = None,
    probabilities: dict | None = None,
) -> dict:
    """``widths`` (output -> level -> half width per star) and ``probabilities`` (class output -> calibrated
    probabilities per star) default to the model's own calibration; cross-validation passes each fold's.
    Catalogue outputs no row of ``test`` labels are left out (listed under ``unlabelled_outputs``); a ``test``
    without rows or without any label is refused."""
    unlabelled = unlabelled_outputs(test, model.catalogue_names)
    pred = predictions if predictions is not None else model.predict(test.teff, test.lum, test.radius)
    scored = {name: m for name, m in metrics(model, test, pred).items() if name not in unlabelled}
    result = {"scheme": model.scheme, "stars": len(test), "outputs": scored}
    if unlabelled:
        result["unlabelled_outputs"] = unlabelled
    widths = half_widths(model, len(test)) if widths is None else widths
    for name, by_level in widths.items():
        if name in scored:
            scored[name]["intervals"] = interval_scores(test.targets[name], pred[name], by_level)
    if probabilities is None:
        raw = model.class_probabilities(test.teff, test.lum, test.radius)
        temperatures = model.preprocessing.get("temperatures", {})
        probabilities = {k: apply_temperature(p, temperatures.get(k, 1.0)) for k, p in raw.items()}
    for name, p in probabilities.items():
        known = test.targets[name] >= 0
        if known.any():
            result["outputs"][name]["reliability"] = reliability(p[known], test.targets[name][known])
    if domain.FLAG in pred:
        result["out_of_domain_stars"] = int(np.sum(pred[domain.FLAG]))
    result["formula_violations"] = formula_violations(model, test, pred)
    if baseline is None and baseline_train is not None:
        baseline = gradient_boosting_baseline(baseline_train, test, model.catalogue_names, seed)
    if baseline:
        result["baseline_hist_gradient_boosting"] = {
            name: _regression(p, test.targets[name]) for name, p in baseline.items() if name in scored
        }
    numeric = [v for v in result["outputs"].values() if "within_5_percent" in v and v.get("formula_defined")]
    result["summary"] = {
        "formula_outputs_min_within_5_percent": min((v["within_5_percent"] for v in numeric), default=None),
        "class_accuracy": {k: v["accuracy"] for k, v in result["outputs"].items() if "accuracy" in v},
        "catalogue_mae": {k: scored[k]["mae"] for k in model.catalogue_names if "mae" in scored.get(k, {})},
        "baseline_mae": {
            k: v["mae"] for k, v in result.get("baseline_hist_gradient_boosting", {}).items() if "mae" in v
        },
        "coverage": {
            k: {level: v["intervals"][level]["coverage"] for level in ("0.68", "0.95")}
            for k, v in result["outputs"].items()
            if "intervals" in v
        },
    }
    return result


def write(report_dict: dict, out_dir: Path, title: str, figures_from=None) -> list[Path]:
    """report.json, report.md and (given predictions) figures in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.json", out_dir / "report.md"]
    written[0].write_text(strict_json(report_dict))
    written[1].write_text(markdown(report_dict, title))
    if figures_from is not None:
        written += figures(report_dict, *figures_from, out_dir)
    return written


def markdown(r: dict, title: str) -> str:
    lines = [f"# {title}", "", f"Scheme: `{r['scheme']}`; stars: {r['stars']:,}.", ""]
    lines += [
        "| output | stars | MAE | median abs error | within ±5 % | original rule | GBM MAE |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = r.get("baseline_hist_gradient_boosting", {})
    for name, m in r["outputs"].items():
        if "accuracy" in m:
            continue
        gbm = f"{base[name]['mae']:.4g}" if name in base and "mae" in base[name] else ""
        if m.get("stars", 0) == 0:
            lines.append(f"| {name} | 0 | | | | | {gbm} |")
            continue
        lines.append(
            f"| {name} | {m['stars']:,} | {m['mae']:.4g} | {m['median_abs_error']:.4g} | {m['within_5_percent']:.2%} "
            f"| {m['original_rule']:.2%} | {gbm} |"
        )
    lines += [
        "",
        "| class output | stars | accuracy | precision (macro) | recall (macro) | F1 (macro) | original rule |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in r["outputs"].items():
        if "accuracy" in m:
            lines.append(
                f"| {name} | {m['stars']:,} | {m['accuracy']:.2%} | {m['precision_macro']:.3f} "
                f"| {m['recall_macro']:.3f} | {m['f1_macro']:.3f} | {m['original_rule']:.2%} |"
            )
    intervals = {name: m["intervals"] for name, m in r["outputs"].items() if "intervals" in m}
    if intervals:
        lines += [
            "",
            "Prediction intervals (conformal, calibrated on a split the network never trained on): the share of "
            "stars whose catalogue value lies inside, and the mean half width.",
            "",
            "| output | bias | sigma | coverage 68 % | coverage 95 % | half width 68 % | half width 95 % |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, by_level in intervals.items():
            m, low, high = r["outputs"][name], by_level["0.68"], by_level["0.95"]
            if m.get("stars", 0) == 0:  # labelled, but no star with a prediction
                continue
            lines.append(
                f"| {name} | {m['bias']:.3g} | {m['sigma']:.3g} | {low['coverage']:.1%} | {high['coverage']:.1%} "
                f"| {low['mean_half_width']:.3g} | {high['mean_half_width']:.3g} |"
            )
    if r.get("unlabelled_outputs"):
        lines += ["", f"No row of the data labels {', '.join(r['unlabelled_outputs'])}: left out of this report."]
    if "out_of_domain_stars" in r:
        lines += ["", f"Stars outside the training data's region of the HR diagram: {r['out_of_domain_stars']:,}."]
    ece = {
        name: m["reliability"]["expected_calibration_error"] for name, m in r["outputs"].items() if "reliability" in m
    }
    if ece:
        lines += [
            "",
            "Class probabilities, expected calibration error: " + ", ".join(f"{k} {v:.4f}" for k, v in ece.items()),
        ]
    if r.get("formula_violations"):
        lines += ["", "Median violation of the formulas by the network's outputs (dex or mag, with its own mass):", ""]
        lines += [f"- {k}: {v:.2g}" for k, v in r["formula_violations"].items()]
    return "\n".join(lines) + "\n"


def figures(r: dict, test: Dataset, pred: dict, out_dir: Path) -> list[Path]:
    from stellarnn.evaluation.coverage import coverage_panel, reliability_panel, save_panels
    from stellarnn.evaluation.plots import confusion_panel

    classes = [(k, m) for k, m in r["outputs"].items() if "confusion" in m]

    def confusion(ax, i):
        name, m = classes[i]
        confusion_panel(ax, m["confusion"], m["labels"], f"{name} (accuracy {m['accuracy']:.2%})")

    paths = [save_panels(confusion, len(classes), out_dir / "confusion_matrices.png", (5.5, 5))]
    names = [n for n, m in r["outputs"].items() if "mae" in m and not m["formula_defined"]]

    def residuals(ax, i):
        name = names[i]
        true = test.targets[name]
        ok = np.isfinite(true)
        ax.hexbin(true[ok], pred[name][ok] - true[ok], gridsize=60, bins="log", cmap="viridis")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel(f"true {name}")
        ax.set_ylabel("predicted - true")
        ax.set_title(f"{name}: MAE {r['outputs'][name]['mae']:.3f}")

    paths.append(save_panels(residuals, len(names), out_dir / "residuals.png"))
    curves = {name: m["intervals"] for name, m in r["outputs"].items() if "intervals" in m}
    if curves:
        paths.append(save_panels(lambda ax, i: coverage_panel(ax, curves, "fusion intervals"), 1,
                                 out_dir / "coverage.png"))  # fmt: skip
    reliable = [(name, m["reliability"]) for name, m in r["outputs"].items() if "reliability" in m]
    if reliable:
        paths.append(save_panels(lambda ax, i: reliability_panel(ax, reliable[i][1], reliable[i][0]), len(reliable),
                                 out_dir / "reliability.png"))  # fmt: skip
    return paths
