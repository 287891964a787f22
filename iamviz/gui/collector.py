"""Python's cyclic garbage collector, run on the GUI thread only.

CPython runs a collection in whichever thread happens to allocate past the collector's threshold. When that is a
worker thread (a load, a live capture, a moto server thread in the tests), the collection can free Qt wrappers that
belong to the GUI thread, and Qt crashes: a segfault seen in CI during a live capture and again in a window test
while a file loaded in the worker. Pausing the collector only while a job runs leaves the moments just before and
after the job, and any other thread, open.

So, as calibre does, the window switches the automatic collector off and a timer on the GUI thread runs the same
generational collections when their thresholds are passed. Reference counting frees everything else at once, as
always; only cyclic garbage waits for the next tick.

Two things keep those ticks from stalling the window on a large account:

* No collection while a worker job runs (:func:`job_started` / :func:`job_finished`). A job building a 20,000-role
  graph allocates millions of objects; ticks that collected them as they came held the interpreter lock for
  0.1-0.9 s each, 1.6 s of a 9 s open. When the job is done, what it left alive goes to the oldest generation in
  one step (``gc.freeze()`` then ``gc.unfreeze()``, as the analysis does outside the window) instead of being
  walked by the young collections first.
* A full collection walks every object still alive. CPython skips most of them (it waits until a quarter of the
  old objects are new); the tick, which cannot see those counts, waits instead at least :data:`FULL_GAP_FACTOR`
  times as long as the last full collection took, and collects the middle generation meanwhile.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the GUI thread looks at the collector's counts (ms).
INTERVAL_MS = 1000
#: A full collection waits at least this many times the last one's duration (at most ~2 % of the time collecting).
FULL_GAP_FACTOR = 50.0

_installed: GuiCollector | None = None
_running_jobs: set[int] = set()  # ids of the worker jobs running now (set.add/discard are atomic under the GIL)
_jobs_done = False  # a job finished since the last tick: move its survivors to the oldest generation
_last_full = (0.0, 0.0)  # (when the last full collection ended, how long it took), time.monotonic()


def job_started(job_id: int) -> None:
    """A worker job starts (any thread): no collection until it is done."""
    _running_jobs.add(job_id)


def job_finished(job_id: int) -> None:
    """A worker job is done (any thread)."""
    global _jobs_done
    _running_jobs.discard(job_id)
    _jobs_done = True


def collect_due() -> int:
    """Collect the oldest generation whose threshold is passed, as the automatic collector would (see the module's
    docstring for when it waits).

    Returns the number of unreachable objects found. Call it on the GUI thread only.
    """
    global _jobs_done, _last_full
    if _running_jobs:
        return 0
    if _jobs_done:
        _jobs_done = False
        if not gc.get_freeze_count():  # something else froze objects: unfreezing would thaw them too
            gc.freeze()
            gc.unfreeze()
    thresholds = gc.get_threshold()
    counts = gc.get_count()
    if thresholds[0] == 0 or counts[0] <= thresholds[0]:
        return 0
    # The oldest generation past its threshold, as CPython picks it (a tick collects at most one generation, so a
    # full collection comes at most every threshold1 * threshold2 ticks).
    generation = max(g for g in range(len(counts)) if g == 0 or counts[g] > thresholds[g])
    oldest = len(counts) - 1
    if generation == oldest:
        ended, took = _last_full
        if time.monotonic() - ended < FULL_GAP_FACTOR * took:
            return gc.collect(oldest - 1)
        started = time.monotonic()
        found = gc.collect(oldest)
        now = time.monotonic()
        _last_full = (now, now - started)
        return found
    return gc.collect(generation)


class GuiCollector(QObject):
    """Keeps the automatic collector off and collects on a GUI-thread timer (see the module's docstring)."""

    def __init__(self, parent: QObject, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(collect_due)
        gc.disable()
        self.timer.start()


def install_gui_collector() -> GuiCollector | None:
    """Move cyclic collection to the GUI thread for the life of the application (idempotent).

    Returns the collector, or None when there is no application yet.
    """
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        return None
    if _installed is None:
        _installed = GuiCollector(app)
        app.aboutToQuit.connect(gc.enable)  # what runs after the loop (exit handlers) collects as usual
    else:
        gc.disable()  # a stage that restored "enabled" from another thread's pause
    return _installed


def installed() -> bool:
    """Whether the GUI collector runs (the tests collect between tests when it does)."""
    return _installed is not None
