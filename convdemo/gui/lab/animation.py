"""Sliding-window animation: the kernel walks over the input and the output fills in cell by cell.

The animation covers the output cells visible in the convolved view when they
are large enough to read (:data:`READABLE_PX` screen pixels per input pixel).
Otherwise (a photo shown whole) it first zooms to a region of at most
:data:`ZOOM_SIDE` × :data:`ZOOM_SIDE` output cells around the pinned pixel, or
the centre of the view, and says so in the bar. While it runs, the activated
and pooled panels show only the cells that follow from the cells computed so
far; when it stops, every panel shows the finished answer again.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PyQt6.QtCore import QObject, QRectF, QSettings, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from convdemo.core.explain import pooled_mask, receptive_field
from convdemo.core.pipeline import Stages
from convdemo.gui.lab.pixel_focus import PixelFocus
from convdemo.gui.lab.stage_views import StageView
from convdemo.gui.session import PREFIX

MAX_SIDE = 40
"""The region animated is at most MAX_SIDE × MAX_SIDE output cells."""
READABLE_PX = 24
"""Screen pixels per input pixel from which the cells (and the values written on them) are readable."""
ZOOM_SIDE = 16
"""Side, in output cells, of the region zoomed to when the view is too far out to read the cells."""
MIN_SIDE = 4
"""Fewest output cells per side of a zoomed region, even in a very small view."""
SPEED_KEY = PREFIX + "animation_speed"
"""Where the speed (cells per second) is remembered."""
DEFAULT_SPEED = 8
SPEEDS = (1, 60)


class Region(NamedTuple):
    """Output cells the window slides over: rows ``r0 … r1 − 1``, cols ``c0 … c1 − 1``.

    ``zoomed`` is True when the views were zoomed in to make the cells readable.
    """

    r0: int
    r1: int
    c0: int
    c1: int
    zoomed: bool = False

    def cells(self) -> list[tuple[int, int]]:
        """Every cell, in reading order."""
        return [(r, c) for r in range(self.r0, self.r1) for c in range(self.c0, self.c1)]

    def hint(self) -> str:
        """What the bar says while this region is animated."""
        where = f"animating {_span(self.r0, self.r1, 'row')}, {_span(self.c0, self.c1, 'col')}"
        return where + (" — zoomed in so the cells are readable" if self.zoomed else " (the part in view)")


def _span(first: int, end: int, word: str) -> str:
    return f"{word}s {first}…{end - 1}" if end - first > 1 else f"{word} {first}"


def _around(centre: int, side: int, size: int) -> tuple[int, int]:
    """``[start, end)`` of ``side`` cells around ``centre``, kept inside ``0 … size``."""
    start = min(max(centre - side // 2, 0), max(size - side, 0))
    return start, min(start + side, size)


def screen_px_per_input_px(view: StageView) -> float:
    """How many screen pixels one input pixel covers in ``view`` (the same along both axes)."""
    (x0, x1), _ = view.view.viewRange()
    return view.view.width() / max(x1 - x0, 1e-9)


def visible_region(view: StageView) -> Region | None:
    """The output cells of ``view`` whose centres are in view, or None when there are none."""
    (x0, x1), (y0, y1) = view.view.viewRange()
    p, (h, w) = view.placement, view.array.shape[:2]
    r0 = max(int(np.ceil((y0 - p.offset_y) / p.scale_y - 0.5)), 0)
    r1 = min(int(np.floor((y1 - p.offset_y) / p.scale_y - 0.5)) + 1, h)
    c0 = max(int(np.ceil((x0 - p.offset_x) / p.scale_x - 0.5)), 0)
    c1 = min(int(np.floor((x1 - p.offset_x) / p.scale_x - 0.5)) + 1, w)
    return Region(r0, r1, c0, c1) if r1 > r0 and c1 > c0 else None


def readable_region(view: StageView, stages: Stages, centre: tuple[int, int]) -> tuple[Region, QRectF]:
    """A region around ``centre`` small enough to read in ``view``, and the input rectangle to zoom to.

    Each side has as many cells (up to :data:`ZOOM_SIDE`) as fit at :data:`READABLE_PX`
    screen pixels per input pixel, counting the kernel's reach beyond the outer cells.
    """
    h, w = stages.conv.shape[:2]
    sides = []
    for plan, screen in ((stages.conv_geometry.rows, view.view.height()), (stages.conv_geometry.cols,
                                                                            view.view.width())):
        fitting = int((screen / READABLE_PX - plan.k_eff) // plan.stride) + 1
        sides.append(min(max(fitting, MIN_SIDE), ZOOM_SIDE))
    (r0, r1), (c0, c1) = _around(centre[0], sides[0], h), _around(centre[1], sides[1], w)
    top, left, _, _ = receptive_field(stages, "conv", r0, c0)
    _, _, bottom, right = receptive_field(stages, "conv", r1 - 1, c1 - 1)
    return Region(r0, r1, c0, c1, zoomed=True), QRectF(left, top, right - left, bottom - top)


class SlidingWindow(QObject):
    """Steps through the output cells of a region in reading order.

    Signals
    -------
    moved(int, int)
        The output cell now being computed.
    hidden_changed(object)
        Bool mask (H, W) of cells not computed yet, or None when the animation is off.
    running_changed(bool)
    region_changed(object)
        The :class:`Region` prepared, or None when the animation is off.
    """

    moved = pyqtSignal(int, int)
    hidden_changed = pyqtSignal(object)
    running_changed = pyqtSignal(bool)
    region_changed = pyqtSignal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.shape: tuple[int, int] | None = None
        self.region: Region | None = None
        self.hidden: np.ndarray | None = None
        self.cells: list[tuple[int, int]] = []
        self.index = 0
        self.set_speed(DEFAULT_SPEED)

    @property
    def active(self) -> bool:
        """True between :meth:`prepare` and :meth:`stop`."""
        return self.shape is not None

    @property
    def finished(self) -> bool:
        """True when every cell of the region has been computed."""
        return self.active and self.index >= len(self.cells)

    def set_speed(self, cells_per_second: float) -> None:
        """How fast the window slides."""
        self.timer.setInterval(max(1, int(1000 / cells_per_second)))

    def prepare(self, shape: tuple[int, int], region: tuple[int, ...]) -> None:
        """Start over on ``region`` (a :class:`Region`, or ``(row0, row1, col0, col1)``) of an output of ``shape``."""
        region = Region(*region)
        region = region._replace(r1=min(region.r1, region.r0 + MAX_SIDE), c1=min(region.c1, region.c0 + MAX_SIDE))
        self.shape, self.region = shape, region
        self.cells = region.cells()
        self.index = 0
        self.region_changed.emit(region)
        self._publish()

    def rewind(self) -> None:
        """Back to the first cell of the same region: every cell blank again."""
        if self.active:
            self.index = 0
            self._publish()

    def play(self) -> None:
        """Run the timer (prepare first)."""
        if self.active and not self.finished:
            self.timer.start()
            self.running_changed.emit(True)

    def pause(self) -> None:
        """Stop the timer, keep the position."""
        self.timer.stop()
        self.running_changed.emit(False)

    def step(self) -> None:
        """Compute one more cell; after the last one, start again from the first."""
        if not self.active:
            return
        if self.finished:
            self.index = 0
        self.index += 1
        self._publish()
        if self.finished:
            self.pause()

    def stop(self) -> None:
        """Leave the animation: every cell is shown again."""
        self.timer.stop()
        self.shape = self.region = self.hidden = None
        self.cells, self.index = [], 0
        self.hidden_changed.emit(None)
        self.region_changed.emit(None)
        self.running_changed.emit(False)

    def _publish(self) -> None:
        hidden = np.zeros(self.shape, dtype=bool)
        for r, c in self.cells[self.index:]:
            hidden[r, c] = True
        self.hidden = hidden
        self.hidden_changed.emit(hidden)
        if self.index > 0:
            self.moved.emit(*self.cells[self.index - 1])


def stored_speed(store: QSettings) -> int:
    """The remembered speed, or :data:`DEFAULT_SPEED` when none (or an unreadable one) is stored."""
    try:
        speed = int(store.value(SPEED_KEY, DEFAULT_SPEED))
    except (TypeError, ValueError):
        return DEFAULT_SPEED
    return min(max(speed, SPEEDS[0]), SPEEDS[1])


class AnimationBar(QWidget):
    """Play / pause, step, stop, speed and what is being animated, for a :class:`SlidingWindow`.

    Call :meth:`attach` once the stage views exist: from then on the bar chooses the
    region itself (zooming in when needed) and masks the downstream panels.
    """

    def __init__(self, animation: SlidingWindow, parent: QWidget | None = None):
        super().__init__(parent)
        self.animation = animation
        self.views: dict[str, StageView] | None = None
        self.focus: PixelFocus | None = None
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Slide the kernel over the visible region, one output cell at a time (Space).")
        self.step_button = QPushButton("Step ▸")
        self.step_button.setToolTip("Compute the next output cell (Right bracket ]); after the last, start again.")
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("Leave the animation and show every output cell.")
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(*SPEEDS)
        self.speed.setValue(DEFAULT_SPEED)
        self.speed.setFixedWidth(120)
        self.speed.setToolTip("Cells per second.")
        self.speed_label = QLabel(f"{DEFAULT_SPEED} cells/s")
        self.hint = QLabel()
        self.hint.setWordWrap(True)  # never widens the window
        self.hint.setObjectName("animationHint")
        self.hint.setStyleSheet("QLabel#animationHint { color: #0090c0; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Sliding window</b>"))
        for w in (self.play_button, self.step_button, self.stop_button, QLabel("speed"), self.speed,
                  self.speed_label):
            layout.addWidget(w)
        layout.addWidget(self.hint, 1)
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(animation.stop)
        self.speed.valueChanged.connect(self._on_speed)
        animation.running_changed.connect(self._on_running)
        animation.region_changed.connect(lambda region: self.hint.setText(region.hint() if region else ""))

    def attach(self, views: dict[str, StageView], focus: PixelFocus, store: QSettings) -> None:
        """Work over the window's stage views, around its pinned pixel, remembering the speed in ``store``.

        Parameters
        ----------
        views : dict of str to StageView
            Keyed 'source', 'conv', 'activation', 'pool'.
        focus : PixelFocus
            Gives the pinned pixel and the result on screen; re-masks on every new result.
        store : QSettings
            The speed is read from and written to :data:`SPEED_KEY`.
        """
        self.views, self.focus = views, focus
        self.speed.setValue(stored_speed(store))
        self.speed.valueChanged.connect(lambda value: store.setValue(SPEED_KEY, value))
        self.animation.hidden_changed.connect(self._mask_downstream)
        focus.result_changed.connect(lambda _result: self._mask_downstream(self.animation.hidden))

    def toggle_play(self) -> None:
        """Play, or pause when playing; after the last cell, play the same region again."""
        if self.animation.timer.isActive():
            self.animation.pause()
            return
        if self.animation.finished:
            self.animation.rewind()
        elif not self.animation.active:
            self.start()
        self.animation.play()

    def step(self) -> None:
        """One cell (preparing the animation first if needed; after the last cell, the first again)."""
        if not self.animation.active:
            self.start()
        self.animation.step()

    def start(self) -> None:
        """Prepare the animation over the visible cells, zooming in first when they are too small to read."""
        if self.views is None or self.focus is None or self.focus.result is None:
            return
        stages, conv = self.focus.result.stages, self.views["conv"]
        region = visible_region(conv)
        if region is None or screen_px_per_input_px(conv) < READABLE_PX:
            region, rect = readable_region(conv, stages, self._centre(conv))
            self.views["source"].view.setRange(rect, padding=0)  # the view the others are linked to
        self.animation.prepare(stages.conv.shape[:2], region)

    def _centre(self, conv: StageView) -> tuple[int, int]:
        """The pinned convolved (or activated) pixel, else the one in the middle of the view."""
        pinned = self.focus.pinned
        if pinned is not None and pinned[0] in ("conv", "activation"):
            return pinned[1], pinned[2]
        (x0, x1), (y0, y1) = conv.view.viewRange()
        row, col = conv.pixel_at((x0 + x1) / 2, (y0 + y1) / 2)
        h, w = conv.array.shape[:2]
        return (row, col) if row >= 0 else (h // 2, w // 2)

    def _mask_downstream(self, hidden: np.ndarray | None) -> None:
        """Blank the activated and pooled cells that depend on convolved cells not computed yet."""
        result = self.focus.result
        stages = result.stages if result is not None else None
        usable = hidden is not None and stages is not None and hidden.shape == stages.conv.shape[:2]
        masks = {"activation": hidden if usable and stages.activated is not None else None,
                 "pool": pooled_mask(stages, hidden) if usable and stages.pooled is not None else None}
        for name, mask in masks.items():
            if mask is not None or self.views[name].hidden is not None:
                self.views[name].set_hidden(mask)

    def _on_speed(self, value: int) -> None:
        self.animation.set_speed(value)
        self.speed_label.setText(f"{value} cells/s")

    def _on_running(self, running: bool) -> None:
        self.play_button.setText("❚❚ Pause" if running else "▶ Play")
