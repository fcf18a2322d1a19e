"""Widget helpers, number formats and colours shared by more than one feature of the window.

The convolution lab, the kernel editor and the CNN lab all read these, so a
colour or a number format is defined once here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QEvent, QObject, QRectF, Qt
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QLinearGradient,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PyQt6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from convdemo.core.display import HEAT_LUT, DisplayImage, diverging_colours
from convdemo.core.numbers import format_compact, format_number

ERROR_COLOUR = "#c0392b"
"""Text of inline error sentences (readable on light and dark panels)."""
HIGHLIGHT = QColor(255, 196, 0)
PINNED = QColor(0, 200, 255)


def format_value(value: float) -> str:
    """A pixel value as every view writes it (:func:`~convdemo.core.numbers.format_number`): ``2550``, ``−0.002``."""
    return format_number(value)


class ColourBar(QWidget):
    """The colour map of a picture, from its smallest to its largest value.

    The gradient shows only the part of the map the values use, its ends
    labelled with the real minimum and maximum (and zero for diverging maps).
    Values beyond the map's ends, clipped to its end colour, get a hatched
    end-cap labelled with the real extreme, the map's end written where the cap
    starts: ``0`` … ``255`` then, under the hatching, ``690``.
    """

    CAP_SHARE = 0.2
    """Share of the bar's width an end-cap of clipped values takes (at least its label's width)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picture: DisplayImage | None = None
        self.setFixedHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_picture(self, picture: DisplayImage | None) -> None:
        """Show the legend of ``picture``."""
        self.picture = picture
        tip = picture.legend if picture else ""
        if picture is not None and picture.clipping:
            tip += "\nHatched ends: values beyond the colour map's end, all shown in its end colour."
        self.setToolTip(tip)
        self.update()

    def labels(self) -> dict[str, str]:
        """The numbers under the bar: 'left' and 'right' (the real extremes), 'low' and 'high'
        (a clipped map end, where its cap starts) and 'zero' (diverging maps)."""
        p = self.picture
        texts = {"left": format_number(p.data_min), "right": format_number(p.data_max)}
        if p.clipped_low:
            texts["low"] = format_number(p.low)
        if p.clipped_high:
            texts["high"] = format_number(p.high)
        if p.mode == "diverging" and p.data_min < 0 < p.data_max:
            texts["zero"] = "0"
        return texts

    def _t(self, value: float) -> float:
        """Position of ``value`` on the picture's colour map, 0 … 1."""
        p = self.picture
        return min(max((value - p.low) / (p.high - p.low), 0.0), 1.0) if p.high > p.low else 0.0

    def _colour_at(self, t: float) -> QColor:
        """Colour of the map at ``t`` in [0, 1]."""
        if self.picture.colours == "diverging":
            return QColor(*diverging_colours(np.array([t]))[0].tolist())
        if self.picture.colours == "heat":
            return QColor(*HEAT_LUT[int(round(t * 255))].tolist())
        level = int(round(t * 255))
        return QColor(level, level, level)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.picture is None:
            return
        p = QPainter(self)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        p.setFont(font)
        bar = QRectF(4, 2, self.width() - 8, 10)
        labels = self.labels()
        ramp = self._ramp_rect(bar, labels, p)
        lo, hi = max(self.picture.data_min, self.picture.low), min(self.picture.data_max, self.picture.high)
        gradient = QLinearGradient(ramp.topLeft(), ramp.topRight())
        for share in np.linspace(0, 1, 9):
            gradient.setColorAt(float(share), self._colour_at(self._t(lo + float(share) * (hi - lo))))
        p.fillRect(ramp, gradient)
        if ramp.left() > bar.left():
            self._paint_cap(p, QRectF(bar.topLeft(), ramp.bottomLeft()), 0.0)
        if ramp.right() < bar.right():
            self._paint_cap(p, QRectF(ramp.topRight(), bar.bottomRight()), 1.0)
        zero = ramp.left() + ramp.width() * (0 - lo) / (hi - lo) if hi > lo else ramp.center().x()
        self._paint_labels(p, labels, {"left": bar.left(), "low": ramp.left(), "zero": zero,
                                       "high": ramp.right(), "right": bar.right()})
        p.end()

    def _ramp_rect(self, bar: QRectF, labels: dict[str, str], p: QPainter) -> QRectF:
        """The gradient's part of ``bar``: all of it, less an end-cap at each clipped end
        (:data:`CAP_SHARE` of the bar, or wider to hold its label)."""
        def cap(label: str) -> float:
            return max(self.CAP_SHARE * bar.width(), p.fontMetrics().horizontalAdvance(label) + 6)

        return bar.adjusted(cap(labels["left"]) if self.picture.clipped_low else 0, 0,
                            -cap(labels["right"]) if self.picture.clipped_high else 0, 0)

    def _paint_cap(self, p: QPainter, rect: QRectF, t: float) -> None:
        """An end-cap of clipped values: the map's end colour, hatched."""
        colour = self._colour_at(t)
        p.fillRect(rect, colour)
        p.fillRect(rect, QBrush(text_colour(colour), Qt.BrushStyle.BDiagPattern))

    def _paint_labels(self, p: QPainter, labels: dict[str, str], xs: dict[str, float]) -> None:
        """Each label at its x: 'left' and 'low' start there, 'high' and 'right' end there, 'zero' is centred
        (and left out where it would overlap another)."""
        p.setPen(self.palette().windowText().color())
        metrics = p.fontMetrics()
        placed: list[QRectF] = []
        for key in ("left", "right", "low", "high", "zero"):
            if key not in labels:
                continue
            width = metrics.horizontalAdvance(labels[key]) + 2
            left = {"left": xs[key], "low": xs[key], "zero": xs[key] - width / 2}.get(key, xs[key] - width)
            rect = QRectF(left, 13, width, 16)
            if key == "zero" and any(rect.intersects(other) for other in placed):
                continue
            placed.append(rect)
            p.drawText(rect, Qt.AlignmentFlag.AlignHCenter, labels[key])


