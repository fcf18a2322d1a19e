"""Start the window: ``convdemo [IMAGE] [--screenshot OUT.png]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PyQt6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PyQt6.QtWidgets import QApplication

from convdemo.core.errors import ConvdemoError, ImageLoadError
from convdemo.core.images import parse_max_size
from convdemo.gui.lab.photos import path_problem

if TYPE_CHECKING:
    from convdemo.gui.main_window import MainWindow

SCREENSHOT_TIMEOUT_MS = 30000
SCREENSHOT_PNG_QUALITY = 80
"""Qt's PNG "quality" 80 is zlib level 1: half the time of the default level, a 4 % larger file, same pixels."""
OFFSCREEN_NOTICES = frozenset({"This plugin does not support propagateSizeHints()"})
"""What Qt's offscreen platform says about features it lacks: not errors, so a screenshot run drops them."""


def _display_available() -> bool:
    """False on Linux with no X11/Wayland display and no explicit Qt platform (Qt would abort)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, with the names QSettings uses."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("convdemo")
    app.setApplicationName("convdemo")
    app.setStyle("Fusion")
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    return app


def launch(image: str | None = None, screenshot: str | None = None, max_size: str | None = None,
           size: tuple[int, int] | None = None) -> int:
    """Open the main window; with ``screenshot``, save it after the first result and exit.

    Parameters
    ----------
    image : str, optional
        The image to open; the default sample when None.
    screenshot : str, optional
        Save the window as this PNG once the first result is on screen, then exit.
    max_size : str, optional
        The working resolution as typed: a longest side in pixels, or 'full'; by default the last session's.
    size : (int, int), optional
        The window's (width, height) in pixels; by default the last session's, and for a
        screenshot :data:`~convdemo.gui.main_window.DEFAULT_WINDOW_SIZE`.

    Returns
    -------
    int
        The exit code (0, or 2 when the screenshot could not be made).
    """
    if screenshot:
        _check_screenshot_image(image)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        qInstallMessageHandler(_drop_offscreen_notices)
    elif not _display_available():
        raise ConvdemoError("no display found to open the window on (set DISPLAY, or use --screenshot OUT.png, "
                            "or run headless with QT_QPA_PLATFORM=offscreen).")
    app = make_app()
    from convdemo.gui.main_window import DEFAULT_WINDOW_SIZE, MainWindow

    window = MainWindow()
    window.restore_session()
    if max_size is not None:
        window.max_size = parse_max_size(max_size)
        window.controls.set_working_size(window.max_size)
    if size is not None or screenshot:
        window.resize(*(size or DEFAULT_WINDOW_SIZE))
    window.show()
    shot = _Screenshot(window, screenshot) if screenshot else None
    window.open_initial(image)
    app.exec()
    return shot.code if shot else 0


def _check_screenshot_image(image: str | None) -> None:
    """A screenshot of an image that cannot be opened fails before the window starts (one error line)."""
    problem = image and path_problem(image)
    if problem:
        raise ImageLoadError(problem)


def _drop_offscreen_notices(_kind: QtMsgType, _context: QMessageLogContext, message: str | None) -> None:
    """Qt's messages on stderr as usual, except :data:`OFFSCREEN_NOTICES`."""
    if message not in OFFSCREEN_NOTICES:
        print(message, file=sys.stderr)


class _Screenshot:
    """Save ``window`` as a PNG once its first result is painted, then close it.

    Anything that stops it (the image cannot be opened, no result in time, the PNG
    cannot be written) prints one ``convdemo: error:`` line and sets :attr:`code` to 2.

    Attributes
    ----------
    code : int
        The exit code: 0 once saved, 2 after a failure.
    """

    def __init__(self, window: MainWindow, path: str):
        self.window, self.path = window, path
        self.code = 0
        self._finished = False
        window.result_shown.connect(self._first_result)
        window.open_failed.connect(self.fail)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: self.fail("the first result did not appear in time."))

    def _first_result(self, _result) -> None:
        self.window.result_shown.disconnect(self._first_result)
        QTimer.singleShot(0, self._take)  # once the events the result queued (layout, repaints) are handled

    def _take(self) -> None:
        if self._finished:
            return
        QApplication.processEvents()
        if self.window.grab().save(str(Path(self.path)), "PNG", SCREENSHOT_PNG_QUALITY):
            self._finish(0)
        else:
            self.fail(f"cannot write {self.path!r}.")

    def fail(self, message: str) -> None:
        """Print ``message`` as the one error line and close the window with exit code 2 (once)."""
        if not self._finished:
            print(f"convdemo: error: {' '.join(message.split())}", file=sys.stderr)
            self._finish(2)

    def _finish(self, code: int) -> None:
        self._finished = True
        self.code = code
        QTimer.singleShot(0, self.window.close)  # from the event loop: it may not be running yet
