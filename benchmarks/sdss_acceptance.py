"""sdss acceptance: (1) stratified 20-fold CV on the built-in stars with full features, against dummy and
gradient-boosting baselines, with the feature ablation; (2) 20-fold CV of the photometry-only model on the real
SDSS stars of ../shared/data/sdss (class STAR; colours u-g, g-r, r-i, i-z + redshift; 5 classes), with the
reliability of its temperature-scaled probabilities; (strategies) 5-fold CV on those real stars of three ways
to train: the real stars alone, mixed with 20,000 built-in stars, the built-in stars alone (each fold's
validation stars are real and set the temperature); (3) the built-in-trained
photometry-only model applied to those real stars (sim-to-real). Reports go to reports/sdss/."""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import RESULTS, write_result

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "sdss" / "sdss_specobj_photometry_5555.csv"
REPORTS = ROOT / "reports" / "sdss"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="builtin,real,strategies",
                        help="any of builtin, real, strategies (the others keep their numbers)")  # fmt: skip
    parts = set(parser.parse_args().parts.split(","))
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-sdss-"))
    from dataclasses import replace

    from stellarnn.models.probability import apply_temperature, fit_temperature, reliability
    from stellarnn.models.sdss import metrics
    from stellarnn.models.sdss.config import load
    from stellarnn.models.sdss.data import labelled_stars
    from stellarnn.models.sdss.evaluate import cross_validation_report, write
    from stellarnn.models.sdss.features import CLASSES
    from stellarnn.models.sdss.train import fit, predict_probabilities

    settings = load()
    say = print
    previous = RESULTS / "sdss_acceptance.json"
    summary = (
        json.loads(previous.read_text()) if previous.is_file() and parts != {"builtin", "real", "strategies"} else {}
    )
    for key in ("benchmark", "date", "machine"):
        summary.pop(key, None)
    if "builtin" in parts:
        builtin = labelled_stars("builtin", settings, "full", progress=say)
        report = cross_validation_report(builtin, settings, settings.evaluation.folds, 1, say)
        write(report, REPORTS / "builtin_full_cv20")
        summary["builtin_full_cv20"] = {k: v["accuracy"] for k, v in report["scores"].items()}
        summary["builtin_full_cv20_order_distance"] = {k: v["order_distance"] for k, v in report["scores"].items()}
    if not parts & {"real", "strategies"}:
        write_result("sdss_acceptance", summary)
        return
    if not REAL.is_file():
        summary["real"] = f"skipped: {REAL} not found"
        write_result("sdss_acceptance", summary)
        return
    photometry = replace(settings, evaluation=replace(settings.evaluation, ablation_folds=5))
    real = labelled_stars(str(REAL), photometry, "photometry")
    if "strategies" in parts:
        summary["real_photometry_cv5_strategies"] = strategies(
            settings, real, labelled_stars("builtin", settings, "photometry")
        )
    if "real" not in parts:
        write_result("sdss_acceptance", summary)
        return
    real_report = cross_validation_report(real, photometry, 20, 1, say)
    write(real_report, REPORTS / "real_photometry_cv20")
    summary["real_photometry_cv20"] = {k: v["accuracy"] for k, v in real_report["scores"].items()}
    summary["real_photometry_cv20_ece"] = real_report["reliability"]["expected_calibration_error"]
    summary["real_rows"] = real.description

    sim = labelled_stars("builtin", settings, "photometry")
    order = np.random.default_rng(1).permutation(len(sim.y))
    cut = int(0.8 * len(order))
    fitted = fit(settings, sim.x[order[:cut]], sim.y[order[:cut]], sim.x[order[cut:]], sim.y[order[cut:]], 1)
    temperature = fit_temperature(predict_probabilities(fitted, sim.x[order[cut:]]), sim.y[order[cut:]])
    probabilities = apply_temperature(predict_probabilities(fitted, real.x), temperature)
    predicted = np.argmax(probabilities, axis=1)
    sim_to_real = {
        "kind": "stored model",
        "model": "photometry-only network trained on the built-in stars",
        "data": real.description,
        "stars": len(real.y),
        "scores": metrics.scores(real.y, predicted),
        "per_class": metrics.per_class(real.y, predicted),
        "confusion": metrics.confusion(real.y, predicted),
        "predicted_classes": {c: int(n) for c, n in zip(CLASSES, np.bincount(predicted, minlength=7), strict=True)},
        "reliability": reliability(probabilities, real.y),  # temperature from the simulated validation stars
    }
    write(sim_to_real, REPORTS / "sim_to_real_photometry")
    summary["sim_to_real_accuracy"] = sim_to_real["scores"]["accuracy"]
    summary["sim_to_real_ece"] = sim_to_real["reliability"]["expected_calibration_error"]
    summary["sim_to_real_per_class_recall"] = {c: m["recall"] for c, m in sim_to_real["per_class"].items()}
    write_result("sdss_acceptance", summary)
    json.dump(summary, sys.stdout, indent=2)


def strategies(settings, real, builtin, folds: int = 5, mixed_stars: int = 20_000) -> dict:
    """Accuracy and ECE, out of fold on the real stars, of networks trained on the real stars alone, on them plus
    built-in stars, and on built-in stars alone; gradient boosting on the real stars beside them."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, train_test_split

    from stellarnn.models.probability import apply_temperature, fit_temperature, reliability
    from stellarnn.models.sdss.train import fit, predict_probabilities

    extra = np.random.default_rng(0).choice(len(builtin.y), mixed_stars, replace=False)
    xb, yb = builtin.x[extra], builtin.y[extra]
    ways = {"real stars alone": lambda i: (real.x[i], real.y[i]),
            "real + built-in stars": lambda i: (np.concatenate([real.x[i], xb]), np.concatenate([real.y[i], yb])),
            "built-in stars alone": lambda i: (xb, yb)}  # fmt: skip
    out = {}
    split = list(StratifiedKFold(folds, shuffle=True, random_state=1).split(real.x, real.y))
    for name, training in ways.items():
        probabilities = np.empty((len(real.y), 7))
        for k, (train, test) in enumerate(split):
            fit_rows, val = train_test_split(train, test_size=0.2, random_state=1 + k, stratify=real.y[train])
            x, y = training(fit_rows)
            fitted = fit(settings, x, y, real.x[val], real.y[val], 1 + k)
            temperature = fit_temperature(predict_probabilities(fitted, real.x[val]), real.y[val])
            probabilities[test] = apply_temperature(predict_probabilities(fitted, real.x[test]), temperature)
        out[name] = {"accuracy": float(np.mean(probabilities.argmax(1) == real.y)),
                     "ece": reliability(probabilities, real.y)["expected_calibration_error"]}  # fmt: skip
    boosted = np.empty(len(real.y), int)
    for train, test in split:
        boosted[test] = (
            HistGradientBoostingClassifier(random_state=1).fit(real.x[train], real.y[train]).predict(real.x[test])
        )
    out["gradient boosting (real stars)"] = {"accuracy": float(np.mean(boosted == real.y))}
    return out


if __name__ == "__main__":
    main()
