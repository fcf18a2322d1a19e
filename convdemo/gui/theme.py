"""The colour theme: light, dark, or the style's own ("system"), remembered across runs.

A theme is a :class:`~PyQt6.QtGui.QPalette` set on the application; every
widget follows it (the stage views repaint their background on the change).
"""

from __future__ import annotations

from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication

THEME_KEY = "v1/theme"
THEMES = {"system": "&System", "light": "&Light", "dark": "&Dark"}
"""Each theme's name and its View → Theme menu text."""
DEFAULT_THEME = "system"

_Role = QPalette.ColorRole
_COLOURS = {
    "light": {_Role.Window: "#efefef", _Role.WindowText: "#1e1e1e", _Role.Base: "#ffffff",
              _Role.AlternateBase: "#f5f5f5", _Role.Text: "#1e1e1e", _Role.Button: "#efefef",
              _Role.ButtonText: "#1e1e1e", _Role.ToolTipBase: "#ffffdc", _Role.ToolTipText: "#1e1e1e",
              _Role.PlaceholderText: "#7f7f7f", _Role.Highlight: "#308cc6", _Role.HighlightedText: "#ffffff",
              _Role.Link: "#0b62b0", _Role.BrightText: "#ff0000"},
    "dark": {_Role.Window: "#2b2b2b", _Role.WindowText: "#e6e6e6", _Role.Base: "#1e1e1e",
             _Role.AlternateBase: "#333333", _Role.Text: "#e6e6e6", _Role.Button: "#353535",
             _Role.ButtonText: "#e6e6e6", _Role.ToolTipBase: "#404040", _Role.ToolTipText: "#e6e6e6",
             _Role.PlaceholderText: "#8c8c8c", _Role.Highlight: "#2a82da", _Role.HighlightedText: "#ffffff",
             _Role.Link: "#6cb4ff", _Role.BrightText: "#ff6b6b"},
}
"""The colours of the light and dark palettes (the system theme uses the style's standard palette)."""
_DISABLED = {"light": "#9a9a9a", "dark": "#7a7a7a"}
"""Text colour of disabled widgets in each palette."""


def theme_palette(name: str) -> QPalette:
    """The palette of theme ``name`` (one of :data:`THEMES`) for the application's style."""
    if name not in _COLOURS:
        return QApplication.style().standardPalette()
    palette = QPalette()
    for role, colour in _COLOURS[name].items():
        palette.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED[name]))
    return palette


def stored_theme(store: QSettings) -> str:
    """The theme remembered in ``store``; :data:`DEFAULT_THEME` when none or an unknown one is (it is removed)."""
    name = store.value(THEME_KEY, DEFAULT_THEME)
    if name in THEMES:
        return name
    store.remove(THEME_KEY)
    return DEFAULT_THEME


def apply_theme(name: str) -> None:
    """Give the application the palette of theme ``name``."""
    QApplication.instance().setPalette(theme_palette(name))


def choose_theme(store: QSettings, name: str) -> None:
    """Apply theme ``name`` and remember it in ``store``."""
    apply_theme(name)
    store.setValue(THEME_KEY, name)
