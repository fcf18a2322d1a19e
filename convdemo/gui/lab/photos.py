"""Photos in and out of the window: file filters, clipboard, recent files, background loading."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PyQt6.QtCore import (
    QBuffer,
    QIODevice,
    QObject,
    QRunnable,
    QSettings,
    QThreadPool,
    pyqtSignal,
)
from PyQt6.QtGui import QImage

from convdemo.core.errors import ConvdemoError
from convdemo.core.images import LoadedImage, read_image

RECENT_KEY = "v1/recent_images"
MAX_RECENT = 8


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


def recent_files(settings: QSettings) -> list[str]:
    """Recently opened image paths that still exist, newest first."""
    value = settings.value(RECENT_KEY, [])
    paths = [value] if isinstance(value, str) else list(value or [])
    return [p for p in paths if Path(p).is_file()]


def remember_file(settings: QSettings, path: str) -> None:
    """Put ``path`` at the top of the recent list."""
    paths = [p for p in recent_files(settings) if p != path]
    settings.setValue(RECENT_KEY, [path, *paths][:MAX_RECENT])


class _LoadJob(QRunnable):
    def __init__(self, loader: ImageLoader, source, max_size, name: str | None, token: int):
        super().__init__()
        self.loader, self.source, self.max_size, self.name, self.token = loader, source, max_size, name, token

    def run(self) -> None:
        try:
            image = read_image(self.source, max_size=self.max_size)
            if self.name:
                image = LoadedImage(image.pixels, image.original_size, self.name)
            self.loader._done.emit(self.token, image, "")
        except ConvdemoError as error:
            self.loader._done.emit(self.token, None, str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user, never a crash
            self.loader._done.emit(self.token, None, f"Cannot open the image: {error}")


class ImageLoader(QObject):
    """Decode images in a worker thread; the newest request wins.

    Signals
    -------
    loaded(LoadedImage, object)
        The image and its source (a path string, or None for clipboard data).
    failed(str)
        A sentence naming the file and the problem.
    """

    loaded = pyqtSignal(object, object)
    failed = pyqtSignal(str)
    _done = pyqtSignal(int, object, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._token = 0
        self._sources: dict[int, object] = {}
        self._done.connect(self._on_done)

    def load(self, source, max_size, name: str | None = None) -> None:
        """Start loading a path or bytes at working size ``max_size``."""
        self._token += 1
        self._sources = {self._token: source if isinstance(source, str) else None}
        self._pool.start(_LoadJob(self, source, max_size, name, self._token))

    def _on_done(self, token: int, image, message: str) -> None:
        if token != self._token:
            return
        if image is None:
            self.failed.emit(message)
        else:
            self.loaded.emit(image, self._sources.get(token))

    def wait(self, msecs: int = 10000) -> bool:
        """Block until loading finished (tests, shutdown)."""
        return self._pool.waitForDone(msecs)
