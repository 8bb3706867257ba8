"""spectra acceptance: (1) held-out synthetic spectra — train the ensemble on a config's grid (held-out
atmospheres never trained on), evaluate with noise at the config's S/N; (2) instrument independence — the same
training code on spectra from The Payne's APOGEE emulator in ../shared/data/spectra_emulator, scored on
held-out emulated spectra with the same noise. Both record the coverage of the conformal intervals at 68 % and
95 % per label on the held-out spectra (calibrated on the validation spectra, as `train spectra` does). Reports
go to reports/spectra/."""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import RESULTS, write_result

ROOT = Path(__file__).resolve().parents[1]
EMULATOR = ROOT.parent / "shared" / "data" / "spectra_emulator"
REPORTS = ROOT / "reports" / "spectra"


def synthetic(config: str, summary: dict) -> None:
    from stellarnn.models.spectra.evaluate import evaluate
    from stellarnn.models.spectra.system import train

    start = time.perf_counter()
    trained = train(config=config, seed=1, console=None)
    seconds = time.perf_counter() - start
    report = evaluate(out=REPORTS / f"synthetic-{Path(config).stem}", model_id=trained.artifact.id)
    # report["coverage"]: {label: {"0.68": share inside, "0.95": ...}} of the held-out spectra (evaluate spectra)
    summary[f"synthetic_{Path(config).stem}"] = {"train_seconds": seconds, **report}


def emulator(spectra: int, epochs: int | None, summary: dict) -> None:
    from stellarnn.datasets.spectra.emulator import emulated_spectra, load_emulator
    from stellarnn.datasets.spectra.synthesize import with_noise
    from stellarnn.models import domain
    from stellarnn.models.conformal import REPORTED_LEVELS
    from stellarnn.models.spectra import calibration
    from stellarnn.models.spectra.config import load
    from stellarnn.models.spectra.train import fit, predict, residual_scores

    if not EMULATOR.is_dir():
        summary["emulator"] = f"skipped: {EMULATOR} not found"
        return
    settings = load()
    flux, labels = emulated_spectra(load_emulator(EMULATOR), spectra, seed=1)
    y = labels.to_numpy(dtype=np.float32)
    n_test, n_val = spectra // 10, spectra // 5
    test, val, train = slice(0, n_test), slice(n_test, n_test + n_val), slice(n_test + n_val, spectra)
    start = time.perf_counter()
    fitted = fit(settings, flux[train], y[train], flux[val], y[val], seed=1, epochs=epochs, say=print)
    noisy = with_noise(flux[test], settings.data.snr, np.random.default_rng(8))
    mean, spread = predict(fitted.members, fitted.mean, fitted.scale, noisy)
    # intervals as `train spectra` makes them: calibrated on the validation spectra (fresh noise), binned by the
    # predicted region (the emulator's Teff 4200-7000 K are nearly all line-rich, so mostly one bin)
    names = tuple(labels.columns)
    noisy_val = with_noise(flux[val], settings.data.snr, np.random.default_rng(12))
    on_val = predict(fitted.members, fitted.mean, fitted.scale, noisy_val)[0]
    box = domain.from_json(calibration.training_box(y[train], names))
    intervals = calibration.Intervals(calibration.calibrate(y[val], on_val, y[train], names), box, names)
    interval_scores = intervals.scores(y[test], mean, REPORTED_LEVELS)
    report = {
        "emulator": "The Payne, APOGEE H band (Ting et al. 2019), 7,214 pixels",
        "labels_drawn": "uniform over the emulator's training domain",
        "spectra": {"train": int(flux[train].shape[0]), "validation": n_val, "test": n_test},
        "snr": settings.data.snr,
        "epochs_run": fitted.epochs_run,
        "train_seconds": time.perf_counter() - start,
        "scores": residual_scores(y[test], mean, labels.columns),
        "label_std": dict(zip(labels.columns, y[test].std(axis=0).tolist(), strict=True)),
        "coverage": calibration.coverage(interval_scores),
        "intervals": interval_scores,
        "out_of_domain": int(intervals.outside(mean).sum()),
    }
    out = REPORTS / "emulator"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    summary["emulator"] = report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="synthetic,emulator")
    parser.add_argument("--config", default="spectra", help="spectra config for the synthetic part")
    parser.add_argument("--emulator-spectra", type=int, default=10_000)
    parser.add_argument("--emulator-epochs", type=int, default=None, help="default: the config's")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    os.environ.setdefault("STELLARNN_HOME", tempfile.mkdtemp(prefix="stellarnn-spectra-"))
    previous = RESULTS / "spectra_acceptance.json"
    summary = json.loads(previous.read_text()) if previous.is_file() else {}
    for key in ("benchmark", "date", "machine"):
        summary.pop(key, None)
    if "synthetic" in parts:
        synthetic(args.config, summary)
    if "emulator" in parts:
        emulator(args.emulator_spectra, args.emulator_epochs, summary)
    write_result("spectra_acceptance", summary)
    json.dump(summary, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
