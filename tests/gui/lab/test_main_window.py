"""The main window with real widgets: results, titles, inspector, errors, session, animation."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QMimeData, QPointF, QRectF, Qt, QUrl
from PyQt6.QtGui import QColor, QDropEvent, QImage, QPalette
from PyQt6.QtWidgets import QApplication, QFileDialog

import convdemo
from convdemo.core.samples import DEFAULT_SAMPLE, sample_path
from convdemo.gui.widgets import format_value


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000) as blocker:
        action()
    return blocker.args[0]


def test_opens_on_the_default_sample_convolved(window):
    expected = convdemo.run(convdemo.load_image(sample_path(DEFAULT_SAMPLE)), window.state.kernel)
    np.testing.assert_allclose(window.views["conv"].array, expected.conv, atol=1e-4)
    assert window.views["conv"].title.text() == "Convolved · 26×26"
    assert window.views["conv"].formula.text() == "out = floor((28 + 2·0 − 3)/1) + 1 = 26"
    assert not window.views["pool"].isVisible()
    assert window.width() >= 1280 and window.height() >= 800


def test_new_kernel_is_shown_exactly(qtbot, window):
    kernel = convdemo.Kernel.from_array([[0, 1, 0], [0, 0, 0], [0, -2, 0.5]])
    wait_result(qtbot, window, lambda: window.state.set_kernel(kernel))
    image = window.state.image.pixels
    np.testing.assert_allclose(window.views["conv"].array, convdemo.run(image, kernel).conv, atol=1e-4)


def test_controls_change_shapes_and_formulas(qtbot, window):
    c = window.controls
    wait_result(qtbot, window, lambda: c.padding.setCurrentIndex(c.padding.findData("same")))
    wait_result(qtbot, window, lambda: c.stride_y.setValue(2))
    assert window.views["conv"].title.text() == "Convolved · 14×14"
    assert window.views["conv"].formula.text().startswith("out = ceil(28/2) = 14")
    wait_result(qtbot, window, lambda: c.activation.setCurrentIndex(c.activation.findData("relu")))
    wait_result(qtbot, window, lambda: c.pool.setCurrentIndex(c.pool.findData("max")))
    assert window.views["pool"].isVisible()
    assert window.views["pool"].title.text() == "Pooled (max 2×2) · 7×7"
    assert window.views["activation"].title.text() == "Activated (relu) · 14×14"
    assert window.state.settings.stride == (2, 2) and window.state.settings.padding == "same"


def test_impossible_combination_is_explained_inline_and_the_result_stays(qtbot, window):
    wait_result(qtbot, window, lambda: window.controls.dilation.setValue(8))  # 3×3 → 17×17: still fits
    before = window.views["conv"].array.copy()
    with qtbot.waitSignal(window.runner.failed, timeout=10000):
        window.state.set_kernel(convdemo.Kernel.from_array(np.ones((5, 5))))  # 33×33 effective
    assert "does not fit a 28×28 image" in window.controls.error.text()
    assert window.controls.error.isVisibleTo(window)
    assert window.message.isVisibleTo(window)
    np.testing.assert_array_equal(window.views["conv"].array, before)


def test_pinned_pixel_inspector_matches_hand_computation(qtbot, window):
    kernel = convdemo.Kernel.from_array([[0, -1, 0], [0, 1, 0], [0, 0, 0]])
    wait_result(qtbot, window, lambda: window.state.set_kernel(kernel))
    image = window.state.image.pixels
    window.focus.pin("conv", 10, 12)
    hand = image[11, 13] - image[10, 13]  # centre minus the one above, valid padding
    assert window.views["conv"].array[10, 12] == pytest.approx(hand)
    html = window.inspector.current_html
    assert "Convolved pixel (row 10, col 12)" in html and "pinned" in html
    assert f"Σ = <b>{format_value(hand)}</b>" in html
    window.focus.move_pin(1, 0)
    assert window.focus.pinned == ("conv", 11, 12)
    assert "Convolved pixel (row 11, col 12)" in window.inspector.current_html


def test_hover_shows_value_in_status_bar(qtbot, window):
    assert window.focus.pinned is not None  # the strongest pixel is pinned at start as a first example
    window.focus.unpin()
    window.focus.on_hover("conv", 3, 4)
    value = window.views["conv"].array[3, 4]
    assert window.statusBar().currentMessage() == f"Convolved (row 3, col 4) = {format_value(float(value))}"
    assert "Convolved pixel (row 3, col 4)" in window.inspector.current_html


def test_the_hovered_explanation_follows_every_new_result(qtbot, window):
    window.focus.unpin()
    window.focus.on_hover("conv", 10, 12)
    kernel = convdemo.Kernel.from_array([[0, 0, 0], [0, 2, 0], [0, 0, -1]])
    wait_result(qtbot, window, lambda: window.state.set_kernel(kernel))
    image = window.state.image.pixels
    hand = 2 * image[11, 13] - image[12, 14]
    html = window.inspector.current_html
    assert "Convolved pixel (row 10, col 12)" in html and "pinned" not in html
    assert f">{format_value(2 * image[11, 13])}</td>" in html and f"Σ = <b>{format_value(hand)}</b>" in html
    assert window.statusBar().currentMessage() == f"Convolved (row 10, col 12) = {format_value(float(hand))}"
    assert window.views["conv"].highlight.path().boundingRect() == window.views["conv"].pixel_rect(10, 12)


def test_a_hovered_pixel_the_new_result_lacks_is_cleared(qtbot, window):
    window.focus.pin("conv", 3, 3)
    window.focus.on_hover("conv", 20, 20)
    assert window.statusBar().currentMessage().startswith("Convolved (row 20, col 20)")
    wait_result(qtbot, window, lambda: window.controls.stride_y.setValue(2))  # 26×26 → 13×13: (20, 20) is gone
    assert window.focus.hovered is None and window.statusBar().currentMessage() == ""
    assert all(view.highlight.path().isEmpty() for view in window.views.values())
    assert "Convolved pixel (row 3, col 3)" in window.inspector.current_html  # the pinned pixel stays
    window.focus.unpin()
    window.focus.on_hover("conv", 12, 12)
    wait_result(qtbot, window, lambda: window.controls.stride_y.setValue(3))  # 9×9
    assert window.inspector.current_html == "" and window.statusBar().currentMessage() == ""  # back to the hint


def test_a_new_image_clears_the_hovered_pixel(qtbot, window, tmp_path):
    path = tmp_path / "other.png"
    Image.fromarray(np.full((40, 40), 128, dtype=np.uint8)).save(path)
    window.focus.unpin()
    window.focus.on_hover("conv", 5, 5)
    wait_result(qtbot, window, lambda: window.open_path(str(path)))
    assert window.focus.hovered is None and window.statusBar().currentMessage() == ""
    assert window.views["conv"].highlight.path().isEmpty() and window.inspector.current_html == ""


def test_bad_image_gives_a_message_and_keeps_the_current_one(qtbot, window, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    before = window.state.image
    with qtbot.waitSignal(window.loader.failed, timeout=10000):
        window.open_path(str(bad))
    assert "broken.png" in window.message.text() and "current image is kept" in window.message.text()
    assert window.state.image is before


def test_opening_a_photo_and_working_size(qtbot, window, tmp_path):
    path = tmp_path / "wide.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 600, 3), dtype=np.uint8)).save(path)
    window.max_size = 256
    wait_result(qtbot, window, lambda: window.open_path(str(path)))
    assert window.state.image.size == (128, 256)
    assert "convolving 128×256" in window.size_label.text()


def test_stale_results_are_dropped(qtbot, window):
    shown = []
    window.result_shown.connect(lambda r: shown.append(r.request.request_id))
    kernels = [convdemo.Kernel.from_array(np.full((3, 3), v)) for v in (1.0, 2.0, 3.0)]
    with qtbot.waitSignal(window.result_shown, timeout=10000, check_params_cb=lambda r: r.request.request_id
                          == window.runner.latest_id):
        for k in kernels:
            window.state.set_kernel(k)
    window.runner.wait()
    qtbot.wait(50)
    assert shown[-1] == window.runner.latest_id
    assert len(shown) <= 2  # the middle request was replaced while waiting
    np.testing.assert_allclose(window.views["conv"].array[0, 0], 3 * window.state.image.pixels[:3, :3].sum(),
                               rtol=1e-5)


def test_animation_fills_the_output_cell_by_cell(qtbot, window):
    window.fit_views()
    window.animation_bar.step()
    window.animation_bar.step()
    hidden = window.views["conv"].hidden
    cells = window.animation.cells  # the region is chosen as tests/gui/lab/test_animation.py checks
    assert hidden is not None and hidden.sum() == len(cells) - 2
    assert window.focus.pinned == ("conv", *cells[1])
    window.stop_and_unpin()
    assert window.views["conv"].hidden is None and window.focus.pinned is None


def test_save_output_npy_and_png(qtbot, window, tmp_path):
    window.write_output(str(tmp_path / "out.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), window.result.stages.output)
    window.write_output(str(tmp_path / "out.png"))
    assert Image.open(tmp_path / "out.png").size == (26, 26)


def test_session_is_restored(qtbot, window, store, library):
    wait_result(qtbot, window, lambda: window.controls.stride_y.setValue(2))
    kernel = convdemo.Kernel.from_array([[1, 2], [3, 4]], divisor=10)
    wait_result(qtbot, window, lambda: window.state.set_kernel(kernel))
    window.close()
    from convdemo.gui.main_window import MainWindow

    again = MainWindow(library=library, settings=store)
    qtbot.addWidget(again)
    again.restore_session()
    assert again.state.settings.stride == (2, 2)
    np.testing.assert_array_equal(again.state.kernel.weights, kernel.weights)
    assert again.state.kernel.divisor == 10
    assert again.last_image() == str(sample_path(DEFAULT_SAMPLE))


def test_screenshot_command(tmp_path):
    out = tmp_path / "shot.png"
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "HOME": str(tmp_path), "PATH": ""}
    result = subprocess.run([sys.executable, "-m", "convdemo", "--screenshot", str(out)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    width, height = Image.open(out).size
    assert width >= 1280 and height >= 800


def test_typing_in_a_kernel_cell_updates_the_output_exactly(qtbot, window):
    cell = window.editor.grid.cell(2, 2)
    cell.setFocus()
    cell.selectAll()

    def type_half():
        for key in "0.5":
            qtbot.keyClick(cell, key)
        qtbot.keyClick(cell, Qt.Key.Key_Return)

    wait_result(qtbot, window, type_half)
    expected_weights = np.array([[0, -1, 0], [0, 1, 0], [0, 0, 0.5]])
    np.testing.assert_array_equal(window.state.kernel.weights, expected_weights)
    expected = convdemo.run(window.state.image.pixels, expected_weights).conv
    np.testing.assert_allclose(window.views["conv"].array, expected, atol=1e-4)


def test_zoomed_in_pixels_show_their_values(qtbot, window):
    view = window.views["conv"]
    window.views["source"].view.setRange(QRectF(10, 10, 6, 6), padding=0)
    qtbot.wait(20)
    shown = [label for label in view._labels if label.isVisible()]
    assert 0 < len(shown) <= 64
    texts = {label.toPlainText() for label in shown}
    assert format_value(float(view.array[10, 10])) in texts or format_value(float(view.array[9, 9])) in texts
    window.fit_views()
    assert not any(label.isVisible() for label in view._labels)


def test_views_follow_a_dark_palette(qtbot, window):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    window.setPalette(dark)
    qtbot.wait(10)
    assert window.views["conv"].graphics.backgroundBrush().color().red() == 30


def test_dropping_a_file_and_pasting_an_image(qtbot, window, tmp_path):
    path = tmp_path / "dropped.png"
    Image.fromarray(np.zeros((20, 30), np.uint8)).save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    wait_result(qtbot, window, lambda: window.dropEvent(drop))
    assert window.state.image.name == "dropped.png" and window.state.image.size == (20, 30)
    assert str(path) in [a.toolTip() for a in window.recent_menu.actions()]
    picture = QImage(12, 7, QImage.Format.Format_RGB32)
    picture.fill(QColor(255, 0, 0))
    QApplication.clipboard().setImage(picture)
    wait_result(qtbot, window, window.paste_image)
    assert window.state.image.name == "<clipboard>" and window.state.image.size == (7, 12)


def test_save_comparison_png(qtbot, window, tmp_path, monkeypatch):
    target = tmp_path / "side_by_side.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.save_comparison()
    width, height = Image.open(target).size
    assert width > 2 * height / 3 and height > 100


def test_undo_and_redo_are_in_the_edit_menu_and_toolbar(qtbot, window):
    edit_menu = window.menuBar().actions()[1].menu()
    assert window.undo_action in edit_menu.actions() and window.redo_action in edit_menu.actions()
    wait_result(qtbot, window, lambda: window.editor.transpose())
    assert window.undo_action.isEnabled()
    wait_result(qtbot, window, window.undo_action.trigger)
    np.testing.assert_array_equal(window.state.kernel.weights, window.library["edge-above"].weights)


def test_a_learned_filter_becomes_the_kernel(qtbot, window):
    window.tabs.setCurrentIndex(1)
    learned = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -0.4], [0.2, 0.1, -0.3]])
    wait_result(qtbot, window, lambda: window.cnn_panel.use_filter_as_kernel.emit(learned))
    assert window.tabs.currentIndex() == 0
    np.testing.assert_array_equal(window.editor.kernel().weights, learned)
    expected = convdemo.run(window.state.image.pixels, learned).conv
    np.testing.assert_allclose(window.views["conv"].array, expected, atol=1e-4)
