"""What the views receive from the worker thread is frozen data: no live engine object
(Trainer, Network, Playground, PhaseStepper, optimizer, timeline) and no writable numpy array
ever reaches the GUI thread. Every ``worker.call`` result a view's relay delivers is walked."""
import dataclasses
from types import MappingProxyType

import numpy as np
import pytest

from gui.shell.docks import FutureRelay
from gui.views import (examples_menu, gradcheck_view, health_view, inspector, landscape_view,
                       lesson, point_view, runs_view, timeline_view)
from model.core.network import Network
from model.core.optimizers import Optimizer, Regularizer
from model.core.trainer import Trainer
from model.lessons.phases import LessonSteppers, PhaseStepper
from model.lessons.health import HealthHistory
from model.lessons.health_recorder import HealthRecorder
from model.lessons.landscape import PathRecorder
from model.lessons.recorder import TimelineRecorder
from model.lessons.runs import Run, RunLog
from model.lessons.timeline import Timeline
from model.playground import Playground, Settings
from tests.gui.conftest import WAIT_MS

LIVE = (Trainer, Network, Playground, PhaseStepper, LessonSteppers, Optimizer, Regularizer,
        Timeline, TimelineRecorder, PathRecorder, Run, RunLog, HealthRecorder, HealthHistory)
PLAIN = (str, bytes, int, float, complex, bool, type(None), np.generic)


