"""The kernel editor: preset bar, weight grid, size, divisor and bias, flip, undo and redo.

The editor keeps a *document*: the kernel being edited and the preset it
started from. The document changes only through an undo command on
:attr:`KernelEditor.undo_stack`, so every edit (a cell, the size, a preset,
normalise, transpose, rotate, divisor, bias, three kernels) is one undo step,
and undo and redo restore the exact numbers. Widgets are written from the
document with their signals blocked (:meth:`KernelEditor._refresh`), so
nothing loops. The grid lives in :mod:`convdemo.gui.kernel.grid`, the preset
picker and files in :mod:`convdemo.gui.kernel.presets_bar`, the document, its
undo commands and the undo keys in :mod:`convdemo.gui.kernel.history`.

Three kernels (R, G, B) are weights of shape (3, kh, kw). When the channel
mode cannot use them (:meth:`KernelEditor.set_three_kernels_allowed`), the
editor shows and emits plane R only, and the next edit keeps plane R alone.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from PyQt6.QtCore import QEvent, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QUndoStack
from PyQt6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.errors import ConvdemoError
from convdemo.core.kernels import MAX_SIZE, Kernel
from convdemo.core.preset_files import preset_flip
from convdemo.core.presets import PresetLibrary
from convdemo.gui.kernel.grid import KernelGrid
from convdemo.gui.kernel.history import Document, EditCommand, take_undo_key
from convdemo.gui.kernel.presets_bar import PresetBar, same_numbers, shown_kernel
from convdemo.gui.widgets import format_weight, guard_wheel, inline_error_label, make_button, mute, small_label

__all__ = ["KernelEditor", "resized"]

NUMBER_LIMIT = 1e6
"""Largest magnitude the divisor and bias fields accept."""
UNDO_BUTTON_WIDTH = 28

_PLANES = (("R", "red", "#d03030"), ("G", "green", "#2a9d3a"), ("B", "blue", "#3060d0"))
_IDENTITY = Kernel.from_array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], name="identity")


def resized(weights: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``weights`` of shape (..., kh, kw) cropped or grown with zeros to (..., rows, cols).

    The centre cell stays where it is: on a side of n cells the centre is
    cell ``(n - 1) // 2``, the cell 'same' padding places on each output pixel.
    """
    out = np.zeros(weights.shape[:-2] + (rows, cols))
    (src_r, dst_r), (src_c, dst_c) = (_overlap(old, new) for old, new in zip(weights.shape[-2:], (rows, cols)))
    out[..., dst_r, dst_c] = weights[..., src_r, src_c]
    return out


def _overlap(old: int, new: int) -> tuple[slice, slice]:
    """Source and destination slices of one axis when its size goes from ``old`` to ``new``."""
    shift = (new - 1) // 2 - (old - 1) // 2
    start, stop = max(0, -shift), min(old, new - shift)
    return slice(start, stop), slice(start + shift, stop + shift)


def _sentence(error: ConvdemoError | str) -> str:
    text = str(error)
    return text[:1].upper() + text[1:]


def _flat_hint(gain: float, bias: float) -> str:
    """What the kernel does to a flat area of value v (v·gain + bias), in words."""
    if math.isclose(gain, 1, abs_tol=1e-9) and bias == 0:
        return "flat areas keep their value"
    if math.isclose(gain, 0, abs_tol=1e-9):
        return f"flat areas become {format_weight(bias, 8)}"
    offset = f" + {format_weight(bias, 8)}" if bias else ""
    return f"flat areas × {format_weight(gain, 8)}{offset}"


class _NumberBox(QDoubleSpinBox):
    """A spin box for any finite number, shown without trailing zeros (``9``, ``0.5``, ``-128``)."""

    def __init__(self, tip: str, skip_zero: bool = False):
        super().__init__()
        self._skip_zero = skip_zero
        self.setRange(-NUMBER_LIMIT, NUMBER_LIMIT)
        self.setDecimals(6)
        self.setKeyboardTracking(False)
        self.setToolTip(tip)
        guard_wheel(self)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return f"{value:.10g}"

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if self._skip_zero and self.value() + steps * self.singleStep() == 0:
            steps += 1 if steps > 0 else -1
        super().stepBy(steps)


