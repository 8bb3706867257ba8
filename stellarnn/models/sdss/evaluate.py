"""`stellarnn evaluate sdss`: a stored model on a table, or stratified k-fold cross-validation with dummy and
gradient-boosting baselines, the cost-aware order distance, per-class scores, a confusion figure and a feature
ablation table. Writes report.json, report.md and confusion.png."""

from pathlib import Path

import numpy as np

from stellarnn.errors import UserInputError
from stellarnn.evaluation.reports import strict_json
from stellarnn.models.probability import apply_temperature, fit_temperature, reliability
from stellarnn.models.sdss import metrics
from stellarnn.models.sdss.features import BANDS, CLASSES, COLOURS

PHOTOMETRY = (*(f"{b}_mag" for b in BANDS), *COLOURS)
ABLATIONS = {  # name -> features left out
    "all features": (),
    "without photometry (ugriz, colours)": PHOTOMETRY,
    "without Teff": ("teff_K",),
    "without log g": ("logg_cgs",),
    "without [Fe/H]": ("feh_dex",),
    "without redshift": ("redshift",),
    "photometry and redshift only": ("teff_K", "logg_cgs", "feh_dex"),
    "Teff only": (*PHOTOMETRY, "logg_cgs", "feh_dex", "redshift"),
}


def evaluate(
    data: str = "builtin",
    out: Path | None = None,
    model_id: str | None = None,
    folds: int = 0,
    config: str | None = None,
    seed: int = 1,
    features: str | None = None,
    console=None,
) -> dict:
    """Score a stored model on ``data``, or cross-validate on it with ``folds``. A user's file with rows whose
    features are missing or invalid is refused naming them (as ``classify`` does), not scored on the rest."""
    from stellarnn.models.sdss.config import load
    from stellarnn.models.sdss.data import labelled_stars
    from stellarnn.models.sdss.features import FEATURE_SETS

    if features is not None and features not in FEATURE_SETS:
        raise UserInputError(f"--features must be one of {', '.join(FEATURE_SETS)}, got '{features}'")
    settings = load(config)
    out = Path(out or Path("reports") / "sdss")
    say = console.print if console is not None else (lambda *a, **k: None)
    on_error = "skip" if data in ("builtin", "sdss") else "fail"  # built-in and downloaded rows are counted
    if folds:
        if folds < 2:
            raise UserInputError(f"--cross-validate needs at least 2 folds, got {folds}")
        stars = labelled_stars(data, settings, features, progress=lambda m: say(f"[dim]{m}[/]"), on_error=on_error)
        _say_left_out(stars, say)
        report = cross_validation_report(stars, settings, folds, seed, say)
    else:
        report = _stored_model_report(data, settings, model_id, on_error, say)
    write(report, out)
    return report


def _say_left_out(stars, say) -> None:
    """Rows without an O-M label or usable features are not scored: say how many (the report counts them too)."""
    d = stars.description
    for n, why in ((d["rows_without_usable_features"], "missing or invalid features"),
                   (d["rows_without_obafgkm_label"], f"no O-M label in {d['label_column']}")):  # fmt: skip
        if n:
            say(f"{n:,} of {d['rows']:,} rows left out: {why}")


def _stored_model_report(data: str, settings, model_id: str | None, on_error: str, say) -> dict:
    from stellarnn.models.sdss.data import labelled_stars
    from stellarnn.models.sdss.system import load

    model = load(model_id)
    stars = labelled_stars(data, settings, model.features, on_error=on_error)
    _say_left_out(stars, say)
    probabilities = model.probabilities(stars.x)
    predicted = np.argmax(probabilities, axis=1)
    return {
        "kind": "stored model",
        "model": model.artifact.id,
        "data": stars.description,
        "stars": len(stars.y),
        "scores": metrics.scores(stars.y, predicted),
        "per_class": metrics.per_class(stars.y, predicted),
        "confusion": metrics.confusion(stars.y, predicted),
        "reliability": reliability(probabilities, stars.y),
        "out_of_domain": int((~model.in_domain(stars.x)).sum()),
    }


