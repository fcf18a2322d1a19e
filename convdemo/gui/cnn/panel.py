"""The "CNN lab" tab: train the numpy mini-CNN and watch what it learns.

The panel owns the data set, the model and the worker thread, and wires them
to the controls (:mod:`.controls`, :mod:`.run_bar`) and the views (:mod:`.filters`,
:mod:`.curves`, :mod:`.views`, :mod:`.probe`). While the worker
trains ``model``, every view draws ``shown``: a copy the worker sends a few
times per second (layers reuse buffers, so two threads must never share one
model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from convdemo.core import nn
from convdemo.core.errors import ConvdemoError, ParameterError
from convdemo.core.geometry import shape_text
from convdemo.core.nn import digits, shapes
from convdemo.gui.cnn.controls import DataBox, NetworkBox
from convdemo.gui.cnn.curves import TrainingCurves
from convdemo.gui.cnn.filters import FiltersBox
from convdemo.gui.cnn.probe import ProbeColumn
from convdemo.gui.cnn.run_bar import TrainingBar
from convdemo.gui.cnn.training import DataChoice, Job, TrainingWorker
from convdemo.gui.cnn.views import ConfusionView, group_box

BUILTIN_CLASSES = {"builtin-digits": digits.CLASS_NAMES, "builtin-shapes": shapes.CLASS_NAMES}
BUILTIN_SHAPE = (28, 28, 1)
"""Image shape of the built-in sets (and of drawings)."""
MODEL_FILTER = "convdemo models (*.npz);;All files (*)"
NOTICE_STYLE = "QLabel { background: #fdecea; color: #8a1c12; padding: 6px; border-radius: 4px; }"
CONFUSION_AXES = "Rows: true class · columns: answer."
LEFT_WIDTH = 300
RIGHT_WIDTH = 470


class CnnPanel(QWidget):
    """Train a small CNN on built-in or user data and look inside it.

    Signals
    -------
    use_filter_as_kernel(object)
        A learned first-layer filter's (k, k) float64 weights for one input channel.
    message(str)
        A sentence for the window's status bar.

    Attributes
    ----------
    train_size : int or None
        Images generated for a built-in data set (None: the generator's
        default); set it before the panel is first shown.
    data : (Dataset, Dataset or None) or None
        The loaded training and validation sets.
    model : Model or None
        The network being built or trained (None when the architecture does
        not fit the data). Only the worker touches it while training.
    shown : Model or None
        The copy of ``model`` every view draws.
    """

    use_filter_as_kernel = pyqtSignal(object)
    message = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.train_size: int | None = None
        self.data: tuple[nn.Dataset, nn.Dataset | None] | None = None
        self.data_choice: DataChoice | None = None
        self.model: nn.Model | None = None
        self.shown: nn.Model | None = None
        self._worker: TrainingWorker | None = None
        self._train_after_load = False
        self._state = "idle"
        self._build()
        self._connect()
        self._rebuild_model()

    # -- building ----------------------------------------------------------------

    def _build(self) -> None:
        self.training = TrainingBar()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        self.data_box = DataBox()
        self.network = NetworkBox()
        self.curves = TrainingCurves()
        self.filters = FiltersBox()
        self.confusion = ConfusionView()
        self.confusion_caption = QLabel()
        self.confusion_caption.setWordWrap(True)
        self.probe = ProbeColumn()
        self.probe.setFixedWidth(RIGHT_WIDTH)

        columns = QHBoxLayout()
        columns.setSpacing(8)
        columns.addWidget(self._left_column())
        columns.addLayout(self._middle_column(), 1)
        columns.addWidget(self.probe)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.training)
        layout.addWidget(self.notice)
        layout.addLayout(columns, 1)

    def _left_column(self) -> QWidget:
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.data_box)
        layout.addWidget(self.network)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(LEFT_WIDTH)
        return scroll

    def _middle_column(self) -> QVBoxLayout:
        confusion = group_box("Confusion matrix", self.confusion_caption, self.confusion)
        confusion.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        bottom = QHBoxLayout()
        bottom.addWidget(self.filters, 1)
        bottom.addWidget(confusion)
        layout = QVBoxLayout()
        layout.addWidget(self.curves, 1)
        layout.addLayout(bottom, 2)
        return layout

    def _connect(self) -> None:
        t = self.training
        t.train_button.clicked.connect(self.train)
        t.pause_button.toggled.connect(self._on_pause_toggled)
        t.stop_button.clicked.connect(self.stop)
        t.reset_button.clicked.connect(self.reset)
        self.data_box.changed.connect(self._request_data)
        self.data_box.folder_wanted.connect(self._on_folder_wanted)
        self.network.changed.connect(self._rebuild_model)
        self.network.save_button.clicked.connect(self.save_model)
        self.network.load_button.clicked.connect(self.load_model)
        self.filters.use_filter.connect(self._send_filter)

    # -- public API ----------------------------------------------------------------

    def is_training(self) -> bool:
        """True while a training run is going on (also when paused)."""
        return self._worker is not None and self._worker.trains

    def shutdown(self) -> None:
        """Stop training and wait for the worker (the window is closing)."""
        self._train_after_load = False
        if self._worker is not None:
            self._worker.request_stop()
            self._worker.wait()

    def train(self) -> None:
        """Train ``model`` on the chosen data in the worker (loading the data first if needed)."""
        if self._worker is not None or self.model is None:
            return
        choice = self._choice()
        if self.data is None or self.data_choice != choice:
            self._train_after_load = True
            self._request_data()
            return
        if not self._fits(self.model):
            self._show_notice(self._mismatch_text(self.model))
            return
        self._hide_notice()
        self._show_model(self.model.copy())  # the views must never share the model the worker trains
        config = self.training.config(self.network.seed.value())
        self.curves.start_run(config.batch_size, len(self.data[0]))
        self._start(Job(choice, self.data, self.model, config))

    def stop(self) -> None:
        """End training after the current batch."""
        if self._worker is not None:
            self._worker.request_stop()

    def reset(self) -> None:
        """New random weights for the chosen architecture; the curves and scores are forgotten."""
        self._rebuild_model()
        self.message.emit("New random filters: the network has forgotten everything.")

    # -- the worker ------------------------------------------------------------------

    def _choice(self) -> DataChoice:
        source = self.data_box.source
        size = self.train_size if source in BUILTIN_CLASSES else None
        return DataChoice(source, size, self.data_box.color)

    def _request_data(self) -> None:
        choice = self._choice()
        if self._worker is None and (self.data is None or self.data_choice != choice):
            self._start(Job(choice))

    def _start(self, job: Job) -> None:
        worker = TrainingWorker(job, self)
        worker.loading.connect(self._on_loading)
        worker.data_loaded.connect(self._on_data_loaded)
        worker.progressed.connect(self._on_progress)
        worker.ended.connect(self._on_training_ended)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(self._on_worker_finished)
        self._worker = worker
        self._set_state("training" if worker.trains else "loading")
        worker.start()

    def _on_loading(self, text: str) -> None:
        self.training.show_busy(text)
        self.data_box.show_loading()

    def _on_data_loaded(self, choice: DataChoice, train: nn.Dataset, val: nn.Dataset | None) -> None:
        self.data, self.data_choice = (train, val), choice
        self._hide_notice()
        self.data_box.show_data(train, val)
        self.training.show_done("Data ready: press Train.")
        self.probe.set_samples(val if val is not None else train)
        if self.model is None or not self._fits(self.model):
            self._rebuild_model()
            self.message.emit(f"A new network for {len(train.class_names)} classes of "
                              f"{shape_text(train.input_shape)} images.")

    def _on_progress(self, progresses: list[nn.Progress], snapshot: nn.Model | None) -> None:
        self.curves.add(progresses)
        self.training.show_progress(progresses[-1])
        if snapshot is not None:
            self._show_model(snapshot)

    def _on_training_ended(self, outcome: str, final: nn.Model, evaluation: nn.Evaluation) -> None:
        self._show_model(final)
        self.confusion.set_evaluation(evaluation)
        right = f"{100 * evaluation.accuracy:.1f} %"
        total = f"{int(evaluation.confusion.sum()):,}"
        self.confusion_caption.setText(f"{right} of {total} validation images right.\n{CONFUSION_AXES}")
        self.training.show_run_summary(f"{outcome.capitalize()} · validation {right}")
        self.message.emit(f"Training {outcome}: {right} of {total} validation images right.")

    def _on_failed(self, text: str) -> None:
        self._train_after_load = False
        self.message.emit(text)
        if self.is_training():
            self._show_notice(f"{text} Reset starts again from fresh random filters.")
            self.training.show_done("Stopped: see the message above.")
            return
        self._show_notice(text)
        if self.data_choice is not None:  # a data set failed to load: the loaded one stays
            self.data_box.select(self.data_choice.source)
            self.data_box.show_data(*self.data)
            self.training.show_done("Kept the previous data.")

    def _on_worker_finished(self) -> None:
        self._worker.deleteLater()
        self._worker = None
        self._set_state("idle")
        if self._train_after_load and self.data is not None:
            self._train_after_load = False
            self.train()

    def _on_pause_toggled(self, paused: bool) -> None:
        if not self.is_training() or paused == self._worker.paused:
            return
        if paused:
            self._worker.pause()
            self.message.emit("Training paused after the current batch.")
        else:
            self._worker.resume()
        self._set_state("paused" if paused else "training")

    def _set_state(self, state: str) -> None:
        """Enable the controls for ``'idle'``, ``'loading'``, ``'training'`` or ``'paused'``."""
        self._state = state
        self.training.set_state(state, can_train=self.model is not None)
        for widget in (self.data_box, self.network):
            widget.setEnabled(state == "idle")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._request_data()

    # -- the model -------------------------------------------------------------------

    def _input_spec(self) -> tuple[tuple[int, int, int], tuple[str, ...]]:
        """Image shape and class names the network must fit: the loaded data's, else the picked set's."""
        if self.data is not None and self.data_choice == self._choice():
            train = self.data[0]
            return train.input_shape, train.class_names
        return BUILTIN_SHAPE, BUILTIN_CLASSES.get(self.data_box.source, digits.CLASS_NAMES)

    def _rebuild_model(self) -> None:
        """A fresh network from the controls, fitted to the data; scores and curves start over."""
        shape, classes = self._input_spec()
        try:
            architecture = self.network.architecture(shape, len(classes))
        except ParameterError as error:
            self.model = None
            self.network.show_error(str(error))
            self._show_model(None)
        else:
            self.model = nn.Model(architecture, classes, seed=self.network.seed.value())
            self.network.show_model(self.model)
            self._show_model(self.model)
        self._forget_scores()
        self._set_state(self._state)

    def _forget_scores(self) -> None:
        self.curves.clear()
        self.confusion.set_evaluation(None)
        self.confusion_caption.setText(f"Appears after training.\n{CONFUSION_AXES}")

    def _fits(self, model: nn.Model) -> bool:
        """True when ``model`` takes the loaded data's images and knows its classes."""
        if self.data is None:
            return True
        train = self.data[0]
        return train.input_shape == model.architecture.input_shape and train.class_names == model.class_names

    def _mismatch_text(self, model: nn.Model) -> str:
        train = self.data[0]
        return (f"This network takes {shape_text(model.architecture.input_shape)} images of "
                f"{len(model.class_names)} classes, but {train.name} has {shape_text(train.input_shape)} "
                f"images of {len(train.class_names)} classes: pick matching data to train or score it, "
                "or press Reset for a new network.")

    def _show_model(self, model: nn.Model | None) -> None:
        """Make ``model`` (never the one in training) the one every view draws; None shows nothing."""
        self.shown = model
        k = self.network.kernel.currentData()
        self.filters.set_filters(np.zeros((0, k, k, 1), np.float32) if model is None
                                 else model.first_layer_filters())
        self.probe.set_model(model)

    # -- save and load ---------------------------------------------------------------

    def _ask_save_path(self) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "model.npz", MODEL_FILTER)
        return path or None

    def _ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Load model", "", MODEL_FILTER)
        return path or None

    def _ask_folder(self, kind: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, f"Choose a folder of {kind} training data") or None

    def save_model(self) -> None:
        """Ask for a file and save the network to it."""
        path = self._ask_save_path() if self.model is not None else None
        if path is None:
            return
        try:
            written = nn.save_model(path, self.model)
        except ConvdemoError as error:
            self._show_notice(str(error))
            return
        self.message.emit(f"Saved the network to {written}.")

    def load_model(self) -> None:
        """Ask for a model file and make it the current network."""
        path = self._ask_open_path()
        if path is None:
            return
        try:
            model = nn.load_model(path)
        except ConvdemoError as error:
            self._show_notice(str(error))
            return
        self.model = model
        self.network.set_architecture(model.architecture)
        self.network.show_model(model)
        self._forget_scores()
        self._show_model(model)
        if self._fits(model):
            self._hide_notice()
            self.message.emit(f"Loaded {Path(path).name}: Train continues from its weights.")
        else:
            self._show_notice(f"Loaded {Path(path).name}. {self._mismatch_text(model)}")
        self._set_state("idle")

    def _on_folder_wanted(self, kind: str) -> None:
        folder = self._ask_folder(kind)
        if folder:
            self.data_box.set_folder(kind, folder)
        else:
            self.data_box.revert()

    # -- messages -------------------------------------------------------------------

    def _send_filter(self, weights: np.ndarray) -> None:
        self.use_filter_as_kernel.emit(weights)
        self.message.emit(f"Filter #{self.filters.grid.selection + 1} is now the kernel of the Convolution lab.")

    def _show_notice(self, text: str) -> None:
        """A problem in one sentence above the panel; it stays until the next action succeeds."""
        self.notice.setText(text)
        self.notice.show()

    def _hide_notice(self) -> None:
        self.notice.hide()
