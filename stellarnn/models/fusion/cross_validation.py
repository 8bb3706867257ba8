"""k-fold cross-validation of fusion on one catalogue: a network and a baseline per fold, each network calibrated
on a split of its own fold's training rows, so the held-out fold measures both its errors and its intervals."""

import numpy as np

from stellarnn.evaluation.coverage import CURVE_LEVELS
from stellarnn.evaluation.folds import check_folds
from stellarnn.models.fusion import evaluate
from stellarnn.models.fusion.calibration import calibrate
from stellarnn.models.fusion.data import Dataset, concatenated
from stellarnn.models.fusion.train import fit, split
from stellarnn.models.probability import apply_temperature


def cross_validate(config, dataset: Dataset, folds: int = 5, seed: int = 1, console=None, start_from=None,
                   extra: Dataset | None = None) -> tuple[dict, dict, object]:  # fmt: skip
    """k-fold CV scored on the out-of-fold predictions of every star. ``start_from``: a FusionModel every fold
    fine-tunes; ``extra``: rows added to every fold's training part (e.g. the built-in population: mixed
    training), never to its validation, calibration or held-out rows."""
    from sklearn.model_selection import KFold

    check_folds(folds, len(dataset.teff), "stars")
    pred, base, widths, probabilities = {}, {}, {}, {}
    model = None
    d = config.data
    for k, (train_index, test_index) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(dataset.teff)):
        train_part, test_part = dataset.subset(train_index), dataset.subset(test_index)
        fit_set, validation_set, calibration_set = split(
            train_part, (d.validation_fraction, d.calibration_fraction), seed + k
        )
        if console is not None:
            console.print(
                f"fold {k + 1}/{folds}: {len(fit_set)} training, {len(validation_set)} validation, "
                f"{len(calibration_set)} calibration, {len(test_part)} held-out stars"
            )
        training = fit_set if extra is None else concatenated(fit_set, extra)
        model = fit(config, training, validation_set, seed + k, console=console, start_from=start_from).model
        calibrate(model, calibration_set, fit_set)
        fold_pred = model.predict(test_part.teff, test_part.lum, test_part.radius)
        fold_base = evaluate.gradient_boosting_baseline(train_part, test_part, model.catalogue_names, seed)
        for name, values in fold_pred.items():
            pred.setdefault(name, np.empty(len(dataset), dtype=values.dtype))[test_index] = values
        for name, values in fold_base.items():
            base.setdefault(name, np.empty(len(dataset)))[test_index] = values
        for name, calibration in model.calibrations.items():
            for level in CURVE_LEVELS:
                widths.setdefault(name, {}).setdefault(level, np.empty(len(dataset)))[test_index] = (
                    calibration.half_width(level)
                )
        temperatures = model.preprocessing["temperatures"]
        raw = model.class_probabilities(test_part.teff, test_part.lum, test_part.radius)
        for name, p in raw.items():
            probabilities.setdefault(name, np.empty((len(dataset), p.shape[1])))[test_index] = apply_temperature(
                p, temperatures.get(name, 1.0)
            )
    result = evaluate.report(model, dataset, None, seed, predictions=pred, baseline=base, widths=widths,
                             probabilities=probabilities)  # fmt: skip
    result["cross_validation"] = {"folds": folds, "seed": seed, "started_from": start_from is not None,
                                  "extra_training_stars": 0 if extra is None else len(extra)}  # fmt: skip
    return result, pred, model
