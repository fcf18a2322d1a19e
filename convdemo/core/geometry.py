"""Output sizes and padding amounts, with the formula as text for the window.

Everything here works per axis on plain integers; no arrays are touched.

Sizes follow the usual CNN conventions (n = input size, k = kernel size,
d = dilation, s = stride, ``k_eff = d*(k-1) + 1``):

* ``valid``: no padding, ``out = floor((n - k_eff)/s) + 1`` (Keras 'valid').
* ``same``: TensorFlow/Keras rule, ``out = ceil(n/s)``,
  ``pad_total = max((out-1)*s + k_eff - n, 0)``, ``pad_before = pad_total // 2``.
* ``full``: ``k_eff - 1`` on each side.
* an integer ``p``: ``p`` on each side (PyTorch), ``out = floor((n + 2p - k_eff)/s) + 1``.
"""

from __future__ import annotations

import math
import numbers
import operator
from dataclasses import dataclass

from convdemo.core.errors import ParameterError

PADDING_MODES = ("valid", "same", "full")

Pair = tuple[int, int]


MAX_STEP = 1_000_000_000
"""Largest stride, padding, dilation or pooling size accepted (far more than any image needs).

Geometry is exact integer arithmetic, so larger values would not break it; the cap keeps
the numbers in messages readable and every size estimate a plain float.
"""


def _whole_number(value, name: str) -> int:
    """``value`` (an int, a whole float or a numpy integer) as an int, or ParameterError."""
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a whole number, not {value!r}.")
    try:
        return operator.index(value)
    except TypeError:
        pass
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not number.is_integer():
        raise ParameterError(f"{name} must be a whole number, not {value!r}.")
    return int(number)


def _digits_text(n: int) -> str:
    """``n`` in digits, or how many digits it has when that is too many to read."""
    text = str(n)
    return text if len(text) <= 30 else f"a {len(text)}-digit number"


def as_pair(value, name: str, *, minimum: int = 1) -> Pair:
    """Turn an int or a pair of ints into a ``(rows, cols)`` pair, validated.

    Parameters
    ----------
    value : int or sequence of two ints
        One value for both axes, or ``(rows, cols)``.
    name : str
        Option name used in the error message.
    minimum : int
        Smallest allowed value; the largest is :data:`MAX_STEP`.

    Returns
    -------
    tuple of int
        ``(rows, cols)``.
    """
    values = (value, value) if isinstance(value, numbers.Real) else tuple(value)
    if len(values) != 2:
        raise ParameterError(f"{name} takes one number or two (rows, columns), not {len(values)}.")
    pair = []
    for v in values:
        n = _whole_number(v, name)
        if n < minimum:
            raise ParameterError(f"{name} must be at least {minimum}, not {_digits_text(n)}.")
        if n > MAX_STEP:
            raise ParameterError(f"{name} must be at most {MAX_STEP}, not {_digits_text(n)}.")
        pair.append(n)
    return pair[0], pair[1]


def normalise_padding(padding) -> str | Pair:
    """Validate a padding spec: 'valid', 'same', 'full', an int p ≥ 0 or a pair."""
    if isinstance(padding, str):
        word = padding.strip().lower()
        if word in PADDING_MODES:
            return word
        try:
            return as_pair(int(word), "padding", minimum=0)
        except ValueError:
            pass
        raise ParameterError(
            f"padding must be valid, same, full or a whole number of pixels, not {padding!r}."
        )
    return as_pair(padding, "padding", minimum=0)


@dataclass(frozen=True)
class AxisPlan:
    """How one axis is padded and strided.

    Attributes
    ----------
    n, k, dilation, stride : int
        Input size, kernel (or pooling window) size, dilation and stride.
    before, after : int
        Padded cells added before and after the input.
    out : int
        Output size (at least 1).
    formula : str
        The output-size formula with the actual numbers.
    """

    n: int
    k: int
    dilation: int
    stride: int
    before: int
    after: int
    out: int
    formula: str

    @property
    def k_eff(self) -> int:
        """Effective (dilated) kernel size ``d*(k-1) + 1``."""
        return self.dilation * (self.k - 1) + 1

    @property
    def padded(self) -> int:
        """Input size after padding."""
        return self.n + self.before + self.after

    def interior(self) -> tuple[int, int]:
        """Output index range ``[lo, hi)`` whose windows read no padded cell (may be empty)."""
        lo = -(-self.before // self.stride)
        hi = (self.n + self.before - self.k_eff) // self.stride + 1
        return min(lo, self.out), max(min(hi, self.out), 0)


def plan_axis(n: int, k: int, *, stride: int = 1, dilation: int = 1, padding="valid") -> AxisPlan:
    """Padding and output size along one axis.

    Parameters
    ----------
    n : int
        Input size.
    k : int
        Kernel size.
    stride, dilation : int
        Step between output positions and between kernel taps (1 = none).
    padding : {'valid', 'same', 'full'} or int
        Padding rule for this axis.

    Returns
    -------
    AxisPlan
        ``out`` may be < 1 here; :func:`output_shape` turns that into an error.
    """
    k_eff = dilation * (k - 1) + 1
    dil = f"k_eff = {dilation}·({k} − 1) + 1 = {k_eff}; " if dilation > 1 else ""
    if padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + k_eff - n, 0)
        before, after = total // 2, total - total // 2
        formula = f"{dil}out = ceil({n}/{stride}) = {out}  (pad {before} + {after})"
        return AxisPlan(n, k, dilation, stride, before, after, out, formula)
    if padding == "valid":
        p = 0
    elif padding == "full":
        p = k_eff - 1
    else:
        p = int(padding)
    out = (n + 2 * p - k_eff) // stride + 1  # integer floor division: exact for any size
    formula = f"{dil}out = floor(({n} + 2·{p} − {k_eff})/{stride}) + 1 = {out}"
    return AxisPlan(n, k, dilation, stride, p, p, out, formula)


