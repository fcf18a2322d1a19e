"""The kernel editor with real widgets: typing, keys, wheel, drag, presets, files, undo, three kernels."""

import json
import os

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QKeyEvent, QMouseEvent, QPalette, QWheelEvent
from PyQt6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QSpinBox,
    QToolButton,
)

from convdemo.core.kernels import Kernel
from convdemo.core.preset_files import read_preset
from convdemo.core.presets import PresetLibrary
from convdemo.gui.app import make_app
from convdemo.gui.kernel.editor import KernelEditor, resized
from convdemo.gui.kernel.grid import parse_cell

ASYMMETRIC = np.array([[1.0, 2.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 3.0]])  # sums to 10
NINE = np.arange(1.0, 10.0).reshape(3, 3)


@pytest.fixture
def user_library():
    """The default library: shipped presets plus the user folder under the test's XDG_DATA_HOME."""
    library = PresetLibrary()
    assert library.user_dir.is_relative_to(os.environ["XDG_DATA_HOME"])
    return library


@pytest.fixture
def editor(qtbot, user_library):
    make_app()
    editor = KernelEditor(user_library)
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return editor


def custom(weights, **fields) -> Kernel:
    return Kernel.from_array(weights, name="custom", **fields)


def emitted_kernel(qtbot, editor, action) -> Kernel:
    """Run ``action`` and return the kernel it made the editor emit."""
    with qtbot.waitSignal(editor.kernel_changed, timeout=1000) as blocker:
        action()
    return blocker.args[0]


def type_into(qtbot, cell, text: str) -> None:
    """Select the cell's text, type ``text`` over it (QTest types ASCII only, so others are sent) and press Enter."""
    cell.setFocus()
    cell.selectAll()
    for char in text:
        if char.isascii():
            qtbot.keyClick(cell, char)
        else:
            QApplication.sendEvent(cell, QKeyEvent(QKeyEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char))
    qtbot.keyClick(cell, Qt.Key.Key_Return)


