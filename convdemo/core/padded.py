"""The input with the cells padding adds around it, as the kernel reads them (for drawing it).

The fill of each padded cell comes from the border's own index map
(:attr:`convdemo.core.modes.Border.index`), the same one the engine uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convdemo.core.geometry import Geometry
from convdemo.core.modes import BORDERS


@dataclass(frozen=True, eq=False)
class PaddedFrame:
    """The input with the cells padding adds around it, as the kernel reads them.

    Attributes
    ----------
    values : ndarray of shape (top + H + bottom, left + W + right) or (…, 3)
        Padded cells and the image, float32.
    top, left, bottom, right : int
        Padded cells on each side.
    border : str
        A key of :data:`convdemo.core.modes.BORDERS`.
    """

    values: np.ndarray
    top: int
    left: int
    bottom: int
    right: int
    border: str

    @property
    def padded(self) -> np.ndarray:
        """(rows, cols) bool: True on the padded cells, False on the image."""
        rows, cols = self.values.shape[:2]
        mask = np.ones((rows, cols), bool)
        mask[self.top:rows - self.bottom, self.left:cols - self.right] = False
        return mask


def padded_frame(source: np.ndarray, geometry: Geometry, border: str) -> PaddedFrame | None:
    """The padded input ``geometry`` asks for, filled as ``border`` says; None without padding.

    Which pixel a padded cell repeats comes from the border's own index map
    (:attr:`convdemo.core.modes.Border.index`), as in the engine.
    """
    r, c = geometry.rows, geometry.cols
    if not (r.before or r.after or c.before or c.after):
        return None
    index = BORDERS[border].index
    rows = index(np.arange(-r.before, r.n + r.after), r.n)
    cols = index(np.arange(-c.before, c.n + c.after), c.n)
    values = source[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
    values[(rows < 0)[:, None] | (cols < 0)[None, :]] = 0  # -1: a zero cell
    return PaddedFrame(values, r.before, c.before, r.after, c.after, border)

