"""The algorithm provider's asset in the hospital case: a multinomial logistic-regression
(softmax) image classifier in plain numpy, trained by full-batch gradient descent with L2.

It follows the worker's interface (saiaas.learning.worker):
    train(X, y, params) -> bytes      the model, as .npz bytes (weights, bias, scaling, classes)
    predict(model, X) -> np.ndarray   one label per row of X
Plain numpy keeps the worker's start at ~0.5 s (importing scikit-learn costs ~5 s here).
Params: epochs, learning_rate, l2, seed; a params dict overrides DEFAULTS, the provider's own
choice (two providers may sell this script with different defaults, hence different CIDs).
"""

import io

import numpy as np

DEFAULTS = {"epochs": 300, "learning_rate": 0.5, "l2": 0.001, "seed": 0}


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def train(X, y, params):
    params = {**DEFAULTS, **params}
    epochs = int(params["epochs"])
    rate = float(params["learning_rate"])
    l2 = float(params["l2"])
    rng = np.random.default_rng(int(params["seed"]))
    X = np.asarray(X, dtype=np.float64)
    classes, index = np.unique(y, return_inverse=True)
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    Z = (X - mean) / scale
    onehot = np.eye(len(classes))[index]
    W = rng.normal(0.0, 0.01, size=(Z.shape[1], len(classes)))
    b = np.zeros(len(classes))
    for _ in range(epochs):
        error = _softmax(Z @ W + b) - onehot
        W -= rate * (Z.T @ error / len(Z) + l2 * W)
        b -= rate * error.mean(axis=0)
    buffer = io.BytesIO()
    np.savez(buffer, W=W, b=b, mean=mean, scale=scale, classes=classes)
    return buffer.getvalue()


def predict(model, X):
    with np.load(io.BytesIO(model), allow_pickle=False) as m:
        Z = (np.asarray(X, dtype=np.float64) - m["mean"]) / m["scale"]
        return m["classes"][np.argmax(Z @ m["W"] + m["b"], axis=1)]