DARK_TEXT, LIGHT_TEXT = "#141414", "#ffffff"


def format_weight(value: float, max_chars: int = 6) -> str:
    """A weight in at most ``max_chars`` characters where possible (:func:`~convdemo.core.numbers.format_compact`):
    ``0.1111``, ``−2``, ``0.0039``."""
    return format_compact(value, max_chars)


def tints(weights: np.ndarray, scale: float) -> list[list[QColor]]:
    """Cell colours for ``weights`` (kh, kw): the stage views' diverging map, ``±scale`` at its ends."""
    t = np.full(weights.shape, 0.5) if scale == 0 else 0.5 + weights / (2 * scale)
    return [[QColor(*rgb) for rgb in row] for row in diverging_colours(t).tolist()]


def text_colour(background: QColor) -> QColor:
    """Near-black on light cells, white on dark ones."""
    return QColor(DARK_TEXT if background.lightnessF() > 0.55 else LIGHT_TEXT)


class _WheelGuard(QObject):
    """Event filter passing the wheel events of an unfocused spin or combo box on to its parents."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            event.ignore()  # an ignored wheel event goes to the parent: the side panel scrolls
            return True
        return super().eventFilter(watched, event)


_WHEEL_GUARD = _WheelGuard()


def guard_wheel(box: QAbstractSpinBox | QComboBox) -> None:
    """Let the mouse wheel change ``box`` only once it has the keyboard focus (a click or Tab gives it).

    Over an unfocused box the wheel scrolls whatever holds it, so scrolling a
    panel never changes the boxes that pass under the pointer.
    """
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    box.installEventFilter(_WHEEL_GUARD)


def combo_box(items: list[tuple[object, str, str]], tip: str) -> QComboBox:
    """A combo box of (data, label, item tooltip) entries, with ``tip`` for the whole box (see :func:`guard_wheel`)."""
    combo = QComboBox()
    guard_wheel(combo)
    for value, label, item_tip in items:
        combo.addItem(label, value)
        combo.setItemData(combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    combo.setToolTip(tip)
    return combo


def spin_box(low: int, high: int, tip: str, value: int | None = None, special: str | None = None) -> QSpinBox:
    """An integer spin box from ``low`` to ``high`` with the tooltip ``tip``.

    ``value`` is shown first (default ``low``); ``special`` is the text shown at ``low`` instead of the number.
    The wheel changes it only while it has the focus (:func:`guard_wheel`).
    """
    spin = QSpinBox()
    guard_wheel(spin)
    spin.setRange(low, high)
    spin.setValue(low if value is None else value)
    spin.setToolTip(tip)
    spin.setAccelerated(True)
    if special:
        spin.setSpecialValueText(special)
    return spin


def select_item(combo: QComboBox, value: object) -> None:
    """Show the entry of ``combo`` whose data is ``value`` (nothing happens if there is none)."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def make_button(text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
    """A compact push button that shares its row's width with its neighbours."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.clicked.connect(slot)
    return button


def small_label(wrap: bool, lines: int | None = None) -> QLabel:
    """A label in a slightly smaller font, for notes under a control; see :func:`mute`.

    With ``lines``, a :class:`LinesLabel` of that many lines (it always wraps), else a plain label.
    """
    label = QLabel() if lines is None else LinesLabel(lines)
    label.setWordWrap(wrap and lines is None)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def mute(label: QLabel, palette: QPalette) -> None:
    """Colour ``label`` grey, between ``palette``'s text and window colours (light or dark)."""
    text, window = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    grey = QColor.fromRgbF(*(0.62 * a + 0.38 * b for a, b in zip(text.getRgbF()[:3], window.getRgbF()[:3])))
    label_palette = QPalette(palette)
    label_palette.setColor(QPalette.ColorRole.WindowText, grey)
    label.setPalette(label_palette)


