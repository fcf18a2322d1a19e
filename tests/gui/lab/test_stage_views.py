"""What the stage views write and draw: numbers ≥ 1000, readable labels, honest colours, padded cells."""

import itertools

import numpy as np
import pytest
from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QColor

import convdemo
from convdemo.core.display import to_display
from convdemo.core.geometry import output_shape
from convdemo.core.numbers import format_number
from convdemo.core.padded import PaddedFrame, padded_frame
from convdemo.gui.lab.stage_views import StageView
from convdemo.gui.widgets import ColourBar, text_colour

TIMES_TEN = convdemo.Kernel.from_array([[0, 0, 0], [0, 10, 0], [0, 0, 0]])  # 255 → 2550


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000) as blocker:
        action()
    return blocker.args[0]


def zoom(qtbot, window, rect: QRectF) -> None:
    window.views["source"].view.setRange(rect, padding=0)
    window.grab()  # paint once: pyqtgraph places text items when the scene is painted
    qtbot.wait(10)


def brightest(view: StageView) -> tuple[int, int]:
    return tuple(int(i) for i in np.unravel_index(np.argmax(view.array), view.array.shape))


# -- numbers of 1000 and more -------------------------------------------------------------------


def test_values_over_a_thousand_are_written_in_full_everywhere(qtbot, window):
    wait_result(qtbot, window, lambda: window.state.set_kernel(TIMES_TEN))
    conv = window.views["conv"]
    assert conv.array.max() == 2550
    row, col = brightest(conv)
    window.focus.pin("conv", row, col)
    qtbot.waitUntil(lambda: "2550" in window.inspector.toHtml(), timeout=3000)
    assert "e3" not in window.inspector.current_html
    assert conv.colour_bar.labels() == {"left": "0", "right": "2550", "high": "255"}
    assert "0 … 2550" in conv.colour_bar.toolTip()
    zoom(qtbot, window, QRectF(col - 1, row - 1, 5, 5))
    assert "2550" in {label.toPlainText() for label in conv.visible_labels()}


def test_negative_numbers_use_a_real_minus_on_bar_and_labels(qtbot, window):
    conv = window.views["conv"]  # the default edge-above kernel: −200 … 200
    assert conv.colour_bar.labels() == {"left": "\u2212200", "right": "200", "zero": "0"}
    row, col = np.unravel_index(np.argmin(conv.array), conv.array.shape)
    zoom(qtbot, window, QRectF(col - 1, row - 1, 6, 6))
    texts = {label.toPlainText() for label in conv.visible_labels()}
    assert "\u2212200" in texts and not any("-" in text for text in texts)


# -- value labels: only where they fit, never overlapping, readable on any colour ---------------


def label_rects(view: StageView) -> list[QRectF]:
    """Each visible label's rectangle in the view's (input pixel) coordinates."""
    return [view.view.mapSceneToView(label.sceneBoundingRect()).boundingRect() for label in view.visible_labels()]


@pytest.mark.parametrize("side", [3, 6, 10, 16, 24, 28])
def test_labels_never_overlap_at_any_zoom(qtbot, window, side):
    wait_result(qtbot, window, lambda: window.state.set_kernel(window.library["gaussian-5x5"]))
    zoom(qtbot, window, QRectF(4, 4, side, side))
    if side <= 10:
        assert window.views["source"].visible_labels()
    for view in (window.views["source"], window.views["conv"]):
        rects = label_rects(view)
        for a, b in itertools.combinations(rects, 2):
            assert not a.intersects(b), (view.stage, side)
        for label, rect in zip(view.visible_labels(), rects):
            cell = QRectF(rect.center().x() - 0.5, rect.center().y() - 0.5, 1, 1)
            assert cell.contains(rect), "a label stays inside its pixel"
            assert label.toPlainText()


def test_small_cells_get_no_labels_however_few_they_are(qtbot, window):
    """The 28×28 digit with a 5×5 kernel has only 784 and 576 pixels, but fitted they are too small to write on."""
    wait_result(qtbot, window, lambda: window.state.set_kernel(window.library["gaussian-5x5"]))
    window.fit_views()
    window.grab()
    assert window.views["source"]._cell_pixels()[0] < 20
    assert not window.views["source"].visible_labels() and not window.views["conv"].visible_labels()
    zoom(qtbot, window, QRectF(0, 0, 6, 6))
    assert len(window.views["source"].visible_labels()) >= 36


def test_label_text_is_dark_on_light_cells_and_light_on_dark_ones(qtbot, window):
    zoom(qtbot, window, QRectF(8, 4, 6, 6))  # the digit's top stroke: black and white pixels
    view = window.views["source"]
    colours = set()
    for label in view.visible_labels():
        row, col = view.pixel_at(label.pos().x(), label.pos().y())
        background = QColor(*view.picture.rgb[row, col].tolist())
        assert label.textItem.defaultTextColor() == text_colour(background)
        colours.add(text_colour(background).name())
    assert colours == {"#141414", "#ffffff"}


