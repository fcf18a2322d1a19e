"""Look inside the network with one image: a drawing, or a sample picked from the data.

:class:`ProbeColumn` shows the drawing pad, the prediction bars, a sample
picker and the feature maps of every layer. It draws whatever model it is
given with :meth:`ProbeColumn.set_model`; the panel only ever gives it a
model no other thread is using.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from convdemo.core import nn
from convdemo.core.geometry import shape_text
from convdemo.gui.cnn.canvas import DrawingCanvas
from convdemo.gui.cnn.views import FeatureMaps, PredictionBars, group_box

MAPS_LEGEND = ("<span style='color:#2166ac'>■</span> negative "
               "<span style='color:#b2182b'>■</span> positive (conv) &nbsp;·&nbsp; "
               "<span style='color:#000004'>■</span> zero <span style='color:#f98e09'>■</span> "
               "<span style='color:#fcffa4; background:#555'>■</span> strong (ReLU, pool)")


class ProbeColumn(QWidget):
    """Draw or pick a sample; see the network's guess and every layer's output for it.

    Attributes
    ----------
    model : Model or None
        The network drawn.
    samples : Dataset or None
        Where samples are picked from (the validation set, else the training set).
    showing_drawing : bool
        True when the drawing, not a sample, is being looked at.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model: nn.Model | None = None
        self.samples: nn.Dataset | None = None
        self.showing_drawing = False
        self.canvas = DrawingCanvas()
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Wipe the drawing pad and look at the chosen sample again.")
        self.bars = PredictionBars()
        self.prediction_title = QLabel()
        self.sample = QSpinBox()
        self.sample.setPrefix("sample #")
        self.sample.setToolTip("Which validation image to look at (the training images when there is no "
                               "validation set).")
        self.next_button = QPushButton("Next sample")
        self.next_button.setToolTip("Look at the next validation image.")
        self.feature_maps = FeatureMaps()
        self.maps_title = QLabel()
        self.maps_title.setWordWrap(True)
        self.maps_legend = QLabel(MAPS_LEGEND)
        self._arrange()
        self.canvas.drawing_changed.connect(self._on_drawing_changed)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.sample.valueChanged.connect(self._show_sample)
        self.next_button.clicked.connect(self.next_sample)

    def _arrange(self) -> None:
        pad = QVBoxLayout()
        pad.addWidget(self.canvas)
        pad.addWidget(self.clear_button)
        guess = QVBoxLayout()
        guess.addWidget(self.prediction_title)
        guess.addWidget(self.bars)
        guess.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(pad)
        top.addLayout(guess, 1)
        picker = QHBoxLayout()
        picker.addWidget(self.sample, 1)
        picker.addWidget(self.next_button)
        try_it = QGroupBox("Try it: draw, or pick a sample")
        try_layout = QVBoxLayout(try_it)
        try_layout.setContentsMargins(6, 4, 6, 6)
        try_layout.addLayout(top)
        try_layout.addLayout(picker)
        maps = group_box("Feature maps", self.maps_title, self.maps_legend, self.feature_maps,
                         tip="Each layer's output for the image above, one small picture per channel; the "
                             "channels of a layer share one colour scale.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(try_it)
        layout.addWidget(maps, 1)

    def set_model(self, model: nn.Model | None) -> None:
        """Draw ``model`` (None: nothing)."""
        self.model = model
        self.refresh()

    def set_samples(self, samples: nn.Dataset | None) -> None:
        """Pick samples from ``samples`` from now on."""
        self.samples = samples
        self.sample.setMaximum(0 if samples is None else len(samples) - 1)
        self.refresh()

    def next_sample(self) -> None:
        """Look at the next sample (the first after the last)."""
        self.sample.setValue((self.sample.value() + 1) % (self.sample.maximum() + 1))
        if self.showing_drawing:  # the number did not change (a single sample): still switch to it
            self._show_sample()

    def _on_drawing_changed(self) -> None:
        self.showing_drawing = not self.canvas.is_empty()
        self.refresh()

    def _show_sample(self) -> None:
        self.showing_drawing = False
        self.refresh()

    def _current_input(self) -> tuple[np.ndarray, int | None, str] | None:
        """The image looked at, its true class (None for a drawing) and a few words naming it."""
        if self.showing_drawing:
            return nn.normalise_drawing(self.canvas.ink()), None, "your drawing"
        if self.samples is None:
            return None
        index = min(self.sample.value(), len(self.samples) - 1)
        label = int(self.samples.y[index])
        return self.samples.x[index], label, f"sample #{index} ({self.samples.class_names[label]})"

    def refresh(self) -> None:
        """Recompute the prediction and the feature maps of the image looked at."""
        current, model = self._current_input(), self.model
        if current is None or model is None:
            self._clear("Nothing to look at yet.")
            return
        image, label, what = current
        if image.shape != model.architecture.input_shape:
            self._clear(f"This network takes {shape_text(model.architecture.input_shape)} images; "
                        f"{what} is {shape_text(image.shape)}.")
            return
        if label is not None and model.class_names != self.samples.class_names:
            label = None
        self.bars.set_prediction(model.predict_proba(image), model.class_names, label)
        self.feature_maps.set_maps(model.feature_maps(image))
        self.prediction_title.setText(f"<b>Prediction</b> · {what}")
        self.maps_title.setText(f"Every layer's output for {what}.")

    def _clear(self, text: str) -> None:
        self.bars.set_prediction(None)
        self.feature_maps.set_maps([])
        self.prediction_title.setText("<b>Prediction</b>")
        self.maps_title.setText(text)
