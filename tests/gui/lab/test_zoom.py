"""Zoom to fit shows every panel's whole picture; zoom in, zoom out and 1:1 change the range as named."""

import numpy as np
import pytest
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QApplication

import convdemo
from convdemo.gui.lab.stage_row import ZOOM_STEP

NINE = convdemo.Kernel.from_array(np.ones((9, 9)), divisor=81)


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000) as blocker:
        action()
    return blocker.args[0]


def view_rect(window) -> QRectF:
    (x0, x1), (y0, y1) = window.views["source"].view.viewRange()
    return QRectF(x0, y0, x1 - x0, y1 - y0)


def assert_every_stage_visible(window) -> None:
    QApplication.processEvents()
    shown = view_rect(window)
    for view in window.views.values():
        if not view.isHidden():
            extent = view.extent()
            assert shown.contains(extent), (view.stage, extent, shown)


def test_fit_shows_a_full_padding_output_larger_than_the_input(qtbot, window):
    wait_result(qtbot, window, lambda: window.state.update_settings(padding="full"))
    wait_result(qtbot, window, lambda: window.state.set_kernel(NINE))
    assert window.views["conv"].array.shape[0] > window.state.image.size[0]
    window.fit_views()
    assert_every_stage_visible(window)


def test_fit_is_redone_when_panels_appear(qtbot, window):
    wait_result(qtbot, window, lambda: window.state.update_settings(padding="full"))
    wait_result(qtbot, window, lambda: window.state.set_kernel(NINE))
    window.fit_views()
    wait_result(qtbot, window, lambda: window.state.update_settings(activation="relu", pool="max"))
    assert not window.views["pool"].isHidden()
    assert_every_stage_visible(window)


@pytest.mark.parametrize(("action", "factor"), [("zoom_in", 1 / ZOOM_STEP), ("zoom_out", ZOOM_STEP)])
def test_zoom_in_and_out_change_the_range_by_the_step(window, action, factor):
    window.fit_views()
    QApplication.processEvents()
    before = view_rect(window)
    getattr(window.commands, action).trigger()
    after = view_rect(window)
    assert after.width() == pytest.approx(before.width() * factor, rel=1e-3)
    assert after.height() == pytest.approx(before.height() * factor, rel=1e-3)
    assert after.center().x() == pytest.approx(before.center().x(), abs=1e-3)


def test_actual_size_shows_one_screen_pixel_per_input_pixel(window):
    window.fit_views()
    QApplication.processEvents()
    window.commands.actual_size.trigger()
    x_size, y_size = window.views["source"].view.viewPixelSize()
    assert x_size == pytest.approx(1, rel=1e-3) and y_size == pytest.approx(1, rel=1e-3)


def test_the_zoom_actions_are_in_the_view_menu_with_shortcuts(window):
    view_menu = window.menuBar().actions()[2].menu()
    commands = window.commands
    for action, keys in ((commands.zoom_in, "Ctrl++"), (commands.zoom_out, "Ctrl+-"), (commands.actual_size, "Ctrl+1"),
                         (commands.fit, "Ctrl+0")):
        assert action in view_menu.actions()
        assert action.shortcut().toString() == keys
