"""Kernels: the value type, the text syntax, preset files and the preset library.

A :class:`Kernel` is an immutable grid of weights plus the ``divisor`` and
``bias`` of DESIGN §3 (``out = sum / divisor + bias``). Its weights have shape
``(kh, kw)``, or ``(3, kh, kw)`` for three per-channel kernels (R, G, B) used
by the ``rgb-sum`` channel mode.

Weights are written as text in one syntax everywhere (CLI ``--weights``, the
kernel editor): rows split by ``;`` or new lines, values by ``,`` or spaces,
for example ``"1,0,-1;2,0,-2;1,0,-1"``. Values may be fractions (``1/9``);
the planes of a per-channel kernel are split by ``|``.

Preset files are JSON (DESIGN §5)::

    {"format": "convdemo-kernel", "version": 1, "name": "sobel-x",
     "description": "...", "weights": [[-1, 0, 1], ...], "divisor": 1, "bias": 0}

Unknown keys are kept in :attr:`Kernel.extra` and written back on save. A bad
file raises :class:`PresetError` naming the path and the field at fault.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import types
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from convdemo.core.errors import ParameterError, PresetError
from convdemo.core.fileio import atomic_write_text
from convdemo.core.resources import shipped_kernels_dir

__all__ = [
    "MAX_SIZE",
    "PRESET_FORMAT",
    "PRESET_VERSION",
    "TEACHING_ORDER",
    "Kernel",
    "PresetLibrary",
    "default_library",
    "parse_weights",
    "preset_file_name",
    "read_preset",
    "write_preset",
]

MAX_SIZE = 9
"""Largest kernel side (rows or columns); the smallest is 1."""

PRESET_FORMAT = "convdemo-kernel"
PRESET_VERSION = 1

TEACHING_ORDER = (
    "identity",
    "shift-left",
    "brighten",
    "box-blur-0.1",
    "box-blur",
    "gaussian-3x3",
    "gaussian-5x5",
    "motion-blur-5x5",
    "sharpen",
    "centre-minus-neighbours-0.1",
    "unsharp-mask-5x5",
    "edge-above",
    "difference-1x3",
    "horizontal-line",
    "vertical-line",
    "prewitt-x",
    "prewitt-y",
    "sobel-x",
    "sobel-y",
    "laplacian-4",
    "outline-8",
    "emboss",
    "emboss-grey",
    "luma-1x1",
    "red-minus-blue",
)
"""Shipped preset names in the order a lesson meets them; others sort after, A–Z."""

_KNOWN_KEYS = frozenset({"format", "version", "name", "description", "weights", "divisor", "bias"})
_MAX_FILE_BYTES = 1 << 20
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{dev}{n}" for dev in ("com", "lpt") for n in range(1, 10)}
)
_STEM_MAX_CHARS = 64


# --------------------------------------------------------------------------
# Validation shared by Kernel and read_preset
# --------------------------------------------------------------------------


def _size_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _weights_problem(weights: np.ndarray) -> str | None:
    """What is wrong with a weights array of shape (kh, kw) or (3, kh, kw), if anything."""
    if weights.ndim not in (2, 3):
        return "must be a grid of rows of numbers, or 3 such grids (R, G, B)"
    if weights.ndim == 3 and weights.shape[0] != 3:
        return f"has {weights.shape[0]} planes, but a per-channel kernel has exactly 3 (R, G, B)"
    kh, kw = weights.shape[-2:]
    if not (1 <= kh <= MAX_SIZE and 1 <= kw <= MAX_SIZE):
        return f"is {kh}×{kw}, but each side must be 1 to {MAX_SIZE}"
    if not np.isfinite(weights).all():
        return "holds NaN or infinity, but every weight must be a finite number"
    return None


def _divisor_problem(divisor: float) -> str | None:
    if np.isfinite(divisor) and divisor != 0:
        return None
    return f"is {divisor:g}, but it must be a finite number other than 0"


def _bias_problem(bias: float) -> str | None:
    return None if np.isfinite(bias) else f"is {bias:g}, but it must be a finite number"


def _first_problem(weights: np.ndarray, divisor: float, bias: float) -> tuple[str, str] | None:
    """The first invalid field as ``(field, problem)``, or None if all are valid."""
    checks = (
        ("weights", _weights_problem(weights)),
        ("divisor", _divisor_problem(divisor)),
        ("bias", _bias_problem(bias)),
    )
    return next(((name, problem) for name, problem in checks if problem), None)


def _plain_number(value: float) -> int | float:
    """``value`` as an int when it is a whole number (so ``1.0`` is written ``1``)."""
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


# --------------------------------------------------------------------------
# Kernel
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Kernel:
    """A convolution kernel with its divisor and bias; immutable and validated.

    Parameters
    ----------
    weights : array_like of shape (kh, kw) or (3, kh, kw)
        Finite weights, 1 ≤ kh, kw ≤ 9. Three planes are the R, G and B kernels
        of the ``rgb-sum`` channel mode. Stored as a read-only float64 copy.
    name : str
        Non-blank name; the key in a :class:`PresetLibrary`.
    description : str
        One or two sentences shown to the learner.
    divisor : float
        Finite, non-zero; the sum is divided by it.
    bias : float
        Finite; added after dividing.
    extra : Mapping
        Unknown keys of the preset file, kept for re-saving (JSON data).
    source : Path or None
        File the kernel was read from. Not compared by ``==``.

    Raises
    ------
    ParameterError
        If any field is invalid; the message says which and why.
    """

    weights: np.ndarray
    name: str = "custom"
    description: str = ""
    divisor: float = 1.0
    bias: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        try:
            # "+ 0.0" turns -0.0 into 0.0 so equal kernels hash equally.
            weights = np.array(self.weights, dtype=np.float64) + 0.0
            divisor, bias = float(self.divisor), float(self.bias)
        except (TypeError, ValueError):
            raise ParameterError(
                "the kernel weights, divisor and bias must be numbers, in rows of equal length."
            ) from None
        problem = _first_problem(weights, divisor, bias)
        if problem:
            subject = {"weights": "the kernel", "divisor": "the divisor", "bias": "the bias"}
            raise ParameterError(f"{subject[problem[0]]} {problem[1]}.")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError("a kernel needs a name that is not blank.")
        if not isinstance(self.description, str):
            raise ParameterError("a kernel's description must be text.")
        weights.flags.writeable = False
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "divisor", divisor)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "extra", _frozen_extra(self.extra))
        object.__setattr__(self, "source", None if self.source is None else Path(self.source))

    @classmethod
    def from_array(cls, array_like: Any, **fields: Any) -> Kernel:
        """Make a kernel from weights of shape (kh, kw) or (3, kh, kw) and other fields."""
        return cls(np.asarray(array_like), **fields)

    # -- comparison (ndarray fields need explicit handling) ------------------

    def _key(self) -> tuple:
        return (self.name, self.description, self.divisor, self.bias, self.weights.shape)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Kernel):
            return NotImplemented
        return (
            self._key() == other._key()
            and np.array_equal(self.weights, other.weights)
            and dict(self.extra) == dict(other.extra)
        )

    def __hash__(self) -> int:
        return hash((self._key(), self.weights.tobytes()))

    def __reduce__(self) -> tuple:
        # mappingproxy cannot be pickled or deep-copied; rebuild from a dict.
        return (type(self), (self.weights, self.name, self.description, self.divisor,
                             self.bias, dict(self.extra), self.source))

    # -- shape and arithmetic -----------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        """``(kh, kw)``: rows and columns of one plane."""
        kh, kw = self.weights.shape[-2:]
        return kh, kw

    @property
    def is_per_channel(self) -> bool:
        """True for three R, G, B kernels (weights of shape (3, kh, kw))."""
        return self.weights.ndim == 3

    def sum(self) -> float:
        """Sum of all weights (over all planes), before the divisor."""
        return float(self.weights.sum())

    def with_weights(self, weights: Any) -> Kernel:
        """A copy with new weights of shape (kh, kw) or (3, kh, kw); other fields kept."""
        return replace(self, weights=weights)

    def normalised(self) -> Kernel:
        """A copy whose weights are divided by their sum and whose divisor is 1.

        The kernel as applied then sums to 1, so flat areas keep their brightness.

        Raises
        ------
        ParameterError
            If the weights sum to (nearly) 0, as edge detectors do.
        """
        total = self.sum()
        if abs(total) <= 1e-9 * float(np.abs(self.weights).sum()):
            raise ParameterError("the weights sum to 0, so they cannot be normalised.")
        return replace(self, weights=self.weights / total, divisor=1.0)

    def transposed(self) -> Kernel:
        """A copy with rows and columns swapped: (kh, kw) -> (kw, kh), per plane."""
        return self.with_weights(np.swapaxes(self.weights, -2, -1))

    def rotated(self) -> Kernel:
        """A copy turned 90° clockwise: (kh, kw) -> (kw, kh), per plane."""
        return self.with_weights(np.rot90(self.weights, k=-1, axes=(-2, -1)))

    def flipped(self) -> Kernel:
        """A copy turned 180° (what true convolution does to the kernel)."""
        return self.with_weights(np.flip(self.weights, axis=(-2, -1)))

    def to_text(self) -> str:
        """The weights in the text syntax, e.g. ``"1,0,-1;2,0,-2;1,0,-1"``.

        Planes of a per-channel kernel are joined by ``" | "``.
        :func:`parse_weights` reads the text back to the same array.
        """
        planes = self.weights if self.is_per_channel else [self.weights]
        return " | ".join(
            ";".join(",".join(str(_plain_number(v)) for v in row) for row in plane)
            for plane in planes
        )


def _frozen_extra(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only deep copy of ``extra``; it must be JSON data with text keys."""
    try:
        if not all(isinstance(key, str) for key in extra):
            raise TypeError
        copy = json.loads(json.dumps(dict(extra)))
    except (TypeError, ValueError):
        raise ParameterError("a kernel's extra fields must be JSON data with text keys.") from None
    return types.MappingProxyType(copy)


