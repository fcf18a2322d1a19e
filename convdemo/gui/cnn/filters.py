"""The first conv layer's learned filters, enlarged, with their weights written on 3×3 cells.

Every filter is drawn as its k×k weights in the kernel editor's diverging
colours (blue negative, white zero, red positive), all filters on one scale,
shown by a colour bar, so a pale filter really has small weights. Clicking a filter selects it;
:class:`FiltersBox` then offers to send it to the kernel editor.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QEvent, QPointF, QRectF, QSizeF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.display import DisplayImage
from convdemo.gui.widgets import HIGHLIGHT, ColourBar, format_weight, text_colour, tints

CELL_PIXELS = {3: 30, 5: 17}
"""Side of one weight's cell for each kernel size; 3×3 cells are wide enough for their numbers."""
NUMBERS_FROM = 26
"""Weights are written on cells at least this wide."""
FILTER_GAP = 8
CAPTION = 13
CHANNEL_NAMES = ("red", "green", "blue")


def cell_text(value: float) -> str:
    """A weight as written on its cell: at most 4 characters where the number allows (``−0.6``, ``0.25``),
    so it fits a 3×3 filter's cell; small weights keep their digit (``0.004``, not ``0.00``)."""
    return format_weight(value, 4)


class FilterGrid(QWidget):
    """Filters of shape (F, k, k) as a wrapping grid of enlarged weight cells.

    Signals
    -------
    selected(int)
        The filter the user clicked.

    Attributes
    ----------
    weights : ndarray of shape (F, k, k)
        The weights on screen.
    selection : int or None
    """

    selected = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.weights = np.zeros((0, 3, 3), np.float32)
        self.selection: int | None = None
        self.scale = 0.0
        self._tints: list[list[list[QColor]]] = []
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_filters(self, weights: np.ndarray) -> None:
        """Show ``weights`` (F, k, k); keeps the selection when the filter still exists."""
        self.weights = np.array(weights, copy=True)
        self.scale = float(np.abs(self.weights).max()) if self.weights.size else 0.0
        self._tints = [tints(w, self.scale) for w in self.weights]
        if self.selection is not None and self.selection >= len(self.weights):
            self.selection = None
        self._fit_height()
        self.update()

    def select(self, index: int | None) -> None:
        """Select filter ``index`` (None: none) and announce it."""
        self.selection = index
        self.update()
        if index is not None:
            self.selected.emit(index)

    # -- geometry --------------------------------------------------------------

    @property
    def cell(self) -> int:
        """Side of one weight's cell in pixels."""
        return CELL_PIXELS.get(self.weights.shape[1], 17)

    @property
    def _pitch(self) -> tuple[int, int]:
        """Horizontal and vertical distance from one filter to the next."""
        side = self.cell * self.weights.shape[1]
        return side + FILTER_GAP, side + CAPTION + FILTER_GAP

    def _columns(self) -> int:
        return max(1, (self.width() + FILTER_GAP) // self._pitch[0])

    def _origin(self, index: int) -> QPointF:
        """Top-left corner of filter ``index``'s cells."""
        columns = self._columns()
        dx, dy = self._pitch
        return QPointF((index % columns) * dx + 2, (index // columns) * dy + CAPTION)

    def filter_at(self, point: QPointF) -> int | None:
        """Index of the filter under ``point``, or None."""
        side = self.cell * self.weights.shape[1]
        return next((index for index in range(len(self.weights))
                     if QRectF(self._origin(index), QSizeF(side, side)).contains(point)), None)

    def _fit_height(self) -> None:
        rows = -(-len(self.weights) // self._columns())
        self.setMinimumHeight(rows * self._pitch[1] + 4)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_height()

    # -- input -----------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        index = self.filter_at(event.position())
        if index is not None:
            self.select(index)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.filter_at(QPointF(event.pos()))
            if index is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._tooltip(index), self)
            return True
        return super().event(event)

    def _tooltip(self, index: int) -> str:
        rows = "\n".join("  ".join(f"{format_weight(v):>7}" for v in row) for row in self.weights[index])
        return f"Filter {index + 1} (click to select):\n{rows}"

    # -- painting --------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = painter.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        painter.setFont(font)
        for index in range(len(self.weights)):
            self._paint_filter(painter, index)
        painter.end()

    def _paint_filter(self, painter: QPainter, index: int) -> None:
        origin, cell = self._origin(index), self.cell
        k = self.weights.shape[1]
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(origin.x(), origin.y() - CAPTION, cell * k, CAPTION),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"#{index + 1}")
        for r in range(k):
            for c in range(k):
                rect = QRectF(origin.x() + c * cell, origin.y() + r * cell, cell - 1, cell - 1)
                background = self._tints[index][r][c]
                painter.fillRect(rect, background)
                if cell >= NUMBERS_FROM:
                    painter.setPen(text_colour(background))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, cell_text(self.weights[index, r, c]))
        if index == self.selection:
            painter.setPen(QPen(HIGHLIGHT, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(origin.x() - 2, origin.y() - 2, cell * k + 3, cell * k + 3))


class FiltersBox(QGroupBox):
    """The learned filters of conv1, the scale, and "Use this filter as the kernel".

    Signals
    -------
    use_filter(object)
        The selected filter's (k, k) float64 weights for the shown input channel.
    """

    use_filter = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Learned filters · conv1", parent)
        self.filters = np.zeros((0, 3, 3, 1), np.float32)
        self.grid = FilterGrid()
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scale_bar = ColourBar()
        self.channel = QComboBox()
        self.channel.addItems([f"{name} input" for name in CHANNEL_NAMES])
        self.channel.setToolTip("A colour network's filters have one k×k plane per input channel; pick the one "
                                "to show.")
        self.use_button = QPushButton("Use this filter as the kernel")
        self.use_button.setToolTip("Send the selected filter to the kernel editor of the Convolution lab, to "
                                   "apply it to a photo.")
        self.use_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.scale_bar, 1)
        top.addWidget(self.channel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.use_button)
        self.grid.selected.connect(self._on_selected)
        self.channel.currentIndexChanged.connect(self._show_channel)
        self.use_button.clicked.connect(self._send)

    def set_filters(self, filters: np.ndarray) -> None:
        """Show ``filters`` of shape (F, k, k, C) (a model's ``first_layer_filters()``)."""
        self.filters = filters
        self.channel.setVisible(filters.shape[3] > 1)
        self._show_channel()

    def _show_channel(self) -> None:
        channel = min(self.channel.currentIndex(), self.filters.shape[3] - 1)
        self.grid.set_filters(self.filters[..., channel])
        k = self.filters.shape[1]
        self.setTitle(f"Learned filters · conv1 · {len(self.filters)} of {k}×{k}")
        scale = self.grid.scale or 1.0
        self.scale_bar.set_picture(DisplayImage(np.zeros((0, 0, 3), np.uint8), "diverging", -scale, scale,
                                                "diverging"))
        self._on_selected(self.grid.selection)

    def _on_selected(self, index: int | None) -> None:
        self.use_button.setEnabled(index is not None)
        self.use_button.setText("Use this filter as the kernel" if index is None
                                else f"Use filter #{index + 1} as the kernel")

    def _send(self) -> None:
        if self.grid.selection is not None:
            self.use_filter.emit(self.grid.weights[self.grid.selection].astype(np.float64))
