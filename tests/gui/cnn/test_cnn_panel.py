"""The CNN lab panel with real widgets: training and stopping, filters, the bridge, drawing, files, errors."""

import re

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, QPointF, Qt
from PyQt6.QtGui import QHelpEvent, QMouseEvent
from PyQt6.QtWidgets import QApplication, QToolTip

from convdemo.core import nn
from convdemo.gui.app import make_app
from convdemo.gui.cnn.filters import cell_text
from convdemo.gui.cnn.panel import CnnPanel
from convdemo.gui.widgets import format_weight

TRAIN_SIZE = 900  # builtin-shapes: 810 training and 90 validation images, 9 classes


@pytest.fixture
def panel(qtbot):
    """A shown panel on a small builtin-shapes set, data loaded, batches of 16 so a run has many batches."""
    make_app()
    panel = CnnPanel()
    qtbot.addWidget(panel)
    panel.train_size = TRAIN_SIZE
    panel.data_box.choose(panel.data_box.combo.findData("builtin-shapes"))
    panel.training.batch_size.setValue(16)
    panel.resize(1400, 760)
    panel.show()
    qtbot.waitUntil(lambda: panel.data is not None and panel._worker is None, timeout=10000)
    yield panel
    panel.shutdown()


def start(qtbot, panel, epochs=20):
    """Press Train and return the worker that trains."""
    panel.training.epochs.setValue(epochs)
    qtbot.mouseClick(panel.training.train_button, Qt.MouseButton.LeftButton)
    assert panel.is_training()
    return panel._worker


