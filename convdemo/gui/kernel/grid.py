"""The kernel editor's grid of weight cells, tinted by sign and magnitude.

:class:`KernelGrid` shows one plane of weights as up to 9×9
:class:`KernelCell` line edits. A cell is edited by typing (``-1``, ``0.25`` or ``0,25``,
``1/9``), nudged by the mouse wheel (±0.1, Shift ±1, Ctrl ±0.01) or by
dragging up and down with the right mouse button, and left with Tab or the
arrow keys. The grid never changes weights itself: it reports what the user
asked for and the editor decides, then shows the result with
:meth:`KernelGrid.show_plane`.

Cells use the diverging map of the stage views (:func:`diverging_colours`),
scaled so the largest ``|w|`` of the kernel is the strongest blue or red, and
pick dark or light text from the cell's own brightness, so numbers stay
readable under light and dark palettes.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
from PyQt6.QtCore import QEvent, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QWheelEvent,
)
from PyQt6.QtWidgets import QGridLayout, QLineEdit, QWidget

from convdemo.core.errors import ParameterError
from convdemo.core.kernels import MAX_SIZE, parse_weights
from convdemo.core.numbers import DIGITS, format_number
from convdemo.gui.widgets import format_weight, text_colour, tints

__all__ = ["KernelCell", "KernelGrid", "format_weight", "nudge_step", "parse_cell", "text_colour", "tints"]

CELL_SIZE = 46
"""Side of a cell in pixels while the columns fit :data:`GRID_WIDTH`."""
GRID_WIDTH = 312
"""Widest the grid gets: 9 columns shrink their cells to stay inside a side panel."""
CELL_GAP = 3
CORNER_RADIUS = 4.0
MIN_POINT_SIZE = 7.5
"""Smallest font of the numbers, reached by the narrow cells of 9 columns."""
SMALLEST_POINT_SIZE = 6.0
"""Smallest (condensed) font a cell shrinks to for a number too wide for it (``−0.002`` in 9 columns)."""
DRAG_PIXELS_PER_STEP = 6
"""Right-drag distance, in pixels, for one nudge step."""
WHEEL_NOTCH = 120
"""``angleDelta`` of one mouse-wheel notch (Qt's eighths of a degree)."""

_TEXT_MARGIN = 4  # pixels kept free on each side of a number: the focus frame and the line edit's margin

_CELL_TIP = ("{where} = {value}. Type a number such as −1, 0.25 (or 0,25) or 1/9; the wheel nudges it by 0.1 "
             "(Shift 1, Ctrl 0.01) and so does dragging up or down with the right button.")
_gestures = itertools.count()


def _fitted(value: float, font: QFont, width: int) -> tuple[str, QFont]:
    """The most precise text of ``value`` that fits ``width`` pixels, and the font to write it in.

    Significant digits go first (``0.1111``, ``0.111``, ``0.11``, ``0.1``); when even the
    shortest text is too wide, the font is condensed and then shrunk, down to
    :data:`SMALLEST_POINT_SIZE`, so the number keeps its leading zero and its minus sign
    (``−0.002``, never ``−.002``).
    """
    texts = [format_number(value, digits) for digits in range(DIGITS, 0, -1)]
    metrics = QFontMetrics(font)
    text = next((text for text in texts if metrics.horizontalAdvance(text) <= width), texts[-1])
    fitted = QFont(font)
    if metrics.horizontalAdvance(text) > width:
        fitted.setStretch(QFont.Stretch.Condensed.value)
    while QFontMetrics(fitted).horizontalAdvance(text) > width and fitted.pointSizeF() > SMALLEST_POINT_SIZE:
        fitted.setPointSizeF(max(fitted.pointSizeF() - 0.5, SMALLEST_POINT_SIZE))
    return text, fitted


def parse_cell(text: str) -> float:
    """The number typed in a cell: ``-1``, ``0.25``, ``0,25``, ``1/9`` (the kernel text syntax, one value).

    A comma before a digit is a decimal comma (``0,5`` and ``,5`` are 0.5), as
    locales that write decimals with a comma have it: in one cell a comma cannot
    separate values, so ``1,2,3`` and ``1, 5`` are still refused.

    Raises
    ------
    ParameterError
        If the text is not exactly one finite number.
    """
    try:
        weights = parse_weights(_decimal_points(text))
    except ParameterError:
        weights = None
    if weights is None or weights.shape != (1, 1):
        shown = text.strip() or "an empty cell"
        raise ParameterError(f"{shown!r} is not a number; type a value such as -1, 0.25 or 1/9.")
    return float(weights[0, 0])


def _decimal_points(text: str) -> str:
    """``text`` with its decimal commas (see :func:`parse_cell`) written as points."""
    return re.sub(r",(?=\d)", ".", text)


def nudge_step(modifiers: Qt.KeyboardModifier) -> float:
    """Wheel or drag step for the held keys: 1 with Shift, 0.01 with Ctrl, else 0.1."""
    if modifiers & Qt.KeyboardModifier.ShiftModifier:
        return 1.0
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        return 0.01
    return 0.1


def _nudged(value: float, steps: int, step: float) -> float:
    """``value + steps·step`` without binary noise (0.1 + 0.2 gives 0.3, not 0.30000000000000004)."""
    return round(value + steps * step, 10) + 0.0


@dataclass(frozen=True)
class _Drag:
    """A right-button drag in progress: where it started and the value then."""

    y: float
    value: float
    gesture: int


class KernelCell(QLineEdit):
    """One weight of the grid.

    Signals
    -------
    committed(str)
        Text the user typed, on Enter, Tab or leaving the cell (only if it changed).
    nudged(float, object)
        The value a wheel notch or right-drag asks for, and a key: consecutive
        nudges of one gesture share it, so the editor can merge them into one undo step.
    move_requested(int, int)
        Rows and columns to move by (arrow keys).
    entered()
        The cell received the keyboard focus.
    """

    committed = pyqtSignal(str)
    nudged = pyqtSignal(float, object)
    move_requested = pyqtSignal(int, int)
    entered = pyqtSignal()

    def __init__(self, row: int, col: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.row, self.col = row, col
        self.value = 0.0
        self.shown_text = ""
        self.background = QColor(Qt.GlobalColor.white)
        self._fitted_for: tuple[float, int] | None = None
        self.base_font = QFont(self.font())
        self._wheel_angle = 0
        self._drag: _Drag | None = None
        self.setFrame(False)  # paintEvent draws the tinted, rounded cell
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(Qt.GlobalColor.transparent))
        self.setPalette(palette)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        self.editingFinished.connect(self._finish_typing)

    def set_base_font(self, font: QFont) -> None:
        """The font numbers are written in when they fit (see :func:`_fitted`)."""
        if font != self.base_font:
            self.base_font = QFont(font)
            self._fitted_for = None

    def show_value(self, value: float, background: QColor) -> None:
        """Show ``value`` on ``background``; text the user is still typing is left alone."""
        if (value, self.width()) != self._fitted_for:
            self._fitted_for = (value, self.width())
            self.value = float(value)
            text, font = _fitted(value, self.base_font, self.width() - 2 * _TEXT_MARGIN)
            self.setFont(font)
            self._show_text(text)
            where = f"Row {self.row + 1}, column {self.col + 1}"
            self.setToolTip(_CELL_TIP.format(where=where, value=format_number(self.value, 10)))
        if background != self.background:
            self.background = background
            self._set_text_colour(text_colour(background))
            self.update()

    def _show_text(self, text: str) -> None:
        if text != self.shown_text:
            if self.text() == self.shown_text:
                self.setText(text)
                if self.hasFocus():
                    self.selectAll()
            self.shown_text = text

    def _set_text_colour(self, colour: QColor) -> None:
        palette = self.palette()
        if palette.color(QPalette.ColorRole.Text) != colour:
            palette.setColor(QPalette.ColorRole.Text, colour)
            self.setPalette(palette)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        focused = self.hasFocus()
        width = 2.0 if focused else 1.0
        role = QPalette.ColorRole.Highlight if focused else QPalette.ColorRole.Mid
        painter.setPen(QPen(self.palette().color(role), width))
        painter.setBrush(self.background)
        inset = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                                CORNER_RADIUS, CORNER_RADIUS)
        painter.end()
        super().paintEvent(event)

    def revert(self) -> None:
        """Drop what was typed and show the value again."""
        self.setText(self.shown_text)
        self.selectAll()

    # -- typing and moving ---------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Keep Esc for dropping typed text (not the window's Esc shortcut) while there is some."""
        if (event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape
                and self.text() != self.shown_text):
            event.accept()
            return True
        return super().event(event)

    def _finish_typing(self) -> None:
        if self.text() != self.shown_text:
            self.committed.emit(self.text())

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.MouseFocusReason:
            self.selectAll()
        self.update()
        self.entered.emit()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusOutEvent(event)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        move = self._move_for(event)
        if move is not None:
            self.move_requested.emit(*move)
        elif event.key() == Qt.Key.Key_Escape:
            self.revert()
        else:
            super().keyPressEvent(event)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.selectAll()

    def _move_for(self, event: QKeyEvent) -> tuple[int, int] | None:
        """(rows, columns) an arrow key moves by; Left/Right only at the text's edge or when all is selected."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return None
        whole = not self.text() or self.selectedText() == self.text()
        at_start = whole or (self.cursorPosition() == 0 and not self.hasSelectedText())
        at_end = whole or (self.cursorPosition() == len(self.text()) and not self.hasSelectedText())
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0),
                 Qt.Key.Key_Left: (0, -1) if at_start else None, Qt.Key.Key_Right: (0, 1) if at_end else None}
        return moves.get(event.key())

    # -- nudging ---------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        delta = event.angleDelta()
        self._wheel_angle += delta.y() or delta.x()
        steps = int(self._wheel_angle / WHEEL_NOTCH)
        if steps:
            self._wheel_angle -= steps * WHEEL_NOTCH
            self._nudge_to(_nudged(self.value, steps, nudge_step(event.modifiers())), ("wheel", self.row, self.col))
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.RightButton:
            self._drag = _Drag(event.position().y(), self.value, next(_gestures))
            self.setCursor(Qt.CursorShape.SizeVerCursor)
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag is not None and event.buttons() & Qt.MouseButton.RightButton:
            steps = round((self._drag.y - event.position().y()) / DRAG_PIXELS_PER_STEP)
            value = _nudged(self._drag.value, steps, nudge_step(event.modifiers()))
            self._nudge_to(value, ("drag", self._drag.gesture))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.RightButton and self._drag is not None:
            self._drag = None
            self.unsetCursor()
        else:
            super().mouseReleaseEvent(event)

    def _nudge_to(self, value: float, key: tuple) -> None:
        if value != self.value:
            self.nudged.emit(value, key)


class KernelGrid(QWidget):
    """Up to 9×9 weight cells showing one plane of a kernel.

    All 81 cells exist from the start (in reading order, which is also their
    Tab order); those outside the kernel's size are hidden.

    Signals
    -------
    value_typed(int, int, float)
        Row, column and the number typed there.
    value_nudged(int, int, float, object)
        Row, column, the new value and the gesture key (see :class:`KernelCell`).
    problem(str)
        A sentence saying why typed text was refused.
    """

    value_typed = pyqtSignal(int, int, float)
    value_nudged = pyqtSignal(int, int, float, object)
    problem = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._shape = (0, 0)
        self._current = (0, 0)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(CELL_GAP)
        self._cells = [[self._make_cell(r, c, layout) for c in range(MAX_SIZE)] for r in range(MAX_SIZE)]

    def _make_cell(self, row: int, col: int, layout: QGridLayout) -> KernelCell:
        cell = KernelCell(row, col, self)
        cell.hide()
        cell.committed.connect(lambda text, c=cell: self._on_typed(c, text))
        cell.nudged.connect(lambda value, key, c=cell: self.value_nudged.emit(c.row, c.col, value, key))
        cell.move_requested.connect(lambda dr, dc, c=cell: self.set_current_cell(c.row + dr, c.col + dc))
        cell.entered.connect(lambda c=cell: self._enter(c))
        layout.addWidget(cell, row, col)
        return cell

    # -- what is shown -------------------------------------------------------------

    def show_plane(self, weights: np.ndarray, scale: float) -> None:
        """Show ``weights`` of shape (kh, kw), tinted so that ``|w| = scale`` is the strongest colour."""
        if weights.shape != self._shape:
            self._set_shape(*weights.shape)
        colours = tints(weights, scale)
        for (r, c), value in np.ndenumerate(weights):
            self._cells[r][c].show_value(value, colours[r][c])

    def _set_shape(self, rows: int, cols: int) -> None:
        side = min(CELL_SIZE, (GRID_WIDTH - CELL_GAP * (cols - 1)) // cols)
        font = QFont(self.font())
        font.setPointSizeF(max(MIN_POINT_SIZE, font.pointSizeF() * min(1.0, side / CELL_SIZE)))
        for r, row in enumerate(self._cells):
            for c, cell in enumerate(row):
                cell.setVisible(r < rows and c < cols)
                cell.setFixedSize(side, side)
                cell.set_base_font(font)
        self._shape = (rows, cols)
        self._current = (min(self._current[0], rows - 1), min(self._current[1], cols - 1))
        self.setFixedSize(cols * side + (cols - 1) * CELL_GAP, rows * side + (rows - 1) * CELL_GAP)

    # -- cells and the current cell ------------------------------------------------

    def cell(self, row: int, col: int) -> KernelCell:
        """The cell at ``row``, ``col`` (0-based)."""
        return self._cells[row][col]

    def current_cell(self) -> tuple[int, int]:
        """(row, column) of the cell last entered, kept inside the kernel's size."""
        return self._current

    def set_current_cell(self, row: int, col: int) -> None:
        """Move the keyboard focus to a cell; positions outside the kernel are clamped to its edge."""
        row = min(max(row, 0), self._shape[0] - 1)
        col = min(max(col, 0), self._shape[1] - 1)
        self._current = (row, col)
        self._cells[row][col].setFocus(Qt.FocusReason.OtherFocusReason)

    def _enter(self, cell: KernelCell) -> None:
        self._current = (cell.row, cell.col)

    def cells_in_order(self) -> list[KernelCell]:
        """Every cell in reading order (hidden ones included): the Tab order."""
        return [cell for row in self._cells for cell in row]

    def _on_typed(self, cell: KernelCell, text: str) -> None:
        cell.revert()  # the editor shows the accepted value, if any, from the kernel
        try:
            value = parse_cell(text)
        except ParameterError as error:
            self.problem.emit(str(error))
            return
        if value != cell.value:
            self.value_typed.emit(cell.row, cell.col, value)
