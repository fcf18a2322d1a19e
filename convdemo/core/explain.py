"""Why an output pixel has its value: its window, the products, the sum; and where it sits.

Used by the window's pixel inspector and the sliding-window animation; pure
numpy so the numbers are tested against hand computations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import ParameterError
from convdemo.core.geometry import Geometry
from convdemo.core.modes import ACTIVATIONS, CHANNEL_MODES
from convdemo.core.ops import border_index
from convdemo.core.pipeline import Stages


@dataclass(frozen=True, eq=False)
class ConvExplanation:
    """One convolution output pixel, taken apart.

    Attributes
    ----------
    row, col : int
        Output pixel.
    input_rows, input_cols : ndarray of shape (kh,) and (kw,), int
        Image coordinates under each kernel tap (may be outside the image: padding).
    padded : ndarray of shape (kh, kw), bool
        True where the tap reads a padded cell (border fill) instead of a real pixel.
    window : ndarray of shape (kh, kw, P), float64
        Input values under the taps; P = number of source planes (1 or 3).
    kernel : ndarray of shape (kh, kw, P), float64
        Weights as applied (flipped if asked), one plane per source plane.
    products : ndarray of shape (kh, kw, P)
        ``window * kernel``.
    sums : ndarray of shape (O,)
        Sum of products per output plane (O = 3 for 'per-channel', else 1;
        'rgb-sum' adds the three planes into one).
    divisor, bias : float
    values : ndarray of shape (O,)
        ``sums / divisor + bias``: the convolved pixel.
    activated : ndarray of shape (O,) or None
        After the activation (None when it is 'none').
    """

    row: int
    col: int
    input_rows: np.ndarray
    input_cols: np.ndarray
    padded: np.ndarray
    window: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    sums: np.ndarray
    divisor: float
    bias: float
    values: np.ndarray
    activated: np.ndarray | None


@dataclass(frozen=True, eq=False)
class PoolExplanation:
    """One pooled pixel: which values were pooled and which won.

    Attributes
    ----------
    row, col : int
        Pooled pixel.
    rows, cols : ndarray of shape (ph,) and (pw,), int
        Coordinates in the pooled stage's input (the activated, else convolved, map).
    values : ndarray of shape (ph, pw, O)
        The pooled values.
    winner : ndarray of shape (O, 2), int or None
        ``(row, col)`` inside the window of the maximum per plane (max pooling), else None.
    result : ndarray of shape (O,)
    """

    row: int
    col: int
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    winner: np.ndarray | None
    result: np.ndarray


def _planes(a: np.ndarray) -> np.ndarray:
    return a[:, :, None] if a.ndim == 2 else a


def _pool_geometry(stages: Stages) -> Geometry:
    if stages.pool_geometry is None:
        raise ParameterError("pooling is off, so there is no pooled pixel to explain.")
    return stages.pool_geometry


def _check_index(shape, row: int, col: int, what: str) -> None:
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ParameterError(f"pixel ({row}, {col}) is outside the {shape[0]}×{shape[1]} {what}.")


def explain_conv(stages: Stages, row: int, col: int) -> ConvExplanation:
    """Take the convolution output pixel ``(row, col)`` apart.

    Parameters
    ----------
    stages : Stages
        A pipeline result.
    row, col : int
        Pixel of ``stages.conv``.

    Returns
    -------
    ConvExplanation
    """
    _check_index(stages.conv.shape, row, col, "convolution output")
    geo, s = stages.conv_geometry, stages.settings
    source = _planes(stages.source).astype(np.float64)
    kh, kw = stages.weights.shape[-2:]
    input_rows = row * geo.rows.stride + np.arange(kh) * geo.rows.dilation - geo.rows.before
    input_cols = col * geo.cols.stride + np.arange(kw) * geo.cols.dilation - geo.cols.before
    src_r = border_index(input_rows, source.shape[0], s.border)
    src_c = border_index(input_cols, source.shape[1], s.border)
    window = source[np.ix_(np.maximum(src_r, 0), np.maximum(src_c, 0))]
    window[(src_r[:, None] < 0) | (src_c[None, :] < 0)] = 0.0
    outside = (input_rows < 0) | (input_rows >= source.shape[0])
    padded = outside[:, None] | ((input_cols < 0) | (input_cols >= source.shape[1]))[None, :]
    planes = window.shape[2]
    weights = stages.weights
    kernel = np.stack(list(weights), axis=2) if weights.ndim == 3 else np.repeat(weights[:, :, None], planes, 2)
    plane = CHANNEL_MODES[s.channels].plane
    if weights.ndim == 3 and plane is not None:  # one plane chosen (red/green/blue) from three kernels
        kernel = kernel[:, :, plane : plane + 1]
    return _worked_out(stages, row, col, input_rows, input_cols, padded, window, kernel)


def _worked_out(stages: Stages, row: int, col: int, input_rows: np.ndarray, input_cols: np.ndarray,
                padded: np.ndarray, window: np.ndarray, kernel: np.ndarray) -> ConvExplanation:
    """Products, sums, value and activation of a window and its kernel, as the pipeline's settings say."""
    s = stages.settings
    products = window * kernel
    sums = products.sum(axis=(0, 1))
    if CHANNEL_MODES[s.channels].sums_planes:
        sums = sums.sum(keepdims=True)
    values = sums / s.divisor + s.bias
    activated = None
    if stages.activated is not None:
        activated = ACTIVATIONS[s.activation].function(values)
    return ConvExplanation(row, col, input_rows, input_cols, padded, window, kernel, products, sums,
                           s.divisor, s.bias, values, activated)


