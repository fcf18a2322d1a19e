"""Numbers beyond float32 in the window: a sentence where the user acts, and the last good picture stays."""

import numpy as np
from PyQt6.QtCore import Qt

from convdemo.core.kernels import Kernel


def type_into(qtbot, cell, text: str) -> None:
    cell.setFocus()
    cell.selectAll()
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)


def test_typing_1e39_in_a_cell_names_the_number_and_keeps_the_picture(qtbot, window):
    before = window.views["conv"].array.copy()
    kernel, runs = window.state.kernel, window.runner.latest_id
    type_into(qtbot, window.editor.grid.cell(0, 0), "1e39")
    message = window.editor.problem_label.text()
    assert message.startswith("The kernel holds 1e39, beyond ±3.4e38"), message
    assert window.editor.problem_label.isVisibleTo(window)
    assert window.state.kernel == kernel and window.runner.latest_id == runs  # nothing was run
    np.testing.assert_array_equal(window.views["conv"].array, before)


def test_a_kernel_whose_results_overflow_is_refused_inline_and_the_picture_stays(qtbot, window):
    before = window.views["conv"].array.copy()
    with qtbot.waitSignal(window.runner.failed, timeout=10000) as blocker:
        window.state.set_kernel(Kernel.from_array(np.full((3, 3), 1e37)))
    message = blocker.args[1]
    assert message.startswith("the convolved values would overflow float32 (they can reach "), message
    assert "divide them, e.g. with divisor " in message
    assert window.controls.error.text() == message
    assert window.controls.error.isVisibleTo(window)
    np.testing.assert_array_equal(window.views["conv"].array, before)
