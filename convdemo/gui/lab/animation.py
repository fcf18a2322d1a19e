"""Sliding-window animation: the kernel walks over the input and the output fills in cell by cell.

The animation covers the output cells visible in the convolved view (at most
``MAX_CELLS`` of them, from the top-left of the visible region), so on a large
photo you zoom in first, as in the lecture demos.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

MAX_SIDE = 40  # the region animated is at most MAX_SIDE × MAX_SIDE output cells


class SlidingWindow(QObject):
    """Steps through the output cells of a region in reading order.

    Signals
    -------
    moved(int, int)
        The output cell now being computed.
    hidden_changed(object)
        Bool mask (H, W) of cells not computed yet, or None when the animation is off.
    running_changed(bool)
    """

    moved = pyqtSignal(int, int)
    hidden_changed = pyqtSignal(object)
    running_changed = pyqtSignal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.shape: tuple[int, int] | None = None
        self.cells: list[tuple[int, int]] = []
        self.index = 0
        self.set_speed(8)

    @property
    def active(self) -> bool:
        """True between the first step and :meth:`stop`."""
        return self.shape is not None

    def set_speed(self, cells_per_second: float) -> None:
        """How fast the window slides."""
        self.timer.setInterval(max(1, int(1000 / cells_per_second)))

    def prepare(self, shape: tuple[int, int], region: tuple[int, int, int, int]) -> None:
        """Start over on ``region`` = (row0, row1, col0, col1) of an output of ``shape``."""
        r0, r1, c0, c1 = region
        r1, c1 = min(r1, r0 + MAX_SIDE), min(c1, c0 + MAX_SIDE)
        self.shape = shape
        self.cells = [(r, c) for r in range(r0, r1) for c in range(c0, c1)]
        self.index = 0
        self._publish()

    def play(self) -> None:
        """Run the timer (prepare first)."""
        if self.active and self.index < len(self.cells):
            self.timer.start()
            self.running_changed.emit(True)

    def pause(self) -> None:
        """Stop the timer, keep the position."""
        self.timer.stop()
        self.running_changed.emit(False)

    def step(self) -> None:
        """Compute one more cell."""
        if not self.active:
            return
        if self.index >= len(self.cells):
            self.pause()
            return
        self.index += 1
        self._publish()
        if self.index >= len(self.cells):
            self.pause()

    def stop(self) -> None:
        """Leave the animation: every cell is shown again."""
        self.timer.stop()
        self.shape = None
        self.cells, self.index = [], 0
        self.hidden_changed.emit(None)
        self.running_changed.emit(False)

    def _publish(self) -> None:
        hidden = np.zeros(self.shape, dtype=bool)
        for r, c in self.cells[self.index:]:
            hidden[r, c] = True
        self.hidden_changed.emit(hidden)
        if self.index > 0:
            self.moved.emit(*self.cells[self.index - 1])


class AnimationBar(QWidget):
    """Play / pause, step, stop and speed for a :class:`SlidingWindow`.

    Signals
    -------
    start_requested()
        Play or Step was pressed while no animation is prepared.
    """

    start_requested = pyqtSignal()

    def __init__(self, animation: SlidingWindow, parent: QWidget | None = None):
        super().__init__(parent)
        self.animation = animation
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip("Slide the kernel over the visible region, one output cell at a time (Space).")
        self.step_button = QPushButton("Step ▸")
        self.step_button.setToolTip("Compute the next output cell (Right bracket ]).")
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setToolTip("Leave the animation and show every output cell.")
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(1, 60)
        self.speed.setValue(8)
        self.speed.setFixedWidth(120)
        self.speed.setToolTip("Cells per second.")
        self.speed_label = QLabel("8 cells/s")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Sliding window</b>"))
        for w in (self.play_button, self.step_button, self.stop_button, QLabel("speed"), self.speed,
                  self.speed_label):
            layout.addWidget(w)
        layout.addStretch(1)
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(animation.stop)
        self.speed.valueChanged.connect(self._on_speed)
        animation.running_changed.connect(self._on_running)

    def toggle_play(self) -> None:
        """Play, or pause when playing."""
        if self.animation.timer.isActive():
            self.animation.pause()
            return
        if not self.animation.active or self.animation.index >= len(self.animation.cells):
            self.start_requested.emit()
        self.animation.play()

    def step(self) -> None:
        """One cell (preparing the animation first if needed)."""
        if not self.animation.active:
            self.start_requested.emit()
        self.animation.step()

    def _on_speed(self, value: int) -> None:
        self.animation.set_speed(value)
        self.speed_label.setText(f"{value} cells/s")

    def _on_running(self, running: bool) -> None:
        self.play_button.setText("❚❚ Pause" if running else "▶ Play")