def problems(obj, path="result") -> list[str]:
    """Why ``obj`` is not frozen data: a live engine object, a writable array (or a read-only
    view of a writable one), a mutable container or dataclass, or anything unexpected."""
    if isinstance(obj, PLAIN):
        return []
    if isinstance(obj, LIVE):
        return [f"{path}: a live {type(obj).__name__}"]
    if isinstance(obj, np.ndarray):
        base = obj.base
        if obj.flags.writeable or (isinstance(base, np.ndarray) and base.flags.writeable):
            return [f"{path}: a writable array {obj.shape}"]
        return [] if obj.dtype != object else [f"{path}: an object array"]
    if isinstance(obj, (tuple, frozenset)):
        return [p for k, v in enumerate(obj) for p in problems(v, f"{path}[{k}]")]
    if isinstance(obj, MappingProxyType):
        return [p for k, v in obj.items() for p in problems(v, f"{path}[{k!r}]")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = [] if obj.__dataclass_params__.frozen else [f"{path}: a mutable "
                                                          f"{type(obj).__name__}"]
        return out + [p for f in dataclasses.fields(obj)
                      for p in problems(getattr(obj, f.name), f"{path}.{f.name}")]
    return [f"{path}: a mutable or unexpected {type(obj).__name__}"]


def test_the_walker_finds_what_must_not_cross():
    pg = Playground(Settings())
    ro = np.zeros(3)
    ro.flags.writeable = False
    view = np.zeros(3).view()
    view.flags.writeable = False
    assert problems((1, "a", ro, MappingProxyType({"k": (2.0, None)}), Settings())) == []
    assert problems(pg) == ["result: a live Playground"]
    assert problems({"t": 1}) == ["result: a mutable or unexpected dict"]
    assert problems(MappingProxyType({"w": np.zeros(2)})) == ["result['w']: a writable array (2,)"]
    assert problems((view,)) == ["result[0]: a writable array (3,)"]  # its base is writable
    stepper = PhaseStepper(pg.trainer)
    assert problems(stepper.phases[0]) == []
    assert problems((stepper,)) == ["result[0]: a live PhaseStepper"]

    @dataclasses.dataclass
    class Loose:
        trainer: object
    assert problems(Loose(pg.trainer)) == ["result: a mutable Loose", "result.trainer: a live Trainer"]


@pytest.fixture
def delivered(monkeypatch):
    """(view, tag, future) of every worker.call result a view's relay hands to the GUI."""
    seen = []
    watch = FutureRelay.watch

    def recording(self, future, tag=None):
        seen.append((type(self.parent()).__name__, tag, future))
        watch(self, future, tag)
    monkeypatch.setattr(FutureRelay, "watch", recording)
    return seen


def test_a_lesson_build_hands_the_gui_only_frozen_data(qtbot, window, delivered):
    ctl = lesson.install(window)
    window.step()
    qtbot.waitUntil(lambda: window.latest_snapshot.steps == 1, timeout=WAIT_MS)
    ctl.start()
    qtbot.waitUntil(lambda: ctl.build is not None and not ctl._busy, timeout=WAIT_MS)
    build = ctl.build
    assert problems(build, "build") == []
    assert len(build.phases) == 8 and isinstance(build.token, int)
    assert all(not p.z.flags.writeable for p in build.phases if p.kind == "forward")
    # the stepper stays in the worker, under the build's token
    held = window.worker.call(lambda pg: (len(ctl.steppers), build.token in ctl.steppers._live)
                              ).result(timeout=WAIT_MS / 1000)
    assert held == (1, True)
    ctl.discard()
    qtbot.waitUntil(lambda: window.worker.call(lambda pg: len(ctl.steppers)).result() == 0,
                    timeout=WAIT_MS)
    ctl.start(rows=[4])  # one example: Apply goes through the worker by token
    qtbot.waitUntil(lambda: ctl.build is not None and ctl.build.single and not ctl._busy,
                    timeout=WAIT_MS)
    future = ctl.apply(leave=True)
    assert future.result(timeout=WAIT_MS / 1000) is None
    results = [(view, tag, f.result(timeout=WAIT_MS / 1000)) for view, tag, f in delivered]
    assert {tag for _, tag, _ in results} == {"build", "apply"}
    for view, tag, result in results:
        assert problems(result, f"{view} {tag}") == []


def test_every_view_receives_frozen_data(qtbot, window, delivered):
    for _ in range(3):
        window.step()
    qtbot.waitUntil(lambda: window.latest_snapshot.steps == 3, timeout=WAIT_MS)
    ins = inspector.install(window)
    ins.dock.toggleViewAction().trigger()
    ins.select(1, 2, 0)
    qtbot.waitUntil(lambda: ins.result is not None, timeout=WAIT_MS)
    points = point_view.install(window)
    points.select("train", 3)
    qtbot.waitUntil(lambda: points.info is not None, timeout=WAIT_MS)
    check = gradcheck_view.install(window)
    with qtbot.waitSignal(check.checked, timeout=WAIT_MS):
        check.action.trigger()
    history = timeline_view.install(window)
    history.refresh()
    entries = history.entries
    assert len(entries) >= 2 and problems(tuple(entries), "entries") == []
    history.show_moment(1)
    qtbot.waitUntil(lambda: history.shown is not None, timeout=WAIT_MS)
    history.resume_here()
    qtbot.waitUntil(lambda: history.live, timeout=WAIT_MS)
    examples = examples_menu.install(window)
    examples.load(examples_menu.EXAMPLES[0])
    qtbot.waitUntil(lambda: examples.loading is None, timeout=WAIT_MS)
    seen = {view for view, _, _ in delivered}
    assert {"ChainRuleInspector", "PointView", "GradientCheckView", "TimelineView",
            "WorkedExamples"} <= seen
    for view, tag, future in delivered:
        result = future.result(timeout=WAIT_MS / 1000)
        assert problems(result, f"{view} {tag}") == [], (view, tag)


def test_the_landscape_and_the_runs_receive_only_frozen_data(qtbot, window, delivered):
    for _ in range(3):
        window.step()
    qtbot.waitUntil(lambda: window.latest_snapshot.steps == 3, timeout=WAIT_MS)
    land = landscape_view.install(window)
    window.views.show_dock(land.dock)
    for kind in ("weights", "random", "pca"):
        frames = land.frames
        land.set_kind(kind)
        qtbot.waitUntil(lambda: land.frames > frames and not land._busy, timeout=WAIT_MS)
    assert land.frame.request.kind == "pca" and problems(land.frame, "frame") == []
    land.open_lesson()
    qtbot.waitUntil(lambda: land.lesson is not None, timeout=WAIT_MS)
    assert problems(land.lesson, "lesson") == []
    runs = runs_view.install(window)
    runs.run_preset(epochs=2).result(timeout=WAIT_MS / 1000)
    qtbot.waitUntil(lambda: runs.busy is None, timeout=WAIT_MS)
    runs.duplicate(1, "lr", 0.1, train=False).result(timeout=WAIT_MS / 1000)
    qtbot.waitUntil(lambda: runs.busy is None, timeout=WAIT_MS)
    seen = {view for view, _, _ in delivered}
    assert {"LandscapeView", "RunsView"} <= seen
    for view, tag, future in delivered:
        result = future.result(timeout=WAIT_MS / 1000)
        assert problems(result, f"{view} {tag}") == [], (view, tag)
    # what the Runs panel reads, it copies under the log's lock in the GUI thread: no live
    # run, and every curve read-only
    for v in runs.log.snapshot():
        assert not isinstance(v, Run)
        assert all(not a.flags.writeable for a in v.columns.values())


def test_the_health_panel_gets_a_frozen_copy(qtbot, window):
    """The gradient-health recorder runs in the worker thread; what the panel draws is its
    copy: read-only arrays (not views of the recorder's own), no list, no live object."""
    view = health_view.install(window)
    for _ in range(3):
        window.step_epoch()
    qtbot.waitUntil(lambda: view.observer.copy().epochs.size >= 3, timeout=WAIT_MS)
    copy = view.observer.copy()
    assert problems(copy, "copy") == []
    assert copy.series["grad_norm"].shape == (copy.epochs.size, 3)
    assert isinstance(copy.latest, tuple) and len(copy.latest) == 3
    # a copy, not a view: the recorder may append and thin while the GUI draws this one
    assert all(not np.shares_memory(copy.series[name], view.observer.history._values)
               for name in copy.series)
