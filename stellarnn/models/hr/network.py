"""The seed's 2-3-3 network in numpy, following its equations literally.

x (absolute magnitude, log Teff; min-max normalised) -> z1 = w1 x + b1 -> y1 = sigmoid(z1) -> z2 = w2 y1 + b2
-> y2 = softmax(z2); loss = mean over stars of -sum_j yhat_j ln y2_j. The seed's hand-derived gradients:
dL/dz2 = y2 - yhat; dL/dw2 = (y2 - yhat) y1^T; dL/db2 = y2 - yhat; dL/dz1 = (w2^T (y2 - yhat)) * y1 (1 - y1);
dL/dw1 = dL/dz1 x^T; dL/db1 = dL/dz1 -- each averaged over the stars (full-batch plain gradient descent).
"""

from dataclasses import dataclass, field

import numpy as np

CLASSES = ("main sequence", "white dwarf", "giant")  # the seed's label order (Y-type 1, 2, 3)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Weights:
    w1: np.ndarray  # (3 hidden, 2 inputs)
    b1: np.ndarray  # (3,)
    w2: np.ndarray  # (3 outputs, 3 hidden)
    b2: np.ndarray  # (3,)

    @classmethod
    def seed(cls) -> "Weights":
        """The seed's start: every weight 0.5, biases 0. Its three hidden units are identical and, receiving
        identical gradients, stay identical forever: the network can never use more than one of them."""
        return cls(np.full((3, 2), 0.5), np.zeros(3), np.full((3, 3), 0.5), np.zeros(3))

    @classmethod
    def random(cls, rng: np.random.Generator) -> "Weights":
        """Glorot-uniform weights, zero biases: the hidden units start different."""
        limit1, limit2 = np.sqrt(6 / (2 + 3)), np.sqrt(6 / (3 + 3))
        return cls(rng.uniform(-limit1, limit1, (3, 2)), np.zeros(3), rng.uniform(-limit2, limit2, (3, 3)), np.zeros(3))

    def copy(self) -> "Weights":
        return Weights(self.w1.copy(), self.b1.copy(), self.w2.copy(), self.b2.copy())

    def as_dict(self) -> dict:
        return {k: getattr(self, k).tolist() for k in ("w1", "b1", "w2", "b2")}

    @classmethod
    def from_dict(cls, d: dict) -> "Weights":
        return cls(*(np.asarray(d[k], float) for k in ("w1", "b1", "w2", "b2")))


@dataclass
class Forward:
    y1: np.ndarray
    y2: np.ndarray


def forward(w: Weights, x: np.ndarray) -> Forward:
    y1 = sigmoid(x @ w.w1.T + w.b1)
    return Forward(y1, softmax(y1 @ w.w2.T + w.b2))


def loss(w: Weights, x: np.ndarray, onehot: np.ndarray) -> float:
    return float(-np.mean(np.sum(onehot * np.log(forward(w, x).y2), axis=1)))


def gradients(w: Weights, x: np.ndarray, onehot: np.ndarray) -> Weights:
    """The seed's hand-derived gradients, averaged over the stars."""
    f = forward(w, x)
    n = len(x)
    dz2 = f.y2 - onehot
    dz1 = (dz2 @ w.w2) * f.y1 * (1 - f.y1)
    return Weights(dz1.T @ x / n, dz1.mean(axis=0), dz2.T @ f.y1 / n, dz2.mean(axis=0))


@dataclass
class EpochRow:
    """One row of the seed's table: weights after the step, the step's gradients, the Sun's output and the
    loss before the step."""

    epoch: int
    weights: Weights
    grads: Weights
    sun_output: np.ndarray
    loss: float
    validation_loss: float | None = None


@dataclass
class History:
    rows: list[EpochRow] = field(default_factory=list)

    def losses(self) -> list[float]:
        return [r.loss for r in self.rows]


def train(
    w: Weights,
    x: np.ndarray,
    onehot: np.ndarray,
    lr: float,
    epochs: int,
    sun: np.ndarray,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    patience: int | None = None,
) -> tuple[Weights, History]:
    """Plain full-batch gradient descent; with ``validation`` and ``patience``, stop when the validation loss
    has not improved for ``patience`` epochs and return the weights that gave the best validation loss."""
    history = History()
    best, best_loss, since = w.copy(), np.inf, 0
    for epoch in range(epochs):
        current = loss(w, x, onehot)
        sun_output = forward(w, sun[None, :]).y2[0]
        g = gradients(w, x, onehot)
        val = loss(w, *validation) if validation is not None else None
        if val is not None and val < best_loss - 1e-12:
            best, best_loss, since = w.copy(), val, 0
        elif val is not None:
            since += 1
        w = Weights(w.w1 - lr * g.w1, w.b1 - lr * g.b1, w.w2 - lr * g.w2, w.b2 - lr * g.b2)
        history.rows.append(EpochRow(epoch, w.copy(), g, sun_output, current, val))
        if patience is not None and since >= patience:
            break
    return (best if validation is not None else w), history
