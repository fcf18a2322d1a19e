"""The labelled image set the mini-CNN trains on, and helpers to split and preview it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convdemo.core.errors import DataError, ParameterError

MAX_SEED = 2**32 - 1
"""Seeds are whole numbers from 0 to this (32 bits), the same in the command line and the window."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Images with integer labels.

    Attributes
    ----------
    x : ndarray of shape (N, H, W, C), float32, values 0–1
        C is 1 (grey) or 3 (colour); white strokes on black for the digit sets.
    y : ndarray of shape (N,), int64, values in [0, len(class_names))
    class_names : tuple of str
    name : str
        Where the data came from, for messages and titles.
    """

    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if self.x.ndim != 4 or len(self.x) != len(self.y):
            raise ValueError(f"x of shape {self.x.shape} does not match y of shape {self.y.shape}")

    def __len__(self) -> int:
        return len(self.y)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of one image."""
        return tuple(self.x.shape[1:])

    def subset(self, index: np.ndarray, name: str | None = None) -> Dataset:
        """The samples at ``index`` (an int array or boolean mask), as a new Dataset."""
        return Dataset(self.x[index], self.y[index], self.class_names, self.name if name is None else name)

    def class_counts(self) -> np.ndarray:
        """Samples per class, shape (n_classes,)."""
        return np.bincount(self.y, minlength=len(self.class_names))


def check_classes(dataset: Dataset, source: str) -> Dataset:
    """Raise DataError unless ``dataset`` has samples of at least two classes.

    ``source`` names the file or folder in the message.
    """
    present = np.count_nonzero(dataset.class_counts())
    if len(dataset) == 0:
        raise DataError(f"{source} contains no images.")
    if present < 2:
        raise DataError(f"{source} has images of only one class; a classifier needs at least two.")
    return dataset


def check_seed(seed: int) -> None:
    """Raise ParameterError unless ``seed`` is a whole number from 0 to :data:`MAX_SEED`."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ParameterError(f"The seed must be a whole number from 0 to {MAX_SEED}, not {seed}.")


def check_val_fraction(val_fraction: float) -> None:
    """Raise ParameterError unless ``val_fraction`` lies in [0, 1) (NaN does not)."""
    if not 0 <= val_fraction < 1:
        raise ParameterError(f"The validation split must be at least 0 and below 1, not {val_fraction}.")


def split(dataset: Dataset, val_fraction: float, *, seed: int = 0) -> tuple[Dataset, Dataset | None]:
    """Hold out a random ``val_fraction`` of the samples for validation.

    Parameters
    ----------
    dataset : Dataset
    val_fraction : float
        In [0, 1). 0 gives no validation set.
    seed : int
        Seeds the shuffle, so the same seed holds out the same samples.

    Returns
    -------
    train : Dataset
    val : Dataset or None
    """
    check_val_fraction(val_fraction)
    if val_fraction == 0:
        return dataset, None
    n_val = max(1, int(round(len(dataset) * val_fraction)))
    if n_val >= len(dataset):
        raise DataError(f"{dataset.name} has too few images ({len(dataset)}) to hold out {val_fraction:.0%} "
                        "for validation.")
    order = np.random.default_rng(seed).permutation(len(dataset))
    return (dataset.subset(np.sort(order[n_val:]), f"{dataset.name} (training part)"),
            dataset.subset(np.sort(order[:n_val]), f"{dataset.name} (validation part)"))


def preview_grid(dataset: Dataset, per_class: int = 10, *, seed: int = 0, gap: int = 1) -> np.ndarray:
    """A mosaic of samples, one row per class, for a quick look at a data set.

    Parameters
    ----------
    dataset : Dataset
    per_class : int
        Samples shown per row; rows of rarer classes are padded with black.
    seed : int
        Which samples are picked.
    gap : int
        Pixels of grey (0.5) between tiles.

    Returns
    -------
    ndarray of shape (K*(H+gap) - gap, per_class*(W+gap) - gap, C), float32, values 0–1
        K = number of classes; row k shows class ``dataset.class_names[k]``.
    """
    h, w, c = dataset.input_shape
    k = len(dataset.class_names)
    grid = np.full((k * (h + gap) - gap, per_class * (w + gap) - gap, c), 0.5, np.float32)
    rng = np.random.default_rng(seed)
    for label in range(k):
        members = np.flatnonzero(dataset.y == label)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for col in range(per_class):
            tile = dataset.x[chosen[col]] if col < len(chosen) else 0.0
            r0, c0 = label * (h + gap), col * (w + gap)
            grid[r0:r0 + h, c0:c0 + w] = tile
    return grid
