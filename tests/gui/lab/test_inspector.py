"""The pixel inspector's numbers can be checked by hand: what it shows adds up, and the result is in view."""

import re

import numpy as np
import pytest
from PIL import Image

import convdemo
from convdemo.core.explain import explain_pool
from convdemo.gui.lab.inspector import fixed_text

GAUSSIAN = convdemo.Kernel.from_array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], divisor=16)
UNSHARP = convdemo.Kernel.from_array([[-1, -4, -6], [-4, 476, -4], [-6, -4, -1]], divisor=256)
"""Large weights: the float32 luma times 476 is off in the third decimal, the inspector's numbers are not."""
CELL = re.compile(r'<td style="([^"]*)"(?: title="padding cell")?>([^<]*)</td>')
WINNER_STYLE = "border:2px solid #e0a000"


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        action()


def open_photo(qtbot, window, tmp_path, max_size=None):
    """A 600×800 photo-like RGB image (gradients and noise): its luma has three decimals."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:600, 0:800]
    rgb = np.stack([x * 255 / 800, y * 255 / 600, (x + y) * 0.09 + 60], axis=-1) + rng.normal(0, 20, (600, 800, 3))
    path = tmp_path / "photo.png"
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    window.max_size = max_size or window.max_size
    wait_result(qtbot, window, lambda: window.open_path(str(path)))


def choose(qtbot, window, combo, value):
    wait_result(qtbot, window, lambda: combo.setCurrentIndex(combo.findData(value)))


def number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def decimals(text: str) -> int:
    return len(text.partition(".")[2])


def grids(html: str) -> list[list[tuple[str, str]]]:
    """Every small table of the explanation, in order: (style, text) per cell."""
    return [CELL.findall(part.split("</table>")[0]) for part in html.split('<table cellspacing="1"')[1:]]


def equation(html: str, plane: int = 0) -> tuple[list[str], list[str], list[str], str]:
    """Texts of a plane's input window, kernel and products, and the Σ shown for it."""
    window, kernel, products = ([text for _, text in grid] for grid in grids(html)[3 * plane:3 * plane + 3])
    return window, kernel, products, re.findall(r"Σ = <b>([^<]+)</b>", html)[plane]


@pytest.mark.parametrize("kernel", [GAUSSIAN, UNSHARP])
@pytest.mark.parametrize("pixel", [(0, 0), (123, 456), (300, 400), (597, 797)])
def test_a_photos_luma_is_shown_exactly_so_every_product_and_sum_checks_by_hand(qtbot, window, tmp_path, pixel,
                                                                                 kernel):
    open_photo(qtbot, window, tmp_path)
    wait_result(qtbot, window, lambda: window.state.set_kernel(kernel))
    window.focus.pin("conv", *pixel)
    html = window.inspector.current_html
    window_text, kernel_text, products_text, total_text = equation(html)
    assert max(decimals(t) for t in window_text) == 3  # the luma 0.299 R + 0.587 G + 0.114 B, not rounded
    shown = np.array([number(t) for t in window_text])
    np.testing.assert_allclose(shown, window.result.stages.source[pixel[0]:pixel[0] + 3, pixel[1]:pixel[1] + 3]
                               .ravel(), atol=5e-4)
    products = np.array([number(t) for t in products_text])
    np.testing.assert_allclose(products, shown * np.array([number(t) for t in kernel_text]), rtol=0, atol=1e-9)
    assert products.sum() == pytest.approx(number(total_text), abs=1e-9)
    divisor = int(kernel.divisor)
    divided = fixed_text(number(total_text) / divisor, 3)  # the result with the table's three decimals
    assert f"output = {total_text} ÷ {divisor} = <b>{divided}</b>" in html
    assert number(divided) == pytest.approx(window.views["conv"].array[pixel], abs=6e-4)
    assert "rounded" not in html


