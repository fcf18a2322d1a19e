"""The mini-CNN lab's run controls: training settings, Train / Pause / Stop / Reset, progress and speed."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from convdemo.core import nn
from convdemo.gui.widgets import combo_box, select_item, spin_box

OPTIMIZERS = [("adam", "Adam", "Adapts each weight's step size; forgiving, the default."),
              ("sgd", "SGD", "Gradient descent with momentum 0.9; wants a larger learning rate than Adam.")]


class TrainingBar(QWidget):
    """Training settings, the run's buttons, a progress bar and the speed, in one row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        defaults = nn.TrainingConfig()
        self.epochs = spin_box(1, 100, value=defaults.epochs, tip="Passes over the whole training set.")
        self.batch_size = spin_box(1, 4096, value=defaults.batch_size, tip="Images averaged into one weight update.")
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 1000.0)
        self.lr.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.lr.setValue(defaults.lr)
        self.lr.setToolTip("How big each weight update is: too small learns slowly, too large diverges.")
        self.optimizer = combo_box(OPTIMIZERS, "How the gradients turn into weight updates.")
        select_item(self.optimizer, defaults.optimizer)
        icons = self.style()
        self.train_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Train")
        self.train_button.setToolTip("Train the network in the background; training again continues from "
                                     "the current weights.")
        self.pause_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_MediaPause), "Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Hold training after the current batch; press again to resume.")
        self.stop_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop")
        self.stop_button.setToolTip("End training after the current batch and keep the weights learned so far.")
        self.reset_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Reset")
        self.reset_button.setToolTip("Forget the training: new random filters from the seed, empty curves.")
        self.last_progress: nn.Progress | None = None
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setToolTip("Where training is (epoch, batch, share done), and at the end how long it took.")
        self.progress.setMinimumWidth(160)
        self.status = QLabel()
        self.status.setMinimumWidth(210)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setToolTip("Training speed and the epoch's loss so far, then the validation accuracy.")
        self._arrange()

    def _arrange(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for label, widget in (("Epochs", self.epochs), ("Batch", self.batch_size), ("Learning rate", self.lr),
                              ("Optimizer", self.optimizer)):
            layout.addWidget(QLabel(label))
            layout.addWidget(widget)
        layout.addSpacing(8)
        for button in (self.train_button, self.pause_button, self.stop_button, self.reset_button):
            layout.addWidget(button)
        layout.addSpacing(8)
        layout.addWidget(self.progress, 3)
        layout.addWidget(self.status, 2)

    def config(self, seed: int) -> nn.TrainingConfig:
        """The training settings, shuffling with ``seed``."""
        return nn.TrainingConfig(self.epochs.value(), self.batch_size.value(), self.lr.value(),
                                 self.optimizer.currentData(), seed)

    def set_state(self, state: str, can_train: bool = True) -> None:
        """Enable what makes sense: ``'idle'``, ``'loading'``, ``'training'`` or ``'paused'``.

        ``can_train`` False keeps Train off while idle (no network can be built).
        """
        busy = state != "idle"
        for widget in (self.epochs, self.batch_size, self.lr, self.optimizer, self.reset_button):
            widget.setEnabled(not busy)
        self.train_button.setEnabled(not busy and can_train)
        running = state in ("training", "paused")
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.pause_button.setChecked(state == "paused")
        self.pause_button.setText("Resume" if state == "paused" else "Pause")

    def show_busy(self, text: str) -> None:
        """A moving bar with ``text``, for work of unknown length."""
        self.progress.setRange(0, 0)
        self.status.setText(text)

    def show_progress(self, p: nn.Progress) -> None:
        """The bar and the status line for the batch ``p``."""
        self.last_progress = p
        self.progress.setRange(0, 1000)
        self.progress.setValue(round(1000 * p.fraction_done))
        self.progress.setFormat(f"epoch {p.epoch}/{p.epochs} · batch {p.batch}/{p.batches} · "
                                f"{100 * p.fraction_done:.0f} %")
        self.status.setText(f"{p.images_per_second:,.0f} images/s · loss {p.epoch_loss:.3f}")

    def show_done(self, text: str) -> None:
        """A still bar (empty after a busy one) with ``text``."""
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(0)
            self.progress.setFormat("")
        self.status.setText(text)

    def show_run_summary(self, text: str) -> None:
        """At the end of a run: its time and speed on the bar, ``text`` beside it."""
        p = self.last_progress
        if p is not None:
            self.progress.setFormat(f"{p.epoch - (not p.end_of_epoch)}/{p.epochs} epochs in {p.seconds:.1f} s · "
                                    f"{p.images_per_second:,.0f} images/s")
        self.status.setText(text)
