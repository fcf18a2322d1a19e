"""Kernels: the value type and the text syntax of weights.

A :class:`Kernel` is an immutable grid of weights plus the ``divisor`` and
``bias`` of docs/semantics.md (``out = sum / divisor + bias``). Its weights have shape
``(kh, kw)``, or ``(3, kh, kw)`` for three per-channel kernels (R, G, B) used
by the ``rgb-sum`` channel mode.

Weights are written as text in one syntax everywhere (CLI ``--weights``, the
kernel editor): rows split by ``;`` or new lines, values by ``,`` or spaces,
for example ``"1,0,-1;2,0,-2;1,0,-1"``. Values may be fractions (``1/9``);
the planes of a per-channel kernel are split by ``|``. Preset files and the
preset library are in :mod:`convdemo.core.presets`.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from convdemo.core.errors import ParameterError
from convdemo.core.geometry import shape_text

MAX_SIZE = 9
"""Largest kernel side (rows or columns); the smallest is 1."""

FLOAT32_MAX = float(np.finfo(np.float32).max)
"""Largest float32 number, about 3.4e38: the engine computes in float32, so no number may go beyond ±this."""

FLOAT32_RANGE = "±3.4e38, the range of the float32 numbers the engine computes with"
"""How messages name the limit, after 'beyond'."""


def number_text(value: float) -> str:
    """A number as messages show it: ``1e39``, ``3.4e38``, ``1e-300``, ``0.5``, ``-2``.

    >>> number_text(1e39), number_text(2.5e-39), number_text(-2.0)
    ('1e39', '2.5e-39', '-2')
    """
    return f"{value:.3g}".replace("e+", "e")


# --------------------------------------------------------------------------
# Validation shared by Kernel, read_preset and Settings
# --------------------------------------------------------------------------


def _weights_problem(weights: np.ndarray) -> str | None:
    """What is wrong with a weights array of shape (kh, kw) or (3, kh, kw), if anything."""
    if weights.ndim not in (2, 3):
        return "must be a grid of rows of numbers, or 3 such grids (R, G, B)"
    if weights.ndim == 3 and weights.shape[0] != 3:
        return f"has {weights.shape[0]} planes, but a per-channel kernel has exactly 3 (R, G, B)"
    kh, kw = weights.shape[-2:]
    if not (1 <= kh <= MAX_SIZE and 1 <= kw <= MAX_SIZE):
        return f"is {kh}×{kw}, but each side must be 1 to {MAX_SIZE}"
    if not np.isfinite(weights).all():
        return "holds NaN or infinity, but every weight must be a finite number"
    largest = weights.flat[np.abs(weights).argmax()]
    if abs(largest) > FLOAT32_MAX:
        return f"holds {number_text(largest)}, beyond {FLOAT32_RANGE}"
    return None


def divisor_problem(divisor: float) -> str | None:
    """What is wrong with a divisor, if anything: 0, not finite, or beyond float32 either way.

    ``1 / divisor`` must be a float32 number too, so the divisor's size must be at least
    ``1 / FLOAT32_MAX`` (about 2.9e-39).
    """
    if not np.isfinite(divisor) or divisor == 0:
        return f"is {divisor:g}, but it must be a finite number other than 0"
    if abs(divisor) > FLOAT32_MAX:
        return f"is {number_text(divisor)}, beyond {FLOAT32_RANGE}"
    if abs(divisor) < 1 / FLOAT32_MAX:
        return (f"is {number_text(divisor)}, so close to 0 that dividing by it goes beyond {FLOAT32_RANGE}; "
                f"use a divisor of at least {number_text(1 / FLOAT32_MAX)} in size")
    return None


def bias_problem(bias: float) -> str | None:
    """What is wrong with a bias, if anything: not finite, or beyond float32."""
    if not np.isfinite(bias):
        return f"is {bias:g}, but it must be a finite number"
    if abs(bias) > FLOAT32_MAX:
        return f"is {number_text(bias)}, beyond {FLOAT32_RANGE}"
    return None


def _first_problem(weights: np.ndarray, divisor: float, bias: float) -> tuple[str, str] | None:
    """The first invalid field as ``(field, problem)``, or None if all are valid."""
    checks = (
        ("weights", _weights_problem(weights)),
        ("divisor", divisor_problem(divisor)),
        ("bias", bias_problem(bias)),
    )
    return next(((name, problem) for name, problem in checks if problem), None)


def _plain_number(value: float) -> int | float:
    """``value`` as an int when it is a whole number (so ``1.0`` is written ``1``)."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