def by_hand(stages: Stages, e: ConvExplanation, decimals: int) -> ConvExplanation:
    """The same pixel worked out again from its window written with ``decimals`` decimals, in float64.

    The pipeline holds a photo's luma 124.385 as the float32 124.38500213…; written
    with its three decimals and multiplied out in float64, the products and sums are
    the ones a person gets by hand. They differ from ``e`` only by that float32
    rounding, however large the kernel's weights.

    Parameters
    ----------
    stages : Stages
        The result ``e`` explains.
    e : ConvExplanation
    decimals : int
        Decimals that write every value of the window exactly (see :func:`shown_decimals`).

    Returns
    -------
    ConvExplanation

    Examples
    --------
    >>> import convdemo
    >>> stages = convdemo.run(np.float32([[124.385, 98.112]]), [[476.0, -1.0]])
    >>> float(explain_conv(stages, 0, 0).products[0, 0, 0])  # float32 noise, times 476
    59207.2610168457
    >>> float(by_hand(stages, explain_conv(stages, 0, 0), 3).products[0, 0, 0])
    59207.26
    """
    return _worked_out(stages, e.row, e.col, e.input_rows, e.input_cols, e.padded, np.round(e.window, decimals),
                       e.kernel)


def explain_pool(stages: Stages, row: int, col: int) -> PoolExplanation:
    """Which values the pooled pixel ``(row, col)`` was pooled from, and which won.

    Parameters
    ----------
    stages : Stages
        A pipeline result with pooling on.
    row, col : int
        Pixel of ``stages.pooled``.

    Returns
    -------
    PoolExplanation
    """
    if stages.pooled is None:
        raise ParameterError("pooling is off, so there is no pooled pixel to explain.")
    _check_index(stages.pooled.shape, row, col, "pooled output")
    geo = _pool_geometry(stages)
    pooled_from = _planes(stages.conv if stages.activated is None else stages.activated)
    rows = row * geo.rows.stride + np.arange(geo.rows.k)
    cols = col * geo.cols.stride + np.arange(geo.cols.k)
    values = pooled_from[np.ix_(rows, cols)].astype(np.float64)
    flat = values.reshape(-1, values.shape[2])
    if stages.settings.pool == "max":
        best = flat.argmax(axis=0)
        winner = np.stack(np.unravel_index(best, values.shape[:2]), axis=1)
        result = flat.max(axis=0)
    else:
        winner, result = None, flat.mean(axis=0)
    return PoolExplanation(row, col, rows, cols, values, winner, result)


