"""The memory a pipeline run needs, estimated from its geometry and checked before computing.

A run keeps every stage as float32 (4 bytes a value): the source planes, the convolution,
the activation and the pooled map; while convolving it also builds padded copies of the
image's frame (:func:`convdemo.core.ops.correlate`). :func:`run_parts` lists these arrays
from the sizes alone (a few integer products; nothing is allocated), :func:`peak_bytes` adds
up what is held at once, and :func:`check_budget` refuses a run above the budget with a
sentence naming the setting that makes it big::

    padding 10000000 on a 45×60 image makes a 20000043×20000058 convolution output: the run
    needs 2.84 PB as float32, more than the 2 GB memory budget; use less padding (or raise
    CONVDEMO_MEMORY_LIMIT).

The budget is 2 GB unless the ``CONVDEMO_MEMORY_LIMIT`` environment variable (``4G``,
``512M``, ``1.5G`` or a number of bytes) or the ``memory_limit`` keyword of
:func:`convdemo.run` says otherwise.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from convdemo.core.errors import ParameterError
from convdemo.core.geometry import AxisPlan, Geometry, shape_text
from convdemo.core.modes import CHANNEL_MODES
from convdemo.core.params import Settings
from convdemo.core.safe_open import GIB, KIB, MIB, size_text

ENV_VAR = "CONVDEMO_MEMORY_LIMIT"
DEFAULT_LIMIT = 2 * GIB
VALUE_BYTES = 4  # float32

_TIB = 1 << 40
_UNITS = {"": 1, "K": KIB, "M": MIB, "G": GIB, "T": _TIB}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str, what: str = ENV_VAR) -> int:
    """A memory size as a person writes it, in bytes (binary units: ``1K`` is 1024).

    >>> parse_size("4G") == 4 * 1024 ** 3, parse_size("512 MiB") == 512 * 1024 ** 2, parse_size("1000")
    (True, True, 1000)

    Raises
    ------
    ParameterError
        Naming ``what`` when the text is not a positive size.
    """
    match = _SIZE.fullmatch(text)
    size = int(float(match[1]) * _UNITS[match[2].upper()]) if match else 0
    if size <= 0:
        raise ParameterError(f"{what} must be a memory size such as 4G or 512M, not {text!r}.")
    return size


def memory_limit(limit: int | str | None = None) -> int:
    """The memory budget of a run, in bytes.

    Parameters
    ----------
    limit : int or str, optional
        Bytes, or text like ``'4G'``. Default: ``$CONVDEMO_MEMORY_LIMIT`` (read at every
        call, so a change is followed), else :data:`DEFAULT_LIMIT`.
    """
    if limit is None:
        text = os.environ.get(ENV_VAR, "").strip()
        return parse_size(text) if text else DEFAULT_LIMIT
    if isinstance(limit, str):
        return parse_size(limit, "memory_limit")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ParameterError(f"memory_limit must be a positive number of bytes, not {limit!r}.")
    return limit


@dataclass(frozen=True)
class Part:
    """Arrays of one shape that one step of a run makes.

    Attributes
    ----------
    name : str
        What it is, for the message ('convolution output').
    shape : tuple of int
        ``(H, W)`` or ``(H, W, planes)``.
    copies : int
        How many arrays of that shape exist at once during the step.
    kept : bool
        One of them stays until the run ends (a stage); False for scratch arrays.
    """

    name: str
    shape: tuple[int, ...]
    copies: int = 1
    kept: bool = True

    @property
    def n_bytes(self) -> int:
        """float32 bytes of one array."""
        return math.prod(self.shape) * VALUE_BYTES


def peak_bytes(parts: list[Part]) -> int:
    """The most memory held at once when the steps run in order: what earlier steps kept, plus this step's copies."""
    held = peak = 0
    for part in parts:
        peak = max(peak, held + part.copies * part.n_bytes)
        held += part.n_bytes if part.kept else 0
    return peak


def _planes_shape(hw: tuple[int, int], planes: int) -> tuple[int, ...]:
    return hw if planes == 1 else (*hw, planes)


def _span(plan: AxisPlan, n_out: int) -> int:
    """Padded input cells read along one axis by ``n_out`` consecutive outputs."""
    return (n_out - 1) * plan.stride + plan.k_eff


