"""Atomic file writes: a temporary file in the same folder, then ``os.replace``.

A crash, a kill or a full disk half-way through never leaves a truncated file where
the user's previous file was: the target is either the old file or the complete new one.
The new file gets the permissions an ordinary ``open()`` would give it (those of the file
it replaces, else 0666 less the umask), not the owner-only 0600 of a temporary file.

* The temporary file is ``.NAME.convdemo-XXXXXXXX.tmp`` next to ``NAME``. It is removed when
  the write fails; one left behind by a killed process is removed by the next write of
  ``NAME`` once it is older than :data:`STALE_SECONDS`.
* A read-only file is not replaced (``os.replace`` alone would ignore its missing write
  permission): ``cannot write 'out.npy': the file is read-only.``
* Every ``OSError`` becomes a :class:`WriteError` whose message names the target and its
  folder, never the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from convdemo.core.errors import ConvdemoError

TEMP_TAG = ".convdemo-"
TEMP_SUFFIX = ".tmp"
STALE_SECONDS = 3600.0
"""Age after which a temporary file of the same target is taken as left over by a killed write."""


class WriteError(ConvdemoError, OSError):
    """A file that cannot be written; ``str()`` is one sentence naming the target.

    Also an ``OSError`` (with ``errno``, ``strerror`` = the reason and ``filename`` = the
    target), so callers that catch ``OSError`` keep working.
    """

    def __init__(self, path: Path, code: int | None, reason: str, folder: bool = False):
        super().__init__(code, reason, str(path))
        where = f"{path.name!r} in the folder {str(path.absolute().parent)!r}" if folder else repr(str(path))
        self.sentence = f"cannot write {where}: {reason}."

    def __str__(self) -> str:
        return self.sentence


def _write_error(path: Path, error: OSError) -> WriteError:
    """``error`` (from the temporary file, the folder or the disk) as a sentence about ``path``."""
    if isinstance(error, WriteError):
        return error
    if error.errno in (errno.ENOENT, errno.ENOTDIR) and not path.parent.is_dir():
        return WriteError(path, error.errno, "the folder does not exist", folder=True)
    return WriteError(path, error.errno, error.strerror or str(error), folder=True)


def _temp_prefix(path: Path) -> str:
    return f".{path.name}{TEMP_TAG}"


def _remove_stale_temporaries(path: Path) -> None:
    """Delete ``path``'s temporary files older than :data:`STALE_SECONDS` (left by a killed write).

    Only regular files named ``.NAME.convdemo-*.tmp`` for this ``NAME`` are touched; a file
    that cannot be checked or deleted is left alone.
    """
    prefix = _temp_prefix(path)
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(path.parent) as entries:
        for entry in entries:
            if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)


def _refuse_read_only(path: Path) -> None:
    """WriteError if ``path`` is an existing file without write permission (for us, or for anyone)."""
    try:
        info = path.stat()
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and (not info.st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise WriteError(path, errno.EACCES, "the file is read-only")


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(f)`` on a temporary binary file, then move it onto ``path``.

    Parameters
    ----------
    path : path-like
        Destination; its folder must exist.
    write : callable
        Receives an open binary file and writes the whole content.

    Returns
    -------
    Path
        The destination path.

    Raises
    ------
    WriteError
        The file is read-only, or the folder or the disk refused (missing folder, no
        permission, disk full); the message names ``path``. Exceptions of ``write`` other
        than ``OSError`` pass through. Either way no temporary file is left behind.
    """
    path = Path(path)
    _refuse_read_only(path)
    mode = _mode_for(path)
    _remove_stale_temporaries(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(error, OSError):
            raise _write_error(path, error) from error
        raise
    return path


def _mode_for(path: Path) -> int:
    """Permissions for a file written at ``path``: those of the file it replaces, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import, before any worker thread exists


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda f: f.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))
