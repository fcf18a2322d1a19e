"""Shared helpers for the mini-CNN tests."""

import numpy as np
import pytest

EPS = 1e-6


def _numeric_gradient(f, array: np.ndarray) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to every element of ``array`` (restored after)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + EPS
        plus = f()
        array[index] = old - EPS
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * EPS)
    return grad


@pytest.fixture
def numeric_gradient():
    """``numeric_gradient(f, array)``: finite-difference gradient of ``f()`` with respect to ``array``."""
    return _numeric_gradient
