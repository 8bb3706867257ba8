"""Losses and callbacks for training fusion: masked losses with adjustable weights, the validation-loss
reward made real (dynamic weight averaging).

The original subtracted a "validation-loss reward" that did not depend on the weights, so training ignored
it. Here the reward changes the optimisation: after each epoch every output's loss weight is set by dynamic
weight averaging (Liu, Johns & Davison 2019, CVPR), lambda_k = K softmax_k(r_k / T) with r_k the ratio of the
output's last two validation losses, so outputs whose validation loss stopped improving get more weight.
"""

import keras
from keras import ops


def masked_regression_loss(weight, kind: str):
    """Mean squared (mse) or absolute (mae) error over the known targets, times an adjustable weight."""

    def loss(y_true, y_pred):
        known = ops.logical_not(ops.isnan(y_true))
        target = ops.where(known, y_true, ops.zeros_like(y_true))
        error = ops.square(y_pred - target) if kind == "mse" else ops.abs(y_pred - target)
        mask = ops.cast(known, y_pred.dtype)
        return weight * ops.sum(error * mask) / ops.maximum(ops.sum(mask), 1.0)

    return loss


def masked_class_loss(weight):
    """Cross-entropy over stars with a class (code >= 0), times an adjustable weight."""

    def loss(y_true, y_pred):
        codes = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        known = codes >= 0
        per_star = keras.losses.sparse_categorical_crossentropy(ops.maximum(codes, 0), y_pred)
        mask = ops.cast(known, y_pred.dtype)
        return weight * ops.sum(per_star * mask) / ops.maximum(ops.sum(mask), 1.0)

    return loss


class DynamicWeightAveraging(keras.callbacks.Callback):
    """Logs the unweighted validation loss (what early stopping watches) and, if enabled, reweights outputs."""

    def __init__(self, weights: dict, temperature: float, enabled: bool):
        super().__init__()
        self.weights, self.temperature, self.enabled = weights, temperature, enabled
        self.history: list[dict[str, float]] = []
        self.weight_history: list[dict[str, float]] = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        current = {k: float(ops.convert_to_numpy(v)) for k, v in self.weights.items()}
        unweighted = {k: logs[f"val_{k}_loss"] / max(current[k], 1e-6) for k in self.weights if f"val_{k}_loss" in logs}
        logs["val_unweighted_loss"] = sum(unweighted.values())
        self.history.append(unweighted)
        self.weight_history.append(current)
        if self.enabled and len(self.history) >= 2:
            import numpy as np

            names = list(unweighted)
            last, before = (np.array([h[k] for k in names]) for h in (self.history[-1], self.history[-2]))
            # an output already at zero loss (or a NaN) counts as steady; ratios are bounded so no weight vanishes
            ratios = np.where((before > 0) & np.isfinite(last / before), last / np.where(before > 0, before, 1), 1.0)
            exp = np.exp(np.clip(ratios, 0.5, 2.0) / self.temperature)
            new = len(names) * exp / exp.sum()
            for name, value in zip(names, new, strict=True):
                self.weights[name].assign(float(value))
