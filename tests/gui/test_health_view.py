"""The gradient health panel on the real window: vanishing gradients in a deep sigmoid network,
dead ReLUs, and the layer where a divergence started."""
import numpy as np
import pytest

from gui.views import health_view
from model.lessons import health_recorder
from model.lessons.health import layer_health
from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def settle(qtbot, window):
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)


def open_health(qtbot, window):
    view = health_view.install(window)
    view.dock.toggleViewAction().trigger()
    qtbot.waitUntil(view.dock.isVisible, timeout=WAIT_MS)
    return view


def curve_data(view, name, layer):
    curve = view._curves[name][layer]
    return curve.xData, curve.yData  # as given to setData (getData is log-mapped)


def test_deep_sigmoid_network_warns_of_vanishing_gradients(qtbot, make_window):
    window = make_window(Settings(hidden=(4,) * 6, activation="sigmoid", init_scheme="uniform"))
    view = open_health(qtbot, window)
    for _ in range(3):
        window.step_epoch()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: any("Vanishing gradients" in w for w in view.warnings),
                    timeout=WAIT_MS)
    assert "Vanishing gradients" in view.panel.warnings.text()
    # one curve per layer, fed the observer's records; the latest point is what the engine
    # measures headless on the same sample of training rows
    assert len(view._curves["grad_norm"]) == 7
    def measure(pg):
        X = pg.trainer.X_train
        rows = np.sort(np.random.default_rng(0).permutation(len(X))[:health_recorder.SAMPLE_ROWS])
        return layer_health(pg.net.copy(), X[rows], pg.trainer.optimizer.update.copy())
    expected = in_worker(window, measure)
    qtbot.waitUntil(lambda: len(curve_data(view, "grad_norm", 0)[0]) >= 3, timeout=WAIT_MS)
    for l in (0, 6):
        x, y = curve_data(view, "grad_norm", l)
        assert y[-1] == pytest.approx(expected[l].grad_norm, rel=1e-9)
        assert x[-1] == 3
    x, y = curve_data(view, "update_ratio", 0)
    assert y[-1] == pytest.approx(expected[0].update_ratio, rel=1e-9)
    assert expected[0].grad_norm < 1e-3 * expected[6].grad_norm  # the claim itself
    # saturation is drawn for the sigmoid layers, the dead-ReLU plot has no curves
    assert all(c is not None for c in view._curves["saturated"])
    assert all(c is None for c in view._curves["dead"])
    # a short title that fits a narrow plot; the tooltip says why
    assert view.panel.plots["dead"].titleLabel.text.endswith(": none")
    assert "no relu layer" in view.panel.plots["dead"].getViewWidget().toolTip()


def test_dead_relus_are_reported(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 4), activation="relu", init_scheme="he"))
    view = open_health(qtbot, window)
    for j in range(4):  # every unit of hidden layer 1 outputs 0 for every input
        window.worker.set_bias(0, j, -100.0)
    window.step()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: any("Layer 1: 100% of its ReLUs are dead" in w
                                for w in view.warnings), timeout=WAIT_MS)
    assert "dead" in view.panel.warnings.text()
    x, y = curve_data(view, "dead", 0)
    assert y[-1] == 1.0
    expected = in_worker(window, lambda pg: layer_health(pg.net.copy(), pg.trainer.X_train,
                                                         pg.trainer.optimizer.update))
    x, y = curve_data(view, "dead", 1)  # fed nothing but zeros from layer 1: dead as well
    assert y[-1] == expected[1].dead
    assert view._curves["dead"][2] is None  # the sigmoid output has no dead-ReLU curve


def test_divergence_names_the_layer_where_it_started(qtbot, make_window):
    window = make_window(Settings(dataset="plane", activation="relu", lr=1000.0))
    view = open_health(qtbot, window)
    with qtbot.waitSignal(window.worker.diverged, timeout=WAIT_MS):
        window.play()
    layer = in_worker(window, lambda pg: pg.trainer.diverged_layer)
    assert layer is not None
    qtbot.waitUntil(lambda: view.diverged_layer == layer, timeout=WAIT_MS)
    text = view.panel.warnings.text()
    assert f"The loss became NaN: it started in layer {layer}" in text
    # a reset starts a new run: the warning goes with the old network's curves
    window.reset()
    settle(qtbot, window)
    window.step()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: view.diverged_layer is None, timeout=WAIT_MS)
    assert "NaN" not in view.panel.warnings.text()


class FakeClock:
    """perf_counter for the observer: each reading advances by ``tick`` seconds."""

    def __init__(self, tick):
        self.now, self.tick = 0.0, tick

    def perf_counter(self):
        self.now += self.tick
        return self.now


def test_measurements_are_spaced_by_twenty_times_their_cost(monkeypatch):
    from model.playground import Playground

    clock = FakeClock(0.01)  # a measurement "costs" one tick: start and end are two readings
    monkeypatch.setattr(health_recorder, "time", clock)
    pg = Playground(Settings(hidden=(4, 2)))
    obs = health_recorder.HealthRecorder()
    obs.on_new_run(pg)
    measured = []
    for _ in range(60):  # flat out: an epoch per call, the clock advancing by reading it
        pg.trainer.step_epoch()
        before = obs.version
        obs.on_epoch(pg)
        if obs.version != before:
            measured.append(clock.now)
    assert obs.measure_seconds == pytest.approx(0.01)
    gaps = np.diff(measured)
    # at most MAX_SHARE of the time: the next one is due 0.01 / 0.05 = 0.2 s after the last
    assert len(measured) >= 3 and np.all(gaps >= 0.2 - 1e-9)
    assert len(obs.copy().epochs) == len(measured) < 60
    obs.on_step(pg)  # a discrete step is measured at once, unless nothing moved since
    pg.trainer.step_batch()
    before = obs.version
    obs.on_step(pg)
    assert obs.version == before + 1
    obs.on_step(pg)
    assert obs.version == before + 1


def test_history_clears_and_curves_follow_a_new_architecture(qtbot, make_window):
    window = make_window(Settings(hidden=(4, 2)))
    view = open_health(qtbot, window)
    window.step_epoch()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: view.observer.copy().epochs.size >= 1, timeout=WAIT_MS)
    assert len(view._curves["grad_norm"]) == 3
    before = list(view._curves["grad_norm"])
    run = view.observer.run
    window.update_settings(hidden=(3,))
    settle(qtbot, window)
    qtbot.waitUntil(lambda: view.observer.run > run, timeout=WAIT_MS)
    assert view.observer.copy().epochs.size == 0
    qtbot.waitUntil(lambda: len(view._curves["grad_norm"]) == 2, timeout=WAIT_MS)
    # the same plot items shown again (made once), the third layer's hidden and empty
    assert view._curves["grad_norm"] == before[:2]
    assert not before[2].isVisible() and (before[2].xData is None or len(before[2].xData) == 0)
    items = view.panel.plots["grad_norm"].listDataItems()
    assert sum(item.isVisible() for item in items if item in before) == 2
    assert view.panel.warnings.text().startswith("No measurements yet")
