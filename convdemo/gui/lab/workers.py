"""Run the pipeline off the GUI thread; only the newest request's result is shown.

At most one job runs at a time and at most one waits: a new request replaces
the waiting one, and a finished job whose request is no longer the newest is
dropped, so rapid edits never queue up work or show stale pictures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PyQt6.QtCore import QObject, QRunnable, QThreadPool, pyqtSignal

from convdemo.core.display import DisplayImage, to_display
from convdemo.core.errors import ConvdemoError
from convdemo.core.images import LoadedImage
from convdemo.core.kernels import Kernel
from convdemo.core.params import Settings
from convdemo.core.pipeline import Stages, run_settings


@dataclass(frozen=True, eq=False)
class Request:
    """One pipeline run to do."""

    request_id: int
    image: LoadedImage
    kernel: Kernel
    settings: Settings
    display_mode: str
    heat_map: bool


@dataclass(frozen=True, eq=False)
class Result:
    """A finished run: every stage and its picture.

    Attributes
    ----------
    request : Request
    stages : Stages
    pictures : dict of str to DisplayImage
        Keyed 'source', 'conv', 'activation', 'pool' (stages that are on).
    seconds : float
        Time to compute and render.
    """

    request: Request
    stages: Stages
    pictures: dict[str, DisplayImage]
    seconds: float


def render(request: Request, source_cache: dict) -> Result:
    """Compute every stage and its picture (runs in a worker thread).

    ``source_cache`` keeps the input's picture between runs on the same image
    and channel mode, so a kernel edit only renders the outputs.
    """
    start = time.perf_counter()
    stages = run_settings(request.image.pixels, request.kernel, request.settings)
    arrays = {"conv": stages.conv, "activation": stages.activated, "pool": stages.pooled}
    key = (id(request.image), request.settings.channels)
    if source_cache.get("key") != key:
        source_cache.update(key=key, picture=to_display(stages.source, "clip"), image=request.image)
    pictures = {"source": source_cache["picture"]}
    pictures.update({name: to_display(a, request.display_mode, heat=request.heat_map)
                     for name, a in arrays.items() if a is not None})
    return Result(request, stages, pictures, time.perf_counter() - start)


class _Job(QRunnable):
    def __init__(self, runner: PipelineRunner, request: Request):
        super().__init__()
        self._runner, self._request = runner, request

    def run(self) -> None:  # worker thread: no widget is touched here
        try:
            outcome: object = render(self._request, self._runner._source_cache)
        except ConvdemoError as error:
            outcome = str(error)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a crash
            outcome = f"Unexpected problem while computing: {error!r}"
        self._runner._job_done.emit(self._request, outcome)


class PipelineRunner(QObject):
    """Submit requests; receive ``finished(Result)`` or ``failed(request_id, message)``.

    Signals are delivered in the GUI thread.
    """

    finished = pyqtSignal(object)
    failed = pyqtSignal(int, str)
    busy_changed = pyqtSignal(bool)
    _job_done = pyqtSignal(object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._next_id = 0
        self._running: Request | None = None
        self._waiting: Request | None = None
        self._source_cache: dict = {}  # touched by one job at a time only
        self._job_done.connect(self._on_job_done)

    @property
    def latest_id(self) -> int:
        """Id of the newest request submitted."""
        return self._next_id

    def submit(self, image: LoadedImage, kernel: Kernel, settings: Settings, display_mode: str,
               heat_map: bool) -> int:
        """Queue a run, replacing any run still waiting; returns its id."""
        self._next_id += 1
        request = Request(self._next_id, image, kernel, settings, display_mode, heat_map)
        if self._running is None:
            self._start(request)
        else:
            self._waiting = request
        return request.request_id

    def _start(self, request: Request) -> None:
        self._running = request
        self.busy_changed.emit(True)
        self._pool.start(_Job(self, request))

    def _on_job_done(self, request: Request, outcome: object) -> None:
        self._running = None
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)
        else:
            self.busy_changed.emit(False)
        if request.request_id != self._next_id:
            return  # stale: a newer request exists
        if isinstance(outcome, Result):
            self.finished.emit(outcome)
        else:
            self.failed.emit(request.request_id, str(outcome))

    def wait(self, msecs: int = 5000) -> bool:
        """Block until no job runs (for shutdown and tests)."""
        return self._pool.waitForDone(msecs)
