"""The main window: wiring between the state, the panels, the workers and the menus.

Numbers come from :mod:`convdemo.core`; panels live in their own modules.
This module arranges them, forwards signals and remembers the session.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QRectF, QSettings, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter,
    QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from convdemo import __version__
from convdemo.core.display import DISPLAY_MODES
from convdemo.core.errors import ConvdemoError
from convdemo.core.explain import explain_conv, explain_pool, placement, receptive_field
from convdemo.core.fileio import atomic_write
from convdemo.core.images import DEFAULT_MAX_SIZE, LoadedImage, save_png
from convdemo.core.kernels import Kernel, PresetLibrary, default_library
from convdemo.core.params import Settings
from convdemo.core.samples import DEFAULT_SAMPLE, SAMPLES, sample_path
from convdemo.gui.animation import AnimationBar, SlidingWindow
from convdemo.gui.controls import ControlsPanel
from convdemo.gui.help_panel import HelpPanel
from convdemo.gui.image_views import StageRow, StageView
from convdemo.gui.inspector import Inspector
from convdemo.gui.kernel_editor import KernelEditor
from convdemo.gui.photo_io import ImageLoader, open_filter, qimage_to_png_bytes, recent_files, remember_file
from convdemo.gui.state import AppState
from convdemo.gui.workers import PipelineRunner, Result

DEFAULT_KERNEL = "edge-above"
SETTINGS_PREFIX = "v1/"
STAGE_TITLES = {"source": "Input", "conv": "Convolved", "activation": "Activated", "pool": "Pooled"}
SOURCE_NOTES = {"gray": "grey luma", "rgb-sum": "RGB", "per-channel": "RGB", "red": "red plane",
                "green": "green plane", "blue": "blue plane"}


def shape_text(shape: tuple[int, ...]) -> str:
    """``(26, 26, 3)`` → ``'26×26×3'``."""
    return "×".join(str(n) for n in shape)


class MainWindow(QMainWindow):
    """The convolution lab.

    Signals
    -------
    result_shown(Result)
        A new result was put on screen (views, titles, inspector).
    """

    result_shown = pyqtSignal(object)

    def __init__(self, library: PresetLibrary | None = None, settings: QSettings | None = None):
        super().__init__()
        self.setWindowTitle("convdemo — convolution lab")
        self.library = library or default_library()
        self.store = settings or QSettings()
        self.state = AppState(kernel=self.library[DEFAULT_KERNEL])
        self.runner = PipelineRunner(self)
        self.loader = ImageLoader(self)
        self.animation = SlidingWindow(self)
        self.result: Result | None = None
        self.pinned: tuple[str, int, int] | None = None
        self.image_source: str | None = None
        self.max_size: int | None = DEFAULT_MAX_SIZE
        self._fit_pending = True
        self._first_image = True
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.resize(1440, 900)
        self.setAcceptDrops(True)

    # -- building ----------------------------------------------------------

    def _build_widgets(self) -> None:
        self.editor = KernelEditor(self.library)
        self.editor.set_kernel(self.state.kernel, DEFAULT_KERNEL)
        self.controls = ControlsPanel(self.state)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(6, 6, 6, 6)
        side_layout.addWidget(self.editor)
        side_layout.addWidget(self.controls)
        side_scroll = QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setMinimumWidth(360)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.views = {name: StageView(name, title) for name, title in STAGE_TITLES.items()}
        self.stage_row = StageRow(list(self.views.values()))
        self.message = QLabel()
        self.message.setObjectName("messageBar")
        self.message.setWordWrap(True)
        self.message.hide()
        self.animation_bar = AnimationBar(self.animation)
        self.inspector = Inspector()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(6, 6, 6, 0)
        top_layout.addWidget(self.message)
        top_layout.addWidget(self.stage_row, 1)
        top_layout.addWidget(self.animation_bar)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.inspector)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([600, 230])
        lab = QSplitter(Qt.Orientation.Horizontal)
        lab.addWidget(side_scroll)
        lab.addWidget(right)
        lab.setStretchFactor(1, 1)
        lab.setSizes([380, 1060])
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(lab, "Convolution lab")
        self.setCentralWidget(self.tabs)

        self.help_dock = QDockWidget("What am I looking at?", self)
        self.help_dock.setObjectName("helpDock")
        self.help_dock.setWidget(HelpPanel())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.help_dock)
        self.help_dock.hide()
        self.size_label = QLabel()
        self.timing_label = QLabel()
        self.statusBar().addPermanentWidget(self.size_label)
        self.statusBar().addPermanentWidget(self.timing_label)

    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip or text)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.open_action = self._action(file, "&Open image…", self.open_dialog, QKeySequence.StandardKey.Open,
                                        "Open a photo or any image Pillow can read.")
        self.recent_menu = file.addMenu("Open &recent")
        self.samples_menu = file.addMenu("&Samples")
        for sample in SAMPLES:
            name = Path(sample.file_name).stem
            action = self._action(self.samples_menu, sample.title, lambda _=False, n=name: self.open_sample(n),
                                  tip=sample.teaches)
            action.setToolTip(sample.teaches)
        self._action(file, "&Paste image", self.paste_image, QKeySequence.StandardKey.Paste,
                     "Use the image on the clipboard.")
        file.addSeparator()
        self.save_action = self._action(file, "&Save output…", self.save_output, QKeySequence.StandardKey.Save,
                                        "Save the last stage as a PNG picture or a raw .npy array.")
        self._action(file, "Save side-by-side &comparison…", self.save_comparison, "Ctrl+Shift+S",
                     "Save the stage views side by side as one PNG.")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        undo = self.editor.undo_stack.createUndoAction(self, "&Undo kernel edit")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.editor.undo_stack.createRedoAction(self, "&Redo kernel edit")
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        edit.addActions([undo, redo])

        view = bar.addMenu("&View")
        self._action(view, "Zoom to &fit", self.fit_views, "Ctrl+0", "Show the whole image in every panel.")
        colours = view.addMenu("&Colours")
        self.display_group = QActionGroup(self)
        for mode in DISPLAY_MODES:
            action = self._action(colours, mode, lambda _=False, m=mode: self.state.set_display_mode(m))
            action.setCheckable(True)
            action.setChecked(mode == self.state.display_mode)
            self.display_group.addAction(action)
        view.addAction(self.help_dock.toggleViewAction())

        anim = bar.addMenu("&Animation")
        self._action(anim, "Play / pause", self.animation_bar.toggle_play, "Space",
                     "Slide the kernel over the visible region cell by cell.")
        self._action(anim, "Step", self.animation_bar.step, "]", "Compute one more output cell.")
        self._action(anim, "Stop and unpin", self.stop_and_unpin, "Esc", "Show every output cell again and unpin.")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "What am I &looking at?", self.help_dock.show, "F1",
                     "A short explanation of convolution, stride, padding, pooling and channels.")
        self._action(help_menu, "&About convdemo", self.show_about)

        tools = self.addToolBar("Main")
        tools.setObjectName("mainToolbar")
        tools.setMovable(False)
        tools.addAction(self.open_action)
        samples_button = QToolButton()
        samples_button.setText("Samples")
        samples_button.setMenu(self.samples_menu)
        samples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        samples_button.setToolTip("Open a built-in sample image.")
        tools.addWidget(samples_button)
        tools.addAction(self.save_action)
        tools.addSeparator()
        tools.addActions([undo, redo])
        tools.addSeparator()
        fit = QAction("Fit", self)
        fit.setToolTip("Zoom to fit (Ctrl+0)")
        fit.triggered.connect(self.fit_views)
        tools.addAction(fit)
        tools.addAction(self.help_dock.toggleViewAction())

        for key, delta in ((Qt.Key.Key_Left, (0, -1)), (Qt.Key.Key_Right, (0, 1)),
                           (Qt.Key.Key_Up, (-1, 0)), (Qt.Key.Key_Down, (1, 0))):
            shortcut = QShortcut(QKeySequence(key), self.stage_row)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda d=delta: self.move_pin(*d))
        self._refresh_recent_menu()

    def _connect(self) -> None:
        self.state.changed.connect(self.recompute)
        self.state.display_changed.connect(self.recompute)
        self.state.display_changed.connect(self._sync_display_actions)
        self.editor.kernel_changed.connect(self.state.set_kernel)
        self.editor.flip_changed.connect(lambda flip: self.state.update_settings(flip=flip))
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.controls.max_size_changed.connect(self.set_max_size)
        self.runner.finished.connect(self.show_result)
        self.runner.failed.connect(self.show_failure)
        self.loader.loaded.connect(self._on_image_loaded)
        self.loader.failed.connect(lambda text: self.show_message(f"{text} The current image is kept."))
        for view in self.views.values():
            view.hovered.connect(self.on_hover)
            view.clicked.connect(self.pin)
        self.animation.moved.connect(lambda r, c: self.pin("conv", r, c))
        self.animation.hidden_changed.connect(self.views["conv"].set_hidden)
        self.animation_bar.start_requested.connect(self.start_animation)

    # -- images ------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """Load an image file in the background (errors keep the current image)."""
        self.loader.load(str(path), self.max_size)

    def open_sample(self, name: str) -> None:
        """Load a built-in sample image."""
        self.open_path(str(sample_path(name)))

    def open_dialog(self) -> None:
        """Ask for an image file."""
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", open_filter())
        if path:
            self.open_path(path)

    def paste_image(self) -> None:
        """Use the clipboard's image (or a file path copied as text)."""
        clipboard = QApplication.clipboard()
        image = clipboard.image()
        if not image.isNull():
            self.loader.load(qimage_to_png_bytes(image), self.max_size, name="<clipboard>")
            return
        text = clipboard.text().strip()
        if text and Path(text).is_file():
            self.open_path(text)
        else:
            self.show_message("The clipboard holds no image.")

    def set_max_size(self, max_size: int | None) -> None:
        """Change the working resolution and reload the current file at it."""
        self.max_size = max_size
        if self.image_source:
            self.open_path(self.image_source)

    def _on_image_loaded(self, image: LoadedImage, source: str | None) -> None:
        self.image_source = source
        if source:
            remember_file(self.store, source)
            self._refresh_recent_menu()
        self.animation.stop()
        self.pinned = None
        self._fit_pending = True
        self.hide_message()
        self.size_label.setText(image.describe())
        self.state.set_image(image)

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = recent_files(self.store)
        for path in paths:
            self._action(self.recent_menu, Path(path).name, lambda _=False, p=path: self.open_path(p), tip=path)
        self.recent_menu.setEnabled(bool(paths))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if files:
            self.open_path(files[0])
        elif mime.hasImage():
            self.loader.load(qimage_to_png_bytes(mime.imageData()), self.max_size, name="<dropped image>")

    # -- computing and showing -----------------------------------------------

    def recompute(self) -> None:
        """Ask the worker for a new result (the newest request wins)."""
        self.editor.set_three_kernels_allowed(self.state.settings.channels in ("rgb-sum", "per-channel"))
        if self.state.image is not None:
            self.runner.submit(self.state.image, self.state.kernel, self.state.effective_settings(),
                               self.state.display_mode)

    def show_result(self, result: Result) -> None:
        """Put a finished result on screen."""
        self.result = result
        stages = result.stages
        self.controls.show_error("")
        if self.message.property("kind") == "pipeline":
            self.hide_message()
        s = stages.settings
        arrays = {"source": stages.source, "conv": stages.conv, "activation": stages.activated,
                  "pool": stages.pooled}
        notes = {"source": SOURCE_NOTES[s.channels], "conv": "", "activation": s.activation, "pool": f"{s.pool} "
                 f"{s.pool_size[0]}×{s.pool_size[1]}"}
        formulas = {"source": self.state.image.describe(), "conv": stages.conv_geometry.formula,
                    "activation": "", "pool": stages.pool_geometry.formula if stages.pool_geometry else ""}
        for name, view in self.views.items():
            array = arrays[name]
            view.setVisible(array is not None)
            if array is None:
                continue
            note = f" ({notes[name]})" if notes[name] else ""
            view.set_stage(array, result.pictures[name], placement(stages, name),
                           f"{STAGE_TITLES[name]}{note} · {shape_text(array.shape)}", formulas[name])
        if self.animation.active and self.animation.shape != stages.conv.shape[:2]:
            self.animation.stop()
        if self._fit_pending:
            self._fit_pending = False
            self.fit_views()
            if self._first_image:
                self._first_image = False
                self.pin_strongest()
        self._refresh_pin()
        self.timing_label.setText(f"computed in {result.seconds * 1000:.0f} ms")
        self.result_shown.emit(result)

    def show_failure(self, _request_id: int, message: str) -> None:
        """An impossible combination: say so inline, keep the previous picture."""
        self.controls.show_error(message)
        self.show_message(f"{message[0].upper()}{message[1:]} The previous result stays on screen.",
                          kind="pipeline")

    def show_message(self, text: str, kind: str = "error") -> None:
        """A one-line message above the views (errors stay until the next success)."""
        self.message.setText(text)
        self.message.setProperty("kind", kind)
        self.message.setStyleSheet("QLabel#messageBar { background: #fdecea; color: #8a1c12; padding: 6px;"
                                   " border-radius: 4px; }")
        self.message.show()

    def hide_message(self) -> None:
        """Remove the message above the views."""
        self.message.hide()
        self.message.setProperty("kind", None)

    def fit_views(self) -> None:
        """Show the whole input in every panel."""
        if self.state.image is not None:
            self.stage_row.fit(*self.state.image.size)

    def _sync_display_actions(self) -> None:
        for action in self.display_group.actions():
            action.setChecked(action.text() == self.state.display_mode)

    # -- hover, pin, inspector ---------------------------------------------

    def on_hover(self, stage: str, row: int, col: int) -> None:
        """Status bar value, highlight and (unless pinned) the inspector for the pixel under the mouse."""
        if self.result is None:
            return
        if row < 0:
            self.statusBar().clearMessage()
            self._set_highlights(None, pinned=False)
            if self.pinned is None:
                self.inspector.show_hint()
            return
        values = np.atleast_1d(self.views[stage].array[row, col])
        self.statusBar().showMessage(f"{STAGE_TITLES[stage]} (row {row}, col {col}) = "
                                     + ", ".join(f"{v:.4g}" for v in values))
        if stage == "source":
            self._set_highlights(None, pinned=False)
            return
        self._set_highlights((stage, row, col), pinned=False)
        if self.pinned is None:
            self._explain(stage, row, col, pinned=False)

    def pin(self, stage: str, row: int, col: int) -> None:
        """Pin an output pixel: the inspector keeps showing it."""
        if stage == "source" or self.result is None:
            return
        self.pinned = (stage, row, col)
        self._refresh_pin()
        self.stage_row.setFocus()

    def pin_strongest(self) -> None:
        """Pin the strongest convolved pixel away from the padding: a first example for the inspector."""
        stages = self.result.stages
        magnitude = np.abs(stages.conv) if stages.conv.ndim == 2 else np.abs(stages.conv).sum(axis=2)
        (r0, r1), (c0, c1) = stages.conv_geometry.rows.interior(), stages.conv_geometry.cols.interior()
        if r1 > r0 and c1 > c0:
            inside = np.zeros_like(magnitude)
            inside[r0:r1, c0:c1] = magnitude[r0:r1, c0:c1]
            magnitude = inside
        self.pin("conv", *(int(v) for v in np.unravel_index(np.argmax(magnitude), magnitude.shape)))

    def move_pin(self, d_row: int, d_col: int) -> None:
        """Arrow keys: move the pinned pixel."""
        if self.pinned is None:
            return
        stage, row, col = self.pinned
        h, w = self.views[stage].array.shape[:2]
        self.pin(stage, min(max(row + d_row, 0), h - 1), min(max(col + d_col, 0), w - 1))

    def unpin(self) -> None:
        """Forget the pinned pixel."""
        self.pinned = None
        self._set_highlights(None, pinned=True)
        self.inspector.show_hint()

    def _refresh_pin(self) -> None:
        if self.pinned is None or self.result is None:
            return
        stage, row, col = self.pinned
        array = self.views[stage].array if self.views[stage].isVisibleTo(self) else None
        if array is None or row >= array.shape[0] or col >= array.shape[1]:
            self.unpin()
            return
        self._set_highlights(self.pinned, pinned=True)
        self._explain(stage, row, col, pinned=True)

    def _explain(self, stage: str, row: int, col: int, pinned: bool) -> None:
        stages = self.result.stages
        pool = conv = None
        if stage == "pool":
            pool = explain_pool(stages, row, col)
            if pool.winner is not None:
                wr, wc = pool.winner[0]
                conv = explain_conv(stages, int(pool.rows[wr]), int(pool.cols[wc]))
        else:
            conv = explain_conv(stages, row, col)
        self.inspector.show_pixel(stages, conv, pool, pinned)

    def _set_highlights(self, target: tuple[str, int, int] | None, pinned: bool) -> None:
        """Outline the pixel, its pooling window and its receptive field in every view."""
        rects: dict[str, list[QRectF]] = {name: [] for name in self.views}
        if target is not None:
            stage, row, col = target
            stages = self.result.stages
            rects[stage].append(self.views[stage].pixel_rect(row, col))
            if stage == "pool":
                e = explain_pool(stages, row, col)
                for name in ("conv", "activation"):
                    first = self.views[name].pixel_rect(int(e.rows[0]), int(e.cols[0]))
                    rects[name].append(first.united(self.views[name].pixel_rect(int(e.rows[-1]), int(e.cols[-1]))))
            if stage == "pool" or stages.settings.dilation == (1, 1):
                top, left, bottom, right = receptive_field(stages, stage, row, col)
                rects["source"].append(QRectF(left, top, right - left, bottom - top))
            else:
                e = explain_conv(stages, row, col)
                rects["source"] += [QRectF(c, r, 1, 1) for r in e.input_rows for c in e.input_cols]
        for name, view in self.views.items():
            view.set_highlight(rects[name], pinned=pinned)

    def stop_and_unpin(self) -> None:
        """Esc: leave the animation and forget the pinned pixel."""
        self.animation.stop()
        self.unpin()

    # -- animation -----------------------------------------------------------

    def start_animation(self) -> None:
        """Prepare the sliding window over the visible part of the convolved view."""
        if self.result is None:
            return
        conv = self.views["conv"]
        (x0, x1), (y0, y1) = conv.view.viewRange()
        r0, c0 = conv.pixel_at(max(x0, conv.placement.offset_x), max(y0, conv.placement.offset_y))
        h, w = conv.array.shape[:2]
        r0, c0 = max(r0, 0), max(c0, 0)
        self.animation.prepare((h, w), (r0, h, c0, w))

    # -- saving ----------------------------------------------------------------

    def save_output(self) -> None:
        """Save the last enabled stage as PNG (as shown) or .npy (raw float32)."""
        if self.result is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save output", "output.png",
                                              "PNG picture (*.png);;Raw float32 array (*.npy)")
        if path:
            self.write_output(path)

    def write_output(self, path: str) -> None:
        """Write the current output to ``path`` (.png or .npy); errors go to the message bar."""
        stages = self.result.stages
        last = "pool" if stages.pooled is not None else ("activation" if stages.activated is not None else "conv")
        try:
            if path.lower().endswith(".npy"):
                buffer = io.BytesIO()
                np.save(buffer, stages.output.astype(np.float32))
                atomic_write(path, lambda f: f.write(buffer.getvalue()))
            else:
                save_png(path if path.lower().endswith(".png") else path + ".png", self.result.pictures[last].rgb)
            self.statusBar().showMessage(f"Saved {path}", 6000)
        except (ConvdemoError, OSError) as error:
            self.show_message(f"Could not save {Path(path).name}: {error}")

    def save_comparison(self) -> None:
        """Save the stage views side by side, as they look now, to a PNG."""
        path, _ = QFileDialog.getSaveFileName(self, "Save comparison", "comparison.png", "PNG picture (*.png)")
        if path:
            if not self.stage_row.grab().save(path, "PNG"):
                self.show_message(f"Could not save {Path(path).name}.")

    def show_about(self) -> None:
        """Version and purpose."""
        QMessageBox.about(self, "About convdemo",
                          f"<b>convdemo {__version__}</b><p>A desktop lab for seeing how convolution, "
                          "pooling and small CNNs work.</p>")

    # -- session -------------------------------------------------------------

    def restore_session(self) -> None:
        """Restore kernel, options, view and window geometry from the last run."""
        store, p = self.store, SETTINGS_PREFIX
        geometry = store.value(p + "geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.restoreState(store.value(p + "window_state") or b"")
        try:
            if store.value(p + "settings"):
                self.state.settings = Settings(**json.loads(store.value(p + "settings")))
            if store.value(p + "kernel"):
                doc = json.loads(store.value(p + "kernel"))
                self.state.kernel = Kernel(np.array(doc.pop("weights"), dtype=float), **doc)
            self.state.display_mode = store.value(p + "display_mode", "auto")
            max_size = store.value(p + "max_size")
            if max_size is not None:
                self.max_size = None if max_size == "full" else int(max_size)
        except (ConvdemoError, ValueError, TypeError, KeyError):
            self.state.settings, self.state.kernel = Settings(), self.library[DEFAULT_KERNEL]
        preset = store.value(p + "preset", DEFAULT_KERNEL) or None
        self.editor.set_kernel(self.state.kernel, preset if preset in self.library else None)
        self.editor.set_flip(self.state.settings.flip)
        self.controls.set_working_size(self.max_size)
        self.controls.refresh()
        self._sync_display_actions()

    def save_session(self) -> None:
        """Remember kernel, options, last image and geometry."""
        store, p = self.store, SETTINGS_PREFIX
        store.setValue(p + "geometry", self.saveGeometry())
        store.setValue(p + "window_state", self.saveState())
        settings = dataclasses.asdict(self.state.settings)
        store.setValue(p + "settings", json.dumps(settings))
        k = self.state.kernel
        store.setValue(p + "kernel", json.dumps({"weights": k.weights.tolist(), "name": k.name,
                                                 "description": k.description, "divisor": k.divisor,
                                                 "bias": k.bias}))
        store.setValue(p + "preset", self.editor.preset_name() or "")
        store.setValue(p + "display_mode", self.state.display_mode)
        store.setValue(p + "max_size", "full" if self.max_size is None else str(self.max_size))
        if self.image_source:
            store.setValue(p + "image", self.image_source)
        store.sync()

    def last_image(self) -> str | None:
        """The image file open at the end of the last session, if it still exists."""
        path = self.store.value(SETTINGS_PREFIX + "image")
        return path if path and Path(path).is_file() else None

    def open_initial(self, image: str | None) -> None:
        """Open the command line's image, else the last one, else the default sample."""
        self.open_path(image or self.last_image() or str(sample_path(DEFAULT_SAMPLE)))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.animation.stop()
        self.save_session()
        self.runner.wait(3000)
        self.loader.wait(3000)
        super().closeEvent(event)

