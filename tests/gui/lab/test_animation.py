"""The sliding window: a readable region, a hint, restarts, and downstream panels that fill in step."""

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QRectF, QSettings

from convdemo.core.explain import explain_pool, receptive_field
from convdemo.gui.lab.animation import (
    DEFAULT_SPEED,
    READABLE_PX,
    SPEED_KEY,
    ZOOM_SIDE,
    screen_px_per_input_px,
)


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        action()


def choose(qtbot, window, combo, value):
    wait_result(qtbot, window, lambda: combo.setCurrentIndex(combo.findData(value)))


@pytest.fixture
def lab(window):
    """The window, whose animation bar works over its stage views."""
    assert window.animation_bar.views is window.views
    return window


def open_photo(qtbot, window, tmp_path):
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:600, 0:800]
    rgb = np.stack([x * 255 / 800, y * 255 / 600, (x + y) * 0.09 + 60], axis=-1) + rng.normal(0, 20, (600, 800, 3))
    path = tmp_path / "photo.png"
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    wait_result(qtbot, window, lambda: window.open_path(str(path)))


def assert_zoomed_to(window, region):
    """The views show the region's receptive field, at least READABLE_PX screen pixels per input pixel."""
    stages = window.result.stages
    top, left, _, _ = receptive_field(stages, "conv", region.r0, region.c0)
    _, _, bottom, right = receptive_field(stages, "conv", region.r1 - 1, region.c1 - 1)
    (x0, x1), (y0, y1) = window.views["conv"].view.viewRange()
    assert x0 <= left + 1e-6 and right <= x1 + 1e-6 and y0 <= top + 1e-6 and bottom <= y1 + 1e-6
    assert screen_px_per_input_px(window.views["conv"]) >= READABLE_PX


def hint_for(region, zoomed=True):
    text = f"animating rows {region.r0}…{region.r1 - 1}, cols {region.c0}…{region.c1 - 1}"
    return text + (" — zoomed in so the cells are readable" if zoomed else " (the part in view)")


def test_the_fitted_sample_is_zoomed_in_around_the_pinned_pixel(lab):
    assert screen_px_per_input_px(lab.views["conv"]) < READABLE_PX  # the whole 28×28 sample fits the view
    row, col = lab.focus.pinned[1:]
    lab.animation_bar.step()
    region = lab.animation.region
    assert region.zoomed and region.r0 <= row < region.r1 and region.c0 <= col < region.c1
    assert 4 <= region.r1 - region.r0 <= ZOOM_SIDE and 4 <= region.c1 - region.c0 <= ZOOM_SIDE
    assert_zoomed_to(lab, region)
    assert lab.animation_bar.hint.text() == hint_for(region)
    assert lab.focus.pinned == ("conv", region.r0, region.c0)  # the first cell is computed and explained
    lab.animation.stop()
    assert lab.animation_bar.hint.text() == ""


def test_a_photo_is_zoomed_in_around_the_centre_of_the_view(qtbot, lab, tmp_path):
    open_photo(qtbot, lab, tmp_path)
    assert screen_px_per_input_px(lab.views["conv"]) < 1  # many photo pixels per screen pixel
    lab.animation_bar.toggle_play()
    assert lab.animation.timer.isActive()
    lab.animation.pause()
    region = lab.animation.region
    assert region.zoomed and region.r0 <= 299 < region.r1 and region.c0 <= 399 < region.c1
    assert region.r1 - region.r0 <= ZOOM_SIDE and region.c1 - region.c0 <= ZOOM_SIDE
    assert_zoomed_to(lab, region)
    assert lab.animation_bar.hint.text() == hint_for(region)
    hidden = lab.views["conv"].hidden
    assert hidden.sum() == len(region.cells()) and hidden[region.r0:region.r1, region.c0:region.c1].all()


