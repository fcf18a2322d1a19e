"""Decode a picture within a memory budget: plan from the header, then convert tile by tile.

Before anything is decoded, the memory the load needs is worked out from the
header (size and mode, :func:`_bytes_needed`) and a load that needs more than
:data:`MEMORY_BUDGET` is refused, naming the largest working size that fits.
A JPEG decodes straight at 1/2, 1/4 or 1/8 size when that is enough
(``Image.draft``); any other picture is decoded at its own depth (8 or 16 bits)
and converted to float32 a tile at a time, ``factor × factor`` blocks averaged
on the way (by Pillow, at the file's depth, transparency first composited on
white in 8 bits), so no full-size float32 copy is ever made when the image is
reduced; a Lanczos step then gives the exact working size. The public entry
points are in :mod:`convdemo.core.images`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from convdemo.core.errors import ImageLoadError
from convdemo.core.geometry import shape_text
from convdemo.core.safe_open import MIB, size_text

MIN_MAX_SIZE = 8
"""The smallest working size (longest side, pixels)."""


MEMORY_BUDGET = 768 * MIB
"""What loading one image may hold at once (see :func:`_bytes_needed`): the picture
as its decoder holds it, its float32 copy (at the reduced size when it is reduced)
and the Lanczos step's buffers.  It leaves room within 1 GiB for Python, numpy and a
run at the default working size.  With that working size every PNG, TIFF, JPEG, GIF
or BMP within Pillow's pixel limit fits (at most 0.5 GB), as do WebP pictures up to
about 50 megapixels, AVIF up to 67 and JPEG 2000 up to 33 (their decoders hold the
pixels several times); at full size a 9400×9400 RGBA picture (1.3 GB) does not."""

REDUCING_GAP = 2
"""Blocks are averaged only down to twice the working size, Lanczos does the rest
(Pillow's ``reducing_gap`` for thumbnails: the result looks like Lanczos all the way)."""

TILE_SIDE = 512
"""Pixels are converted to float32 in tiles of about this many rows and columns."""

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})

_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})

_ALPHA_MODES = frozenset({"LA", "La", "RGBA", "RGBa", "PA"})

_ONE_BYTE_MODES = frozenset({"1", "L", "P"})

_TWO_BYTE_MODES = _SIXTEEN_BIT_MODES - {"I"}

# Sizes in messages say what the file holds in words; other modes keep Pillow's name (RGB, RGBA, CMYK, ...).
_MODE_WORDS = {"1": "1-bit", "L": "grey", "LA": "grey with alpha", "P": "palette", "PA": "palette with alpha",
               "I": "32-bit grey", "F": "floating-point grey"} | dict.fromkeys(_TWO_BYTE_MODES, "16-bit grey")

# EXIF orientation 2-8: an upright (H, W) or (H, W, C) array seen as the file stores it, as a view (the
# inverse of ImageOps.exif_transpose), so that tiles are written straight to their upright place.
_AS_STORED: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1),
    6: lambda a: np.rot90(a, 1),
    7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
    8: lambda a: np.rot90(a, -1),
}

# Decoders that hold a picture's pixels several times at their peak (libwebp, OpenJPEG and libavif keep
# buffers of their own besides Pillow's; measured with Pillow 13); the others hold them once.
_DECODER_COPIES = {"WEBP": 4, "JPEG2000": 6, "AVIF": 3}

# What Pillow's own fuzz tests accept as "this file is broken" from a decoder.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, NotImplementedError, OverflowError)

@dataclass(frozen=True)
class _Plan:
    """How a picture reaches its working size, decided from its header before it is decoded.

    Attributes
    ----------
    factor : int
        ``factor × factor`` blocks are averaged while converting to float32 (1 = none).
    working : (int, int)
        ``(H, W)`` after the final Lanczos step, as stored (before EXIF orientation).
    """

    factor: int
    working: tuple[int, int]


