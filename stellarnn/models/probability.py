"""Class probabilities that mean what they say: temperature scaling, and how reliable probabilities are.

A network trained with cross-entropy (and class weights, early stopping) is usually over- or under-confident.
One temperature T, fitted on a calibration split by minimising its log loss, rescales the log-probabilities
(p ∝ p_raw^(1/T)) without changing any argmax (Guo et al. 2017). Reliability is measured as the expected
calibration error: over bins of the top-class probability, the |confidence - accuracy| gap weighted by rows.
"""

import numpy as np

RELIABILITY_BINS = 10


def apply_temperature(probabilities, temperature: float) -> np.ndarray:
    logp = np.log(np.clip(np.asarray(probabilities, float), 1e-300, None)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    p = np.exp(logp)
    return p / p.sum(axis=1, keepdims=True)


def fit_temperature(probabilities, truth) -> float:
    """The T in [0.05, 20] that minimises the log loss of ``truth`` (class indices) on these rows."""
    from scipy.optimize import minimize_scalar

    truth = np.asarray(truth, int)
    rows = np.arange(len(truth))

    def log_loss(log_t: float) -> float:
        return -float(np.mean(np.log(apply_temperature(probabilities, np.exp(log_t))[rows, truth] + 1e-300)))

    best = minimize_scalar(log_loss, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(best.x))


def reliability(probabilities, truth, bins: int = RELIABILITY_BINS) -> dict:
    """Per bin of top-class probability: rows, mean confidence, accuracy; and the expected calibration error."""
    p = np.asarray(probabilities, float)
    confidence = p.max(axis=1)
    correct = np.argmax(p, axis=1) == np.asarray(truth, int)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        rows = which == b
        if not rows.any():
            continue
        gap = abs(confidence[rows].mean() - correct[rows].mean())
        ece += rows.mean() * gap
        table.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "rows": int(rows.sum()),
                "confidence": float(confidence[rows].mean()),
                "accuracy": float(correct[rows].mean()),
            }
        )
    return {"expected_calibration_error": float(ece), "bins": table}
