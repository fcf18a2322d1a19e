"""The stage views side by side, zoom and pan linked, fitted to the input and its padded cells."""

from __future__ import annotations

from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QHBoxLayout, QWidget

from convdemo.core.padded import padded_frame
from convdemo.gui.lab.stage_views import FIT_PADDING, StageView


class StageRow(QWidget):
    """The stage views side by side, zoom and pan linked.

    Once shown in the main window, it follows the window's results (the
    padded cells around the input) and its state (the clipping notes'
    'stretch' links), see :meth:`follow`.
    """

    def __init__(self, views: list[StageView], parent: QWidget | None = None):
        super().__init__(parent)
        self.views = views
        self.source = next((view for view in views if view.stage == "source"), None)
        self._fitted: tuple[tuple[int, int], QRectF] | None = None  # input size of the last fit, range asked for
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        master = views[0].view
        for view in views:
            layout.addWidget(view, 1)
            if view.view is not master:
                view.view.setXLink(master)
                view.view.setYLink(master)

    def follow(self, results, state) -> None:
        """Show the padding of every result ``results`` emits around the input, and send the views'
        display requests to ``state`` (an :class:`~convdemo.gui.state.AppState`)."""
        results.connect(self.show_padding)
        for view in self.views:
            view.display_requested.connect(lambda mode: state.set_display(mode=mode))

    def show_padding(self, result) -> None:
        """Draw ``result``'s padded cells around the input; a view still fitted stays fitted, frame included."""
        if self.source is None:
            return
        stages = result.stages
        still_fitted = self._still_fitted()
        self.source.set_frame(padded_frame(stages.source, stages.conv_geometry, stages.settings.border))
        if still_fitted:
            self.fit(*self._fitted[0])

    def fit(self, height: int, width: int) -> None:
        """Zoom so the whole ``height × width`` input, and its padded cells, are visible in every view."""
        frame = self.source.frame if self.source is not None else None
        top, left, bottom, right = (frame.top, frame.left, frame.bottom, frame.right) if frame else (0, 0, 0, 0)
        rect = QRectF(-left, -top, width + left + right, height + top + bottom)
        self.views[0].view.setRange(rect, padding=FIT_PADDING)
        self._fitted = ((height, width), rect)

    def _still_fitted(self) -> bool:
        """The views show what the last :meth:`fit` asked for: nobody has zoomed or panned since
        (resizing the window keeps a fit, as the locked aspect grows the range around its centre)."""
        if self._fitted is None:
            return False
        rect = self._fitted[1]
        (x0, x1), (y0, y1) = self.views[0].view.viewRange()
        centred = (abs((x0 + x1) / 2 - rect.center().x()) <= 0.01 * rect.width()
                   and abs((y0 + y1) / 2 - rect.center().y()) <= 0.01 * rect.height())
        return centred and min((x1 - x0) / rect.width(), (y1 - y0) / rect.height()) <= 1 + 3 * FIT_PADDING

