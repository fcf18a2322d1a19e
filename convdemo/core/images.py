"""Load and save images as float32 arrays with values 0–255 (Pillow, no Qt).

Every image the lab works on is an ``ndarray`` of shape ``(H, W)`` (grey) or
``(H, W, 3)`` (colour), dtype float32, values 0–255, rows first.  Whatever the
file holds is brought to that form on load:

- EXIF orientation is applied, so the array looks the way photo viewers show it;
- animated files (GIF, APNG, WebP, ...) give their first frame;
- transparency (LA, RGBA, PA, palette transparency) is composited on white;
- palette and CMYK images become RGB; 1-bit images become 0/255;
- 16-bit images (``I;16``, ``I;16B``, ``I``) are scaled by 255/65535;
- floating-point images (``F``) are kept as they are when every value lies in
  0–255, otherwise stretched linearly so their minimum becomes 0 and their
  maximum 255 (see :func:`_float_to_255`).

Large photos are reduced to a *working resolution* (longest side 1024 px by
default) so that convolving stays interactive; :class:`LoadedImage` remembers
the original size so the window can say which size is being convolved.

Every problem with the file raises :class:`~convdemo.core.errors.ImageLoadError`
whose message is one sentence naming the file.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from convdemo.core.errors import ConvdemoError, ImageLoadError, ParameterError
from convdemo.core.fileio import atomic_write
from convdemo.core.geometry import shape_text

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO

DEFAULT_MAX_SIZE = 1024
MIN_MAX_SIZE = 8
CLIPBOARD_NAME = "<clipboard>"

#: ITU-R 601-2 luma weights for R, G and B.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])
LUMA_WEIGHTS.setflags(write=False)

_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
_SIXTEEN_BIT_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})
_ALPHA_MODES = frozenset({"LA", "La", "RGBA", "RGBa", "PA"})
# What Pillow's own fuzz tests accept as "this file is broken" from a decoder.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, NotImplementedError, OverflowError)


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for convolving, with where it came from.

    Attributes
    ----------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
        Values 0–255 at the working resolution.
    original_size : (int, int)
        ``(H, W)`` of the file (after EXIF orientation), before any reduction.
    name : str
        The file name, or ``"<clipboard>"`` for data without one.
    """

    pixels: np.ndarray
    original_size: tuple[int, int]
    name: str

    @property
    def size(self) -> tuple[int, int]:
        """``(H, W)`` being convolved."""
        return self.pixels.shape[0], self.pixels.shape[1]

    @property
    def reduced(self) -> bool:
        """True when the working resolution is smaller than the file."""
        return self.size != self.original_size

    def describe(self) -> str:
        """One line for the window, sizes as rows×columns like every shape in the lab.

        Returns
        -------
        str
            ``"cat.jpg — 3024×4032, convolving 768×1024"`` for a reduced photo,
            ``"digit3.png — 28×28 (full size)"`` otherwise.
        """
        original = shape_text(self.original_size)
        if self.reduced:
            return f"{self.name} — {original}, convolving {shape_text(self.size)}"
        return f"{self.name} — {original} (full size)"


def load_image(source: ImageSource, *, max_size: int | str | None = DEFAULT_MAX_SIZE) -> np.ndarray:
    """Load an image file as a float32 array with values 0–255.

    Parameters
    ----------
    source : path-like, bytes or binary file object
        The image file, its content, or an open binary file.
    max_size : int, "full" or None, optional
        Longest side of the working resolution in pixels (at least 8); larger
        images are reduced with a Lanczos filter, keeping the aspect ratio.
        ``"full"`` or None keeps the file's size.

    Returns
    -------
    ndarray of shape (H, W) or (H, W, 3), float32
        Grey for grey files, RGB for everything else; see the module docstring
        for how each kind of file is converted.

    Raises
    ------
    ImageLoadError
        The file is missing, a folder, empty, not an image, damaged, or larger
        than Pillow's decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``).
    ParameterError
        ``max_size`` is not a whole number ≥ 8, "full" or None.
    """
    return read_image(source, max_size=max_size).pixels


def read_image(source: ImageSource, *, max_size: int | str | None = DEFAULT_MAX_SIZE) -> LoadedImage:
    """Load an image file together with its name and original size.

    Parameters and errors are those of :func:`load_image`.

    Returns
    -------
    LoadedImage
        ``pixels`` of shape (H, W) or (H, W, 3), the original ``(H, W)`` and the
        file name.
    """
    limit = _max_side(max_size)
    name = _source_name(source)
    with _open_stream(source, name) as stream:
        pixels, original_size = _decode(stream, name, limit)
    return LoadedImage(pixels=_reduce(pixels, limit), original_size=original_size, name=name)


