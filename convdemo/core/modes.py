"""The registries: one entry per border fill, activation, pooling type, channel mode and display mode.

Each entry holds everything the product says or does about that word: the
fast function, its plain-loop twin (for :mod:`convdemo.core.reference`), the
label and one-sentence tooltip the window shows, the formula or diagram, and
the names other libraries use for the same thing. The engine, the reference,
the explanations, the CLI's choices, the window's combo boxes and the docs'
tables (checked by a test) all read these dictionaries, so adding a mode is
one entry here plus its tests.

Border fills, shown as the cells padded before and after ``a b c d``::

    zero       0 0 | a b c d | 0 0
    reflect    b a | a b c d | d c     (edge repeated: numpy 'symmetric', scipy.ndimage 'reflect')
    mirror     c b | a b c d | c b     (edge not repeated: numpy and PyTorch 'reflect')
    replicate  a a | a b c d | d d
    wrap       c d | a b c d | a b

Paddings wider than the image repeat the rule, as ``numpy.pad`` does.

Activations act on the 0–255 scale of the images: ``sigmoid`` and ``tanh``
read ``x / 255`` (what a network fed 0–1 images sees) and put the result back
on 0–255, so ``sigmoid`` maps 0 to 127.5 and stays within 0…255, ``tanh``
maps 0 to 0 and stays within −255…255.

>>> BORDERS["mirror"].index(np.arange(-2, 6), 4).tolist()
[2, 1, 0, 1, 2, 3, 2, 1]
>>> ACTIVATIONS["sigmoid"].function(np.array([0.0], np.float32)).tolist()
[127.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import ParameterError

IndexMap = Callable[[np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Border:
    """How padded cells are filled.

    Attributes
    ----------
    name, label, tooltip : str
        The word (CLI, files), what the window's list shows, one sentence.
    diagram : str
        Cells before and after ``a b c d``, e.g. ``'b a | a b c d | d c'``.
    index : callable
        ``index(coords, n)``: padded coordinates (ndarray of int, relative to the
        first real cell) → source indices in ``0 … n-1``, or ``-1`` for a zero cell.
    numpy, ndimage, torch, tensorflow : str or None
        ``numpy.pad`` mode, ``scipy.ndimage`` mode, PyTorch ``F.pad`` mode and
        ``tf.pad`` mode; None where that library has no such fill.
    """

    name: str
    label: str
    tooltip: str
    diagram: str
    index: IndexMap
    numpy: str
    ndimage: str | None
    torch: str | None
    tensorflow: str | None


@dataclass(frozen=True)
class Activation:
    """A function applied to every convolved value.

    Attributes
    ----------
    name, label, tooltip : str
    formula : str
        As the inspector writes it, e.g. ``'max(0, x)'``.
    function : callable
        Fast: ndarray → new ndarray of the same shape and dtype.
    reference : callable
        Plain Python on one float (the loop twin).
    torch, tensorflow : str or None
        The same computation as code, in terms of ``x``.
    """

    name: str
    label: str
    tooltip: str
    formula: str
    function: Callable[[np.ndarray], np.ndarray]
    reference: Callable[[float], float]
    torch: str | None
    tensorflow: str | None


@dataclass(frozen=True)
class Pooling:
    """A pooling type: what a window of values becomes.

    Attributes
    ----------
    name, label, tooltip, formula : str
    combine : numpy ufunc or None
        Folds two arrays element-wise (``np.maximum``, ``np.add``); None for 'none'.
    mean : bool
        Divide the folded window by its number of cells.
    reference : callable or None
        Plain Python on a list of floats (the loop twin).
    torch, tensorflow, ndimage : str or None
    """

    name: str
    label: str
    tooltip: str
    formula: str
    combine: np.ufunc | None
    mean: bool
    reference: Callable[[list[float]], float] | None
    torch: str | None
    tensorflow: str | None
    ndimage: str | None


@dataclass(frozen=True)
class ChannelMode:
    """How a colour image's planes meet the kernel.

    Attributes
    ----------
    name, label, tooltip : str
    source_note : str
        What the input panel shows ('grey luma', 'RGB', 'red plane').
    plane : int or None
        The one plane used (0, 1, 2 for red, green, blue); None otherwise.
    output_planes : int
        1, or 3 for 'per-channel'.
    sums_planes : bool
        The three planes' results are added into one ('rgb-sum').
    """

    name: str
    label: str
    tooltip: str
    source_note: str
    plane: int | None
    output_planes: int
    sums_planes: bool

    @property
    def is_colour(self) -> bool:
        """True when the kernel slides over all three planes (three kernels allowed)."""
        return self.plane is None and self.name != "gray"


@dataclass(frozen=True)
class DisplayMode:
    """How a float stage array becomes colours (see :mod:`convdemo.core.display`)."""

    name: str
    label: str
    tooltip: str


def _mirror_index(index: np.ndarray, n: int) -> np.ndarray:
    if n == 1:
        return np.zeros_like(index)
    m = np.mod(index, 2 * n - 2)
    return np.where(m < n, m, 2 * n - 2 - m)


def _reflect_index(index: np.ndarray, n: int) -> np.ndarray:
    m = np.mod(index, 2 * n)
    return np.where(m < n, m, 2 * n - 1 - m)


BORDERS: Mapping[str, Border] = {b.name: b for b in (
    Border("zero", "zero", "Padded cells are 0.", "0 0 | a b c d | 0 0",
           lambda i, n: np.where((i >= 0) & (i < n), i, -1), "constant", "constant", "constant", "CONSTANT"),
    Border("reflect", "reflect", "Padded cells mirror the edge, the edge pixel included.", "b a | a b c d | d c",
           _reflect_index, "symmetric", "reflect", None, "SYMMETRIC"),
    Border("mirror", "mirror", "Padded cells mirror the image around the edge pixel (PyTorch's 'reflect').",
           "c b | a b c d | c b", _mirror_index, "reflect", "mirror", "reflect", "REFLECT"),
    Border("replicate", "replicate", "Padded cells repeat the edge pixel.", "a a | a b c d | d d",
           lambda i, n: np.clip(i, 0, n - 1), "edge", "nearest", "replicate", None),
    Border("wrap", "wrap", "Padded cells come from the other side of the image.", "c d | a b c d | a b",
           lambda i, n: np.mod(i, n), "wrap", "wrap", "circular", None),
)}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 255·σ(x/255) written with tanh, which never overflows: σ(z) = (1 + tanh(z/2)) / 2.
    return np.multiply(np.tanh(x / x.dtype.type(510)) + 1, 127.5, dtype=x.dtype)


def _sigmoid_reference(v: float) -> float:
    z = v / 255
    return 255 / (1 + math.exp(-z)) if z >= 0 else 255 * math.exp(z) / (1 + math.exp(z))


ACTIVATIONS: Mapping[str, Activation] = {a.name: a for a in (
    Activation("none", "none", "Keep the convolution as it is.", "x", np.copy, float, None, None),
    Activation("relu", "ReLU  max(0, x)", "Negative values become 0, as in a CNN.", "max(0, x)",
               lambda x: np.maximum(x, 0, dtype=x.dtype), lambda v: v if v > 0 else 0.0,
               "torch.relu(x)", "tf.nn.relu(x)"),
    Activation("abs", "abs  |x|", "Negative values become positive: edges of both directions show.", "|x|",
               np.abs, abs, "torch.abs(x)", "tf.abs(x)"),
    Activation("sigmoid", "sigmoid  255·σ(x/255)",
               "Squashes every value into 0…255: 0 becomes 127.5, large values approach 255.",
               "255·σ(x/255)", _sigmoid, _sigmoid_reference,
               "255 * torch.sigmoid(x / 255)", "255 * tf.sigmoid(x / 255)"),
    Activation("tanh", "tanh  255·tanh(x/255)",
               "Squashes every value into −255…255, keeping its sign: 0 stays 0.", "255·tanh(x/255)",
               lambda x: np.multiply(np.tanh(x / x.dtype.type(255)), 255, dtype=x.dtype),
               lambda v: 255 * math.tanh(v / 255), "255 * torch.tanh(x / 255)", "255 * tf.tanh(x / 255)"),
)}


POOLS: Mapping[str, Pooling] = {p.name: p for p in (
    Pooling("none", "none", "No pooling.", "", None, False, None, None, None, None),
    Pooling("max", "max", "Keep the largest value of each window: the strongest response survives.",
            "max of the window", np.maximum, False, max, "F.max_pool2d", "MaxPooling2D", "maximum_filter"),
    Pooling("avg", "average", "Keep the mean of each window.", "sum ÷ n", np.add, True,
            lambda values: sum(values) / len(values), "F.avg_pool2d", "AveragePooling2D", "uniform_filter"),
)}


CHANNEL_MODES: Mapping[str, ChannelMode] = {c.name: c for c in (
    ChannelMode("gray", "Grey (luma)",
                "Convert to grey first (0.299 R + 0.587 G + 0.114 B): one output plane.", "grey luma", None, 1, False),
    ChannelMode("rgb-sum", "RGB summed (CNN)",
                "Convolve R, G and B and add the three results: one depth-3 filter, like a CNN's first layer.",
                "RGB", None, 1, True),
    ChannelMode("per-channel", "Per channel (photo filter)",
                "Convolve R, G and B separately: three output planes, a colour result.", "RGB", None, 3, False),
    ChannelMode("red", "Red plane only", "Convolve the red plane alone.", "red plane", 0, 1, False),
    ChannelMode("green", "Green plane only", "Convolve the green plane alone.", "green plane", 1, 1, False),
    ChannelMode("blue", "Blue plane only", "Convolve the blue plane alone.", "blue plane", 2, 1, False),
)}


DISPLAY_MODES: Mapping[str, DisplayMode] = {d.name: d for d in (
    DisplayMode("auto", "auto", "Diverging colours when there are negative values, else plain 0–255: "
                                "negatives are never hidden."),
    DisplayMode("clip", "clip", "Show 0–255 as is; values below 0 become black and above 255 white."),
    DisplayMode("stretch", "stretch", "Stretch the smallest value to black and the largest to white."),
    DisplayMode("abs", "abs", "Show the size of each value regardless of sign (edge strength)."),
    DisplayMode("diverging", "diverging", "Zero in the middle (white), negative blue, positive red."),
)}


def choose(registry: Mapping[str, object], value: object, what: str) -> str:
    """The registry key ``value`` names (case and spaces ignored, 'grey' = 'gray').

    Raises
    ------
    ParameterError
        Naming the allowed words when ``value`` is none of them.

    Examples
    --------
    >>> choose(BORDERS, " Mirror", "border")
    'mirror'
    """
    word = str(value).strip().lower()
    if word == "grey":
        word = "gray"
    if word not in registry:
        raise ParameterError(f"{what} must be one of {', '.join(registry)}, not {value!r}.")
    return word


def choices_text(registry: Mapping[str, object], skip: str = "") -> str:
    """The registry's words as a sentence fragment: ``'relu, abs, sigmoid or tanh'`` (``skip`` left out)."""
    words = [w for w in registry if w != skip]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