# -- honest colours: the real range, the clipped ends, the note and its link --------------------


def test_clipped_values_are_said_under_the_title_with_a_link_to_stretch(qtbot, window):
    wait_result(qtbot, window, lambda: window.state.set_kernel(TIMES_TEN))
    conv = window.views["conv"]
    assert conv.note.isVisible() and not window.views["source"].note.isVisible()
    assert "values 0 … 2550: clipped at 255" in conv.note.text() and "href='stretch'" in conv.note.text()
    heights = {view.graphics.geometry().top() for view in window.views.values() if view.isVisible()}
    assert len(heights) == 1, "the note does not push its picture out of line with the others"
    wait_result(qtbot, window, lambda: conv.note.linkActivated.emit("stretch"))
    assert window.state.display_mode == "stretch" and window.controls.display.currentData() == "stretch"
    assert not conv.note.isVisible() and conv.colour_bar.labels() == {"left": "0", "right": "2550"}


def test_colour_bar_paints_clipped_ends(qtbot):
    bar = ColourBar()
    qtbot.addWidget(bar)
    bar.resize(300, 30)
    bar.set_picture(to_display(np.array([[-20.0, 100.0], [255.0, 690.0]]), "clip"))
    assert bar.labels() == {"left": "\u221220", "right": "690", "low": "0", "high": "255"}
    image = bar.grab().toImage()
    hatched = [image.pixelColor(x, 6).lightness() for x in range(bar.width() - 50, bar.width() - 6)]
    assert min(hatched) < 60 < 200 < max(hatched), "the clipped end is white with dark hatching"


# -- padding drawn around the input -------------------------------------------------------------


@pytest.mark.parametrize("border", ["zero", "reflect", "mirror", "replicate", "wrap"])
def test_padded_frame_holds_what_the_engine_reads(border):
    source = np.arange(20, dtype=np.float32).reshape(4, 5)
    frame = padded_frame(source, output_shape((4, 5), (3, 3), padding=2), border)
    numpy_mode = {"zero": "constant", "reflect": "symmetric", "mirror": "reflect", "replicate": "edge",
                  "wrap": "wrap"}[border]
    np.testing.assert_array_equal(frame.values, np.pad(source, 2, mode=numpy_mode))
    assert frame.padded.sum() == frame.values.size - source.size


def test_no_padding_no_frame():
    assert padded_frame(np.zeros((4, 5)), output_shape((4, 5), (3, 3)), "zero") is None


@pytest.mark.parametrize("border", ["replicate", "zero"])
def test_input_view_draws_the_padded_cells(qtbot, window, border):
    wait_result(qtbot, window, lambda: window.state.update_settings(padding=1, border=border))
    view = window.views["source"]
    frame: PaddedFrame = view.frame
    image = view.array
    assert (frame.top, frame.left, frame.bottom, frame.right) == (1, 1, 1, 1)
    edges = [(frame.values[0, 1:-1], image[0]), (frame.values[-1, 1:-1], image[-1]),
             (frame.values[1:-1, 0], image[:, 0]), (frame.values[1:-1, -1], image[:, -1])]
    for padded, edge in edges:
        np.testing.assert_array_equal(padded, edge if border == "replicate" else 0)
    assert view.frame_image.image is not None and view.frame_edge.isVisible()
    (x0, x1), (y0, y1) = view.view.viewRange()
    assert x0 < -1 and y0 < -1 and x1 > 29 and y1 > 29, "still fitted: the frame is in view"
    zoom(qtbot, window, QRectF(-1.5, -1.5, 5, 5))
    padded_labels = [label for label in view.visible_labels() if label.pos().x() < 0 or label.pos().y() < 0]
    assert padded_labels and all(label.textItem.font().italic() for label in padded_labels)
    for label in padded_labels:
        row, col = int(np.floor(label.pos().y())), int(np.floor(label.pos().x()))
        expected = image[max(row, 0), max(col, 0)] if border == "replicate" else 0
        assert label.toPlainText() == format_number(expected)


def test_padding_off_removes_the_frame(qtbot, window):
    wait_result(qtbot, window, lambda: window.state.update_settings(padding="same"))
    assert window.views["source"].frame is not None
    wait_result(qtbot, window, lambda: window.state.update_settings(padding="valid"))
    assert window.views["source"].frame is None and not window.views["source"].frame_edge.isVisible()


def test_a_zoomed_view_keeps_its_zoom_when_padding_changes(qtbot, window):
    zoom(qtbot, window, QRectF(3, 3, 8, 8))
    before = window.views["source"].view.viewRange()
    wait_result(qtbot, window, lambda: window.state.update_settings(padding=3))
    np.testing.assert_allclose(window.views["source"].view.viewRange(), before)
