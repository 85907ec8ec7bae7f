"""Plots stay legible whatever the numbers do: read-outs, log ticks, ranges that a NaN or an
exploding value cannot blow up, the divergence marked; in the loss plot and the health view."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from model.playground import Settings

from gui.plots import ranges
from gui.plots.loss_plot import LossPlot, diverged_epoch
from gui.views import health_view

WAIT_MS = 20_000


@pytest.mark.parametrize("value, text", [
    (6703166676.0, "6.7e9"), (3.2e-5, "3.2e\u22125"), (0.693147, "0.6931"), (12.345, "12.3"),
    (-0.5, "\u22120.5000"), (0.0, "0"), (math.nan, "–"), (math.inf, "diverged"),
    (-math.inf, "diverged"), (1e300, "1.0e300")])
def test_read_outs(value, text):
    assert ranges.format_value(value) == text


def test_read_out_after_a_divergence_says_so():
    assert ranges.format_value(0.25, diverged=True) == "diverged"
    assert ranges.format_percent(0.5) == "50.0%" and ranges.format_percent(math.nan) == "–"


@pytest.mark.parametrize("lo, hi", [(-12, 0), (-300, 300), (-5.3, -1.1), (-1.2, 0.3),
                                    (0.01, 0.4)])
def test_log_ticks_are_few_ordered_and_distinct(lo, hi):
    ticks = ranges.log_ticks(lo, hi)[0]
    positions = [p for p, _ in ticks]
    labels = [t for _, t in ticks]
    assert 1 <= len(ticks) <= ranges.MAX_TICKS
    assert positions == sorted(positions) and all(lo <= p <= hi for p in positions)
    assert len(set(labels)) == len(labels) and all(len(t) <= 6 for t in labels)
    for p, label in ticks:  # each label is the value at its position
        assert float(label.replace("\u2212", "-")) == pytest.approx(10 ** p, rel=1e-9)


def test_an_exploding_value_or_a_nan_never_sets_the_range():
    loss = np.array([0.7, 0.6, 0.5, 0.45, 0.4, 0.38, 0.37, 6e286, np.nan, np.inf])
    lo, hi, (cap,) = ranges.value_range([loss], log=False)
    assert lo == 0.0 and 0.7 <= hi < 10  # the history stays readable
    shown, clipped = ranges.drawn(loss, cap, log=False)
    assert clipped.tolist() == [False] * 7 + [True, False, True]
    assert np.all(shown[clipped] == cap) and cap <= hi
    lo, hi, _ = ranges.value_range([loss], log=True)
    assert math.log10(0.37) - 0.5 < lo and hi < 2  # log10 units
    # curves of very different sizes (gradient norms per layer) are not clipped to each other
    lo, hi, caps = ranges.value_range([np.full(5, 1e-6), np.full(5, 1.0)], log=True)
    assert lo < -6 and hi > 0 and not any(ranges.drawn(np.full(5, 1.0), caps[1], True)[1])


def snap(train, test=None, message=None, run_id=1):
    train = np.asarray(train, dtype=float)
    test = np.asarray(train if test is None else test, dtype=float)
    return SimpleNamespace(
        run_id=run_id, history_epoch=np.arange(1, len(train) + 1),
        history_train_loss=train, history_test_loss=test, running=False, message=message,
        metrics={"train_loss": float(train[-1]), "test_loss": float(test[-1]),
                 "train_accuracy": 0.5, "test_accuracy": 0.5},
        X_test=np.zeros((3, 2)))


def test_the_loss_plot_clips_an_explosion_and_marks_the_divergence(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    plot.show()
    message = ("training stopped at epoch 9: the loss became NaN or infinite in layer 2; "
               "weights restored to epoch 8. Try a smaller learning rate (now 10).")
    assert diverged_epoch(message) == 9
    history = [0.7, 0.6, 0.5, 0.45, 0.4, 0.38, 0.37, 6.7e9]
    plot.set_snapshot(snap(history, message=message))
    (x0, x1), (y0, y1) = plot.plot.getPlotItem().getViewBox().viewRange()
    assert y1 < 10 and x1 >= 9  # not 6.7e9: the first epochs stay readable
    assert plot.train_curve.yData.max() <= y1  # the explosion drawn at the top edge...
    mx, my = plot.clipped_marks.getData()
    assert list(mx) == [8.0, 8.0] and np.all(my <= y1)  # ...with a mark (train and test)
    assert [line.value() for line in plot._diverged_lines] == [9]
    assert plot.train_loss.text() == "diverged" and plot.test_loss.text() == "diverged"
    # the user carries on (no message): the numbers come back, the mark stays for the run
    plot.set_snapshot(snap(history[:7] + [0.36], message=None))
    assert plot.train_loss.text() == "0.3600"
    assert [line.value() for line in plot._diverged_lines] == [9]
    plot.set_snapshot(snap([0.7, 0.6], run_id=2))  # a new run: no mark
    assert plot._diverged_lines == []
    # log scale: a few decade ticks, none from the explosion
    plot.log_scale.setChecked(True)
    plot.set_snapshot(snap([1.0, 1e-3, 1e-6, 1e-9, 1e-12], run_id=3))
    ticks = plot.plot.getPlotItem().getAxis("left")._tickLevels[0]
    assert 2 <= len(ticks) <= ranges.MAX_TICKS
    # big values on a linear axis read briefly too
    plot.log_scale.setChecked(False)
    plot.set_snapshot(snap([2e300, 1e300], run_id=4))
    axis = plot.plot.getPlotItem().getAxis("left")
    labels = axis.tickStrings([1e300, 2e300], 1.0, 1e300)
    assert labels == ["1e300", "2e300"]


def test_the_legend_sits_outside_the_data(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    assert plot.plot.getPlotItem().legend is None  # nothing drawn over the curves
    assert [label.text().split("&nbsp;")[-1] for label in plot.legend_labels] == ["Train",
                                                                                  "Test"]


def test_the_health_view_after_a_nan(qtbot, make_window):
    window = make_window(Settings(dataset="plane", activation="relu", lr=1e6))
    view = health_view.install(window)
    view.dock.toggleViewAction().trigger()
    with qtbot.waitSignal(window.worker.diverged, timeout=WAIT_MS):
        window.play()
    layer = window.worker.call(lambda pg: pg.trainer.diverged_layer).result(timeout=20)
    qtbot.waitUntil(lambda: view.diverged_layer == layer, timeout=WAIT_MS)
    assert view.warnings[0].startswith(f"The loss became NaN: it started in layer {layer}")
    assert not any("Vanishing" in w for w in view.warnings)
    assert not any("Try ReLU" in w for w in view.warnings)  # a ReLU network
    for name, _, log in health_view.PLOTS:
        item = view.panel.plots[name]
        (x0, x1), (y0, y1) = item.getViewBox().viewRange()
        assert all(math.isfinite(v) for v in (x0, x1, y0, y1))
        if log:  # a few readable ticks, never 1e-300…1e300 smeared together
            assert y1 - y0 < 40
            assert len(item.getAxis("left")._tickLevels[0]) <= ranges.MAX_TICKS
        assert view._marks[name].isVisible() and view._marks[name].value() == \
            view.diverged_epoch
