"""The CNN lab's filter as an undoable kernel edit with its bias; presets that store flip and a description."""

import json

import numpy as np
import pytest

from convdemo.core.errors import PresetError
from convdemo.core.kernels import Kernel
from convdemo.core.preset_files import preset_flip, read_preset, with_flip, write_preset
from convdemo.gui.app import make_app
from convdemo.gui.kernel.editor import KernelEditor

LEARNED = np.array([[0.1, -0.2, 0.3], [0.0, 0.5, -0.4], [0.2, 0.1, -0.3]])


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000) as blocker:
        action()
    return blocker.args[0]


@pytest.fixture
def editor(qtbot, library):
    """A kernel editor on the shipped presets, the user's in a temporary folder."""
    make_app()
    editor = KernelEditor(library)
    qtbot.addWidget(editor)
    return editor


# -- the bridge from the CNN lab -------------------------------------------------------------------------


def test_a_learned_filter_is_an_undoable_edit(qtbot, window):
    before = window.editor.kernel()
    wait_result(qtbot, window, lambda: window.cnn_panel.use_filter_as_kernel.emit(LEARNED))
    np.testing.assert_array_equal(window.state.kernel.weights, LEARNED)
    assert window.editor.undo_stack.undoText() == "use learned filter"
    wait_result(qtbot, window, window.undo_action.trigger)
    assert window.editor.kernel() == before and window.state.kernel == before
    wait_result(qtbot, window, window.redo_action.trigger)
    np.testing.assert_array_equal(window.state.kernel.weights, LEARNED)


def test_a_learned_filter_carries_its_bias_in_the_labs_pixel_units(qtbot, window):
    panel = window.cnn_panel
    qtbot.waitUntil(lambda: panel.model is not None, timeout=10000)
    panel.model.layers[0].params["bias"][1] = 0.25
    panel.filters.grid.selection = 1
    wait_result(qtbot, window, lambda: panel.use_filter_as_kernel.emit(LEARNED))
    assert window.state.kernel.bias == pytest.approx(0.25 * 255)
    assert window.editor.bias_box.value() == pytest.approx(63.75)


def test_apply_edit_keeps_the_history(editor):
    editor.pick_preset("sobel-x")
    editor.apply_edit(Kernel.from_array(LEARNED, name="learned filter", bias=2.0), "use learned filter")
    assert editor.kernel().bias == 2.0 and editor.undo_stack.count() == 2
    editor.undo_stack.undo()
    assert editor.kernel() == editor.library["sobel-x"] and editor.preset_name() == "sobel-x"


# -- presets with flip and a description ---------------------------------------------------------------


def test_flip_and_description_round_trip_through_a_preset_file(tmp_path):
    path = tmp_path / "turned.json"
    kernel = with_flip(Kernel.from_array(LEARNED, name="turned", description="Turned before sliding."), True)
    write_preset(path, kernel)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["flip"] is True and list(doc)[-1] == "flip"
    again = read_preset(path)
    assert preset_flip(again) is True and again.description == "Turned before sliding." and again == kernel
    assert preset_flip(Kernel.from_array(LEARNED)) is None


def test_a_flip_that_is_not_true_or_false_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "convdemo-kernel", "version": 1, "weights": [[1]], "flip": "yes"}))
    with pytest.raises(PresetError, match=r"'flip' must be true or false, not \"yes\""):
        read_preset(path)


def test_save_as_stores_the_description_written_and_the_flip(editor, monkeypatch, library):
    editor.pick_preset("sobel-x")
    editor.set_flip(True)
    offered = []
    monkeypatch.setattr(editor.presets, "_ask_preset",
                        lambda name, description: offered.append((name, description)) or ("turned", " Mine. "))
    editor.presets.save_as()
    assert offered == [("my sobel-x", library["sobel-x"].description)]
    saved = read_preset(library.user_dir / "turned.json")
    assert saved.description == "Mine." and preset_flip(saved) is True


def test_picking_a_preset_with_flip_sets_the_windows_flip(qtbot, window, monkeypatch):
    window.editor.set_flip(True)
    monkeypatch.setattr(window.editor.presets, "_ask_preset", lambda name, description: ("turned", "Turned."))
    window.editor.presets.save_as()
    wait_result(qtbot, window, lambda: window.editor.flip_box.setChecked(False))
    assert not window.state.settings.flip
    wait_result(qtbot, window, lambda: window.editor.pick_preset("sobel-x"))
    assert not window.state.settings.flip  # a preset that does not say leaves the flip alone
    window.editor.pick_preset("turned")
    assert window.state.settings.flip and window.editor.flip()
    assert window.editor.presets.description_label.text() == "Turned."
