"""Where training data comes from: one entry point for the CLI and the GUI.

A data source is a word or a folder:

- ``builtin-digits``: generated MNIST-like digits (:mod:`.digits`);
- ``builtin-shapes``: generated lines, crosses, circles, squares, triangles (:mod:`.shapes`);
- a folder of IDX files (MNIST, Fashion-MNIST) (:mod:`.idx`);
- a folder of class sub-folders of photos (:mod:`.folder`).
"""

from __future__ import annotations

import os
from pathlib import Path

from convdemo.core.errors import DataError
from convdemo.core.nn.data import Dataset, check_seed, check_val_fraction, split
from convdemo.core.nn.digits import make_digits
from convdemo.core.nn.folder import load_image_folder
from convdemo.core.nn.idx import is_idx_folder, load_idx_folder
from convdemo.core.nn.shapes import make_shapes

GENERATORS = {"builtin-digits": make_digits, "builtin-shapes": make_shapes}
BUILTIN_SIZES = {"builtin-digits": 60_000, "builtin-shapes": 20_000}
"""Images generated for training (before the validation split) when no size is given."""
TEST_SIZE = 10_000
"""Images generated for ``part='test'`` of a builtin set."""


def load_training_data(source: str | os.PathLike, *, val_split: float = 0.1, seed: int = 0,
                       size: int | None = None, color: bool = False) -> tuple[Dataset, Dataset | None]:
    """Training and validation sets from a data source.

    Parameters
    ----------
    source : str or path-like
        ``'builtin-digits'``, ``'builtin-shapes'``, an IDX folder or a photo folder.
    val_split : float
        Fraction held out for validation, in [0, 1). Ignored for an IDX folder
        that has its own test split (that split validates).
    seed : int
        Seeds generation and the hold-out shuffle.
    size : int, optional
        Builtin sets only: images to generate (default :data:`BUILTIN_SIZES`).
    color : bool
        Photo folders only: load RGB instead of grey.

    Returns
    -------
    train : Dataset
    val : Dataset or None
        None when ``val_split`` is 0 and no test split exists.

    Raises
    ------
    ParameterError
        ``val_split`` outside [0, 1) or ``seed`` outside 0…:data:`~.data.MAX_SEED`,
        found before anything is loaded.
    DataError
        The source cannot be used (see :mod:`.idx` and :mod:`.folder`).
    """
    check_val_fraction(val_split)
    check_seed(seed)
    source = str(source)
    if source in GENERATORS:
        data = GENERATORS[source](size or BUILTIN_SIZES[source], seed=seed)
        return split(data, val_split, seed=seed)
    folder = _existing_folder(source)
    if is_idx_folder(folder):
        train, test = load_idx_folder(folder)
        return (train, test) if test is not None else split(train, val_split, seed=seed)
    return split(load_image_folder(folder, color=color), val_split, seed=seed)


def load_test_data(source: str | os.PathLike, *, seed: int = 0, size: int | None = None,
                   color: bool = False) -> Dataset:
    """The data to evaluate a trained model on.

    Builtin sets are drawn from a random stream that training never uses, so
    no test image repeats a training image. An IDX folder gives its test split
    (``t10k``...) when it has one, else its only split; a photo folder gives
    all its photos.

    Parameters
    ----------
    source, seed, color
        As for :func:`load_training_data`.
    size : int, optional
        Builtin sets only: images to generate (default :data:`TEST_SIZE`).

    Returns
    -------
    Dataset

    Raises
    ------
    ParameterError, DataError
        As for :func:`load_training_data`.
    """
    check_seed(seed)
    source = str(source)
    if source in GENERATORS:
        return GENERATORS[source](size or TEST_SIZE, seed=(seed, 1))
    folder = _existing_folder(source)
    if is_idx_folder(folder):
        train, test = load_idx_folder(folder)
        return test if test is not None else train
    return load_image_folder(folder, color=color)


def _existing_folder(source: str) -> Path:
    folder = Path(source)
    if not folder.is_dir():
        choices = ", ".join(GENERATORS)
        what = "is not a folder" if folder.exists() else "does not exist"
        raise DataError(f"The data source {source} {what}; give {choices}, a folder of IDX files or a "
                        "folder with one sub-folder of images per class.")
    return folder
