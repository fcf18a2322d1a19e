"""What the mini-CNN does with one image, and how it does on a data set.

- :class:`PredictionBars`: the most likely classes as horizontal bars;
- :class:`FeatureMaps`: every conv, ReLU and pooling output as small tiles;
- :class:`ConfusionView`: the confusion matrix as coloured cells with counts;
- :func:`rgb_pixmap`: an RGB array as a crisp, enlarged pixmap;
- :func:`group_box`: a titled box stacking widgets, the last one stretching.

The pictures' numbers come from :mod:`convdemo.core.nn.visual`; these
widgets only paint them.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPixmap
from PyQt6.QtWidgets import (
    QGroupBox,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from convdemo.core import nn
from convdemo.core.geometry import shape_text
from convdemo.core.nn.visual import LayerMosaic, confusion_colours, layer_mosaic, top_k
from convdemo.gui.widgets import format_value, text_colour

TOP_K = 10
"""Bars shown at most (all classes of the built-in sets)."""
BAR_ROW = 19
BEST = QColor(33, 102, 172)
OTHERS = QColor(146, 170, 196)
WRONG = QColor(178, 24, 43)
MAP_GAP = 1
MAX_ZOOM = 3
TILES_PER_ROW = 8
"""Feature-map tiles a row should hold at the chosen zoom."""
CONFUSION_CELL = 24


def rgb_pixmap(rgb: np.ndarray, zoom: int = 1) -> QPixmap:
    """A (H, W, 3) uint8 array as a pixmap enlarged ``zoom`` times with square pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    pixmap = QPixmap.fromImage(image.copy())
    if zoom != 1:
        pixmap = pixmap.scaled(w * zoom, h * zoom, transformMode=Qt.TransformationMode.FastTransformation)
    return pixmap


def group_box(title: str, *widgets: QWidget, tip: str = "") -> QGroupBox:
    """A box titled ``title`` with ``widgets`` stacked in it; the last one takes the spare height."""
    box = QGroupBox(title)
    box.setToolTip(tip)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 6)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    layout.setStretch(len(widgets) - 1, 1)
    return box


def _small_font(widget: QWidget, smaller: float = 1.0) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() - smaller))
    return font


class PredictionBars(QWidget):
    """Class probabilities as bars, most likely first.

    Attributes
    ----------
    probabilities : ndarray of shape (K,) or None
        Every class's probability, as last given.
    shown : list of (str, float)
        The bars on screen: class name and probability.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.probabilities: np.ndarray | None = None
        self.shown: list[tuple[str, float]] = []
        self._true: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(TOP_K * BAR_ROW + 4)
        self.setToolTip("The network's probability for each class, most likely first; the bars add up to 100 %.")

    def set_prediction(self, proba: np.ndarray | None, class_names: tuple[str, ...] = (),
                       true_label: int | None = None) -> None:
        """Show ``proba`` (K,) for ``class_names``; ``true_label`` marks a wrong top guess in red."""
        self.probabilities = None if proba is None else np.asarray(proba)
        self.shown = [] if proba is None else [(class_names[i], float(proba[i])) for i in top_k(proba, TOP_K)]
        self._true = None if true_label is None else class_names[true_label]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setFont(_small_font(self, 0.5))
        metrics = painter.fontMetrics()
        names_width = min(110, max((metrics.horizontalAdvance(name) for name, _ in self.shown), default=0) + 8)
        percent_width = metrics.horizontalAdvance("100.0 %") + 6
        bar_width = max(10, self.width() - names_width - percent_width)
        text = self.palette().windowText().color()
        for row, (name, p) in enumerate(self.shown):
            top = 2 + row * BAR_ROW
            label = QRectF(0, top, names_width - 6, BAR_ROW)
            painter.setPen(text)
            painter.drawText(label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(label.width())))
            colour = OTHERS if row else (BEST if self._true in (None, name) else WRONG)
            painter.fillRect(QRectF(names_width, top + 3, max(1.0, p * bar_width), BAR_ROW - 6), colour)
            painter.drawText(QRectF(names_width + bar_width, top, percent_width, BAR_ROW),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{100 * p:.1f} %")
        painter.end()


class _MapRow(QWidget):
    """One layer of :class:`FeatureMaps`: a title line and its tiles."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.picture)