def _folds(y: np.ndarray, k: int, seed: int):
    import warnings

    from sklearn.model_selection import StratifiedKFold

    from stellarnn.evaluation.folds import check_folds

    check_folds(k, len(y), "stars")
    with warnings.catch_warnings():  # classes rarer than k (O, B) cannot appear in every fold; that is expected
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def _network_probabilities(stars, settings, k: int, seed: int, keep: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold probabilities of the network (trained per fold, early-stopped on 20 % of the fold's training
    rows, whose probabilities then set its temperature, as `train sdss` does)."""
    from sklearn.model_selection import train_test_split

    from stellarnn.models.sdss.train import fit, predict_probabilities

    x = stars.x if keep is None else stars.x[:, keep]
    out = np.empty((len(stars.y), len(CLASSES)))
    for i, (train, test) in enumerate(_folds(stars.y, k, seed)):
        fit_idx, val_idx = train_test_split(train, test_size=0.2, random_state=seed + i)
        fitted = fit(settings, x[fit_idx], stars.y[fit_idx], x[val_idx], stars.y[val_idx], seed + i)
        temperature = fit_temperature(predict_probabilities(fitted, x[val_idx]), stars.y[val_idx])
        out[test] = apply_temperature(predict_probabilities(fitted, x[test]), temperature)
    return out


def _network_predictions(stars, settings, k: int, seed: int, keep: np.ndarray | None = None) -> np.ndarray:
    return np.argmax(_network_probabilities(stars, settings, k, seed, keep), axis=1)


def _fold_scores(y: np.ndarray, predicted: np.ndarray, k: int, seed: int) -> dict:
    """Mean and standard deviation over the folds of every score."""
    per_fold = [metrics.scores(y[test], predicted[test]) for _, test in _folds(y, k, seed)]
    return {
        name: {"mean": float(np.mean([f[name] for f in per_fold])), "std": float(np.std([f[name] for f in per_fold]))}
        for name in per_fold[0]
    }


def network_cross_validation(stars, settings, k: int, seed: int) -> dict:
    """Mean ± std over k stratified folds of the network's scores (no baselines, no ablation)."""
    return _fold_scores(stars.y, _network_predictions(stars, settings, k, seed), k, seed)


def _baseline_predictions(stars, k: int, seed: int) -> dict[str, np.ndarray]:
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import HistGradientBoostingClassifier

    out = {"dummy (most frequent)": np.empty_like(stars.y), "gradient boosting": np.empty_like(stars.y)}
    for train, test in _folds(stars.y, k, seed):
        out["dummy (most frequent)"][test] = (
            DummyClassifier().fit(stars.x[train], stars.y[train]).predict(stars.x[test])
        )
        # Early stopping on the training loss: the default held-out split is stratified and fails on a class
        # with one star (one O star in 60,000), and without early stopping that star makes the fit unstable.
        gbm = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=None, random_state=seed)
        gbm.fit(stars.x[train], stars.y[train])
        out["gradient boosting"][test] = gbm.predict(stars.x[test])
    return out


def cross_validation_report(stars, settings, k: int, seed: int, say) -> dict:
    say(f"{k}-fold cross-validation on {len(stars.y):,} stars: network")
    probabilities = _network_probabilities(stars, settings, k, seed)
    network = np.argmax(probabilities, axis=1)
    say("baselines: dummy, gradient boosting")
    baselines = _baseline_predictions(stars, k, seed)
    models = {"network": network, **baselines}
    report = {
        "kind": "cross-validation",
        "folds": k,
        "seed": seed,
        "data": stars.description,
        "stars": len(stars.y),
        "class_counts": {c: int(n) for c, n in zip(CLASSES, np.bincount(stars.y, minlength=7), strict=True) if n},
        "features": list(stars.feature_names),
        "scores": {name: _fold_scores(stars.y, p, k, seed) for name, p in models.items()},
        "per_class": metrics.per_class(stars.y, network),
        "confusion": metrics.confusion(stars.y, network),
        "reliability": reliability(probabilities, stars.y),
    }
    ablation_k = settings.evaluation.ablation_folds
    report["ablation"] = {"folds": ablation_k, "rows": {}}
    for name, left_out in ABLATIONS.items():
        keep = np.array([f not in left_out for f in stars.feature_names])
        if not keep.any() or (left_out and keep.all()):
            continue  # nothing left, or the feature is not in this feature set
        say(f"ablation ({ablation_k} folds): {name}")
        predicted = _network_predictions(stars, settings, ablation_k, seed, keep)
        report["ablation"]["rows"][name] = _fold_scores(stars.y, predicted, ablation_k, seed)
    return report