# --------------------------------------------------------------------------
# Grids of weights: shared by the text syntax and the JSON reader
# --------------------------------------------------------------------------


class _GridError(ValueError):
    """A problem in a grid of weights; the message names the plane, row and value."""


def _grid(rows: list, parse_value: Callable[[Any], float], plane: int | None = None) -> np.ndarray:
    """Rows of raw values -> float64 array of shape (rows, columns).

    ``parse_value`` turns one raw value into a float or raises ``ValueError``
    with a problem such as ``"is not a number ('x')"``.
    """
    if not rows:
        raise _GridError("has no rows" if plane is None else f"plane {plane} has no rows")
    at = "" if plane is None else f"plane {plane}, "
    width = len(rows[0]) if isinstance(rows[0], list) else 0
    values = []
    for r, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise _GridError(f"{at}row {r} is not a list of numbers")
        if len(row) != width:
            count = "1 value" if len(row) == 1 else f"{len(row)} values"
            raise _GridError(f"{at}row {r} has {count}, expected {width}")
        values.append([_parse_at(parse_value, v, f"{at}row {r}, value {c}")
                       for c, v in enumerate(row, start=1)])
    return np.array(values, dtype=np.float64).reshape(len(rows), width)


def _parse_at(parse_value: Callable[[Any], float], value: Any, where: str) -> float:
    try:
        return parse_value(value)
    except ValueError as e:
        raise _GridError(f"{where} {e}") from None


