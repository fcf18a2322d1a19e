"""The kernel editor's preset bar: picker, description, Save as…, Delete, Import…, Export….

:class:`PresetBar` shows the kernel the editor tells it about and works the
preset files of a :class:`PresetLibrary`. It never changes the kernel: it
asks the editor to with its signals, so every kernel change stays one undo
step in the editor. Dialogs go through small methods (``_ask_preset``,
``_ask_open_path``, ``_ask_save_path``, ``_confirm``) that tests replace.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QEvent, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from convdemo.core.errors import ConvdemoError
from convdemo.core.kernels import Kernel
from convdemo.core.preset_files import preset_file_name, read_preset, with_flip, write_preset
from convdemo.core.presets import PresetLibrary
from convdemo.gui.widgets import guard_wheel, make_button, mute, small_label

__all__ = ["PresetBar", "make_button", "mute", "same_numbers", "shown_kernel", "small_label"]

_JSON_FILTER = "Kernel presets (*.json)"
DESCRIPTION_LINES = 3
"""Lines of room for the preset's description, kept whatever its length (longer ones are elided)."""


def same_numbers(a: Kernel, b: Kernel) -> bool:
    """True when two kernels compute the same thing (weights, divisor, bias), whatever their names."""
    return (a.weights.shape == b.weights.shape and np.array_equal(a.weights, b.weights)
            and a.divisor == b.divisor and a.bias == b.bias)


def shown_kernel(kernel: Kernel, three_allowed: bool) -> Kernel:
    """``kernel`` as the channel mode uses it: plane R alone while three kernels are not allowed."""
    if kernel.is_per_channel and not three_allowed:
        return kernel.with_weights(kernel.weights[0])
    return kernel


