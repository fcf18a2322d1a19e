"""Antialiased pen strokes rendered in bulk: the drawing engine of the synthetic data sets.

A glyph is a :class:`Template`: pen paths (lines, Bézier curves, elliptic
arcs) sampled densely and evenly along their length. Rendering a batch of
transformed templates works on all images at once:

1. every sample point is splatted bilinearly onto the pixel grid with a weight
   equal to the length of pen path it stands for (so ink density per unit
   length stays constant whatever the distortion);
2. the density is blurred with a Gaussian, giving every stroke a bell-shaped
   cross-section whose peak is the same for any straight stretch of pen;
3. a soft threshold turns the bell into a solid stroke with grey antialiased
   edges; the threshold and the blur together set the pen width. Where strokes cross the
   density adds up and simply saturates, like ink.

Coordinates are (row, column) pairs, rows first, as everywhere in the core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PEN_SIGMAS = np.array([0.8, 1.1, 1.5, 2.0])
"""Gaussian blurs (pixels) that turn splatted pen paths into stroke profiles; one per pen-width group."""

EDGE = 0.4
"""Width of the grey edge ramp, as a fraction of a stroke's peak density."""

SAMPLES_PER_UNIT = 45
"""Pen samples per template unit (a glyph is about one unit tall)."""


def line(*points) -> np.ndarray:
    """A polyline through ``points`` given as (row, col) pairs; returns (P, 2) densely sampled."""
    corners = np.asarray(points, dtype=np.float64)
    pieces = [np.linspace(a, b, 32, endpoint=False) for a, b in zip(corners[:-1], corners[1:])]
    return np.concatenate([*pieces, corners[-1:]])


def curve(p0, p1, p2, p3) -> np.ndarray:
    """A cubic Bézier curve from ``p0`` to ``p3`` with control points ``p1``, ``p2``; (P, 2)."""
    t = np.linspace(0.0, 1.0, 64)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def arc(center, radii, start: float, sweep: float) -> np.ndarray:
    """An elliptic arc; angles in degrees, 0 = right, 90 = down (rows grow downwards); (P, 2).

    Parameters
    ----------
    center : (row, col)
    radii : (row radius, col radius)
    start, sweep : float
        First angle and signed extent (negative sweeps go anticlockwise on screen).
    """
    angles = np.radians(np.linspace(start, start + sweep, max(16, int(abs(sweep) / 4))))
    return np.stack([center[0] + radii[0] * np.sin(angles), center[1] + radii[1] * np.cos(angles)], axis=1)


def path(*pieces: np.ndarray) -> np.ndarray:
    """Join pieces drawn without lifting the pen into one (P, 2) path."""
    return np.concatenate(pieces)


@dataclass(frozen=True)
class Template:
    """Pen paths sampled evenly along their length.

    Attributes
    ----------
    points : ndarray of shape (P, 2)
        Sample positions (row, col) in template units.
    neighbour : ndarray of shape (P,), int
        For each sample, the index of an adjacent sample on the same stroke;
        the distance to it after transformation is the sample's ink weight.
    """

    points: np.ndarray
    neighbour: np.ndarray

    @classmethod
    def from_strokes(cls, strokes: list[np.ndarray]) -> Template:
        """Resample each stroke (a (P, 2) path) at :data:`SAMPLES_PER_UNIT` per unit length."""
        points, neighbours = [], []
        offset = 0
        for stroke in strokes:
            steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
            along = np.concatenate([[0.0], np.cumsum(steps)])
            count = max(2, int(np.ceil(along[-1] * SAMPLES_PER_UNIT)) + 1)
            where = np.linspace(0.0, along[-1], count)
            points.append(np.stack([np.interp(where, along, stroke[:, i]) for i in (0, 1)], axis=1))
            nxt = np.arange(1, count + 1)
            nxt[-1] = count - 2
            neighbours.append(nxt + offset)
            offset += count
        return cls(np.concatenate(points), np.concatenate(neighbours))


def ink_weights(rows: np.ndarray, cols: np.ndarray, neighbour: np.ndarray) -> np.ndarray:
    """Length of pen path each transformed sample stands for.

    Parameters
    ----------
    rows, cols : ndarray of shape (S, P)
        Transformed sample positions.
    neighbour : ndarray of shape (P,)
        :attr:`Template.neighbour`.

    Returns
    -------
    ndarray of shape (S, P)
    """
    return np.hypot(rows[:, neighbour] - rows, cols[:, neighbour] - cols)


def render(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, widths: np.ndarray,
           size: tuple[int, int]) -> np.ndarray:
    """Draw a batch of pen paths as antialiased white-on-black strokes.

    Parameters
    ----------
    rows, cols : ndarray of shape (S, P)
        Pen samples in pixel coordinates; pixel centres sit at integers.
    weights : ndarray of shape (S, P)
        Pen length per sample, in pixels (see :func:`ink_weights`).
    widths : ndarray of shape (S,)
        Pen width of each image in pixels (where the edge is half grey),
        about 1.5 to 7.
    size : (H, W)

    Returns
    -------
    ndarray of shape (S, H, W), float32, values 0–1
    """
    from scipy.ndimage import gaussian_filter  # 0.4 s to import: only when data is drawn, not at start-up

    s = rows.shape[0]
    h, w = size
    top, left = np.floor(rows), np.floor(cols)
    down, right = rows - top, cols - left
    top, left = top.astype(np.int64), left.astype(np.int64)
    base = (np.arange(s) * (h * w))[:, None]
    density = np.zeros(s * h * w)
    for dr, share_r in ((0, 1 - down), (1, down)):
        for dc, share_c in ((0, 1 - right), (1, right)):
            r, c = top + dr, left + dc
            inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
            index = (base + r * w + c)[inside]
            density += np.bincount(index, weights=(weights * share_r * share_c)[inside], minlength=s * h * w)
    density = density.reshape(s, h, w)
    # Blur each image with the pen sigma nearest to a third of its width, then threshold the
    # bell-shaped profile where it is as wide as the pen. A long straight line of unit density
    # blurred by the bilinear splat (variance 1/6 per axis on average) and a Gaussian of sigma
    # s peaks at 1 / sqrt(2 pi (s^2 + 1/6)) and falls to a fraction f of that at
    # distance sqrt(-2 ln f (s^2 + 1/6)).
    group = np.abs(widths[:, None] / 3 - PEN_SIGMAS).argmin(axis=1)
    threshold = np.empty(s)
    for g, sigma in enumerate(PEN_SIGMAS):
        members = np.flatnonzero(group == g)
        if len(members) == 0:
            continue
        variance = sigma ** 2 + 1 / 6
        blurred = gaussian_filter(density[members], sigma=(0, sigma, sigma), truncate=3.0)
        density[members] = blurred * np.sqrt(2 * np.pi * variance)
        half_grey = np.exp(-(widths[members] / 2) ** 2 / (2 * variance))
        threshold[members] = np.clip(half_grey, EDGE, 1.0) - EDGE / 2
    t = threshold[:, None, None]
    return np.clip((density - t) / EDGE, 0.0, 1.0).astype(np.float32)
