"""Fast cross-correlation, activation and pooling on float32 arrays.

``correlate`` computes, like every CNN framework (``*`` is cross-correlation,
not flipped convolution)::

    out[i, j] = sum_{u,v} xp[i*sy + u*dy, j*sx + v*dx] * k[u, v] + bias

where ``xp`` is the input padded by :mod:`convdemo.core.geometry` and filled
according to ``border``, one of :data:`convdemo.core.modes.BORDERS` (zero,
reflect, mirror, replicate, wrap; the diagrams are there).

How it is fast: the output is cut into strips of rows small enough to stay in
the CPU cache; each strip is a sum of shifted (strided) slices of its padded
input rows, one numpy call per distinct kernel weight, and strips are shared
between threads (numpy releases the GIL). Plain-loop twins live in
:mod:`convdemo.core.reference`.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np

from convdemo.core.blas import Saxpy, saxpy_function, single_threaded
from convdemo.core.errors import ParameterError
from convdemo.core.geometry import Geometry, output_shape, pool_output_shape
from convdemo.core.modes import ACTIVATIONS, BORDERS, POOLS, choices_text, choose
from convdemo.core.strips import run_in_strips

BLAS_MIN_OUTPUT = 1 << 16
"""Output cells (rows × columns × planes) below which the plain numpy path is used.

On such small images the fused BLAS pass saves microseconds, and not loading
scipy's BLAS at all keeps the window's start-up (a 28×28 sample) quick.
"""


def border_index(index: np.ndarray, n: int, border: str) -> np.ndarray:
    """Map padded coordinates to source indices; ``-1`` means a zero cell.

    Parameters
    ----------
    index : ndarray of int
        Coordinates relative to the first real cell (negative = before it).
    n : int
        Input size along this axis.
    border : str
        A key of :data:`~convdemo.core.modes.BORDERS`.

    Returns
    -------
    ndarray of int, same shape as ``index``

    Examples
    --------
    >>> border_index(np.arange(-2, 5), 3, "reflect").tolist()
    [1, 0, 0, 1, 2, 2, 1]
    """
    return BORDERS[choose(BORDERS, border, "border")].index(index, n)


def _weight_groups(k: np.ndarray, dilation: tuple[int, int]) -> list[tuple[float, list[tuple[int, int]]]]:
    """Kernel taps grouped by weight: ``[(w, [(row offset, col offset), ...]), ...]``, zeros dropped."""
    groups: dict[float, list[tuple[int, int]]] = {}
    for (u, v), w in np.ndenumerate(k):
        if w != 0:
            groups.setdefault(float(w), []).append((u * dilation[0], v * dilation[1]))
    return sorted(groups.items(), key=lambda g: -len(g[1]))


def _accumulate(out: np.ndarray, views, weight: float, scratch: np.ndarray, first: bool) -> None:
    """``out (+)= weight * sum(views)`` with as few passes over memory as possible."""
    acc = out if first else scratch
    if len(views) == 1 and not first and weight in (1.0, -1.0):
        (np.add if weight == 1.0 else np.subtract)(out, views[0], out=out)
        return
    if len(views) == 1:
        np.multiply(views[0], weight, out=acc)
    else:
        np.add(views[0], views[1], out=acc)
        for view in views[2:]:
            np.add(acc, view, out=acc)
        if weight == -1.0 and not first:
            np.subtract(out, acc, out=out)
            return
        if weight != 1.0:
            np.multiply(acc, weight, out=acc)
    if not first:
        np.add(out, acc, out=out)


def correlate(x, k, *, stride=1, padding="valid", border="zero", dilation=1, bias: float = 0.0) -> np.ndarray:
    """Cross-correlate every channel of ``x`` with the 2-D kernel ``k``.

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C)
        Input planes; channels are independent.
    k : array_like of shape (kh, kw)
        Kernel weights (not flipped).
    stride, dilation : int or (int, int)
        Step between outputs and between taps, ≥ 1.
    padding : {'valid', 'same', 'full'} or int or (int, int)
        See :mod:`convdemo.core.geometry`.
    border : str, default 'zero'
        How padded cells are filled, a key of :data:`~convdemo.core.modes.BORDERS`.
    bias : float
        Added to every output value.

    Returns
    -------
    ndarray of shape (Ho, Wo) or (Ho, Wo, C), float32

    Examples
    --------
    "Centre 1, the one above −1" finds the edge between a dark top and a bright bottom
    (valid padding: a 4×4 image gives 2×2, ``out[i, j] = x[i+1, j+1] − x[i, j+1]``):

    >>> x = np.array([[0, 0, 0, 0], [0, 0, 0, 0], [10, 10, 10, 10], [10, 10, 10, 10]], np.float32)
    >>> correlate(x, [[0, -1, 0], [0, 1, 0], [0, 0, 0]]).tolist()
    [[0.0, 0.0], [10.0, 10.0]]
    >>> correlate(x, [[0, -1, 0], [0, 1, 0], [0, 0, 0]], padding="same", stride=2).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    k = np.asarray(k, dtype=np.float64)
    if k.ndim != 2:
        raise ParameterError(f"a kernel must be a 2-D grid of numbers, not shape {k.shape}.")
    border = choose(BORDERS, border, "border")
    planar = x.ndim == 2
    x3 = x[:, :, None] if planar else x
    geo = output_shape(x3.shape[:2], k.shape, stride=stride, padding=padding, dilation=dilation)
    out = np.empty((*geo.shape, x3.shape[2]), dtype=np.float32)
    groups = _weight_groups(k, (geo.rows.dilation, geo.cols.dilation))
    if not groups:
        out.fill(bias)
        return out[:, :, 0] if planar else out
    saxpy = saxpy_function() if out.size >= BLAS_MIN_OUTPUT else None
    with single_threaded() if saxpy is not None else nullcontext():
        _correlate_into(out, np.ascontiguousarray(x3), groups, geo, border, float(bias), saxpy)
    return out[:, :, 0] if planar else out


