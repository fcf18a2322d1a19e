"""Kernel preset files: read and write the JSON format of docs/formats.md.

Preset files are JSON::

    {"format": "convdemo-kernel", "version": 1, "name": "sobel-x",
     "description": "...", "weights": [[-1, 0, 1], ...], "divisor": 1, "bias": 0}

Unknown keys are kept in :attr:`Kernel.extra` and written back on save; so is
the optional ``"flip": true`` (turn the kernel 180°, true convolution), checked
to be true or false and read with :func:`preset_flip`. A bad
file raises :class:`PresetError` naming the path and the field at fault. The
library of presets (shipped + the user's) is :mod:`convdemo.core.presets`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import unicodedata
from pathlib import Path

import numpy as np

from convdemo.core.errors import PresetError
from convdemo.core.fileio import atomic_write_text
from convdemo.core.kernels import (
    Kernel,
    _first_problem,
    _grid,
    _GridError,
    _json_value,
    _plain_number,
    _stack_planes,
)
from convdemo.core.safe_open import MIB, read_capped

PRESET_FORMAT = "convdemo-kernel"
PRESET_VERSION = 1
FLIP_KEY = "flip"
"""Optional key: true turns the kernel 180° before sliding it (true convolution)."""

_KNOWN_KEYS = frozenset({"format", "version", "name", "description", "weights", "divisor", "bias"})
MAX_FILE_BYTES = MIB
"""Largest preset file read (a 3×9×9 kernel with a long description is a few kB)."""
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{dev}{n}" for dev in ("com", "lpt") for n in range(1, 10)}
)
_STEM_MAX_CHARS = 64

# --------------------------------------------------------------------------
# Preset files
# --------------------------------------------------------------------------


def _field_error(path: Path, key: str, problem: str) -> PresetError:
    return PresetError(f"{path}: '{key}' {problem}.")


def _load_object(path: Path) -> dict:
    """The JSON object stored in ``path``, or PresetError saying why not.

    The file is read with :func:`~convdemo.core.safe_open.read_capped`: a named pipe, a
    device (a link to ``/dev/zero``) or a file over :data:`MAX_FILE_BYTES` is refused at once.
    """
    data = read_capped(path, max_bytes=MAX_FILE_BYTES, error=PresetError, kind="kernel preset")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PresetError(f"{path}: the file is not UTF-8 text.") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise PresetError(f"{path}: not valid JSON ({where}: {e.msg}).") from None
    except RecursionError:
        raise PresetError(f"{path}: not a kernel preset (the JSON is nested too deeply).") from None
    if not isinstance(doc, dict):
        raise PresetError(f"{path}: not a kernel preset (expected a JSON object {{...}}).")
    return doc


def _check_header(path: Path, doc: dict) -> None:
    if "format" not in doc:
        raise _field_error(path, "format", f"is missing, so this is not a {PRESET_FORMAT} preset")
    if doc["format"] != PRESET_FORMAT:
        raise _field_error(path, "format", f"is {json.dumps(doc['format'])[:40]}, "
                                           f"expected \"{PRESET_FORMAT}\"")
    version = doc.get("version")
    if version != PRESET_VERSION or isinstance(version, bool):
        shown = "missing" if "version" not in doc else f"{json.dumps(version)[:20]}"
        raise _field_error(path, "version", f"is {shown}, but this convdemo reads "
                                            f"only version {PRESET_VERSION}")


def _text_field(path: Path, doc: dict, key: str, default: str) -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise _field_error(path, key, f"must be text, not {json.dumps(value)[:40]}")
    return value


def _flag_field(path: Path, doc: dict, key: str) -> None:
    """Refuse ``key`` unless it is missing, ``true`` or ``false``."""
    if not isinstance(doc.get(key, False), bool):
        raise _field_error(path, key, f"must be true or false, not {json.dumps(doc[key])[:40]}")


def preset_flip(kernel: Kernel) -> bool | None:
    """The preset's ``"flip"``: True to turn the kernel 180° (true convolution), None when it does not say."""
    flip = kernel.extra.get(FLIP_KEY)
    return flip if isinstance(flip, bool) else None


def with_flip(kernel: Kernel, flip: bool) -> Kernel:
    """``kernel`` saying ``"flip": flip`` in its preset file."""
    return dataclasses.replace(kernel, extra={**kernel.extra, FLIP_KEY: bool(flip)})


def _number_field(path: Path, doc: dict, key: str, default: float) -> float:
    try:
        return _json_value(doc.get(key, default))
    except ValueError as e:
        raise _field_error(path, key, str(e)) from None


