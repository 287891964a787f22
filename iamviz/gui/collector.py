"""Python's cyclic garbage collector, run on the GUI thread only.

CPython runs a collection in whichever thread happens to allocate past the collector's threshold. When that is a
worker thread (a load, a live capture, a moto server thread in the tests), the collection can free Qt wrappers that
belong to the GUI thread, and Qt crashes: a segfault seen in CI during a live capture and again in a window test
while a file loaded in the worker. Pausing the collector only while a job runs leaves the moments just before and
after the job, and any other thread, open.

So, as calibre does, the window switches the automatic collector off and a timer on the GUI thread runs the same
generational collections when their thresholds are passed. Reference counting frees everything else at once, as
always; only cyclic garbage waits for the next tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the GUI thread looks at the collector's counts (ms).
INTERVAL_MS = 1000

_installed: GuiCollector | None = None


def collect_due() -> int:
    """Collect the oldest generation whose threshold is passed, as the automatic collector would.

    Returns the number of unreachable objects found. Call it on the GUI thread only.
    """
    thresholds = gc.get_threshold()
    counts = gc.get_count()
    if thresholds[0] == 0 or counts[0] <= thresholds[0]:
        return 0
    # The oldest generation past its threshold, as CPython picks it (a tick collects at most one generation, so a
    # full collection comes at most every threshold1 * threshold2 ticks).
    generation = max(g for g in range(len(counts)) if g == 0 or counts[g] > thresholds[g])
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
