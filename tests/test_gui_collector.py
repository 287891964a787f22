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
