"""Weight initialisation."""

from __future__ import annotations

import numpy as np


def he_normal(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype=np.float32) -> np.ndarray:
    """He (Kaiming) normal initialisation for layers followed by ReLU.

    Draws from ``N(0, 2 / fan_in)`` so that activations keep their variance
    from layer to layer (He et al., 2015).

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple of int
    fan_in : int
        Number of inputs that feed one output (``k*k*C`` for a convolution).
    dtype : numpy dtype

    Returns
    -------
    ndarray of the given shape and dtype
    """
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)
