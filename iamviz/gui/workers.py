"""Work off the UI thread: loading files, reading live AWS, building and laying out the graph.

A :class:`Worker` runs one plain-Python job ``job(progress, cancel) -> result`` on a :class:`QThreadPool` thread.
The job reports with ``progress(done, total, message)`` and checks ``cancel()`` (or lets the loaders check it);
results and errors come back to the UI thread as signals. The job never touches Qt objects.

Example:
    >>> worker = Worker(lambda progress, cancel: 42)
    >>> worker.signals.finished.connect(print)
    >>> worker.start()
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from iamviz.errors import CancelledError
from iamviz.gui import collector

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]
Job = Callable[[ProgressFn, CancelFn], Any]


class WorkerSignals(QObject):
    """The signals of a :class:`Worker`; emitted from the worker thread, delivered queued to the UI thread."""

    progressed = Signal(int, int, str)
    """Progress: ``(done, total, message)``; ``total`` is 0 when unknown."""

    finished = Signal(object)
    """The job returned; carries its result."""

    failed = Signal(object, str)
    """The job raised; carries the exception and its formatted traceback."""

    cancelled = Signal()
    """The job stopped because :meth:`Worker.cancel` was called."""

    done = Signal()
    """Emitted last, whatever the outcome."""


class Worker(QRunnable):
    """One job on the global thread pool, with progress and cooperative cancel.

    Args:
        job: ``job(progress, cancel)``: returns the result, raises on failure; may raise
            :class:`~iamviz.errors.CancelledError` when ``cancel()`` turns true.
        pool: the pool to run on (the global one by default).
    """

    def __init__(self, job: Job, *, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it: the window keeps a reference until `done`
        self.job = job
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._pool = pool or QThreadPool.globalInstance()

    def start(self) -> None:
        """Queue the job on the pool."""
        self._pool.start(self)

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.signals.progressed.emit(int(done), int(total), str(message))

    def run(self) -> None:  # Qt override, runs on the pool thread
        # Python's cyclic collector runs in whichever thread allocates past its threshold. Run on this pool thread,
        # it can free Qt wrappers that belong to the GUI thread, and Qt crashes (a segfault seen in CI during a
        # live capture). So no cyclic collection while a job runs; the GUI thread collects as usual afterwards.
        collecting = gc.isenabled()
        gc.disable()
        collector.job_started(id(self))  # and the GUI thread's collector waits until the job is done
        try:
            self._run_job()
        finally:
            collector.job_finished(id(self))
            if collecting:
                gc.enable()

    def _run_job(self) -> None:
        try:
            result = self.job(self._progress, self._cancel.is_set)
        except CancelledError:
            self.signals.cancelled.emit()
        except Exception as exc:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(exc, "".join(traceback.format_exception(exc)))
        else:
            if self._cancel.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)
        finally:
            self.signals.done.emit()
