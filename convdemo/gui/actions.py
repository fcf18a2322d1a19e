"""The main window's commands: every action with its shortcut and status tip, the menus, the toolbar.

:class:`WindowActions` creates them all in one place and connects them to
the window's slots; the window keeps it to refill the recent-files menu and
to tick the colour choices when the display changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QActionGroup, QIcon, QImage, QKeySequence, QPixmap, QShortcut
from PyQt6.QtWidgets import QMenu, QProxyStyle, QStyle, QToolButton

from convdemo.core.modes import DISPLAY_MODES
from convdemo.core.samples import SAMPLES, sample_path
from convdemo.gui.theme import THEMES, apply_theme, choose_theme, stored_theme

if TYPE_CHECKING:
    from convdemo.gui.main_window import MainWindow

PIN_KEYS = ((Qt.Key.Key_Left, (0, -1)), (Qt.Key.Key_Right, (0, 1)), (Qt.Key.Key_Up, (-1, 0)), (Qt.Key.Key_Down, (1, 0)))
"""Arrow keys over the stage views and the (rows, columns) they move the pinned pixel by."""
SAMPLE_ICON_SIZE = 48
"""Side in pixels of the thumbnails in the Samples menu."""


def sample_icon(path: Path, size: int = SAMPLE_ICON_SIZE) -> QIcon:
    """A thumbnail of the image at ``path`` fitting ``size``×``size`` pixels.

    An image smaller than the thumbnail is enlarged nearest-neighbour, so the pixels
    of the tiny digit and letter stay crisp squares; a larger one is reduced smoothly.
    """
    image = QImage(str(path))
    grow = max(image.width(), image.height()) < size
    mode = Qt.TransformationMode.FastTransformation if grow else Qt.TransformationMode.SmoothTransformation
    return QIcon(QPixmap.fromImage(image.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, mode)))


class ThumbnailMenuStyle(QProxyStyle):
    """The application's style, with menu icons of :data:`SAMPLE_ICON_SIZE` pixels for the thumbnails."""

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # noqa: N802 - Qt override
        """:data:`SAMPLE_ICON_SIZE` for the menu icon size; the base style's answer otherwise."""
        if metric == QStyle.PixelMetric.PM_SmallIconSize:
            return SAMPLE_ICON_SIZE
        return super().pixelMetric(metric, option, widget)


