"""The training loop, as a generator that reports after every batch.

``for progress in train(model, train_set, val_set, config): ...`` runs one
batch per iteration, so a caller can draw, pause (stop iterating for a
while) or stop (``close()`` the generator, or just drop it) within one batch.
The model's weights are updated in place.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import ConvdemoError, ParameterError
from convdemo.core.nn.data import Dataset, check_seed
from convdemo.core.nn.evaluate import evaluate
from convdemo.core.nn.model import Model
from convdemo.core.nn.optim import OPTIMIZERS, make_optimizer
from convdemo.core.nn.threads import one_blas_thread

# Cross-entropy starts near ln(classes) ≈ 2.3; a loss this large never comes back down.
DIVERGED_LOSS = 1000.0


class TrainingDiverged(ConvdemoError):
    """The loss became NaN or infinite; the message suggests a smaller learning rate."""


@dataclass(frozen=True)
class TrainingConfig:
    """How to train.

    Parameters
    ----------
    epochs : int
        Passes over the training set, at least 1.
    batch_size : int
        Images per update, at least 1.
    lr : float
        Learning rate.
    optimizer : {'adam', 'sgd'}
        Adam, or SGD with momentum 0.9.
    seed : int
        Seeds the shuffling (the model's initial weights have their own seed);
        0 to :data:`~.data.MAX_SEED`.
    """

    epochs: int = 3
    batch_size: int = 128
    lr: float = 0.003
    optimizer: str = "adam"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ParameterError(f"The number of epochs must be at least 1, not {self.epochs}.")
        if self.batch_size < 1:
            raise ParameterError(f"The batch size must be at least 1, not {self.batch_size}.")
        if not self.lr > 0 or not math.isfinite(self.lr):
            raise ParameterError(f"The learning rate must be a positive number, not {self.lr}.")
        if self.optimizer not in OPTIMIZERS:
            raise ParameterError(f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
        check_seed(self.seed)


@dataclass(frozen=True)
class Progress:
    """What happened in one batch.

    Attributes
    ----------
    epoch, epochs : int
        Current epoch (from 1) and the total.
    batch, batches : int
        Current batch within the epoch (from 1) and batches per epoch.
    loss : float
        This batch's mean cross-entropy (before its update).
    epoch_loss : float
        Mean loss over the epoch's batches so far.
    accuracy : float
        Training accuracy over the epoch's batches so far, 0–1.
    images_per_second : float
        Training speed this epoch: images over the time spent on their
        batches (validation and pauses not counted).
    seconds : float
        Time spent training and validating so far (pauses not counted).
    val_loss, val_accuracy : float or None
        Set on the last batch of an epoch when there is a validation set.
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    epoch_loss: float
    accuracy: float
    images_per_second: float
    seconds: float
    val_loss: float | None = None
    val_accuracy: float | None = None

    @property
    def end_of_epoch(self) -> bool:
        """True for the last batch of an epoch."""
        return self.batch == self.batches

    @property
    def fraction_done(self) -> float:
        """Share of all batches of all epochs finished, 0–1 (for a progress bar)."""
        return ((self.epoch - 1) * self.batches + self.batch) / (self.epochs * self.batches)


def train(model: Model, train_set: Dataset, val_set: Dataset | None, config: TrainingConfig) -> Iterator[Progress]:
    """Train ``model`` in place, yielding a :class:`Progress` after every batch.

    Parameters
    ----------
    model : Model
    train_set : Dataset
        Images of shape ``model.architecture.input_shape`` and the model's classes.
    val_set : Dataset or None
        Scored at the end of every epoch.
    config : TrainingConfig

    Yields
    ------
    Progress

    Raises
    ------
    TrainingDiverged
        The loss became NaN or infinite.
    ParameterError
        The data do not fit the model.
    """
    if train_set.input_shape != model.architecture.input_shape or train_set.class_names != model.class_names:
        raise ParameterError(f"The model (images {model.architecture.input_shape}, {len(model.class_names)} "
                             f"classes) does not fit {train_set.name} (images {train_set.input_shape}, "
                             f"{len(train_set.class_names)} classes).")
    rng = np.random.default_rng(config.seed)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr)
    n, size = len(train_set), config.batch_size
    batches = math.ceil(n / size)
    x_batch = np.empty((min(size, n), *train_set.input_shape), np.float32)
    busy = 0.0
    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(n)
        seen = correct = 0
        loss_sum = epoch_busy = 0.0
        for batch in range(1, batches + 1):
            started = time.perf_counter()
            index = order[(batch - 1) * size:batch * size]
            x = np.take(train_set.x, index, axis=0, out=x_batch[:len(index)])
            # Divergence is checked below, so numpy's overflow warnings would only be noise.
            with one_blas_thread(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                loss, right = model.train_step(x, train_set.y[index])
                if not math.isfinite(loss) or loss > DIVERGED_LOSS:
                    raise TrainingDiverged(
                        f"Training diverged in epoch {epoch}, batch {batch}: the loss became {loss:.3g}. "
                        f"Try a smaller learning rate than {config.lr:g}, for example {config.lr / 10:g}.")
                optimizer.step()
            seen += len(index)
            correct += right
            loss_sum += loss
            epoch_busy += time.perf_counter() - started
            val_loss = val_accuracy = None
            if batch == batches and val_set is not None:
                scores = evaluate(model, val_set)
                val_loss, val_accuracy = scores.loss, scores.accuracy
            busy += time.perf_counter() - started
            yield Progress(epoch, config.epochs, batch, batches, loss, loss_sum / batch, correct / seen,
                           seen / epoch_busy, busy, val_loss, val_accuracy)
