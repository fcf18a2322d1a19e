"""Start the window: ``convdemo [IMAGE] [--screenshot OUT.png]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyqtgraph as pg
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication

from convdemo.core.errors import ConvdemoError
from convdemo.core.images import parse_max_size

SCREENSHOT_TIMEOUT_MS = 30000
SCREENSHOT_PNG_QUALITY = 80
"""Qt's PNG "quality" 80 is zlib level 1: half the time of the default level, a 4 % larger file, same pixels."""


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
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
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
    outcome = {"code": 0}
    if screenshot:
        def take() -> None:
            app.processEvents()
            if not window.grab().save(str(Path(screenshot)), "PNG", SCREENSHOT_PNG_QUALITY):
                print(f"convdemo: error: cannot write {screenshot!r}.", file=sys.stderr)
                outcome["code"] = 2
            window.close()

        def give_up() -> None:
            print("convdemo: error: the first result did not appear in time.", file=sys.stderr)
            outcome["code"] = 2
            window.close()

        def first_result(_result) -> None:
            window.result_shown.disconnect(first_result)
            QTimer.singleShot(0, take)  # once the events the result queued (layout, repaints) are handled

        window.result_shown.connect(first_result)
        window.loader.failed.connect(lambda message: (print(f"convdemo: error: {message}", file=sys.stderr),
                                                      outcome.update(code=2), window.close()))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
    window.open_initial(image)
    app.exec()
    return outcome["code"]