def _stack_planes(planes: list, parse_value: Callable[[Any], float]) -> np.ndarray:
    """A list of grids of equal shape -> float64 array of shape (planes, kh, kw)."""
    grids = []
    for p, plane in enumerate(planes, start=1):
        if not isinstance(plane, list):
            raise _GridError(f"plane {p} is not a list of rows")
        grids.append(_grid(plane, parse_value, p))
        if grids[-1].shape != grids[0].shape:
            raise _GridError(f"plane {p} is {_size_text(grids[-1].shape)}, "
                             f"expected {_size_text(grids[0].shape)} like plane 1")
    return np.stack(grids)


def _finite(value: float, shown: str) -> float:
    if not np.isfinite(value):
        raise ValueError(f"is not a finite number ({shown})")
    return value


def _text_value(token: str) -> float:
    """One token of the text syntax: ``-2``, ``0.5``, ``1e-3`` or a fraction ``1/9``."""
    numerator, slash, denominator = token.partition("/")
    try:
        top = float(numerator)
        bottom = float(denominator) if slash else 1.0
    except ValueError:
        raise ValueError(f"is not a number ({token!r})") from None
    if bottom == 0:
        raise ValueError(f"divides by zero ({token!r})")
    return _finite(top / bottom, repr(token))


def _json_value(value: Any) -> float:
    """One JSON number (not a bool, string or null) as a finite float."""
    shown = json.dumps(value, ensure_ascii=False)[:40]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"is not a number ({shown})")
    try:
        return _finite(float(value), shown)
    except OverflowError:
        raise ValueError(f"is not a finite number ({shown})") from None