# --------------------------------------------------------------------------
# Kernel
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Kernel:
    """A convolution kernel with its divisor and bias; immutable and validated.

    Parameters
    ----------
    weights : array_like of shape (kh, kw) or (3, kh, kw)
        Weights within float32's range (``|w| ≤`` :data:`FLOAT32_MAX`), 1 ≤ kh, kw ≤ 9.
        Three planes are the R, G and B kernels of the ``rgb-sum`` channel mode.
        Stored as a read-only float64 copy.
    name : str
        Non-blank name; the key in a :class:`PresetLibrary`.
    description : str
        One or two sentences shown to the learner.
    divisor : float
        The sum is divided by it: its size is between ``1 / FLOAT32_MAX`` (about 2.9e-39)
        and ``FLOAT32_MAX`` (about 3.4e38), so it and its reciprocal are float32 numbers.
    bias : float
        Added after dividing; ``|bias| ≤ FLOAT32_MAX``.
    extra : Mapping
        Unknown keys of the preset file, kept for re-saving (JSON data).
    source : Path or None
        File the kernel was read from. Not compared by ``==``.

    Raises
    ------
    ParameterError
        If any field is invalid; the message says which and why.
    """

    weights: np.ndarray
    name: str = "custom"
    description: str = ""
    divisor: float = 1.0
    bias: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        try:
            # "+ 0.0" turns -0.0 into 0.0 so equal kernels hash equally.
            weights = np.array(self.weights, dtype=np.float64) + 0.0
            divisor, bias = float(self.divisor), float(self.bias)
        except (TypeError, ValueError):
            raise ParameterError(
                "the kernel weights, divisor and bias must be numbers, in rows of equal length."
            ) from None
        problem = _first_problem(weights, divisor, bias)
        if problem:
            subject = {"weights": "the kernel", "divisor": "the divisor", "bias": "the bias"}
            raise ParameterError(f"{subject[problem[0]]} {problem[1]}.")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError("a kernel needs a name that is not blank.")
        if not isinstance(self.description, str):
            raise ParameterError("a kernel's description must be text.")
        weights.flags.writeable = False
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "divisor", divisor)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "extra", _frozen_extra(self.extra))
        object.__setattr__(self, "source", None if self.source is None else Path(self.source))

    @classmethod
    def from_array(cls, array_like: Any, **fields: Any) -> Kernel:
        """Make a kernel from weights of shape (kh, kw) or (3, kh, kw) and other fields."""
        return cls(np.asarray(array_like), **fields)

    # -- comparison (ndarray fields need explicit handling) ------------------

    def _key(self) -> tuple:
        return (self.name, self.description, self.divisor, self.bias, self.weights.shape)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Kernel):
            return NotImplemented
        return (
            self._key() == other._key()
            and np.array_equal(self.weights, other.weights)
            and dict(self.extra) == dict(other.extra)
        )

    def __hash__(self) -> int:
        return hash((self._key(), self.weights.tobytes()))

    def __reduce__(self) -> tuple:
        # mappingproxy cannot be pickled or deep-copied; rebuild from a dict.
        return (type(self), (self.weights, self.name, self.description, self.divisor,
                             self.bias, dict(self.extra), self.source))

    # -- shape and arithmetic -----------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        """``(kh, kw)``: rows and columns of one plane."""
        kh, kw = self.weights.shape[-2:]
        return kh, kw

    @property
    def is_per_channel(self) -> bool:
        """True for three R, G, B kernels (weights of shape (3, kh, kw))."""
        return self.weights.ndim == 3

    def sum(self) -> float:
        """Sum of all weights (over all planes), before the divisor."""
        return float(self.weights.sum())

    def with_weights(self, weights: Any) -> Kernel:
        """A copy with new weights of shape (kh, kw) or (3, kh, kw); other fields kept."""
        return replace(self, weights=weights)

    def normalised(self) -> Kernel:
        """A copy whose weights are divided by their sum and whose divisor is 1.

        The kernel as applied then sums to 1, so flat areas keep their brightness.

        Raises
        ------
        ParameterError
            If the weights sum to (nearly) 0, as edge detectors do.
        """
        total = self.sum()
        if abs(total) <= 1e-9 * float(np.abs(self.weights).sum()):
            raise ParameterError("the weights sum to 0, so they cannot be normalised.")
        return replace(self, weights=self.weights / total, divisor=1.0)

    def transposed(self) -> Kernel:
        """A copy with rows and columns swapped: (kh, kw) -> (kw, kh), per plane."""
        return self.with_weights(np.swapaxes(self.weights, -2, -1))

    def rotated(self) -> Kernel:
        """A copy turned 90° clockwise: (kh, kw) -> (kw, kh), per plane."""
        return self.with_weights(np.rot90(self.weights, k=-1, axes=(-2, -1)))

    def flipped(self) -> Kernel:
        """A copy turned 180° (what true convolution does to the kernel)."""
        return self.with_weights(np.flip(self.weights, axis=(-2, -1)))

    def to_text(self) -> str:
        """The weights in the text syntax, e.g. ``"1,0,-1;2,0,-2;1,0,-1"``.

        Planes of a per-channel kernel are joined by ``" | "``.
        :func:`parse_weights` reads the text back to the same array.
        """
        planes = self.weights if self.is_per_channel else [self.weights]
        return " | ".join(
            ";".join(",".join(str(_plain_number(v)) for v in row) for row in plane)
            for plane in planes
        )


