"""The mini-CNN's layers, each with its backward pass right below its forward.

The convolution and the fused conv -> ReLU -> max-pool block, the two layers
whose speed matters most, live in :mod:`convdemo.core.nn.conv`.

Layout
------
Inside the network the batch axis comes **last**: image-shaped activations
are ``(C, H, W, N)`` and vectors ``(D, N)``. With that order

- a convolution over the whole batch is one matrix product
  ``(F, K) @ (K, Ho*Wo*N)`` whose result already has the next layer's layout;
- every im2col copy and every pooling window moves runs of ``N`` (or more)
  contiguous numbers, so numpy's per-row overhead disappears (with images as
  the innermost axes a 2×2 pooling pass was 3× slower);
- :class:`Flatten` is a free reshape ``(C, H, W, N) -> (C*H*W, N)``.

The model converts its ``(N, H, W, C)`` input once, at the start, and runs
each conv -> ReLU -> max-pool block as one :class:`ConvReLUPool`, whose
convolution is split into one product per place in the pool window (see
:meth:`Conv2D.forward_windows`): working on a quarter of the columns at a
time keeps them in the cache between the copy and the product.

Buffers
-------
Forward and backward write into arrays kept in a :class:`~.buffers.Buffers`
and reused for the next batch. A returned array is therefore only valid until
the same layer is called again: copy it to keep it. Inputs are never modified.

Parameters and their gradients live in the ``params`` and ``grads`` dicts
(same keys, same shapes); ``backward`` overwrites ``grads`` in place so an
optimiser can hold on to the arrays.
"""

from __future__ import annotations

import numpy as np

from convdemo.core.nn.buffers import Buffers
from convdemo.core.nn.init import he_normal


class Layer:
    """Base class: no parameters, shape-preserving.

    Attributes
    ----------
    params, grads : dict of str to ndarray
        Trainable arrays and their gradients from the last ``backward``.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._buffers = Buffers()

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one sample's output: ``(H, W, C)`` for images, ``(D,)`` for vectors."""
        return input_shape

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray | None:  # pragma: no cover - interface
        raise NotImplementedError


class ReLU(Layer):
    """``max(x, 0)`` element-wise; any shape."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        # x * (x > 0) with the mask kept for backward: faster than np.maximum followed by
        # recomputing the mask from the output.
        self._mask = self._buffers.get("mask", x.shape, np.bool_)
        np.greater(x, 0, out=self._mask)
        out = self._buffers.get("out", x.shape, x.dtype)
        np.multiply(x, self._mask, out=out)
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """``grad`` where the input was positive, 0 elsewhere."""
        dx = self._buffers.get("dx", grad.shape, grad.dtype)
        np.multiply(grad, self._mask, out=dx)
        return dx


class MaxPool2D(Layer):
    """Maximum over non-overlapping ``size × size`` windows (stride = size, no padding).

    Output size per axis: ``floor(n / size)``; leftover rows/columns are
    ignored (Keras 'valid'). In ``backward`` each window's gradient goes to the
    first position (row-major) holding its maximum, as in PyTorch.

    Parameters
    ----------
    size : int
    """

    def __init__(self, size: int = 2) -> None:
        super().__init__()
        self.size = size

    def output_shape(self, input_shape):
        h, w, c = input_shape
        return (h // self.size, w // self.size, c)

    def _windows(self, x: np.ndarray, ho: int, wo: int) -> list[np.ndarray]:
        """The ``size²`` strided views of ``x``, one per position inside the window."""
        p = self.size
        return [x[:, i:i + p * ho:p, j:j + p * wo:p] for i in range(p) for j in range(p)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (C, H, W, N) -> (C, H // size, W // size, N)."""
        c, h, w, n = x.shape
        ho, wo = h // self.size, w // self.size
        out = self._buffers.get("out", (c, ho, wo, n), x.dtype)
        first, second, *rest = self._windows(x, ho, wo)
        np.maximum(first, second, out=out)
        for view in rest:
            np.maximum(out, view, out=out)
        self._x, self._out = x, out
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """grad : (C, Ho, Wo, N) -> (C, H, W, N), non-zero only at each window's maximum."""
        _, ho, wo, _ = self._out.shape
        _, h, w, _ = self._x.shape
        dx = self._buffers.get("dx", self._x.shape, grad.dtype)
        if h % self.size or w % self.size:
            dx.fill(0.0)  # leftover rows/columns get no gradient; the windows cover the rest
        taken = self._buffers.get("taken", self._out.shape, np.bool_)
        taken.fill(False)
        hit = self._buffers.get("hit", self._out.shape, np.bool_)
        for source, target in zip(self._windows(self._x, ho, wo), self._windows(dx, ho, wo)):
            np.equal(source, self._out, out=hit)
            np.greater(hit, taken, out=hit)  # for booleans a > b means a and not b
            np.multiply(grad, hit, out=target)
            np.logical_or(taken, hit, out=taken)
        return dx


class Flatten(Layer):
    """(C, H, W, N) -> (C*H*W, N): a reshape, feature order (C, H, W)."""

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._in_shape = x.shape
        return x.reshape(-1, x.shape[-1])

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self._in_shape)


class Dense(Layer):
    """Fully connected: ``out[:, n] = weight.T @ x[:, n] + bias``.

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator
    dtype : numpy dtype

    Attributes
    ----------
    params : {'weight': ndarray (D, out_features), 'bias': ndarray (out_features,)}
    """

    def __init__(self, in_features: int, out_features: int, *, rng: np.random.Generator,
                 dtype=np.float32) -> None:
        super().__init__()
        self.params = {"weight": he_normal(rng, (in_features, out_features), in_features, dtype),
                       "bias": np.zeros(out_features, dtype)}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}

    def output_shape(self, input_shape):
        return (self.params["weight"].shape[1],)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x : (D, N) -> (out_features, N)."""
        weight = self.params["weight"]
        out = self._buffers.get("out", (weight.shape[1], x.shape[1]), x.dtype)
        np.matmul(weight.T, x, out=out)
        out += self.params["bias"][:, None]
        self._x = x
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        """grad : (out_features, N) -> (D, N)."""
        np.matmul(self._x, grad.T, out=self.grads["weight"])
        np.sum(grad, axis=1, out=self.grads["bias"])
        dx = self._buffers.get("dx", self._x.shape, grad.dtype)
        np.matmul(self.params["weight"], grad, out=dx)
        return dx


class SoftmaxCrossEntropy:
    """Softmax over the classes followed by the mean negative log-likelihood.

    Not a :class:`Layer`: its forward also takes the labels and returns a number.
    Works on the network's batch-last logits ``(K, N)``.
    """

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        """Mean cross-entropy.

        Parameters
        ----------
        logits : ndarray of shape (K, N)
        labels : ndarray of shape (N,), int in [0, K)

        Returns
        -------
        float
            ``mean_n(logsumexp(logits[:, n]) - logits[labels[n], n])``; inf or
            nan when the logits are not finite.
        """
        shifted = logits - logits.max(axis=0)
        exp = np.exp(shifted)
        total = exp.sum(axis=0)
        self.probs = exp / total
        self._labels = labels
        columns = np.arange(len(labels))
        return float(np.mean(np.log(total) - shifted[labels, columns]))

    def backward(self) -> np.ndarray:
        """Gradient of the mean loss with respect to the logits, shape (K, N)."""
        grad = self.probs.copy()
        grad[self._labels, np.arange(len(self._labels))] -= 1.0
        grad /= len(self._labels)
        return grad