def _size_box(tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, MAX_SIZE)
    box.setKeyboardTracking(False)
    box.setToolTip(tip)
    guard_wheel(box)
    return box


def _row(*items: QWidget | str | int) -> QHBoxLayout:
    """A horizontal row; a str becomes a label, an int a stretch of that factor."""
    row = QHBoxLayout()
    row.setSpacing(4)
    for item in items:
        if isinstance(item, int):
            row.addStretch(item)
        else:
            row.addWidget(QLabel(item) if isinstance(item, str) else item)
    return row


class KernelEditor(QWidget):
    """Edit a kernel: pick a preset, type or nudge weights, set the divisor, bias and flip.

    Parameters
    ----------
    library : PresetLibrary
        Where presets come from and are saved to.
    parent : QWidget, optional

    Attributes
    ----------
    undo_stack : QUndoStack
        Every kernel edit; the main window adds its undo and redo actions to
        its Edit menu. Ctrl+Z and Ctrl+Shift+Z also work while the keyboard
        focus is inside the editor.

    Signals
    -------
    kernel_changed(Kernel)
        After every change the user makes (edit, preset pick, undo, redo,
        save as) and when :meth:`set_three_kernels_allowed` changes what
        :meth:`kernel` returns; never from :meth:`set_kernel`.
    flip_changed(bool)
        The user toggled "Flip (true convolution)".
    message(str)
        A sentence for the status bar, e.g. "Saved preset 'my edge'.".
    """

    kernel_changed = pyqtSignal(object)
    flip_changed = pyqtSignal(bool)
    message = pyqtSignal(str)

    def __init__(self, library: PresetLibrary, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.undo_stack = QUndoStack(self)
        self._document = Document(_IDENTITY, "identity" if "identity" in library else None)
        self._announced = _IDENTITY
        self._three_allowed = False
        self._plane = 0
        self._build()
        self._connect()
        self._refresh()

    # -- building --------------------------------------------------------------

    def _build(self) -> None:
        self.presets = PresetBar(self.library, flip=self.flip)
        self.rows_box = _size_box("Rows of the kernel (1–9); growing or shrinking keeps the centre values.")
        self.cols_box = _size_box("Columns of the kernel (1–9); growing or shrinking keeps the centre values.")
        self.three_box = QCheckBox("Three kernels (R, G, B)")
        self.three_box.setToolTip("Give the red, green and blue planes kernels of their own, like the depth-3 "
                                  "filter of a CNN's first layer (rgb-sum and per-channel modes only).")
        self.plane_tabs = QTabBar()
        self.plane_tabs.setExpanding(False)
        self.plane_tabs.setDrawBase(False)
        for letter, colour_name, colour in _PLANES:
            index = self.plane_tabs.addTab(letter)
            self.plane_tabs.setTabTextColor(index, QColor(colour))
            self.plane_tabs.setTabToolTip(index, f"Edit the kernel applied to the {colour_name} plane.")
        self.grid = KernelGrid()
        self.sum_label = small_label(wrap=False)
        self.sum_label.setToolTip("The weights' sum divided by the divisor is what a flat area is multiplied "
                                  "by: 1 keeps its brightness, 0 leaves only edges.")
        self.divisor_box = _NumberBox("Divide the sum by this number: 9 turns nine 1s into an average.",
                                      skip_zero=True)
        self.bias_box = _NumberBox("Add this to every output value: 128 lifts signed edges into view.")
        self.flip_box = QCheckBox("Flip (true convolution)")
        self.flip_box.setToolTip("Turn the kernel 180° before sliding it: true convolution instead of the "
                                 "cross-correlation CNNs use.")
        self.normalise_button = make_button("Normalise", "Divide every weight by their sum so they add up to 1.",
                                            self.normalise)
        self.transpose_button = make_button("Transpose", "Swap rows and columns (mirror across the diagonal).",
                                            self.transpose)
        self.rotate_button = make_button("Rotate 90°", "Turn the kernel a quarter turn clockwise.", self.rotate)
        self.undo_button = make_button("↶", "", self.undo_stack.undo)  # tooltips: _update_history_buttons
        self.redo_button = make_button("↷", "", self.undo_stack.redo)
        self.problem_label = inline_error_label()
        self._lay_out()
        mute(self.sum_label, self.palette())
        self._chain_tab_order()
        for widget in (self, *self.findChildren(QWidget)):
            widget.installEventFilter(self)

    def _lay_out(self) -> None:
        for button in (self.undo_button, self.redo_button):
            button.setFixedWidth(UNDO_BUTTON_WIDTH)
            font = button.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            button.setFont(font)
        for box in (self.divisor_box, self.bias_box):
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        box = QGroupBox("Kernel")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.setSpacing(6)
        inner.addWidget(self.presets)
        inner.addSpacing(6)
        inner.addLayout(_row("Size", self.rows_box, "×", self.cols_box, 1, self.three_box))
        inner.addWidget(self.plane_tabs, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addLayout(_row(1, self.grid, 1))
        inner.addWidget(self.sum_label, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addLayout(_row(self.normalise_button, self.transpose_button, self.rotate_button,
                             self.undo_button, self.redo_button))
        inner.addSpacing(6)
        inner.addLayout(_row("Divisor", self.divisor_box, "  Bias", self.bias_box))
        inner.addWidget(self.flip_box)
        inner.addWidget(self.problem_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # extra height is not ours

    def _chain_tab_order(self) -> None:
        """Tab goes through the controls top to bottom, and through the cells in reading order."""
        chain = [self.presets.picker, *self.presets.buttons(), self.rows_box, self.cols_box, self.three_box,
                 self.plane_tabs, *self.grid.cells_in_order(), self.normalise_button, self.transpose_button,
                 self.rotate_button, self.undo_button, self.redo_button, self.divisor_box, self.bias_box,
                 self.flip_box]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.presets.picked.connect(self.pick_preset)
        self.presets.adopted.connect(lambda name: self._show_document(Document(self.library[name], name)))
        self.presets.deleted.connect(self._forget_preset)
        self.presets.problem.connect(self._show_problem)
        self.presets.message.connect(self.message)
        self.rows_box.valueChanged.connect(self._resize_to_boxes)
        self.cols_box.valueChanged.connect(self._resize_to_boxes)
        self.three_box.toggled.connect(self._set_three)
        self.plane_tabs.currentChanged.connect(self._show_plane)
        self.grid.value_typed.connect(self._set_cell)
        self.grid.value_nudged.connect(self._set_cell)
        self.grid.problem.connect(self._show_problem)
        self.divisor_box.valueChanged.connect(
            lambda v: self._try_edit(f"divisor {v:g}", lambda k: dataclasses.replace(k, divisor=v)))
        self.bias_box.valueChanged.connect(
            lambda v: self._try_edit(f"bias {v:g}", lambda k: dataclasses.replace(k, bias=v)))
        self.flip_box.toggled.connect(self.flip_changed)
        self.undo_stack.indexChanged.connect(self._update_history_buttons)
        self._update_history_buttons()

    # -- public API ----------------------------------------------------------------

    def kernel(self) -> Kernel:
        """The kernel as edited: plane R only while three kernels are not allowed."""
        return shown_kernel(self._document.kernel, self._three_allowed)

    def preset_name(self) -> str | None:
        """The preset the kernel is, or was edited from (give it back to :meth:`set_kernel`)."""
        return self._document.preset

    def set_kernel(self, kernel: Kernel, preset: str | None = None) -> None:
        """Show ``kernel`` without emitting anything, and forget the undo history.

        Parameters
        ----------
        kernel : Kernel
        preset : str, optional
            The preset it is or was made from. The picker shows the preset's
            name when the numbers match it, else "custom (modified from …)".
        """
        self._document = Document(kernel, preset)
        self._announced = kernel  # what the caller knows
        self.undo_stack.clear()
        self._clear_problem()
        self._refresh()

    def flip(self) -> bool:
        """True when the kernel is turned 180° before sliding (true convolution)."""
        return self.flip_box.isChecked()

    def set_flip(self, flip: bool) -> None:
        """Tick or clear "Flip (true convolution)" without emitting :attr:`flip_changed`."""
        self.flip_box.blockSignals(True)
        self.flip_box.setChecked(flip)
        self.flip_box.blockSignals(False)

    def set_three_kernels_allowed(self, allowed: bool) -> None:
        """Offer three kernels (R, G, B) or not; emits :attr:`kernel_changed` if :meth:`kernel` changes."""
        if allowed != self._three_allowed:
            self._three_allowed = allowed
            self._refresh()
        if self.kernel() != self._announced:
            self._announce()

    # -- edits ---------------------------------------------------------------------

    def pick_preset(self, name: str | None) -> None:
        """Make the preset ``name`` the kernel (one undo step) and tick or clear the flip if the preset
        says so (emitting :attr:`flip_changed`); None (the custom entry) does nothing."""
        if name is None or name not in self.library:
            return
        kernel = self.library[name]
        self._push(f"preset {name}", Document(kernel, name))
        flip = preset_flip(kernel)
        if flip is not None:
            self.flip_box.setChecked(flip)

    def apply_edit(self, kernel: Kernel, label: str = "use learned filter") -> None:
        """Make ``kernel`` the kernel as one undo step named ``label``, and announce it.

        Unlike :meth:`set_kernel` the history stays: Ctrl+Z brings the previous kernel back.
        """
        self._push(label, Document(kernel, None))

    def normalise(self) -> None:
        """Divide the weights by their sum (divisor 1), or say why not when they sum to 0."""
        self._try_edit("normalise", Kernel.normalised)

    def transpose(self) -> None:
        """Swap rows and columns."""
        self._try_edit("transpose", Kernel.transposed)

    def rotate(self) -> None:
        """Turn the kernel 90° clockwise."""
        self._try_edit("rotate 90°", Kernel.rotated)

    def _set_cell(self, row: int, col: int, value: float, gesture: object = None) -> None:
        """Set one weight of the plane shown; nudges of one ``gesture`` merge into one undo step."""
        def change(kernel: Kernel) -> Kernel:
            weights = kernel.weights.copy()
            weights[self._plane_index(kernel) + (row, col)] = value
            return kernel.with_weights(weights)

        where = f"{_PLANES[self._plane][0]} " if self.kernel().is_per_channel else ""
        merge_key = None if gesture is None else (self._plane, gesture)
        self._try_edit(f"{where}row {row + 1}, column {col + 1} = {value:g}", change, merge_key)

    def _resize_to_boxes(self) -> None:
        rows, cols = self.rows_box.value(), self.cols_box.value()
        self._try_edit(f"size {rows}×{cols}", lambda k: k.with_weights(resized(k.weights, rows, cols)))

    def _set_three(self, on: bool) -> None:
        if on:
            self._try_edit("three kernels", lambda k: k.with_weights(np.stack([k.weights] * 3)))
        else:
            self._try_edit("one kernel", lambda k: k.with_weights(k.weights[self._plane]))

    def _plane_index(self, kernel: Kernel) -> tuple[int, ...]:
        """Index of the plane being edited in ``kernel.weights``: ``(plane,)`` or ``()``."""
        return (self._plane,) if kernel.is_per_channel else ()

    def _try_edit(self, text: str, change: Callable[[Kernel], Kernel], merge_key: object = None) -> None:
        """Push ``change(kernel())`` as one undo step, or show why it is impossible."""
        try:
            kernel = change(self.kernel())
        except ConvdemoError as error:
            self._show_problem(error)
            kernel = self.kernel()
        if same_numbers(kernel, self.kernel()):
            self._refresh()  # nothing to undo; put back what a widget may show
            return
        preset = self.presets.base_preset()
        if preset is not None and same_numbers(kernel, preset):
            kernel = preset
        else:
            kernel = dataclasses.replace(kernel, name="custom", description="", source=None)
        self._push(text, Document(kernel, self._document.preset), merge_key)

    def _push(self, text: str, after: Document, merge_key: object = None) -> None:
        if after != self._document:
            self.undo_stack.push(EditCommand(text, self._document, after, self._show_document, merge_key))
        else:
            self._refresh()

    def _show_document(self, document: Document) -> None:
        """Make ``document`` current (an undo command did), show it and announce the kernel."""
        self._document = document
        self._clear_problem()
        self._refresh()
        self._announce()

    def _announce(self) -> None:
        self._announced = self.kernel()
        self.kernel_changed.emit(self._announced)

    # -- showing -------------------------------------------------------------------

    def _refresh(self) -> None:
        """Write the document into every widget, with their signals blocked."""
        kernel = self.kernel()
        self.presets.show_kernel(self._document.kernel, self._document.preset, self._three_allowed)
        boxes = (self.rows_box, self.cols_box, self.three_box, self.plane_tabs, self.divisor_box, self.bias_box)
        for box in boxes:
            box.blockSignals(True)
        self.rows_box.setValue(kernel.shape[0])
        self.cols_box.setValue(kernel.shape[1])
        self.three_box.setEnabled(self._three_allowed)
        self.three_box.setChecked(kernel.is_per_channel)
        self.plane_tabs.setVisible(kernel.is_per_channel)
        self.plane_tabs.setCurrentIndex(self._plane)
        self.divisor_box.setValue(kernel.divisor)
        self.bias_box.setValue(kernel.bias)
        for box in boxes:
            box.blockSignals(False)
        self.grid.show_plane(kernel.weights[self._plane_index(kernel)], float(np.abs(kernel.weights).max()))
        self.sum_label.setText(self._sum_text(kernel))

    def _sum_text(self, kernel: Kernel) -> str:
        total = kernel.sum()
        if kernel.is_per_channel:
            letter = _PLANES[self._plane][0]
            plane = float(kernel.weights[self._plane].sum())
            return f"Σ {letter} = {format_weight(plane, 8)}   ·   Σ R+G+B = {format_weight(total, 8)}"
        return f"Σ = {format_weight(total, 8)}   ·   {_flat_hint(total / kernel.divisor, kernel.bias)}"

    def _update_history_buttons(self) -> None:
        """Enable undo and redo when there is something to do, and name it in their tooltips."""
        stack = self.undo_stack
        for button, verb, possible, text, keys in (
                (self.undo_button, "Undo", stack.canUndo(), stack.undoText(), "Ctrl+Z"),
                (self.redo_button, "Redo", stack.canRedo(), stack.redoText(), "Ctrl+Shift+Z")):
            button.setEnabled(possible)
            button.setToolTip(f"{verb} {text if possible else 'a kernel edit'} ({keys}).")

    def _forget_preset(self, name: str) -> None:
        """The user's preset ``name`` was deleted: the kernel stays, as a custom one."""
        if self._document.preset == name:
            self._document = dataclasses.replace(self._document, preset=None)
        self._refresh()

    def _show_plane(self, plane: int) -> None:
        self._plane = plane
        self._refresh()

    def _show_problem(self, error: ConvdemoError | str) -> None:
        self.problem_label.setText(_sentence(error))

    def _clear_problem(self) -> None:
        self.problem_label.clear()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            mute(self.sum_label, self.palette())
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Ctrl+Z and Ctrl+Shift+Z anywhere in the editor undo and redo kernel edits."""
        return take_undo_key(self.undo_stack, event) or super().eventFilter(watched, event)
