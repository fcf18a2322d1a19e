"""Starting points and files: the Open dialog's folder, the Samples menu, how sizes are written, the help dock."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtGui import QAction
from PyQt6.QtWidgets import QFileDialog, QToolButton

from convdemo.core.images import LoadedImage
from convdemo.core.samples import SAMPLES, sample_path
from convdemo.gui.help_panel import MIN_HELP_WIDTH, HelpPanel
from convdemo.gui.lab.photos import OPEN_FOLDER_KEY


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        action()


@pytest.fixture
def dialog(monkeypatch):
    """Replace the Open dialog: it records each start folder and answers the path in ``answer``."""
    calls = {"starts": [], "answer": ""}

    def fake_dialog(_parent, _caption, start, _filter):
        calls["starts"].append(start)
        return calls["answer"], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake_dialog)
    return calls


def write_photo(path: Path, rows: int, cols: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (rows, cols, 3), dtype=np.uint8)).save(path)
    return path


# -- the Open dialog's folder ------------------------------------------------------------


def test_open_dialog_starts_at_home_then_in_the_folder_of_the_last_file(qtbot, window, store, tmp_path, dialog):
    photo = write_photo(tmp_path / "class photos" / "leaf.png", 30, 20)
    dialog["answer"] = str(photo)
    wait_result(qtbot, window, window.open_dialog)
    assert window.state.image.name == "leaf.png"
    assert store.value(OPEN_FOLDER_KEY) == str(photo.parent)
    dialog["answer"] = ""  # cancelled
    window.open_dialog()
    assert dialog["starts"] == [str(Path.home()), str(photo.parent)]


def test_open_folder_survives_a_restart(qtbot, window, store, tmp_path, dialog):
    photo = write_photo(tmp_path / "photos" / "leaf.png", 30, 20)
    dialog["answer"] = str(photo)
    wait_result(qtbot, window, window.open_dialog)
    window.close()
    from convdemo.gui.main_window import MainWindow

    again = MainWindow(library=window.library, settings=QSettings(store.fileName(), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    dialog["answer"] = ""
    again.open_dialog()
    assert dialog["starts"][-1] == str(photo.parent)


@pytest.mark.parametrize("stored", ["/no/such/folder/anywhere", "", 42])
def test_a_missing_or_unreadable_folder_starts_at_home(window, store, dialog, stored):
    store.setValue(OPEN_FOLDER_KEY, stored)
    window.open_dialog()
    assert dialog["starts"] == [str(Path.home())]


def test_files_opened_otherwise_do_not_move_the_dialog(qtbot, window, store, tmp_path):
    wait_result(qtbot, window, lambda: window.open_path(str(write_photo(tmp_path / "dropped.png", 30, 20))))
    assert not store.contains(OPEN_FOLDER_KEY)


# -- the Samples menu ----------------------------------------------------------------------


def test_every_sample_has_a_thumbnail_title_and_what_it_teaches(window):
    actions = window.commands.samples_menu.actions()
    assert [a.text() for a in actions] == [s.title for s in SAMPLES]
    for action, sample in zip(actions, SAMPLES):
        assert not action.icon().isNull()
        assert action.statusTip() == sample.teaches and action.toolTip() == sample.teaches
    assert window.commands.samples_menu.toolTipsVisible()


def test_the_toolbar_samples_button_opens_the_same_menu(window):
    buttons = [b for b in window.findChildren(QToolButton) if b.text() == "Samples"]
    assert len(buttons) == 1 and buttons[0].menu() is window.commands.samples_menu


def test_tiny_samples_are_enlarged_with_crisp_pixels(window):
    digit = window.commands.samples_menu.actions()[0]
    pixmap = digit.icon().pixmap(48, 48)
    assert max(pixmap.width(), pixmap.height()) == 48
    shown = pixmap.toImage()
    greys_shown = {shown.pixelColor(x, y).red() for x in range(shown.width()) for y in range(shown.height())}
    greys_file = set(np.unique(np.asarray(Image.open(sample_path("digit3")).convert("L"))).tolist())
    assert greys_shown <= greys_file  # nearest-neighbour adds no in-between greys


def test_choosing_a_sample_opens_it(qtbot, window):
    wait_result(qtbot, window, window.commands.samples_menu.actions()[-1].trigger)
    assert window.state.image.name == "letter_f.png"


# -- sizes ---------------------------------------------------------------------------------


def test_a_photo_is_described_as_width_by_height_px_and_rows_by_cols(qtbot, window, tmp_path):
    photo = write_photo(tmp_path / "tall.png", 40, 60)  # 40 rows, 60 columns: 60 px wide
    wait_result(qtbot, window, lambda: window.open_path(str(photo)))
    for text in (window.views["source"].formula.text(), window.size_label.text()):
        assert "tall.png — 60×40 px (40×60 rows×cols)" in text
    assert window.views["source"].title.text().endswith("· 40×60")
    assert window.views["conv"].title.toolTip() == "38×58 (rows × cols), like numpy shapes"


def test_a_reduced_photo_says_both_sizes_once():
    photo = LoadedImage(np.zeros((768, 1024), dtype=np.float32), (3000, 4000), "photo.jpg")
    assert photo.describe() == "photo.jpg — 4000×3000 px (3000×4000 rows×cols), convolving 768×1024"


def test_a_square_image_needs_one_spelling(window):
    assert window.size_label.text() == "digit3.png — 28×28 px, full size"


def test_the_help_says_how_sizes_are_written(window):
    sentence = ("Sizes are written rows × columns, like numpy shapes: a photo 4000 px wide and 3000 px tall "
                "is 3000×4000.")
    assert sentence in HelpPanel().toPlainText()


# -- the help dock -------------------------------------------------------------------------


def help_action(window) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == "What am I &looking at?")


def test_help_opens_at_a_readable_width(qtbot, window):
    help_action(window).trigger()
    qtbot.waitUntil(lambda: window.help_dock.isVisible())
    qtbot.waitUntil(lambda: window.help_dock.width() >= MIN_HELP_WIDTH)
    assert window.help_dock.width() >= window.width() // 4


def test_help_reopened_from_the_toolbar_is_readable_again(qtbot, window):
    toggle = window.help_dock.toggleViewAction()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.help_dock.width() >= MIN_HELP_WIDTH)
    window.resizeDocks([window.help_dock], [120], Qt.Orientation.Horizontal)  # a teacher narrowed it
    qtbot.waitUntil(lambda: window.help_dock.width() < MIN_HELP_WIDTH)
    toggle.trigger()
    toggle.trigger()
    qtbot.waitUntil(lambda: window.help_dock.width() >= MIN_HELP_WIDTH)
