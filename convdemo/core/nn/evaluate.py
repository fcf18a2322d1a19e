"""How well a trained model does on a data set: accuracy, per-class accuracy, confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import DataError
from convdemo.core.nn.data import Dataset
from convdemo.core.nn.model import Model
from convdemo.core.nn.threads import one_blas_thread


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Scores of one model on one data set.

    Attributes
    ----------
    accuracy : float
        Fraction of images classified right, 0–1.
    loss : float
        Mean cross-entropy.
    per_class_accuracy : ndarray of shape (K,)
        Recall of each class; NaN for a class with no images.
    confusion : ndarray of shape (K, K), int64
        ``confusion[true, predicted]`` counts.
    class_names : tuple of str
    """

    accuracy: float
    loss: float
    per_class_accuracy: np.ndarray
    confusion: np.ndarray
    class_names: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-able form: per-class accuracy keyed by class name (None for an absent class)."""
        return {
            "accuracy": self.accuracy,
            "loss": self.loss,
            "per_class_accuracy": {name: (None if np.isnan(a) else float(a))
                                   for name, a in zip(self.class_names, self.per_class_accuracy)},
            "confusion_matrix": self.confusion.tolist(),
            "classes": list(self.class_names),
        }


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs: (N,), (N,) -> (K, K) int64."""
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def evaluate(model: Model, dataset: Dataset) -> Evaluation:
    """Score ``model`` on every image of ``dataset``.

    Raises
    ------
    DataError
        The data set's classes or image shape differ from the model's.
    """
    if tuple(dataset.class_names) != model.class_names:
        raise DataError(f"The model knows the classes {', '.join(model.class_names)} but {dataset.name} has "
                        f"{', '.join(dataset.class_names)}.")
    if dataset.input_shape != model.architecture.input_shape:
        raise DataError(f"The model expects images of shape {model.architecture.input_shape} but {dataset.name} "
                        f"has {dataset.input_shape}.")
    k = len(model.class_names)
    with one_blas_thread():
        proba = model.predict_proba(dataset.x)
    predicted = proba.argmax(axis=1)
    picked = proba[np.arange(len(dataset)), dataset.y]
    loss = float(-np.mean(np.log(np.maximum(picked, 1e-12)))) if len(dataset) else float("nan")
    confusion = confusion_matrix(dataset.y, predicted, k)
    totals = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.diag(confusion) / totals
    accuracy = float(np.trace(confusion) / max(1, len(dataset)))
    return Evaluation(accuracy, loss, per_class, confusion, model.class_names)
