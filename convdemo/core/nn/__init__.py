"""The mini-CNN: a small convolutional network written in numpy (no Qt, no deep-learning framework).

Typical use::

    from convdemo.core import nn
    train_set, val_set = nn.load_training_data("builtin-digits", seed=0)
    model = nn.Model(nn.Architecture(), train_set.class_names, seed=0)
    for progress in nn.train(model, train_set, val_set, nn.TrainingConfig()):
        ...  # draw progress.loss, progress.accuracy; stop any time
    nn.save_model("digits.npz", model)
"""

from convdemo.core.nn.data import Dataset, preview_grid, split
from convdemo.core.nn.datasets import load_test_data, load_training_data
from convdemo.core.nn.digits import make_digits, normalise_drawing
from convdemo.core.nn.evaluate import Evaluation, evaluate
from convdemo.core.nn.io import load_model, save_model
from convdemo.core.nn.model import Architecture, Model
from convdemo.core.nn.shapes import make_shapes
from convdemo.core.nn.training import Progress, TrainingConfig, TrainingDiverged, train

__all__ = [
    "Architecture", "Dataset", "Evaluation", "Model", "Progress", "TrainingConfig", "TrainingDiverged",
    "evaluate", "load_model", "load_test_data", "load_training_data", "make_digits", "make_shapes",
    "normalise_drawing", "preview_grid", "save_model", "split", "train",
]
