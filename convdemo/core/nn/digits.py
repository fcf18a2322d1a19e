"""builtin-digits: an MNIST-like set of handwritten-looking digits drawn from pen paths.

Each digit has a few hand-designed variants (a "1" with or without a flag, an
open or closed "4", a crossed "7", ...), drawn as Bézier curves, arcs and
lines. Every sample gets its own elastic wobble, slant, rotation, width,
scale, position and pen thickness, and is then framed like MNIST: the
digit's longer side is scaled to 15–19 px (about 20 px with the pen) and its
centre of mass put in the middle of a 28×28 black image, give or take a
pixel, always at least a pixel from the border. No font or download is
involved; 60 000 samples take about three seconds.

:func:`normalise_drawing` frames a digit drawn with the mouse the same way,
so that a model trained here sees it as it saw the training data.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from convdemo.core.nn.data import Dataset
from convdemo.core.nn.strokes import (
    Template,
    arc,
    curve,
    ink_weights,
    line,
    path,
    render,
)

SIZE = 28
CLASS_NAMES = tuple(str(d) for d in range(10))
CHUNK = 4000
"""Samples rendered at once (bounds the memory of the vectorised renderer)."""
WAVES = 3
"""Plane waves per axis in a sample's elastic wobble."""


def _eight(upper: float) -> np.ndarray:
    """A figure eight drawn in one stroke; ``upper`` is the top loop's relative width."""
    t = np.linspace(0.2, 2 * np.pi + 0.45, 200)
    width = 0.3 * (1 - (1 - upper) * (1 + np.cos(t)) / 2)
    return np.stack([0.5 - 0.5 * np.cos(t), 0.35 + width * np.sin(2 * t)], axis=1)


def _glyph_strokes() -> dict[int, list[list[np.ndarray]]]:
    """Pen paths of every variant of every digit, in (row, col) units: rows 0–1, cols about 0–0.75."""
    return {
        0: [[arc((0.5, 0.38), (0.5, 0.3), -90, -372)],
            [arc((0.5, 0.38), (0.48, 0.25), -60, -385)]],
        1: [[line((0.0, 0.4), (1.0, 0.4))],
            [line((0.2, 0.18), (0.0, 0.45), (1.0, 0.45))],
            [line((0.18, 0.2), (0.0, 0.42), (1.0, 0.42)), line((1.0, 0.2), (1.0, 0.65))]],
        2: [[path(curve((0.28, 0.08), (-0.08, 0.15), (-0.05, 0.78), (0.32, 0.66)),
                  curve((0.32, 0.66), (0.55, 0.58), (0.8, 0.3), (1.0, 0.06)),
                  line((1.0, 0.06), (0.97, 0.75)))],
            [path(curve((0.28, 0.08), (-0.08, 0.15), (-0.05, 0.78), (0.32, 0.66)),
                  curve((0.32, 0.66), (0.55, 0.58), (0.8, 0.3), (0.95, 0.12)),
                  curve((0.95, 0.12), (1.05, 0.0), (0.78, 0.02), (0.88, 0.2)),
                  line((0.88, 0.2), (0.96, 0.75)))],
            [path(curve((0.25, 0.1), (-0.05, 0.2), (0.0, 0.78), (0.3, 0.65)),
                  curve((0.3, 0.65), (0.55, 0.55), (0.85, 0.2), (0.98, 0.1)),
                  curve((0.98, 0.1), (0.85, 0.3), (1.06, 0.5), (0.94, 0.75)))]],
        3: [[arc((0.25, 0.38), (0.24, 0.27), -160, 250), arc((0.73, 0.38), (0.26, 0.3), -90, 250)],
            [path(line((0.0, 0.1), (0.0, 0.65), (0.4, 0.3)), arc((0.7, 0.38), (0.3, 0.32), -110, 270))]],
        4: [[line((0.0, 0.5), (0.65, 0.05), (0.65, 0.72)), line((0.3, 0.55), (1.0, 0.55))],
            [line((0.0, 0.1), (0.55, 0.08), (0.55, 0.72)), line((0.0, 0.56), (1.0, 0.56))]],
        5: [[path(line((0.0, 0.18), (0.45, 0.12)), arc((0.7, 0.35), (0.28, 0.32), -130, 270)),
             line((0.0, 0.18), (0.0, 0.7))],
            [path(line((0.0, 0.7), (0.0, 0.2), (0.45, 0.14)), arc((0.7, 0.36), (0.28, 0.32), -130, 270))]],
        6: [[path(curve((0.0, 0.62), (0.1, 0.3), (0.35, 0.08), (0.72, 0.1)),
                  arc((0.72, 0.38), (0.27, 0.28), 180, -355))],
            [path(line((0.0, 0.58), (0.62, 0.13)), arc((0.74, 0.38), (0.25, 0.27), 200, -340))]],
        7: [[line((0.02, 0.05), (0.0, 0.7), (1.0, 0.28))],
            [path(line((0.02, 0.05), (0.0, 0.7)), curve((0.0, 0.7), (0.35, 0.5), (0.65, 0.38), (1.0, 0.35)))],
            [line((0.02, 0.05), (0.0, 0.7), (1.0, 0.28)), line((0.5, 0.3), (0.5, 0.68))]],
        8: [[_eight(0.75)],
            [arc((0.25, 0.38), (0.24, 0.22), -90, 360), arc((0.74, 0.38), (0.26, 0.28), -90, 360)]],
        9: [[path(arc((0.27, 0.38), (0.26, 0.28), 0, -360), line((0.27, 0.66), (1.0, 0.62)))],
            [path(arc((0.27, 0.38), (0.26, 0.28), 0, -360),
                  curve((0.27, 0.66), (0.55, 0.66), (0.85, 0.6), (1.0, 0.42)))]],
    }


