"""The preset library: the shipped presets (``kernels/``) and the user's own, by name.

A bad file in either folder is listed in :attr:`PresetLibrary.errors` with its
path and the field at fault, and never stops the others from loading. The file
format itself is :mod:`convdemo.core.preset_files`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs

from convdemo.core.errors import ConvdemoError, PresetError
from convdemo.core.kernels import Kernel
from convdemo.core.preset_files import preset_file_name, read_preset, write_preset
from convdemo.core.resources import shipped_kernels_dir

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



def _default_user_dir() -> Path:
    return platformdirs.user_data_path("convdemo") / "kernels"


def _teaching_key(kernel: Kernel) -> tuple:
    if kernel.name in TEACHING_ORDER:
        return (0, TEACHING_ORDER.index(kernel.name))
    return (1, kernel.name.casefold(), kernel.name)


def _scan(folder: Path) -> tuple[list[Kernel], list[tuple[Path | None, str]]]:
    """Read every ``*.json`` in ``folder`` (hidden files skipped): kernels and failures.

    A file that cannot be used (malformed, a named pipe, a link to a device, too big) is
    one failure naming its path; it never stops the others from loading.
    """
    kernels: list[Kernel] = []
    errors: list[tuple[Path | None, str]] = []
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    for path in paths:
        if path.name.startswith("."):
            continue
        try:
            kernels.append(read_preset(path))
        except ConvdemoError as e:
            errors.append((path, str(e)))
    return kernels, errors


@dataclass
class _Contents:
    user_dir: Path
    kernels: dict[str, Kernel]
    user_names: frozenset[str]
    errors: list[tuple[Path | None, str]]


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
    def _add(kernels: dict[str, Kernel], kernel: Kernel, errors: list[tuple[Path | None, str]]) -> bool:
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
    def errors(self) -> list[tuple[Path | None, str]]:
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
        path = existing.source if existing is not None and existing.source else self._free_path(kernel.name)
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
            if path is not None:  # a user preset always has its file; this keeps the type honest
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
