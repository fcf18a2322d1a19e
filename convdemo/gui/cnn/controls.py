"""The mini-CNN lab's set-up controls: the data set and the network's shape.

- :class:`DataBox`: pick the data, see how much there is and a preview of every class;
- :class:`NetworkBox`: filters, kernel size, conv blocks, padding, seed, every
  layer's output shape and parameter count, save and load;
- :func:`combo_box`, :func:`spin_box`, :func:`select_item`: the small
  builders these boxes and :mod:`.run_bar` share.

The boxes hold no model and start no work: they report what the user picked
and show what the panel gives them.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSignalBlocker, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from convdemo.core import nn
from convdemo.core.geometry import shape_text
from convdemo.core.nn.model import FILTERS_RANGE
from convdemo.core.nn.visual import image_rgb
from convdemo.gui.cnn.views import rgb_pixmap
from convdemo.gui.widgets import combo_box, inline_error_label, select_item, spin_box

SOURCES = [
    ("builtin-digits", "Built-in digits (MNIST-like)", "60,000 generated handwritten-looking digits 0–9, "
                                                       "white on black, 28×28."),
    ("builtin-shapes", "Built-in shapes", "20,000 generated lines, crosses, circles, squares and triangles: "
                                          "their filters become edge detectors."),
    ("ask-idx", "IDX folder…", "A folder of MNIST-format files (train-images-idx3-ubyte[.gz] and labels)."),
    ("ask-images", "Image folder…", "A folder with one sub-folder of photos per class, e.g. shoes/ and bags/."),
]
FOLDER_KINDS = {"ask-idx": "IDX", "ask-images": "images"}
PREVIEW_PER_CLASS = 10
PREVIEW_HEIGHT = 232
PREVIEW_WIDTH = 270


def _source_of(item_data: str | tuple[str, str]) -> str:
    """The data source of a data list entry: its name, or the folder of a (kind, folder) entry."""
    return item_data[1] if isinstance(item_data, tuple) else item_data


class DataBox(QGroupBox):
    """The data set picker, its size and a preview grid of samples, one row per class.

    Signals
    -------
    changed()
        A data set was picked (or the colour option of an image folder changed).
    folder_wanted(str)
        The user picked "IDX folder…" (``'IDX'``) or "Image folder…" (``'images'``);
        answer with :meth:`set_folder` or :meth:`revert`.
    """

    changed = pyqtSignal()
    folder_wanted = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Data", parent)
        self.combo = combo_box(SOURCES, "What the network learns from: a built-in generated set or your own folder.")
        self.colour = QCheckBox("Colour")
        self.colour.setToolTip("Train on the photos' red, green and blue instead of grey (the first layer's "
                               "filters get three planes).")
        self.colour.hide()
        self.info = QLabel("Not loaded yet.")
        self.info.setWordWrap(True)
        self.info.setToolTip("How many images train the network, how many check it, and their size.")
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumHeight(PREVIEW_HEIGHT)
        self.preview.setToolTip("Random training images, one row per class.")
        row = QHBoxLayout()
        row.addWidget(self.combo, 1)
        row.addWidget(self.colour)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.info)
        layout.addWidget(self.preview, 1)
        self._previous = 0
        self.combo.activated.connect(self.choose)
        self.colour.toggled.connect(self.changed)

    @property
    def source(self) -> str:
        """``'builtin-digits'``, ``'builtin-shapes'`` or the chosen folder."""
        return _source_of(self.combo.currentData())

    @property
    def color(self) -> bool:
        """True when an image folder should load in colour."""
        return not self.colour.isHidden() and self.colour.isChecked()

    def _is_folder(self) -> bool:
        return isinstance(self.combo.currentData(), tuple)

    def choose(self, index: int) -> None:
        """Pick the entry ``index`` of the list, as the user does with the mouse."""
        data = self.combo.itemData(index)
        if data in FOLDER_KINDS:
            self.folder_wanted.emit(FOLDER_KINDS[data])
        elif index != self._previous:
            self._settle(index)

    def set_folder(self, kind: str, path: str) -> None:
        """Use the folder ``path`` of ``kind`` ('IDX' or 'images') the user chose."""
        data = (kind, str(path))
        index = self.combo.findData(data)
        if index < 0:
            index = self.combo.findData("ask-idx")  # folders go between the built-ins and the "…" entries
            self.combo.insertItem(index, f"{Path(path).name}  ({kind} folder)", data)
            self.combo.setItemData(index, str(path), Qt.ItemDataRole.ToolTipRole)
        self._settle(index)

    def select(self, source: str) -> None:
        """Show ``source`` (a built-in name or a folder already listed) as the picked data set."""
        for index in range(self.combo.count()):
            if _source_of(self.combo.itemData(index)) == source:
                self._settle(index, announce=False)
                return

    def revert(self) -> None:
        """Go back to the data set picked before (the folder dialog was cancelled)."""
        self.combo.setCurrentIndex(self._previous)

    def _settle(self, index: int, announce: bool = True) -> None:
        self.combo.setCurrentIndex(index)
        self._previous = index
        self.colour.setVisible(self._is_folder() and self.combo.currentData()[0] == "images")
        if announce:
            self.changed.emit()

    def show_loading(self) -> None:
        """Say that the data set is being prepared."""
        self.info.setText("Loading…")
        self.preview.clear()

    def show_data(self, train: nn.Dataset, val: nn.Dataset | None) -> None:
        """Describe ``train`` and ``val`` and preview ``train``."""
        h, w, c = train.input_shape
        held = f" + {len(val):,} validation" if val is not None else ""
        self.info.setText(f"{len(train):,} training{held} images\n{len(train.class_names)} classes · "
                          f"{h}×{w} {'grey' if c == 1 else 'colour'}")
        grid = image_rgb(nn.preview_grid(train, per_class=PREVIEW_PER_CLASS))
        height, width = grid.shape[:2]
        pixmap = rgb_pixmap(grid, max(1, min(PREVIEW_HEIGHT // height, PREVIEW_WIDTH // width)))
        if pixmap.height() > PREVIEW_HEIGHT or pixmap.width() > PREVIEW_WIDTH:
            pixmap = pixmap.scaled(PREVIEW_WIDTH, PREVIEW_HEIGHT, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)
        self.preview.setToolTip(f"Random training images, one row per class: {', '.join(train.class_names)}.")


class NetworkBox(QGroupBox):
    """The architecture controls, every layer's output shape and parameters, save and load.

    Signals
    -------
    changed()
        The user changed the architecture or the seed.
    """

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Network", parent)
        default = nn.Architecture()
        low, high = FILTERS_RANGE
        self.filters = spin_box(low, high, value=default.filters, tip=
                                f"How many filters each conv layer learns ({low}–{high}).")
        self.kernel = combo_box([(3, "3×3", "Nine weights per filter and channel."),
                                 (5, "5×5", "Twenty-five weights per filter and channel: a wider view.")],
                                "The side of every filter.")
        self.blocks = combo_box([(1, "1", "conv → ReLU → max-pool, then the dense layer."),
                                 (2, "2", "Two conv → ReLU → max-pool blocks: the second sees patterns of the "
                                          "first's features.")],
                                "How many conv → ReLU → max-pool blocks come before the dense layer.")
        self.padding = combo_box([("valid", "valid", "No padding: every conv shrinks the map by k − 1."),
                                  ("same", "same", "Zero padding that keeps the map's size through every conv.")],
                                 "Whether the convolutions pad their input (same) or shrink it (valid).")
        self.seed = spin_box(0, 9999, value=0,
                             tip="Seeds the initial random filters and the shuffling: "
                                 "the same seed gives the same run.")
        self.table = self._layer_table()
        self.total = QLabel()
        self.total.setToolTip("Every weight and bias the training adjusts.")
        self.error = inline_error_label()
        icons = self.style()
        self.save_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "Save model…")
        self.save_button.setToolTip("Write the network (architecture, classes and weights) to a .npz file.")
        self.load_button = QPushButton(icons.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Load model…")
        self.load_button.setToolTip("Read a network saved from this panel or with 'convdemo train --save'.")
        self._arrange()
        for combo in (self.kernel, self.blocks, self.padding):
            combo.currentIndexChanged.connect(self.changed)
        self.filters.valueChanged.connect(self.changed)
        self.seed.valueChanged.connect(self.changed)

    def _layer_table(self) -> QTableWidget:
        table = QTableWidget(0, 3)
        table.setHorizontalHeaderLabels(["Layer", "Output", "Parameters"])
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(19)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setToolTip("Every layer's output for one image (height×width×channels) and its trainable numbers.")
        return table

    def _arrange(self) -> None:
        form = QGridLayout()
        form.setHorizontalSpacing(6)
        form.setVerticalSpacing(4)
        pairs = [("Filters", self.filters), ("Kernel", self.kernel), ("Conv blocks", self.blocks),
                 ("Padding", self.padding), ("Seed", self.seed)]
        for i, (label, widget) in enumerate(pairs):
            form.addWidget(QLabel(label), i // 2, (i % 2) * 2)
            form.addWidget(widget, i // 2, (i % 2) * 2 + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.table)
        layout.addWidget(self.total)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def architecture(self, input_shape: tuple[int, int, int], n_classes: int) -> nn.Architecture:
        """The architecture the controls describe for this input and class count.

        Raises
        ------
        ParameterError
            The images are too small for the chosen blocks and kernel.
        """
        return nn.Architecture(input_shape, n_classes, self.filters.value(), self.kernel.currentData(),
                               self.blocks.currentData(), self.padding.currentData())

    def set_architecture(self, architecture: nn.Architecture) -> None:
        """Show ``architecture`` (a loaded model's) without announcing a change."""
        blockers = [QSignalBlocker(w) for w in (self.filters, self.kernel, self.blocks, self.padding)]
        self.filters.setValue(architecture.filters)
        select_item(self.kernel, architecture.kernel_size)
        select_item(self.blocks, architecture.conv_layers)
        select_item(self.padding, architecture.padding)
        del blockers

    def show_model(self, model: nn.Model) -> None:
        """List ``model``'s layers, their output shapes and parameters."""
        self.error.hide()
        shapes = model.layer_shapes()
        counts = [0] + [sum(p.size for p in layer.params.values()) for layer in model.layers]
        self.table.setRowCount(len(shapes))
        for row, ((name, shape), count) in enumerate(zip(shapes, counts)):
            for col, text in enumerate((name, shape_text(shape), f"{count:,}" if count else "")):
                item = QTableWidgetItem(text)
                align = Qt.AlignmentFlag.AlignRight if col == 2 else Qt.AlignmentFlag.AlignLeft
                item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        height = self.table.horizontalHeader().height() + len(shapes) * self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(height + 2)
        self.total.setText(f"<b>{model.param_count():,}</b> trainable parameters")

    def show_error(self, text: str) -> None:
        """Explain why the chosen architecture cannot be built."""
        self.table.setRowCount(0)
        self.total.setText("")
        self.error.setText(text)
        self.error.show()

    def layer_rows(self) -> list[tuple[str, str, str]]:
        """The table's rows as text: (layer, output shape, parameters)."""
        return [tuple(self.table.item(r, c).text() for c in range(3)) for r in range(self.table.rowCount())]
