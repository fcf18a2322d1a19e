"""The controls and the inspector are built from the registries: every mode appears and is explained."""

import numpy as np
import pytest

from convdemo.core.modes import ACTIVATIONS, BORDERS, CHANNEL_MODES, DISPLAY_MODES, POOLS
from convdemo.gui.widgets import format_value


def _items(combo):
    return [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]


def test_every_registry_entry_is_offered_with_its_label(window):
    c = window.controls
    for combo, registry in ((c.border, BORDERS), (c.activation, ACTIVATIONS), (c.pool, POOLS),
                            (c.channels, CHANNEL_MODES), (c.display, DISPLAY_MODES)):
        assert _items(combo) == [(name, entry.label) for name, entry in registry.items()]


def test_border_tooltips_show_their_diagram(window):
    c = window.controls
    tip = c.border.itemData(c.border.findData("mirror"), 3)  # Qt.ItemDataRole.ToolTipRole
    assert tip.endswith("c b | a b c d | c b") and "PyTorch's 'reflect'" in tip


@pytest.mark.parametrize("kind", [a for a in ACTIVATIONS if a != "none"])
def test_inspector_writes_every_activation_with_its_formula(qtbot, window, kind):
    c = window.controls
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        c.activation.setCurrentIndex(c.activation.findData(kind))
    window.focus.pin("conv", 5, 6)
    activated = window.views["activation"].array[5, 6]
    html = window.inspector.current_html
    assert f"{kind}: {ACTIVATIONS[kind].formula} → <b>{format_value(float(activated))}</b>" in html


def test_mirror_border_from_the_window_matches_the_engine(qtbot, window):
    c = window.controls
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        c.padding.setCurrentIndex(c.padding.findData("same"))
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        c.border.setCurrentIndex(c.border.findData("mirror"))
    assert window.state.settings.border == "mirror"
    image = window.state.image.pixels
    padded = np.pad(image, 1, mode="reflect")  # numpy's 'reflect' is our 'mirror'
    k = window.state.kernel.weights
    expected = sum(padded[u:u + image.shape[0], v:v + image.shape[1]] * k[u, v] for u in range(3) for v in range(3))
    np.testing.assert_allclose(window.views["conv"].array, expected, rtol=1e-5, atol=1e-3)
