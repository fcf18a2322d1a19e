"""Presenter mode (larger text, a layout fitting 1366×768, the views following the pin) and the colour theme."""

import pytest
from PyQt6.QtGui import QFontMetrics, QKeySequence
from PyQt6.QtWidgets import QApplication, QToolBar

from convdemo.gui.lab.stage_views import LABEL_PIXELS
from convdemo.gui.presenter import PRESENTER_SCALE
from convdemo.gui.theme import DEFAULT_THEME, THEME_KEY, apply_theme

PROJECTOR = (1366, 768)


def wait_result(qtbot, window, action):
    with qtbot.waitSignal(window.result_shown, timeout=10000):
        action()
    QApplication.processEvents()


def shown_views(window):
    return [view for view in window.views.values() if not view.isHidden()]


def fonts(window) -> dict[str, float]:
    """Point sizes of every stage's title and formula and of the inspector."""
    sizes = {"inspector": window.inspector.font().pointSizeF()}
    for view in window.views.values():
        sizes[f"{view.stage} title"] = view.title.font().pointSizeF()
        sizes[f"{view.stage} formula"] = view.formula.font().pointSizeF()
    return sizes


def toolbar(window) -> QToolBar:
    return window.findChild(QToolBar, "mainToolbar")


def view_centre(window) -> tuple[float, float, float]:
    """Centre of the linked views' range, and its width."""
    (x0, x1), (y0, y1) = window.views["source"].view.viewRange()
    return (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0


def largest_value_label(window, stage: str) -> int:
    return max(label.textItem.font().pixelSize() for label in window.views[stage].visible_labels())


@pytest.fixture
def four_panels(qtbot, window):
    """The window at projector size with all four stages shown."""
    window.resize(*PROJECTOR)
    wait_result(qtbot, window, lambda: window.state.update_settings(activation="relu", pool="max"))
    assert len(shown_views(window)) == 4
    return window


@pytest.fixture
def themed():
    """Put the application's palette back to the default theme after the test."""
    yield
    apply_theme(DEFAULT_THEME)


def test_presenter_mode_is_a_checkable_view_action_on_f5(window):
    action = window.commands.presenter
    assert action.isCheckable() and action.shortcut() == QKeySequence("F5")


def test_presenter_mode_scales_titles_formulas_and_inspector(four_panels):
    window = four_panels
    before = fonts(window)
    window.commands.presenter.trigger()
    QApplication.processEvents()
    after = fonts(window)
    for name, size in before.items():
        assert after[name] >= PRESENTER_SCALE * size - 0.01, name


def test_presenter_mode_fits_the_projector_without_cut_text(four_panels):
    window = four_panels
    window.commands.presenter.trigger()
    QApplication.processEvents()
    assert (window.width(), window.height()) == PROJECTOR  # the larger text never widens the window
    assert toolbar(window).isHidden() and window.side_panel.isHidden()
    for view in shown_views(window):
        title = view.title
        assert QFontMetrics(title.font()).horizontalAdvance(title.text()) <= title.contentsRect().width()
        formula, metrics = view.formula, QFontMetrics(view.formula.font())
        fits = all(metrics.horizontalAdvance(line) <= formula.contentsRect().width()
                   for line in formula.shown_text().split("\n"))
        assert fits or formula.toolTip() == formula.text()


def test_presenter_mode_writes_larger_pixel_values(four_panels):
    window = four_panels
    for _ in range(4):
        window.stage_row.zoom_in()
    QApplication.processEvents()
    assert largest_value_label(window, "pool") == LABEL_PIXELS[1]
    window.presenter.set_enabled(True)
    QApplication.processEvents()
    assert largest_value_label(window, "pool") >= PRESENTER_SCALE * LABEL_PIXELS[1]
    window.presenter.set_enabled(False)
    QApplication.processEvents()
    assert largest_value_label(window, "pool") == LABEL_PIXELS[1]


def test_views_follow_the_pinned_pixel_only_in_presenter_mode(four_panels):
    window = four_panels
    window.stage_row.zoom_in()
    window.stage_row.zoom_in()
    before = view_centre(window)
    window.focus.pin("conv", 2, 2)
    assert view_centre(window) == pytest.approx(before)  # off: the views stay put
    window.presenter.set_enabled(True)
    QApplication.processEvents()
    presenting_width = view_centre(window)[2]  # the views' new shape shows a little more
    window.focus.pin("conv", 20, 20)
    window.focus.move_pin(-3, 2)
    centre = window.views["conv"].pixel_rect(17, 22).center()
    x, y, width = view_centre(window)
    assert (x, y) == pytest.approx((centre.x(), centre.y()))
    assert width == pytest.approx(presenting_width)  # the zoom is kept


def test_turning_presenter_mode_off_restores_fonts_and_layout(four_panels):
    window = four_panels
    before_fonts = fonts(window)
    splitter_sizes = window.inspector.parentWidget().sizes()
    window.commands.presenter.trigger()
    QApplication.processEvents()
    window.commands.presenter.trigger()
    QApplication.processEvents()
    assert not window.presenter.enabled
    assert fonts(window) == before_fonts
    assert toolbar(window).isVisible() and window.side_panel.isVisible()
    assert window.inspector.parentWidget().sizes() == splitter_sizes
    assert (window.width(), window.height()) == PROJECTOR


def test_closing_in_presenter_mode_saves_the_normal_layout(four_panels):
    window = four_panels
    window.presenter.set_enabled(True)
    window.close()
    assert not window.presenter.enabled
    assert not toolbar(window).isHidden() and not window.side_panel.isHidden()


@pytest.mark.usefixtures("themed")
def test_dark_theme_is_applied_and_remembered(window):
    dark = next(action for action in window.commands.themes.actions() if action.data() == "dark")
    dark.trigger()
    assert QApplication.palette().window().color().lightnessF() < 0.3
    assert window.store.value(THEME_KEY) == "dark"
    assert dark.isChecked()


@pytest.mark.usefixtures("themed")
def test_system_theme_restores_the_standard_palette(window):
    by_name = {action.data(): action for action in window.commands.themes.actions()}
    by_name["dark"].trigger()
    by_name["system"].trigger()
    standard = QApplication.style().standardPalette()
    assert QApplication.palette().window().color() == standard.window().color()
    assert QApplication.palette().base().color() == standard.base().color()
    assert window.store.value(THEME_KEY) == "system"


@pytest.mark.usefixtures("themed")
def test_the_stored_theme_is_ticked_and_applied_at_start(qtbot, store, library):
    from convdemo.gui.main_window import MainWindow

    store.setValue(THEME_KEY, "dark")
    window = MainWindow(library=library, settings=store)
    qtbot.addWidget(window)
    ticked = [action.data() for action in window.commands.themes.actions() if action.isChecked()]
    assert ticked == ["dark"]
    assert QApplication.palette().window().color().lightnessF() < 0.3


@pytest.mark.usefixtures("themed")
def test_an_unknown_stored_theme_falls_back_to_the_default(qtbot, store, library):
    from convdemo.gui.main_window import MainWindow

    store.setValue(THEME_KEY, "sepia")
    window = MainWindow(library=library, settings=store)
    qtbot.addWidget(window)
    assert window.commands.themes.checkedAction().data() == DEFAULT_THEME
    assert not store.contains(THEME_KEY)