def _correlate_into(out, x, groups, geo: Geometry, border: str, bias: float, saxpy: Saxpy | None) -> None:
    """Fill ``out`` (Ho, Wo, C): the interior straight from ``x``, the frame from padded crops.

    Output cells whose window lies wholly inside the image need no padding, so
    they are read from ``x`` directly (no copy); only the thin frame near the
    edges is computed from small padded crops.
    """
    rows, cols = geo.rows, geo.cols
    r_lo, r_hi = rows.interior()
    c_lo, c_hi = cols.interior()
    if r_lo < r_hi and c_lo < c_hi:
        src = x[r_lo * rows.stride - rows.before :, c_lo * cols.stride - cols.before :]
        _correlate_block(out[r_lo:r_hi, c_lo:c_hi], src, groups, geo, bias, saxpy)
    else:
        r_lo = r_hi = 0
    frame = [
        ((0, r_lo), (0, cols.out)),
        ((r_hi, rows.out), (0, cols.out)),
        ((r_lo, r_hi), (0, c_lo)),
        ((r_lo, r_hi), (c_hi, cols.out)),
    ]
    for (i0, i1), (j0, j1) in frame:
        if i1 > i0 and j1 > j0:
            src = _padded_crop(x, geo, border, (i0, i1), (j0, j1))
            _correlate_block(out[i0:i1, j0:j1], src, groups, geo, bias, saxpy)


