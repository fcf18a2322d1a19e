"""A folder of the user's own photos, one sub-folder per class (``handbags/``, ``shoes/``, ...).

Every entry named like a photo is read through :func:`convdemo.core.images.load_image`,
which opens only regular files: a named pipe, a link to a device or a folder called
``x.png`` stops loading with a sentence naming it, as an unreadable photo does. The
folder may hold at most :data:`MAX_PHOTOS` photos, and their images at most
:data:`MAX_DATASET_BYTES` as float32; both are checked before any photo is decoded.
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import numpy as np
from PIL import Image

from convdemo.core.errors import DataError, ImageLoadError
from convdemo.core.geometry import shape_text
from convdemo.core.images import load_image, to_gray
from convdemo.core.nn.data import Dataset, check_classes
from convdemo.core.safe_open import GIB, size_text

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
FIRST_REDUCTION = 256
"""Photos are first loaded at this working size (longest side) to keep loading quick."""
MAX_PHOTOS = 100_000
"""The most photos a folder may hold, all classes together."""
MAX_DATASET_BYTES = GIB
"""The most the loaded images may take as float32 (100,000 colour photos of 28×28 take 897 MB)."""


def load_image_folder(folder: str | os.PathLike, *, size: tuple[int, int] = (28, 28),
                      color: bool = False) -> Dataset:
    """Load every photo under ``folder/<class name>/`` as a small square image.

    Each photo is cropped to its central square and resized to ``size``.
    Entries whose suffix is not an image type (and hidden ones) are skipped;
    every other entry must be a readable image file.

    Parameters
    ----------
    folder : path-like
    size : (H, W)
    color : bool
        RGB (C = 3) when True, grey luma (C = 1) otherwise.

    Returns
    -------
    Dataset
        x of shape (N, H, W, C), values 0–1; class names are the sub-folder
        names in sorted order.

    Raises
    ------
    DataError
        No class sub-folders, an empty class folder, a single class, more
        than :data:`MAX_PHOTOS` photos or more than :data:`MAX_DATASET_BYTES`
        of images, or a photo that cannot be read (the message names it).
    """
    folder = Path(folder)
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{folder} has no class sub-folders; put each class's photos in its own folder "
                        "(for example shoes/ and handbags/).")
    files = _photo_files(folder, classes)
    x = np.empty(_checked_shape(folder, len(files), size, color), np.float32)
    for i, (_, file) in enumerate(files):
        x[i] = _small_square(file, size, color)
    labels = np.array([label for label, _ in files], np.int64)
    return check_classes(Dataset(x, labels, tuple(p.name for p in classes), str(folder)), str(folder))


def _photo_files(folder: Path, classes: list[Path]) -> list[tuple[int, Path]]:
    """``(label, file)`` of every entry named like a photo, class by class, in name order.

    Raises
    ------
    DataError
        A class folder without photos, or more than :data:`MAX_PHOTOS` in all
        (the listing stops there, however many entries a folder has).
    """
    found: list[tuple[int, Path]] = []
    for label, class_folder in enumerate(classes):
        photos = (p for p in class_folder.iterdir()
                  if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
        files = sorted(itertools.islice(photos, MAX_PHOTOS + 1 - len(found)))
        if not files:
            raise DataError(f"The class folder {class_folder} contains no images.")
        found += [(label, file) for file in files]
        if len(found) > MAX_PHOTOS:
            raise DataError(f"{folder} holds more than {MAX_PHOTOS:,} photos, more than a data set may have.")
    return found


def _checked_shape(folder: Path, n_photos: int, size: tuple[int, int], color: bool) -> tuple[int, int, int, int]:
    """(N, H, W, C) of the loaded images, refused if they take more than :data:`MAX_DATASET_BYTES`."""
    shape = (n_photos, size[0], size[1], 3 if color else 1)
    n_bytes = math.prod(shape) * np.dtype(np.float32).itemsize
    if n_bytes > MAX_DATASET_BYTES:
        raise DataError(f"{folder} holds {n_photos:,} photos, which take {size_text(n_bytes)} as "
                        f"{shape_text(shape[1:])} float32 images, more than the {size_text(MAX_DATASET_BYTES)} "
                        "a data set may take.")
    return shape


def _small_square(file: Path, size: tuple[int, int], color: bool) -> np.ndarray:
    """One photo, central square, resized: (H, W, C) float32 in 0–1."""
    try:
        pixels = load_image(file, max_size=FIRST_REDUCTION)
    except ImageLoadError as err:
        raise DataError(f"{str(err).rstrip('.')} (in {file.parent}).") from None
    if not color:
        pixels = to_gray(pixels)
    elif pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    h, w = pixels.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    square = np.clip(pixels[top:top + side, left:left + side], 0, 255).round().astype(np.uint8)
    small = Image.fromarray(square).resize((size[1], size[0]), Image.Resampling.LANCZOS)
    out = np.asarray(small, np.float32) / 255.0
    return out.reshape(size[0], size[1], 3 if color else 1)
