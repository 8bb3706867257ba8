"""fusion on real stars: which way of using real labelled data is best, and do the intervals hold?

On ../shared/data/gaia/fusion_gaia_dr3_gspphot_2500.csv (real Gaia DR3 GSP-Phot stars), 5-fold cross-validation
of three ways to train, each fold's network calibrated on a split of its own training rows:

- real: the fold's real rows only (from scratch);
- fine-tune: a network trained on the built-in population first, then trained further on the fold's rows;
- mixed: the fold's real rows plus built-in population stars, from scratch.

Beside each: scikit-learn's HistGradientBoostingRegressor on (log Teff, log L, log R), same folds; and the
coverage of the 68 % and 95 % intervals on the held-out folds. Also the built-in-trained network alone on all
2,500 stars, to show what the simulations give without real data (its intervals are calibrated on the
population). Real-data trainings use configs/fusion-catalogue.toml, the default of `train fusion --data FILE`;
the built-in network configs/fusion.toml (the same architecture, so it can be fine-tuned). About 35 minutes on
2 cores. Writes
benchmarks/results/fusion_real_data.json and reports under reports/fusion/real_data/. Skips without ../shared.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import write_result

ROOT = Path(__file__).resolve().parents[1]
GAIA = ROOT.parent / "shared" / "data" / "gaia" / "fusion_gaia_dr3_gspphot_2500.csv"
REPORTS = ROOT / "reports" / "fusion" / "real_data"


def summary(report: dict, seconds: float) -> dict:
    s = report["summary"]
    return {"mae": s["catalogue_mae"], "baseline_mae": s["baseline_mae"], "coverage": s["coverage"],
            "bias": {k: report["outputs"][k]["bias"] for k in s["catalogue_mae"]},
            "out_of_domain_stars": report.get("out_of_domain_stars"), "seconds": round(seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="fusion-catalogue", help="config of the real-data trainings")
    parser.add_argument("--builtin-config", default="fusion", help="config of the built-in network (fine-tune start)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mixed-stars", type=int, default=20000, help="population stars added in 'mixed'")
    parser.add_argument("--strategies", default="real,fine-tune,mixed")
    args = parser.parse_args()
    if not GAIA.is_file():
        print(f"skipped: {GAIA} not found")
        return
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-real-data-"))
    from stellarnn.models.fusion import config as fusion_config
    from stellarnn.models.fusion import evaluate, sources
    from stellarnn.models.fusion.calibration import calibrate
    from stellarnn.models.fusion.cross_validation import cross_validate
    from stellarnn.models.fusion.train import fit, split

    settings = fusion_config.load(args.config)
    builtin_settings = fusion_config.load(args.builtin_config)
    gaia = sources.load(str(GAIA), settings)
    results = {"config": settings.as_dict(), "builtin_config": builtin_settings.as_dict(), "seed": args.seed,
               "gaia_stars": len(gaia), "runs": {}}  # fmt: skip
    strategies = args.strategies.split(",")
    base = None
    if "fine-tune" in strategies or "builtin" in strategies:
        population = sources.load("builtin", builtin_settings)
        d = builtin_settings.data
        train_set, validation_set, calibration_set = split(
            population, (d.validation_fraction, d.calibration_fraction), args.seed
        )
        start = time.perf_counter()
        base = fit(builtin_settings, train_set, validation_set, args.seed).model
        calibrate(base, calibration_set, train_set)
        pred = base.predict(gaia.teff, gaia.lum, gaia.radius)
        report = evaluate.report(base, gaia, population, args.seed, predictions=pred)
        evaluate.write(report, REPORTS / "builtin", "fusion trained on the built-in population, on 2,500 Gaia DR3 "
                       "stars (intervals calibrated on the population)", figures_from=(gaia, pred))  # fmt: skip
        results["runs"]["builtin"] = summary(report, time.perf_counter() - start)
    for strategy in [s for s in strategies if s != "builtin"]:
        extra = None
        if strategy == "mixed":
            from dataclasses import replace

            small = replace(builtin_settings, data=replace(builtin_settings.data, population_stars=args.mixed_stars))
            extra = sources.load("builtin", small)
        start = time.perf_counter()
        report, pred, _ = cross_validate(settings, gaia, 5, args.seed, start_from=base if strategy == "fine-tune"
                                         else None, extra=extra)  # fmt: skip
        evaluate.write(report, REPORTS / f"cv5_{strategy}", f"fusion, 5-fold cross-validation on 2,500 Gaia DR3 "
                       f"stars ({strategy})", figures_from=(gaia, pred))  # fmt: skip
        results["runs"][f"cv5_{strategy}"] = summary(report, time.perf_counter() - start)
        print(strategy, results["runs"][f"cv5_{strategy}"], flush=True)
    results["reports"] = str(REPORTS.relative_to(ROOT))
    write_result("fusion_real_data", results)


if __name__ == "__main__":
    main()
