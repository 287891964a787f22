"""Cyclic garbage is collected on the GUI thread only (iamviz.gui.collector): a collection on a worker thread can
free Qt wrappers of the GUI thread and crash Qt."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from iamviz.gui.collector import collect_due, install_gui_collector

pytestmark = pytest.mark.gui


class _Cell:
    pass


def _make_cycles(count: int, refs: list) -> None:
    for _ in range(count):
        a, b = _Cell(), _Cell()
        a.other, b.other = b, a
    refs.append(weakref.ref(a))


def test_a_worker_thread_never_collects_and_the_gui_timer_does(qtbot, qapp):
    assert install_gui_collector() is install_gui_collector()  # once per application
    assert not gc.isenabled()
    collecting_threads: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collecting_threads.append(threading.get_ident())

    gc.callbacks.append(record)
    try:
        refs: list = []
        worker = threading.Thread(target=_make_cycles, args=(20 * gc.get_threshold()[0], refs))
        worker.start()
        worker.join()
        assert collecting_threads == [], "the worker thread ran a collection"
        assert refs[0]() is not None  # the worker's cyclic garbage waits for the GUI thread
        qtbot.waitUntil(lambda: refs[0]() is None, timeout=5000)  # the timer's tick frees it
        assert set(collecting_threads) == {threading.get_ident()}
    finally:
        gc.callbacks.remove(record)


def test_collect_due_follows_the_thresholds(qapp):
    install_gui_collector()
    gc.collect()
    assert collect_due() == 0  # nothing allocated since: nothing due
    refs: list = []
    _make_cycles(2 * gc.get_threshold()[0], refs)
    assert collect_due() > 0 and refs[0]() is None


@pytest.fixture
def quiet_collector(qapp, monkeypatch):
    """The GUI collector installed, no job running, no full collection remembered."""
    from iamviz.gui import collector

    install_gui_collector()
    monkeypatch.setattr(collector, "_running_jobs", set())
    monkeypatch.setattr(collector, "_jobs_done", False)
    monkeypatch.setattr(collector, "_last_full", (0.0, 0.0))
    gc.collect()
    return collector


@pytest.fixture
def collections():
    """The generations the cyclic collector starts collecting, in order, while the test runs."""
    started: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    yield started
    gc.callbacks.remove(record)


def test_no_collection_while_a_worker_job_runs(quiet_collector, collections):
    """A job building a large graph allocates millions of objects; collecting them as they come held the interpreter
    lock for up to 0.9 s a tick and made the open ~1.3x slower at 20,000 roles."""
    quiet_collector.job_started(1)
    refs: list = []
    _make_cycles(3 * gc.get_threshold()[0], refs)
    assert quiet_collector.collect_due() == 0 and collections == [] and refs[0]() is not None
    quiet_collector.job_finished(1)
    quiet_collector.collect_due()  # the job's leftovers (its garbage too) go to the oldest generation at once
    assert collections == [] and refs[0]() is not None
    assert any(isinstance(obj, _Cell) for obj in gc.get_objects(generation=2))
    gc.collect()  # the next full collection frees its garbage
    assert refs[0]() is None


def test_after_a_job_its_survivors_go_to_the_oldest_generation_unwalked(quiet_collector, collections):
    quiet_collector.job_started(2)
    kept = [[i] for i in range(5 * gc.get_threshold()[0])]  # young, alive, tracked
    assert gc.get_count()[0] > gc.get_threshold()[0]
    quiet_collector.job_finished(2)
    collections.clear()
    quiet_collector.collect_due()
    assert collections == []  # moved to the oldest generation without a young collection
    assert gc.get_count()[0] < gc.get_threshold()[0]
    assert any(kept[0] is obj for obj in gc.get_objects(generation=2))


def test_full_collections_wait_for_fifty_times_their_duration(quiet_collector, collections, monkeypatch):
    """CPython waits until a quarter of the old objects are new before a full collection; the tick cannot see
    those counts, so it spaces full collections by their own cost (collecting the middle generation meanwhile)."""

    def due_for_a_full_collection() -> None:
        for _ in range(gc.get_threshold()[2] + 1):  # the middle generation collected past the oldest's threshold
            gc.collect(1)
        _make_cycles(2 * gc.get_threshold()[0], [])
        collections.clear()

    due_for_a_full_collection()
    quiet_collector.collect_due()
    assert collections == [2]
    ended, took = quiet_collector._last_full
    monkeypatch.setattr(quiet_collector, "_last_full", (ended, max(took, 1.0)))  # a slow one, just now
    due_for_a_full_collection()
    quiet_collector.collect_due()
    assert collections == [1]
    monkeypatch.setattr(quiet_collector, "_last_full", (ended - 60.0, 1.0))  # a minute ago, 1 s: 50 s passed
    due_for_a_full_collection()
    quiet_collector.collect_due()
    assert collections == [2]
