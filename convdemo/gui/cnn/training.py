"""The mini-CNN's worker thread: load the data, train batch by batch, report, pause and stop.

A :class:`TrainingWorker` runs one :class:`Job`: it loads the data set when
the job has none, then, when the job has a model, trains it in place with
:func:`convdemo.core.nn.train`. Between two batches it checks its stop and
pause flags, so Stop takes effect within one batch and Pause holds the loop
without spinning. The model's layers reuse buffers and are not thread-safe,
so the worker sends the GUI *copies* of the model (at most
``1 / SNAPSHOT_SECONDS`` per second) and never lets it touch the original
while training. Widgets are never touched here; everything goes through
signals, which Qt delivers in the GUI thread.
"""

from __future__ import annotations

import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from PyQt6.QtCore import QObject, QThread, pyqtSignal

from convdemo.core import nn
from convdemo.core.errors import ConvdemoError
from convdemo.core.nn.datasets import BUILTIN_SIZES

PROGRESS_SECONDS = 0.1
"""Shortest time between two progress reports (the end of an epoch is always reported)."""
SNAPSHOT_SECONDS = 0.25
"""Shortest time between two model copies sent to the views."""
BUILTIN_NOUNS = {"builtin-digits": "digit", "builtin-shapes": "shape"}


@dataclass(frozen=True)
class DataChoice:
    """Which data set to train on.

    Attributes
    ----------
    source : str
        ``'builtin-digits'``, ``'builtin-shapes'`` or a folder path (IDX files
        or one sub-folder of images per class).
    size : int or None
        Built-in sets: images to generate (None: the generator's default).
    color : bool
        Image folders: load colour instead of grey.
    """

    source: str = "builtin-digits"
    size: int | None = None
    color: bool = False

    @property
    def builtin(self) -> bool:
        """True for a generated data set."""
        return self.source in BUILTIN_SIZES

    def loading_text(self) -> str:
        """What the progress bar says while the data loads."""
        if self.builtin:
            count = self.size or BUILTIN_SIZES[self.source]
            return f"Generating {count:,} {BUILTIN_NOUNS[self.source]} images…"
        return f"Reading the images in {Path(self.source).name}…"


@dataclass(frozen=True, eq=False)
class Job:
    """One run of the worker.

    Attributes
    ----------
    choice : DataChoice
    data : (Dataset, Dataset or None) or None
        Training and validation sets already loaded; None loads ``choice`` first.
    model : Model or None
        The model to train in place; None only loads the data.
    config : TrainingConfig or None
    """

    choice: DataChoice
    data: tuple[nn.Dataset, nn.Dataset | None] | None = None
    model: nn.Model | None = None
    config: nn.TrainingConfig | None = None


class TrainingWorker(QThread):
    """Runs a :class:`Job` in its own thread.

    Signals
    -------
    loading(str)
        The data set starts loading; the text says what is loading.
    data_loaded(DataChoice, Dataset, object)
        The training set and the validation set (or None).
    progressed(list, object)
        The :class:`~convdemo.core.nn.Progress` of every batch since the last
        report, and a copy of the model (or None when no copy is due).
    ended(str, Model, Evaluation)
        ``'finished'`` or ``'stopped'``, a copy of the final model, and its
        scores on the validation set (the training set when there is none).
    failed(str)
        A sentence for the user (bad data, divergence, ...).
    """

    loading = pyqtSignal(str)
    data_loaded = pyqtSignal(object, object, object)
    progressed = pyqtSignal(object, object)
    ended = pyqtSignal(str, object, object)
    failed = pyqtSignal(str)

    def __init__(self, job: Job, parent: QObject | None = None):
        super().__init__(parent)
        self.job = job
        self.batches_done = 0
        self.batches_at_stop: int | None = None
        self._stop = threading.Event()
        self._running = threading.Event()  # cleared while paused
        self._running.set()

    @property
    def trains(self) -> bool:
        """True when the job trains a model (not only loads data)."""
        return self.job.model is not None

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return not self._running.is_set()

    def pause(self) -> None:
        """Hold the training loop after the current batch."""
        self._running.clear()

    def resume(self) -> None:
        """Continue a paused training loop."""
        self._running.set()

    def request_stop(self) -> None:
        """End the training loop after the current batch (also when paused).

        ``batches_at_stop`` records how many batches had finished then: at
        most one more (the batch under way) runs after it.
        """
        self._stop.set()
        self._running.set()
        self.batches_at_stop = self.batches_done

    def run(self) -> None:  # worker thread: no widget is touched here
        try:
            data = self.job.data or self._load()
            if self.trains:
                self._train(*data)
        except ConvdemoError as error:
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user, never a crash
            self.failed.emit(f"Unexpected problem in the mini-CNN worker: {error!r}")

    def _load(self) -> tuple[nn.Dataset, nn.Dataset | None]:
        choice = self.job.choice
        self.loading.emit(choice.loading_text())
        train_set, val_set = nn.load_training_data(choice.source, size=choice.size, color=choice.color)
        self.data_loaded.emit(choice, train_set, val_set)
        return train_set, val_set

    def _train(self, train_set: nn.Dataset, val_set: nn.Dataset | None) -> None:
        model = self.job.model
        pending: list[nn.Progress] = []
        last_report = last_snapshot = 0.0
        outcome = "finished"
        with closing(nn.train(model, train_set, val_set, self.job.config)) as steps:
            for progress in steps:
                self.batches_done += 1
                pending.append(progress)
                now = time.monotonic()
                if progress.end_of_epoch or now - last_report >= PROGRESS_SECONDS:
                    due = progress.end_of_epoch or now - last_snapshot >= SNAPSHOT_SECONDS
                    self.progressed.emit(pending, model.copy() if due else None)
                    pending, last_report = [], now
                    last_snapshot = now if due else last_snapshot
                if not self._carry_on():
                    outcome = "stopped"
                    break
        if pending:
            self.progressed.emit(pending, None)
        scores = nn.evaluate(model, val_set if val_set is not None else train_set)
        self.ended.emit(outcome, model.copy(), scores)

    def _carry_on(self) -> bool:
        """Between batches: wait while paused; False once a stop was requested."""
        self._running.wait()
        return not self._stop.is_set()
