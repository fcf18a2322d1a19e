"""GUI fixtures: a main window with its QSettings in a temporary file."""

import pytest
from PyQt6.QtCore import QSettings

from convdemo.core.presets import PresetLibrary
from convdemo.gui.app import make_app


@pytest.fixture
def store(tmp_path):
    """QSettings in a temporary ini file, so the developer's own settings never leak in."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def library(tmp_path):
    return PresetLibrary(user_dir=tmp_path / "presets")


@pytest.fixture
def fresh(qtbot, store, library):
    """A shown main window with no image opened yet (as between start and the first image)."""
    make_app()
    from convdemo.gui.main_window import MainWindow

    win = MainWindow(library=library, settings=store)
    qtbot.addWidget(win)
    win.restore_session()
    win.show()
    yield win
    win.runner.wait()


@pytest.fixture
def window(qtbot, fresh):
    """A shown main window on the default sample, first result already on screen."""
    with qtbot.waitSignal(fresh.result_shown, timeout=10000):
        fresh.open_initial(None)
    yield fresh
    fresh.loader.wait()
