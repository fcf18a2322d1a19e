"""Opening images that cannot be opened, or never finish opening: the window says why and stays free.

Loads that block are made two ways, so the window's robustness does not rest on the
core's own refusal of pipes: a real named pipe (FIFO) read with a plain ``open()``,
which waits for a writer that never comes, and ``read_image`` held on a gate,
standing for a stalled network share.
"""

import contextlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
from PyQt6.QtGui import QDropEvent

from convdemo.core.samples import DEFAULT_SAMPLE
from convdemo.gui.lab import photos
from convdemo.gui.lab.photos import path_problem, remember_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

SHOWN_WITHIN_MS = 5000


def png(path: Path, shape=(20, 30)) -> Path:
    Image.fromarray(np.random.default_rng(0).integers(0, 255, shape, dtype=np.uint8)).save(path)
    return path


def release_reader(fifo: Path) -> None:
    """Open the pipe's writing end and close it, so a reader blocked on it reads an empty file and ends."""
    with contextlib.suppress(OSError):  # ENXIO: nobody is reading it, so nothing is blocked
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.png"
    os.mkfifo(path)
    yield path
    release_reader(path)


@pytest.fixture
def blocking_pipes(monkeypatch, fifo):
    """The loader reads ``fifo`` with a plain ``open()``: it blocks until someone writes to it."""
    read = photos.read_image

    def read_image(source, max_size):
        if source == str(fifo):
            with open(source, "rb") as f:
                return read(f.read(), max_size=max_size)
        return read(source, max_size=max_size)

    monkeypatch.setattr(photos, "read_image", read_image)
    return fifo


class Gates:
    """``read_image`` that waits, for files named in :attr:`closed`, until :meth:`open` is called."""

    def __init__(self):
        self.closed: dict[str, threading.Event] = {}
        self._read = photos.read_image

    def close(self, name: str) -> None:
        self.closed[name] = threading.Event()

    def open(self, name: str) -> None:
        self.closed[name].set()

    def read_image(self, source, max_size):
        gate = self.closed.get(Path(source).name) if isinstance(source, str) else None
        if gate is not None:
            gate.wait(60)
        return self._read(source, max_size=max_size)


@pytest.fixture
def gates(monkeypatch):
    gates = Gates()
    monkeypatch.setattr(photos, "read_image", gates.read_image)
    yield gates
    for gate in gates.closed.values():
        gate.set()


def wait_image(qtbot, window, name: str, action) -> None:
    """Run ``action``; the image called ``name`` must be the window's image within SHOWN_WITHIN_MS."""
    with qtbot.waitSignal(window.result_shown, timeout=SHOWN_WITHIN_MS,
                          check_params_cb=lambda result: window.state.image.name == name):
        action()


# -- refused at once, before any thread ----------------------------------------------


def test_path_problem_names_what_the_path_is(tmp_path, fifo):
    (tmp_path / "empty.png").write_bytes(b"")
    assert path_problem(tmp_path / "no.png") == f"Cannot open {str(tmp_path / 'no.png')!r}: the file does not exist."
    assert "it is a folder, not an image file" in path_problem(tmp_path)
    assert "it is a named pipe (FIFO), not an image file" in path_problem(fifo)
    assert "the file is empty" in path_problem(tmp_path / "empty.png")
    assert "does not exist" in path_problem(tmp_path / "empty.png" / "below")
    assert path_problem("nul\0in the name") is not None
    assert path_problem(png(tmp_path / "good.png")) is None


def test_a_pipe_is_refused_at_once_and_the_next_image_opens(qtbot, window, fifo, tmp_path):
    before = window.state.image
    window.open_path(str(fifo))
    assert "named pipe" in window.message.text() and "The current image is kept." in window.message.text()
    assert window.state.image is before
    wait_image(qtbot, window, "good.png", lambda: window.open_path(str(png(tmp_path / "good.png"))))
    assert not window.message.isVisible()


# -- loads that block ------------------------------------------------------------------


def test_a_blocking_pipe_does_not_stop_the_next_load(qtbot, window, blocking_pipes, tmp_path):
    fifo, good = blocking_pipes, png(tmp_path / "good.png")
    window.loader.load(str(fifo), window.max_size)  # past the window's own check, as a stalled share would be
    start = time.monotonic()
    wait_image(qtbot, window, "good.png", lambda: window.open_path(str(good)))
    assert time.monotonic() - start < SHOWN_WITHIN_MS / 1000
    release_reader(fifo)  # the pipe's late answer (an empty file) must change nothing
    qtbot.wait(300)
    assert window.state.image.name == "good.png" and not window.message.isVisible()


def test_a_load_that_takes_too_long_is_abandoned(qtbot, window, gates, tmp_path):
    slow, good = png(tmp_path / "slow.png"), png(tmp_path / "good.png")
    gates.close("slow.png")
    window.loader.timeout_ms = 300
    before = window.state.image
    with qtbot.waitSignal(window.loader.failed, timeout=SHOWN_WITHIN_MS):
        window.open_path(str(slow))
    assert window.message.text() == (f"Opening {str(slow)!r} is taking too long; it was abandoned. "
                                     "The current image is kept.")
    assert window.state.image is before
    gates.open("slow.png")  # its result arrives after all: dropped
    window.loader.wait()
    qtbot.wait(100)
    assert window.state.image is before
    wait_image(qtbot, window, "good.png", lambda: window.open_path(str(good)))


