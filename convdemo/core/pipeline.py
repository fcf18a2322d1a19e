"""One function from (image, kernel, settings) to every stage, shared by CLI, GUI and tests.

    image ─ channels ─▶ source ─ correlate, /divisor, +bias ─▶ conv ─ activation ─▶ activated ─ pooling ─▶ pooled

Channel modes (a grey image is treated as R = G = B):

* ``gray``: the ITU-R 601-2 luma plane, one output plane.
* ``rgb-sum``: the kernel applied to R, G and B and the three results summed:
  one 3-D filter of depth 3, one output plane (a CNN's first layer). Three
  different kernels (weights of shape (3, kh, kw)) are allowed.
* ``per-channel``: each of R, G, B convolved on its own: three output planes.
* ``red`` / ``green`` / ``blue``: that plane alone.

Before anything is computed a run is refused, with a sentence saying what to change, when
its arrays would need more memory than the budget (:mod:`convdemo.core.budget`) or when
its numbers could go beyond float32's range (:func:`check_numbers`): the engine never
returns infinities or NaN made from finite inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convdemo.core import ops
from convdemo.core.budget import check_budget
from convdemo.core.errors import ParameterError
from convdemo.core.geometry import Geometry, output_shape, pool_output_shape
from convdemo.core.images import to_gray
from convdemo.core.kernels import FLOAT32_MAX, FLOAT32_RANGE, Kernel, number_text
from convdemo.core.modes import ACTIVATIONS, CHANNEL_MODES, POOLS, choices_text
from convdemo.core.params import STAGES, Settings

SAFE_MAX = FLOAT32_MAX * (1 - 1e-4)
"""Largest value a stage may reach: float32's maximum less the rounding of a few hundred additions."""