class LinesLabel(QLabel):
    """A label of a fixed height of ``lines`` lines: its text wraps, and what does not fit is elided (``…``).

    The height never changes with the text, so the widgets below it never
    move. When the text is elided, the tooltip holds all of it.
    :meth:`text` is the whole text; :meth:`shown_text` the lines on screen.

    Parameters
    ----------
    lines : int
        Lines of room, kept even when the text is empty.
    """

    def __init__(self, lines: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.lines = lines
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fix_height()

    def text(self) -> str:
        """The whole text, as given to :meth:`setText`."""
        return self._text

    def shown_text(self) -> str:
        """The text on screen: at most :attr:`lines` lines, each as wide as the label at most."""
        return super().text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._text = text
        self._show()

    def clear(self) -> None:
        self.setText("")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fix_height()
            self._show()

    def _fix_height(self) -> None:
        margins = self.contentsMargins()
        self.setFixedHeight(self.fontMetrics().lineSpacing() * self.lines + margins.top() + margins.bottom())

    def _show(self) -> None:
        self.ensurePolished()  # the font a style sheet sets is the one the text is measured in
        shown = wrapped_lines(self._text, self.font(), self.contentsRect().width(), self.lines)
        super().setText(shown)
        elided = shown.split() != self._text.split()
        self.setToolTip(self._text if elided else "")


def wrapped_lines(text: str, font: QFont, width: int, lines: int) -> str:
    """``text`` wrapped to ``width`` pixels in ``font``, at most ``lines`` lines, the last one elided if need be.

    Lines break at the text's own newlines, between words where possible, else anywhere;
    the result joins them with newlines.
    """
    if not text or width <= 0:
        return text
    layout = QTextLayout(text.replace("\n", "\u2028"), font)  # U+2028: a line break QTextLayout obeys
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    starts = []
    while len(starts) < lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    pieces = [text[a:b].strip() for a, b in zip(starts, starts[1:])]
    rest = " ".join(text[starts[-1]:].split())
    metrics = QFontMetrics(font)
    pieces.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return "\n".join(pieces)


def inline_error_label(lines: int = 2) -> LinesLabel:
    """A word-wrapped label of ``lines`` lines for an inline error sentence, in :data:`ERROR_COLOUR`.

    Its room is kept when it is empty, so an error appearing never moves the widgets below.
    """
    label = LinesLabel(lines)
    label.setObjectName("inlineError")
    label.setStyleSheet(f"QLabel#inlineError {{ color: {ERROR_COLOUR}; font-weight: 600; }}")
    return label
