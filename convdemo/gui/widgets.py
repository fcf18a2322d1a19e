"""Widget helpers, number formats and colours shared by more than one feature of the window.

The convolution lab, the kernel editor and the CNN lab all read these, so a
colour or a number format is defined once here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPalette
from PyQt6.QtWidgets import (
    QComboBox,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QWidget,
)

from convdemo.core.display import HEAT_LUT, DisplayImage, diverging_colours

ERROR_COLOUR = "#c0392b"
"""Text of inline error sentences (readable on light and dark panels)."""
HIGHLIGHT = QColor(255, 196, 0)
PINNED = QColor(0, 200, 255)


def format_value(value: float) -> str:
    """A pixel value in at most about 5 characters."""
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


class ColourBar(QWidget):
    """A thin gradient with the values at its ends (and zero for diverging maps)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picture: DisplayImage | None = None
        self.setFixedHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_picture(self, picture: DisplayImage | None) -> None:
        """Show the legend of ``picture``."""
        self.picture = picture
        self.setToolTip(picture.legend if picture else "")
        self.update()

    def _colour_at(self, t: float) -> tuple[int, int, int]:
        """Colour of the bar at ``t`` in [0, 1] for the picture's colour map."""
        if self.picture.colours == "diverging":
            return tuple(diverging_colours(np.array([t]))[0])
        if self.picture.colours == "heat":
            return tuple(HEAT_LUT[int(round(t * 255))])
        level = int(round(t * 255))
        return level, level, level

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.picture is None:
            return
        p = QPainter(self)
        bar = QRectF(4, 2, self.width() - 8, 10)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for t in np.linspace(0, 1, 9):
            r, g, b = self._colour_at(float(t))
            gradient.setColorAt(float(t), QColor(int(r), int(g), int(b)))
        p.fillRect(bar, gradient)
        p.setPen(self.palette().windowText().color())
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        p.setFont(font)
        text = QRectF(4, 13, self.width() - 8, 16)
        p.drawText(text, Qt.AlignmentFlag.AlignLeft, format_value(self.picture.low))
        p.drawText(text, Qt.AlignmentFlag.AlignRight, format_value(self.picture.high))
        if self.picture.mode == "diverging":
            p.drawText(text, Qt.AlignmentFlag.AlignHCenter, "0")
        p.end()


DARK_TEXT, LIGHT_TEXT = "#141414", "#ffffff"


def format_weight(value: float, max_chars: int = 6) -> str:
    """``value`` in at most ``max_chars`` characters where possible: ``0.1111``, ``−2``, ``0.0039``.

    Four significant digits, fewer when the text would be wider than
    ``max_chars``; a typographic minus sign; never ``-0``.
    """
    value = float(value) + 0.0
    for digits in (4, 3, 2, 1):
        text = f"{value:.{digits}g}".replace("-", "\u2212")
        if len(text) <= max_chars:
            break
    return text


def tints(weights: np.ndarray, scale: float) -> list[list[QColor]]:
    """Cell colours for ``weights`` (kh, kw): the stage views' diverging map, ``±scale`` at its ends."""
    t = np.full(weights.shape, 0.5) if scale == 0 else 0.5 + weights / (2 * scale)
    return [[QColor(*rgb) for rgb in row] for row in diverging_colours(t).tolist()]


def text_colour(background: QColor) -> QColor:
    """Near-black on light cells, white on dark ones."""
    return QColor(DARK_TEXT if background.lightnessF() > 0.55 else LIGHT_TEXT)


def combo_box(items: list[tuple[object, str, str]], tip: str) -> QComboBox:
    """A combo box of (data, label, item tooltip) entries, with ``tip`` for the whole box."""
    combo = QComboBox()
    for value, label, item_tip in items:
        combo.addItem(label, value)
        combo.setItemData(combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    combo.setToolTip(tip)
    return combo


def spin_box(low: int, high: int, tip: str, value: int | None = None, special: str | None = None) -> QSpinBox:
    """An integer spin box from ``low`` to ``high`` with the tooltip ``tip``.

    ``value`` is shown first (default ``low``); ``special`` is the text shown at ``low`` instead of the number.
    """
    spin = QSpinBox()
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


def small_label(wrap: bool) -> QLabel:
    """A label in a slightly smaller font, for notes under a control; see :func:`mute`."""
    label = QLabel()
    label.setWordWrap(wrap)
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


def inline_error_label() -> QLabel:
    """A hidden, word-wrapped label for an inline error sentence, in :data:`ERROR_COLOUR`."""
    label = QLabel()
    label.setObjectName("inlineError")
    label.setWordWrap(True)
    label.setStyleSheet(f"QLabel#inlineError {{ color: {ERROR_COLOUR}; font-weight: 600; }}")
    label.hide()
    return label
