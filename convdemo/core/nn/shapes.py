"""builtin-shapes: simple line drawings whose learned filters come out as edge and line detectors.

Nine classes — lines at four orientations, an upright and a diagonal cross,
circles, squares and triangles — drawn with the same antialiased pen as the
digits, at random sizes, positions, small rotations and pen widths on a
28×28 black image.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from convdemo.core.nn.data import Dataset
from convdemo.core.nn.strokes import Template, arc, ink_weights, line, render

SIZE = 28
CLASS_NAMES = ("horizontal", "vertical", "diagonal /", "diagonal \\", "plus", "times", "circle", "square",
               "triangle")
MAX_TILT = 10.0
"""Largest random rotation in degrees; small enough that line orientations stay distinct."""


@lru_cache(maxsize=1)
def templates() -> list[Template]:
    """One template per class, in :data:`CLASS_NAMES` order, centred on 0, about 1 unit across."""
    h = 0.5
    strokes = [
        [line((0, -h), (0, h))],
        [line((-h, 0), (h, 0))],
        [line((h, -h), (-h, h))],
        [line((-h, -h), (h, h))],
        [line((-h, 0), (h, 0)), line((0, -h), (0, h))],
        [line((-h, -h), (h, h)), line((h, -h), (-h, h))],
        [arc((0, 0), (h, h), 0, 360)],
        [line((-h, -h), (-h, h), (h, h), (h, -h), (-h, -h))],
        [line((-h, 0), (h, h), (h, -h), (-h, 0))],
    ]
    return [Template.from_strokes(s) for s in strokes]


def make_shapes(n: int = 20_000, *, seed: int | tuple[int, ...] = 0) -> Dataset:
    """Generate ``n`` shape images, an equal number per class, in random order.

    Parameters
    ----------
    n : int
    seed : int or tuple of int
        Seeds ``numpy.random.default_rng``; the same seed gives the same images.

    Returns
    -------
    Dataset
        x of shape (n, 28, 28, 1), white drawings on black, values 0–1.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASS_NAMES))
    x = np.zeros((n, SIZE, SIZE, 1), np.float32)
    for label, template in enumerate(templates()):
        members = np.flatnonzero(labels == label)
        x[members, :, :, 0] = _draw(template, len(members), rng)
    return Dataset(x, labels.astype(np.int64), CLASS_NAMES, "builtin-shapes")


def _draw(template: Template, count: int, rng: np.random.Generator) -> np.ndarray:
    """Render ``count`` random instances of one shape: (count, 28, 28) float32."""
    angle = np.radians(rng.uniform(-MAX_TILT, MAX_TILT, (count, 1)))
    size = rng.uniform(9.0, 22.0, (count, 1))
    p = template.points
    rows = size * (np.cos(angle) * p[:, 0] - np.sin(angle) * p[:, 1])
    cols = size * (np.sin(angle) * p[:, 0] + np.cos(angle) * p[:, 1])
    margin = 2.5
    for axis in (rows, cols):
        low, high = margin - axis.min(axis=1), SIZE - 1 - margin - axis.max(axis=1)
        axis += rng.uniform(low, np.maximum(low, high))[:, None]
    weights = ink_weights(rows, cols, template.neighbour)
    return render(rows, cols, weights, rng.uniform(1.5, 4.5, count), (SIZE, SIZE))
