"""The mini-CNN's convolution and its fused conv -> ReLU -> max-pool block (layout: :mod:`.layers`).

Both keep the batch axis last, ``(C, H, W, N)``, so a convolution over the
whole batch is one matrix product ``(F, K) @ (K, Ho*Wo*N)``; products are
sliced to stay within OpenBLAS's small-matrix path (:func:`column_slices`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import numpy as np

from convdemo.core.errors import ParameterError
from convdemo.core.nn.init import he_normal
from convdemo.core.nn.layers import Layer

PADDINGS = ("valid", "same")
SMALL_PRODUCT = 10**6
"""OpenBLAS (the BLAS in numpy's wheels) multiplies without first copying its
operands into packed panels when M·N·K ≤ 10⁶: 15-25 % faster for the conv
products, and 2-4x for the weight gradient. Wide products are therefore split
into column slices of that size (:func:`column_slices`)."""
SMALL_WEIGHT_GRADIENT = 1200
"""The weight gradient ``g @ cols.T`` also needs F·(K+1) ≤ 1200 for that."""
MIN_SLICE = 256
"""Narrower slices lose more than the packing costs (-25 % at 39 columns)."""


def column_slices(columns: int, per_column: int) -> list[slice]:
    """Split ``columns`` so that each slice's product does at most :data:`SMALL_PRODUCT` multiply-adds.

    Parameters
    ----------
    columns : int
        Length of the axis to split.
    per_column : int
        Multiply-adds per column: the product of the two other dimensions.

    Returns
    -------
    list of slice
        One slice of everything when the slices would be narrower than :data:`MIN_SLICE`.
    """
    step = SMALL_PRODUCT // per_column
    if step < MIN_SLICE:
        return [slice(None)]
    return [slice(start, start + step) for start in range(0, columns, step)]


class Conv2D(Layer):
    """2-D cross-correlation of a multi-channel input with ``F`` filters, stride 1.

    ``out[f, i, j, n] = bias[f] + sum_{u, v, c} xp[c, i + u, j + v, n] * weight[f, u, v, c]``
    where ``xp`` is the input zero-padded for ``'same'`` (TensorFlow rule: ``k - 1``
    cells split as ``(k-1)//2`` before and the rest after) or not padded for
    ``'valid'``. Output size per axis: ``n - k + 1`` (valid) or ``n`` (same).

    Implemented as im2col: the ``K = k*k*C`` shifted copies of the input are
    rows of a ``(K + 1, positions*N)`` matrix whose last row is all ones, so
    one matrix product applies weights *and* bias, and one product in
    ``backward`` gives both their gradients. :meth:`forward_windows` builds one
    such matrix per place of a following pool window.

    Parameters
    ----------
    in_channels, filters, kernel_size : int
    padding : {'valid', 'same'}
    rng : numpy.random.Generator
        Draws the He-initialised weights; biases start at zero.
    dtype : numpy dtype
        float32 for training, float64 for gradient checks.
    input_grad : bool
        False for the first layer: its input gradient is never needed, and
        skipping it saves the costliest part of ``backward``.

    Attributes
    ----------
    params : {'weight': ndarray (F, k, k, C), 'bias': ndarray (F,)}
    """

    def __init__(self, in_channels: int, filters: int, kernel_size: int, *, padding: str = "valid",
                 rng: np.random.Generator, dtype=np.float32, input_grad: bool = True) -> None:
        super().__init__()
        if padding not in PADDINGS:
            raise ParameterError(f"Convolution padding must be one of {', '.join(PADDINGS)}, not {padding!r}.")
        self.kernel_size = kernel_size
        self.padding = padding
        self.input_grad = input_grad
        shape = (filters, kernel_size, kernel_size, in_channels)
        fan_in = kernel_size * kernel_size * in_channels
        self.params = {"weight": he_normal(rng, shape, fan_in, dtype), "bias": np.zeros(filters, dtype)}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def _pads(self) -> tuple[int, int]:
        total = self.kernel_size - 1 if self.padding == "same" else 0
        return total // 2, total - total // 2

    def output_shape(self, input_shape):
        h, w, _ = input_shape
        before, after = self._pads()
        k = self.kernel_size
        return (h + before + after - k + 1, w + before + after - k + 1, self.params["weight"].shape[0])

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Correlate.

        Parameters
        ----------
        x : ndarray of shape (C, H, W, N)

        Returns
        -------
        ndarray of shape (F, Ho, Wo, N)
        """
        c, h, w, n = x.shape
        ho, wo, f = self.output_shape((h, w, c))
        (out,) = self.forward_windows(x, 1)
        return out.reshape(f, ho, wo, n)

    def forward_windows(self, x: np.ndarray, size: int) -> Iterator[np.ndarray]:
        """The outputs that ``size × size`` max-pooling reads, one place of the window at a time.

        Yields the ``size²`` places ``(i, j)`` in row-major order; place
        ``(i, j)`` holds the outputs at rows ``size*r + i`` and columns
        ``size*s + j``. Outputs in a leftover last row or column (odd sizes)
        are not computed. Pooling is then an element-wise maximum of the
        places, taken while each is fresh in the cache, and each place's
        im2col copy is still in the cache for its matrix product. ``size=1``
        yields the plain output.

        Parameters
        ----------
        x : ndarray of shape (C, H, W, N)
        size : int

        Yields
        ------
        ndarray of shape (F, Ho // size * Wo // size * N)
            Axes (F, r, s, N) flattened after F; kept (in a reused buffer)
            for :meth:`backward_windows`.
        """
        weight, bias = self.params["weight"], self.params["bias"]
        f, k, _, c = weight.shape
        _, h, w, n = x.shape
        before, after = self._pads()
        hp, wp = h + before + after, w + before + after
        ho, wo = (hp - k + 1) // size, (wp - k + 1) // size  # outputs per place, down and across
        if before or after:
            xp = self._buffers.get("padded", (c, hp, wp, n), x.dtype, fill=0.0)
            xp[:, before:before + h, before:before + w] = x
        else:
            xp = x
        kk = k * k * c
        cols = self._buffers.get("cols", (size, size, kk + 1, ho * wo * n), x.dtype, fill=1.0)
        matrix = self._buffers.get("matrix", (f, kk + 1), x.dtype)
        matrix[:, :kk] = weight.reshape(f, kk)
        matrix[:, kk] = bias
        out = self._buffers.get("out", (size, size, f, ho * wo * n), x.dtype)
        self._cols, self._in_shape, self._window_shape = cols, x.shape, (size, ho, wo)
        slices = column_slices(ho * wo * n, f * (kk + 1))
        for i, j in itertools.product(range(size), range(size)):
            shifted = cols[i, j, :kk].reshape(k, k, c, ho, wo, n)
            for u, v in itertools.product(range(k), range(k)):
                np.copyto(shifted[u, v], xp[:, u + i:u + i + size * ho:size, v + j:v + j + size * wo:size])
            for columns in slices:
                np.matmul(matrix, cols[i, j, :, columns], out=out[i, j, :, columns])
            yield out[i, j]

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        """Gradients of weight and bias; the input gradient unless ``input_grad`` is False.

        Parameters
        ----------
        grad : ndarray of shape (F, Ho, Wo, N)

        Returns
        -------
        ndarray of shape (C, H, W, N), or None
        """
        return self.backward_windows([grad.reshape(grad.shape[0], -1)])

    def backward_windows(self, grads: Iterable[np.ndarray]) -> np.ndarray | None:
        """:meth:`backward` after :meth:`forward_windows`, one place at a time.

        Parameters
        ----------
        grads : iterable of ndarray of shape (F, Ho // size * Wo // size * N)
            The gradient of each place forward yielded, in the same order;
            each is used up before the next is taken, so they may share a buffer.

        Returns
        -------
        ndarray of shape (C, H, W, N), or None
        """
        if self._cols is None:
            raise RuntimeError("backward_windows() needs a forward_windows() pass first.")
        saved_cols = self._cols
        weight = self.params["weight"]
        f, k, _, c = weight.shape
        kk = k * k * c
        size, ho, wo = self._window_shape
        _, h, w, n = self._in_shape
        before, after = self._pads()
        both = self._buffers.get("grad_matrix", (f, kk + 1), weight.dtype)
        part = self._buffers.get("grad_part", (f, kk + 1), weight.dtype)
        both.fill(0.0)
        q = ho * wo * n
        dxp = dcols = None
        if self.input_grad:
            dcols = self._buffers.get("dcols", (kk, q), weight.dtype)
            dxp = self._buffers.get("dpadded", (c, h + before + after, w + before + after, n), weight.dtype)
            dxp.fill(0.0)
        small = f * (kk + 1) <= SMALL_WEIGHT_GRADIENT
        weight_slices = column_slices(q, f * (kk + 1)) if small else [slice(None)]
        input_slices = column_slices(q, f * kk)
        for (i, j), g in zip(itertools.product(range(size), range(size)), grads):
            for columns in weight_slices:
                np.matmul(g[:, columns], saved_cols[i, j, :, columns].T, out=part)
                both += part
            if dxp is not None and dcols is not None:
                for columns in input_slices:
                    np.matmul(weight.reshape(f, kk).T, g[:, columns], out=dcols[:, columns])
                shifted = dcols.reshape(k, k, c, ho, wo, n)
                for u, v in itertools.product(range(k), range(k)):
                    dxp[:, u + i:u + i + size * ho:size, v + j:v + j + size * wo:size] += shifted[u, v]
        self.grads["weight"][...] = both[:, :kk].reshape(weight.shape)
        self.grads["bias"][...] = both[:, kk]
        return None if dxp is None else dxp[:, before:before + h, before:before + w]


class ConvReLUPool(Layer):
    """A :class:`Conv2D`, :class:`ReLU` and :class:`MaxPool2D` in a row, computed as one layer.

    The model trains and predicts with these blocks; the three separate layers
    remain for showing each stage's output (``Model.feature_maps``) and as the
    plain reference the block is tested against. Results are the same, only
    cheaper to get:

    - The convolution computes its outputs one place of the pool window at a
      time (:meth:`Conv2D.forward_windows`), so pooling is an element-wise
      maximum of ``size²`` contiguous blocks, each taken while still in the
      cache, and outputs that pooling drops (the last row/column of an odd
      size) are never computed.
    - ReLU is folded into the pooling as one more operand, 0: ``max(0, a, b,
      ...)`` equals pooling the rectified values (both are monotone).
    - Backward sends each window's gradient to the first place (row-major)
      holding its maximum, as :class:`MaxPool2D` does, and only where that
      maximum is positive: elsewhere ReLU's own gradient would have been 0.
      Each place's share goes to :meth:`Conv2D.backward_windows` as soon as
      it is computed.

    Parameters
    ----------
    conv : Conv2D
        Its ``params`` and ``grads`` are this block's (the same arrays).
    size : int
        Pool window, as in :class:`MaxPool2D`.
    """

    def __init__(self, conv: Conv2D, size: int = 2) -> None:
        super().__init__()
        self.conv, self.size = conv, size
        self.params, self.grads = conv.params, conv.grads

    def output_shape(self, input_shape):
        h, w, c = self.conv.output_shape(input_shape)
        return (h // self.size, w // self.size, c)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (C, H, W, N) -> (F, Hc // size, Wc // size, N), where Hc, Wc is the convolution's output size."""
        c, h, w, n = x.shape
        ho, wo, f = self.output_shape((h, w, c))
        out = self._buffers.get("out", (f, ho * wo * n), x.dtype)
        out.fill(0.0)  # the ReLU operand; numpy's maximum with an array is ~2.5x faster than with a scalar
        self._places = []
        for place in self.conv.forward_windows(x, self.size):
            np.maximum(out, place, out=out)
            self._places.append(place)
        self._out = out
        return out.reshape(f, ho, wo, n)

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        """grad : (F, Hc // size, Wc // size, N) -> the convolution's input gradient (C, H, W, N), or None."""
        return self.conv.backward_windows(self._shares(grad))

    def _shares(self, grad: np.ndarray) -> Iterator[np.ndarray]:
        """Each place's share of ``grad`` (F, Q), in the order of ``_places``; all in one reused buffer."""
        f, q = self._out.shape
        rest = self._buffers.get("rest", (f, q), grad.dtype)  # gradient not yet given to a place
        mask = self._buffers.get("mask", (f, q), grad.dtype)  # 0/1 as floats: multiplies fastest
        share = self._buffers.get("share", (f, q), grad.dtype)
        np.greater(self._out, 0, out=mask)
        np.multiply(grad.reshape(f, q), mask, out=rest)
        for place in self._places[:-1]:
            np.equal(place, self._out, out=mask)
            np.multiply(rest, mask, out=share)
            yield share
            rest -= share  # a later place holding the same maximum gets nothing
        yield rest