def frame_crops(geometry: Geometry) -> list[tuple[int, int]]:
    """``(rows, cols)`` of each padded crop the correlation builds, as :mod:`~convdemo.core.ops` cuts them.

    Outputs whose window lies inside the image read it directly; the four blocks of the
    frame around them (top, bottom, left, right) each read a padded copy of their cells.
    With no inside (padding or dilation larger than the image) one block covers everything.
    """
    rows, cols = geometry.rows, geometry.cols
    (r_lo, r_hi), (c_lo, c_hi) = rows.interior(), cols.interior()
    if not (r_lo < r_hi and c_lo < c_hi):
        r_lo = r_hi = 0
    blocks = (((0, r_lo), (0, cols.out)), ((r_hi, rows.out), (0, cols.out)),
              ((r_lo, r_hi), (0, c_lo)), ((r_lo, r_hi), (c_hi, cols.out)))
    return [(_span(rows, i1 - i0), _span(cols, j1 - j0)) for (i0, i1), (j0, j1) in blocks if i1 > i0 and j1 > j0]


def run_parts(image_hw: tuple[int, int], per_plane_kernels: bool, settings: Settings, conv: Geometry,
              pool: Geometry | None) -> list[Part]:
    """The large float32 arrays of a run, step by step, from the sizes alone.

    Parameters
    ----------
    image_hw : (int, int)
        The image's ``(H, W)``.
    per_plane_kernels : bool
        Weights of shape (3, kh, kw): one correlation per plane, whose results are combined.
    settings : Settings
    conv, pool : Geometry
        Of the convolution and of the pooling (None when it is off).

    Returns
    -------
    list of Part
        In the order they are made: source planes; convolution output (with the per-plane
        results and the biased copy when three kernels are combined); padded image (the two
        largest frame crops: one is built while the previous is still held); activation (and
        one temporary); pooling output. Buffers of a few MB (cache-sized strips) are left out.
    """
    mode = CHANNEL_MODES[settings.channels]
    source_planes = 3 if mode.is_colour else 1
    crop_planes = source_planes if not (per_plane_kernels or mode.sums_planes) else 1
    out_planes = mode.output_planes
    combined = per_plane_kernels and mode.is_colour
    parts = [Part("source planes", _planes_shape(image_hw, source_planes)),
             Part("convolution output", _planes_shape(conv.shape, out_planes), 3 // out_planes + 2 if combined else 1)]
    crops = sorted(frame_crops(conv), key=math.prod, reverse=True)
    if crops:
        parts.append(Part("padded image", _planes_shape(crops[0], crop_planes), min(2, len(crops)), kept=False))
    if settings.activation != "none":
        parts.append(Part("activation", _planes_shape(conv.shape, out_planes), 2))
    if pool is not None:
        parts.append(Part("pooling output", _planes_shape(pool.shape, out_planes)))
    return parts


def _padding_words(settings: Settings) -> str:
    return f"{settings.padding} padding" if isinstance(settings.padding, str) else f"padding {settings.padding_text}"


def _growth(settings: Settings, conv: Geometry) -> tuple[str, str] | None:
    """The setting that makes the arrays larger than the image and what to do, or None if none does.

    E.g. ``('padding 10000', 'use less padding')`` or ``('dilation 500 with same padding', 'use less dilation')``.
    """
    axes = (conv.rows, conv.cols)
    padding_growth = max(a.before + a.after - a.n for a in axes)
    dilation_growth = max(a.k_eff - a.n for a in axes)
    if not isinstance(settings.padding, str) and padding_growth > max(dilation_growth, 0):
        return _padding_words(settings), "use less padding"
    if max(settings.dilation) > 1 and dilation_growth > 0:
        dy, dx = settings.dilation
        return f"dilation {dy if dy == dx else f'{dy},{dx}'} with {_padding_words(settings)}", "use less dilation"
    return None


def check_budget(image_hw: tuple[int, int], per_plane_kernels: bool, settings: Settings, conv: Geometry,
                 pool: Geometry | None, limit: int | str | None = None) -> None:
    """Refuse a run whose arrays (:func:`run_parts`, :func:`peak_bytes`) need more than :func:`memory_limit` bytes.

    Raises
    ------
    ParameterError
        Naming the setting that makes the arrays large (and the largest of them), the
        memory needed, the budget and what to change.
    """
    budget = memory_limit(limit)
    parts = run_parts(image_hw, per_plane_kernels, settings, conv, pool)
    needed = peak_bytes(parts)
    if needed <= budget:
        return
    image, needs = f"a {shape_text(image_hw)} image", f"the run needs {size_text(needed)} as float32"
    over = f"more than the {size_text(budget)} memory budget"
    growth = _growth(settings, conv)
    if growth is None:
        raise ParameterError(f"{needs} for {image}, {over}; use a smaller image or working size (or raise {ENV_VAR}).")
    setting, fix = growth
    largest = max(parts, key=lambda part: part.n_bytes)
    raise ParameterError(f"{setting} on {image} makes a {shape_text(largest.shape)} {largest.name}: "
                         f"{needs}, {over}; {fix} (or raise {ENV_VAR}).")
