"""Stride, padding, border, dilation, channels, activation, pooling and view options.

Each control writes to the :class:`AppState`; :meth:`ControlsPanel.refresh`
writes the state back into the controls with their signals blocked.
"""

from __future__ import annotations

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.errors import ParameterError
from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, DISPLAY_MODES, POOLS
from convdemo.gui.state import AppState
from convdemo.gui.widgets import combo_box, inline_error_label, select_item, spin_box

PADDING_CHOICES = [
    ("valid", "valid (none)", "No padding: the kernel stays inside the image, so the output shrinks (Keras 'valid')."),
    ("same", "same", "Pad so that out = ceil(n / stride), TensorFlow/Keras rule (extra cell after when odd)."),
    ("full", "full", "Pad k − 1 cells on each side: every overlap of kernel and image gives an output."),
    ("number", "cells:", "Pad this many cells on every side (PyTorch style)."),
]
WORKING_SIZES = [("256", 256), ("512", 512), ("1024", 1024), ("2048", 2048), ("full", None)]


def _entries(modes, with_diagram: bool = False) -> list[tuple[str, str, str]]:
    """(name, label, tooltip) for a combo box from registry entries; borders add their diagram to the tooltip."""
    return [(m.name, m.label, f"{m.tooltip}  {m.diagram}" if with_diagram else m.tooltip) for m in modes]


