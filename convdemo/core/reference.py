"""Slow, obviously-right versions of every operation: the oracle for tests.

Plain Python loops that follow ``docs/semantics.md`` word for word, computed
in float64. They share no code with the fast engine (``ops.py``): borders are
filled by ``numpy.pad`` under the registry's numpy name, activations and
pooling use each registry entry's plain-Python ``reference``. So a test that
compares the two catches a mistake in either. Only for small arrays.
"""

from __future__ import annotations

import math

import numpy as np

from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS


def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def _pads(n: int, k_eff: int, s: int, padding) -> tuple[int, int]:
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return k_eff - 1, k_eff - 1
    if padding == "same":
        out = math.ceil(n / s)
        total = max((out - 1) * s + k_eff - n, 0)
        return total // 2, total - total // 2
    return int(padding), int(padding)


def correlate2d_reference(x, k, *, stride=1, padding="valid", border="zero", dilation=1):
    """Cross-correlation of one plane with explicit loops.

    ``out[i, j] = sum_{u,v} xp[i*sy + u*dy, j*sx + v*dx] * k[u, v]`` where ``xp``
    is ``x`` padded as ``docs/semantics.md`` says.

    Parameters
    ----------
    x : array_like of shape (H, W)
    k : array_like of shape (kh, kw)
    stride, dilation : int or (int, int)
    padding : {'valid', 'same', 'full'} or int or (int, int)
    border : str
        A key of :data:`~convdemo.core.modes.BORDERS`.

    Returns
    -------
    ndarray of shape (Ho, Wo), float64
    """
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    (sy, sx), (dy, dx) = _pair(stride), _pair(dilation)
    py, px = (padding, padding) if isinstance(padding, str) or np.isscalar(padding) else padding
    kh, kw = k.shape
    top, bottom = _pads(x.shape[0], dy * (kh - 1) + 1, sy, py)
    left, right = _pads(x.shape[1], dx * (kw - 1) + 1, sx, px)
    xp = np.pad(x, ((top, bottom), (left, right)), mode=BORDERS[border].numpy)
    ho = (xp.shape[0] - (dy * (kh - 1) + 1)) // sy + 1
    wo = (xp.shape[1] - (dx * (kw - 1) + 1)) // sx + 1
    out = np.zeros((max(ho, 0), max(wo, 0)))  # empty when the kernel does not fit
    for i in range(ho):
        for j in range(wo):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += xp[i * sy + u * dy, j * sx + v * dx] * k[u, v]
            out[i, j] = total
    return out


def activate_reference(x, kind: str):
    """Element-wise activation (a key of :data:`~convdemo.core.modes.ACTIVATIONS`) with a loop."""
    x = np.asarray(x, dtype=np.float64)
    function = ACTIVATIONS[kind].reference
    out = np.empty_like(x)
    for idx, value in np.ndenumerate(x):
        out[idx] = function(float(value))
    return out


def pool2d_reference(x, kind: str, size=2, stride=None):
    """Max or average pooling of one plane, no padding, floor.

    Parameters
    ----------
    x : array_like of shape (H, W)
    kind : {'max', 'avg'}
    size : int or (int, int)
    stride : int or (int, int) or None
        ``None`` means the window size.

    Returns
    -------
    ndarray of shape (Ho, Wo), float64
    """
    x = np.asarray(x, dtype=np.float64)
    reduce = POOLS[kind].reference
    if reduce is None:
        raise ValueError(f"{kind!r} pooling has no window to reduce.")
    ph, pw = _pair(size)
    sy, sx = _pair(size if stride is None else stride)
    ho = (x.shape[0] - ph) // sy + 1
    wo = (x.shape[1] - pw) // sx + 1
    out = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = [x[i * sy + u, j * sx + v] for u in range(ph) for v in range(pw)]
            out[i, j] = reduce(window)
    return out


def luma_reference(rgb):
    """ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B`` of an (H, W, 3) image."""
    rgb = np.asarray(rgb, dtype=np.float64)
    out = np.zeros(rgb.shape[:2])
    for i in range(rgb.shape[0]):
        for j in range(rgb.shape[1]):
            r, g, b = rgb[i, j]
            out[i, j] = 0.299 * r + 0.587 * g + 0.114 * b
    return out


def run_reference(image, weights, *, stride=1, padding="valid", border="zero", dilation=1, flip=False,
                  divisor=1.0, bias=0.0, channels="gray", activation="none", pool="none",
                  pool_size=2, pool_stride=None):
    """The whole pipeline (channels → correlation → divisor/bias → activation → pooling).

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, 3)
        Values 0–255. A grey image is treated as R = G = B.
    weights : array_like of shape (kh, kw), or (3, kh, kw) for three kernels (rgb-sum)
    Other parameters as in :func:`convdemo.run`.

    Returns
    -------
    dict
        ``conv``, ``activated`` (None when 'none') and ``pooled`` (None when 'none'),
        each float64 of shape (H', W') or (H', W', 3) for 'per-channel'.
    """
    image = np.asarray(image, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    rgb = image if image.ndim == 3 else np.stack([image] * 3, axis=-1)
    kernels = list(weights) if weights.ndim == 3 else [weights] * 3
    if flip:
        kernels = [k[::-1, ::-1] for k in kernels]
    opts = dict(stride=stride, padding=padding, border=border, dilation=dilation)

    def finish(plane):
        return plane / divisor + bias

    if channels == "gray":
        planes = [finish(correlate2d_reference(luma_reference(rgb), kernels[0], **opts))]
    elif CHANNEL_MODES[channels].plane is not None:
        c = CHANNEL_MODES[channels].plane
        planes = [finish(correlate2d_reference(rgb[..., c], kernels[c], **opts))]
    elif channels == "rgb-sum":
        planes = [finish(sum(correlate2d_reference(rgb[..., c], kernels[c], **opts) for c in range(3)))]
    else:  # per-channel
        planes = [finish(correlate2d_reference(rgb[..., c], kernels[c], **opts)) for c in range(3)]

    def stack(ps):
        return ps[0] if len(ps) == 1 else np.stack(ps, axis=-1)

    conv = stack(planes)
    activated = None if activation == "none" else stack([activate_reference(p, activation) for p in planes])
    after_act = planes if activated is None else [activate_reference(p, activation) for p in planes]
    pooled = None if pool == "none" else stack(
        [pool2d_reference(p, pool, pool_size, pool_stride) for p in after_act]
    )
    return {"conv": conv, "activated": activated, "pooled": pooled}