class FeatureMaps(QScrollArea):
    """Every image-shaped layer output of one sample, one row of tiles per layer.

    All layers share one zoom, so pooling visibly halves the maps; each
    layer's channels share one colour scale (see :func:`layer_mosaic`).

    Attributes
    ----------
    maps : list of (str, ndarray)
        The layers shown: name and (h, w, C) output.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.maps: list[tuple[str, np.ndarray]] = []
        self._rows: list[_MapRow] = []
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(4, 2, 4, 2)
        self._layout.setSpacing(2)
        self._layout.addStretch(1)
        self.setWidget(self._inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def set_maps(self, maps: list[tuple[str, np.ndarray]]) -> None:
        """Show ``maps`` (layer name, (h, w, C) array); vector outputs are left out."""
        self.maps = [(name, a) for name, a in maps if a.ndim == 3]
        while len(self._rows) < len(self.maps):
            row = _MapRow()
            self._layout.insertWidget(len(self._rows), row)
            self._rows.append(row)
        self._render()

    def _render(self) -> None:
        width = self.viewport().width() - 8
        zoom = self._zoom(width)
        for row, (name, a) in zip(self._rows, self.maps):
            h, w, c = a.shape
            columns = max(1, width // ((w + MAP_GAP) * zoom))
            mosaic = layer_mosaic(a, columns, colours="grey" if name == "input" else "auto", gap=MAP_GAP)
            row.title.setText(f"<b>{name}</b> · {shape_text(a.shape)} · {_scale_text(mosaic)}")
            row.picture.setPixmap(rgb_pixmap(mosaic.rgb, zoom))
            row.show()
        for row in self._rows[len(self.maps):]:
            row.hide()

    def _zoom(self, width: int) -> int:
        """Largest zoom, up to MAX_ZOOM, at which the first conv layer's tiles fit ``width`` in one row.

        Only up to TILES_PER_ROW tiles count: more filters wrap onto further rows.
        """
        if not self.maps:
            return 1
        _, first = self.maps[min(1, len(self.maps) - 1)]
        _, w, c = first.shape
        fits = width // (min(c, TILES_PER_ROW) * (w + MAP_GAP))
        return int(np.clip(fits, 1, MAX_ZOOM))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.maps:
            self._render()


def _scale_text(mosaic: LayerMosaic) -> str:
    """The colour scale of a mosaic in words: ``'−1.2 … 1.2'``."""
    return f"{format_value(mosaic.low)} … {format_value(mosaic.high)}"


class ConfusionView(QWidget):
    """The confusion matrix: rows are true classes, columns predicted ones, each cell its count.

    Diagonal cells (right answers) turn green and the others red as their share
    of the true class grows.

    Attributes
    ----------
    evaluation : Evaluation or None
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.evaluation: nn.Evaluation | None = None
        self._colours: np.ndarray | None = None
        self.setToolTip("Each cell counts the validation images of the row's true class that the network "
                        "called the column's class: green right, red wrong.")

    def set_evaluation(self, evaluation: nn.Evaluation | None) -> None:
        """Show ``evaluation``'s confusion matrix, or nothing."""
        self.evaluation = evaluation
        self._colours = None if evaluation is None else confusion_colours(evaluation.confusion)
        self.updateGeometry()
        self.update()

    def _cell(self) -> float:
        k = len(self.evaluation.class_names)
        room = min(self.width() - self._label_width(), self.height() - 20)
        return float(np.clip(room / k, 12, CONFUSION_CELL))

    def _row_labels(self) -> list[str]:
        """Class names, led by the column number when the name is not that number (``'3 plus'``)."""
        names = self.evaluation.class_names if self.evaluation else ()
        return [name if name == str(i) else f"{i} {name}" for i, name in enumerate(names)]

    def _label_width(self) -> int:
        return min(100, max((self.fontMetrics().horizontalAdvance(n) for n in self._row_labels()), default=0) + 10)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        k = len(self.evaluation.class_names) if self.evaluation else 10
        return QSize(self._label_width() + k * CONFUSION_CELL + 4, k * CONFUSION_CELL + 22)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if self.evaluation is None:
            return
        painter = QPainter(self)
        cell, left, top = self._cell(), self._label_width(), 18
        k = len(self.evaluation.class_names)
        painter.setFont(_small_font(self, 1.0 if cell >= 20 else 2.0))
        metrics = painter.fontMetrics()
        text = self.palette().windowText().color()
        for i, name in enumerate(self._row_labels()):
            painter.setPen(text)
            painter.drawText(QRectF(0, top + i * cell, left - 6, cell),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight, left - 6))
            painter.drawText(QRectF(left + i * cell, 0, cell, top), Qt.AlignmentFlag.AlignCenter, str(i))
            for j in range(k):
                rect = QRectF(left + j * cell, top + i * cell, cell - 1, cell - 1)
                background = QColor(*self._colours[i, j].tolist())
                painter.fillRect(rect, background)
                count = int(self.evaluation.confusion[i, j])
                if count:
                    painter.setPen(text_colour(background))
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _count_text(count))
        painter.end()


def _count_text(count: int) -> str:
    """A cell count in at most four characters: ``987``, ``1.2k``, ``12k``."""
    if count < 1000:
        return str(count)
    return f"{count / 1000:.1f}k" if count < 10_000 else f"{count // 1000}k"
