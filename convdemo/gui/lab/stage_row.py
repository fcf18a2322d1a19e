"""The stage views side by side, zoom and pan linked: fitted to all they show, zoomed in and out, 1:1."""

from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF
from PyQt6.QtWidgets import QHBoxLayout, QWidget

from convdemo.core.padded import padded_frame
from convdemo.gui.lab.stage_views import FIT_PADDING, StageView

ZOOM_STEP = 2.0
"""How many times View → Zoom in magnifies (and Zoom out shrinks) the views."""


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
        """Draw ``result``'s padded cells around the input; a view still fitted is fitted again to the new
        stages (panels turned on, a larger output, the padded cells)."""
        if self.source is None:
            return
        stages = result.stages
        still_fitted = self._still_fitted()
        self.source.set_frame(padded_frame(stages.source, stages.conv_geometry, stages.settings.border))
        if still_fitted:
            self.fit(*self._fitted[0])

    def fit(self, height: int, width: int) -> None:
        """Zoom so every visible view shows all it draws: the ``height × width`` input, its padded cells,
        and outputs larger than the input ('full' padding) too."""
        rect = QRectF(0, 0, width, height)
        for view in self.views:
            extent = view.extent() if not view.isHidden() else None
            if extent is not None:
                rect = rect.united(extent)
        self.views[0].view.setRange(rect, padding=FIT_PADDING)
        self._fitted = ((height, width), rect)

    def zoom(self, factor: float) -> None:
        """Magnify every view by ``factor`` about its centre (0.5 shows twice as much)."""
        self.views[0].view.scaleBy(s=(1 / factor, 1 / factor))

    def zoom_in(self) -> None:
        """Magnify the views :data:`ZOOM_STEP` times."""
        self.zoom(ZOOM_STEP)

    def zoom_out(self) -> None:
        """Show :data:`ZOOM_STEP` times more in every view."""
        self.zoom(1 / ZOOM_STEP)

    def centre_on(self, point: QPointF) -> None:
        """Pan every view so ``point`` (input coordinates) is in the middle, keeping the zoom."""
        box = self.views[0].view
        (x0, x1), (y0, y1) = box.viewRange()
        box.translateBy(x=point.x() - (x0 + x1) / 2, y=point.y() - (y0 + y1) / 2)

    def actual_size(self) -> None:
        """One screen pixel per input pixel, about the views' centre."""
        box = self.views[0].view
        (x0, x1), (y0, y1) = box.viewRange()
        size = box.size()
        box.setRange(QRectF((x0 + x1 - size.width()) / 2, (y0 + y1 - size.height()) / 2,
                            size.width(), size.height()), padding=0)

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

