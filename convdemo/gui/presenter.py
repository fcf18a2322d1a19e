"""Presenter mode: larger text and a layout for a projector, the views following the pinned pixel.

Turned on, the stage views' titles, formulas and pixel values and the
inspector are written :data:`PRESENTER_SCALE` times larger; the toolbar and
the side panel (kernel and options) are hidden, so the views and the inspector
take the whole window, which fits a 1366×768 projector without scrolling.
Pinning another pixel pans the linked views to centre it, keeping the zoom.
Turned off, everything is as it was. The window leaves presenter mode before
it closes, so the layout it remembers is the normal one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtWidgets import QSplitter, QToolBar

if TYPE_CHECKING:
    from convdemo.gui.main_window import MainWindow

PRESENTER_SCALE = 1.5
"""How many times larger presenter mode writes the text of the views and the inspector."""
INSPECTOR_SHARE = 0.35
"""Share of the lab's height the inspector gets in presenter mode (its text is larger)."""


@dataclass(frozen=True)
class _Layout:
    """What presenter mode changes in the window, to put back when it ends."""

    toolbar: bool
    side_panel: bool
    splitter: list[int]


class PresenterMode(QObject):
    """Presenter mode of a :class:`~convdemo.gui.main_window.MainWindow` (off at first).

    Attributes
    ----------
    enabled : bool
        Presenter mode is on.
    """

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self._window = window
        self.enabled = False
        self._saved: _Layout | None = None
        window.focus.pin_moved.connect(self._follow)
        window.installEventFilter(self)

    def set_enabled(self, on: bool) -> None:
        """Turn presenter mode on or off (nothing happens when it already is)."""
        if on == self.enabled:
            return
        self.enabled = on
        if on:  # room first, then the larger text; back in the opposite order, so the window never grows
            self._arrange()
            self._scale_text(PRESENTER_SCALE)
            self._centre_pin()
        else:
            self._scale_text(1.0)
            self._restore()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Leave presenter mode as the window closes, before it saves its layout."""
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.set_enabled(False)
        return False

    # -- layout ------------------------------------------------------------

    def _toolbar(self) -> QToolBar:
        return self._window.findChild(QToolBar, "mainToolbar")

    def _splitter(self) -> QSplitter:
        """The splitter with the views above and the inspector below."""
        return self._window.inspector.parentWidget()

    def _arrange(self) -> None:
        """Remember the layout, then hide the toolbar and the side panel and give the inspector more room."""
        splitter = self._splitter()
        sizes = splitter.sizes()
        self._saved = _Layout(not self._toolbar().isHidden(), not self._window.side_panel.isHidden(), sizes)
        self._toolbar().hide()
        self._window.side_panel.hide()
        total = sum(sizes)
        splitter.setSizes([round(total * (1 - INSPECTOR_SHARE)), round(total * INSPECTOR_SHARE)])

    def _restore(self) -> None:
        """Put back the layout :meth:`_arrange` remembered."""
        saved = self._saved
        self._toolbar().setVisible(saved.toolbar)
        self._window.side_panel.setVisible(saved.side_panel)
        self._splitter().setSizes(saved.splitter)

    def _scale_text(self, scale: float) -> None:
        for view in self._window.views.values():
            view.set_text_scale(scale)
        self._window.inspector.set_text_scale(scale)

    # -- following the pin -------------------------------------------------------

    def _centre_pin(self) -> None:
        """Pan the views so the pinned pixel, if any, is in their middle."""
        pinned = self._window.focus.pinned
        if pinned is not None:
            self._follow(*pinned)

    def _follow(self, stage: str, row: int, col: int) -> None:
        """While on, pan the views so pixel ``(row, col)`` of ``stage`` is in their middle."""
        if self.enabled:
            self._window.stage_row.centre_on(self._window.views[stage].pixel_rect(row, col).center())
