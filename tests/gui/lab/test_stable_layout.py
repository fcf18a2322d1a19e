"""The side panel never moves under the pointer, the wheel scrolls it, and formulas are never cut."""

from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QFontMetrics, QWheelEvent
from PyQt6.QtWidgets import QApplication

LONG = ("A very long description of a preset, written by a teacher who had a lot to say about it: "
        "what it finds, why, where it fails, and what to try next. ") * 4


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000) as blocker:
        action()
    return blocker.args[0]


def side_positions(window) -> list[int]:
    """The y of the editor's buttons and of the controls' spin boxes, in window coordinates."""
    editor, controls = window.editor, window.controls
    widgets = [editor.rotate_button, editor.normalise_button, editor.transpose_button, editor.divisor_box,
               controls.stride_y, controls.dilation, controls.pool_size]
    QApplication.processEvents()
    return [w.mapTo(window, QPoint(0, 0)).y() for w in widgets]


def test_a_long_description_moves_nothing(window):
    before = side_positions(window)
    window.editor.presets.description_label.setText(LONG)
    assert side_positions(window) == before
    label = window.editor.presets.description_label
    assert label.toolTip() == LONG and label.shown_text().endswith("…")
    window.editor.presets.description_label.setText("One line.")
    assert side_positions(window) == before


def test_errors_appearing_and_going_move_nothing(qtbot, window):
    before = side_positions(window)
    window.editor.normalise()  # edge-above sums to 0: an error under the editor
    assert window.editor.problem_label.text()
    window.controls.show_error("A long impossible combination of options, explained in a sentence or two.")
    assert side_positions(window) == before
    window.editor.rotate()
    window.controls.show_error("")
    assert not window.editor.problem_label.text()
    assert side_positions(window) == before


def wheel(widget, up: bool = True) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 if up else -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_changes_a_spin_box_only_when_it_has_the_focus(qtbot, window):
    stride = window.controls.stride_y
    window.editor.rotate_button.setFocus()
    wheel(stride)
    assert stride.value() == 1 and window.state.settings.stride == (1, 1)
    for box in (window.editor.rows_box, window.editor.bias_box, window.controls.padding, window.editor.presets.picker):
        before = box.value() if hasattr(box, "value") else box.currentIndex()
        wheel(box, up=False)
        assert (box.value() if hasattr(box, "value") else box.currentIndex()) == before
    stride.setFocus()
    qtbot.waitUntil(stride.hasFocus)
    wheel(stride)
    assert stride.value() == 2


def test_formulas_fit_their_labels_with_four_panels_and_dilation(qtbot, window):
    window.resize(1280, 800)
    wait_result(qtbot, window, lambda: window.state.update_settings(activation="relu", pool="max", dilation=3))
    QApplication.processEvents()
    for view in window.views.values():
        label = view.formula
        shown = label.shown_text()
        assert shown.split() == label.text().split() or label.toolTip() == label.text()  # wrapped or elided
        width = label.contentsRect().width()
        metrics = QFontMetrics(label.font())
        assert all(metrics.horizontalAdvance(line) <= width for line in shown.split("\n")), (view.stage, shown)


def test_a_two_line_formula_of_a_wide_photo_shows_both_lines_whole(qtbot, window, tmp_path):
    import numpy as np
    from PIL import Image

    path = tmp_path / "wide.png"
    Image.fromarray(np.full((60, 80), 128, np.uint8)).save(path)
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        window.open_path(str(path))
    formula = window.views["conv"].formula
    assert formula.text() == ("rows: out = floor((60 + 2·0 − 3)/1) + 1 = 58\n"
                              "cols: out = floor((80 + 2·0 − 3)/1) + 1 = 78")
    assert formula.shown_text() == formula.text()  # measured in the label's own (monospace) font
    metrics = QFontMetrics(formula.font())
    assert all(metrics.horizontalAdvance(line) <= formula.contentsRect().width()
               for line in formula.shown_text().splitlines())