def _padded_crop(x, geo: Geometry, border: str, out_rows, out_cols) -> np.ndarray:
    """The padded input cells read by the output block ``out_rows`` × ``out_cols``."""

    def source(plan, first, last, n):
        start = first * plan.stride - plan.before
        index = np.arange(start, (last - 1) * plan.stride + plan.k_eff - plan.before)
        return border_index(index, n, border)

    rows = source(geo.rows, out_rows[0], out_rows[1], x.shape[0])
    cols = source(geo.cols, out_cols[0], out_cols[1], x.shape[1])
    crop = x[np.ix_(np.maximum(rows, 0), np.maximum(cols, 0))]
    crop[rows < 0] = 0
    crop[:, cols < 0] = 0
    return crop


def _correlate_block(out, src, groups, geo: Geometry, bias: float, saxpy: Saxpy | None) -> None:
    """``out[i, j] = sum_t w_t * src[i*sy + oy_t, j*sx + ox_t] + bias``.

    Stride 1 on a contiguous source uses fused BLAS ``saxpy`` passes over whole
    rows (:func:`_correlate_rows_saxpy`); otherwise strided numpy passes in
    cache-sized strips.

    Parameters
    ----------
    out : ndarray of shape (n, m, C), float32
        Output block, written in place.
    src : ndarray of shape (>= (n-1)*sy + span_y, >= (m-1)*sx + span_x, C)
        Input cells, ``src[0, 0]`` under the first tap of ``out[0, 0]``.
    saxpy : callable or None
        The fast path's :func:`~convdemo.core.blas.saxpy_function`, or None for numpy only.
    """
    sy, sx = geo.rows.stride, geo.cols.stride
    if (sy, sx) == (1, 1) and src.flags.c_contiguous and saxpy is not None:
        _correlate_rows_saxpy(out, src, groups, bias, saxpy)
        return
    n_cols = out.shape[1]

    def work(r0: int, r1: int, strip: int) -> None:
        scratch = np.empty((strip, *out.shape[1:]), dtype=np.float32)
        for i0 in range(r0, r1, strip):
            n = min(r1, i0 + strip) - i0
            target = out[i0 : i0 + n]
            for g, (weight, offsets) in enumerate(groups):
                views = [
                    src[i0 * sy + oy : i0 * sy + oy + (n - 1) * sy + 1 : sy,
                        ox : ox + (n_cols - 1) * sx + 1 : sx]
                    for oy, ox in offsets
                ]
                _accumulate(target, views, weight, scratch[:n], first=(g == 0))
            if bias:
                np.add(target, bias, out=target)

    run_in_strips(out.shape[0], n_cols * out.shape[2], work)


def _correlate_rows_saxpy(out, src, groups, bias: float, saxpy) -> None:
    """Stride-1 correlation as one fused ``y += w * x`` pass per kernel tap.

    With stride 1, tap ``(oy, ox)`` of output row ``i`` reads a contiguous run of
    the flattened source starting at ``((i + oy) * W + ox) * C``. So a strip of
    output rows computed over the source's full width (the last ``k_eff - 1``
    columns of each row are garbage, dropped afterwards) is a sum of contiguous
    1-D slices: BLAS ``saxpy`` adds each in a single fused, vectorised pass.
    Strips are shared between threads (:mod:`convdemo.core.blas` runs outside the GIL).

    Parameters
    ----------
    out : ndarray of shape (n, m, C), float32
    src : C-contiguous ndarray of shape (>= n + span_y - 1, W, C), float32
        ``src[0, 0]`` is under the first tap of ``out[0, 0]``; ``m <= W - span_x + 1``.
    saxpy : callable
        From :func:`convdemo.core.blas.saxpy_function`.
    """
    width, c = src.shape[1:]
    row_len = width * c
    flat = src.reshape(-1)
    taps = [(float(w), (oy * width + ox) * c) for w, offsets in groups for oy, ox in offsets]
    last = max(offset for _, offset in taps)
    n_cols = out.shape[1]

    def work(r0: int, r1: int, strip: int) -> None:
        buffer = np.empty(strip * row_len, dtype=np.float32)
        for i0 in range(r0, r1, strip):
            n = min(r1, i0 + strip) - i0
            base = i0 * row_len
            length = min(n * row_len, flat.size - base - last)  # the last row's tail is garbage anyway
            y = buffer[:length]
            (w0, o0), rest = taps[0], taps[1:]
            np.multiply(flat[base + o0 : base + o0 + length], w0, out=y)
            for w, offset in rest:
                saxpy(flat[base + offset : base + offset + length], y, w)
            target = out[i0 : i0 + n]
            target[...] = buffer[: n * row_len].reshape(n, width, c)[:, :n_cols]
            if bias:
                np.add(target, bias, out=target)

    run_in_strips(out.shape[0], row_len, work)


