"""Side-by-side stage views with linked zoom, pixel values, highlights and colour bars.

Every view draws its stage in *input pixel coordinates* (see
:func:`convdemo.core.explain.placement`): an output pixel is a rectangle as
large as the stride, centred on its receptive field. So linking the views'
zoom and pan keeps the same region aligned through stride and pooling.

Zoomed in, each pixel shows its value, once its cell is large enough on
screen for the text. With padding on, the input view also draws the padded
cells the kernel reads around the image, dimmed, behind a dashed edge.
A stage whose values were clipped says so under its title, with a link to
the 'stretch' display.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from html import escape

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QEvent, QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainterPath,
    QPen,
    QTextOption,
    QTransform,
)
from PyQt6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsRectItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.display import DisplayImage, to_display
from convdemo.core.explain import Placement
from convdemo.core.numbers import format_number
from convdemo.core.padded import PaddedFrame
from convdemo.gui.widgets import HIGHLIGHT, PINNED, ColourBar, LinesLabel, small_label, text_colour

STAGE_TITLES = {"source": "Input", "conv": "Convolved", "activation": "Activated", "pool": "Pooled"}
MAX_VALUE_LABELS = 48 * 48
"""Performance cap: no values are written when more cells than this are visible (however large they are)."""
LABEL_PIXELS = (8, 16)
"""Smallest and largest font size of the pixel values, in screen pixels, at text scale 1."""
LABEL_MARGIN = 2
"""Screen pixels kept free between a pixel value and its cell's edge."""
LABEL_DIGITS = (4, 3, 2, 1)
"""Significant digits tried for a pixel value, most first, until it fits its cell (``137.7``, ``138``)."""
PADDING_DIM = 0.3
"""Share of the background colour mixed into the padded cells drawn around the input."""
STRETCH_LINK = "stretch"
FORMULA_LINES = 2
"""Lines of room for a stage's formula: a longer one wraps, then is elided, whole in its tooltip."""
FIT_PADDING = 0.02
"""Margin around what the views show (input, padded cells, larger outputs) when fitted, as a share of its size."""
FORMULA_POINTS = 9.0
"""Font size of a stage's formula, in points, at text scale 1."""


@dataclass(frozen=True, eq=False)
class _Cells:
    """What the value labels are written on: values, their colours, and where the first cell sits."""

    values: np.ndarray
    rgb: np.ndarray
    padded: np.ndarray | None
    row0: int
    col0: int


