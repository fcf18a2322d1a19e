"""The kernel editor's undo history: the edited document, one undo command per edit, the undo keys.

:class:`~convdemo.gui.kernel.editor.KernelEditor` changes its
:class:`Document` only by pushing an :class:`EditCommand` on its
``QUndoStack``; its event filter gives Ctrl+Z and Ctrl+Shift+Z to that stack
with :func:`take_undo_key`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PyQt6.QtCore import QEvent
from PyQt6.QtGui import QKeySequence, QUndoCommand, QUndoStack

from convdemo.core.kernels import Kernel

_KEYS = {"Ctrl+Z": QUndoStack.undo, "Ctrl+Shift+Z": QUndoStack.redo}


@dataclasses.dataclass(frozen=True)
class Document:
    """What the editor edits: a kernel (all its planes) and the preset it is or was made from."""

    kernel: Kernel
    preset: str | None


class EditCommand(QUndoCommand):
    """One undoable edit: the document before and after, applied by ``show``.

    Commands with the same non-None ``merge_key`` (the nudges of one wheel run
    or one right-drag) merge into one step; one that ends where it began is dropped.
    """

    def __init__(self, text: str, before: Document, after: Document,
                 show: Callable[[Document], None], merge_key: object = None):
        super().__init__(text)
        self.before, self.after, self.merge_key, self._show = before, after, merge_key, show

    def redo(self) -> None:
        self._show(self.after)

    def undo(self) -> None:
        self._show(self.before)

    def id(self) -> int:
        return -1 if self.merge_key is None else 1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if getattr(other, "merge_key", None) != self.merge_key:
            return False
        self.after = other.after
        self.setText(other.text())
        self.setObsolete(self.after == self.before)
        return True


def take_undo_key(stack: QUndoStack, event: QEvent) -> bool:
    """Undo or redo on ``stack`` if ``event`` is Ctrl+Z or Ctrl+Shift+Z; True when it was one of them.

    For an event filter: claiming the shortcut-override event too keeps line
    edits from using the keys for their own text undo, and keeps the main
    window's actions with the same keys from firing twice.
    """
    if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        return False
    action = _KEYS.get(QKeySequence(event.keyCombination()).toString())
    if action is None:
        return False
    if event.type() == QEvent.Type.KeyPress:
        action(stack)
    event.accept()
    return True