def activate(x: np.ndarray, kind: str) -> np.ndarray:
    """Apply an activation to a new array.

    Parameters
    ----------
    x : ndarray of any shape, float32
    kind : str
        A key of :data:`~convdemo.core.modes.ACTIVATIONS`.

    Returns
    -------
    ndarray, same shape and dtype
    """
    return ACTIVATIONS[choose(ACTIVATIONS, kind, "activation")].function(x)


def pool(x, kind: str, size=2, stride=None) -> np.ndarray:
    """Max or average pooling of every plane; no padding, floor (Keras 'valid').

    ``out = floor((n - p)/stride) + 1`` per axis.

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C)
    kind : {'max', 'avg'}
        A key of :data:`~convdemo.core.modes.POOLS` other than 'none'.
    size : int or (int, int)
        Window ``p``.
    stride : int or (int, int) or None
        Step; ``None`` means ``size``.

    Returns
    -------
    ndarray of shape (Ho, Wo) or (Ho, Wo, C), float32

    Examples
    --------
    2×2 max pooling halves a 4×4 map; a 3×5 map keeps floor((3 − 2)/2) + 1 = 1 row and 2 columns:

    >>> x = np.arange(16, dtype=np.float32).reshape(4, 4)
    >>> pool(x, "max").tolist(), pool(x, "avg").tolist()
    ([[5.0, 7.0], [13.0, 15.0]], [[2.5, 4.5], [10.5, 12.5]])
    >>> pool(np.arange(15, dtype=np.float32).reshape(3, 5), "max").tolist()
    [[6.0, 8.0]]
    """
    pooling = POOLS.get(kind)
    if pooling is None or pooling.combine is None:
        raise ParameterError(f"pooling must be {choices_text(POOLS, skip='none')}, not {kind!r}.")
    x = np.asarray(x, dtype=np.float32)
    planar = x.ndim == 2
    x3 = x[:, :, None] if planar else x
    geo = pool_output_shape(x3.shape[:2], size, stride)
    rows, cols = geo.rows, geo.cols
    out = np.empty((*geo.shape, x3.shape[2]), dtype=np.float32)
    combine = pooling.combine

    def work(r0: int, r1: int, strip: int) -> None:
        # Reduce each window's rows first (long contiguous rows), then its columns.
        line = np.empty((strip, x3.shape[1], x3.shape[2]), dtype=np.float32)
        for i0 in range(r0, r1, strip):
            i1 = min(r1, i0 + strip)
            n = i1 - i0
            acc = line[:n]
            for u in range(rows.k):
                rows_u = x3[i0 * rows.stride + u : (i1 - 1) * rows.stride + u + 1 : rows.stride]
                if u == 0:
                    acc[...] = rows_u
                else:
                    combine(acc, rows_u, out=acc)
            target = out[i0:i1]
            for v in range(cols.k):
                cols_v = acc[:, v : v + (cols.out - 1) * cols.stride + 1 : cols.stride]
                if v == 0:
                    target[...] = cols_v
                else:
                    combine(target, cols_v, out=target)
            if pooling.mean:
                np.multiply(target, 1.0 / (rows.k * cols.k), out=target)

    run_in_strips(rows.out, x3.shape[1] * x3.shape[2], work)
    return out[:, :, 0] if planar else out