def parse_weights(text: str) -> np.ndarray:
    """Read weights written as text, e.g. ``"1,0,-1;2,0,-2;1,0,-1"``.

    Rows are split by ``;`` or new lines and values by ``,`` or whitespace;
    blank rows are ignored. A value may have a leading minus sign (``-`` or
    ``−``) and may be a fraction such as ``1/9``. Planes of a per-channel
    kernel are split by ``|``.

    Parameters
    ----------
    text : str
        The weights.

    Returns
    -------
    ndarray of shape (kh, kw), or (planes, kh, kw) when ``|`` is used
        float64 weights. Sizes are not limited here; :class:`Kernel` checks them.

    Raises
    ------
    ParameterError
        For empty text, a token that is not a number (the message quotes it),
        a zero denominator, or rows of different lengths.
    """
    text = text.replace("\u2212", "-")
    planes = [
        [row.replace(",", " ").split() for row in re.split(r"[;\n]", plane) if row.strip(" \t\r,")]
        for plane in text.split("|")
    ]
    if not any(planes):
        raise ParameterError("no weights were given.")
    try:
        if len(planes) > 1:
            return _stack_planes(planes, _text_value)
        return _grid(planes[0], _text_value)
    except _GridError as e:
        raise ParameterError(f"{e}.") from None


# --------------------------------------------------------------------------
# Preset files
# --------------------------------------------------------------------------


def _field_error(path: Path, key: str, problem: str) -> PresetError:
    return PresetError(f"{path}: '{key}' {problem}.")


