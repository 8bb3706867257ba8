"""Classification scores for sdss: the usual ones plus a cost that knows O is further from M than from B."""

import numpy as np

from stellarnn.models.sdss.features import CLASSES


def order_distance(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean distance in the O-B-A-F-G-K-M sequence (0 = right, 1 = a neighbour, 6 = O taken for M or back)."""
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    result = {"accuracy": float(accuracy_score(y_true, y_pred)), "order_distance": order_distance(y_true, y_pred)}
    present = np.unique(y_true)
    for average in ("weighted", "macro"):
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=present, average=average, zero_division=0)
        result |= {f"precision_{average}": float(p), f"recall_{average}": float(r), f"f1_{average}": float(f)}
    return result


def per_class(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, dict]:
    from sklearn.metrics import precision_recall_fscore_support

    labels = np.arange(len(CLASSES))
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "stars": int(n[i])}
        for i, c in enumerate(CLASSES)
        if n[i] > 0
    }


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> list[list[int]]:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=np.arange(len(CLASSES))).tolist()
