"""The "CNN lab" tab, built the first time it is shown.

The tab's contents (:class:`~convdemo.gui.cnn.panel.CnnPanel`, its plots and
the numpy mini-CNN of :mod:`convdemo.core.nn`) are imported and built only
when the user first opens the tab, so the window starts as fast as the
convolution lab alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from convdemo.gui.cnn.panel import CnnPanel


class CnnTab(QWidget):
    """The place of the CNN lab in the window; it holds the panel once built.

    Signals
    -------
    use_filter_as_kernel(object)
        Forwarded from :attr:`CnnPanel.use_filter_as_kernel`.
    message(str)
        Forwarded from :attr:`CnnPanel.message`.
    """

    use_filter_as_kernel = pyqtSignal(object)
    message = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._panel: CnnPanel | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def panel(self) -> CnnPanel:
        """The CNN lab panel, built on first use."""
        if self._panel is None:
            from convdemo.gui.cnn.panel import CnnPanel

            self._panel = CnnPanel()
            self._panel.use_filter_as_kernel.connect(self.use_filter_as_kernel)
            self._panel.message.connect(self.message)
            self._layout.addWidget(self._panel)
        return self._panel

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.panel.show()
        super().showEvent(event)

    def shutdown(self) -> None:
        """Stop training and wait for the worker, if the panel was ever built (the window is closing)."""
        if self._panel is not None:
            self._panel.shutdown()