class StageView(QWidget):
    """One stage: title with its shape, a clipping note, the formula, the picture and a colour bar.

    Signals
    -------
    hovered(str, int, int)
        Stage name and pixel under the mouse (``-1, -1`` when outside).
    clicked(str, int, int)
        Stage name and pixel clicked.
    display_requested(str)
        The display mode the user asked for from the clipping note ('stretch').
    """

    hovered = pyqtSignal(str, int, int)
    clicked = pyqtSignal(str, int, int)
    display_requested = pyqtSignal(str)

    def __init__(self, stage: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.stage = stage
        self.base_title = title
        self.array: np.ndarray | None = None
        self.picture: DisplayImage | None = None
        self.placement = Placement(1.0, 1.0, 0.0, 0.0)
        self.hidden: np.ndarray | None = None
        self.frame: PaddedFrame | None = None
        self._frame_rgb: np.ndarray | None = None
        self._labels: list[pg.TextItem] = []
        self.text_scale = 1.0

        self.title = QLabel(title)
        self.title.setObjectName("stageTitle")
        self._title_points = self.title.font().pointSizeF()
        self.note = small_label(wrap=True)
        self._note_points = self.note.font().pointSizeF()
        self.note.setObjectName("stageNote")
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.linkActivated.connect(self.display_requested.emit)
        self.note.hide()
        self.formula = LinesLabel(FORMULA_LINES)
        self.formula.setObjectName("stageFormula")
        self.formula.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        self.view: pg.ViewBox = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.frame_image = pg.ImageItem(axisOrder="row-major")
        self.frame_image.setZValue(-1)
        self.view.addItem(self.frame_image)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.frame_edge = self._dashed_edge()
        self.highlight = self._path_item(HIGHLIGHT)
        self.pinned = self._path_item(PINNED)
        self.colour_bar = ColourBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.header = self._header()
        self._style_text()
        layout.addWidget(self.title)
        layout.addWidget(self.header)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.colour_bar)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.graphics.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.view.sigRangeChanged.connect(self._update_value_labels)
        self.apply_palette()

    def _header(self) -> QWidget:
        """The clipping note over the formula, in a box of the same height in every panel,
        so the linked views line up exactly whatever each one shows."""
        header = QWidget()
        layout = QVBoxLayout(header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        return header

    def set_text_scale(self, scale: float) -> None:
        """Write the title, the clipping note, the formula and the pixel values ``scale`` times larger.

        Parameters
        ----------
        scale : float
            1 for the normal sizes; e.g. 1.5 for presenter mode.
        """
        self.text_scale = scale
        self._style_text()
        self._update_value_labels()

    def _style_text(self) -> None:
        """Fonts of the title, note and formula at :attr:`text_scale`, and the header's height to match."""
        scale = self.text_scale
        self.title.setStyleSheet(f"QLabel#stageTitle {{ font-weight: 600; "
                                 f"font-size: {self._title_points * scale:g}pt; }}")
        note_font = QFont(self.note.font())
        note_font.setPointSizeF(self._note_points * scale)
        self.note.setFont(note_font)
        self.formula.setStyleSheet(f"QLabel#stageFormula {{ font-family: monospace; "
                                   f"font-size: {FORMULA_POINTS * scale:g}pt; }}")
        self.formula.ensurePolished()
        self.header.setFixedHeight(self.formula.fontMetrics().lineSpacing() * 4 + 4)

    def _path_item(self, colour: QColor) -> QGraphicsPathItem:
        item = QGraphicsPathItem()
        pen = QPen(colour, 2)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(10)
        self.view.addItem(item)
        return item

    def _dashed_edge(self) -> QGraphicsRectItem:
        """The image's edge, dashed, drawn when padded cells surround it."""
        item = QGraphicsRectItem()
        pen = QPen(QColor(128, 128, 128), 1, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(6)
        item.hide()
        self.view.addItem(item)
        return item

    def apply_palette(self) -> None:
        """Follow the window's light or dark palette."""
        self.graphics.setBackground(self.palette().base().color())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
            self._show_picture()  # hidden animation cells use the background colour
            self._show_frame()  # and padded cells are dimmed towards it
        super().changeEvent(event)

    # -- content -----------------------------------------------------------

    def set_stage(self, array: np.ndarray, picture: DisplayImage, placement: Placement,
                  title: str, formula: str) -> None:
        """Show a new stage array and its picture at ``placement`` over the input."""
        unchanged = picture is self.picture and placement == self.placement
        self.array, self.picture, self.placement = array, picture, placement
        self.title.setText(title)
        self.formula.setText(formula)
        if unchanged:
            return
        self.image.setTransform(self._transform(0, 0))
        self._show_picture()
        self._show_frame()
        self._show_note()
        self.colour_bar.set_picture(picture)
        self._update_value_labels()

    def set_hidden(self, hidden: np.ndarray | None) -> None:
        """Blank the pixels where ``hidden`` (H, W) is True (the animation's not-yet-computed cells)."""
        self.hidden = hidden
        self._show_picture()
        self._update_value_labels()

    def set_frame(self, frame: PaddedFrame | None) -> None:
        """Draw ``frame``'s padded cells around the stage (the input), or none."""
        self.frame = frame
        self._show_frame()
        self._update_value_labels()

    def _transform(self, top: int, left: int) -> QTransform:
        """Image-item transform putting pixel (0, 0) of a picture at stage pixel ``(-top, -left)``."""
        p = self.placement
        return (QTransform().translate(p.offset_x - left * p.scale_x, p.offset_y - top * p.scale_y)
                .scale(p.scale_x, p.scale_y))

    def _base_rgb(self) -> np.ndarray:
        """The background colour (the palette's base) as float32 RGB."""
        base = self.palette().base().color()
        return np.array([base.red(), base.green(), base.blue()], np.float32)

    def _show_picture(self) -> None:
        if self.picture is None:
            return
        rgb = self.picture.rgb
        if self.hidden is not None and self.hidden.shape == rgb.shape[:2]:
            rgb = rgb.copy()
            rgb[self.hidden] = self._base_rgb().astype(np.uint8)
        self.image.setImage(rgb, autoLevels=False, levels=(0, 255))

    def _show_frame(self) -> None:
        """The padded cells in the picture's colours, dimmed towards the background, and the image's edge."""
        frame, picture = self.frame, self.picture
        if frame is None or picture is None or not self._frame_matches():
            self._frame_rgb = None
            self.frame_image.clear()
            self.frame_edge.hide()
            return
        colours = to_display(frame.values, picture.mode, heat=picture.colours == "heat").rgb
        rgb = (colours * (1 - PADDING_DIM) + self._base_rgb() * PADDING_DIM + 0.5).astype(np.uint8)
        rgb[~frame.padded] = picture.rgb.reshape(-1, 3)  # the image itself as shown, undimmed
        self._frame_rgb = rgb
        self.frame_image.setImage(rgb, autoLevels=False, levels=(0, 255))
        self.frame_image.setTransform(self._transform(frame.top, frame.left))
        height, width = self.array.shape[:2]
        self.frame_edge.setRect(self.pixel_rect(0, 0).united(self.pixel_rect(height - 1, width - 1)))
        self.frame_edge.show()

    def _frame_matches(self) -> bool:
        """The frame surrounds the array shown (not the previous image's, or its grey luma)."""
        f = self.frame
        inner = (f.values.shape[0] - f.top - f.bottom, f.values.shape[1] - f.left - f.right) + f.values.shape[2:]
        return self.array is not None and inner == self.array.shape

    def _show_note(self) -> None:
        """Say under the title when values were clipped, with a link to the 'stretch' display."""
        clipping = self.picture.clipping if self.picture is not None else ""
        self.note.setVisible(bool(clipping))
        if clipping:
            self.note.setText(f"⚠ {escape(clipping)} — <a href='{STRETCH_LINK}'>try stretch</a>")
            self.note.setToolTip("The colours cannot show values beyond the ends of the colour bar: those pixels "
                                 "all look alike. 'stretch' maps the smallest value to black and the largest to "
                                 "white instead.")

    def clear(self, message: str = "") -> None:
        """Remove the picture (e.g. when the stage is off)."""
        self.array = self.picture = None
        self.image.clear()
        self.formula.setText(message)
        self._show_note()
        self._show_frame()
        self._update_value_labels()

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
        """The rectangle of stage pixel ``(row, col)`` in input coordinates (negative: a padded cell)."""
        p = self.placement
        return QRectF(p.offset_x + col * p.scale_x, p.offset_y + row * p.scale_y, p.scale_x, p.scale_y)

    def extent(self) -> QRectF | None:
        """What the view draws, in input coordinates: its stage's pixels and any padded cells around
        them; None while it shows no stage."""
        if self.array is None:
            return None
        f = self.frame if self._frame_rgb is not None else None
        top, left, bottom, right = (f.top, f.left, f.bottom, f.right) if f is not None else (0, 0, 0, 0)
        height, width = self.array.shape[:2]
        return self.pixel_rect(-top, -left).united(self.pixel_rect(height - 1 + bottom, width - 1 + right))

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

    def visible_labels(self) -> list[pg.TextItem]:
        """The pixel values written on the view now."""
        return [label for label in self._labels if label.isVisible()]

    def _cells(self) -> _Cells | None:
        """The cells that carry values: the stage's pixels, or the padded frame with the image inside it."""
        if self.array is None or self.picture is None:
            return None
        if self.frame is not None and self._frame_rgb is not None:
            f = self.frame
            return _Cells(f.values, self._frame_rgb, f.padded, -f.top, -f.left)
        return _Cells(self.array, self.picture.rgb, None, 0, 0)

    def _cell_pixels(self) -> tuple[float, float]:
        """Width and height of one stage pixel on screen, in pixels (0 before the view is laid out)."""
        x_size, y_size = self.view.viewPixelSize()
        if x_size <= 0 or y_size <= 0:
            return 0.0, 0.0
        return self.placement.scale_x / x_size, self.placement.scale_y / y_size

    def _visible_cells(self, cells: _Cells) -> tuple[range, range]:
        """Indices into ``cells.values`` of the rows and columns inside the view."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        p = self.placement
        rows, cols = cells.values.shape[:2]
        r0 = max(int(np.floor((y0 - p.offset_y) / p.scale_y)) - cells.row0, 0)
        r1 = min(int(np.ceil((y1 - p.offset_y) / p.scale_y)) - cells.row0, rows)
        c0 = max(int(np.floor((x0 - p.offset_x) / p.scale_x)) - cells.col0, 0)
        c1 = min(int(np.ceil((x1 - p.offset_x) / p.scale_x)) - cells.col0, cols)
        return range(r0, max(r1, r0)), range(c0, max(c1, c0))

    def _is_hidden(self, row: int, col: int) -> bool:
        """The animation has not computed stage pixel ``(row, col)`` yet."""
        return (self.hidden is not None and 0 <= row < self.hidden.shape[0] and 0 <= col < self.hidden.shape[1]
                and bool(self.hidden[row, col]))

    def _update_value_labels(self) -> None:
        """Write each visible pixel's value on it, when every one fits its cell on screen."""
        cells = self._cells()
        labels = (self._planned_labels(cells) if cells is not None else None) or []
        if labels:
            self._write_labels(cells, labels)
        for label in self._labels[len(labels):]:
            label.hide()

    def _planned_labels(self, cells: _Cells) -> list[tuple[int, int, str, QFont]] | None:
        """``(row, col, text, font)`` of every visible cell, the text with fewer significant digits where
        needed (``137.7``, ``138``); None when a value does not fit its cell even so: all or nothing, as a
        view with some cells unlabelled reads as clutter."""
        rows, cols = self._visible_cells(cells)
        width, height = self._cell_pixels()
        planes = 1 if cells.values.ndim == 2 else 3
        font = QFont(self.font())
        smallest, largest = (size * self.text_scale for size in LABEL_PIXELS)
        font.setPixelSize(int(np.clip(min(width / 3.2, height / (1.3 * planes)), smallest, largest)))
        italic = QFont(font)  # padded cells, as in the inspector
        italic.setItalic(True)
        if (len(rows) * len(cols) > MAX_VALUE_LABELS
                or planes * QFontMetrics(italic).lineSpacing() > height - 2 * LABEL_MARGIN):
            return None
        fits = {False: _TextFit(font, width - 2 * LABEL_MARGIN), True: _TextFit(italic, width - 2 * LABEL_MARGIN)}
        labels = []
        for r, c in itertools.product(rows, cols):
            fit = fits[cells.padded is not None and bool(cells.padded[r, c])]
            text = fit.text(cells.values[r, c])
            if text is None:
                return None
            if not self._is_hidden(r + cells.row0, c + cells.col0):
                labels.append((r, c, text, fit.font))
        return labels

    def _write_labels(self, cells: _Cells, labels: list[tuple[int, int, str, QFont]]) -> None:
        """Write each ``(row, col, text, font)`` of ``labels`` centred on its cell, dark on light colours
        and light on dark ones."""
        self.view.updateMatrix()  # the zoom the labels are sized for
        while len(self._labels) < len(labels):
            item = pg.TextItem(anchor=(0.5, 0.5))
            item.textItem.document().setDocumentMargin(0)
            item.textItem.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
            item.setZValue(5)
            self.view.addItem(item)
            self._labels.append(item)
        lines = cells.values.ndim == 3
        for item, (r, c, text, font) in zip(self._labels, labels):
            item.setText(text)
            item.setColor(text_colour(QColor(*cells.rgb[r, c].tolist())))
            if item.textItem.font() != font:
                item.setFont(font)
            if lines or item.textItem.textWidth() >= 0:
                item.textItem.setTextWidth(-1)
            if lines:  # a width, so the planes' lines centre on each other
                item.textItem.setTextWidth(item.textItem.document().idealWidth())
            item.show()
            item.updateTransform(force=True)  # now, not at the next paint: a reused label could keep the old zoom
            item.setPos(self.pixel_rect(r + cells.row0, c + cells.col0).center())


class _TextFit:
    """The most precise text of a cell's value (one line per plane) that fits ``width`` pixels in ``font``."""

    def __init__(self, font: QFont, width: float):
        self.font, self.width = font, width
        self._metrics = QFontMetrics(font)
        self._known: dict[tuple[float, ...], str | None] = {}

    def text(self, value: np.ndarray | float) -> str | None:
        """``value`` with as many of :data:`LABEL_DIGITS` significant digits as fit; None when even the fewest
        do not."""
        key = tuple(float(v) for v in np.atleast_1d(value))
        if key not in self._known:
            self._known[key] = self._fitting(key)
        return self._known[key]

    def _fitting(self, values: tuple[float, ...]) -> str | None:
        for digits in LABEL_DIGITS:
            lines = [format_number(v, digits) for v in values]
            if max(self._metrics.horizontalAdvance(line) for line in lines) <= self.width:
                return "\n".join(lines)
        return None