def _load_object(path: Path) -> dict:
    """The JSON object stored in ``path``, or PresetError saying why not."""
    try:
        size = path.stat().st_size
        if size > _MAX_FILE_BYTES:
            raise PresetError(f"{path}: the file is {size} bytes, too big to be a kernel preset.")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise PresetError(f"cannot read {path}: {e.strerror or e}.") from None
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
    """Read a kernel preset file (DESIGN §5).

    A missing ``name`` defaults to the file's stem, a missing ``description``
    to ``""``, ``divisor`` to 1 and ``bias`` to 0. Unknown keys go to
    :attr:`Kernel.extra`.

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
    """The preset file's text: known keys in DESIGN order, then the extra keys."""
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
    """Write ``kernel`` as a preset file (DESIGN §5), atomically, in UTF-8.

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


def _default_user_dir() -> Path:
    return platformdirs.user_data_path("convdemo") / "kernels"


def _teaching_key(kernel: Kernel) -> tuple:
    if kernel.name in TEACHING_ORDER:
        return (0, TEACHING_ORDER.index(kernel.name))
    return (1, kernel.name.casefold(), kernel.name)


def _scan(folder: Path) -> tuple[list[Kernel], list[tuple[Path, str]]]:
    """Read every ``*.json`` in ``folder`` (hidden files skipped): kernels and failures."""
    kernels, errors = [], []
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for path in paths:
        if path.name.startswith("."):
            continue
        try:
            kernels.append(read_preset(path))
        except PresetError as e:
            errors.append((path, str(e)))
    return kernels, errors


@dataclass
class _Contents:
    user_dir: Path
    kernels: dict[str, Kernel]
    user_names: frozenset[str]
    errors: list[tuple[Path, str]]


class PresetLibrary(Mapping[str, Kernel]):
    """The shipped presets and the user's own, as a read-only mapping name -> Kernel.

    Files are read on first access (and again after :meth:`reload`, or after
    saving or deleting). Shipped presets come first in :data:`TEACHING_ORDER`,
    then the user's alphabetically. A file that fails to load is listed in
    :attr:`errors`; the others still load. A preset whose name is already
    taken (by a shipped one, or an earlier file) is also reported there.

    Parameters
    ----------
    shipped_dir : path-like, optional
        Folder of shipped presets; default :func:`shipped_kernels_dir`.
    user_dir : path-like, optional
        Folder of the user's presets; default ``<user data>/convdemo/kernels``
        from platformdirs, looked up when used (so a changed ``XDG_DATA_HOME``
        is followed). Created when the first preset is saved.
    """

    def __init__(self, shipped_dir: str | os.PathLike | None = None,
                 user_dir: str | os.PathLike | None = None) -> None:
        self.shipped_dir = Path(shipped_dir) if shipped_dir is not None else shipped_kernels_dir()
        self._user_dir = Path(user_dir) if user_dir is not None else None
        self._cache: _Contents | None = None

    @property
    def user_dir(self) -> Path:
        """Folder of the user's presets."""
        return self._user_dir if self._user_dir is not None else _default_user_dir()

    # -- loading --------------------------------------------------------------

    def _contents(self) -> _Contents:
        user_dir = self.user_dir
        if self._cache is None or self._cache.user_dir != user_dir:
            self._cache = self._load(user_dir)
        return self._cache

    def _load(self, user_dir: Path) -> _Contents:
        shipped, errors = _scan(self.shipped_dir)
        user, user_errors = _scan(user_dir)
        errors += user_errors
        kernels: dict[str, Kernel] = {}
        for kernel in sorted(shipped, key=_teaching_key):
            self._add(kernels, kernel, errors)
        user_names = set()
        for kernel in sorted(user, key=lambda k: (k.name.casefold(), k.name)):
            if self._add(kernels, kernel, errors):
                user_names.add(kernel.name)
        return _Contents(user_dir, kernels, frozenset(user_names), errors)

    @staticmethod
    def _add(kernels: dict[str, Kernel], kernel: Kernel, errors: list[tuple[Path, str]]) -> bool:
        taken = kernels.get(kernel.name)
        if taken is not None:
            errors.append((kernel.source, f"{kernel.source}: 'name' {kernel.name!r} is "
                                          f"already used by {taken.source}."))
            return False
        kernels[kernel.name] = kernel
        return True

    def reload(self) -> None:
        """Forget what was read; the folders are read again on next access."""
        self._cache = None

    # -- Mapping ----------------------------------------------------------------

    def __getitem__(self, name: str) -> Kernel:
        return self._contents().kernels[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._contents().kernels))

    def __len__(self) -> int:
        return len(self._contents().kernels)

    # -- queries ------------------------------------------------------------------

    @property
    def errors(self) -> list[tuple[Path, str]]:
        """``(path, message)`` for every preset file that could not be used."""
        return list(self._contents().errors)

    def names(self) -> list[str]:
        """Preset names: shipped in teaching order, then the user's A–Z."""
        return list(self._contents().kernels)

    def is_user(self, name: str) -> bool:
        """True if ``name`` is one of the user's presets (not a shipped one)."""
        return name in self._contents().user_names

    def _unknown(self, name: str) -> PresetError:
        """The error for a name that is not a preset, suggesting close names."""
        close = difflib.get_close_matches(name, self.names(), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else "."
        return PresetError(f"no preset named {name!r}{hint}")

    def _require(self, name: str) -> Kernel:
        """The preset called ``name``, or PresetError suggesting close names."""
        kernel = self._contents().kernels.get(name)
        if kernel is None:
            raise self._unknown(name)
        return kernel

    def resolve(self, name_or_path: str | os.PathLike) -> Kernel:
        """A preset by name, or else a preset file by path (``*.json`` or an existing file).

        Raises
        ------
        PresetError
            If it is neither a preset name nor a readable preset file.
        """
        if isinstance(name_or_path, str) and name_or_path in self:
            return self[name_or_path]
        path = Path(name_or_path)
        if path.suffix.lower() == ".json" or path.exists():
            return read_preset(path)
        return self._require(str(name_or_path))

    # -- changes -------------------------------------------------------------------

    def _free_path(self, name: str) -> Path:
        """A file in the user folder for a new preset ``name`` that no file uses yet."""
        stem = preset_file_name(name).removesuffix(".json")
        candidates = (f"{stem}.json" if n == 1 else f"{stem}-{n}.json" for n in range(1, 10_000))
        return next(self.user_dir / c for c in candidates if not (self.user_dir / c).exists())

    def save_user(self, kernel: Kernel, *, overwrite: bool = False) -> Path:
        """Save ``kernel`` as a user preset named ``kernel.name``.

        Parameters
        ----------
        kernel : Kernel
            What to save; its name becomes the preset name.
        overwrite : bool
            Replace the user's preset of the same name.

        Returns
        -------
        Path
            The file written, in :attr:`user_dir`.

        Raises
        ------
        PresetError
            If the name is a shipped preset's, if a user preset of that name
            exists and ``overwrite`` is false, or if the file cannot be written.
        """
        existing = self._contents().kernels.get(kernel.name)
        if existing is not None and not self.is_user(kernel.name):
            raise PresetError(
                f"{kernel.name!r} is the name of a shipped preset; choose another name."
            )
        if existing is not None and not overwrite:
            raise PresetError(f"a preset named {kernel.name!r} already exists.")
        try:
            self.user_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            message = f"cannot create the preset folder {self.user_dir}: {e.strerror or e}."
            raise PresetError(message) from None
        path = existing.source if existing is not None else self._free_path(kernel.name)
        write_preset(path, kernel, overwrite=existing is not None)
        self.reload()
        return path

    def delete_user(self, name: str) -> None:
        """Delete the user preset ``name`` and its file.

        Raises
        ------
        PresetError
            If ``name`` is a shipped preset, is unknown, or cannot be deleted.
        """
        if not self.is_user(name):
            if name in self:
                raise PresetError(f"{name!r} is a shipped preset and cannot be deleted.")
            raise self._unknown(name)
        path = self[name].source
        try:
            path.unlink(missing_ok=True)
        except OSError as e:
            raise PresetError(f"cannot delete {path}: {e.strerror or e}.") from None
        self.reload()

    def import_file(self, path: str | os.PathLike, *, overwrite: bool = False) -> Kernel:
        """Check the preset file ``path`` and save a copy among the user's presets.

        Unknown keys are kept. Raises PresetError like :func:`read_preset` and
        :meth:`save_user`. Returns the imported kernel, whose ``source`` is the
        new file in :attr:`user_dir`.
        """
        kernel = read_preset(path)
        self.save_user(kernel, overwrite=overwrite)
        return self[kernel.name]

    def export(self, name: str, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Write the preset ``name`` to ``path``; PresetError like :func:`write_preset`."""
        return write_preset(path, self._require(name), overwrite=overwrite)


@lru_cache(maxsize=1)
def default_library() -> PresetLibrary:
    """The process-wide preset library (shipped + the user's folder), loaded on first use."""
    return PresetLibrary()
