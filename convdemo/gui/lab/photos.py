"""Photos in and out of the window: file filters, clipboard, recent files, background loading.

Every load runs on a thread of its own, so a file that never finishes reading (a
named pipe, a stalled network share) cannot hold up the next one: the newest load
is the only one whose result is used, one that takes longer than
:data:`LOAD_TIMEOUT_MS` is abandoned with a sentence, and the threads are daemon
threads, so the application quits even while one of them is stuck.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from PyQt6.QtCore import QBuffer, QIODevice, QObject, QSettings, QTimer, pyqtSignal
from PyQt6.QtGui import QImage

from convdemo.core.errors import ConvdemoError
from convdemo.core.images import LoadedImage, read_image
from convdemo.core.safe_open import not_regular

RECENT_KEY = "v1/recent_images"
OPEN_FOLDER_KEY = "v1/open_folder"
"""The folder the Open dialog starts in: the one of the last file chosen in it."""
MAX_RECENT = 8
LOAD_TIMEOUT_MS = 20000
"""A load still running after this long is abandoned: the window says so and stays free."""

def open_filter() -> str:
    """File-dialog filter listing every extension Pillow can read."""
    Image.init()
    patterns = " ".join(sorted({f"*{ext}" for ext in Image.registered_extensions()}))
    return f"Images ({patterns});;All files (*)"


def qimage_to_png_bytes(image: QImage) -> bytes:
    """Encode a clipboard QImage as PNG bytes for :func:`read_image`."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def path_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be an image file, found with ``os.stat`` alone (nothing is opened).

    Cheap enough for the GUI thread, and it never blocks on a named pipe, which
    opening would.

    Parameters
    ----------
    path : path-like
        A path the user gave (command line, dialog, drop, recent files).

    Returns
    -------
    str or None
        A sentence naming the path, e.g. ``"Cannot open '/no/such.png': the file does
        not exist."``; None when it is a non-empty regular file (which may still fail
        to decode).
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        problem = "the file does not exist"
    except PermissionError:
        problem = "permission denied"
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the path
        problem = (getattr(error, "strerror", None) or str(error)).lower()
    else:
        kind_of_file = not_regular(info.st_mode)
        problem = f"it is {kind_of_file}, not an image file" if kind_of_file else None
        if problem is None and info.st_size == 0:
            problem = "the file is empty"
    return None if problem is None else f"Cannot open {str(path)!r}: {problem}."


def stored_paths(value) -> list[str]:
    """The paths of a stored recent-files value (QSettings gives a one-item list back as text).

    Raises
    ------
    TypeError
        If ``value`` is neither text nor a list of texts.
    """
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise TypeError(f"not a list of paths: {value!r:.80}")
    return paths


def recent_files(settings: QSettings) -> list[str]:
    """Recently opened image paths that still exist, newest first (none if the stored list is unreadable)."""
    try:
        paths = stored_paths(settings.value(RECENT_KEY, []))
    except TypeError:
        return []
    return [p for p in paths if Path(p).is_file()]


def remember_file(settings: QSettings, path: str) -> None:
    """Put ``path`` at the top of the recent list."""
    paths = [p for p in recent_files(settings) if p != path]
    settings.setValue(RECENT_KEY, [path, *paths][:MAX_RECENT])


def open_folder(settings: QSettings) -> str:
    """The Open dialog's start folder: the remembered one if it still exists, else the home folder."""
    folder = settings.value(OPEN_FOLDER_KEY, "")
    if isinstance(folder, str) and folder and Path(folder).is_dir():
        return folder
    return str(Path.home())


def remember_folder(settings: QSettings, path: str) -> None:
    """Remember the folder of ``path``, a file chosen in the Open dialog, for the next one."""
    settings.setValue(OPEN_FOLDER_KEY, str(Path(path).parent))


@dataclass(frozen=True)
class _Request:
    """One load: its token, what it reads and how the user knows it."""

    token: int
    source: object
    max_size: int | None
    name: str | None

    @property
    def path(self) -> str | None:
        """The file path, or None for clipboard or dropped data."""
        return self.source if isinstance(self.source, str) else None

    @property
    def label(self) -> str:
        """The path (quoted) or the name, as a message shows it."""
        return repr(self.path) if self.path else self.name or "the image"


def _decode(request: _Request, done) -> None:
    """Worker thread: decode ``request`` and report through the ``done`` signal, never raising."""
    try:
        image = read_image(request.source, max_size=request.max_size)
        if request.name:
            image = LoadedImage(image.pixels, image.original_size, request.name)
        outcome = (image, "")
    except ConvdemoError as error:
        outcome = (None, str(error))
    except Exception as error:  # noqa: BLE001 - shown to the user, never a crash
        outcome = (None, f"Cannot open {request.label}: {error}")
    with contextlib.suppress(RuntimeError):  # the loader was deleted while this ran (window closed): nobody waits
        done.emit(request.token, *outcome)


class ImageLoader(QObject):
    """Decode images in worker threads, one per load; the newest request wins.

    Older loads still running when a new one starts are left to finish on their
    own and their results are dropped; the newest is abandoned after
    ``timeout_ms``. Nothing ever waits for a worker except :meth:`wait`.

    Parameters
    ----------
    parent : QObject, optional
    timeout_ms : int
        How long the newest load may take before it is abandoned.

    Signals
    -------
    loaded(LoadedImage, object)
        The image and its source (a path string, or None for clipboard data).
    failed(str)
        A sentence naming the file and the problem (also when the load was abandoned).
    """

    loaded = pyqtSignal(object, object)
    failed = pyqtSignal(str)
    _done = pyqtSignal(int, object, str)

    def __init__(self, parent: QObject | None = None, timeout_ms: int = LOAD_TIMEOUT_MS):
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._token = 0
        self._pending: _Request | None = None
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._abandon)
        self._done.connect(self._on_done)

    def load(self, source, max_size, name: str | None = None) -> None:
        """Start loading a path or bytes at working size ``max_size`` on a new thread."""
        self._token += 1
        self._pending = _Request(self._token, source, max_size, name)
        self._thread = threading.Thread(target=_decode, args=(self._pending, self._done), daemon=True,
                                        name=f"convdemo-image-load-{self._token}")
        self._thread.start()
        self._timer.start(self.timeout_ms)

    def _on_done(self, token: int, image, message: str) -> None:
        request = self._pending
        if request is None or token != request.token:
            return  # superseded by a newer load, or abandoned
        self._timer.stop()
        self._pending = None
        if image is None:
            self.failed.emit(message)
        else:
            self.loaded.emit(image, request.path)

    def _abandon(self) -> None:
        request, self._pending = self._pending, None
        if request is not None:
            self.failed.emit(f"Opening {request.label} is taking too long; it was abandoned.")

    def wait(self, msecs: int = 10000) -> bool:
        """Block until the newest load's thread ended, at most ``msecs`` (tests); True if it did.

        Its result is delivered by the event loop afterwards. Never called at shutdown:
        a stuck thread is simply left behind.
        """
        if self._thread is not None:
            self._thread.join(msecs / 1000)
        return self._thread is None or not self._thread.is_alive()
