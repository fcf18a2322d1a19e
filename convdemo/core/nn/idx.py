"""IDX files, the format of MNIST and Fashion-MNIST (plain or ``.gz``).

Layout: two zero bytes, a type byte, the number of dimensions ``d``, then
``d`` big-endian uint32 sizes and the values in row-major order. A folder
holds pairs like ``train-images-idx3-ubyte(.gz)`` / ``train-labels-idx1-ubyte(.gz)``
and optionally ``t10k-images...`` / ``t10k-labels...`` for the test split.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import numpy as np

from convdemo.core.errors import DataError
from convdemo.core.nn.data import Dataset, check_classes

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_NAME = re.compile(r"^(?P<split>.+?)[-_.](?P<kind>images|labels)[-_.]idx(?P<dims>\d)[-_.]ubyte(?:\.gz)?$")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file.

    Parameters
    ----------
    path : path-like
        ``.gz`` files are decompressed on the fly.

    Returns
    -------
    ndarray
        Shape and dtype as the header says (native byte order).

    Raises
    ------
    DataError
        Unreadable file, wrong magic number, unknown type, or a size that
        does not match the header; the message names the file.
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"Cannot read the IDX file {path}: {getattr(err, 'strerror', None) or err}.") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise DataError(f"{path} is not an IDX file (wrong magic number {raw[:4].hex() or 'none'}).")
    dims = raw[3]
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DataError(f"{path} is truncated: its header is incomplete.")
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", count=dims, offset=4))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(f"{path} holds {len(raw)} bytes but its header {shape} needs {expected}.")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _pair(images_path: Path, labels_path: Path) -> Dataset:
    """Images and labels of one split as a Dataset (classes named by label value)."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[3] not in (1, 3)):
        raise DataError(f"{images_path} should hold unsigned-byte images of shape (N, H, W) or (N, H, W, C), "
                        f"not {images.dtype} of shape {images.shape}.")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DataError(f"{labels_path} should hold one integer label per image, not shape {labels.shape}.")
    if len(labels) != len(images):
        raise DataError(f"{labels_path} has {len(labels)} labels but {images_path} has {len(images)} images.")
    x = images.astype(np.float32) / 255.0
    x = x[..., None] if x.ndim == 3 else x
    values, y = np.unique(labels, return_inverse=True)
    return check_classes(Dataset(x, y.astype(np.int64), tuple(str(v) for v in values), str(images_path)),
                         str(images_path))


def is_idx_folder(folder: str | os.PathLike) -> bool:
    """True if ``folder`` holds at least one file named like an IDX images or labels file."""
    return any(_NAME.match(p.name) for p in Path(folder).iterdir())


def load_idx_folder(folder: str | os.PathLike) -> tuple[Dataset, Dataset | None]:
    """Load the training split (and the test split, when present) of an IDX folder.

    The training split is the pair whose name starts with ``train``, or the
    only pair; the test split is the other pair (``t10k`` in MNIST).

    Parameters
    ----------
    folder : path-like

    Returns
    -------
    train : Dataset
    test : Dataset or None
        None when the folder holds a single split. Its class names are those
        of ``train``; a test label absent from training is an error.

    Raises
    ------
    DataError
        No or incomplete image/label pairs, or any problem with the files.
    """
    folder = Path(folder)
    found: dict[str, dict[str, Path]] = {}
    for entry in sorted(folder.iterdir()):
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.setdefault(match["split"], {})[match["kind"]] = entry
    pairs = {split: kinds for split, kinds in found.items() if len(kinds) == 2}
    if not pairs:
        lonely = next((p for kinds in found.values() for p in kinds.values()), None)
        hint = f" ({lonely.name} has no partner)" if lonely else ""
        raise DataError(f"{folder} holds no pair of IDX files like train-images-idx3-ubyte.gz and "
                        f"train-labels-idx1-ubyte.gz{hint}.")
    if len(pairs) > 2:
        raise DataError(f"{folder} holds more than two IDX splits ({', '.join(sorted(pairs))}); keep one or two.")
    names = sorted(pairs, key=lambda s: (not s.startswith("train"), s))
    train = _pair(pairs[names[0]]["images"], pairs[names[0]]["labels"])
    if len(names) == 1:
        return train, None
    test = _pair(pairs[names[1]]["images"], pairs[names[1]]["labels"])
    if test.input_shape != train.input_shape:
        raise DataError(f"{test.name} has images of shape {test.input_shape} but {train.name} has "
                        f"{train.input_shape}.")
    unknown = sorted(set(test.class_names) - set(train.class_names))
    if unknown:
        raise DataError(f"{pairs[names[1]]['labels']} has labels {', '.join(unknown)} that never occur in "
                        f"{pairs[names[0]]['labels']}.")
    index = {name: i for i, name in enumerate(train.class_names)}
    remap = np.array([index[name] for name in test.class_names], np.int64)
    return train, Dataset(test.x, remap[test.y], train.class_names, test.name)
