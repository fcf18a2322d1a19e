"""Save and load a trained mini-CNN as one ``.npz`` file.

The archive holds (``allow_pickle`` is never needed):

- ``format``: the string ``'convdemo-model'``;
- ``version``: 1;
- ``architecture``: the :class:`~.model.Architecture` as a JSON string;
- ``class_names``: a JSON list of strings;
- one array per parameter, named like ``conv1.weight`` or ``dense.bias``.

Saving is atomic (a temporary file, then a rename), so a failed save never
damages an earlier model file.

Loading trusts nothing in the file. It is opened with :mod:`convdemo.core.safe_open`
(a regular file of at most :data:`MAX_MODEL_BYTES`); the archive may list at most
:data:`MAX_MEMBERS` members; every member's declared size is checked against the
size its content may have *before* it is read, and it is read with that cap, so a
zip bomb cannot expand; ``.npy`` headers are read by hand (numpy's ``np.load``
would allocate whatever a header claims) and no pickle is ever loaded. Every field
is then type- and range-checked: ``version`` the whole number 1, ``architecture``
a JSON object that :class:`~.model.Architecture` accepts, ``class_names`` distinct
non-empty strings, one per class, and each weight array real floating point
(float32 or float64), of the shape the architecture gives, and finite.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from convdemo.core.errors import ModelFileError
from convdemo.core.fileio import atomic_write
from convdemo.core.geometry import shape_text
from convdemo.core.nn.model import Architecture, Model
from convdemo.core.safe_open import KIB, MIB, open_regular_as, size_text

FORMAT = "convdemo-model"
VERSION = 1
MAX_MODEL_BYTES = 256 * MIB
"""The largest model file read. The default network's file is about 60 kB; the largest
network an :class:`~.model.Architecture` allows (256×256×3 images, 32 filters, 100
classes) has 52 million weights, 200 MB as float32."""
MAX_MEMBERS = 64
"""The most members an archive may list (a model has at most 10); each costs memory to list."""
MAX_TEXT_BYTES = 64 * KIB
"""The largest text member (format, architecture, class names) as stored: numpy keeps
text as UTF-32, so 16,384 characters."""
NPY_HEADER_BYTES = 4 * KIB
"""Room for a member's ``.npy`` header on top of its values (numpy writes 128 bytes)."""

_ZIP_ENTRY = b"PK\x01\x02"  # starts every entry of a zip file's central directory
_NPY_MAGIC = b"\x93NUMPY"
_HEADER_READERS = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
_WHOLE_NUMBER_FIELDS = ("n_classes", "filters", "kernel_size", "conv_layers")
_WEIGHT_TYPES = (np.dtype(np.float32), np.dtype(np.float64))
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


def save_model(path: str | os.PathLike, model: Model) -> Path:
    """Write ``model`` (architecture, class names, weights) to ``path`` atomically.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ModelFileError
        The folder does not exist or cannot be written.
    """
    arrays: dict[str, Any] = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "architecture": np.array(json.dumps(model.architecture.to_dict())),
        "class_names": np.array(json.dumps(list(model.class_names))),
        **model.get_weights(),
    }
    try:
        return atomic_write(path, lambda f: np.savez_compressed(f, **arrays))
    except OSError as err:
        raise ModelFileError(f"Cannot save the model to {path}: {err.strerror or err}.") from None


def check_save_path(path: str | os.PathLike) -> Path:
    """Refuse a place :func:`save_model` could not write to, before any work is done.

    Returns
    -------
    Path
        ``path``, which ends in ``.npz`` and lies in an existing, writable folder.

    Raises
    ------
    ModelFileError
        Another suffix, a missing or read-only folder, or ``path`` is a folder.
    """
    path = Path(path)
    folder = path.parent
    if path.suffix.lower() != ".npz":
        problem = "the file name must end in .npz"
    elif not folder.is_dir():
        problem = f"the folder {folder} does not exist"
    elif path.is_dir():
        problem = "it is a folder"
    elif not os.access(folder, os.W_OK):
        problem = f"the folder {folder} is not writable"
    else:
        return path
    raise ModelFileError(f"Cannot save the model to {path}: {problem}.")


def load_model(path: str | os.PathLike) -> Model:
    """Read a model written by :func:`save_model`.

    Returns
    -------
    Model
        float32, ready to predict or to train further.

    Raises
    ------
    ModelFileError
        Missing, not a regular file, too large, not a convdemo model, from a
        newer version, or with a field that is malformed or does not match
        the architecture; one sentence naming the file and the field.
    """
    path = Path(path)
    with _Archive(_read_file(path), path) as archive:
        archive.check_format_and_version()
        architecture = archive.architecture()
        model = Model(architecture, archive.class_names(architecture.n_classes))
        model.set_weights({name: archive.weights(name, shape) for name, shape in model.weight_shapes().items()})
    return model