class WindowActions:
    """The menus, toolbar and keyboard shortcuts of a :class:`~convdemo.gui.main_window.MainWindow`.

    Build it once the window's panels exist (the actions call into them).

    Attributes
    ----------
    open, save, fit : QAction
        File → Open image, File → Save output and View → Zoom to fit (also on the toolbar).
    zoom_in, zoom_out, actual_size : QAction
        View → Zoom in (Ctrl++ or Ctrl+=), Zoom out (Ctrl+-) and Actual size (Ctrl+1, one screen pixel
        per input pixel).
    undo, redo : QAction
        Edit → Undo and Redo of the kernel editor's undo stack (also on the toolbar).
    heat_map : QAction
        View → Colours → Heat map for single planes (checkable).
    presenter : QAction
        View → Presenter mode (F5, checkable): see :mod:`convdemo.gui.presenter`.
    themes : QActionGroup
        View → Theme: one checkable action per theme of :data:`~convdemo.gui.theme.THEMES`; the
        stored theme is ticked and applied when the actions are built.
    display_modes : QActionGroup
        View → Colours: one checkable action per display mode, named after it.
    recent_menu, samples_menu : QMenu
        File → Open recent and File → Samples.
    """

    def __init__(self, window: MainWindow):
        self._window = window
        bar = window.menuBar()
        self._build_file_menu(bar.addMenu("&File"))
        self._build_edit_menu(bar.addMenu("&Edit"))
        self._build_view_menu(bar.addMenu("&View"))
        self._build_animation_menu(bar.addMenu("&Animation"))
        self._build_help_menu(bar.addMenu("&Help"))
        self._build_toolbar()
        self._build_pin_keys()

    def _add(self, menu: QMenu, text: str, slot: Callable, shortcut: QKeySequence.StandardKey | str | None = None,
            tip: str = "") -> QAction:
        """A new action of the window at the end of ``menu``: ``tip`` is its status tip and tooltip."""
        action = QAction(text, self._window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- building ----------------------------------------------------------

    def _build_file_menu(self, file: QMenu) -> None:
        w = self._window
        self.open = self._add(file, "&Open image…", w.open_dialog, QKeySequence.StandardKey.Open,
                             "Open a photo or any image Pillow can read.")
        self.recent_menu = file.addMenu("Open &recent")
        self.samples_menu = file.addMenu("&Samples")
        self._thumbnail_style = ThumbnailMenuStyle()  # a widget does not own its style: keep it alive
        self.samples_menu.setStyle(self._thumbnail_style)
        self.samples_menu.setToolTipsVisible(True)
        for sample in SAMPLES:
            name = Path(sample.file_name).stem
            action = self._add(self.samples_menu, sample.title, lambda _=False, n=name: w.open_sample(n),
                              tip=sample.teaches)
            action.setIcon(sample_icon(sample_path(name)))
        self._add(file, "&Paste image", w.paste_image, QKeySequence.StandardKey.Paste,
                  "Use the image on the clipboard.")
        file.addSeparator()
        self.save = self._add(file, "&Save output…", w.save_output, QKeySequence.StandardKey.Save,
                             "Save the last stage as a PNG picture or a raw .npy array.")
        self._add(file, "Save side-by-side &comparison…", w.save_comparison, "Ctrl+Shift+S",
                 "Save the stage views side by side as one PNG.")
        file.addSeparator()
        self._add(file, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    def _build_edit_menu(self, edit: QMenu) -> None:
        w = self._window
        # PyQt hands these actions to Python: keep references, or they vanish from menu and toolbar.
        self.undo = w.editor.undo_stack.createUndoAction(w, "&Undo")
        self.undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo = w.editor.undo_stack.createRedoAction(w, "&Redo")
        self.redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.undo.setIconText("Undo")  # the toolbar keeps a short label; the menu names the edit
        self.redo.setIconText("Redo")
        edit.addActions([self.undo, self.redo])

    def _build_view_menu(self, view: QMenu) -> None:
        w = self._window
        self.fit = self._add(view, "Zoom to &fit", w.fit_views, "Ctrl+0",
                             "Show every panel's whole picture, padded cells and larger outputs included.")
        self.zoom_in = self._add(view, "Zoom &in", w.stage_row.zoom_in, QKeySequence.StandardKey.ZoomIn,
                                 "Magnify every panel twice.")
        self.zoom_in.setShortcuts([QKeySequence(QKeySequence.StandardKey.ZoomIn), QKeySequence("Ctrl+=")])
        self.zoom_out = self._add(view, "Zoom &out", w.stage_row.zoom_out, QKeySequence.StandardKey.ZoomOut,
                                  "Show twice as much in every panel.")
        self.actual_size = self._add(view, "&Actual size (1:1)", w.stage_row.actual_size, "Ctrl+1",
                                     "One screen pixel per input pixel.")
        view.addSeparator()
        colours = view.addMenu("&Colours")
        self.display_modes = QActionGroup(w)
        for mode in DISPLAY_MODES:
            action = self._add(colours, mode, lambda _=False, m=mode: w.state.set_display(mode=m))
            action.setCheckable(True)
            action.setChecked(mode == w.state.display_mode)
            self.display_modes.addAction(action)
        colours.addSeparator()
        self.heat_map = self._add(colours, "Heat map for single planes", lambda on: w.state.set_display(heat_map=on),
                                 tip="Show one-plane outputs in heat colours instead of grey.")
        self.heat_map.setCheckable(True)
        self._build_theme_menu(view.addMenu("&Theme"))
        view.addSeparator()
        self.presenter = self._add(view, "&Presenter mode", w.presenter.set_enabled, "F5",
                                   "Larger text and only the views and the explanation, for a projector; "
                                   "the views follow the pinned pixel.")
        self.presenter.setCheckable(True)
        view.addAction(w.help_dock.toggleViewAction())

    def _build_theme_menu(self, menu: QMenu) -> None:
        """View → Theme: light, dark or the system's, the stored one ticked and applied."""
        w = self._window
        current = stored_theme(w.store)
        self.themes = QActionGroup(w)
        for name, text in THEMES.items():
            action = self._add(menu, text, lambda _=False, n=name: choose_theme(w.store, n))
            action.setCheckable(True)
            action.setChecked(name == current)
            action.setData(name)
            self.themes.addAction(action)
        apply_theme(current)

    def _build_animation_menu(self, anim: QMenu) -> None:
        w = self._window
        self._add(anim, "Play / pause", w.animation_bar.toggle_play, "Space",
                 "Slide the kernel over the visible region cell by cell.")
        self._add(anim, "Step", w.animation_bar.step, "]", "Compute one more output cell.")
        self._add(anim, "Stop and unpin", w.stop_and_unpin, "Esc", "Show every output cell again and unpin.")

    def _build_help_menu(self, help_menu: QMenu) -> None:
        w = self._window
        self._add(help_menu, "What am I &looking at?", w.help_dock.show, "F1",
                 "A short explanation of convolution, stride, padding, pooling and channels.")
        self._add(help_menu, "&About convdemo", w.show_about)

    def _build_toolbar(self) -> None:
        w = self._window
        tools = w.addToolBar("Main")
        tools.setObjectName("mainToolbar")
        tools.setMovable(False)
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        icon = lambda name: w.style().standardIcon(getattr(QStyle.StandardPixmap, name))  # noqa: E731
        help_action = w.help_dock.toggleViewAction()
        for action, name in ((self.open, "SP_DialogOpenButton"), (self.save, "SP_DialogSaveButton"),
                             (self.undo, "SP_ArrowBack"), (self.redo, "SP_ArrowForward"),
                             (self.fit, "SP_TitleBarMaxButton"), (help_action, "SP_DialogHelpButton")):
            action.setIcon(icon(name))
        tools.addAction(self.open)
        samples_button = QToolButton()
        samples_button.setIcon(icon("SP_DirIcon"))
        samples_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        samples_button.setText("Samples")
        samples_button.setMenu(self.samples_menu)
        samples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        samples_button.setToolTip("Open a built-in sample image.")
        tools.addWidget(samples_button)
        tools.addAction(self.save)
        tools.addSeparator()
        tools.addActions([self.undo, self.redo])
        tools.addSeparator()
        tools.addAction(self.fit)
        tools.addAction(help_action)

    def _build_pin_keys(self) -> None:
        w = self._window
        for key, delta in PIN_KEYS:
            shortcut = QShortcut(QKeySequence(key), w.stage_row)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda d=delta: w.focus.move_pin(*d))

    # -- keeping up --------------------------------------------------------

    def show_recent(self, paths: list[str]) -> None:
        """Refill File → Open recent with ``paths``, newest first (greyed out when there are none)."""
        self.recent_menu.clear()
        for path in paths:
            self._add(self.recent_menu, Path(path).name, lambda _=False, p=path: self._window.open_path(p), tip=path)
        self.recent_menu.setEnabled(bool(paths))

    def show_display(self, mode: str, heat_map: bool) -> None:
        """Tick the display ``mode`` and the heat-map choice in View → Colours."""
        for action in self.display_modes.actions():
            action.setChecked(action.text() == mode)
        self.heat_map.setChecked(heat_map)
