"""Pictures of the mini-CNN's numbers, for the lab's views (pure numpy, no Qt).

- :func:`image_rgb`: a 0–1 training image as RGB bytes;
- :func:`layer_mosaic`: one layer's channels as a grid of small tiles, all on one colour scale;
- :func:`confusion_colours`: cell colours of a confusion matrix;
- :func:`smooth`, :func:`batch_accuracies`: training curves without noise and without jumps;
- :func:`top_k`: the most likely classes.

Colours reuse the stage views' maps from :mod:`convdemo.core.display`:
signed values use the blue–white–red diverging map with zero white, values
that are never negative use the heat map (zero black).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convdemo.core.display import HEAT_LUT, diverging_colours

GAP_GREY = 128
"""Grey level of the gaps between tiles."""

# Confusion matrix cells fade from white to these colours as their share of the true class grows.
_RIGHT_RGB = np.array([26, 152, 80], np.float32)
_WRONG_RGB = np.array([215, 48, 39], np.float32)


@dataclass(frozen=True, eq=False)
class LayerMosaic:
    """A layer's channels as tiles, and what the colours mean.

    Attributes
    ----------
    rgb : ndarray of shape (M, N, 3), uint8
        Tiles in reading order (channel 0 top left), separated by grey gaps.
    columns, rows : int
        Tiles per row, and rows of tiles.
    low, high : float
        Values at the two ends of the colour scale.
    colours : {'grey', 'heat', 'diverging'}
    """

    rgb: np.ndarray
    columns: int
    rows: int
    low: float
    high: float
    colours: str


def image_rgb(image: np.ndarray) -> np.ndarray:
    """A training image with values 0–1 as bytes.

    Parameters
    ----------
    image : ndarray of shape (H, W, 1) or (H, W, 3), values 0–1

    Returns
    -------
    ndarray of shape (H, W, 3), uint8
        Grey images repeat their plane in R, G and B.
    """
    a = np.asarray(image, dtype=np.float32)
    rgb = (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return np.ascontiguousarray(np.broadcast_to(rgb, (*a.shape[:2], 3)))


def _coloured(planes: np.ndarray, colours: str) -> tuple[np.ndarray, float, float, str]:
    """Planes (C, h, w) → RGB (C, h, w, 3) on one shared scale; also the scale's ends and the map used."""
    peak = float(np.abs(planes).max()) if planes.size else 0.0
    peak = peak if peak > 0 else 1.0
    if colours == "auto":
        colours = "diverging" if planes.size and float(planes.min()) < 0 else "heat"
    if colours == "diverging":
        return diverging_colours(0.5 + planes / (2 * peak)), -peak, peak, colours
    levels = (np.clip(planes / peak, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if colours == "heat":
        return HEAT_LUT[levels], 0.0, peak, colours
    if colours == "grey":
        return np.repeat(levels[..., None], 3, axis=-1), 0.0, peak, colours
    raise ValueError(f"colours must be 'auto', 'diverging', 'heat' or 'grey', not {colours!r}")


def layer_mosaic(activation: np.ndarray, columns: int, *, colours: str = "auto", gap: int = 1) -> LayerMosaic:
    """Tile a layer's channels into one picture, all channels on the same colour scale.

    One shared scale keeps the channels comparable: a faint tile is a weak
    response, not a rescaled strong one.

    Parameters
    ----------
    activation : ndarray of shape (h, w, C)
        One image's output of a conv, ReLU or pooling layer.
    columns : int
        Tiles per row (at least 1; at most C are used).
    colours : {'auto', 'diverging', 'heat', 'grey'}
        'auto' is 'diverging' (±max|v|, zero white) when any value is
        negative, else 'heat' (0 black to max bright).
    gap : int
        Grey pixels between tiles.

    Returns
    -------
    LayerMosaic
        ``rgb`` has shape (rows·(h+gap) − gap, columns·(w+gap) − gap, 3) with
        ``rows = ceil(C / columns)``; unused cells of the last row are grey.
    """
    a = np.asarray(activation, dtype=np.float32)
    if a.ndim != 3:
        raise ValueError(f"activation must have shape (h, w, channels), not {a.shape}")
    h, w, c = a.shape
    columns = max(1, min(int(columns), c))
    rows = -(-c // columns)
    tiles, low, high, used = _coloured(a.transpose(2, 0, 1), colours)
    rgb = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), GAP_GREY, np.uint8)
    for channel in range(c):
        r0, c0 = (channel // columns) * (h + gap), (channel % columns) * (w + gap)
        rgb[r0:r0 + h, c0:c0 + w] = tiles[channel]
    return LayerMosaic(rgb, columns, rows, low, high, used)


def confusion_colours(confusion: np.ndarray) -> np.ndarray:
    """Cell colours of a confusion matrix: green on the diagonal, red off it, by share of the true class.

    A cell's strength is the square root of its share of its row (its true
    class), so rare mistakes still show: 1 % of a class gives 10 % colour.

    Parameters
    ----------
    confusion : ndarray of shape (K, K)
        ``confusion[true, predicted]`` counts.

    Returns
    -------
    ndarray of shape (K, K, 3), uint8
        White for empty cells.
    """
    counts = np.asarray(confusion, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    strength = np.sqrt(share)[..., None]
    target = np.where(np.eye(len(counts), dtype=bool)[..., None], _RIGHT_RGB, _WRONG_RGB)
    return (255.0 + (target - 255.0) * strength + 0.5).astype(np.uint8)


def smooth(values, weight: float = 0.9) -> np.ndarray:
    """Exponential moving average of a noisy curve, without the usual pull towards zero at the start.

    ``s[i] = weight·s[i−1] + (1 − weight)·v[i]``, divided by ``1 − weight^(i+1)``
    (TensorBoard's smoothing), so the first point equals the first value.

    Parameters
    ----------
    values : array_like of shape (N,)
    weight : float
        In [0, 1): 0 returns the values unchanged, 0.9 averages about the last 10.

    Returns
    -------
    ndarray of shape (N,), float64
    """
    if not 0 <= weight < 1:
        raise ValueError(f"weight must be in [0, 1), not {weight}")
    v = np.asarray(values, dtype=np.float64)
    out = np.empty_like(v)
    running = 0.0
    for i, value in enumerate(v):
        running = weight * running + (1 - weight) * value
        out[i] = running / (1 - weight ** (i + 1))
    return out


def top_k(proba: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest probabilities, largest first (ties: lower index first).

    Parameters
    ----------
    proba : ndarray of shape (K,)
    k : int
        Clipped to K.

    Returns
    -------
    ndarray of shape (min(k, K),), int
    """
    p = np.asarray(proba)
    return np.argsort(-p, kind="stable")[:max(0, min(int(k), len(p)))]


def batch_accuracies(running, seen) -> np.ndarray:
    """Each batch's own accuracy, recovered from the running epoch accuracies training reports.

    Training reports, after every batch, the share of the epoch's images
    right so far (``Progress.accuracy``); plotted as is, it jumps whenever a
    new epoch starts its average afresh. This gives every batch's own share
    instead, which a moving average (:func:`smooth`) then turns into a
    curve without jumps.

    Parameters
    ----------
    running : array_like of shape (N,)
        Running epoch accuracy after each batch, 0–1.
    seen : array_like of shape (N,), int
        Images of the epoch seen so far after each batch; a value not larger
        than the one before marks the first batch of a new epoch.

    Returns
    -------
    ndarray of shape (N,), float64
    """
    seen = np.asarray(seen, dtype=np.float64)
    correct = np.rint(np.asarray(running, dtype=np.float64) * seen)
    before_seen = np.concatenate([[0.0], seen[:-1]])
    before_correct = np.concatenate([[0.0], correct[:-1]])
    restart = seen <= before_seen
    before_seen[restart] = 0.0
    before_correct[restart] = 0.0
    return (correct - before_correct) / (seen - before_seen)
