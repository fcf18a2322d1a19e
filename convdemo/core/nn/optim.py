"""Optimisers: update parameters in place from their gradients."""

from __future__ import annotations

import numpy as np

from convdemo.core.errors import ParameterError

OPTIMIZERS = ("adam", "sgd")


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    ``velocity = momentum * velocity - lr * grad``; ``param += velocity``.

    Parameters
    ----------
    parameters : list of (value, grad) ndarray pairs
        Arrays updated in place, e.g. ``Model.parameters()``.
    lr : float
    momentum : float
        0 gives plain SGD.
    """

    def __init__(self, parameters, *, lr: float = 0.05, momentum: float = 0.9) -> None:
        self.parameters = list(parameters)
        self.lr = lr
        self.momentum = momentum
        self._velocity = [np.zeros_like(value) for value, _ in self.parameters]

    def step(self) -> None:
        """Apply one update from the current gradients."""
        for (value, grad), velocity in zip(self.parameters, self._velocity):
            velocity *= self.momentum
            velocity -= self.lr * grad
            value += velocity


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction.

    Parameters
    ----------
    parameters : list of (value, grad) ndarray pairs
    lr : float
    beta1, beta2, eps : float
    """

    def __init__(self, parameters, *, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.parameters = list(parameters)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self._m = [np.zeros_like(value) for value, _ in self.parameters]
        self._v = [np.zeros_like(value) for value, _ in self.parameters]
        self._t = 0

    def step(self) -> None:
        """Apply one update from the current gradients."""
        self._t += 1
        step = self.lr * np.sqrt(1 - self.beta2 ** self._t) / (1 - self.beta1 ** self._t)
        for (value, grad), m, v in zip(self.parameters, self._m, self._v):
            m *= self.beta1
            m += (1 - self.beta1) * grad
            v *= self.beta2
            v += (1 - self.beta2) * grad * grad
            value -= step * m / (np.sqrt(v) + self.eps)


def make_optimizer(name: str, parameters, lr: float):
    """Build the optimiser called ``name`` ('adam' or 'sgd') with learning rate ``lr``."""
    if lr <= 0 or not np.isfinite(lr):
        raise ParameterError(f"The learning rate must be a positive number, not {lr}.")
    if name == "adam":
        return Adam(parameters, lr=lr)
    if name == "sgd":
        return SGD(parameters, lr=lr)
    raise ParameterError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")