def to_gray(image: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B``, in float without rounding.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3)
        A grey image is returned as float32 unchanged.

    Returns
    -------
    ndarray of shape (H, W), float32
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image.astype(np.float32, copy=False)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ParameterError(f"An image must have shape (H, W) or (H, W, 3), not {image.shape}.")
    # float64 products rounded once to float32, a cache-sized band of rows at a time
    # (no float64 copy of a whole photo).
    gray = np.empty(image.shape[:2], dtype=np.float32)
    band = max(1, (1 << 16) // image.shape[1])
    for top in range(0, image.shape[0], band):
        np.matmul(image[top : top + band], LUMA_WEIGHTS, out=gray[top : top + band])
    return gray


def save_png(path: str | os.PathLike, array_uint8: np.ndarray) -> Path:
    """Save a uint8 image as PNG, atomically (a half-written file never replaces the old one).

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist.
    array_uint8 : ndarray of shape (H, W) or (H, W, 3), uint8

    Returns
    -------
    Path
        The destination path.

    Raises
    ------
    ParameterError
        The array is not uint8 of shape (H, W) or (H, W, 3).
    ConvdemoError
        The file cannot be written (missing folder, no permission, disk full).
    """
    array = np.asarray(array_uint8)
    if array.dtype != np.uint8 or not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)):
        raise ParameterError(
            f"A PNG is saved from a uint8 array of shape (H, W) or (H, W, 3), "
            f"not {array.dtype} of shape {array.shape}."
        )
    picture = Image.fromarray(np.ascontiguousarray(array))
    try:
        return atomic_write(path, lambda f: picture.save(f, format="PNG"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConvdemoError(f"Cannot save '{Path(path).name}': {reason.lower()}.") from exc


def parse_max_size(text: str) -> int | None:
    """Read a working-resolution limit as typed by the user.

    Parameters
    ----------
    text : str
        A whole number of pixels (at least 8), or ``"full"`` for no limit.

    Returns
    -------
    int or None
        The longest side in pixels, or None for "full".

    Raises
    ------
    ParameterError
        For anything else, with the accepted forms in the message.
    """
    cleaned = str(text).strip()
    if cleaned.lower() == "full":
        return None
    if not cleaned.isdecimal() or int(cleaned) < MIN_MAX_SIZE:
        raise _max_size_error(f"'{text}'")
    return int(cleaned)


def _max_side(max_size: int | str | None) -> int | None:
    """Validate the ``max_size`` argument: int ≥ 8, text for :func:`parse_max_size`, or None."""
    if max_size is None:
        return None
    if isinstance(max_size, str):
        return parse_max_size(max_size)
    if isinstance(max_size, (int, np.integer)) and not isinstance(max_size, bool) and max_size >= MIN_MAX_SIZE:
        return int(max_size)
    raise _max_size_error(repr(max_size))


def _max_size_error(shown: str) -> ParameterError:
    return ParameterError(
        f"Invalid maximum size {shown}: give a whole number of pixels (at least {MIN_MAX_SIZE}) or 'full'."
    )


def _source_name(source: ImageSource) -> str:
    """The file name to show for ``source``."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name or str(source)
    file_name = getattr(source, "name", None)
    if isinstance(file_name, str) and file_name:
        return Path(file_name).name
    return CLIPBOARD_NAME


@contextmanager
def _open_stream(source: ImageSource, name: str) -> Iterator[BinaryIO]:
    """Give a binary stream for any source, closing the file if it opened one."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise _error(name, "it is empty")
        yield io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)):
        with _open_file(Path(source), name) as f:
            yield f
    else:
        yield source


def _open_file(path: Path, name: str) -> BinaryIO:
    """Open ``path`` for reading, turning every file-system problem into an ImageLoadError."""
    if path.is_dir():
        raise _error(name, "it is a folder, not an image file")
    try:
        f = open(path, "rb")  # noqa: SIM115 - returned open, the caller closes it
    except FileNotFoundError as exc:
        raise _error(name, "the file does not exist") from exc
    except PermissionError as exc:
        raise _error(name, "permission denied") from exc
    except OSError as exc:
        raise _error(name, (exc.strerror or str(exc)).lower()) from exc
    if os.fstat(f.fileno()).st_size == 0:
        f.close()
        raise _error(name, "the file is empty")
    return f


