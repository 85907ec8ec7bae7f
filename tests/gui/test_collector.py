"""Garbage collection on the GUI thread only, the built window frozen out of its way
(gui/shell/collector.py, issue 9.12)."""
import gc
import os
import pathlib
import subprocess
import sys

import pytest

from gui.shell.collector import generation_due

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT = (700, 10, 10)  # CPython's gc.get_threshold()


@pytest.mark.parametrize("counts, due", [
    ((0, 0, 0), -1),
    ((700, 9, 9), -1),      # the allocations must exceed threshold0, not reach it
    ((701, 0, 0), 0),       # "Initially only generation 0 is examined"
    ((701, 10, 0), 0),      # generation 1 once generation 0 was examined MORE than 10 times
    ((701, 11, 0), 1),
    ((701, 11, 10), 1),
    ((701, 11, 11), 2),
    ((701, 0, 11), 2),      # the eleventh middle collection reset the young count: still full
    ((5000, 50, 50), 2),    # long idle stretches: the oldest one due, once
    ((100, 50, 50), -1),    # nothing happens until enough is allocated
])
def test_the_generation_due_follows_cpython_s_rules(counts, due):
    """The rules from the gc module's documentation (gc.set_threshold)."""
    assert generation_due(counts, DEFAULT) == due


def test_only_a_zero_threshold0_switches_collection_off():
    """gc.set_threshold: "Setting threshold0 to zero disables collection"; an older
    generation's zero threshold means it is collected whenever its count is not zero."""
    assert generation_due((10**6, 100, 100), (0, 10, 10)) == -1
    assert generation_due((701, 1, 3), (700, 0, 10)) == 1
    assert generation_due((701, 0, 0), (700, 0, 10)) == 0
    assert generation_due((701, 5, 1), (700, 10, 0)) == 2


_APP = r"""
import gc, sys, threading, time, weakref
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
seen = []  # (thread, generation) of every collection from the moment the window is up
freed = []

def on_gc(phase, info):
    if phase == "start" and recording[0]:
        seen.append((threading.current_thread().name, info["generation"]))
gc.callbacks.append(on_gc)
recording = [False]

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        freed.append(threading.current_thread().name)

def allocate():  # a helper thread making reference cycles, as the trainer and encoders might
    for _ in range(4000):
        Cycle()
        [[] for _ in range(20)]
    done.set()
done = threading.Event()

def begin():
    window = [w for w in app.topLevelWidgets() if hasattr(w, 'worker')][0]
    state.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count(),
                 window_frozen=id(window) not in {id(o) for o in gc.get_objects()})
    recording[0] = True
    threading.Thread(target=allocate, name="helper").start()
state = {}
QTimer.singleShot(800, begin)
from gui.app import run_app
code = run_app([], quit_after=2500)
recording[0] = False
print(state["enabled"], state["frozen"] > 1000, state["window_frozen"], done.is_set(),
      sorted({name for name, _ in seen}), len(seen), len(freed), sorted(set(freed)))
sys.exit(code)
"""


def test_the_running_app_collects_on_its_gui_thread_only(tmp_path):
    """The real start path (run_app): once the window is up, the automatic collector is off
    and the window's objects are frozen; a helper thread making thousands of reference cycles
    triggers no collection of its own (the automatic collector would run in it), and every
    cycle is still freed, by the GUI thread's timer."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", _APP], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    line = r.stdout.strip().splitlines()[-1]
    enabled, many_frozen, window_frozen, done, rest = line.split(" ", 4)
    assert (enabled, many_frozen, window_frozen, done) == ("False", "True", "True", "True")
    threads, rest = rest.split("]", 1)
    collections, freed, freed_in = rest.split(" ", 3)[1:]
    assert threads == "['MainThread'"  # every collection ran on the GUI thread
    assert int(collections) > 0
    assert int(freed) == 4000 and freed_in == "['MainThread']"


def test_giving_back_restores_the_automatic_collector(qtbot):
    """For a process that closes its window and goes on. The GUI tests' own collector
    (tests/gui/conftest.py, not frozen) is given back first, and taken again by the next
    test."""
    from gui.shell import collector
    from PySide6.QtCore import QObject
    collector.give_back()
    assert collector.running() is None and gc.isenabled()
    owner = QObject()
    thresholds = gc.get_threshold()
    try:
        running = collector.take_over(owner)
        assert collector.take_over(owner) is running  # while it runs
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        gc.set_threshold(1, 10, 10)  # other threads freeing objects must not hold it back
        gc.collect()
        before = list(running.collections)
        kept = [[] for _ in range(100)]  # allocations past threshold0
        qtbot.waitUntil(lambda: running.collections != before, timeout=2000)
    finally:
        gc.set_threshold(*thresholds)
        collector.give_back()
    assert collector.running() is None and gc.get_freeze_count() == 0
    assert gc.isenabled() and len(kept) > 0


def test_the_gui_tests_collect_on_their_gui_thread_only(qtbot):
    """tests/gui/conftest.py: a trainer thread's collection deadlocked a clean-clone run."""
    from gui.shell import collector
    assert collector.running() is not None and not gc.isenabled()
    assert gc.get_freeze_count() == 0  # the tests' windows come and go: nothing frozen
