"""The mini-CNN: an architecture description and the sequential model built from it.

Default network for 28×28 grey digits::

    conv 8 filters 3×3 valid -> ReLU -> max-pool 2×2 -> flatten -> dense 10 -> softmax

``conv_layers=2`` repeats the conv -> ReLU -> max-pool block (with the same
number of filters) before the dense layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from convdemo.core.errors import ParameterError
from convdemo.core.nn.buffers import Buffers
from convdemo.core.nn.conv import PADDINGS, Conv2D, ConvReLUPool
from convdemo.core.nn.layers import (
    Dense,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
    SoftmaxCrossEntropy,
)

FILTERS_RANGE = (1, 32)
KERNEL_SIZES = (3, 5)
CONV_LAYERS = (1, 2)
MAX_INPUT_SIDE = 256
"""The largest image side a model takes. Predicting a pass of 256×256×3 images with
32 filters holds about 1.2 GB; 512×512 would hold 4.8 GB."""
MAX_CLASSES = 100
"""The most classes a model tells apart; with the largest input the dense layer then
has 52 million weights (200 MB as float32)."""
PASS_SIZE = 64
"""Images per pass through the network. Larger batches are split: their
working set (about 10 MB per 64 images with two conv blocks) then stays in
the cache, which made training ~10 % and prediction ~1.8x faster than passes
of 128 and 500 images."""


@dataclass(frozen=True)
class Architecture:
    """What the network looks like; everything needed to rebuild it.

    Parameters
    ----------
    input_shape : (H, W, C)
        H and W at most :data:`MAX_INPUT_SIDE`; C is 1 (grey) or 3 (colour).
    n_classes : int
        2 to :data:`MAX_CLASSES`.
    filters : int
        Filters per convolution, 1–32.
    kernel_size : int
        3 or 5.
    conv_layers : int
        1 or 2 conv -> ReLU -> max-pool blocks.
    padding : {'valid', 'same'}
    """

    input_shape: tuple[int, int, int] = (28, 28, 1)
    n_classes: int = 10
    filters: int = 8
    kernel_size: int = 3
    conv_layers: int = 1
    padding: str = "valid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_shape", tuple(int(v) for v in self.input_shape))
        h, w, c = self.input_shape if len(self.input_shape) == 3 else (0, 0, 0)
        if h < 1 or w < 1 or c not in (1, 3):
            raise ParameterError(f"The input shape must be (height, width, 1 or 3 channels), not {self.input_shape}.")
        if max(h, w) > MAX_INPUT_SIDE:
            raise ParameterError(f"The input is {h}×{w} pixels, larger than the {MAX_INPUT_SIDE}×{MAX_INPUT_SIDE} "
                                 "a model can take.")
        if not FILTERS_RANGE[0] <= self.filters <= FILTERS_RANGE[1]:
            raise ParameterError(f"The number of filters must be between {FILTERS_RANGE[0]} and "
                                 f"{FILTERS_RANGE[1]}, not {self.filters}.")
        if self.kernel_size not in KERNEL_SIZES:
            raise ParameterError(f"The kernel size must be 3 or 5, not {self.kernel_size}.")
        if self.conv_layers not in CONV_LAYERS:
            raise ParameterError(f"The number of conv layers must be 1 or 2, not {self.conv_layers}.")
        if self.padding not in PADDINGS:
            raise ParameterError(f"Padding must be 'valid' or 'same', not {self.padding!r}.")
        if self.n_classes < 2:
            raise ParameterError(f"A classifier needs at least 2 classes, not {self.n_classes}.")
        if self.n_classes > MAX_CLASSES:
            raise ParameterError(f"A model tells at most {MAX_CLASSES} classes apart, not {self.n_classes}.")
        size = min(h, w)
        for _ in range(self.conv_layers):
            size = (size - self.kernel_size + 1 if self.padding == "valid" else size) // 2
        if size < 1:
            raise ParameterError(f"{h}×{w} images are too small for {self.conv_layers} conv block(s) with "
                                 f"{self.kernel_size}×{self.kernel_size} kernels and {self.padding} padding.")

    def to_dict(self) -> dict:
        """Plain JSON-able dict (input_shape as a list)."""
        d = asdict(self)
        d["input_shape"] = list(self.input_shape)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Architecture:
        """Inverse of :meth:`to_dict`; unknown keys raise TypeError."""
        return cls(**{**d, "input_shape": tuple(d["input_shape"])})


class Model:
    """A sequential CNN built from an :class:`Architecture`.

    Not thread-safe: layers reuse buffers between calls. While a worker
    thread trains it, use :meth:`copy` for anything done in another thread.

    Parameters
    ----------
    architecture : Architecture
    class_names : sequence of str, optional
        One per class; default ``'0'``, ``'1'``, ...
    seed : int
        Seeds the He initialisation.
    dtype : numpy dtype
        float32 (fast) or float64 (gradient checks).

    Attributes
    ----------
    layers : list of Layer
        One per stage, for display: each conv -> ReLU -> max-pool block appears
        as its three layers. The model computes through a
        :class:`~.conv.ConvReLUPool` per block instead: the same results from
        the same parameter arrays, in far fewer passes over memory.
    names : list of str
        Display names, e.g. ``'conv1'``, ``'relu1'``, ``'pool1'``, ``'flatten'``, ``'dense'``.
    loss : SoftmaxCrossEntropy
    """

    def __init__(self, architecture: Architecture, class_names=None, *, seed: int = 0, dtype=np.float32) -> None:
        a = architecture
        if class_names is None:
            class_names = [str(i) for i in range(a.n_classes)]
        if len(class_names) != a.n_classes:
            raise ParameterError(f"{len(class_names)} class names were given for {a.n_classes} classes.")
        self.architecture = a
        self.class_names = tuple(str(name) for name in class_names)
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.names: list[str] = []
        self._path: list[Layer] = []  # what forward and train_step run
        channels = a.input_shape[2]
        for block in range(1, a.conv_layers + 1):
            conv = Conv2D(channels, a.filters, a.kernel_size, padding=a.padding, rng=rng, dtype=dtype,
                          input_grad=block > 1)
            pool = MaxPool2D(2)
            self._add(f"conv{block}", conv)
            self._add(f"relu{block}", ReLU())
            self._add(f"pool{block}", pool)
            self._path.append(ConvReLUPool(conv, pool.size))
            channels = a.filters
        self._add("flatten", Flatten())
        (features,) = self.layer_shapes()[-1][1]
        self._add("dense", Dense(features, a.n_classes, rng=rng, dtype=dtype))
        self._path += self.layers[-2:]
        self.loss = SoftmaxCrossEntropy()
        self._buffers = Buffers()

    def _add(self, name: str, layer: Layer) -> None:
        self.names.append(name)
        self.layers.append(layer)

    # --- description ---------------------------------------------------------------

    def layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """Every layer's output shape for one sample, after the input.

        Returns
        -------
        list of (name, shape)
            Starts with ``('input', (H, W, C))``; image shapes are (H, W, C),
            vectors (D,).
        """
        shape: tuple[int, ...] = self.architecture.input_shape
        shapes: list[tuple[str, tuple[int, ...]]] = [("input", shape)]
        for name, layer in zip(self.names, self.layers):
            shape = layer.output_shape(shape)
            shapes.append((name, shape))
        return shapes

    def param_count(self) -> int:
        """Number of trainable numbers (weights and biases)."""
        return sum(p.size for layer in self.layers for p in layer.params.values())

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(value, gradient) array pairs for an optimiser, in layer order."""
        return [(layer.params[k], layer.grads[k]) for layer in self.layers for k in layer.params]

    def weight_shapes(self) -> dict[str, tuple[int, ...]]:
        """The shape of every parameter, keyed like :meth:`get_weights` (nothing is copied)."""
        return {f"{name}.{key}": value.shape
                for name, layer in zip(self.names, self.layers) for key, value in layer.params.items()}

    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies of every parameter, keyed ``'<layer name>.<param>'`` (e.g. ``'conv1.weight'``)."""
        return {f"{name}.{key}": value.copy()
                for name, layer in zip(self.names, self.layers) for key, value in layer.params.items()}

    def set_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Overwrite every parameter from a dict shaped like :meth:`get_weights`.

        Raises
        ------
        KeyError
            A parameter is missing.
        ValueError
            An array's shape differs from the architecture's.
        """
        for name, layer in zip(self.names, self.layers):
            for key, value in layer.params.items():
                new = np.asarray(weights[f"{name}.{key}"])
                if new.shape != value.shape:
                    raise ValueError(f"{name}.{key} has shape {new.shape}, expected {value.shape}")
                value[...] = new

    def copy(self) -> Model:
        """An independent model with the same architecture, class names and weights."""
        twin = Model(self.architecture, self.class_names, dtype=self.dtype)
        twin.set_weights(self.get_weights())
        return twin

    def first_layer_filters(self) -> np.ndarray:
        """A copy of the first convolution's weights, shape (F, k, k, C)."""
        return self.layers[0].params["weight"].copy()

    # --- computation ---------------------------------------------------------------

    def _to_internal(self, x: np.ndarray) -> np.ndarray:
        """(N, H, W, C) batch -> contiguous (C, H, W, N) copy in this model's dtype."""
        x = np.asarray(x)
        expected = self.architecture.input_shape
        if x.ndim != 4 or x.shape[1:] != expected:
            raise ParameterError(f"The model expects images of shape {expected}, got a batch of shape {x.shape}.")
        h, w, c = expected
        internal = self._buffers.get("input", (c, h, w, len(x)), self.dtype)
        np.copyto(internal, x.transpose(3, 1, 2, 0))
        return internal

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Logits for a batch.

        Parameters
        ----------
        x : ndarray of shape (N, H, W, C), values 0–1

        Returns
        -------
        ndarray of shape (N, n_classes)
            A view of a reused buffer: valid until the next call.
        """
        out = self._to_internal(x)
        for layer in self._path:
            out = layer.forward(out)
        return out.T

    def train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
        """Forward, loss and backward for one batch; fills every layer's ``grads``.

        A batch of more than :data:`PASS_SIZE` images runs in passes of that
        size whose gradients are summed, each pass's loss gradient weighted by
        its share of the batch: the result is the whole batch's gradient.

        Parameters
        ----------
        x : ndarray of shape (N, H, W, C)
        y : ndarray of shape (N,), int

        Returns
        -------
        loss : float
            Mean cross-entropy of the batch (before the update).
        correct : int
            How many samples the model already classified right.
        """
        n = len(x)
        starts = range(0, n, PASS_SIZE)
        loss_sum, correct = 0.0, 0
        for start in starts:
            part = slice(start, start + PASS_SIZE)
            logits = self.forward(x[part]).T
            share = len(y[part]) / n
            loss_sum += self.loss.forward(logits, y[part]) * share
            correct += int(np.count_nonzero(logits.argmax(axis=0) == y[part]))
            grad = self.loss.backward()
            grad *= share
            back: np.ndarray | None = grad
            for layer in reversed(self._path):
                assert back is not None, "only the first layer may skip its input gradient"
                back = layer.backward(back)
            if len(starts) > 1:
                self._sum_gradients(first=start == starts[0], last=start == starts[-1])
        return loss_sum, correct

    def _sum_gradients(self, *, first: bool, last: bool) -> None:
        """Add the pass's gradients (which backward overwrote) to those of the batch's earlier passes."""
        for i, (_, grad) in enumerate(self.parameters()):
            total = self._buffers.get(f"grad{i}", grad.shape, grad.dtype)
            if first:
                np.copyto(total, grad)
            elif last:
                grad += total  # the batch's sum ends where the optimiser looks
            else:
                total += grad

    def predict_proba(self, x: np.ndarray, *, batch_size: int = PASS_SIZE) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        x : ndarray of shape (N, H, W, C) or one image (H, W, C), values 0–1

        Returns
        -------
        ndarray of shape (N, n_classes) or (n_classes,), float64, rows sum to 1
        """
        x = np.asarray(x)
        if x.ndim == 3:
            return self.predict_proba(x[None], batch_size=batch_size)[0]
        parts = []
        for start in range(0, len(x), batch_size):
            logits = self.forward(x[start:start + batch_size]).astype(np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            parts.append(exp / exp.sum(axis=1, keepdims=True))
        return np.concatenate(parts) if parts else np.zeros((0, self.architecture.n_classes))

    def predict(self, x: np.ndarray, *, batch_size: int = PASS_SIZE) -> np.ndarray:
        """Most likely class index per image: (N, H, W, C) -> (N,) int."""
        return self.predict_proba(x, batch_size=batch_size).argmax(axis=-1)

    def feature_maps(self, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Every layer's output for one image, for display.

        Parameters
        ----------
        image : ndarray of shape (H, W, C), values 0–1

        Returns
        -------
        list of (name, ndarray)
            Starts with ``('input', image)``. Image-shaped outputs are
            (h, w, channels) float32 copies; flatten and dense outputs are (D,).
            The last entry is the dense layer's logits.
        """
        out = self._to_internal(np.asarray(image)[None])
        maps = [("input", np.array(image, dtype=np.float32))]
        for name, layer in zip(self.names, self.layers):
            out = layer.forward(out)
            shown = out[..., 0].transpose(1, 2, 0) if out.ndim == 4 else out[:, 0]
            maps.append((name, np.array(shown, dtype=np.float32)))
        return maps
