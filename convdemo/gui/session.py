"""What the window remembers between runs, under versioned QSettings keys.

Every stored value is read on its own: one of the wrong type or that cannot be
parsed (an older version, a hand-edited or damaged file) is removed from the
store, the default is used instead and its label is listed in
:attr:`SessionData.reset`, so the window can say what it reset. Loading never
raises, and the window geometry is only used when it is readable, of a usable
size and on a screen (:func:`restore_layout`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QByteArray, QSettings, QSize, Qt
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QMainWindow, QStyle

from convdemo.core.images import DEFAULT_MAX_SIZE, parse_max_size
from convdemo.core.kernels import Kernel
from convdemo.core.modes import DISPLAY_MODES
from convdemo.core.params import Settings
from convdemo.gui.lab.photos import RECENT_KEY, stored_paths

PREFIX = "v1/"
LABELS = {
    "settings": "convolution settings",
    "kernel": "kernel",
    "preset": "kernel preset name",
    "display_mode": "colours",
    "heat_map": "heat map choice",
    "max_size": "working size",
    "image": "last image",
    "geometry": "window geometry",
    "window_state": "toolbar and panel layout",
    RECENT_KEY.removeprefix(PREFIX): "recent files list",
}
"""Each stored key (after :data:`PREFIX`) and how the reset note names it."""
SETTINGS_FILE_LABEL = "the settings file"
MAX_STORED_CELLS = 64
"""Largest stored stride, padding, dilation or pool size accepted: more than any control
offers, and a padding of millions of cells would fill the memory."""
_KERNEL_FIELDS = frozenset({"weights", "name", "description", "divisor", "bias"})
MIN_WINDOW_SIZE = (640, 480)
"""A restored window smaller than this (width, height) is treated as unreadable geometry."""


@dataclass
class SessionData:
    """The remembered state; ``None`` means "not stored" (use the default).

    ``reset`` lists the labels (:data:`LABELS`) of the values that could not be read.
    """

    settings: Settings | None = None
    kernel: Kernel | None = None
    preset: str | None = None
    display_mode: str = "auto"
    heat_map: bool = True
    max_size: int | None = DEFAULT_MAX_SIZE
    image: str | None = None
    geometry: QByteArray | None = None
    window_state: QByteArray | None = None
    reset: list[str] = field(default_factory=list)


# -- parsing one stored value --------------------------------------------------------
# Each parser takes the raw value QSettings gives (text from an ini file, or any type a
# damaged file holds) and returns the value, or raises.


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"expected text, not {type(raw).__name__}")
    return raw


def _json_object(raw: Any) -> dict:
    doc = json.loads(_text(raw))
    if not isinstance(doc, dict):
        raise TypeError(f"expected a JSON object, not {type(doc).__name__}")
    return doc


def _settings(raw: Any) -> Settings:
    settings = Settings(**_json_object(raw))
    padding = () if isinstance(settings.padding, str) else settings.padding
    cells = [*settings.stride, *padding, *settings.dilation, *settings.pool_size, *(settings.pool_stride or ())]
    if max(cells) > MAX_STORED_CELLS:
        raise ValueError(f"{max(cells)} cells is more than the window offers")
    return settings


def _kernel(raw: Any) -> Kernel:
    doc = _json_object(raw)
    if not doc.keys() <= _KERNEL_FIELDS:
        raise ValueError(f"unknown kernel fields {sorted(doc.keys() - _KERNEL_FIELDS)}")
    return Kernel(np.array(doc.pop("weights"), dtype=float), **doc)


def _display_mode(raw: Any) -> str:
    if _text(raw) not in DISPLAY_MODES:
        raise ValueError(f"unknown display mode {raw!r}")
    return raw


def _flag(raw: Any) -> bool:
    if raw not in ("true", "false", True, False):
        raise ValueError(f"expected true or false, not {raw!r:.40}")
    return raw in ("true", True)


def _max_size(raw: Any) -> int | None:
    return parse_max_size(_text(raw))


def _existing_image(raw: Any) -> str | None:
    path = _text(raw)
    return path if Path(path).is_file() else None


def _byte_array(raw: Any) -> QByteArray:
    if not isinstance(raw, QByteArray):
        raise TypeError(f"expected bytes, not {type(raw).__name__}")
    return raw


class _Reader:
    """Reads stored values one by one, removing and noting each one that cannot be used."""

    def __init__(self, store: QSettings):
        self.store = store
        self.reset: list[str] = []
        if store.status() == QSettings.Status.FormatError:
            self.reset.append(SETTINGS_FILE_LABEL)

    def get(self, key: str, parse: Callable[[Any], Any], default: Any = None) -> Any:
        """``parse`` of the value stored under ``key``; ``default`` if absent, empty or unusable."""
        full = PREFIX + key
        if not self.store.contains(full):
            return default
        try:
            raw = self.store.value(full)
            return default if raw == "" else parse(raw)  # "" is how None is saved; None here is junk
        except Exception:  # noqa: BLE001 - whatever a damaged file holds, the window must start
            self.store.remove(full)
            self.reset.append(LABELS[key])
            return default


def load_session(store: QSettings) -> SessionData:
    """Read every remembered value, each falling back to its default on its own (never raises)."""
    read = _Reader(store)
    data = SessionData(
        settings=read.get("settings", _settings),
        kernel=read.get("kernel", _kernel),
        preset=read.get("preset", _text),
        display_mode=read.get("display_mode", _display_mode, "auto"),
        heat_map=read.get("heat_map", _flag, True),
        max_size=read.get("max_size", _max_size, DEFAULT_MAX_SIZE),
        image=read.get("image", _existing_image),
        geometry=read.get("geometry", _byte_array),
        window_state=read.get("window_state", _byte_array),
    )
    read.get(RECENT_KEY.removeprefix(PREFIX), stored_paths)  # read by the recent-files menu; checked here
    data.reset = read.reset
    return data


def save_session(store: QSettings, data: SessionData) -> None:
    """Write every value of ``data`` (``None`` values are stored as empty)."""
    k = data.kernel
    values = {
        "settings": json.dumps(dataclasses.asdict(data.settings)) if data.settings else "",
        "kernel": json.dumps({"weights": k.weights.tolist(), "name": k.name, "description": k.description,
                              "divisor": k.divisor, "bias": k.bias}) if k else "",
        "preset": data.preset or "",
        "display_mode": data.display_mode,
        "heat_map": "true" if data.heat_map else "false",
        "max_size": "full" if data.max_size is None else str(data.max_size),
        "image": data.image or "",
        "geometry": data.geometry,
        "window_state": data.window_state,
    }
    for key, value in values.items():
        store.setValue(PREFIX + key, value)
    store.sync()


def reset_note(labels: list[str]) -> str:
    """The status-bar sentence for values that were reset.

    >>> reset_note(["window geometry", "kernel"])
    'Some saved settings could not be read and were reset: window geometry, kernel.'
    """
    return f"Some saved settings could not be read and were reset: {', '.join(labels)}."


# -- the window's place on screen -------------------------------------------------------


def restore_layout(window: QMainWindow, data: SessionData, default_size: tuple[int, int]) -> list[str]:
    """Restore the window's geometry and its toolbar and dock layout from ``data``.

    A geometry Qt cannot read, or that gives a window smaller than
    :data:`MIN_WINDOW_SIZE`, is replaced by ``default_size`` centred on the primary
    screen, and so is one that lies on no available screen (a monitor since unplugged).

    Returns
    -------
    list of str
        The labels of what could not be restored.
    """
    reset = []
    if data.geometry is not None:
        if not _restore_geometry(window, data.geometry):
            reset.append(LABELS["geometry"])
            centre_on_primary_screen(window, default_size)
        elif not _on_a_screen(window):
            centre_on_primary_screen(window, default_size)
    if data.window_state is not None and not window.restoreState(data.window_state):
        reset.append(LABELS["window_state"])
    return reset


def _restore_geometry(window: QMainWindow, geometry: QByteArray) -> bool:
    """Restore ``geometry``; False if Qt cannot read it or the window would be too small to use."""
    if not window.restoreGeometry(geometry):
        return False
    size = window.frameGeometry().size()
    return size.width() >= MIN_WINDOW_SIZE[0] and size.height() >= MIN_WINDOW_SIZE[1]


def _on_a_screen(window: QMainWindow) -> bool:
    frame = window.frameGeometry()
    return any(screen.availableGeometry().intersects(frame) for screen in QGuiApplication.screens())


def centre_on_primary_screen(window: QMainWindow, size: tuple[int, int]) -> None:
    """Give ``window`` the ``size`` (at most the screen's free area), centred on the primary screen."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(*size)
        return
    area = screen.availableGeometry()
    fitted = QSize(min(size[0], area.width()), min(size[1], area.height()))
    window.setGeometry(QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter,
                                          fitted, area))
