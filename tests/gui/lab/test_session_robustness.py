"""Damaged settings files: every value the window reads, replaced by junk of every type.

The window must start (shown, a usable size, on a screen, first result on screen),
use the default for each value it could not read, name those values in the status
bar, and remove them from the file so the next start is clean.
"""

import json
import os

import numpy as np
import pytest
from PyQt6.QtCore import QByteArray, QRect, QSettings
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QMainWindow

from convdemo.core.images import DEFAULT_MAX_SIZE
from convdemo.core.params import Settings
from convdemo.core.samples import DEFAULT_SAMPLE, sample_path
from convdemo.gui.app import make_app
from convdemo.gui.session import (
    LABELS,
    MIN_WINDOW_SIZE,
    PREFIX,
    SETTINGS_FILE_LABEL,
    load_session,
    reset_note,
    restore_layout,
)

KEYS = list(LABELS)
TEXT_KEYS = {"preset", "image", "recent_images"}
"""Keys whose value is any text (a preset name, a path): text junk is a valid, unknown, name."""
LIST_KEYS = {"recent_images"}

ANY_TYPE_JUNK = {
    "bytes": r"@ByteArray(\0\xff\xfe\x1 junk \x7f)",
    "point": "@Point(3 4)",
    "rect": "@Rect(1 2 3 4)",
    "size": "@Size(5 6)",
    "invalid": "@Invalid()",
    "unknown type": r"@Variant(\0\0\0\x7f\0\0\0\x5QFoo\0)",
    "bad variant": r"@Variant(\xff\xff\xff\xff)",
    "list of nothing": "@Invalid(), @Point(1 2)",
}
"""Ini values of a type no key holds (Qt's own notation for typed values, some of them broken)."""
LIST_JUNK = {"list": "a, b, c"}
TEXT_JUNK = {"text": "hello", "half json": '{"weights": [[1, 2', "escaped binary": r"\x1\x2\xff\xfe\0 junk",
             "raw bytes": "\xff\xfe\x01\x80zz\x7f"}

SEMANTIC_JUNK = [
    ("kernel", json.dumps([1, 2, 3])),
    ("kernel", json.dumps({"weights": "abc"})),
    ("kernel", json.dumps({"weights": [[1, 2], [3]]})),
    ("kernel", json.dumps({"weights": [[1e300 * 10]]})),
    ("kernel", json.dumps({"weights": np.ones((12, 12)).tolist()})),
    ("kernel", json.dumps({"weights": [[1]], "source": "/etc/passwd"})),
    ("kernel", "[" * 100000),
    ("settings", json.dumps({"stride": 10**12})),
    ("settings", json.dumps({"padding": 100000000})),
    ("settings", json.dumps({"stride": "fast"})),
    ("settings", json.dumps({"colour": "red"})),
    ("settings", json.dumps("valid")),
    ("display_mode", "purple"),
    ("heat_map", "maybe"),
    ("max_size", "3"),
    ("max_size", "-512"),
    ("max_size", "1e3"),
    ("max_size", "512px"),
]
"""Values of the right type that are still unusable."""


