"""fusion against real Gaia DR3 (../shared/data/gaia/fusion_gaia_dr3_gspphot_2500.csv), in the fusion scheme so
every number compares with the original project:

1. trained on the built-in population only (configs/fusion.toml), scored on all 2,500 stars;
2. 5-fold cross-validation on the file itself;
3. the validation-loss reward (dynamic weight averaging) on and off, same seed: the ablation.

Each run writes a report (JSON, Markdown, figures) under reports/fusion/; the numbers land in
benchmarks/results/fusion_acceptance.json. Skips without ../shared. Takes about 20 minutes on 2 cores.
"""

import argparse
import os
import tempfile
from pathlib import Path

from common import write_result

ROOT = Path(__file__).resolve().parents[1]
GAIA = ROOT.parent / "shared" / "data" / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv"
REPORTS = ROOT / "reports" / "fusion"


def summary(report: dict) -> dict:
    outputs = report["outputs"]
    return {
        "formula_within_5_percent": {
            k: v["within_5_percent"] for k, v in outputs.items() if v.get("formula_defined") and "within_5_percent" in v
        },
        "class_accuracy": {k: v["accuracy"] for k, v in outputs.items() if "accuracy" in v},
        "catalogue_mae": report["summary"]["catalogue_mae"],
        "baseline_mae": report["summary"]["baseline_mae"],
        "original_rule_mean_of_16": sum(v["original_rule"] for v in outputs.values()) / len(outputs),
        "formula_violations": report.get("formula_violations", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="fusion")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not GAIA.is_file():
        print(f"skipped: {GAIA} not found")
        return
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-acceptance-"))
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion import evaluate, sources
    from stellarnn.models.fusion.cross_validation import cross_validate
    from stellarnn.models.fusion.train import fit, split

    settings = fusion_config.load(args.config).with_overrides(scheme="fusion")
    gaia = sources.load(str(GAIA), settings)
    population = sources.load("builtin", settings)
    train_set, validation_set = split(population, settings.data.validation_fraction, args.seed)

    results = {
        "config": settings.as_dict(),
        "seed": args.seed,
        "gaia_stars": len(gaia),
        "population_stars": len(population),
    }
    runs = {}
    for name, dwa in (("builtin_dwa", True), ("builtin_no_dwa", False)):
        fitted = fit(settings, train_set, validation_set, args.seed, dwa=dwa)
        pred = fitted.model.predict(gaia.teff, gaia.lum, gaia.radius)
        report = evaluate.report(fitted.model, gaia, population, args.seed, predictions=pred)
        report["training"] = {"seconds": round(fitted.seconds, 1), "epochs_run": fitted.epochs_run, **fitted.history}
        evaluate.write(
            report,
            REPORTS / name,
            f"fusion trained on the built-in population (DWA {'on' if dwa else 'off'}), scored on 2,500 Gaia DR3 stars",
            figures_from=(gaia, pred),
        )
        runs[name] = {
            **summary(report),
            "training_seconds": round(fitted.seconds, 1),
            "epochs_run": fitted.epochs_run,
            "best_val_unweighted_loss": min(fitted.history["val_unweighted_loss"]),
        }
    cv, cv_pred, _ = cross_validate(settings, gaia, folds=5, seed=args.seed)
    evaluate.write(
        cv,
        REPORTS / "gaia_cv5",
        "fusion, 5-fold cross-validation on 2,500 Gaia DR3 stars",
        figures_from=(gaia, cv_pred),
    )
    runs["gaia_cv5"] = summary(cv)
    results["runs"] = runs
    results["reports"] = str(REPORTS.relative_to(ROOT))
    write_result("fusion_acceptance", results)


if __name__ == "__main__":
    main()
