"""IDX files, the format of MNIST and Fashion-MNIST (plain or ``.gz``).

Layout: two zero bytes, a type byte, the number of dimensions ``d``, then
``d`` big-endian uint32 sizes and the values in row-major order. A folder
holds pairs like ``train-images-idx3-ubyte(.gz)`` / ``train-labels-idx1-ubyte(.gz)``
and optionally ``t10k-images...`` / ``t10k-labels...`` for the test split.

Nothing in a file is trusted. Each is opened with :mod:`convdemo.core.safe_open`
(a regular file of at most :data:`MAX_IDX_BYTES`; a named pipe or a link to a
device is refused at once). The header is checked (magic number, type byte,
1 to :data:`MAX_DIMENSIONS` dimensions, each at least 1) and the size it
implies is worked out with Python integers, which cannot wrap around, then
compared with the cap and with the file's real length before any array is
made. A ``.gz`` file's header is decompressed first, then the whole file as a
stream capped at the size that header implies, so a gzip bomb stops there.
"""

from __future__ import annotations

import math
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convdemo.core.errors import DataError
from convdemo.core.geometry import shape_text
from convdemo.core.nn.data import Dataset, check_classes
from convdemo.core.nn.model import MAX_CLASSES
from convdemo.core.safe_open import MIB, gunzip_capped, read_capped, size_text

MAX_IDX_BYTES = 256 * MIB
"""The largest IDX file, compressed or not, and the most a ``.gz`` one may decompress to:
five times MNIST's largest file (``train-images``, 60000×28×28, 44.9 MB). Its images then
take at most 1 GB as float32."""
MAX_DIMENSIONS = 4
"""Images are (N, H, W) or (N, H, W, C), labels (N,)."""

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_NAME = re.compile(r"^(?P<split>.+?)[-_.](?P<kind>images|labels)[-_.]idx(?P<dims>\d)[-_.]ubyte(?:\.gz)?$")
_LONGEST_HEADER = 4 + 4 * MAX_DIMENSIONS


@dataclass(frozen=True)
class _Header:
    """What an IDX header says: values of ``dtype`` and ``shape`` from byte ``start``, ``n_bytes`` in all."""

    dtype: np.dtype
    shape: tuple[int, ...]
    start: int
    n_bytes: int


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file.

    Parameters
    ----------
    path : path-like
        ``.gz`` files are decompressed on the fly.

    Returns
    -------
    ndarray
        Shape and dtype as the header says (native byte order), 1 to
        :data:`MAX_DIMENSIONS` dimensions.

    Raises
    ------
    DataError
        Not a regular file, larger than :data:`MAX_IDX_BYTES` (before or after
        decompression), corrupt gzip data, wrong magic number, unknown type,
        an impossible header, or a size that does not match the header; one
        sentence naming the file.
    """
    path = Path(path)
    data = read_capped(path, max_bytes=MAX_IDX_BYTES, error=DataError, kind="file of IDX data")
    if path.suffix == ".gz":
        header = _header(_gunzip_start(data, path), path)
        data = gunzip_capped(data, max_bytes=header.n_bytes, name=str(path), error=DataError,
                             kind=f"file of {shape_text(header.shape)} values")
    else:
        header = _header(data, path)
    if len(data) != header.n_bytes:
        raise DataError(f"{path} holds {len(data):,} bytes but its header ({shape_text(header.shape)} values) "
                        f"needs {header.n_bytes:,}.")
    values = np.frombuffer(data, header.dtype, offset=header.start).reshape(header.shape)
    return values.astype(header.dtype.newbyteorder("="))


def _gunzip_start(data: bytes, path: Path) -> bytes:
    """The first decompressed bytes of a gzip file, enough for any IDX header."""
    try:
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(data, _LONGEST_HEADER)
    except zlib.error as exc:
        raise DataError(f"cannot read {str(path)!r}: its gzip data is corrupt ({exc}).") from None


def _header(data: bytes, path: Path) -> _Header:
    """Check the header at the start of ``data``; the sizes it gives are Python ints."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise DataError(f"{path} is not an IDX file (wrong magic number {data[:4].hex() or 'none'}).")
    dims = data[3]
    if not 1 <= dims <= MAX_DIMENSIONS:
        raise DataError(f"{path} says it has {dims} dimensions; an IDX file of images or labels has 1 to "
                        f"{MAX_DIMENSIONS}.")
    start = 4 + 4 * dims
    if len(data) < start:
        raise DataError(f"{path} is truncated: its header is incomplete.")
    shape = struct.unpack(f">{dims}I", data[4:start])
    if min(shape) < 1:
        raise DataError(f"{path} has a size of 0 in its header ({shape_text(shape)}); every size must be at "
                        "least 1.")
    dtype = np.dtype(_TYPES[data[2]])
    n_values = math.prod(shape)
    n_bytes = start + n_values * dtype.itemsize
    if n_bytes > MAX_IDX_BYTES:
        raise DataError(f"{path} has a header ({shape_text(shape)}) that describes {n_values:,} values, more "
                        f"than an IDX file can hold ({size_text(MAX_IDX_BYTES)} at most).")
    return _Header(dtype, shape, start, n_bytes)


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
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= MAX_CLASSES:
        raise DataError(f"{labels_path} has the label {low if low < 0 else high}; labels must be whole numbers "
                        f"from 0 to {MAX_CLASSES - 1}.")
    x = images.astype(np.float32)
    x /= 255.0
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
        if match:  # whatever it is: read_idx refuses a folder, a named pipe or a device by name
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