class PresetBar(QWidget):
    """Pick, save, delete, import and export presets; show the preset's description.

    Parameters
    ----------
    library : PresetLibrary
    flip : callable, optional
        Returns the current "Flip (true convolution)" choice, which Save as… and Export… store.

    Signals
    -------
    picked(str)
        The user chose this preset in the list, or imported it.
    adopted(str)
        The shown kernel was saved as the user's preset of this name.
    deleted(str)
        The user's preset of this name was deleted.
    problem(str)
        A sentence saying why a file operation failed.
    message(str)
        A sentence for the status bar about a file operation that worked.
    """

    picked = pyqtSignal(str)
    adopted = pyqtSignal(str)
    deleted = pyqtSignal(str)
    problem = pyqtSignal(str)
    message = pyqtSignal(str)

    def __init__(self, library: PresetLibrary, flip: Callable[[], bool] = lambda: False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self._flip = flip
        self._kernel: Kernel | None = None
        self._preset: str | None = None
        self._three_allowed = False
        self._fill_key: tuple | None = None
        self.picker = QComboBox()
        self.picker.setToolTip("Start from a preset kernel: the shipped ones first, then your own.")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(12)
        self.picker.activated.connect(self._on_activated)
        guard_wheel(self.picker)
        self.description_label = small_label(wrap=True, lines=DESCRIPTION_LINES)
        self.save_button = make_button("Save as…", "Keep the current kernel as one of your presets.", self.save_as)
        self.delete_button = make_button("Delete", "Delete this preset of yours; shipped presets stay.",
                                         self.delete_preset)
        self.import_button = make_button("Import…", "Add a preset from a .json file to your presets.",
                                         self.import_preset)
        self.export_button = make_button("Export…", "Write the current kernel to a .json preset file.",
                                         self.export_preset)
        self._lay_out()
        mute(self.description_label, self.palette())

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in self.buttons():
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.picker)
        layout.addWidget(self.description_label)
        layout.addLayout(buttons)

    def buttons(self) -> list[QToolButton]:
        """Save as…, Delete, Import…, Export…, in Tab order."""
        return [self.save_button, self.delete_button, self.import_button, self.export_button]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            mute(self.description_label, self.palette())
        super().changeEvent(event)

    # -- showing ---------------------------------------------------------------------

    def show_kernel(self, kernel: Kernel, preset: str | None, three_allowed: bool) -> None:
        """Show the editor's whole kernel (all planes), the preset it came from and the channel mode's limit."""
        self._kernel, self._preset, self._three_allowed = kernel, preset, three_allowed
        custom = None if self.is_pristine() else self._custom_text()
        key = (tuple((name, k.description) for name, k in self.library.items()), three_allowed, custom)
        if key != self._fill_key:
            self._fill_key = key
            self._fill(custom)
        self.picker.setCurrentIndex(0 if custom else self.picker.findData(preset))
        description = self._description_text()
        self.description_label.setText(description)
        self.delete_button.setEnabled(bool(preset) and self.library.is_user(preset))

    def base_preset(self) -> Kernel | None:
        """The library's preset the kernel is or was made from, if it still exists."""
        return self.library.get(self._preset) if self._preset else None

    def is_pristine(self) -> bool:
        """True when the kernel's numbers are those of the preset it came from."""
        preset = self.base_preset()
        return preset is not None and same_numbers(preset, self._kernel)

    def _fill(self, custom: str | None) -> None:
        """Items: the custom entry (if any), then shipped presets, then the user's, split by lines."""
        self.picker.blockSignals(True)
        self.picker.clear()
        if custom:
            self.picker.addItem(custom, None)
            self.picker.setItemData(0, "Your own weights: Save as… keeps them as a preset.",
                                    Qt.ItemDataRole.ToolTipRole)
        names = self.library.names()
        for group in ([n for n in names if not self.library.is_user(n)], [n for n in names if self.library.is_user(n)]):
            if group and self.picker.count():
                self.picker.insertSeparator(self.picker.count())
            for name in group:
                self._add_item(name)
        self.picker.blockSignals(False)

    def _add_item(self, name: str) -> None:
        kernel = self.library[name]
        self.picker.addItem(name, name)
        index = self.picker.count() - 1
        tip = kernel.description or name
        if kernel.is_per_channel and not self._three_allowed:
            tip += " Needs the rgb-sum or per-channel channel mode."
            self.picker.model().item(index).setEnabled(False)
        self.picker.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)

    def _custom_text(self) -> str:
        return f"custom (modified from {self._preset})" if self._preset else "custom"

    def _description_text(self) -> str:
        if self.is_pristine():
            text = self._kernel.description
        elif self._preset:
            text = f"Edited from '{self._preset}'. Save as… keeps it as your own preset."
        else:
            text = "Your own weights. Save as… keeps them as a preset."
        if self._kernel.is_per_channel and not self._three_allowed:
            text += " This channel mode uses plane R only; rgb-sum and per-channel use all three."
        return text

    def _on_activated(self, index: int) -> None:
        name = self.picker.itemData(index)
        if name is not None:
            self.picked.emit(name)

    # -- files -----------------------------------------------------------------------

    def save_as(self) -> None:
        """Ask a name and a description and save the shown kernel, with the current flip, among the user's
        presets, asking before replacing one."""
        kernel = self._kernel_to_write()
        answer = self._ask_preset(self._suggested_name(), kernel.description or (
            f"Edited from '{self._preset}'." if self._preset else ""))
        if answer is None:
            return
        name, description = (text.strip() for text in answer)
        replacing = self.library.is_user(name)
        if replacing and not self._confirm(f"Replace your preset '{name}'?"):
            return
        try:
            self.library.save_user(dataclasses.replace(kernel, name=name, description=description),
                                   overwrite=replacing)
        except ConvdemoError as error:
            self.problem.emit(str(error))
            return
        self.adopted.emit(name)
        self.message.emit(f"Saved preset '{name}'.")

    def delete_preset(self) -> None:
        """Delete the user's preset the kernel came from, after asking; shipped presets are refused."""
        name = self._preset
        if name is None:
            return
        if self.library.is_user(name) and not self._confirm(f"Delete your preset '{name}'? Its file is removed."):
            return
        try:
            self.library.delete_user(name)
        except ConvdemoError as error:
            self.problem.emit(str(error))
            return
        self.deleted.emit(name)
        self.message.emit(f"Deleted preset '{name}'.")

    def import_preset(self) -> None:
        """Ask for a preset file, copy it among the user's presets and pick it."""
        path = self._ask_open_path()
        if path is None:
            return
        try:
            name = read_preset(path).name
            replacing = self.library.is_user(name)
            if replacing and not self._confirm(f"Replace your preset '{name}' with the one in {Path(path).name}?"):
                return
            self.library.import_file(path, overwrite=replacing)
        except ConvdemoError as error:
            self.problem.emit(str(error))
            return
        self.picked.emit(name)
        self.message.emit(f"Imported preset '{name}' from {Path(path).name}.")

    def export_preset(self) -> None:
        """Ask where, then write the shown kernel as a preset file (named after the file unless it is a preset)."""
        pristine = self.is_pristine()
        path = self._ask_save_path(preset_file_name(self._preset if pristine else self._suggested_name()))
        if path is None:
            return
        kernel = self._kernel_to_write()
        if not pristine:
            kernel = dataclasses.replace(kernel, name=Path(path).stem)
        try:
            write_preset(path, kernel, overwrite=True)
        except ConvdemoError as error:
            self.problem.emit(str(error))
            return
        self.message.emit(f"Exported kernel '{kernel.name}' to {path}.")

    def _kernel_to_write(self) -> Kernel:
        """The shown kernel as a preset file holds it: the planes the channel mode uses, and the current flip."""
        return with_flip(shown_kernel(self._kernel, self._three_allowed), self._flip())

    def _suggested_name(self) -> str:
        """A name to offer when saving: the user's own preset's, else "my <preset>"."""
        if self._preset and self.library.is_user(self._preset):
            return self._preset
        return f"my {self._preset}" if self._preset else "my kernel"

    # -- questions (tests replace these) ------------------------------------------------

    def _ask_preset(self, name: str, description: str) -> tuple[str, str] | None:
        """The name and description to save the kernel under (``name`` and ``description`` offered),
        or None if the user cancelled."""
        dialog = QDialog(self)
        dialog.setWindowTitle("Save kernel as preset")
        name_field = QLineEdit(name)
        description_field = QPlainTextEdit(description)
        description_field.setPlaceholderText("What the kernel does, for the learner.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        name_field.textChanged.connect(lambda text: buttons.button(
            QDialogButtonBox.StandardButton.Save).setEnabled(bool(text.strip())))
        form = QFormLayout(dialog)
        form.addRow("Preset name:", name_field)
        form.addRow("Description:", description_field)
        form.addRow(buttons)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return name_field.text(), description_field.toPlainText()

    def _ask_open_path(self) -> str | None:
        """A preset file to import, or None if the user cancelled."""
        path, _ = QFileDialog.getOpenFileName(self, "Import kernel preset", "", _JSON_FILTER)
        return path or None

    def _ask_save_path(self, suggested: str) -> str | None:
        """Where to export, ending in .json (the dialog asked before replacing a file); None if cancelled."""
        dialog = QFileDialog(self, "Export kernel preset", suggested, _JSON_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        return dialog.selectedFiles()[0] if dialog.exec() else None

    def _confirm(self, text: str) -> bool:
        """True if the user answers Yes to ``text``."""
        return QMessageBox.question(self, "convdemo", text) == QMessageBox.StandardButton.Yes
