"""One function from (image, kernel, settings) to every stage, shared by CLI, GUI and tests.

    image ─ channels ─▶ source ─ correlate, /divisor, +bias ─▶ conv ─ activation ─▶ activated ─ pooling ─▶ pooled

Channel modes (a grey image is treated as R = G = B):

* ``gray``: the ITU-R 601-2 luma plane, one output plane.
* ``rgb-sum``: the kernel applied to R, G and B and the three results summed:
  one 3-D filter of depth 3, one output plane (a CNN's first layer). Three
  different kernels (weights of shape (3, kh, kw)) are allowed.
* ``per-channel``: each of R, G, B convolved on its own: three output planes.
* ``red`` / ``green`` / ``blue``: that plane alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convdemo.core import ops
from convdemo.core.errors import ParameterError
from convdemo.core.geometry import Geometry, output_shape, pool_output_shape
from convdemo.core.images import to_gray
from convdemo.core.kernels import Kernel
from convdemo.core.modes import ACTIVATIONS, CHANNEL_MODES, POOLS, choices_text
from convdemo.core.params import STAGES, Settings


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


def check_image(image) -> np.ndarray:
    """Validate an image array: (H, W) or (H, W, 3), finite; returned as float32."""
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)) or min(array.shape[:2]) < 1:
        raise ParameterError(f"an image must have shape (H, W) or (H, W, 3), not {array.shape}.")
    # One cheap reduction first: the sum is finite unless some value is NaN or infinite (or the
    # values are so huge that it overflows, when the exact element-wise check decides).
    with np.errstate(over="ignore", invalid="ignore"):
        total = array.sum()
    if not np.isfinite(total) and not np.isfinite(array).all():
        raise ParameterError("the image contains NaN or infinite values.")
    return array


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


def run_settings(image, kernel, settings: Settings) -> Stages:
    """Run the pipeline with a :class:`Settings` object (see :func:`run`)."""
    image = check_image(image)
    weights = np.asarray(as_kernel(kernel).weights, dtype=np.float64)
    if weights.ndim == 3 and settings.channels == "gray":
        raise ParameterError("three per-channel kernels need a colour channel mode (rgb-sum or per-channel), not gray.")
    if settings.flip:
        weights = weights[..., ::-1, ::-1]
    source = select_source(image, settings.channels)
    geometry = output_shape(source.shape[:2], weights.shape[-2:], stride=settings.stride,
                            padding=settings.padding, dilation=settings.dilation)
    conv = _convolve(source, weights, settings)
    activated = None if settings.activation == "none" else ops.activate(conv, settings.activation)
    pooled = pool_geometry = None
    if settings.pool != "none":
        pool_geometry = pool_output_shape(conv.shape[:2], settings.pool_size, settings.pool_stride)
        pooled = ops.pool(conv if activated is None else activated, settings.pool,
                          settings.pool_size, settings.pool_stride)
    return Stages(source, conv, activated, pooled, weights, settings, geometry, pool_geometry)


def run(image, kernel, *, stride=1, padding="valid", border="zero", dilation=1, flip=False,
        divisor=None, bias=None, channels="gray", activation="none", pool="none",
        pool_size=2, pool_stride=None) -> Stages:
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

    Returns
    -------
    Stages
        ``.conv``, ``.activated`` (None when off), ``.pooled`` (None when off),
        ``.output`` (last enabled stage), ``.shapes`` and the geometry with formulas.

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
    return run_settings(image, k, settings)

