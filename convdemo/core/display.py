"""Float stage arrays → uint8 RGB pictures for showing, plus the legend's values.

Modes (:data:`convdemo.core.modes.DISPLAY_MODES`):

* ``clip``: values outside 0–255 are cut off (what a photo editor would save).
* ``stretch``: the array's minimum → black, maximum → white.
* ``abs``: ``|v|`` clipped to 0–255 (edge strength regardless of sign).
* ``diverging``: zero in the middle; single planes use a blue–white–red map
  scaled to ``±max|v|``; colour arrays show each channel as ``128 + 127·v/max|v|``.
* ``auto``: ``diverging`` when any value is negative, else ``clip``, so signed
  outputs are never silently clipped.

Clipping is never silent either: every :class:`DisplayImage` carries the real
range of its values and whether values beyond either end were cut
(:attr:`DisplayImage.clipped_high`: an ``rgb-sum`` blur reaching 690 in ``clip``),
so the colour bar and the window can say so.

Single-plane arrays become grey, or a heat map (black → purple → orange →
yellow) with ``heat=True``, or the diverging map; (H, W, 3) arrays stay colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import ParameterError
from convdemo.core.modes import DISPLAY_MODES
from convdemo.core.numbers import format_number

# Blue → white → red, sampled at 0, 0.25, 0.5, 0.75, 1 (negative → positive).
_DIVERGING_STOPS = np.array(
    [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]], dtype=np.float32
)


@dataclass(frozen=True, eq=False)
class DisplayImage:
    """A picture of a stage array and what its colours mean.

    Attributes
    ----------
    rgb : ndarray of shape (H, W, 3), uint8
    mode : str
        The mode actually used ('auto' resolved).
    low, high : float
        Values shown in the two end colours of the map (black and white for grey).
    colours : {'grey', 'heat', 'diverging', 'rgb'}
        The colour map the bar should show ('rgb' for three-plane pictures).
    data_min, data_max : float
        The smallest and largest value of the array (of ``|v|`` in 'abs', which
        shows magnitudes); NaN (the default) means ``low`` and ``high``.
    """

    rgb: np.ndarray
    mode: str
    low: float
    high: float
    colours: str = "grey"
    data_min: float = math.nan
    data_max: float = math.nan

    def __post_init__(self) -> None:
        if math.isnan(self.data_min):
            object.__setattr__(self, "data_min", self.low)
        if math.isnan(self.data_max):
            object.__setattr__(self, "data_max", self.high)

    @property
    def _tolerance(self) -> float:
        """Half a step of the 256-level map: values closer than this to an end are not clipped."""
        return 0.5 * (self.high - self.low) / 255

    @property
    def clipped_low(self) -> bool:
        """Some values are below ``low``, and look as if they were ``low``."""
        return self.data_min < self.low - self._tolerance

    @property
    def clipped_high(self) -> bool:
        """Some values are above ``high``, and look as if they were ``high``."""
        return self.data_max > self.high + self._tolerance

    @property
    def _cut_ends(self) -> str:
        """The ends values were cut at: ``'255'``, ``'0 and 255'``, or ``''``."""
        ends = ((self.low, self.clipped_low), (self.high, self.clipped_high))
        return " and ".join(format_number(end) for end, cut in ends if cut)

    @property
    def clipping(self) -> str:
        """What was clipped, as a short note (``'values 0 … 690: clipped at 255'``), or ``''``."""
        if not self._cut_ends:
            return ""
        what = "|v|" if self.mode == "abs" else "values"
        return f"{what} {format_number(self.data_min)} … {format_number(self.data_max)}: clipped at {self._cut_ends}"

    @property
    def legend(self) -> str:
        """One line for a colour bar's tooltip or a status bar: the values, and how their colours were chosen."""
        text = f"{self.mode}: {format_number(self.data_min)} … {format_number(self.data_max)}"
        if self._cut_ends:
            return f"{text} (clipped at {self._cut_ends})"
        if (self.data_min, self.data_max) != (self.low, self.high):
            return f"{text} (colours for {format_number(self.low)} … {format_number(self.high)})"
        return text


def resolve_mode(array: np.ndarray, mode: str) -> str:
    """Resolve ``auto`` for ``array``; validate other modes."""
    if mode not in DISPLAY_MODES:
        raise ParameterError(f"display must be one of {', '.join(DISPLAY_MODES)}, not {mode!r}.")
    if mode == "auto":
        return "diverging" if array.size and float(array.min()) < 0 else "clip"
    return mode


