"""A folder of the user's own photos, one sub-folder per class (``handbags/``, ``shoes/``, ...)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from convdemo.core.errors import DataError, ImageLoadError
from convdemo.core.images import load_image, to_gray
from convdemo.core.nn.data import Dataset, check_classes

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
FIRST_REDUCTION = 256
"""Photos are first loaded at this working size (longest side) to keep loading quick."""


def load_image_folder(folder: str | os.PathLike, *, size: tuple[int, int] = (28, 28),
                      color: bool = False) -> Dataset:
    """Load every photo under ``folder/<class name>/`` as a small square image.

    Each photo is cropped to its central square and resized to ``size``.
    Files whose suffix is not an image type (and hidden files) are skipped.

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
        No class sub-folders, an empty class folder, a single class, or a
        photo that cannot be read (the message names it).
    """
    folder = Path(folder)
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataError(f"{folder} has no class sub-folders; put each class's photos in its own folder "
                        "(for example shoes/ and handbags/).")
    images, labels = [], []
    for label, class_folder in enumerate(classes):
        files = sorted(p for p in class_folder.iterdir()
                       if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file())
        if not files:
            raise DataError(f"The class folder {class_folder} contains no images.")
        for file in files:
            images.append(_small_square(file, size, color))
            labels.append(label)
    dataset = Dataset(np.stack(images), np.array(labels, np.int64), tuple(p.name for p in classes), str(folder))
    return check_classes(dataset, str(folder))


def _small_square(file: Path, size: tuple[int, int], color: bool) -> np.ndarray:
    """One photo, central square, resized: (H, W, C) float32 in 0–1."""
    try:
        pixels = load_image(file, max_size=FIRST_REDUCTION)
    except ImageLoadError as err:
        raise DataError(str(err)) from None
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
