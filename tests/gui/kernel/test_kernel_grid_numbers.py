"""How the kernel grid writes and reads numbers: leading zeros kept, decimal commas accepted."""

import numpy as np
import pytest
from PyQt6.QtGui import QFontMetrics

from convdemo.core.errors import ParameterError
from convdemo.gui.app import make_app
from convdemo.gui.kernel.grid import _TEXT_MARGIN, SMALLEST_POINT_SIZE, KernelGrid, parse_cell


@pytest.mark.parametrize("text, value", [("0,5", 0.5), ("−0,25", -0.25), ("-1,5", -1.5), (",5", 0.5),
                                         ("1,5/3", 0.5), ("0.5", 0.5)])
def test_a_decimal_comma_is_one_number_in_a_cell(text, value):
    assert parse_cell(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1,2,3", "1, 5", "1,,5"])
def test_commas_that_cannot_be_a_decimal_are_still_refused(text):
    with pytest.raises(ParameterError, match="is not a number"):
        parse_cell(text)


@pytest.mark.parametrize("size", [3, 5, 9])
def test_small_weights_keep_their_leading_zero_and_fit_their_cell(qtbot, size):
    make_app()
    grid = KernelGrid()
    qtbot.addWidget(grid)
    weights = np.full((size, size), 0.25)
    weights[0, 0], weights[0, 1], weights[-1, -1] = -0.002, 1 / 256, -1260.5
    grid.show_plane(weights, 1260.5)
    texts = {(r, c): grid.cell(r, c).text() for r, c in ((0, 0), (0, 1), (size - 1, size - 1))}
    assert texts[0, 0] == "\u22120.002" and texts[0, 1].startswith("0.00") and texts[size - 1, size - 1] == "\u22121260"
    for (r, c), text in texts.items():
        cell = grid.cell(r, c)
        assert QFontMetrics(cell.font()).horizontalAdvance(text) <= cell.width() - 2 * _TEXT_MARGIN
        assert cell.font().pointSizeF() >= SMALLEST_POINT_SIZE
    assert grid.cell(1, 1).text() == "0.25" and grid.cell(1, 1).font() == grid.cell(1, 1).base_font
