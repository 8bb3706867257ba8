"""hr's training run (the seed's per-epoch table) and evaluation report as a Summary."""

import numpy as np

from stellarnn.models.summary import Summary, classifier_lines

SHOWN_EPOCHS = 20  # longer runs show their first and last five epochs


def _compact(value) -> str:
    """A matrix as the seed printed it: one line per row, three decimals."""
    rows = np.atleast_2d(np.round(np.asarray(value, float), 3) + 0.0)
    return "\n".join(" ".join(f"{v:g}" for v in row) for row in rows)


def training(result) -> Summary:
    epochs = result.history.rows
    shown = epochs if len(epochs) <= SHOWN_EPOCHS else epochs[:5] + epochs[-5:]
    rows = []
    for r in shown:
        w, g = r.weights, r.grads
        cells = [w.w1, w.w2, w.b1[:, None], w.b2[:, None], g.w1, g.w2, g.b1[:, None], g.b2[:, None], r.sun_output]
        rows.append([str(r.epoch), *(_compact(c) for c in cells), f"{r.loss:.3f}"])
    summary = Summary(
        title=f"{result.artifact.id}: per epoch (output = the Sun before the step; loss = all training stars)",
        columns=["epoch", "w1", "w2", "b1", "b2", "dLdw1", "dLdw2", "dLdb1", "dLdb2", "output", "loss"],
        rows=rows,
    )
    for name, scores in result.metrics.items():
        summary.lines += classifier_lines(scores, name)
    if len(epochs) > SHOWN_EPOCHS:
        summary.notes.append(f"showing epochs 0-4 and the last 5 of {len(epochs)}; every epoch is in "
                             f"{result.folder / 'epochs.csv'}")  # fmt: skip
    summary.notes.append(f"saved {result.artifact.path}; table, loss curve and decision regions in {result.folder}")
    return summary


def report(found: dict, folder) -> Summary:
    ece = found["reliability"]["expected_calibration_error"]
    lines = classifier_lines(found)
    lines[0] += f"; probabilities' ECE {ece:.3f}"
    return Summary(lines=[line.strip() for line in lines], notes=[f"report written to {folder}/report.json"])
