"""k-fold cross-validation of fusion on one catalogue: a network and a baseline per fold."""

import numpy as np

from stellarnn.models.fusion import evaluate
from stellarnn.models.fusion.data import Dataset
from stellarnn.models.fusion.train import fit, split


def cross_validate(config, dataset: Dataset, folds: int = 5, seed: int = 1, console=None) -> tuple[dict, dict, object]:
    """k-fold CV: a network and a baseline per fold, scored on the out-of-fold predictions of every star."""
    from sklearn.model_selection import KFold

    pred, base = {}, {}
    model = None
    for k, (train_index, test_index) in enumerate(KFold(folds, shuffle=True, random_state=seed).split(dataset.teff)):
        train_part, test_part = dataset.subset(train_index), dataset.subset(test_index)
        fit_set, validation_set = split(train_part, config.data.validation_fraction, seed + k)
        if console is not None:
            console.print(
                f"fold {k + 1}/{folds}: {len(fit_set)} training, {len(validation_set)} validation, "
                f"{len(test_part)} held-out stars"
            )
        model = fit(config, fit_set, validation_set, seed + k, console=console).model
        fold_pred = model.predict(test_part.teff, test_part.lum, test_part.radius)
        fold_base = evaluate.gradient_boosting_baseline(train_part, test_part, evaluate.catalogue_names(model), seed)
        for name, values in fold_pred.items():
            pred.setdefault(name, np.empty(len(dataset), dtype=values.dtype))[test_index] = values
        for name, values in fold_base.items():
            base.setdefault(name, np.empty(len(dataset)))[test_index] = values
    result = evaluate.report(model, dataset, None, seed, predictions=pred, baseline=base)
    result["cross_validation"] = {"folds": folds, "seed": seed}
    return result, pred, model
