"""What the window remembers between runs, under versioned QSettings keys.

Malformed stored values (an older version, a hand-edited file) fall back to
the defaults one by one; loading never raises.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QByteArray, QSettings

from convdemo.core.errors import ConvdemoError
from convdemo.core.images import DEFAULT_MAX_SIZE
from convdemo.core.kernels import Kernel
from convdemo.core.modes import DISPLAY_MODES
from convdemo.core.params import Settings

PREFIX = "v1/"


@dataclass
class SessionData:
    """The remembered state; ``None`` means "not stored" (use the default)."""

    settings: Settings | None = None
    kernel: Kernel | None = None
    preset: str | None = None
    display_mode: str = "auto"
    heat_map: bool = True
    max_size: int | None = DEFAULT_MAX_SIZE
    image: str | None = None
    geometry: QByteArray | None = None
    window_state: QByteArray | None = None


def _parse(store: QSettings, key: str, parse):
    raw = store.value(PREFIX + key)
    if raw in (None, ""):
        return None
    try:
        return parse(raw)
    except (ConvdemoError, ValueError, TypeError, KeyError):
        return None


def _kernel_from_json(text: str) -> Kernel:
    doc = json.loads(text)
    return Kernel(np.array(doc.pop("weights"), dtype=float), **doc)


def _max_size(raw: str) -> int | None:
    return None if raw == "full" else int(raw)


def load_session(store: QSettings) -> SessionData:
    """Read every remembered value, each falling back to its default on its own."""
    image = _parse(store, "image", str)
    mode = store.value(PREFIX + "display_mode", "auto")
    max_size = _parse(store, "max_size", _max_size) if store.contains(PREFIX + "max_size") else DEFAULT_MAX_SIZE
    return SessionData(
        settings=_parse(store, "settings", lambda t: Settings(**json.loads(t))),
        kernel=_parse(store, "kernel", _kernel_from_json),
        preset=_parse(store, "preset", str),
        display_mode=mode if mode in DISPLAY_MODES else "auto",
        heat_map=store.value(PREFIX + "heat_map", "true") in ("true", True),
        max_size=max_size,
        image=image if image and Path(image).is_file() else None,
        geometry=store.value(PREFIX + "geometry"),
        window_state=store.value(PREFIX + "window_state"),
    )


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