@dataclass(frozen=True, eq=False)
class Stages:
    """Every stage of one run, with its geometry.

    Attributes
    ----------
    source : ndarray of shape (H, W) or (H, W, 3), float32
        What the kernel slides over: the luma or single plane, or RGB for
        'rgb-sum' and 'per-channel'.
    conv : ndarray of shape (Ho, Wo) or (Ho, Wo, 3), float32
        ``correlation / divisor + bias`` (3 planes only for 'per-channel').
    activated : ndarray like ``conv``, or None when the activation is 'none'
    pooled : ndarray of shape (Hp, Wp) or (Hp, Wp, 3), or None when pooling is 'none'
    weights : ndarray of shape (kh, kw) or (3, kh, kw), float64
        The kernel as applied (already flipped when ``settings.flip``), before the divisor.
    settings : Settings
    conv_geometry : Geometry
        Padding, output size and formula of the convolution.
    pool_geometry : Geometry or None
    """

    source: np.ndarray
    conv: np.ndarray
    activated: np.ndarray | None
    pooled: np.ndarray | None
    weights: np.ndarray
    settings: Settings
    conv_geometry: Geometry
    pool_geometry: Geometry | None

    @property
    def output(self) -> np.ndarray:
        """The last enabled stage."""
        for array in (self.pooled, self.activated):
            if array is not None:
                return array
        return self.conv

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every stage that is on, keyed 'source', 'conv', 'activation', 'pool'."""
        named = {"source": self.source, "conv": self.conv, "activation": self.activated, "pool": self.pooled}
        return {name: a.shape for name, a in named.items() if a is not None}

    def stage(self, name: str) -> np.ndarray:
        """The array of stage 'conv', 'activation' or 'pool', with a clear error when it is off."""
        if name not in STAGES:
            raise ParameterError(f"stage must be one of {', '.join(STAGES)}, not {name!r}.")
        array = {"conv": self.conv, "activation": self.activated, "pool": self.pooled}[name]
        if array is None:
            hint = (f"--activation {choices_text(ACTIVATIONS, skip='none')}" if name == "activation"
                    else f"--pool {choices_text(POOLS, skip='none')}")
            raise ParameterError(f"the {name} stage is off; turn it on with {hint}.")
        return array


def as_kernel(kernel) -> Kernel:
    """Accept a :class:`Kernel`, a preset name or ``.json`` path, or an array of weights."""
    if isinstance(kernel, Kernel):
        return kernel
    if isinstance(kernel, str) or hasattr(kernel, "__fspath__"):
        from convdemo.core.presets import default_library

        return default_library().resolve(kernel)
    return Kernel.from_array(kernel)


def check_image(image) -> tuple[np.ndarray, float]:
    """Validate an image array: (H, W) or (H, W, 3), finite in float32.

    Parameters
    ----------
    image : array_like of shape (H, W), (H, W, 1) or (H, W, 3)

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
    peak : float
        The largest ``|value|``, which bounds every stage (see :func:`check_numbers`).
    """
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float32 becomes inf, refused below
        array = np.asarray(image, dtype=np.float32)
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)) or min(array.shape[:2]) < 1:
            raise ParameterError(f"an image must have shape (H, W) or (H, W, 3), not {array.shape}.")
        high, low = float(array.max()), float(array.min())  # NaN and ±inf show in one of the two
    if not (math.isfinite(high) and math.isfinite(low)):
        raise ParameterError(f"the image contains NaN or infinite values, or values beyond {FLOAT32_RANGE}.")
    return array, max(high, -low)


def _overflow(what: str, reach: float, weighted: float, bias: float, divisor: float) -> ParameterError:
    """The error for values that could overflow, suggesting a divisor that avoids it.

    ``reach = weighted + bias``: ``weighted`` scales with ``1 / divisor``, ``bias`` does not.
    """
    room = SAFE_MAX - bias
    if room > 0 and weighted > room:
        factor = 10 ** math.ceil(math.log10(weighted / room))
        hint = f"divide them, e.g. with divisor {number_text(divisor * factor)}"
    else:
        hint = "use a smaller bias or smaller image values"
    return ParameterError(f"{what} would overflow float32 (they can reach {number_text(reach)}, "
                          f"beyond ±3.4e38); {hint}.")


def _weighted_peak(peak: float, weights: np.ndarray, s: Settings) -> float:
    """Largest ``|Σ w·x| / |divisor|`` of any partial sum of the correlation, for ``|x| ≤ peak``.

    The three planes' sums count together when they are added ('rgb-sum'); one kernel in
    'rgb-sum' slides over R + G + B, which itself reaches ``3·peak``.
    """
    mode = CHANNEL_MODES[s.channels]
    per_plane = np.abs(weights).sum(axis=(-2, -1)) / abs(s.divisor)
    if weights.ndim == 2:
        return 3 * peak * max(float(per_plane), 1.0) if mode.sums_planes else peak * float(per_plane)
    if mode.plane is not None:
        return peak * float(per_plane[mode.plane])
    return peak * float(per_plane.sum() if mode.sums_planes else per_plane.max())


def check_numbers(peak: float, weights: np.ndarray, s: Settings) -> None:
    """Refuse a run whose float32 numbers could overflow, before computing it.

    Every partial sum of the correlation is at most ``peak · Σ|w| / |divisor|`` in size, and
    adding the bias at most ``|bias|`` more; activations never make a value larger; average
    pooling adds up to ``ph·pw`` values before dividing. A run is refused when any of these
    could pass :data:`SAFE_MAX`, which is arithmetic on a few numbers (no pass over the data),
    so the engine never meets an overflow (nor its RuntimeWarning).

    Parameters
    ----------
    peak : float
        Largest ``|value|`` of the image (from :func:`check_image`).
    weights : ndarray of shape (kh, kw) or (3, kh, kw)
        The kernel as applied, before the divisor.
    s : Settings
    """
    scaled = float(np.abs(weights).max()) / abs(s.divisor)
    if scaled > FLOAT32_MAX:
        raise ParameterError(f"the weights divided by the divisor reach {number_text(scaled)}, "
                             f"beyond {FLOAT32_RANGE}; use a larger divisor.")
    weighted, bias = _weighted_peak(peak, weights, s), abs(s.bias)
    if weighted + bias > SAFE_MAX:
        raise _overflow("the convolved values", weighted + bias, weighted, bias, s.divisor)
    pooling = POOLS[s.pool]
    window = s.pool_size[0] * s.pool_size[1]
    if pooling.mean and window * (weighted + bias) > SAFE_MAX:  # the window's values are added, then divided
        raise _overflow(f"the sums of {pooling.label} pooling", window * (weighted + bias), window * weighted,
                        window * bias, s.divisor)


def select_source(image: np.ndarray, channels: str) -> np.ndarray:
    """The planes the kernel slides over for a channel mode.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3), float32
    channels : str
        A key of :data:`~convdemo.core.modes.CHANNEL_MODES`.

    Returns
    -------
    ndarray of shape (H, W) for 'gray', 'red', 'green', 'blue'; (H, W, 3) otherwise
    """
    if channels == "gray":
        return to_gray(image)
    rgb = image if image.ndim == 3 else np.repeat(image[:, :, None], 3, axis=2)
    plane = CHANNEL_MODES[channels].plane
    if plane is not None:
        return np.ascontiguousarray(rgb[:, :, plane])
    return rgb


def _convolve(source: np.ndarray, weights: np.ndarray, s: Settings) -> np.ndarray:
    opts: dict[str, Any] = dict(stride=s.stride, padding=s.padding, border=s.border, dilation=s.dilation, bias=s.bias)
    scaled = weights / s.divisor
    if weights.ndim == 2:
        if CHANNEL_MODES[s.channels].sums_planes:  # linear: sum the planes once, then one correlation
            return ops.correlate(source.sum(axis=2, dtype=np.float32), scaled, **opts)
        return ops.correlate(source, scaled, **opts)
    plane = CHANNEL_MODES[s.channels].plane
    if plane is not None:
        return ops.correlate(source, scaled[plane], **opts)
    no_bias = dict(opts, bias=0.0)
    planes = [ops.correlate(source[:, :, c], scaled[c], **no_bias) for c in range(3)]
    if CHANNEL_MODES[s.channels].sums_planes:
        total = planes[0] + planes[1] + planes[2]
        return total + np.float32(s.bias) if s.bias else total
    return np.stack(planes, axis=2) + np.float32(s.bias)


def run_settings(image, kernel, settings: Settings, *, memory_limit: int | str | None = None) -> Stages:
    """Run the pipeline with a :class:`Settings` object (see :func:`run`)."""
    image, peak = check_image(image)
    weights = np.asarray(as_kernel(kernel).weights, dtype=np.float64)
    if weights.ndim == 3 and settings.channels == "gray":
        raise ParameterError("three per-channel kernels need a colour channel mode (rgb-sum or per-channel), not gray.")
    if settings.flip:
        weights = weights[..., ::-1, ::-1]
    geometry = output_shape(image.shape[:2], weights.shape[-2:], stride=settings.stride,
                            padding=settings.padding, dilation=settings.dilation)
    pool_geometry = None
    if settings.pool != "none":
        pool_geometry = pool_output_shape(geometry.shape, settings.pool_size, settings.pool_stride)
    check_budget(image.shape[:2], weights.ndim == 3, settings, geometry, pool_geometry, memory_limit)
    check_numbers(peak, weights, settings)
    source = select_source(image, settings.channels)
    conv = _convolve(source, weights, settings)
    activated = None if settings.activation == "none" else ops.activate(conv, settings.activation)
    pooled = None
    if pool_geometry is not None:
        pooled = ops.pool(conv if activated is None else activated, settings.pool,
                          settings.pool_size, settings.pool_stride)
    return Stages(source, conv, activated, pooled, weights, settings, geometry, pool_geometry)


def run(image, kernel, *, stride=1, padding="valid", border="zero", dilation=1, flip=False,
        divisor=None, bias=None, channels="gray", activation="none", pool="none",
        pool_size=2, pool_stride=None, memory_limit=None) -> Stages:
    """Convolve (cross-correlate), activate and pool an image, keeping every stage.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, 3)
        Values 0–255 (any finite float is accepted).
    kernel : Kernel, str, path or array_like of shape (kh, kw) or (3, kh, kw)
        A :class:`~convdemo.core.kernels.Kernel`, a preset name (see
        ``convdemo.kernels``), a preset ``.json`` path, or the weights.
        ``(3, kh, kw)`` holds one kernel per colour channel (R, G, B).
    stride : int or (int, int), default 1
        Step between output positions (rows, columns).
    padding : {'valid', 'same', 'full'} or int or (int, int), default 'valid'
        'valid' = none (the output shrinks), 'same' = TensorFlow/Keras rule
        (``out = ceil(n/stride)``), 'full' = ``k_eff - 1`` each side, an int =
        that many cells each side.
    border : {'zero', 'reflect', 'mirror', 'replicate', 'wrap'}, default 'zero'
        Fill of padded cells: ``0 0 | a b c d``, ``b a | a b c d``, ``c b | a b c d``,
        ``a a | a b c d``, ``c d | a b c d`` (see :data:`~convdemo.core.modes.BORDERS`).
    dilation : int or (int, int), default 1
        Gap between kernel taps; 1 = none. ``k_eff = d*(k-1) + 1``.
    flip : bool, default False
        True convolution (kernel rotated 180°) instead of correlation.
    divisor, bias : float, optional
        ``out = sum / divisor + bias``; default the kernel's own (1 and 0 for a plain array).
    channels : {'gray', 'rgb-sum', 'per-channel', 'red', 'green', 'blue'}, default 'gray'
    activation : {'none', 'relu', 'abs', 'sigmoid', 'tanh'}, default 'none'
        See :data:`~convdemo.core.modes.ACTIVATIONS` (sigmoid and tanh work on the 0–255 scale).
    pool : {'none', 'max', 'avg'}, default 'none'
    pool_size : int, default 2
    pool_stride : int, optional
        Default ``pool_size``.
    memory_limit : int or str, optional
        Memory budget of the run, in bytes or as text like ``'4G'``; default
        ``$CONVDEMO_MEMORY_LIMIT``, else 2 GB (see :mod:`convdemo.core.budget`).

    Returns
    -------
    Stages
        ``.conv``, ``.activated`` (None when off), ``.pooled`` (None when off),
        ``.output`` (last enabled stage), ``.shapes`` and the geometry with formulas.

    Raises
    ------
    ParameterError
        For invalid options, a kernel that does not fit, a run beyond the memory budget,
        or numbers that could overflow float32; the message says what to change.

    Examples
    --------
    >>> import numpy as np, convdemo
    >>> img = np.zeros((28, 28), np.float32)
    >>> convdemo.run(img, "sobel-x", padding="same", stride=2).conv.shape
    (14, 14)
    """
    k = as_kernel(kernel)
    settings = Settings(
        stride=stride, padding=padding, border=border, dilation=dilation, flip=flip,
        divisor=k.divisor if divisor is None else divisor, bias=k.bias if bias is None else bias,
        channels=channels, activation=activation, pool=pool, pool_size=pool_size, pool_stride=pool_stride,
    )
    return run_settings(image, k, settings, memory_limit=memory_limit)