@dataclass(frozen=True)
class Geometry:
    """Row and column plans of one convolution or pooling step.

    Attributes
    ----------
    rows, cols : AxisPlan
        Per-axis padding, output size and formula.
    """

    rows: AxisPlan
    cols: AxisPlan

    @property
    def shape(self) -> Pair:
        """Output ``(H, W)``."""
        return self.rows.out, self.cols.out

    @property
    def formula(self) -> str:
        """Readable formula, once when both axes agree, else per axis."""
        r, c = self.rows.formula, self.cols.formula
        return r if r == c else f"rows: {r}\ncols: {c}"


def shape_text(shape: tuple[int, ...]) -> str:
    """``(26, 26, 8)`` → ``'26×26×8'``: how every shape is written in messages and titles."""
    return "×".join(str(n) for n in shape)


def _geometry(hw: Pair, khw: Pair, stride: Pair, dilation: Pair, padding: tuple) -> Geometry:
    return Geometry(*(plan_axis(n, k, stride=s, dilation=d, padding=p)
                      for n, k, s, d, p in zip(hw, khw, stride, dilation, padding)))


def output_shape(image_hw: Pair, kernel_hw: Pair, *, stride=1, padding="valid", dilation=1) -> Geometry:
    """Output shape, padding and formula of a convolution, or a clear error.

    Parameters
    ----------
    image_hw : (int, int)
        Input ``(H, W)``.
    kernel_hw : (int, int)
        Kernel ``(kh, kw)``.
    stride, dilation : int or (int, int)
        Per-axis values, ≥ 1.
    padding : {'valid', 'same', 'full'} or int or (int, int)

    Returns
    -------
    Geometry

    Raises
    ------
    ParameterError
        When the (dilated) kernel is larger than the padded image, naming the sizes.

    Examples
    --------
    A 3×3 kernel with 'same' padding and stride 2 on a 28×28 image (TensorFlow's
    rule: the one padding cell goes after):

    >>> g = output_shape((28, 28), (3, 3), stride=2, padding="same")
    >>> g.shape, g.rows.before, g.rows.after
    ((14, 14), 0, 1)
    >>> g.formula
    'out = ceil(28/2) = 14  (pad 0 + 1)'
    >>> output_shape((5, 5), (3, 3), stride=2, padding=1).formula
    'out = floor((5 + 2·1 − 3)/2) + 1 = 3'
    >>> output_shape((3, 4), (5, 5))
    Traceback (most recent call last):
    ...
    convdemo.core.errors.ParameterError: a 5×5 kernel does not fit a 3×4 image with valid padding.
    """
    sy, sx = as_pair(stride, "stride")
    dy, dx = as_pair(dilation, "dilation")
    pad = normalise_padding(padding)
    py, px = (pad, pad) if isinstance(pad, str) else pad
    h, w = image_hw
    kh, kw = kernel_hw
    geo = _geometry(image_hw, kernel_hw, (sy, sx), (dy, dx), (py, px))
    if geo.rows.out < 1 or geo.cols.out < 1:
        kernel = f"a {shape_text((kh, kw))} kernel"
        if (dy, dx) != (1, 1):
            effective = shape_text((geo.rows.k_eff, geo.cols.k_eff))
            kernel += f" with dilation {dy if dy == dx else (dy, dx)} ({effective} effective)"
        how = f"{pad} padding" if isinstance(pad, str) else (
            f"padding {py if py == px else pad} ({shape_text((geo.rows.padded, geo.cols.padded))} after padding)"
        )
        raise ParameterError(f"{kernel} does not fit a {shape_text((h, w))} image with {how}.")
    return geo


def pool_output_shape(input_hw: Pair, size=2, stride=None) -> Geometry:
    """Output shape and formula of pooling (no padding, floor; Keras 'valid').

    Parameters
    ----------
    input_hw : (int, int)
        Input ``(H, W)``.
    size : int or (int, int)
        Pooling window.
    stride : int or (int, int) or None
        Step; ``None`` means the window size.

    Returns
    -------
    Geometry

    Raises
    ------
    ParameterError
        When the window is larger than the input.
    """
    ph, pw = as_pair(size, "pool size")
    sy, sx = as_pair(size if stride is None else stride, "pool stride")
    h, w = input_hw
    geo = _geometry(input_hw, (ph, pw), (sy, sx), (1, 1), ("valid", "valid"))
    if geo.rows.out < 1 or geo.cols.out < 1:
        window, feature_map = shape_text((ph, pw)), shape_text((h, w))
        raise ParameterError(f"a {window} pooling window does not fit a {feature_map} feature map.")
    return geo
