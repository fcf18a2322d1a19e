"""Open the user's files without hanging or filling memory: regular files only, size-capped reads.

Every file the app reads (image, kernel preset, model, IDX file, photo in a
folder, session) goes through :func:`open_regular` or :func:`read_capped`:

* the path is opened with ``O_NONBLOCK`` and checked with ``fstat`` *after*
  opening, so a named pipe (FIFO) never blocks and a symbolic link to a device
  (``/dev/zero``) is refused, as is a folder;
* the file's size is checked against a cap that fits its kind before anything
  is read, and reads stop at the cap even if the file grows;
* compressed data is decompressed as a stream with its own cap
  (:func:`gunzip_capped`), so a small bomb cannot expand into gigabytes.

Problems raise the caller's error type (a :class:`~convdemo.core.errors.ConvdemoError`)
with one sentence naming the file, e.g. ``cannot read 'k.json': it is a named pipe
(FIFO), not a regular file.``
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from convdemo.core.errors import ConvdemoError

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(mode: int) -> str | None:
    """What a file of ``st_mode`` ``mode`` is when it is not a regular file ('a named pipe (FIFO)'), else None."""
    return next((name for test, name in _KINDS if test(mode)), None)


def size_text(n_bytes: float) -> str:
    """``1536`` → ``'1.5 kB'``; binary units written the way people read them (kB … PB).

    >>> size_text(512), size_text(3 * 1024 ** 2), size_text(7.5 * 1024 ** 3), size_text(1.6e15)
    ('512 bytes', '3 MB', '7.5 GB', '1.42 PB')
    """
    for unit, size in (("PB", GIB << 20), ("TB", GIB << 10), ("GB", GIB), ("MB", MIB), ("kB", KIB)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{int(n_bytes)} bytes"


def _fail(error: type[ConvdemoError], path: Path, problem: str) -> ConvdemoError:
    return error(f"cannot read {str(path)!r}: {problem}.")


def open_regular(path: str | os.PathLike, *, max_bytes: int, error: type[ConvdemoError] = ConvdemoError,
                 kind: str = "file") -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file of at most ``max_bytes``.

    Parameters
    ----------
    path : path-like
        Links are followed; the file they lead to is what is checked.
    max_bytes : int
        The largest file of this kind that makes sense.
    error : type of ConvdemoError
        Raised, with a sentence naming the file, when the file cannot be used.
    kind : str
        What the file is meant to be, for the size message ('kernel preset').

    Returns
    -------
    binary file object, positioned at the start (the caller closes it)
    """
    return open_regular_as(path, max_bytes=max_bytes, kind=kind,
                           fail=lambda problem: _fail(error, Path(path), problem))


def open_regular_as(path: str | os.PathLike, *, max_bytes: int, fail: Callable[[str], ConvdemoError],
                    kind: str = "file") -> BinaryIO:
    """:func:`open_regular` for a caller that words its own messages.

    Parameters
    ----------
    path, max_bytes, kind
        As for :func:`open_regular`.
    fail : callable
        ``fail(problem)`` returns the error to raise; ``problem`` is the reason
        alone, e.g. ``'it is a named pipe (FIFO), not a regular file'``.

    Returns
    -------
    binary file object, positioned at the start (the caller closes it)
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise fail("the file does not exist") from None
    except IsADirectoryError:
        raise fail("it is a folder, not a file") from None
    except PermissionError:
        raise fail("permission denied") from None
    except OSError as exc:
        raise fail((exc.strerror or str(exc)).lower()) from None
    try:
        info = os.fstat(fd)
        kind_of_file = not_regular(info.st_mode)
        if kind_of_file:
            raise fail(f"it is {kind_of_file}, not a regular file")
        if info.st_size > max_bytes:
            raise fail(f"it is {size_text(info.st_size)}, more than a {kind} can be ({size_text(max_bytes)} at most)")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | os.PathLike, *, max_bytes: int, error: type[ConvdemoError] = ConvdemoError,
                kind: str = "file") -> bytes:
    """The whole content of a regular file of at most ``max_bytes`` (see :func:`open_regular`).

    Asks for one byte more than the file's size (never more than ``max_bytes + 1``): a file
    that grows while it is read is refused, and no buffer of the whole cap is set aside.
    """
    with open_regular(path, max_bytes=max_bytes, error=error, kind=kind) as f:
        size = os.fstat(f.fileno()).st_size
        try:
            data = f.read(size + 1)
        except OSError as exc:
            raise _fail(error, Path(path), (exc.strerror or str(exc)).lower()) from None
    if len(data) > size:
        raise _fail(error, Path(path), "it grew while being read")
    return data


def gunzip_capped(data: bytes, *, max_bytes: int, name: str, error: type[ConvdemoError] = ConvdemoError,
                  kind: str = "file") -> bytes:
    """Decompress gzip ``data`` as a stream, refusing output larger than ``max_bytes``.

    Parameters
    ----------
    data : bytes
        The compressed file's content.
    max_bytes : int
        The largest decompressed size that makes sense for this kind of file.
    name : str
        The file's name, for messages.

    Examples
    --------
    >>> import gzip
    >>> gunzip_capped(gzip.compress(b"abc"), max_bytes=10, name="x.gz")
    b'abc'
    >>> gunzip_capped(gzip.compress(bytes(1000)), max_bytes=10, name="x.gz")
    Traceback (most recent call last):
    ...
    convdemo.core.errors.ConvdemoError: cannot read 'x.gz': it decompresses to more than 10 bytes, \
more than a file can be.
    """
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            while chunk := stream.read(min(MIB, max_bytes + 1 - out.tell())):
                out.write(chunk)
                if out.tell() > max_bytes:
                    raise error(f"cannot read {name!r}: it decompresses to more than {size_text(max_bytes)}, "
                                f"more than a {kind} can be.")
    except (OSError, EOFError, zlib.error) as exc:
        raise error(f"cannot read {name!r}: its gzip data is corrupt ({exc}).") from None
    return out.getvalue()
