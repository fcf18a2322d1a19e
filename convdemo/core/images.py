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
  maximum 255 (see :func:`_stretch_to_255`).

Large photos are reduced to a *working resolution* (longest side 1024 px by
default) so that convolving stays interactive; :class:`LoadedImage` remembers
the original size so the window can say which size is being convolved.

Memory stays bounded whatever the file claims:

- only regular files of at most :data:`MAX_FILE_BYTES` are opened (a named
  pipe, a device or a folder is refused at once, see :mod:`convdemo.core.safe_open`);
- before anything is decoded, the memory the load needs is planned from the
  header and the picture is reduced tile by tile before it becomes float32
  (:mod:`convdemo.core.decoding`).

Every problem with the file raises :class:`~convdemo.core.errors.ImageLoadError`
whose message is one sentence naming the file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from convdemo.core.decoding import MIN_MAX_SIZE, decode, lanczos, load_error
from convdemo.core.errors import ConvdemoError, ParameterError
from convdemo.core.fileio import atomic_write
from convdemo.core.geometry import shape_text
from convdemo.core.safe_open import GIB, open_regular_as

ImageSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO

DEFAULT_MAX_SIZE = 1024
CLIPBOARD_NAME = "<clipboard>"
MAX_FILE_BYTES = GIB
"""The largest image file opened: more than any file within Pillow's pixel limit
needs, even an uncompressed 16-bit RGBA one (89 megapixels × 8 bytes = 716 MB)."""

#: ITU-R 601-2 luma weights for R, G and B.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])
LUMA_WEIGHTS.setflags(write=False)


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
        """One line describing the input: the file's size as a photo viewer writes it (W×H px)
        and as rows×cols like every other shape in the lab, then what is convolved.

        Returns
        -------
        str
            ``"photo.jpg — 4000×3000 px (3000×4000 rows×cols), convolving 768×1024"`` for a
            reduced photo, ``"digit3.png — 28×28 px, full size"`` otherwise (a square needs
            no second spelling).
        """
        rows, cols = self.original_size
        as_shape = "" if rows == cols else f" ({shape_text(self.original_size)} rows×cols)"
        original = f"{self.name} — {cols}×{rows} px{as_shape}"
        if self.reduced:
            return f"{original}, convolving {shape_text(self.size)}"
        return f"{original}, full size"


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
        The file is missing, not a regular file (a folder, a named pipe, a
        device), empty, larger than :data:`MAX_FILE_BYTES`, not an image,
        damaged, larger than Pillow's decompression-bomb limit
        (``Image.MAX_IMAGE_PIXELS``), or too large to load at this working size
        within :data:`MEMORY_BUDGET` (the message names the largest that fits).
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
        pixels, original_size, working = decode(stream, name, limit)
    return LoadedImage(pixels=lanczos(pixels, working), original_size=original_size, name=name)


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
            raise load_error(name, "it is empty")
        yield io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)):
        with _open_file(Path(source), name) as f:
            yield f
    else:
        yield source


def _open_file(path: Path, name: str) -> BinaryIO:
    """Open a regular, non-empty file of at most :data:`MAX_FILE_BYTES`, or raise an ImageLoadError.

    A named pipe, a device (even behind a link called ``x.png``) or a folder is
    refused without waiting for it; see :func:`~convdemo.core.safe_open.open_regular`.
    """
    f = open_regular_as(path, max_bytes=MAX_FILE_BYTES, kind="picture", fail=lambda problem: load_error(name, problem))
    if os.fstat(f.fileno()).st_size == 0:
        f.close()
        raise load_error(name, "the file is empty")
    return f