def write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(strict_json(report))
    (out / "report.md").write_text(markdown(report))
    _confusion_figure(report, out / "confusion.png")
    from stellarnn.evaluation.coverage import reliability_panel, save_panels

    if "reliability" in report:
        save_panels(lambda ax, i: reliability_panel(ax, report["reliability"], "sdss probabilities"), 1,
                    out / "reliability.png")  # fmt: skip


def _pm(score: dict, name: str, percent: bool = True) -> str:
    s = score[name]
    return f"{s['mean']:.2%} ± {s['std']:.2%}" if percent else f"{s['mean']:.3f} ± {s['std']:.3f}"


def markdown(r: dict) -> str:
    lines = [f"# sdss: {r['kind']}", "", f"Stars: {r['stars']:,} from {r['data'].get('file', r['data'])}", ""]
    if r["kind"] == "cross-validation":
        lines += [f"Classes: {r['class_counts']}", "", f"## {r['folds']}-fold stratified cross-validation", ""]
        lines += ["| model | accuracy | precision (w) | recall (w) | F1 (w) | F1 (macro) | order distance |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for name, s in r["scores"].items():
            cells = [_pm(s, m) for m in ("accuracy", "precision_weighted", "recall_weighted", "f1_weighted",
                                          "f1_macro")] + [_pm(s, "order_distance", False)]  # fmt: skip
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", f"## Feature ablation ({r['ablation']['folds']} folds, network)", "",
                  "| features | accuracy | F1 (macro) | order distance |", "|---|---|---|---|"]  # fmt: skip
        for name, s in r["ablation"]["rows"].items():
            lines.append(
                f"| {name} | {_pm(s, 'accuracy')} | {_pm(s, 'f1_macro')} | {_pm(s, 'order_distance', False)} |"
            )
    else:
        s = r["scores"]
        lines += [f"Model {r['model']}: accuracy {s['accuracy']:.2%}, F1 (macro) {s['f1_macro']:.2%}, "
                  f"order distance {s['order_distance']:.3f}"]  # fmt: skip
    lines += ["", "## Per class (network)", "", "| class | precision | recall | F1 | stars |", "|---|---|---|---|---|"]
    for c, m in r["per_class"].items():
        lines.append(f"| {c} | {m['precision']:.2%} | {m['recall']:.2%} | {m['f1']:.2%} | {m['stars']} |")
    ece = r.get("reliability", {}).get("expected_calibration_error", float("nan"))
    lines += ["", f"Probabilities (temperature-scaled on each model's validation split): expected calibration error "
              f"{ece:.4f} (reliability.png)."]  # fmt: skip
    if r.get("out_of_domain"):
        lines += ["", f"Stars with features outside the model's training range: {r['out_of_domain']:,}."]
    lines += ["", "Order distance: mean |index(true) - index(predicted)| in O-B-A-F-G-K-M (O taken for M costs 6).", ""]
    return "\n".join(lines)


def _confusion_figure(r: dict, path: Path) -> None:
    from stellarnn.evaluation.coverage import save_panels
    from stellarnn.evaluation.plots import confusion_panel

    matrix = np.array(r["confusion"])
    present = np.flatnonzero(matrix.sum(axis=0) + matrix.sum(axis=1))
    labels = [CLASSES[i] for i in present]
    accuracy = (
        r["scores"]["network"]["accuracy"]["mean"] if r["kind"] == "cross-validation" else r["scores"]["accuracy"]
    )
    save_panels(lambda ax, i: confusion_panel(ax, matrix[np.ix_(present, present)], labels,
                                              f"sdss (accuracy {accuracy:.2%})"), 1, path, (6, 5.5))  # fmt: skip