@lru_cache(maxsize=1)
def templates() -> dict[int, list[Template]]:
    """Every digit's variants as sampled :class:`~.strokes.Template` objects (built once)."""
    return {digit: [Template.from_strokes(strokes) for strokes in variants]
            for digit, variants in _glyph_strokes().items()}


def _posed(points: np.ndarray, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` randomly distorted copies of a template, scaled to pixels (not yet placed).

    Parameters
    ----------
    points : ndarray of shape (P, 2)
        Template pen samples (row, col), template units.
    count : int
    rng : numpy.random.Generator

    Returns
    -------
    rows, cols : ndarray of shape (count, P), float32
        Pen samples in pixels, centred near 0.
    """
    p = (points - points.mean(axis=0)).astype(np.float32)
    rows = np.repeat(p[None, :, 0], count, axis=0)
    cols = np.repeat(p[None, :, 1], count, axis=0)
    # Elastic wobble: per axis, a sum of random plane waves up to 6.5 hundredths of the height tall.
    waves = 2 * np.pi * (rng.normal(0.0, 1.1, (count, WAVES, 2)).astype(np.float32) @ p.T)
    for axis in (rows, cols):
        phase = rng.uniform(0.0, 2 * np.pi, (count, WAVES, 1)).astype(np.float32)
        amp = rng.uniform(-0.065, 0.065, (count, WAVES, 1)).astype(np.float32)
        for k in range(WAVES):
            axis += amp[:, k] * np.sin(waves[:, k] + phase[:, k])
    # Pose: column stretch (narrow/wide), slant (shear of columns by row), then rotation.
    stretch, slant = rng.uniform(0.8, 1.25, (count, 1)), rng.uniform(-0.3, 0.5, (count, 1))
    angle = np.radians(rng.uniform(-15.0, 15.0, (count, 1)))
    cols = cols * stretch - slant * rows
    rows, cols = np.cos(angle) * rows - np.sin(angle) * cols, np.sin(angle) * rows + np.cos(angle) * cols
    # Longer side of the pen path 15-19 px (MNIST: a 20 px box including the pen).
    extent = np.maximum(rows.max(axis=1) - rows.min(axis=1), cols.max(axis=1) - cols.min(axis=1))
    scale = (rng.uniform(15.0, 19.0, count) / extent)[:, None]
    return (rows * scale).astype(np.float32), (cols * scale).astype(np.float32)


def make_digits(n: int = 60_000, *, seed: int | tuple[int, ...] = 0) -> Dataset:
    """Generate ``n`` digit images, an equal number of each class, in random order.

    Parameters
    ----------
    n : int
    seed : int or tuple of int
        Seeds ``numpy.random.default_rng``; the same seed gives the same images.

    Returns
    -------
    Dataset
        x of shape (n, 28, 28, 1), white digits on black, values 0–1;
        class names '0'–'9'.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 10)
    variants = rng.integers(0, np.array([len(templates()[d]) for d in range(10)])[labels])
    x = np.zeros((n, SIZE, SIZE, 1), np.float32)
    for digit, shapes in templates().items():
        for v, template in enumerate(shapes):
            members = np.flatnonzero((labels == digit) & (variants == v))
            for start in range(0, len(members), CHUNK):
                chunk = members[start:start + CHUNK]
                x[chunk, :, :, 0] = _draw(template, len(chunk), rng)
    return Dataset(x, labels.astype(np.int64), CLASS_NAMES, "builtin-digits")


def _draw(template: Template, count: int, rng: np.random.Generator) -> np.ndarray:
    """Render ``count`` random instances of one template: (count, 28, 28) float32."""
    rows, cols = _posed(template.points, count, rng)
    weights = ink_weights(rows, cols, template.neighbour)
    mass = weights.sum(axis=1)
    middle = (SIZE - 1) / 2
    widths = 1.6 + 3.4 * rng.random(count) ** 1.5  # mostly 2-3.5 px, now and then a fat pen
    margin = 1.0 + widths / 2
    for axis in (rows, cols):
        # Centre of mass at the middle give or take a pixel, but never closer to the border than 1 px.
        shift = middle + rng.uniform(-1.0, 1.0, count) - (weights * axis).sum(axis=1) / mass
        shift = np.clip(shift, margin - axis.min(axis=1), SIZE - 1 - margin - axis.max(axis=1))
        axis += shift[:, None]
    return render(rows, cols, weights, widths, (SIZE, SIZE))


def normalise_drawing(image: np.ndarray) -> np.ndarray:
    """Frame a drawn digit like MNIST: longer side 20 px, centre of mass in the middle of 28×28.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 1)
        White (high) ink on black (0), any size and value scale.

    Returns
    -------
    ndarray of shape (28, 28, 1), float32, values 0–1
        All zeros when the image holds no ink.
    """
    ink = np.asarray(image, dtype=np.float32).reshape(image.shape[0], image.shape[1])
    out = np.zeros((SIZE, SIZE, 1), np.float32)
    top = float(ink.max())
    if top <= 0:
        return out
    rows, cols = np.nonzero(ink > 0.05 * top)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1] / top
    h, w = crop.shape
    scale = 20.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.asarray(Image.fromarray(crop, mode="F").resize((nw, nh), Image.Resampling.BOX), np.float32)
    small = np.clip(small, 0.0, 1.0)
    mass = small.sum()
    cr = (small.sum(axis=1) @ np.arange(nh)) / mass
    cc = (small.sum(axis=0) @ np.arange(nw)) / mass
    r0 = int(np.clip(round((SIZE - 1) / 2 - cr), 0, SIZE - nh))
    c0 = int(np.clip(round((SIZE - 1) / 2 - cc), 0, SIZE - nw))
    out[r0:r0 + nh, c0:c0 + nw, 0] = small
    return out
