"""Side-by-side stage views with linked zoom, pixel values, highlights and colour bars.

Every view draws its stage in *input pixel coordinates* (see
:func:`convdemo.core.explain.placement`): an output pixel is a rectangle as
large as the stride, centred on its receptive field. So linking the views'
zoom and pan keeps the same region aligned through stride and pooling.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QEvent, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QPainterPath,
    QPen,
    QTransform,
)
from PyQt6.QtWidgets import (
    QGraphicsPathItem,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.display import DisplayImage
from convdemo.core.explain import Placement
from convdemo.gui.widgets import HIGHLIGHT, PINNED, ColourBar, format_value

STAGE_TITLES = {"source": "Input", "conv": "Convolved", "activation": "Activated", "pool": "Pooled"}
MAX_VALUE_LABELS = 24 * 24  # pixel values are written on the image when at most this many are visible


class StageView(QWidget):
    """One stage: title with its shape, the formula, the picture and a colour bar.

    Signals
    -------
    hovered(str, int, int)
        Stage name and pixel under the mouse (``-1, -1`` when outside).
    clicked(str, int, int)
        Stage name and pixel clicked.
    """

    hovered = pyqtSignal(str, int, int)
    clicked = pyqtSignal(str, int, int)

    def __init__(self, stage: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage = stage
        self.base_title = title
        self.array: np.ndarray | None = None
        self.picture: DisplayImage | None = None
        self.placement = Placement(1.0, 1.0, 0.0, 0.0)
        self.hidden: np.ndarray | None = None
        self._labels: list[pg.TextItem] = []

        self.title = QLabel(title)
        self.title.setObjectName("stageTitle")
        self.title.setStyleSheet("QLabel#stageTitle { font-weight: 600; }")
        self.formula = QLabel(" ")
        self.formula.setObjectName("stageFormula")
        self.formula.setStyleSheet("QLabel#stageFormula { font-family: monospace; font-size: 9pt; }")
        self.formula.setWordWrap(True)
        self.formula.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Same header height in every panel, so the linked views line up exactly.
        self.formula.setFixedHeight(self.formula.fontMetrics().lineSpacing() * 4 + 4)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        self.view: pg.ViewBox = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.highlight = self._path_item(HIGHLIGHT)
        self.pinned = self._path_item(PINNED)
        self.colour_bar = ColourBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.formula)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.colour_bar)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.view.sigRangeChanged.connect(self._update_value_labels)
        self.apply_palette()

    def _path_item(self, colour: QColor) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        pen = QPen(colour, 2)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(10)
        self.view.addItem(item)
        return item

    def apply_palette(self) -> None:
        """Follow the window's light or dark palette."""
        self.graphics.setBackground(self.palette().base().color())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
            self._show_picture()  # hidden animation cells use the background colour
        super().changeEvent(event)

    # -- content -----------------------------------------------------------

    def set_stage(self, array: np.ndarray, picture: DisplayImage, placement: Placement,
                  title: str, formula: str) -> None:
        """Show a new stage array and its picture at ``placement`` over the input."""
        unchanged = picture is self.picture and placement == self.placement
        self.array, self.picture, self.placement = array, picture, placement
        self.title.setText(title)
        self.formula.setText(formula)
        self.formula.setToolTip(formula)
        if unchanged:
            return
        self.image.setTransform(QTransform().translate(placement.offset_x, placement.offset_y)
                                .scale(placement.scale_x, placement.scale_y))
        self._show_picture()
        self.colour_bar.set_picture(picture)
        self._update_value_labels()

    def set_hidden(self, hidden: np.ndarray | None) -> None:
        """Blank the pixels where ``hidden`` (H, W) is True (the animation's not-yet-computed cells)."""
        self.hidden = hidden
        self._show_picture()
        self._update_value_labels()

    def _show_picture(self) -> None:
        if self.picture is None:
            return
        rgb = self.picture.rgb
        if self.hidden is not None and self.hidden.shape == rgb.shape[:2]:
            rgb = rgb.copy()
            base = self.palette().base().color()
            rgb[self.hidden] = (base.red(), base.green(), base.blue())
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))

    def clear(self, message: str = "") -> None:
        """Remove the picture (e.g. when the stage is off)."""
        self.array = self.picture = None
        self.image.clear()
        self.formula.setText(message)

    # -- coordinates ---------------------------------------------------------

    def pixel_at(self, x: float, y: float) -> tuple[int, int]:
        """Stage pixel ``(row, col)`` at input coordinates ``(x, y)``, or ``(-1, -1)``."""
        if self.array is None:
            return -1, -1
        p = self.placement
        row = int(np.floor((y - p.offset_y) / p.scale_y))
        col = int(np.floor((x - p.offset_x) / p.scale_x))
        if 0 <= row < self.array.shape[0] and 0 <= col < self.array.shape[1]:
            return row, col
        return -1, -1

    def pixel_rect(self, row: int, col: int) -> QRectF:
        """The rectangle of stage pixel ``(row, col)`` in input coordinates."""
        p = self.placement
        return QRectF(p.offset_x + col * p.scale_x, p.offset_y + row * p.scale_y, p.scale_x, p.scale_y)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if not self.view.sceneBoundingRect().contains(pos):
            self.hovered.emit(self.stage, -1, -1)
            return
        point = self.view.mapSceneToView(pos)
        self.hovered.emit(self.stage, *self.pixel_at(point.x(), point.y()))

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.view.mapSceneToView(event.scenePos())
        row, col = self.pixel_at(point.x(), point.y())
        if row >= 0:
            self.clicked.emit(self.stage, row, col)

    # -- overlays ------------------------------------------------------------

    def set_highlight(self, rects: list[QRectF], pinned: bool = False) -> None:
        """Outline ``rects`` (input coordinates); ``pinned`` uses the pinned colour."""
        path = QPainterPath()
        for rect in rects:
            path.addRect(rect)
        (self.pinned if pinned else self.highlight).setPath(path)

    def _update_value_labels(self) -> None:
        """Write each pixel's value on it when few enough pixels are visible (like the spreadsheet)."""
        for label in self._labels:
            label.hide()
        if self.array is None:
            return
        (x0, x1), (y0, y1) = self.view.viewRange()
        p = self.placement
        r0 = max(int(np.floor((y0 - p.offset_y) / p.scale_y)), 0)
        r1 = min(int(np.ceil((y1 - p.offset_y) / p.scale_y)), self.array.shape[0])
        c0 = max(int(np.floor((x0 - p.offset_x) / p.scale_x)), 0)
        c1 = min(int(np.ceil((x1 - p.offset_x) / p.scale_x)), self.array.shape[1])
        if r1 <= r0 or c1 <= c0 or (r1 - r0) * (c1 - c0) > MAX_VALUE_LABELS:
            return
        pixel_width = self.view.width() * p.scale_x / max(x1 - x0, 1e-9)
        planes = 1 if self.array.ndim == 2 else 3
        font = QFont(self.font())
        font.setPixelSize(int(np.clip(pixel_width / (3.2 if planes == 1 else 4.2), 7, 14)))
        needed = (r1 - r0) * (c1 - c0)
        while len(self._labels) < needed:
            label = pg.TextItem(anchor=(0.5, 0.5))
            label.setZValue(5)
            self.view.addItem(label)
            self._labels.append(label)
        rgb = self.picture.rgb
        for label, (row, col) in zip(self._labels, np.ndindex(r1 - r0, c1 - c0)):
            row, col = row + r0, col + c0
            if self.hidden is not None and self.hidden[row, col]:
                continue
            values = np.atleast_1d(self.array[row, col])
            label.setText("\n".join(format_value(float(v)) for v in values))
            dark = float(np.dot(rgb[row, col], (0.299, 0.587, 0.114))) < 128
            label.setColor(QColor(255, 255, 255) if dark else QColor(0, 0, 0))
            label.setFont(font)
            label.setPos(p.offset_x + (col + 0.5) * p.scale_x, p.offset_y + (row + 0.5) * p.scale_y)
            label.show()


class StageRow(QWidget):
    """The stage views side by side, zoom and pan linked."""

    def __init__(self, views: list[StageView], parent: QWidget | None = None):
        super().__init__(parent)
        self.views = views
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        master = views[0].view
        for view in views:
            layout.addWidget(view, 1)
            if view.view is not master:
                view.view.setXLink(master)
                view.view.setYLink(master)

    def fit(self, height: int, width: int) -> None:
        """Zoom so the whole ``height × width`` input is visible in every view."""
        self.views[0].view.setRange(QRectF(0, 0, width, height), padding=0.02)