def _read_file(path: Path) -> bytes:
    """The file's bytes, if it is a regular file of at most :data:`MAX_MODEL_BYTES` that keeps its size."""
    def unreadable(problem: str) -> ModelFileError:
        return ModelFileError(f"Cannot read the model file {path}: {problem}.")

    with open_regular_as(path, max_bytes=MAX_MODEL_BYTES, kind="model file", fail=unreadable) as f:
        size = os.fstat(f.fileno()).st_size  # read(n) reserves n bytes: ask for what the file holds
        try:
            raw = f.read(size + 1)
        except OSError as err:
            raise unreadable((err.strerror or str(err)).lower()) from None
    if len(raw) > size:
        raise unreadable("it grew while being read")
    return raw


def _clause(error: Exception) -> str:
    """A sentence as the end of another: 'The input is ….' → 'the input is …'."""
    text = str(error).rstrip(".")
    return text[:1].lower() + text[1:]


class _Archive:
    """The members of a model file, each read only after its declared size is checked.

    Every method raises :class:`ModelFileError` naming the file and the member.
    """

    def __init__(self, raw: bytes, path: Path) -> None:
        self.path = path
        if raw.startswith(_NPY_MAGIC):
            raise self._not_a_model("it holds a single numpy array, as .npy files do, not a .npz archive")
        if raw.count(_ZIP_ENTRY) > MAX_MEMBERS:
            raise self._not_a_model(f"its archive lists more than {MAX_MEMBERS} members")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise self._not_a_model("it is not a readable .npz archive") from None
        self.members = {info.filename.removesuffix(".npy"): info for info in self.zip.infolist()}

    def __enter__(self) -> _Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.zip.close()

    def _not_a_model(self, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.path} is not a convdemo model file ({problem}).")

    def _bad(self, name: str, problem: str) -> ModelFileError:
        return ModelFileError(f"{self.path} has an unusable '{name}': {problem}.")

    # --- members ---------------------------------------------------------------------

    def array(self, name: str, max_value_bytes: int) -> np.ndarray:
        """Member ``name`` as a read-only array whose values take at most ``max_value_bytes``.

        Raises
        ------
        KeyError
            There is no such member.
        ModelFileError
            Declared larger than that, stored in a way not read here, damaged,
            or not a ``.npy`` array without Python objects.
        """
        info = self.members[name]
        limit = NPY_HEADER_BYTES + max_value_bytes
        if info.file_size > limit:
            raise self._bad(name, f"it declares {size_text(info.file_size)}, more than the "
                                  f"{size_text(limit)} it can take")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise self._bad(name, "it is encrypted or compressed in a way convdemo does not read "
                                  "(numpy writes stored or deflated members)")
        try:
            with self.zip.open(info) as member:
                return _npy_array(member.read(limit))
        except _READ_ERRORS as err:
            raise self._bad(name, f"it is damaged or not a numpy array ({err})") from None

    def text(self, name: str) -> str:
        """Member ``name``, a text (a 0-d unicode array) of at most :data:`MAX_TEXT_BYTES`."""
        value = self.array(name, MAX_TEXT_BYTES)
        if value.ndim != 0 or value.dtype.kind != "U":
            raise self._bad(name, f"it should be a text, not {_described(value)}")
        return str(value[()])

    def json(self, name: str) -> object:
        """Member ``name``, a text holding JSON, decoded."""
        try:
            return json.loads(self.text(name))
        except (ValueError, RecursionError) as err:
            raise self._bad(name, f"it is not valid JSON ({err})") from None

    # --- fields ----------------------------------------------------------------------

    def check_format_and_version(self) -> None:
        """``format`` is ``'convdemo-model'`` and ``version`` the whole number :data:`VERSION`."""
        if "format" not in self.members or self.text("format") != FORMAT:
            raise ModelFileError(f"{self.path} is a .npz archive but not a convdemo model file "
                                 f"(its 'format' is not {FORMAT!r}).")
        if "version" not in self.members:
            raise self._bad("version", "it is missing")
        version = self.array("version", 8)
        if version.ndim != 0 or version.dtype.kind not in "iu":
            raise self._bad("version", f"it should be the whole number {VERSION}, not {_described(version)}")
        if int(version) > VERSION:
            raise ModelFileError(f"{self.path} was saved by a newer convdemo (its 'version' is {int(version)}); "
                                 f"this one reads version {VERSION}.")
        if int(version) != VERSION:
            raise self._bad("version", f"it is {int(version)}; convdemo model files have version {VERSION}")

    def architecture(self) -> Architecture:
        """The ``architecture`` member: a JSON object of every :class:`~.model.Architecture` field, in range."""
        try:
            return Architecture.from_dict(_architecture_fields(self._required_json("architecture")))
        except ValueError as err:  # ParameterError is a ValueError too
            raise ModelFileError(f"{self.path} has an invalid architecture: {_clause(err)}.") from None

    def class_names(self, n_classes: int) -> list[str]:
        """The ``class_names`` member: ``n_classes`` distinct, non-blank strings."""
        names = self._required_json("class_names")
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise self._bad("class_names", "it should be a JSON list of names, none of them empty")
        if len(names) != n_classes:
            raise self._bad("class_names", f"it names {len(names)} classes but the architecture has {n_classes}")
        if len(set(names)) < len(names):
            raise self._bad("class_names", "a name appears twice")
        return names

    def weights(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The weight member ``name``: real floating point of ``shape``, every value finite."""
        if name not in self.members:
            raise ModelFileError(f"{self.path} lacks the weights {name} that its architecture needs.")
        values = self.array(name, math.prod(shape) * max(t.itemsize for t in _WEIGHT_TYPES))
        if values.dtype.newbyteorder("=") not in _WEIGHT_TYPES:
            raise self._bad(name, f"its values are {values.dtype.name}; weights must be real numbers "
                                  "(float32 or float64)")
        if values.shape != shape:
            raise ModelFileError(f"{self.path} does not match its own architecture: its '{name}' has shape "
                                 f"{shape_text(values.shape)}, expected {shape_text(shape)}.")
        if not np.isfinite(values).all():
            raise ModelFileError(f"{self.path} holds weights that are not finite numbers (NaN or infinity) "
                                 f"in its '{name}'.")
        return values

    def _required_json(self, name: str) -> object:
        if name not in self.members:
            raise self._bad(name, "it is missing")
        return self.json(name)


def _architecture_fields(fields: object) -> dict[str, Any]:
    """``fields``, once its keys and JSON types are checked (:class:`~.model.Architecture` checks the ranges).

    Raises
    ------
    ValueError
        Naming the first key that is missing, unknown or of the wrong type.
    """
    if not isinstance(fields, dict):
        raise ValueError("it should be a JSON object of settings")
    known = {field.name for field in dataclasses.fields(Architecture)}
    odd = sorted(known ^ set(fields))
    if odd:
        raise ValueError(f"'{odd[0]}' is {'missing' if odd[0] in known else 'not a setting convdemo knows'}")
    shape = fields["input_shape"]
    if not (isinstance(shape, list) and len(shape) == 3 and all(map(_is_int, shape))):
        raise ValueError(f"'input_shape' should be [height, width, channels], not {_json_text(shape)}")
    for key in _WHOLE_NUMBER_FIELDS:
        if not _is_int(fields[key]):
            raise ValueError(f"'{key}' should be a whole number, not {_json_text(fields[key])}")
    if not isinstance(fields["padding"], str):
        raise ValueError(f"'padding' should be a text, not {_json_text(fields['padding'])}")
    return fields


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_text(value: object) -> str:
    """``value`` as JSON, cut to a length a message can hold."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _described(value: np.ndarray) -> str:
    """How a member's content is named in messages: ``the text "1"``, ``an array of shape 2``, ``nan (float64)``."""
    if value.ndim:
        return f"an array of shape {shape_text(value.shape)}"
    if value.dtype.kind == "U":
        return f"the text {_json_text(str(value[()]))}"
    return f"{value[()]} ({value.dtype.name})"


def _npy_array(data: bytes) -> np.ndarray:
    """The array in the bytes of a ``.npy`` file, read without trusting its header.

    Parameters
    ----------
    data : bytes
        A whole ``.npy`` file.

    Returns
    -------
    ndarray
        A read-only view of ``data``, shaped and typed as the header says.

    Raises
    ------
    ValueError
        Not a ``.npy`` file of format 1.0 or 2.0, Python objects, or a
        header whose shape does not match the number of bytes that follow.
    """
    stream = io.BytesIO(data)
    version = npy_format.read_magic(stream)
    if version not in _HEADER_READERS:
        raise ValueError(f".npy format version {version[0]}.{version[1]} is not read here")
    shape, fortran_order, dtype = _HEADER_READERS[version](stream)
    if dtype.hasobject:
        raise ValueError("it holds Python objects")
    count = math.prod(shape)
    if len(data) - stream.tell() != count * dtype.itemsize:
        raise ValueError(f"its header says {shape_text(shape) or 'one value'} of {dtype.name}, which is not "
                         f"what follows")
    values = np.frombuffer(data, dtype, count=count, offset=stream.tell())
    return values.reshape(shape, order="F" if fortran_order else "C")