def decode(stream: BinaryIO, name: str, max_side: int | None) -> tuple[np.ndarray, tuple[int, int], tuple[int, int]]:
    """Decode the first frame within :data:`MEMORY_BUDGET`: float32 0–255, upright, reduced by whole blocks.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
        Still larger than ``working`` when the image is reduced (:func:`lanczos`
        makes the last step).
    original_size : (int, int)
        ``(H, W)`` of the file as displayed (after EXIF orientation).
    working : (int, int)
        ``(H, W)`` to reach, upright.
    """
    try:
        # Pillow only warns between 1× and 2× its pixel limit; we refuse both.  catch_warnings
        # swaps a process-wide filter list, so two loads racing in threads could at worst let
        # one image between 1× and 2× the limit through with a warning.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as picture:
                size = _rows_cols(picture.size)
                _draft(picture, max_side)
                plan = _plan(picture, size, max_side, name)  # a turn does not change the memory needed
                picture.load()  # decode every byte now, so truncation is found here
                # Only now: a PNG's EXIF block may come after its pixels (getexif() would decode them).
                orientation = picture.getexif().get(ExifTags.Base.Orientation, 1)
                pixels = _to_float32(picture, plan.factor, orientation)
                return pixels, _upright(size, orientation), _upright(plan.working, orientation)
    except UnidentifiedImageError as exc:
        raise load_error(name, "it is not an image file that can be read") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise load_error(
            name,
            f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels, the safety limit "
            "against decompression bombs",
        ) from exc
    except MemoryError as exc:
        raise load_error(name, "it is too large to fit in memory") from exc
    except _DECODE_ERRORS as exc:
        raise load_error(name, "the file is truncated or damaged") from exc


def _rows_cols(size: tuple[int, int]) -> tuple[int, int]:
    """Pillow's ``(W, H)`` as ``(H, W)``, rows first like every shape in the lab."""
    return size[1], size[0]


def _upright(shape: tuple[int, int], orientation: int) -> tuple[int, int]:
    """``(H, W)`` once EXIF ``orientation`` is applied: 5 to 8 turn the picture a quarter."""
    return (shape[1], shape[0]) if orientation in (5, 6, 7, 8) else shape


def _draft(picture: Image.Image, max_side: int | None) -> None:
    """Let a JPEG decode straight at 1/2, 1/4 or 1/8 size when that is still at least ``max_side``.

    A 12-megapixel photo then decodes about four times faster; :func:`lanczos`
    still makes the final step to the exact size.  Other formats ignore it.
    """
    width, height = picture.size
    if max_side is None or max(width, height) <= max_side:
        return
    scale = max_side / max(width, height)
    picture.draft(picture.mode, (math.ceil(width * scale), math.ceil(height * scale)))


def _plan(picture: Image.Image, size: tuple[int, int], max_side: int | None, name: str) -> _Plan:
    """Choose the block factor from the header alone, or refuse a load that would not fit :data:`MEMORY_BUDGET`.

    The factor is the smallest in :func:`_factor_range` whose load fits the budget.

    Parameters
    ----------
    picture : PIL.Image.Image
        Opened, not decoded (after :func:`_draft`).
    size : (int, int)
        ``(H, W)`` as stored, before any reduction (and before the draft).
    max_side : int or None
    name : str
        For the message.
    """
    target = _resize_target(size, max_side)
    factor = _smallest_fitting(*_factor_range(picture, target),
                               lambda f: _bytes_needed(picture, f, target) <= MEMORY_BUDGET)
    if factor is None:
        raise load_error(name, _too_large(picture, size, target))
    return _Plan(factor, target or size)