@pytest.mark.parametrize("pixel", [(10, 20), (100, 150), (140, 250), (200, 30)])
def test_a_resized_photo_is_rounded_to_two_decimals_and_the_products_add_up_to_the_last_digit(
        qtbot, window, tmp_path, pixel):
    open_photo(qtbot, window, tmp_path, max_size=300)  # resampled: values with many decimals
    window.focus.pin("conv", *pixel)  # edge-above: the centre minus the one above
    _, _, products_text, total_text = equation(window.inspector.current_html)
    assert max(decimals(t) for t in products_text + [total_text]) <= 2
    assert sum(number(t) for t in products_text) == pytest.approx(number(total_text), abs=0.01 + 1e-9)


def test_the_rounding_note_appears_exactly_when_the_rounded_products_do_not_add_up(qtbot, window, tmp_path):
    open_photo(qtbot, window, tmp_path, max_size=300)
    wait_result(qtbot, window, lambda: window.state.set_kernel(GAUSSIAN))
    seen = set()
    for pixel in [(r, c) for r in range(20, 40, 3) for c in range(20, 40, 3)]:
        window.focus.pin("conv", *pixel)
        html = window.inspector.current_html
        _, _, products_text, total_text = equation(html)
        adds_up = fixed_text(sum(number(t) for t in products_text), 2) == total_text
        assert ("rounded to 2 decimals" in html) == (not adds_up)
        seen.add(adds_up)
    assert seen == {True, False}


def test_average_pooling_shows_the_sum_and_the_division(qtbot, window):
    choose(qtbot, window, window.controls.activation, "relu")
    choose(qtbot, window, window.controls.pool, "avg")
    window.focus.pin("pool", 3, 4)
    html = window.inspector.current_html
    values = [number(text) for _, text in grids(html)[0]]
    total, mean = re.search(r"→ Σ = ([^ ]+) ÷ 4 = <b>([^<]+)</b>", html).groups()
    assert number(total) == sum(values)
    assert number(mean) == pytest.approx(sum(values) / 4) == pytest.approx(window.views["pool"].array[3, 4])
    assert f"pooled = <b>{mean}</b>" in html


def test_per_channel_max_pooling_shows_each_channels_window_and_winner(qtbot, window, tmp_path):
    open_photo(qtbot, window, tmp_path)
    choose(qtbot, window, window.controls.channels, "per-channel")
    choose(qtbot, window, window.controls.pool, "max")
    stages = window.result.stages
    pixel = next(p for p in np.ndindex(20, 20) if len({tuple(w) for w in explain_pool(stages, *p).winner}) == 3)
    window.focus.pin("pool", *pixel)
    html = window.inspector.current_html
    e = explain_pool(stages, *pixel)
    for plane, grid in enumerate(grids(html)[:3]):
        winners = [number(text) for style, text in grid if WINNER_STYLE in style]
        assert winners == [pytest.approx(e.result[plane], abs=1e-9)]
        wr, wc = e.winner[plane]
        assert f"at row {e.rows[wr]}, col {e.cols[wc]}" in html
    for name, (wr, wc) in zip("RGB", e.winner):
        assert f"Convolved pixel (row {e.rows[wr]}, col {e.cols[wc]})</b> (where {name} won)" in html
        assert f"{name}: output = <b>{fixed_text(e.result['RGB'.index(name)], 0)}</b>" in html


@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)])
def test_the_rgb_sum_result_is_visible_without_scrolling(qtbot, window, tmp_path, size):
    window.resize(*size)
    open_photo(qtbot, window, tmp_path)
    choose(qtbot, window, window.controls.channels, "rgb-sum")
    window.focus.pin("conv", 300, 400)
    html = window.inspector.current_html
    sums = [number(t) for t in re.findall(r"Σ = <b>([^<]+)</b>", html)]
    line = f"output = R {fixed_text(sums[0], 0)} + G {fixed_text(sums[1], 0)} + B {fixed_text(sums[2], 0)} = "
    assert line in html and html.index(line) < html.index("<table")
    qtbot.waitUntil(lambda: "output = R" in window.inspector.toPlainText())
    found = window.inspector.document().find("output = R")
    assert not found.isNull()
    assert 0 <= window.inspector.cursorRect(found).bottom() <= window.inspector.viewport().height()