def diverging_colours(t: np.ndarray) -> np.ndarray:
    """Map ``t`` in [0, 1] (0.5 = zero) to the blue–white–red map, uint8 (..., 3)."""
    return _ramp(_DIVERGING_STOPS, t)


# Heat map stops (an inferno-like ramp), sampled at 0, 0.25, 0.5, 0.75, 1.
_HEAT_STOPS = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], np.float32)


def _ramp(stops: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Piecewise-linear colour ramp through ``stops`` at ``t`` in [0, 1] → uint8 (..., 3)."""
    t = np.clip(t, 0.0, 1.0) * (len(stops) - 1)
    lo = np.minimum(t.astype(np.int32), len(stops) - 2)
    frac = (t - lo)[..., None]
    return (stops[lo] * (1 - frac) + stops[lo + 1] * frac + 0.5).astype(np.uint8)


HEAT_LUT = _ramp(_HEAT_STOPS, np.linspace(0.0, 1.0, 256))  # (256, 3) uint8: grey level → heat colour
_GREY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)

_LUT_SIZE = 1024
_DIVERGING_LUT = None  # (1024, 3) uint8, built on first use


def _diverging_lookup(a: np.ndarray, m: float) -> np.ndarray:
    """Diverging colours of ``a`` scaled to ±m through a lookup table: a few fast passes."""
    global _DIVERGING_LUT
    if _DIVERGING_LUT is None:
        _DIVERGING_LUT = diverging_colours(np.linspace(0.0, 1.0, _LUT_SIZE))
    half = (_LUT_SIZE - 1) / 2
    index = np.multiply(a, half / m, dtype=np.float32)
    index += half + 0.5
    np.clip(index, 0, _LUT_SIZE - 1, out=index)
    return np.take(_DIVERGING_LUT, index.astype(np.int16), axis=0)


def _to_uint8(a: np.ndarray) -> np.ndarray:
    return (np.clip(a, 0, 255) + 0.5).astype(np.uint8)


def to_display(array, mode: str = "auto", *, heat: bool = False) -> DisplayImage:
    """Turn a stage array into an RGB picture.

    Parameters
    ----------
    array : array_like of shape (H, W) or (H, W, 3)
        Stage values (any sign, any range).
    mode : {'auto', 'clip', 'stretch', 'abs', 'diverging'}
    heat : bool
        Show single planes with the heat map instead of grey (not for 'diverging').

    Returns
    -------
    DisplayImage

    Examples
    --------
    Negative values choose the diverging map (blue, white, red) scaled to ``±max|v|``:

    >>> picture = to_display(np.array([[-50.0, 0.0], [25.0, 50.0]]))
    >>> picture.mode, picture.legend
    ('diverging', 'diverging: −50 … 50')
    >>> picture.rgb[:, :, 0].tolist()
    [[33, 247], [244, 178]]
    >>> clipped = to_display(np.array([[-20.0, 100.0], [690.0, 255.0]]), "clip")
    >>> clipped.rgb[:, :, 0].tolist()
    [[0, 100], [255, 255]]

    Clipping is never silent: the picture knows the real range and which ends were cut.

    >>> clipped.clipped_low, clipped.clipped_high, clipped.legend
    (True, True, 'clip: −20 … 690 (clipped at 0 and 255)')
    >>> to_display(np.array([[0.0, 690.0]])).clipping
    'values 0 … 690: clipped at 255'
    """
    a = np.asarray(array, dtype=np.float32)
    mode = resolve_mode(a, mode)
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if mode == "clip":
        out, low, high = _to_uint8(a), 0.0, 255.0
    elif mode == "abs":
        magnitudes = np.abs(a)
        out, low, high = _to_uint8(magnitudes), 0.0, 255.0
        lo, hi = (float(magnitudes.min()), float(magnitudes.max())) if a.size else (0.0, 0.0)
    elif mode == "stretch":
        low, high = lo, hi
        span = high - low if high > low else 1.0
        out = _to_uint8((a - low) * (255.0 / span))
    else:
        m = max(-lo, hi) or 1.0
        low, high = -m, m
        if a.ndim == 2:
            return DisplayImage(_diverging_lookup(a, m), mode, low, high, "diverging", lo, hi)
        out = _to_uint8(128.0 + a * (127.0 / m))
    if out.ndim == 3:
        return DisplayImage(np.ascontiguousarray(out), mode, low, high, "rgb", lo, hi)
    lut = HEAT_LUT if heat else _GREY_LUT
    return DisplayImage(np.take(lut, out, axis=0), mode, low, high, "heat" if heat else "grey", lo, hi)

