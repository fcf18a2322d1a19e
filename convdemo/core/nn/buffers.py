"""Arrays reused from one batch to the next.

Allocating a fresh multi-megabyte array for every batch is slow: glibc hands
large blocks back to the operating system when they are freed, and every new
one then costs page faults (about 3× the training time in an early
measurement). Each layer therefore keeps its working arrays in a
:class:`Buffers` and overwrites them in place; an array is reallocated only
when the requested shape changes (a smaller last batch, a prediction batch).
"""

from __future__ import annotations

import numpy as np


class Buffers:
    """Named arrays that keep their memory while their shape stays the same."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype, *, fill: float | None = None) -> np.ndarray:
        """Return the array called ``name``, allocating it if its shape or dtype differs.

        Parameters
        ----------
        name : str
            Key, unique within one owner.
        shape : tuple of int
        dtype : numpy dtype
        fill : float, optional
            Value written into a *newly allocated* array only; a reused array
            keeps whatever the caller left in it (used for zero borders that
            are never overwritten).

        Returns
        -------
        ndarray of the requested shape, C-contiguous. Its content is undefined
        unless ``fill`` was given and the array is new.
        """
        array = self._arrays.get(name)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
            self._arrays[name] = array
        return array