def _decode(stream: BinaryIO, name: str, max_side: int | None) -> tuple[np.ndarray, tuple[int, int]]:
    """Fully decode the first frame, upright, as float32 0–255.

    Returns
    -------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
        A JPEG may come back already shrunk part of the way to ``max_side``
        (see :func:`_draft`); other files come back at full size.
    original_size : (int, int)
        ``(H, W)`` of the file as displayed (after EXIF orientation).
    """
    try:
        # Pillow only warns between 1× and 2× its pixel limit; we refuse both.  catch_warnings
        # swaps a process-wide filter list, so two loads racing in threads could at worst let
        # one image between 1× and 2× the limit through with a printed warning.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as picture:
                original_size = _upright_size(picture)
                _draft(picture, max_side)
                picture.load()  # decode every byte now, so truncation is found here
                return _to_array(ImageOps.exif_transpose(picture)), original_size
    except UnidentifiedImageError as exc:
        raise _error(name, "it is not an image file that can be read") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _error(
            name,
            f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels, the safety limit "
            "against decompression bombs",
        ) from exc
    except MemoryError as exc:
        raise _error(name, "it is too large to fit in memory") from exc
    except _DECODE_ERRORS as exc:
        raise _error(name, "the file is truncated or damaged") from exc


def _upright_size(picture: Image.Image) -> tuple[int, int]:
    """``(H, W)`` the picture will have once its EXIF orientation is applied."""
    width, height = picture.size
    quarter_turn = picture.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
    return (width, height) if quarter_turn else (height, width)


def _draft(picture: Image.Image, max_side: int | None) -> None:
    """Let a JPEG decode straight at 1/2, 1/4 or 1/8 size when that is still at least ``max_side``.

    A 12-megapixel photo then decodes about four times faster; :func:`_reduce`
    still makes the final Lanczos step to the exact size.  Other formats ignore it.
    """
    width, height = picture.size
    if max_side is None or max(width, height) <= max_side:
        return
    scale = max_side / max(width, height)
    picture.draft(picture.mode, (math.ceil(width * scale), math.ceil(height * scale)))


def _to_array(picture: Image.Image) -> np.ndarray:
    """Convert a loaded Pillow image of any mode to float32 0–255, (H, W) or (H, W, 3)."""
    mode = picture.mode
    if mode in _SIXTEEN_BIT_MODES:
        values = np.asarray(picture).astype(np.float64)
        return (np.clip(values, 0, 65535) * (255 / 65535)).astype(np.float32)
    if mode == "F":
        return _float_to_255(np.asarray(picture))
    if mode in _ALPHA_MODES:
        target = "LA" if mode in _GREY_MODES else "RGBA"
        return _on_white(np.asarray(picture.convert(target), dtype=np.float32))
    if mode == "P" and "transparency" in picture.info:
        return _on_white(np.asarray(picture.convert("RGBA"), dtype=np.float32))
    target = "L" if mode in _GREY_MODES else "RGB"
    return np.asarray(picture.convert(target), dtype=np.float32)


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


def _float_to_255(values: np.ndarray) -> np.ndarray:
    """Bring a floating-point (``F`` mode) image into 0–255.

    Values already within 0–255 are kept exactly.  Any other range is mapped
    linearly so the smallest value becomes 0 and the largest 255 (a constant
    image outside the range is clipped instead).  NaN and ±inf become 0.

    Parameters
    ----------
    values : ndarray of shape (H, W)

    Returns
    -------
    ndarray of shape (H, W), float32
    """
    values = np.where(np.isfinite(values), values, 0).astype(np.float64)
    low, high = values.min(), values.max()
    if (low >= 0 and high <= 255) or low == high:
        return np.clip(values, 0, 255).astype(np.float32)
    return ((values - low) * (255 / (high - low))).astype(np.float32)


def _reduce(pixels: np.ndarray, max_side: int | None) -> np.ndarray:
    """Shrink so the longest side is at most ``max_side``, keeping the aspect ratio.

    Each plane is resampled in float with Pillow's Lanczos filter (which widens
    its support when shrinking, so fine detail is averaged, not aliased), then
    clipped back to 0–255 because Lanczos can overshoot at sharp edges.

    Parameters
    ----------
    pixels : ndarray of shape (H, W) or (H, W, 3), float32
    max_side : int or None
        None keeps the array as it is.

    Returns
    -------
    ndarray of shape (H', W') or (H', W', 3), float32
    """
    height, width = pixels.shape[:2]
    if max_side is None or max(height, width) <= max_side:
        return pixels
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # Pillow wants (W, H)
    planes = pixels[..., np.newaxis] if pixels.ndim == 2 else pixels
    resized = [
        np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c])).resize(size, Image.Resampling.LANCZOS))
        for c in range(planes.shape[2])
    ]
    out = np.clip(np.stack(resized, axis=-1), 0, 255).astype(np.float32)
    return out[..., 0] if pixels.ndim == 2 else out


def _error(name: str, reason: str) -> ImageLoadError:
    return ImageLoadError(f"Cannot open '{name}': {reason}.")