def _quote(value: str) -> str:
    """An ini value Qt reads back as the text itself (quoted, so commas stay inside)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def junk_cases():
    for key in KEYS:
        for name, raw in ANY_TYPE_JUNK.items():
            yield pytest.param(key, raw, True, id=f"{key}-{name}")
        for name, raw in LIST_JUNK.items():
            yield pytest.param(key, raw, key not in LIST_KEYS, id=f"{key}-{name}")
        for name, raw in TEXT_JUNK.items():
            yield pytest.param(key, _quote(raw), key not in TEXT_KEYS, id=f"{key}-{name}")
    for i, (key, raw) in enumerate(SEMANTIC_JUNK):
        yield pytest.param(key, _quote(raw), True, id=f"{key}-unusable-{i}")


def write_ini(tmp_path, lines: dict[str, str] | bytes) -> QSettings:
    """A settings file written by hand: ``{key: raw ini value}`` in the [v1] group, or raw bytes."""
    path = tmp_path / "damaged.ini"
    if isinstance(lines, bytes):
        path.write_bytes(lines)
    else:
        path.write_bytes(("[v1]\n" + "".join(f"{k}={v}\n" for k, v in lines.items())).encode("latin-1"))
    return QSettings(str(path), QSettings.Format.IniFormat)


def start_window(qtbot, library, store):
    """Start the window as the application does; it must show its first result."""
    make_app()
    from convdemo.gui.main_window import MainWindow

    window = MainWindow(library=library, settings=store)
    qtbot.addWidget(window)
    window.restore_session()
    note = window.statusBar().currentMessage()
    window.show()
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        window.open_initial(None)
    return window, note


def assert_usable(window):
    assert window.isVisible()
    geometry = window.frameGeometry()
    assert geometry.width() >= MIN_WINDOW_SIZE[0] and geometry.height() >= MIN_WINDOW_SIZE[1]
    assert any(s.availableGeometry().intersects(geometry) for s in QGuiApplication.screens())
    assert window.state.image is not None and window.result is not None


@pytest.mark.parametrize("key, raw, unreadable", list(junk_cases()))
def test_junk_in_one_value_is_reset_and_named(qtbot, tmp_path, library, key, raw, unreadable):
    store = write_ini(tmp_path, {key: raw})
    window, note = start_window(qtbot, library, store)
    assert_usable(window)
    assert note == (reset_note([LABELS[key]]) if unreadable else "")
    window.close()
    assert load_session(store).reset == []  # what the window saved reads back: the next start is clean


def test_junk_everywhere_at_once(qtbot, tmp_path, library):
    store = write_ini(tmp_path, {
        "geometry": "hello", "window_state": "@Point(1 2)", "kernel": "a, b", "settings": _quote("{"),
        "preset": "@Size(1 1)", "display_mode": "7", "heat_map": "@Rect(0 0 1 1)", "max_size": "abc",
        "image": r"@ByteArray(\xff)", "recent_images": "@Invalid()",
    })
    window, note = start_window(qtbot, library, store)
    assert_usable(window)
    assert note == reset_note(list(LABELS.values()))
    assert window.state.settings == Settings() and window.state.display_mode == "auto"
    assert window.state.heat_map and window.max_size == DEFAULT_MAX_SIZE
    np.testing.assert_array_equal(window.state.kernel.weights, library["edge-above"].weights)
    assert [a.toolTip() for a in window.recent_menu.actions()] == [str(sample_path(DEFAULT_SAMPLE))]
    window.close()
    assert load_session(store).reset == []


def test_a_file_of_binary_junk(qtbot, tmp_path, library):
    junk = np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    store = write_ini(tmp_path, b"[v1]\ngeometry=" + junk[:2000] + b"\n" + junk[2000:])
    window, _note = start_window(qtbot, library, store)
    assert_usable(window)


def test_a_file_qt_cannot_parse_is_named_and_rewritten(qtbot, tmp_path, library):
    store = write_ini(tmp_path, b"[v1\ngeometry=@Size(1 1)\n")  # the group's closing bracket is missing
    window, note = start_window(qtbot, library, store)
    assert_usable(window)
    assert note == reset_note([SETTINGS_FILE_LABEL, LABELS["geometry"]])
    window.close()
    assert load_session(QSettings(store.fileName(), QSettings.Format.IniFormat)).reset == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs a user whom chmod stops")
def test_a_file_that_cannot_be_read_or_written(qtbot, tmp_path, library):
    path = tmp_path / "locked.ini"
    path.write_bytes(b"[v1]\nkernel=1\n")
    path.chmod(0)
    window, _note = start_window(qtbot, library, QSettings(str(path), QSettings.Format.IniFormat))
    assert_usable(window)
    window.close()


def test_a_geometry_too_small_to_use_is_reset(qtbot, tmp_path, library):
    tiny = QMainWindow()
    tiny.resize(10, 10)
    store = write_ini(tmp_path, {})
    store.setValue(PREFIX + "geometry", tiny.saveGeometry())
    window, note = start_window(qtbot, library, store)
    assert_usable(window)
    assert note == reset_note(["window geometry"])


def test_a_geometry_off_every_screen_comes_back(qtbot, tmp_path, library):
    far = QMainWindow()
    far.setGeometry(QRect(60000, 60000, 1000, 700))
    store = write_ini(tmp_path, {})
    store.setValue(PREFIX + "geometry", far.saveGeometry())
    window, note = start_window(qtbot, library, store)
    assert_usable(window)
    assert note == ""  # readable, only moved back onto a screen


def test_the_geometry_the_window_saved_restores_without_a_note(qtbot, tmp_path, library):
    store = write_ini(tmp_path, {})
    first, _note = start_window(qtbot, library, store)
    first.close()
    again, note = start_window(qtbot, library, store)
    assert note == ""
    assert_usable(again)


def test_restore_layout_centres_the_default_size_when_geometry_is_unreadable(qtbot, tmp_path):
    make_app()
    window = QMainWindow()
    qtbot.addWidget(window)
    data = load_session(write_ini(tmp_path, {}))
    data.geometry, data.window_state = QByteArray(b"\x01\xd9\xd0\xcb junk"), QByteArray(b"junk")
    assert restore_layout(window, data, (700, 500)) == ["window geometry", "toolbar and panel layout"]
    area = QGuiApplication.primaryScreen().availableGeometry()
    assert window.size().width() == min(700, area.width()) and window.size().height() == min(500, area.height())
    assert abs(window.geometry().center().x() - area.center().x()) <= 1