def wheel(cell, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(cell.width() / 2, cell.height() / 2)
    event = QWheelEvent(centre, cell.mapToGlobal(centre), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(cell, event)


def right_mouse(cell, kind, y: float) -> None:
    held = Qt.MouseButton.NoButton if kind == QMouseEvent.Type.MouseButtonRelease else Qt.MouseButton.RightButton
    position = QPointF(cell.width() / 2, y)
    event = QMouseEvent(kind, position, cell.mapToGlobal(position), Qt.MouseButton.RightButton, held,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(cell, event)


# -- the grid -------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [("-1", -1.0), ("0.25", 0.25), ("1/9", 1 / 9), ("−2", -2.0)])
def test_typing_a_value_emits_the_exact_new_weights(qtbot, editor, text, value):
    editor.set_kernel(custom(ASYMMETRIC))
    kernel = emitted_kernel(qtbot, editor, lambda: type_into(qtbot, editor.grid.cell(1, 2), text))
    expected = ASYMMETRIC.copy()
    expected[1, 2] = value
    np.testing.assert_array_equal(kernel.weights, expected)
    assert editor.kernel() == kernel
    assert parse_cell(editor.grid.cell(1, 2).text()) == pytest.approx(value, rel=1e-3)


def test_text_that_is_not_a_number_is_refused_with_a_sentence(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    with qtbot.assertNotEmitted(editor.kernel_changed):
        type_into(qtbot, editor.grid.cell(0, 0), "abc")
    assert editor.problem_label.text() == "'abc' is not a number; type a value such as -1, 0.25 or 1/9."
    assert editor.problem_label.isVisible()
    assert editor.grid.cell(0, 0).text() == "1"
    np.testing.assert_array_equal(editor.kernel().weights, ASYMMETRIC)


def test_tab_and_arrow_keys_move_the_current_cell(qtbot, editor):
    grid = editor.grid
    grid.set_current_cell(0, 0)
    moves = [(Qt.Key.Key_Tab, (0, 1)), (Qt.Key.Key_Down, (1, 1)), (Qt.Key.Key_Right, (1, 2)),
             (Qt.Key.Key_Tab, (2, 0)), (Qt.Key.Key_Left, (2, 0)), (Qt.Key.Key_Up, (1, 0)),
             (Qt.Key.Key_Backtab, (0, 2)), (Qt.Key.Key_Up, (0, 2))]
    for key, expected in moves:
        row, col = grid.current_cell()
        qtbot.keyClick(grid.cell(row, col), key)
        assert grid.current_cell() == expected, key
        assert grid.cell(*expected).hasFocus()


def test_left_and_right_move_the_text_cursor_inside_a_cell_being_typed_in(qtbot, editor):
    cell = editor.grid.cell(1, 1)
    editor.grid.set_current_cell(1, 1)
    qtbot.keyClicks(cell, "12")
    qtbot.keyClick(cell, Qt.Key.Key_Left)
    assert editor.grid.current_cell() == (1, 1) and cell.cursorPosition() == 1


@pytest.mark.parametrize("notches, modifiers, expected", [
    (1, Qt.KeyboardModifier.NoModifier, 4.1),
    (-1, Qt.KeyboardModifier.NoModifier, 3.9),
    (1, Qt.KeyboardModifier.ShiftModifier, 5.0),
    (-2, Qt.KeyboardModifier.ControlModifier, 3.98),
    (3, Qt.KeyboardModifier.NoModifier, 4.3),
])
def test_the_wheel_nudges_a_cell(qtbot, editor, notches, modifiers, expected):
    editor.set_kernel(custom(ASYMMETRIC))
    kernel = emitted_kernel(qtbot, editor, lambda: wheel(editor.grid.cell(1, 1), notches, modifiers))
    assert kernel.weights[1, 1] == expected
    np.testing.assert_array_equal(np.delete(kernel.weights.ravel(), 4), np.delete(ASYMMETRIC.ravel(), 4))


def test_wheel_nudges_on_one_cell_are_one_undo_step(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    for _ in range(3):
        wheel(editor.grid.cell(0, 0), 1)
    wheel(editor.grid.cell(0, 1), 1)
    assert editor.kernel().weights[0, 0] == 1.3 and editor.undo_stack.count() == 2
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    np.testing.assert_array_equal(editor.kernel().weights, ASYMMETRIC)


def test_a_right_drag_nudges_continuously_and_undoes_in_one_step(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    cell = editor.grid.cell(2, 2)
    seen = []
    editor.kernel_changed.connect(lambda k: seen.append(k.weights[2, 2]))
    right_mouse(cell, QMouseEvent.Type.MouseButtonPress, 40)
    for y in (34, 28, 22, 40 + 6 * 5):
        right_mouse(cell, QMouseEvent.Type.MouseMove, y)
    right_mouse(cell, QMouseEvent.Type.MouseButtonRelease, 70)
    assert seen == [3.1, 3.2, 3.3, 2.5]
    assert editor.undo_stack.count() == 1
    editor.undo_stack.undo()
    assert editor.kernel().weights[2, 2] == 3.0


def test_cells_are_tinted_by_sign_and_magnitude(editor):
    editor.set_kernel(custom([[-2.0, 0.0, 1.0, 2.0]]))
    cells = [editor.grid.cell(0, c) for c in range(4)]
    shown = [(cell.background.name(), cell.palette().color(QPalette.ColorRole.Text).name()) for cell in cells]
    assert shown == [("#2166ac", "#ffffff"),  # strongest blue, light text
                     ("#f7f7f7", "#141414"),  # white zero, dark text
                     ("#f4a582", "#141414"),  # half-strength red
                     ("#b2182b", "#ffffff")]  # strongest red
    editor.set_kernel(custom([[-2.0, 0.0, 1.0, 4.0]]))
    assert cells[0].background.name() == "#92c5de" and cells[3].background.name() == "#b2182b"


def test_the_sum_row_shows_the_sum_and_what_a_flat_area_becomes(editor):
    editor.set_kernel(editor.library["box-blur"], "box-blur")
    assert editor.sum_label.text() == "Σ = 9   ·   flat areas keep their value"
    editor.set_kernel(editor.library["sobel-x"], "sobel-x")
    assert editor.sum_label.text() == "Σ = 0   ·   flat areas become 0"


# -- size, normalise, transpose, rotate, divisor, bias -------------------------------------


def test_resizing_keeps_the_centre_values(qtbot, editor):
    editor.set_kernel(custom(NINE))
    editor.rows_box.setValue(5)
    kernel = emitted_kernel(qtbot, editor, lambda: editor.cols_box.setValue(5))
    expected = np.zeros((5, 5))
    expected[1:4, 1:4] = NINE
    np.testing.assert_array_equal(kernel.weights, expected)
    editor.rows_box.setValue(1)
    kernel = emitted_kernel(qtbot, editor, lambda: editor.cols_box.setValue(3))
    np.testing.assert_array_equal(kernel.weights, [[4.0, 5.0, 6.0]])
    assert [editor.grid.cell(0, c).isVisible() for c in range(4)] == [True, True, True, False]
    assert not editor.grid.cell(1, 0).isVisible()


def test_even_sizes_keep_the_centre_cell_where_same_padding_puts_it():
    five = np.arange(25.0).reshape(5, 5)
    four = resized(five, 4, 4)
    np.testing.assert_array_equal(four, five[1:, 1:])  # centre (2, 2) -> (1, 1)
    np.testing.assert_array_equal(resized(four, 5, 5)[1:, 1:], five[1:, 1:])
    grown = resized(np.ones((3, 2, 2)), 3, 3)  # centre (0, 0) -> (1, 1), in every plane
    np.testing.assert_array_equal(grown, np.stack([[[0, 0, 0], [0, 1, 1], [0, 1, 1]]] * 3))


def test_normalise_gives_exact_numbers_and_explains_a_zero_sum(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC, divisor=4))
    kernel = emitted_kernel(qtbot, editor, editor.normalise_button.click)
    np.testing.assert_array_equal(kernel.weights, [[0.1, 0.2, 0.0], [0.0, 0.4, 0.0], [0.0, 0.0, 0.3]])
    assert kernel.divisor == 1.0
    editor.set_kernel(editor.library["sobel-x"], "sobel-x")
    with qtbot.assertNotEmitted(editor.kernel_changed):
        editor.normalise_button.click()
    assert editor.problem_label.text() == "The weights sum to 0, so they cannot be normalised."
    assert editor.kernel() == editor.library["sobel-x"]


def test_transpose_and_rotate_give_exact_arrays(qtbot, editor):
    editor.set_kernel(custom([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    kernel = emitted_kernel(qtbot, editor, editor.transpose_button.click)
    np.testing.assert_array_equal(kernel.weights, [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
    assert (editor.rows_box.value(), editor.cols_box.value()) == (3, 2)
    kernel = emitted_kernel(qtbot, editor, editor.rotate_button.click)
    np.testing.assert_array_equal(kernel.weights, [[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]])
    kernel = emitted_kernel(qtbot, editor, editor.rotate_button.click)
    np.testing.assert_array_equal(kernel.weights, [[6.0, 3.0], [5.0, 2.0], [4.0, 1.0]])


def test_divisor_and_bias_accept_negatives_and_refuse_a_zero_divisor(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    assert emitted_kernel(qtbot, editor, lambda: editor.divisor_box.setValue(-16)).divisor == -16
    assert emitted_kernel(qtbot, editor, lambda: editor.bias_box.setValue(-128.5)).bias == -128.5
    with qtbot.assertNotEmitted(editor.kernel_changed):
        editor.divisor_box.setValue(0)
    assert editor.problem_label.text() == "The divisor is 0, but it must be a finite number other than 0."
    assert editor.divisor_box.value() == -16
    editor.divisor_box.setValue(1)
    editor.divisor_box.stepDown()  # steps over 0
    assert editor.kernel().divisor == -1


# -- presets ----------------------------------------------------------------------------------


def test_picking_a_preset_emits_it_and_an_edit_makes_it_custom(qtbot, editor):
    picker = editor.presets.picker
    editor.set_kernel(editor.library["identity"], "identity")
    picker.setFocus()
    kernel = emitted_kernel(qtbot, editor, lambda: qtbot.keyClick(picker, Qt.Key.Key_Down))
    assert kernel == editor.library["shift-left"]
    assert picker.currentText() == "shift-left"
    assert editor.presets.description_label.text() == editor.library["shift-left"].description
    kernel = emitted_kernel(qtbot, editor, lambda: type_into(qtbot, editor.grid.cell(0, 0), "2"))
    assert kernel.name == "custom" and kernel.weights[0, 0] == 2
    assert picker.currentText() == "custom (modified from shift-left)"
    assert editor.preset_name() == "shift-left"
    emitted_kernel(qtbot, editor, lambda: type_into(qtbot, editor.grid.cell(0, 0), "0"))
    assert picker.currentText() == "shift-left"  # the same numbers again: the preset itself


def test_presets_have_descriptions_as_tooltips_and_user_presets_come_last(editor, user_library):
    user_library.save_user(Kernel.from_array([[1.0]], name="aaa mine", description="Mine."))
    editor.set_kernel(editor.kernel())
    picker = editor.presets.picker
    assert picker.itemText(picker.count() - 1) == "aaa mine"
    assert picker.itemData(picker.count() - 1, Qt.ItemDataRole.ToolTipRole) == "Mine."
    sobel = picker.findData("sobel-x")
    assert picker.itemData(sobel, Qt.ItemDataRole.ToolTipRole) == user_library["sobel-x"].description


def test_undo_and_redo_keys_restore_exact_weights(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    type_into(qtbot, editor.grid.cell(0, 1), "1/3")
    edited = editor.kernel().weights.copy()
    editor.normalise_button.click()
    cell = editor.grid.cell(0, 0)
    undo = lambda: qtbot.keyClick(cell, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # noqa: E731
    redo = lambda: qtbot.keyClick(cell, Qt.Key.Key_Z,  # noqa: E731
                                  Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    np.testing.assert_array_equal(emitted_kernel(qtbot, editor, undo).weights, edited)
    np.testing.assert_array_equal(emitted_kernel(qtbot, editor, undo).weights, ASYMMETRIC)
    assert not editor.undo_stack.canUndo() and not editor.undo_button.isEnabled()
    np.testing.assert_array_equal(emitted_kernel(qtbot, editor, redo).weights, edited)
    assert editor.kernel().weights[0, 1] == 1 / 3


def test_escape_drops_typed_text(qtbot, editor):
    cell = editor.grid.cell(1, 1)
    editor.grid.set_current_cell(1, 1)
    qtbot.keyClicks(cell, "7")
    with qtbot.assertNotEmitted(editor.kernel_changed):
        qtbot.keyClick(cell, Qt.Key.Key_Escape)
    assert cell.text() == "1" and cell.selectedText() == "1"


def test_in_the_main_window_ctrl_z_in_a_cell_undoes_exactly_one_edit(qtbot, window):
    editor = window.editor
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    start = editor.kernel().weights.copy()
    type_into(qtbot, editor.grid.cell(0, 0), "3")
    type_into(qtbot, editor.grid.cell(0, 2), "4")
    qtbot.keyClick(editor.grid.cell(0, 2), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.kernel().weights[0, 0] == 3 and editor.kernel().weights[0, 2] == start[0, 2]
    assert window.state.kernel == editor.kernel()
    qtbot.keyClick(editor.grid.cell(0, 2), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert editor.kernel().weights[0, 2] == 4 and window.state.kernel == editor.kernel()


def test_picking_a_preset_is_undoable(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    editor.presets.picked.emit("sobel-x")
    assert editor.kernel() == editor.library["sobel-x"]
    editor.undo_button.click()
    np.testing.assert_array_equal(editor.kernel().weights, ASYMMETRIC)
    assert editor.presets.picker.currentText() == "custom"


def test_save_as_writes_a_user_preset_that_a_reload_finds(qtbot, editor, monkeypatch, user_library):
    editor.set_kernel(editor.library["sobel-x"], "sobel-x")
    type_into(qtbot, editor.grid.cell(1, 0), "-3")
    monkeypatch.setattr(editor.presets, "_ask_preset",
                        lambda name, description: (name.replace("my sobel-x", "my edge"), description))
    with qtbot.waitSignal(editor.message) as message:
        editor.presets.save_button.click()
    assert message.args == ["Saved preset 'my edge'."]
    path = user_library.user_dir / "my-edge.json"
    assert json.loads(path.read_text(encoding="utf-8"))["weights"] == [[-1, 0, 1], [-3, 0, 2], [-1, 0, 1]]
    assert editor.presets.picker.currentText() == "my edge" and editor.presets.delete_button.isEnabled()

    fresh = KernelEditor(PresetLibrary())
    qtbot.addWidget(fresh)
    picker = fresh.presets.picker
    assert picker.findData("my edge") > picker.findData("unsharp-mask-5x5")
    fresh.pick_preset("my edge")
    np.testing.assert_array_equal(fresh.kernel().weights, [[-1, 0, 1], [-3, 0, 2], [-1, 0, 1]])
    assert fresh.kernel().description == "Edited from 'sobel-x'."


def test_save_as_asks_before_replacing_and_refuses_shipped_names(qtbot, editor, monkeypatch, user_library):
    editor.set_kernel(custom(ASYMMETRIC))
    monkeypatch.setattr(editor.presets, "_ask_preset", lambda name, description: ("mine", description))
    editor.presets.save_as()
    path = user_library.user_dir / "mine.json"
    before = path.read_bytes()
    type_into(qtbot, editor.grid.cell(0, 0), "5")
    questions = []
    monkeypatch.setattr(editor.presets, "_confirm", lambda text: questions.append(text) or False)
    editor.presets.save_as()
    assert questions == ["Replace your preset 'mine'?"] and path.read_bytes() == before
    monkeypatch.setattr(editor.presets, "_confirm", lambda text: True)
    editor.presets.save_as()
    assert read_preset(path).weights[0, 0] == 5
    monkeypatch.setattr(editor.presets, "_ask_preset", lambda name, description: ("sobel-x", description))
    editor.presets.save_as()
    assert editor.problem_label.text() == "'sobel-x' is the name of a shipped preset; choose another name."


def test_delete_refuses_shipped_presets_and_deletes_the_users_after_asking(qtbot, editor, monkeypatch, user_library):
    editor.set_kernel(editor.library["sobel-x"], "sobel-x")
    assert not editor.presets.delete_button.isEnabled()
    editor.presets.delete_preset()
    assert editor.problem_label.text() == "'sobel-x' is a shipped preset and cannot be deleted."
    assert "sobel-x" in user_library

    user_library.save_user(Kernel.from_array(ASYMMETRIC, name="mine"))
    editor.pick_preset("mine")
    question = "Delete your preset 'mine'? Its file is removed."
    monkeypatch.setattr(editor.presets, "_confirm", lambda text: text == question)
    with qtbot.assertNotEmitted(editor.kernel_changed):
        editor.presets.delete_button.click()
    assert not (user_library.user_dir / "mine.json").exists() and "mine" not in user_library
    assert editor.presets.picker.currentText() == "custom"
    assert editor.presets.picker.findData("mine") == -1
    np.testing.assert_array_equal(editor.kernel().weights, ASYMMETRIC)


def test_importing_a_malformed_file_shows_the_sentence_and_changes_nothing(qtbot, editor, monkeypatch, tmp_path,
                                                                           user_library):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "convdemo-kernel", "version": 1, "name": "bad", "weights": [[1, "x"]]}')
    editor.set_kernel(custom(ASYMMETRIC))
    monkeypatch.setattr(editor.presets, "_ask_open_path", lambda: str(bad))
    items = [editor.presets.picker.itemText(i) for i in range(editor.presets.picker.count())]
    with qtbot.assertNotEmitted(editor.kernel_changed):
        editor.presets.import_button.click()
    assert editor.problem_label.text() == f"{bad}: 'weights' row 1, value 2 is not a number (\"x\")."
    assert [editor.presets.picker.itemText(i) for i in range(editor.presets.picker.count())] == items
    assert not user_library.user_dir.exists() or not list(user_library.user_dir.iterdir())
    np.testing.assert_array_equal(editor.kernel().weights, ASYMMETRIC)
    assert editor.undo_stack.count() == 0


def test_import_and_export_round_trip(qtbot, editor, monkeypatch, tmp_path):
    editor.set_kernel(custom([[1.0, -2.0]], divisor=3, bias=7))
    target = tmp_path / "out" / "pair.json"
    target.parent.mkdir()
    monkeypatch.setattr(editor.presets, "_ask_save_path", lambda suggested: str(target))
    editor.presets.export_button.click()
    exported = read_preset(target)
    assert exported.name == "pair" and exported.divisor == 3 and exported.bias == 7
    np.testing.assert_array_equal(exported.weights, [[1.0, -2.0]])
    editor.set_kernel(editor.library["identity"], "identity")
    monkeypatch.setattr(editor.presets, "_ask_open_path", lambda: str(target))
    kernel = emitted_kernel(qtbot, editor, editor.presets.import_button.click)
    assert kernel == editor.library["pair"] and editor.presets.picker.currentText() == "pair"


# -- three kernels, programmatic setters, tooltips -------------------------------------------------


def test_three_kernels_give_shape_3_kh_kw_and_editing_g_changes_plane_1_only(qtbot, editor):
    editor.set_kernel(custom(ASYMMETRIC))
    assert not editor.three_box.isEnabled()
    editor.set_three_kernels_allowed(True)
    kernel = emitted_kernel(qtbot, editor, editor.three_box.click)
    assert kernel.weights.shape == (3, 3, 3)
    np.testing.assert_array_equal(kernel.weights, np.stack([ASYMMETRIC] * 3))
    assert editor.plane_tabs.isVisible()
    editor.plane_tabs.setCurrentIndex(1)
    kernel = emitted_kernel(qtbot, editor, lambda: type_into(qtbot, editor.grid.cell(2, 0), "-7"))
    expected = np.stack([ASYMMETRIC] * 3)
    expected[1, 2, 0] = -7
    np.testing.assert_array_equal(kernel.weights, expected)
    assert editor.sum_label.text() == "Σ G = 3   ·   Σ R+G+B = 23"

    kernel = emitted_kernel(qtbot, editor, lambda: editor.set_three_kernels_allowed(False))
    np.testing.assert_array_equal(kernel.weights, ASYMMETRIC)  # plane R only
    assert not editor.three_box.isEnabled() and not editor.plane_tabs.isVisible()
    kernel = emitted_kernel(qtbot, editor, lambda: editor.set_three_kernels_allowed(True))
    assert kernel.weights[1, 2, 0] == -7


def test_three_kernel_presets_need_a_colour_mode(editor):
    picker = editor.presets.picker
    item = picker.model().item(picker.findData("red-minus-blue"))
    assert not item.isEnabled()
    editor.set_three_kernels_allowed(True)
    assert picker.model().item(picker.findData("red-minus-blue")).isEnabled()


def test_a_restored_three_plane_kernel_is_reduced_when_the_mode_cannot_use_it(qtbot, editor):
    editor.set_kernel(editor.library["red-minus-blue"], "red-minus-blue")
    kernel = emitted_kernel(qtbot, editor, lambda: editor.set_three_kernels_allowed(False))
    assert kernel.weights.shape == (3, 3) and kernel.weights[1, 1] == 1
    assert "uses plane R only" in editor.presets.description_label.text()


def test_programmatic_setters_emit_nothing(qtbot, editor):
    with qtbot.assertNotEmitted(editor.kernel_changed), qtbot.assertNotEmitted(editor.flip_changed):
        editor.set_kernel(editor.library["emboss"], "emboss")
        editor.set_flip(True)
        editor.set_three_kernels_allowed(True)
    assert editor.kernel() == editor.library["emboss"] and editor.presets.picker.currentText() == "emboss"
    assert editor.flip() is True and editor.undo_stack.count() == 0
    with qtbot.waitSignal(editor.flip_changed) as flipped:
        editor.flip_box.click()
    assert flipped.args == [False] and editor.flip() is False


def test_set_kernel_with_a_modified_preset_shows_where_it_came_from(editor):
    editor.set_kernel(custom([[0.0, 1.0, 0.0]]), "shift-left")
    assert editor.presets.picker.currentText() == "custom (modified from shift-left)"
    assert editor.presets.description_label.text().startswith("Edited from 'shift-left'.")


def test_every_control_explains_itself_in_a_tooltip(editor):
    editor.set_three_kernels_allowed(True)
    controls = [w for kind in (QToolButton, QCheckBox, QSpinBox, QDoubleSpinBox, QComboBox)
                for w in editor.findChildren(kind) if w.parent() is not editor.plane_tabs]  # not its scroll arrows
    controls += [editor.grid.cell(0, 0), editor.sum_label]
    assert len(controls) >= 15
    for control in controls:
        assert control.toolTip().endswith((".", ")")), control
    assert all(editor.plane_tabs.tabToolTip(i) for i in range(3))


def test_the_editor_fits_a_side_panel(editor):
    editor.set_kernel(custom(np.ones((9, 9))))
    assert editor.minimumSizeHint().width() <= 340
    assert editor.grid.cell(0, 0).width() >= 30
    editor.set_kernel(custom(ASYMMETRIC))
    assert editor.grid.cell(0, 0).width() == 46

