"""A drawing pad: write a digit with the mouse, white ink on black, like the training images.

The pad keeps its own grey picture and reports changes at most every
``THROTTLE_MS`` milliseconds while the pen moves (and once more when it
lifts), so the prediction and feature maps can follow the drawing live
without recomputing for every mouse event.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPointF, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

PAD_SIZE = 196
"""Side of the pad in pixels (7 × 28, so a training pixel is a 7×7 block)."""
PEN_WIDTH = 16.0
"""Pen width in pad pixels: about MNIST's stroke after framing the digit to 20 px."""
THROTTLE_MS = 60


class DrawingCanvas(QWidget):
    """A square black pad drawn on with a thick, round white pen.

    Signals
    -------
    drawing_changed()
        The ink changed (throttled while drawing; at once on :meth:`clear`).
    """

    drawing_changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image = QImage(PAD_SIZE, PAD_SIZE, QImage.Format.Format_Grayscale8)
        self._image.fill(0)
        self._last: QPointF | None = None
        self._blank = True
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(THROTTLE_MS)
        self._throttle.timeout.connect(self.drawing_changed)
        self.setFixedSize(PAD_SIZE, PAD_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit or shape with the left mouse button; the network's guess follows your pen.")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(PAD_SIZE, PAD_SIZE)

    # -- the ink ---------------------------------------------------------------

    def ink(self) -> np.ndarray:
        """The drawing, shape (PAD_SIZE, PAD_SIZE), float32: 0 black to 1 white ink."""
        bits = self._image.constBits()
        bits.setsize(self._image.sizeInBytes())
        rows = np.frombuffer(bits, np.uint8).reshape(PAD_SIZE, self._image.bytesPerLine())
        return rows[:, :PAD_SIZE].astype(np.float32) / 255.0

    def is_empty(self) -> bool:
        """True when nothing is drawn."""
        return self._blank

    def clear(self) -> None:
        """Wipe the pad."""
        self._image.fill(0)
        self._blank = True
        self._throttle.stop()
        self.update()
        self.drawing_changed.emit()

    # -- strokes (the mouse handlers call these; tests may too) ------------------

    def begin_stroke(self, point: QPointF) -> None:
        """Put the pen down at ``point`` (pad pixels) and draw a dot."""
        self._last = QPointF(point)
        self._draw_to(point)

    def extend_stroke(self, point: QPointF) -> None:
        """Draw from the previous point to ``point``."""
        if self._last is not None:
            self._draw_to(point)

    def end_stroke(self) -> None:
        """Lift the pen and report the finished stroke at once."""
        self._last = None
        self._throttle.stop()
        self.drawing_changed.emit()

    def _draw_to(self, point: QPointF) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(self._last, point)
        painter.end()
        self._last = QPointF(point)
        self._blank = False
        self.update()
        if not self._throttle.isActive():
            self._throttle.start()

    # -- Qt events -------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.extend_stroke(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self._last is not None:
            self.end_stroke()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)
        if self._blank:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "draw here")
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(0, 0, PAD_SIZE - 1, PAD_SIZE - 1)
        painter.end()