def _frozen_extra(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only deep copy of ``extra``; it must be JSON data with text keys."""
    try:
        if not all(isinstance(key, str) for key in extra):
            raise TypeError
        copy = json.loads(json.dumps(dict(extra)))
    except (TypeError, ValueError):
        raise ParameterError("a kernel's extra fields must be JSON data with text keys.") from None
    return types.MappingProxyType(copy)


# --------------------------------------------------------------------------
# Grids of weights: shared by the text syntax and the JSON reader
# --------------------------------------------------------------------------


class _GridError(ValueError):
    """A problem in a grid of weights; the message names the plane, row and value."""


def _grid(rows: list, parse_value: Callable[[Any], float], plane: int | None = None) -> np.ndarray:
    """Rows of raw values -> float64 array of shape (rows, columns).

    ``parse_value`` turns one raw value into a float or raises ``ValueError``
    with a problem such as ``"is not a number ('x')"``.
    """
    if not rows:
        raise _GridError("has no rows" if plane is None else f"plane {plane} has no rows")
    at = "" if plane is None else f"plane {plane}, "
    width = len(rows[0]) if isinstance(rows[0], list) else 0
    values = []
    for r, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise _GridError(f"{at}row {r} is not a list of numbers")
        if len(row) != width:
            count = "1 value" if len(row) == 1 else f"{len(row)} values"
            raise _GridError(f"{at}row {r} has {count}, expected {width}")
        values.append([_parse_at(parse_value, v, f"{at}row {r}, value {c}")
                       for c, v in enumerate(row, start=1)])
    return np.array(values, dtype=np.float64).reshape(len(rows), width)


def _parse_at(parse_value: Callable[[Any], float], value: Any, where: str) -> float:
    try:
        return parse_value(value)
    except ValueError as e:
        raise _GridError(f"{where} {e}") from None


def _stack_planes(planes: list, parse_value: Callable[[Any], float]) -> np.ndarray:
    """A list of grids of equal shape -> float64 array of shape (planes, kh, kw)."""
    grids = []
    for p, plane in enumerate(planes, start=1):
        if not isinstance(plane, list):
            raise _GridError(f"plane {p} is not a list of rows")
        grids.append(_grid(plane, parse_value, p))
        if grids[-1].shape != grids[0].shape:
            raise _GridError(f"plane {p} is {shape_text(grids[-1].shape)}, "
                             f"expected {shape_text(grids[0].shape)} like plane 1")
    return np.stack(grids)


def _finite(value: float, shown: str) -> float:
    if not np.isfinite(value):
        raise ValueError(f"is not a finite number ({shown})")
    return value


def _text_value(token: str) -> float:
    """One token of the text syntax: ``-2``, ``0.5``, ``1e-3`` or a fraction ``1/9``."""
    numerator, slash, denominator = token.partition("/")
    try:
        top = float(numerator)
        bottom = float(denominator) if slash else 1.0
    except ValueError:
        raise ValueError(f"is not a number ({token!r})") from None
    if bottom == 0:
        raise ValueError(f"divides by zero ({token!r})")
    return _finite(top / bottom, repr(token))


def _json_value(value: Any) -> float:
    """One JSON number (not a bool, string or null) as a finite float."""
    shown = json.dumps(value, ensure_ascii=False)[:40]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"is not a number ({shown})")
    try:
        return _finite(float(value), shown)
    except OverflowError:
        raise ValueError(f"is not a finite number ({shown})") from None


def parse_weights(text: str) -> np.ndarray:
    """Read weights written as text, e.g. ``"1,0,-1;2,0,-2;1,0,-1"``.

    Rows are split by ``;`` or new lines and values by ``,`` or whitespace;
    blank rows are ignored. A value may have a leading minus sign (``-`` or
    ``−``) and may be a fraction such as ``1/9``. Planes of a per-channel
    kernel are split by ``|``.

    Parameters
    ----------
    text : str
        The weights.

    Returns
    -------
    ndarray of shape (kh, kw), or (planes, kh, kw) when ``|`` is used
        float64 weights. Sizes are not limited here; :class:`Kernel` checks them.

    Raises
    ------
    ParameterError
        For empty text, a token that is not a number (the message quotes it),
        a zero denominator, or rows of different lengths.
    """
    text = text.replace("\u2212", "-")
    planes = [
        [row.replace(",", " ").split() for row in re.split(r"[;\n]", plane) if row.strip(" \t\r,")]
        for plane in text.split("|")
    ]
    if not any(planes):
        raise ParameterError("no weights were given.")
    try:
        if len(planes) > 1:
            return _stack_planes(planes, _text_value)
        return _grid(planes[0], _text_value)
    except _GridError as e:
        raise ParameterError(f"{e}.") from None