def _resize_target(size: tuple[int, int], max_side: int | None) -> tuple[int, int] | None:
    """``size`` (H, W) with the longest side ``max_side``, keeping the aspect ratio; None when it is not larger."""
    height, width = size
    if max_side is None or max(height, width) <= max_side:
        return None
    scale = max_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def _factor_range(picture: Image.Image, target: tuple[int, int] | None) -> tuple[int, int]:
    """The block factors worth trying, best quality first.

    From Pillow's ``reducing_gap`` rule (blocks down to :data:`REDUCING_GAP` ×
    the working size) to the factor that lands just above the working size.
    """
    if target is None:
        return 1, 1
    longest = max(picture.size)
    return max(1, longest // (REDUCING_GAP * max(target))), max(1, longest // max(target))


def _bytes_needed(picture: Image.Image, factor: int, target: tuple[int, int] | None) -> int:
    """Memory a load holds at its peak: the decoded picture, its float32 copy reduced by ``factor``, Lanczos buffers.

    Pillow keeps 1 byte a pixel for 1-bit, grey and palette pictures, 2 for
    16-bit grey and 4 for everything else (RGB included), whatever the file's
    bit depth (a 16-bit RGBA PNG decodes to 8-bit RGBA); some decoders hold
    that several times (:data:`_DECODER_COPIES`).
    """
    width, height = picture.size
    channels = 1 if picture.mode in _GREY_MODES else 3
    depth = 1 if picture.mode in _ONE_BYTE_MODES else 2 if picture.mode in _TWO_BYTE_MODES else 4
    reduced_pixels = -(-width // factor) * -(-height // factor)
    needed = width * height * depth * _DECODER_COPIES.get(picture.format or "", 1) + reduced_pixels * channels * 4
    if target is not None:  # the Lanczos step: one plane in, Pillow's copy of it, the result
        needed += 2 * reduced_pixels * 4 + math.prod(target) * channels * 4
    return needed


def _smallest_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int | None:
    """The smallest ``n`` in ``low..high`` with ``fits(n)``, for ``fits`` false then true as ``n`` grows; or None."""
    if not fits(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _too_large(picture: Image.Image, size: tuple[int, int], target: tuple[int, int] | None) -> str:
    """Why a load does not fit :data:`MEMORY_BUDGET`, and the largest working size that would.

    The sizes are as stored: a photo's EXIF orientation is not read before it is decoded.
    """

    def needs(side: int) -> int:
        at_side = _resize_target(size, side)
        return _bytes_needed(picture, _factor_range(picture, at_side)[1], at_side)

    side = max(target or size)
    what = f"it is {shape_text(size)} {_MODE_WORDS.get(picture.mode, picture.mode)}"
    at = "at full size" if target is None else f"at a working size of {side} pixels"
    problem = (f"{what} and needs {size_text(needs(side))} of memory {at}, "
               f"more than the {size_text(MEMORY_BUDGET)} one image may use")
    too_big = _smallest_fitting(MIN_MAX_SIZE, side, lambda s: needs(s) > MEMORY_BUDGET)
    if too_big is not None and too_big > MIN_MAX_SIZE:
        return f"{problem}; choose a working size of {too_big - 1} pixels or less (--max-size {too_big - 1})"
    copies = _DECODER_COPIES.get(picture.format or "")
    if copies:
        return (f"{problem}, even reduced: Pillow's {picture.format} decoder holds the pixels {copies} times over, "
                "so save it as PNG first")
    return f"{problem}, even reduced"


def _to_float32(picture: Image.Image, factor: int, orientation: int) -> np.ndarray:
    """Convert a decoded picture to upright float32 0–255 a tile at a time, averaging ``factor × factor`` blocks.

    Each tile is brought to a mode that keeps the file's depth (:func:`_reducible`);
    when blocks are averaged, Pillow does it there, after compositing any
    transparency on white (:func:`_on_white_8bit`).  Only then is the tile
    converted to float32 (:func:`_tile_values`) and written straight to its
    upright place.  The blocks at the right and bottom edges may be smaller.
    Floating-point pictures are stretched at the end, with the extremes of every pixel.

    Parameters
    ----------
    picture : PIL.Image.Image
        Loaded, as stored.
    factor : int
    orientation : int
        The EXIF orientation (1 = as stored).

    Returns
    -------
    ndarray of shape (H, W) or (H, W, 3), float32
        ``(H, W)`` is the upright size divided by ``factor``, rounded up.
    """
    width, height = picture.size
    shape = _upright((-(-height // factor), -(-width // factor)), orientation)
    out = np.empty(shape if picture.mode in _GREY_MODES else (*shape, 3), dtype=np.float32)
    stored = _AS_STORED[orientation](out) if orientation in _AS_STORED else out
    low, high = math.inf, -math.inf
    step = factor * max(1, TILE_SIDE // factor)
    for top in range(0, height, step):
        for left in range(0, width, step):
            tile = _reducible(picture.crop((left, top, min(left + step, width), min(top + step, height))))
            if tile.mode == "F":
                tile_low, tile_high = cast("tuple[float, float]", tile.getextrema())  # one band: (min, max)
                low, high = min(low, tile_low), max(high, tile_high)
            block = _tile_values(_on_white_8bit(tile).reduce(factor) if factor > 1 else tile)
            row, col = top // factor, left // factor
            stored[row : row + block.shape[0], col : col + block.shape[1]] = block
    if picture.mode == "F":
        _stretch_to_255(out, low, high)
    return out


def _reducible(tile: Image.Image) -> Image.Image:
    """A tile in the mode whose block averages keep the module's conversion rules, at the file's depth.

    Returns
    -------
    PIL.Image.Image
        'L' or 'RGB'; 'LA' or 'RGBA' for any transparency; 'I' clipped to
        0–65535 for 16- and 32-bit grey; 'F' with NaN and ±inf made 0.
    """
    mode = tile.mode
    if mode in _TWO_BYTE_MODES:
        return tile.convert("I")
    if mode == "I":
        return Image.fromarray(np.clip(np.asarray(tile), 0, 65535).astype(np.int32))
    if mode == "F":
        values = np.asarray(tile)
        return Image.fromarray(np.where(np.isfinite(values), values, np.float32(0)).astype(np.float32))
    if mode in _ALPHA_MODES or (mode == "P" and "transparency" in tile.info):
        target = "LA" if mode in _GREY_MODES else "RGBA"
    else:
        target = "L" if mode in _GREY_MODES else "RGB"
    return tile if mode == target else tile.convert(target)


def _on_white_8bit(tile: Image.Image) -> Image.Image:
    """An 'LA' or 'RGBA' tile composited on white in 8 bits, rounded once: 'L' or 'RGB'; other tiles as they are.

    Averaging these blocks averages the composited pixels, within 1 of the
    exact float result (averaging premultiplied 8-bit colour, as Pillow's
    ``reduce`` does for RGBA, is up to 2 off where alpha is low).
    """
    if tile.mode not in ("LA", "RGBA"):
        return tile
    composited = Image.new(tile.mode[:-1], tile.size, "white")
    composited.paste(tile.convert(tile.mode[:-1]), mask=tile.getchannel("A"))
    return composited


def _tile_values(tile: Image.Image) -> np.ndarray:
    """A tile from :func:`_reducible` as float values: 0–255, or a floating-point tile's own values.

    Returns
    -------
    ndarray of shape (h, w) or (h, w, 3), float32 or float64
    """
    if tile.mode == "I":
        return np.asarray(tile, dtype=np.float64) * (255 / 65535)
    if tile.mode == "F":
        return np.asarray(tile, dtype=np.float64)
    if tile.mode in _ALPHA_MODES:
        return _on_white(np.asarray(tile, dtype=np.float32))
    return np.asarray(tile, dtype=np.float32)


def _on_white(values_with_alpha: np.ndarray) -> np.ndarray:
    """Composite colour-plus-alpha values (last axis) on white: ``c·a + 255·(1 − a)``, a in 0–1.

    Parameters
    ----------
    values_with_alpha : ndarray of shape (H, W, 2) or (H, W, 4), float32

    Returns
    -------
    ndarray of shape (H, W) or (H, W, 3), float32
    """
    colour, alpha = values_with_alpha[..., :-1], values_with_alpha[..., -1:] / 255
    out = 255 + (colour - 255) * alpha
    return out[..., 0] if out.shape[-1] == 1 else out


def _stretch_to_255(values: np.ndarray, low: float, high: float) -> None:
    """Bring a floating-point (``F`` mode) image into 0–255, in place, given the file's extremes.

    Values already within 0–255 are kept exactly.  Any other range is mapped
    linearly so the smallest value becomes 0 and the largest 255 (a constant
    image outside the range is clipped instead).  NaN and ±inf were already
    made 0 (:func:`_reducible`).

    Parameters
    ----------
    values : ndarray of shape (H, W), float32
    low, high : float
        The smallest and largest finite value of the file, before any reduction.
    """
    if (low >= 0 and high <= 255) or low == high:
        np.clip(values, 0, 255, out=values)
        return
    band = max(1, (1 << 16) // values.shape[1])
    for top in range(0, values.shape[0], band):  # float64 arithmetic, one band of rows at a time
        values[top : top + band] = (values[top : top + band].astype(np.float64) - low) * (255 / (high - low))


def lanczos(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resample to ``size`` (H, W) with Pillow's Lanczos filter, plane by plane, clipped to 0–255.

    The filter widens its support when shrinking, so fine detail is averaged,
    not aliased; Lanczos can overshoot at sharp edges, hence the clipping.

    Parameters
    ----------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
        Returned as it is when it already has ``size``.
    size : (int, int)

    Returns
    -------
    ndarray of shape ``size`` or (*size, 3), float32
    """
    if pixels.shape[:2] == size:
        return pixels
    out = np.empty(size + pixels.shape[2:], dtype=np.float32)
    planes = out[..., np.newaxis] if out.ndim == 2 else out
    for c in range(planes.shape[2]):
        plane = np.ascontiguousarray(pixels if pixels.ndim == 2 else pixels[..., c])
        planes[..., c] = np.asarray(Image.fromarray(plane).resize(size[::-1], Image.Resampling.LANCZOS))
    return np.clip(out, 0, 255, out=out)


def load_error(name: str, reason: str) -> ImageLoadError:
    """The one error type of image loading: ``Cannot open 'name': reason.``"""
    return ImageLoadError(f"Cannot open '{name}': {reason}.")