def test_a_readable_view_animates_the_cells_in_view_without_zooming(lab):
    lab.views["source"].view.setRange(QRectF(5, 6, 8, 8), padding=0)
    before = lab.views["conv"].view.viewRange()
    lab.animation_bar.step()
    region = lab.animation.region
    assert not region.zoomed and lab.views["conv"].view.viewRange() == before
    (x0, x1), (y0, y1) = before
    p = lab.views["conv"].placement
    for r, c in region.cells():  # every cell animated has its centre in view, and every such cell is animated
        assert y0 <= p.offset_y + (r + 0.5) * p.scale_y <= y1 and x0 <= p.offset_x + (c + 0.5) * p.scale_x <= x1
    assert (region.r0 - 1 + 0.5) * p.scale_y + p.offset_y < y0 and (region.r1 + 0.5) * p.scale_y + p.offset_y > y1
    assert lab.animation_bar.hint.text() == hint_for(region, zoomed=False)


def test_step_after_the_last_cell_starts_again_and_play_replays_the_region(lab):
    lab.animation_bar.step()
    cells = lab.animation.cells
    for _ in range(len(cells) - 1):
        lab.animation_bar.step()
    assert lab.animation.finished and not lab.views["conv"].hidden.any()
    lab.animation_bar.step()
    assert lab.animation.index == 1 and lab.views["conv"].hidden.sum() == len(cells) - 1
    assert lab.focus.pinned == ("conv", *cells[0]) and lab.animation.cells == cells
    for _ in range(len(cells) - 1):
        lab.animation_bar.step()
    lab.animation_bar.toggle_play()
    assert lab.animation.timer.isActive() and lab.animation.index == 0 and lab.animation.cells == cells
    lab.animation.stop()


def test_activated_and_pooled_panels_fill_in_step_with_the_convolution(qtbot, lab):
    choose(qtbot, lab, lab.controls.activation, "relu")
    choose(qtbot, lab, lab.controls.pool, "max")
    lab.animation_bar.step()
    for _ in range(2 * (lab.animation.region.c1 - lab.animation.region.c0) + 3):
        lab.animation_bar.step()
    conv_hidden = lab.views["conv"].hidden
    np.testing.assert_array_equal(lab.views["activation"].hidden, conv_hidden)
    pool = lab.views["pool"]
    stages = lab.result.stages
    expected = np.array([[conv_hidden[np.ix_(e.rows, e.cols)].any() for e in
                          (explain_pool(stages, r, c) for c in range(stages.pooled.shape[1]))]
                         for r in range(stages.pooled.shape[0])])
    np.testing.assert_array_equal(pool.hidden, expected)
    assert expected.any() and not expected.all()
    shown = pool.image.image  # what the pooled panel draws: blank where not reached yet
    base = pool.palette().base().color()
    assert (shown[expected] == (base.red(), base.green(), base.blue())).all()
    np.testing.assert_array_equal(shown[~expected], pool.picture.rgb[~expected])
    lab.animation.stop()
    for name in ("conv", "activation", "pool"):
        assert lab.views[name].hidden is None
        np.testing.assert_array_equal(lab.views[name].image.image, lab.views[name].picture.rgb)


def test_the_pooled_mask_follows_a_new_pooling_during_the_animation(qtbot, lab):
    choose(qtbot, lab, lab.controls.pool, "max")
    lab.animation_bar.step()
    wait_result(qtbot, lab, lambda: lab.controls.pool_size.setValue(3))
    assert lab.animation.active
    assert lab.views["pool"].hidden.shape == lab.result.stages.pooled.shape


def test_the_speed_is_remembered(qtbot, lab, store, library):
    assert lab.animation_bar.speed.value() == DEFAULT_SPEED
    lab.animation_bar.speed.setValue(23)
    assert int(store.value(SPEED_KEY)) == 23
    assert lab.animation.timer.interval() == 1000 // 23
    from convdemo.gui.main_window import MainWindow

    again = MainWindow(library=library, settings=QSettings(store.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.animation_bar.speed.value() == 23 and again.animation_bar.speed_label.text() == "23 cells/s"
