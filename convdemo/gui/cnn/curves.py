"""Live loss and accuracy curves of the mini-CNN, training and validation, against epochs.

Training loss and accuracy are drawn per batch (faint) with their moving
average on top; validation points come at the end of every epoch. Training
that continues after a stop or a finished run carries on along the same
epoch axis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import QHBoxLayout, QWidget

from convdemo.core import nn
from convdemo.core.nn.visual import batch_accuracies, smooth

TRAIN = (33, 102, 172)
VALIDATION = (224, 130, 20)
SMOOTHING = 0.9


class TrainingCurves(QWidget):
    """Two plots side by side: loss and accuracy (%).

    Attributes
    ----------
    epochs_done : float
        Position on the epoch axis where the current training run started.
    history : dict of str to list of float
        ``x``, ``loss``, ``running_accuracy`` (the epoch's so far, 0–1) and
        ``seen`` (the epoch's images so far) per batch; ``val_x``,
        ``val_loss`` and ``val_accuracy`` (%) per epoch.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = self._plot("Loss (cross-entropy)",
                                    "Every training batch's loss (faint) with its moving average, and the "
                                    "held-out validation images' loss after each epoch.")
        self.accuracy_plot = self._plot("Accuracy (%)",
                                        "Every training batch's share of right answers (faint) with its moving "
                                        "average, and the validation images' after each epoch.",
                                        legend_offset=(-6, -6))
        faint = pg.mkPen(color=(*TRAIN, 60), width=1)
        self._lines = {
            "raw_loss": self.loss_plot.plot(pen=faint),
            "loss": self.loss_plot.plot(pen=pg.mkPen(TRAIN, width=2), name="training"),
            "val_loss": self._validation_line(self.loss_plot),
            "raw_accuracy": self.accuracy_plot.plot(pen=faint),
            "accuracy": self.accuracy_plot.plot(pen=pg.mkPen(TRAIN, width=2), name="training"),
            "val_accuracy": self._validation_line(self.accuracy_plot),
        }
        self._batch_size, self._train_images = 1, 1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self.clear()

    def _plot(self, title: str, tip: str, legend_offset: tuple[int, int] = (-6, 6)) -> pg.PlotWidget:
        plot = pg.PlotWidget()
        plot.setBackground(self.palette().base().color())
        plot.setTitle(title, size="9pt")
        plot.setLabel("bottom", "epoch")
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.addLegend(offset=legend_offset, labelTextSize="8pt")
        plot.setToolTip(tip)
        return plot

    @staticmethod
    def _validation_line(plot: pg.PlotWidget) -> pg.PlotDataItem:
        return plot.plot(pen=pg.mkPen(VALIDATION, width=2), symbol="o", symbolSize=6, symbolBrush=VALIDATION,
                         symbolPen=None, name="validation")

    def clear(self) -> None:
        """Forget every point (a fresh network)."""
        self.epochs_done = 0.0
        self.history = {key: [] for key in ("x", "loss", "running_accuracy", "seen", "val_x", "val_loss",
                                            "val_accuracy")}
        self._redraw()

    def start_run(self, batch_size: int, train_images: int) -> None:
        """A new training run with batches of ``batch_size`` from ``train_images`` starts where the curves end."""
        self.epochs_done = self.history["x"][-1] if self.history["x"] else 0.0
        self._batch_size, self._train_images = batch_size, train_images

    def add(self, progresses: list[nn.Progress]) -> None:
        """Append the batches of one progress report and redraw."""
        h = self.history
        for p in progresses:
            x = self.epochs_done + p.epoch - 1 + p.batch / p.batches
            h["x"].append(x)
            h["loss"].append(p.loss)
            h["running_accuracy"].append(p.accuracy)
            h["seen"].append(min(p.batch * self._batch_size, self._train_images))
            if p.val_accuracy is not None:
                h["val_x"].append(x)
                h["val_loss"].append(p.val_loss)
                h["val_accuracy"].append(100 * p.val_accuracy)
        self._redraw()

    def _redraw(self) -> None:
        h = self.history
        x = np.asarray(h["x"])
        accuracy = 100 * batch_accuracies(h["running_accuracy"], h["seen"])
        for key, values in (("loss", np.asarray(h["loss"])), ("accuracy", accuracy)):
            self._lines[f"raw_{key}"].setData(x, values)
            self._lines[key].setData(x, smooth(values, SMOOTHING))
        for key in ("val_loss", "val_accuracy"):
            self._lines[key].setData(np.asarray(h["val_x"]), np.asarray(h[key]))
