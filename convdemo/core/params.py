"""The settings of one pipeline run, as frozen (hashable, comparable) dataclasses.

``Settings`` holds every option of :func:`convdemo.run` and the CLI's ``apply``
with the same names and defaults; ``__post_init__`` validates and normalises
each one, raising :class:`ParameterError` with a sentence a user can act on.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from convdemo.core.errors import ParameterError
from convdemo.core.geometry import Pair, as_pair, normalise_padding
from convdemo.core.kernels import bias_problem, divisor_problem
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, POOLS, choose

STAGES = ("conv", "activation", "pool")


def _finite(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise ParameterError(f"{name} must be a finite number, not {value!r}.")
    return number


def _float32_number(value, name: str, problem: Callable[[float], str | None]) -> float:
    """``value`` as a finite float that ``problem`` (a check of :mod:`~convdemo.core.kernels`) accepts."""
    number = _finite(value, name)
    found = problem(number)
    if found:
        raise ParameterError(f"the {name} {found}.")
    return number


@dataclass(frozen=True)
class Settings:
    """Every option of a pipeline run except the image and the kernel weights.

    Attributes
    ----------
    stride : (int, int)
        Step between output positions (rows, columns); an int means both.
    padding : 'valid' | 'same' | 'full' | (int, int)
        Padding rule (see :mod:`convdemo.core.geometry`).
    border : str
        How padded cells are filled: a key of :data:`~convdemo.core.modes.BORDERS`.
    dilation : (int, int)
        Gap between kernel taps (1 = none).
    flip : bool
        True convolution: rotate the kernel 180° first.
    divisor, bias : float
        ``out = sum / divisor + bias``; float32 numbers, and so is ``1 / divisor``
        (see :func:`~convdemo.core.kernels.divisor_problem`).
    channels : str
        A key of :data:`~convdemo.core.modes.CHANNEL_MODES`.
    activation : str
        A key of :data:`~convdemo.core.modes.ACTIVATIONS`.
    pool : str
        A key of :data:`~convdemo.core.modes.POOLS`.
    pool_size : (int, int)
    pool_stride : (int, int) or None
        ``None`` means ``pool_size``.
    """

    stride: Pair = (1, 1)
    padding: str | Pair = "valid"
    border: str = "zero"
    dilation: Pair = (1, 1)
    flip: bool = False
    divisor: float = 1.0
    bias: float = 0.0
    channels: str = "gray"
    activation: str = "none"
    pool: str = "none"
    pool_size: Pair = (2, 2)
    pool_stride: Pair | None = None

    def __post_init__(self):
        fix = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        fix("stride", as_pair(self.stride, "stride"))
        fix("padding", normalise_padding(self.padding))
        fix("border", choose(BORDERS, self.border, "border"))
        fix("dilation", as_pair(self.dilation, "dilation"))
        fix("flip", bool(self.flip))
        fix("divisor", _float32_number(self.divisor, "divisor", divisor_problem))
        fix("bias", _float32_number(self.bias, "bias", bias_problem))
        fix("channels", choose(CHANNEL_MODES, self.channels, "channels"))
        fix("activation", choose(ACTIVATIONS, self.activation, "activation"))
        fix("pool", choose(POOLS, self.pool, "pool"))
        fix("pool_size", as_pair(self.pool_size, "pool size"))
        if self.pool_stride is not None:
            fix("pool_stride", as_pair(self.pool_stride, "pool stride"))

    @property
    def padding_text(self) -> str:
        """Padding as a user types it: 'same', '1' or '1,2'."""
        if isinstance(self.padding, str):
            return self.padding
        py, px = self.padding
        return str(py) if py == px else f"{py},{px}"