def _weights_field(path: Path, doc: dict) -> np.ndarray:
    if "weights" not in doc:
        raise _field_error(path, "weights", "is missing")
    if not isinstance(doc["weights"], list):
        raise _field_error(path, "weights", "must be a list of rows of numbers")
    rows = doc["weights"]
    first = rows[0] if rows else None
    is_planes = isinstance(first, list) and bool(first) and isinstance(first[0], list)
    try:
        return _stack_planes(rows, _json_value) if is_planes else _grid(rows, _json_value)
    except _GridError as e:
        raise _field_error(path, "weights", str(e)) from None


def read_preset(path: str | os.PathLike) -> Kernel:
    """Read a kernel preset file (docs/formats.md).

    A missing ``name`` defaults to the file's stem, a missing ``description``
    to ``""``, ``divisor`` to 1 and ``bias`` to 0. Unknown keys, and the
    optional ``flip`` (see :func:`preset_flip`), go to :attr:`Kernel.extra`.

    Parameters
    ----------
    path : path-like
        A UTF-8 JSON file.

    Returns
    -------
    Kernel
        With weights of shape (kh, kw) or (3, kh, kw) and ``source=path``.

    Raises
    ------
    PresetError
        If the file cannot be read or is malformed; the message names the
        path and the field at fault, e.g.
        ``"sobel.json: 'weights' row 2 has 2 values, expected 3."``.
    """
    path = Path(path)
    doc = _load_object(path)
    _check_header(path, doc)
    name = _text_field(path, doc, "name", path.stem)
    if not name.strip():
        raise _field_error(path, "name", "is blank")
    description = _text_field(path, doc, "description", "")
    weights = _weights_field(path, doc)
    divisor = _number_field(path, doc, "divisor", 1)
    bias = _number_field(path, doc, "bias", 0)
    problem = _first_problem(weights, divisor, bias)
    if problem:
        raise _field_error(path, *problem)
    _flag_field(path, doc, FLIP_KEY)
    extra = {key: value for key, value in doc.items() if key not in _KNOWN_KEYS}
    return Kernel(weights, name=name, description=description, divisor=divisor, bias=bias,
                  extra=extra, source=path)


def _json_weights(weights: np.ndarray) -> str:
    """Weights of shape (kh, kw) or (3, kh, kw) as JSON with one row of numbers per line."""
    if weights.ndim == 1:
        return "[" + ", ".join(str(_plain_number(v)) for v in weights) + "]"
    rows = ",\n".join(_json_weights(sub) for sub in weights)
    return "[\n  " + rows.replace("\n", "\n  ") + "\n]"


def _json_entry(key: str, value_text: str) -> str:
    """One ``"key": value`` line of the preset file, nested lines indented to match."""
    return f"  {json.dumps(key, ensure_ascii=False)}: " + value_text.replace("\n", "\n  ")


def _preset_text(kernel: Kernel) -> str:
    """The preset file's text: known keys in the order of docs/formats.md, then the extra keys."""
    before = {
        "format": PRESET_FORMAT,
        "version": PRESET_VERSION,
        "name": kernel.name,
        "description": kernel.description,
    }
    after = {"divisor": _plain_number(kernel.divisor), "bias": _plain_number(kernel.bias)}
    after.update((key, value) for key, value in kernel.extra.items() if key not in _KNOWN_KEYS)
    lines = [_json_entry(k, json.dumps(v, ensure_ascii=False, indent=2)) for k, v in before.items()]
    lines.append(_json_entry("weights", _json_weights(kernel.weights)))
    lines += [_json_entry(k, json.dumps(v, ensure_ascii=False, indent=2)) for k, v in after.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_preset(path: str | os.PathLike, kernel: Kernel, *, overwrite: bool = False) -> Path:
    """Write ``kernel`` as a preset file (docs/formats.md), atomically, in UTF-8.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist.
    kernel : Kernel
        Its :attr:`~Kernel.extra` keys are written after the known ones.
    overwrite : bool
        Replace an existing file. Without it an existing file is an error.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    PresetError
        If the file exists and ``overwrite`` is false, or it cannot be written.
    """
    path = Path(path)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise PresetError(f"a preset named {path.name!r} already exists in {path.parent}.")
    try:
        return atomic_write_text(path, _preset_text(kernel))
    except OSError as e:
        raise PresetError(f"cannot write {path}: {e.strerror or e}.") from None


def preset_file_name(name: str) -> str:
    """A safe file name for a preset called ``name``: ``"Box blur 0.1"`` -> ``"box-blur-0-1.json"``.

    Only ``a-z``, ``0-9``, ``_`` and ``-`` are kept (accents are dropped,
    other runs become ``-``), so the name can never leave its folder. It is
    never empty (``"preset"``) nor a reserved Windows device name.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9_-]+", "-", ascii_name.lower())
    stem = stem[:_STEM_MAX_CHARS].strip("-_") or "preset"
    if stem in _RESERVED_STEMS:
        stem += "-preset"
    return stem + ".json"


# --------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------