def send_mouse(widget, kind, x, y):
    """A left-button press, drag move or release at (x, y) (QTest cannot move with a button held)."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    button = none if kind == QEvent.Type.MouseMove else left
    held = none if kind == QEvent.Type.MouseButtonRelease else left
    point = QPointF(x, y)
    event = QMouseEvent(kind, point, widget.mapToGlobal(point), button, held, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_data_set_is_described_and_previewed(panel):
    train, val = panel.data
    assert (len(train), len(val)) == (810, 90) and train.class_names == nn.shapes.CLASS_NAMES
    assert panel.data_box.info.text() == "810 training + 90 validation images\n9 classes · 28×28 grey"
    assert panel.data_box.preview.pixmap().height() > 100
    assert panel.model.class_names == train.class_names and panel.model.architecture.n_classes == 9


def test_pause_holds_training_and_stop_ends_it_within_one_batch(qtbot, panel):
    worker = start(qtbot, panel, epochs=50)
    qtbot.waitUntil(lambda: worker.batches_done >= 3, timeout=10000)
    qtbot.mouseClick(panel.training.pause_button, Qt.MouseButton.LeftButton)
    assert worker.paused and panel.training.pause_button.text() == "Resume"
    assert not panel.network.isEnabled() and not panel.training.reset_button.isEnabled()
    qtbot.wait(50)
    held = worker.batches_done
    qtbot.wait(150)
    assert worker.batches_done == held  # paused: no batch runs
    qtbot.mouseClick(panel.training.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: worker.batches_done >= held + 3, timeout=5000)
    qtbot.mouseClick(panel.training.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=5000)
    assert worker.batches_done - worker.batches_at_stop <= 1
    assert worker.batches_done < 50 * 51
    assert panel.training.train_button.isEnabled() and not panel.training.stop_button.isEnabled()
    assert len(panel.curves.history["x"]) == worker.batches_done
    assert panel.confusion.evaluation.confusion.sum() == 90
    assert panel.training.status.text().startswith("Stopped · validation ")


def test_filter_grid_shows_the_latest_snapshot_weights(qtbot, panel):
    before = panel.filters.grid.weights.copy()
    worker = start(qtbot, panel)
    with qtbot.waitSignal(worker.progressed, timeout=10000,
                          check_params_cb=lambda progresses, snapshot: snapshot is not None) as blocker:
        pass
    snapshot = blocker.args[1]
    panel.stop()
    np.testing.assert_array_equal(panel.filters.grid.weights, snapshot.first_layer_filters()[..., 0])
    assert panel.shown is snapshot and panel.probe.model is snapshot
    assert not np.array_equal(panel.filters.grid.weights, before)  # they learned something
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=5000)
    np.testing.assert_array_equal(panel.filters.grid.weights, panel.model.first_layer_filters()[..., 0])


def test_clicking_a_filter_then_use_it_as_the_kernel_emits_its_weights(qtbot, panel):
    grid = panel.filters.grid
    origin = grid._origin(2)
    centre = (origin + QPointF(grid.cell * 1.5, grid.cell * 1.5)).toPoint()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=centre)
    assert grid.selection == 2 and panel.filters.use_button.text() == "Use filter #3 as the kernel"
    with qtbot.waitSignal(panel.use_filter_as_kernel, timeout=1000) as blocker:
        qtbot.mouseClick(panel.filters.use_button, Qt.MouseButton.LeftButton)
    (weights,) = blocker.args
    assert weights.shape == (3, 3) and weights.dtype == np.float64
    np.testing.assert_array_equal(weights, panel.model.first_layer_filters()[2, :, :, 0])


def test_drawing_on_the_canvas_gives_a_prediction_and_feature_maps(qtbot, panel):
    canvas = panel.probe.canvas
    send_mouse(canvas, QEvent.Type.MouseButtonPress, 60, 40)
    for x, y in ((100, 40), (140, 40), (115, 105), (90, 170)):
        send_mouse(canvas, QEvent.Type.MouseMove, x, y)
    send_mouse(canvas, QEvent.Type.MouseButtonRelease, 90, 170)
    assert panel.probe.showing_drawing and canvas.ink().max() == 1.0
    bars = panel.probe.bars
    assert np.isclose(bars.probabilities.sum(), 1.0)
    assert len(bars.shown) == 9 and np.isclose(sum(p for _, p in bars.shown), 1.0)
    np.testing.assert_allclose(bars.probabilities, panel.model.predict_proba(nn.normalise_drawing(canvas.ink())))
    names = [name for name, _ in panel.probe.feature_maps.maps]
    assert names == ["input", "conv1", "relu1", "pool1"]
    assert "your drawing" in panel.probe.prediction_title.text()
    qtbot.mouseClick(panel.probe.clear_button, Qt.MouseButton.LeftButton)
    assert not panel.probe.showing_drawing and "sample #0" in panel.probe.prediction_title.text()


def test_next_sample_shows_that_sample_and_its_class(qtbot, panel):
    qtbot.mouseClick(panel.probe.next_button, Qt.MouseButton.LeftButton)
    _, val = panel.data
    name = val.class_names[val.y[1]]
    assert panel.probe.prediction_title.text() == f"<b>Prediction</b> · sample #1 ({name})"
    np.testing.assert_array_equal(panel.probe.feature_maps.maps[0][1], val.x[1])


def test_divergence_stops_training_and_suggests_a_smaller_learning_rate(qtbot, panel):
    panel.training.lr.setValue(1000.0)
    with qtbot.waitSignal(panel.message, timeout=10000,
                          check_params_cb=lambda text: "smaller learning rate" in text):
        start(qtbot, panel)
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=5000)
    assert panel.notice.isVisible()
    text = panel.notice.text()
    assert "diverged" in text and "smaller learning rate than 1000, for example 100" in text
    assert panel.training.train_button.isEnabled()


def test_save_then_load_round_trips_the_network(qtbot, panel, tmp_path, monkeypatch):
    worker = start(qtbot, panel, epochs=1)
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=10000)
    assert worker.batches_done == 51
    assert re.fullmatch(r"1/1 epochs in \d+\.\d s · [\d,]+ images/s", panel.training.progress.format())
    images = panel.data[1].x
    trained = panel.model.predict_proba(images)
    monkeypatch.setattr(panel, "_ask_save_path", lambda: str(tmp_path / "shapes.npz"))
    monkeypatch.setattr(panel, "_ask_open_path", lambda: str(tmp_path / "shapes.npz"))
    qtbot.mouseClick(panel.network.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.training.reset_button, Qt.MouseButton.LeftButton)
    assert not np.allclose(panel.model.predict_proba(images), trained)
    qtbot.mouseClick(panel.network.load_button, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(panel.model.predict_proba(images), trained)
    assert not panel.notice.isVisible()


def test_a_corrupt_model_file_is_reported_in_one_sentence(qtbot, panel, tmp_path, monkeypatch):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"this is not a zip archive")
    monkeypatch.setattr(panel, "_ask_open_path", lambda: str(bad))
    model = panel.model
    qtbot.mouseClick(panel.network.load_button, Qt.MouseButton.LeftButton)
    assert panel.notice.isVisible()
    assert panel.notice.text() == f"{bad} is not a convdemo model file (it is not a readable .npz archive)."
    assert panel.model is model


def test_a_model_for_other_classes_loads_with_a_sentence_and_does_not_train(qtbot, panel, tmp_path, monkeypatch):
    path = tmp_path / "digits.npz"
    nn.save_model(path, nn.Model(nn.Architecture(filters=4, kernel_size=5)))
    monkeypatch.setattr(panel, "_ask_open_path", lambda: str(path))
    qtbot.mouseClick(panel.network.load_button, Qt.MouseButton.LeftButton)
    assert panel.network.filters.value() == 4 and panel.network.kernel.currentData() == 5
    assert "28×28×1 images of 10 classes" in panel.notice.text() and "9 classes" in panel.notice.text()
    qtbot.mouseClick(panel.training.train_button, Qt.MouseButton.LeftButton)
    assert not panel.is_training() and panel.notice.isVisible()


def test_layer_list_follows_the_architecture_controls(panel):
    rows = panel.network.layer_rows()
    assert rows[1] == ("conv1", "26×26×8", "80") and rows[-1] == ("dense", "9", f"{1352 * 9 + 9:,}")
    panel.network.blocks.setCurrentIndex(panel.network.blocks.findData(2))
    panel.network.kernel.setCurrentIndex(panel.network.kernel.findData(5))
    assert panel.network.layer_rows() == [
        ("input", "28×28×1", ""), ("conv1", "24×24×8", "208"), ("relu1", "24×24×8", ""),
        ("pool1", "12×12×8", ""), ("conv2", "8×8×8", "1,608"), ("relu2", "8×8×8", ""), ("pool2", "4×4×8", ""),
        ("flatten", "128", ""), ("dense", "9", "1,161")]
    assert panel.network.total.text() == "<b>2,977</b> trainable parameters"
    assert panel.model.architecture.conv_layers == 2 and panel.filters.grid.weights.shape == (8, 5, 5)
    panel.network.padding.setCurrentIndex(panel.network.padding.findData("same"))
    assert panel.network.layer_rows()[1][1] == "28×28×8"


def test_a_folder_without_images_is_explained_and_the_data_stays(qtbot, panel, tmp_path, monkeypatch):
    empty = tmp_path / "photos"
    (empty / "cats").mkdir(parents=True)
    (empty / "dogs").mkdir()
    monkeypatch.setattr(panel, "_ask_folder", lambda kind: str(empty))
    data = panel.data
    with qtbot.waitSignal(panel.message, timeout=10000):
        panel.data_box.choose(panel.data_box.combo.findData("ask-images"))
    qtbot.waitUntil(lambda: panel._worker is None, timeout=5000)
    assert panel.notice.isVisible() and "photos" in panel.notice.text()
    assert panel.data is data and panel.data_box.source == "builtin-shapes"


def test_weights_on_3x3_cells_are_short_keep_small_weights_and_have_a_real_minus():
    assert [cell_text(v) for v in (-0.644, 0.246, 0.004, -0.004, 1.3, -12.34, 123.4, -0.0)] == [
        "\u22120.6", "0.25", "0.004", "\u22120.004", "1.3", "\u221212", "123", "0"]


def test_hovering_a_filter_shows_its_weights_as_a_tooltip(qtbot, panel):
    grid = panel.filters.grid
    point = (grid._origin(1) + QPointF(5, 5)).toPoint()
    QApplication.sendEvent(grid, QHelpEvent(QEvent.Type.ToolTip, point, grid.mapToGlobal(point)))
    text = QToolTip.text()
    assert text.startswith("Filter 2 (click to select):")
    assert format_weight(grid.weights[1, 0, 0]) in text.splitlines()[1]