class ControlsPanel(QWidget):
    """Every option except the kernel, grouped the way the lesson introduces them.

    Signals
    -------
    max_size_changed(object)
        The working resolution (int or None for full) the user picked.
    """

    max_size_changed = pyqtSignal(object)

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._build()
        self.refresh()
        self._connect()

    # -- building --------------------------------------------------------

    def _build(self) -> None:
        self.stride_y = spin_box(1, 8, "Step between output positions, in input pixels: 2 skips every other pixel.")
        self.stride_x = spin_box(1, 8, "Step between output positions along the columns.")
        self.stride_per_axis = QCheckBox("per axis")
        self.stride_per_axis.setToolTip("Use a different stride for rows and columns.")
        self.padding = combo_box([(v, label, tip) for v, label, tip in PADDING_CHOICES],
                              "How many cells are added around the image before the kernel slides over it.")
        self.padding_cells = spin_box(0, 16, "Cells of padding on every side.")
        self.border = combo_box(_entries(BORDERS.values(), with_diagram=True), "What the padded cells contain.")
        self.dilation = spin_box(1, 8, "Gap between kernel taps: 2 spreads a 3×3 kernel over 5×5 pixels (1 = none).")
        self.channels = combo_box(_entries(CHANNEL_MODES.values()),
                                  "How a colour image's red, green and blue planes are treated.")
        self.activation = combo_box(_entries(ACTIVATIONS.values()), "A function applied to every convolved value.")
        self.pool = combo_box(_entries(POOLS.values()), "Pooling shrinks the feature map after the activation.")
        self.pool_size = spin_box(1, 8, "Pooling window: 2 takes 2×2 blocks and halves the size.")
        self.pool_stride = spin_box(0, 8, "Step between pooling windows (default: the window size).", special="= size")
        self.working_size = combo_box([(str(v), label, "") for label, v in WORKING_SIZES],
                                   "Photos larger than this (longest side) are reduced before convolving.")
        self.display = combo_box(_entries(DISPLAY_MODES.values()),
                              "How output values are turned into colours.")
        self.heat_map = QCheckBox("heat map")
        self.heat_map.setToolTip("Show one-plane outputs in heat colours (dark → bright yellow) instead of grey.")
        self.error = inline_error_label(lines=3)

        conv = QFormLayout()
        stride_row = QHBoxLayout()
        for w in (self.stride_y, self.stride_x, self.stride_per_axis):
            stride_row.addWidget(w)
        stride_row.addStretch(1)
        conv.addRow("Stride", stride_row)
        padding_row = QHBoxLayout()
        padding_row.addWidget(self.padding, 1)
        padding_row.addWidget(self.padding_cells)
        conv.addRow("Padding", padding_row)
        conv.addRow("Border fill", self.border)
        conv.addRow("Dilation", self.dilation)
        conv.addRow("Channels", self.channels)
        after = QFormLayout()
        after.addRow("Activation", self.activation)
        after.addRow("Pooling", self.pool)
        pool_row = QHBoxLayout()
        pool_row.addWidget(QLabel("size"))
        pool_row.addWidget(self.pool_size)
        pool_row.addWidget(QLabel("stride"))
        pool_row.addWidget(self.pool_stride)
        pool_row.addStretch(1)
        after.addRow("", pool_row)
        view = QFormLayout()
        view.addRow("Working size", self.working_size)
        colours_row = QHBoxLayout()
        colours_row.addWidget(self.display, 1)
        colours_row.addWidget(self.heat_map)
        view.addRow("Colours", colours_row)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, form in (("Sliding the kernel", conv), ("After the convolution", after), ("View", view)):
            box = QGroupBox(title)
            box.setLayout(form)
            layout.addWidget(box)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def _connect(self) -> None:
        for spin in (self.stride_y, self.stride_x, self.padding_cells, self.dilation, self.pool_size,
                     self.pool_stride):
            spin.valueChanged.connect(self._write)
        for combo in (self.padding, self.border, self.channels, self.activation, self.pool):
            combo.currentIndexChanged.connect(self._write)
        self.stride_per_axis.toggled.connect(self._write)
        self.display.currentIndexChanged.connect(lambda: self.state.set_display(mode=self.display.currentData()))
        self.heat_map.toggled.connect(lambda on: self.state.set_display(heat_map=on))
        self.state.display_changed.connect(self.refresh)
        self.working_size.currentIndexChanged.connect(
            lambda: self.max_size_changed.emit(self.working_size_value()))
        self.state.changed.connect(self.refresh)

    # -- state <-> widgets ---------------------------------------------------

    def working_size_value(self) -> int | None:
        """The working resolution picked (None = full)."""
        data = self.working_size.currentData()
        return None if data == "None" else int(data)

    def set_working_size(self, max_size: int | None) -> None:
        """Show ``max_size`` in the working-size box (adding it if it is not listed), no signal."""
        self.working_size.blockSignals(True)
        if self.working_size.findData(str(max_size)) < 0:
            self.working_size.addItem(str(max_size), str(max_size))
        select_item(self.working_size, str(max_size))
        self.working_size.blockSignals(False)

    def _write(self) -> None:
        per_axis = self.stride_per_axis.isChecked()
        padding = self.padding.currentData()
        pool_stride = self.pool_stride.value() or None
        try:
            self.state.update_settings(
                stride=(self.stride_y.value(), self.stride_x.value() if per_axis else self.stride_y.value()),
                padding=self.padding_cells.value() if padding == "number" else padding,
                border=self.border.currentData(),
                dilation=self.dilation.value(),
                channels=self.channels.currentData(),
                activation=self.activation.currentData(),
                pool=self.pool.currentData(),
                pool_size=self.pool_size.value(),
                pool_stride=pool_stride,
            )
        except ParameterError as error:
            self.show_error(str(error))
        self.refresh()

    def refresh(self) -> None:
        """Write the state into the widgets (signals blocked, so nothing loops)."""
        s = self.state.settings
        widgets = [self.stride_y, self.stride_x, self.stride_per_axis, self.padding, self.padding_cells, self.border,
                   self.dilation, self.channels, self.activation, self.pool, self.pool_size, self.pool_stride,
                   self.display, self.heat_map]
        for w in widgets:
            w.blockSignals(True)
        sy, sx = s.stride
        self.stride_y.setValue(sy)
        self.stride_x.setValue(sx)
        if sy != sx:
            self.stride_per_axis.setChecked(True)
        self.stride_x.setEnabled(self.stride_per_axis.isChecked())
        if isinstance(s.padding, str):
            select_item(self.padding, s.padding)
        else:
            select_item(self.padding, "number")
            self.padding_cells.setValue(s.padding[0])
        self.padding_cells.setEnabled(not isinstance(s.padding, str))
        self.border.setEnabled(s.padding != "valid")
        select_item(self.border, s.border)
        self.dilation.setValue(s.dilation[0])
        select_item(self.channels, s.channels)
        select_item(self.activation, s.activation)
        select_item(self.pool, s.pool)
        self.pool_size.setValue(s.pool_size[0])
        self.pool_stride.setValue(0 if s.pool_stride is None else s.pool_stride[0])
        for w in (self.pool_size, self.pool_stride):
            w.setEnabled(s.pool != "none")
        select_item(self.display, self.state.display_mode)
        self.heat_map.setChecked(self.state.heat_map)
        for w in widgets:
            w.blockSignals(False)

    def show_error(self, message: str) -> None:
        """Show an impossible combination inline (an empty message clears it; its room stays)."""
        self.error.setText(message)
