"""The main window: wiring between the state, the panels, the workers and the menus.

Numbers come from :mod:`convdemo.core`; panels live in their own modules, the
actions, menus and toolbar in :mod:`convdemo.gui.actions`. This module
arranges them, forwards signals and remembers the session.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PyQt6.QtCore import QSettings, Qt, pyqtSignal
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from convdemo import __version__
from convdemo.core.errors import ConvdemoError
from convdemo.core.explain import placement
from convdemo.core.fileio import atomic_write
from convdemo.core.geometry import shape_text
from convdemo.core.images import DEFAULT_MAX_SIZE, LoadedImage, save_png
from convdemo.core.kernels import Kernel
from convdemo.core.modes import CHANNEL_MODES
from convdemo.core.params import Settings
from convdemo.core.presets import PresetLibrary, default_library
from convdemo.core.samples import DEFAULT_SAMPLE, sample_path
from convdemo.gui.actions import WindowActions
from convdemo.gui.cnn.tab import CnnTab
from convdemo.gui.help_panel import HelpPanel, open_readable
from convdemo.gui.kernel.editor import KernelEditor
from convdemo.gui.lab.animation import AnimationBar, SlidingWindow
from convdemo.gui.lab.controls import ControlsPanel
from convdemo.gui.lab.inspector import Inspector
from convdemo.gui.lab.photos import (
    ImageLoader,
    open_filter,
    open_folder,
    path_problem,
    qimage_to_png_bytes,
    recent_files,
    remember_file,
    remember_folder,
)
from convdemo.gui.lab.pixel_focus import PixelFocus
from convdemo.gui.lab.stage_row import StageRow
from convdemo.gui.lab.stage_views import STAGE_TITLES, StageView
from convdemo.gui.lab.workers import PipelineRunner, Result
from convdemo.gui.presenter import PresenterMode
from convdemo.gui.session import SessionData, load_session, reset_note, restore_layout, save_session
from convdemo.gui.sizes import shape_tip
from convdemo.gui.state import AppState

if TYPE_CHECKING:
    from convdemo.gui.cnn.panel import CnnPanel

DEFAULT_KERNEL = "edge-above"


DEFAULT_WINDOW_SIZE = (1440, 900)
"""The window's size at its first start, and every screenshot's unless ``--size`` says otherwise."""

class MainWindow(QMainWindow):
    """The convolution lab.

    Signals
    -------
    result_shown(Result)
        A new result was put on screen (views, titles, inspector).
    open_failed(str)
        An image could not be opened: the sentence why. The window keeps its image, or
        shows the built-in sample when it had none yet, and says so above the views.
    """

    result_shown = pyqtSignal(object)
    open_failed = pyqtSignal(str)

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
        self.image_source: str | None = None
        self._last_image: str | None = None
        self._sample_note: str | None = None  # why the sample replaces the image asked for, while it loads
        self.max_size: int | None = DEFAULT_MAX_SIZE
        self._fit_pending = True
        self._first_image = True
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.resize(*DEFAULT_WINDOW_SIZE)
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
        self.side_panel = side_scroll

        self.views = {name: StageView(name, title) for name, title in STAGE_TITLES.items()}
        self.stage_row = StageRow(list(self.views.values()))
        self.message = QLabel()
        self.message.setObjectName("messageBar")
        self.message.setWordWrap(True)
        self.message.hide()
        self.animation_bar = AnimationBar(self.animation)
        self.inspector = Inspector()
        self.focus = PixelFocus(self.views, self.inspector, self)
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
        self.cnn_tab = CnnTab()
        self.tabs.addTab(self.cnn_tab, "CNN lab")
        self.setCentralWidget(self.tabs)

        self.help_dock = QDockWidget("What am I looking at?", self)
        self.help_dock.setObjectName("helpDock")
        self.help_dock.setWidget(HelpPanel())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.help_dock)
        open_readable(self.help_dock, self)
        self.help_dock.hide()
        self.size_label = QLabel()
        self.timing_label = QLabel()
        self.statusBar().addPermanentWidget(self.size_label)
        self.statusBar().addPermanentWidget(self.timing_label)

    def _build_actions(self) -> None:
        self.presenter = PresenterMode(self)
        self.commands = WindowActions(self)
        self._refresh_recent_menu()

    @property
    def undo_action(self) -> QAction:
        """Edit → Undo (the kernel editor's undo stack), also on the toolbar."""
        return self.commands.undo

    @property
    def redo_action(self) -> QAction:
        """Edit → Redo, also on the toolbar."""
        return self.commands.redo

    @property
    def recent_menu(self) -> QMenu:
        """File → Open recent."""
        return self.commands.recent_menu

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
        self.loader.failed.connect(self._cannot_open)
        for view in self.views.values():
            view.hovered.connect(self.focus.on_hover)
            view.clicked.connect(self._pin_clicked)
        self.focus.status.connect(lambda text: self.statusBar().showMessage(text) if text
                                  else self.statusBar().clearMessage())
        self.animation.moved.connect(lambda r, c: self.focus.pin("conv", r, c))
        self.animation.hidden_changed.connect(self.views["conv"].set_hidden)
        self.animation_bar.attach(self.views, self.focus, self.store)
        self.stage_row.follow(self.result_shown, self.state)
        self.cnn_tab.use_filter_as_kernel.connect(self.use_learned_filter)
        self.cnn_tab.message.connect(lambda text: self.statusBar().showMessage(text, 6000))

    # -- images ------------------------------------------------------------

    def open_path(self, path: str) -> None:
        """Load an image file in the background; a folder, pipe, device or missing file is refused at once.

        Any problem is explained above the views and keeps the current image (see :meth:`_cannot_open`).
        """
        problem = path_problem(path)
        if problem:
            self._cannot_open(problem)
        else:
            self._load(str(path))

    def _load(self, source: str | bytes, name: str | None = None) -> None:
        self._sample_note = None
        self.loader.load(source, self.max_size, name=name)

    def _cannot_open(self, problem: str) -> None:
        """Say why an image could not be opened; keep the current one, or fall back to the built-in sample."""
        self.open_failed.emit(problem)
        if self.state.image is not None:
            self.show_message(f"{problem} The current image is kept.")
        elif self._sample_note is not None:  # the sample is already on its way (or failed itself)
            self.show_message(problem)
        else:
            self._load(str(sample_path(DEFAULT_SAMPLE)))
            self._sample_note = f"{problem} Showing the built-in sample instead."
            self.show_message(self._sample_note)

    def open_sample(self, name: str) -> None:
        """Load a built-in sample image."""
        self.open_path(str(sample_path(name)))

    def open_dialog(self) -> None:
        """Ask for an image file."""
        path, _ = QFileDialog.getOpenFileName(self, "Open image", open_folder(self.store), open_filter())
        if path:
            remember_folder(self.store, path)
            self.open_path(path)

    def paste_image(self) -> None:
        """Use the clipboard's image (or a file path copied as text)."""
        clipboard = QApplication.clipboard()
        image = clipboard.image()
        if not image.isNull():
            self._load(qimage_to_png_bytes(image), name="<clipboard>")
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
        self.focus.unpin()
        self._fit_pending = True
        if self._sample_note is None:  # else the sentence saying why the sample is shown stays
            self.hide_message()
        self._sample_note = None
        self.size_label.setText(image.describe())
        self.state.set_image(image)

    def _refresh_recent_menu(self) -> None:
        self.commands.show_recent(recent_files(self.store))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if files:
            self.open_path(files[0])
        elif mime.hasImage():
            self._load(qimage_to_png_bytes(mime.imageData()), name="<dropped image>")

    # -- computing and showing -----------------------------------------------

    def recompute(self) -> None:
        """Ask the worker for a new result (the newest request wins)."""
        self.editor.set_three_kernels_allowed(self.state.settings.channels in ("rgb-sum", "per-channel"))
        if self.state.image is not None:
            self.runner.submit(self.state.image, self.state.kernel, self.state.effective_settings(),
                               self.state.display_mode, self.state.heat_map)

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
        notes = {"source": CHANNEL_MODES[s.channels].source_note, "conv": "", "activation": s.activation,
                 "pool": f"{s.pool} {s.pool_size[0]}×{s.pool_size[1]}"}
        formulas = {"source": self.state.image.describe(), "conv": stages.conv_geometry.formula,
                    "activation": "", "pool": stages.pool_geometry.formula if stages.pool_geometry else ""}
        if self._fit_pending:  # zoom first: the new stages are never labelled at the old zoom
            self._fit_pending = False
            self.fit_views()
        for name, view in self.views.items():
            array = arrays[name]
            view.setVisible(array is not None)
            if array is None:
                continue
            note = f" ({notes[name]})" if notes[name] else ""
            view.set_stage(array, result.pictures[name], placement(stages, name),
                           f"{STAGE_TITLES[name]}{note} · {shape_text(array.shape)}", formulas[name])
            view.title.setToolTip(shape_tip(array.shape))
        if self.animation.active and self.animation.shape != stages.conv.shape[:2]:
            self.animation.stop()
        self.focus.set_result(result)
        if self._first_image:
            self._first_image = False
            self.focus.pin_strongest()
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
        self.commands.show_display(self.state.display_mode, self.state.heat_map)

    # -- pixel focus ---------------------------------------------------------

    def _pin_clicked(self, stage: str, row: int, col: int) -> None:
        self.focus.pin(stage, row, col)
        self.stage_row.setFocus()

    def stop_and_unpin(self) -> None:
        """Esc: leave the animation and forget the pinned pixel."""
        self.animation.stop()
        self.focus.unpin()

    # -- the bridge from the CNN lab ----------------------------------------------

    @property
    def cnn_panel(self) -> CnnPanel:
        """The CNN lab tab's panel (built on first use: the tab builds it when first shown)."""
        return self.cnn_tab.panel

    def use_learned_filter(self, weights: np.ndarray) -> None:
        """Make a filter the CNN learned the kernel, bias included (one undo step), and show what it does."""
        kernel = Kernel.from_array(np.asarray(weights, dtype=float), name="learned filter", bias=self._learned_bias(),
                                   description="A filter the CNN learned from examples, not one a person designed.")
        self.editor.apply_edit(kernel)
        self.tabs.setCurrentIndex(0)
        self.statusBar().showMessage("The learned filter is now the kernel: see what it finds in your image.", 8000)

    def _learned_bias(self) -> float:
        """The bias of the filter selected in the CNN lab, in the lab's 0–255 pixel units (the CNN sees 0–1)."""
        panel = self.cnn_panel
        index = panel.filters.grid.selection
        if panel.model is None or index is None:
            return 0.0
        return 255.0 * float(panel.model.layers[0].params["bias"][index])

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
        if path and not self.stage_row.grab().save(path, "PNG"):
            self.show_message(f"Could not save {Path(path).name}.")

    def show_about(self) -> None:
        """Version and purpose."""
        QMessageBox.about(self, "About convdemo",
                          f"<b>convdemo {__version__}</b><p>A desktop lab for seeing how convolution, "
                          "pooling and small CNNs work.</p>")

    # -- session -------------------------------------------------------------

    def restore_session(self) -> None:
        """Restore kernel, options, view and window geometry from the last run.

        Whatever cannot be read is reset to its default and named in the status bar.
        """
        data = load_session(self.store)
        reset = data.reset + restore_layout(self, data, DEFAULT_WINDOW_SIZE)
        self.state.settings = data.settings or Settings()
        self.state.kernel = data.kernel or self.library[DEFAULT_KERNEL]
        self.state.display_mode = data.display_mode
        self.state.heat_map = data.heat_map
        self.max_size = data.max_size
        self._last_image = data.image
        preset = data.preset if data.kernel else DEFAULT_KERNEL
        self.editor.set_kernel(self.state.kernel, preset if preset in self.library else None)
        self.editor.set_flip(self.state.settings.flip)
        self.controls.set_working_size(self.max_size)
        self.controls.refresh()
        self._sync_display_actions()
        if reset:
            self.statusBar().showMessage(reset_note(reset))

    def save_session(self) -> None:
        """Remember kernel, options, last image and geometry."""
        save_session(self.store, SessionData(
            settings=self.state.settings, kernel=self.state.kernel, preset=self.editor.preset_name(),
            display_mode=self.state.display_mode, heat_map=self.state.heat_map, max_size=self.max_size,
            image=self.image_source or self._last_image, geometry=self.saveGeometry(),
            window_state=self.saveState(),
        ))

    def last_image(self) -> str | None:
        """The image file open at the end of the last session, if it still exists."""
        return self._last_image

    def open_initial(self, image: str | None) -> None:
        """Open the command line's image, else the last one, else (or if it cannot be opened) the default sample."""
        self.open_path(image or self.last_image() or str(sample_path(DEFAULT_SAMPLE)))

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.cnn_tab.shutdown()
        self.animation.stop()
        self.save_session()
        self.runner.wait(3000)  # never the loader: a stuck load is left behind, its thread does not keep us alive
        super().closeEvent(event)