def test_only_the_newest_load_is_applied(qtbot, window, gates, tmp_path):
    first, second = png(tmp_path / "first.png", (10, 10)), png(tmp_path / "second.png", (12, 14))
    gates.close("first.png")
    gates.close("second.png")
    loaded = []
    window.loader.loaded.connect(lambda image, _source: loaded.append(image.name))
    window.open_path(str(first))
    window.open_path(str(second))
    wait_image(qtbot, window, "second.png", lambda: gates.open("second.png"))
    gates.open("first.png")
    qtbot.wait(300)
    assert loaded == ["second.png"] and window.state.image.name == "second.png"


def test_closing_the_window_does_not_wait_for_a_stuck_load(qtbot, window, gates, tmp_path):
    gates.close("stuck.png")
    window.open_path(str(png(tmp_path / "stuck.png")))
    start = time.monotonic()
    window.close()
    assert time.monotonic() - start < 2


def test_the_application_quits_while_a_load_is_stuck(tmp_path, fifo):
    script = textwrap.dedent(f"""
        from PyQt6.QtCore import QSettings, QTimer
        from convdemo.gui.app import make_app
        from convdemo.gui.lab import photos
        from convdemo.gui.main_window import MainWindow

        photos.read_image = lambda source, max_size: open(source, "rb")  # blocks: the pipe has no writer
        app = make_app()
        window = MainWindow(settings=QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat))
        window.show()
        window.loader.load({str(fifo)!r}, None)
        QTimer.singleShot(500, window.close)
        app.exec()
        print("quit")
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "quit", done.stderr


# -- the first image: the sample instead, and why ---------------------------------------


@pytest.mark.parametrize("kind", ["missing", "folder", "pipe", "broken"])
def test_an_unusable_first_image_shows_the_sample_and_says_why(qtbot, fresh, tmp_path, kind):
    path = {"missing": tmp_path / "no" / "such.png", "folder": tmp_path, "pipe": tmp_path / "pipe.png",
            "broken": tmp_path / "broken.png"}[kind]
    if kind == "pipe":
        os.mkfifo(path)
    if kind == "broken":
        path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    failures = []
    fresh.open_failed.connect(failures.append)
    wait_image(qtbot, fresh, f"{DEFAULT_SAMPLE}.png", lambda: fresh.open_initial(str(path)))
    text = fresh.message.text()
    assert fresh.message.isVisible() and text.endswith(" Showing the built-in sample instead.")
    assert (str(path) if kind != "broken" else path.name) in text
    assert failures == [text.removesuffix(" Showing the built-in sample instead.")]


def test_a_broken_last_image_falls_back_to_the_sample(qtbot, fresh, tmp_path):
    broken = tmp_path / "last.png"
    broken.write_bytes(b"GIF89a broken")
    fresh._last_image = str(broken)
    wait_image(qtbot, fresh, f"{DEFAULT_SAMPLE}.png", lambda: fresh.open_initial(None))
    assert "last.png" in fresh.message.text() and "built-in sample instead" in fresh.message.text()


# -- paths that have gone away: drop, recent files --------------------------------------


def test_dropping_a_path_that_no_longer_exists_keeps_the_image(window, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "gone.png"))])
    before = window.state.image
    window.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    assert window.message.text() == (f"Cannot open {str(tmp_path / 'gone.png')!r}: the file does not exist. "
                                     "The current image is kept.")
    assert window.state.image is before


def test_a_recent_file_deleted_since_keeps_the_image(window, store, tmp_path):
    path = png(tmp_path / "recent.png")
    remember_file(store, str(path))
    window._refresh_recent_menu()
    action = next(a for a in window.recent_menu.actions() if a.toolTip() == str(path))
    path.unlink()
    before = window.state.image
    action.trigger()
    assert "recent.png" in window.message.text() and "does not exist" in window.message.text()
    assert window.state.image is before


# -- the screenshot command --------------------------------------------------------------


def run_screenshot(tmp_path, image) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "convdemo", "--screenshot", str(tmp_path / "out.png"), str(image)],
                          env=env, capture_output=True, text=True, timeout=30)


def test_screenshot_of_a_pipe_exits_with_one_error_line(tmp_path, fifo):
    done = run_screenshot(tmp_path, fifo)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"convdemo: error: Cannot open {str(fifo)!r}: it is a named pipe (FIFO), "
                                        "not an image file."]
    assert not (tmp_path / "out.png").exists()


def test_screenshot_of_a_broken_file_exits_with_one_error_line(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    done = run_screenshot(tmp_path, broken)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("convdemo: error: ") and "broken.png" in lines[0], done.stderr
    assert not (tmp_path / "out.png").exists()