def shown_decimals(values: np.ndarray, most: int = 2, precision: type = np.float32) -> int:
    """Fewest decimals (0 … ``most``) that write every value exactly; ``most`` when none does.

    The explanation writes a table with this many decimals, so whole numbers stay
    whole and a table only carries the digits its numbers have. "Exactly" allows
    for the rounding of the precision the values were computed in (four units in
    the last place), so ``23.1`` stored as float32 still needs one decimal, not seven.

    Parameters
    ----------
    values : array_like of float
        Non-finite values are ignored.
    most : int
        The most decimals written.
    precision : numpy floating type
        What the values were computed in: ``np.float32`` for the pipeline's arrays,
        ``np.float64`` for sums of numbers already known to be exact.

    Returns
    -------
    int

    Examples
    --------
    >>> shown_decimals(np.array([231.0, -2.0])), shown_decimals(np.float32([23.1, 0.5]))
    (0, 1)
    >>> shown_decimals(np.float32([0.299 * 200 + 0.587 * 120 + 0.114 * 31]))  # luma: 3 decimals, so rounded
    2
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    tolerance = 4 * np.finfo(precision).eps * np.maximum(np.abs(flat), 1.0)
    for decimals in range(most):
        if np.all(np.abs(flat - np.round(flat, decimals)) <= tolerance):
            return decimals
    return most


def pooled_mask(stages: Stages, conv_mask: np.ndarray) -> np.ndarray:
    """Pooled pixels whose pooling window holds at least one masked convolved pixel.

    The sliding-window animation blanks the convolved cells it has not computed
    yet; the pooled cells that depend on any of them are not known yet either.

    Parameters
    ----------
    stages : Stages
        A pipeline result with pooling on.
    conv_mask : ndarray of shape (Ho, Wo), bool
        Over ``stages.conv`` (the activated map has the same shape).

    Returns
    -------
    ndarray of shape (Hp, Wp), bool

    Examples
    --------
    >>> import convdemo
    >>> stages = convdemo.run(np.zeros((5, 5), np.float32), [[1.0]], pool="max", pool_size=2)
    >>> mask = np.zeros((5, 5), bool); mask[2, 3] = True
    >>> pooled_mask(stages, mask).astype(int).tolist()
    [[0, 0], [0, 1]]
    """
    geo = _pool_geometry(stages)
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(conv_mask, bool), (geo.rows.k, geo.cols.k))
    hit = np.asarray(windows[::geo.rows.stride, ::geo.cols.stride].any(axis=(2, 3)))
    return hit[:geo.rows.out, :geo.cols.out]


@dataclass(frozen=True)
class Placement:
    """Where a stage's pixels sit over the input image, in input pixel units.

    Pixel ``(i, j)`` of the stage covers rows ``offset_y + scale_y*i`` to
    ``offset_y + scale_y*(i+1)`` of the input (edges, not centres), and the same
    for columns: the rectangle is centred on its receptive field and as large
    as the stride, so panels with linked zoom stay aligned.
    """

    scale_y: float
    scale_x: float
    offset_y: float
    offset_x: float


def placement(stages: Stages, stage: str) -> Placement:
    """Placement of 'source', 'conv', 'activation' or 'pool' over the input.

    Parameters
    ----------
    stages : Stages
    stage : str

    Returns
    -------
    Placement
    """
    if stage == "source":
        return Placement(1.0, 1.0, 0.0, 0.0)
    r, c = stages.conv_geometry.rows, stages.conv_geometry.cols
    conv = Placement(r.stride, c.stride, (r.k_eff - r.stride) / 2 - r.before, (c.k_eff - c.stride) / 2 - c.before)
    if stage in ("conv", "activation"):
        return conv
    pr, pc = _pool_geometry(stages).rows, _pool_geometry(stages).cols
    return Placement(
        conv.scale_y * pr.stride, conv.scale_x * pc.stride,
        conv.offset_y + conv.scale_y * (pr.k - pr.stride) / 2, conv.offset_x + conv.scale_x * (pc.k - pc.stride) / 2,
    )


def receptive_field(stages: Stages, stage: str, row: int, col: int) -> tuple[int, int, int, int]:
    """Input rectangle a stage pixel depends on: ``(top, left, bottom, right)``, bottom/right exclusive.

    May reach outside the image (into the padding).
    """
    r, c = stages.conv_geometry.rows, stages.conv_geometry.cols
    first_r = last_r = row
    first_c = last_c = col
    if stage == "pool":
        pr, pc = _pool_geometry(stages).rows, _pool_geometry(stages).cols
        first_r, last_r = row * pr.stride, row * pr.stride + pr.k - 1
        first_c, last_c = col * pc.stride, col * pc.stride + pc.k - 1
    elif stage == "source":
        return row, col, row + 1, col + 1
    return (first_r * r.stride - r.before, first_c * c.stride - c.before,
            last_r * r.stride - r.before + r.k_eff, last_c * c.stride - c.before + c.k_eff)
