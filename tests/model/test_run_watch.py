"""Run watch: runs that go wrong without a NaN (exploding, stuck, dead), on the examples of the
issues, and healthy runs it must leave alone."""
import math

import numpy as np
import pytest

from model.lessons.health import LayerHealth, warnings_for
from model.lessons.run_watch import RunWatch, constant_guess_loss
from model.playground import Playground, Settings


def watch_run(settings: Settings, epochs: int):
    """Train headless, measuring after every epoch: (findings per epoch, watch, playground)."""
    pg = Playground(settings)
    watch = RunWatch(max_share=None)  # measure every epoch: deterministic
    watch.start(pg.trainer)
    found = []
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            pg.trainer.step_epoch()
            assert not pg.trainer.diverged  # these runs never produce a NaN
            found.append(watch.observe(pg.trainer))
    return found, watch, pg


def kinds(found):
    return [f.kind if f else None for f in found]


def test_relu_with_adam_at_a_huge_rate_is_exploding():
    found, watch, pg = watch_run(Settings(activation="relu", optimizer="adam", lr=1e6), 30)
    assert kinds(found)[-1] == "exploding" and kinds(found).index("exploding") <= 5
    # what the issue measured: weights in the millions, a loss near 1e5, and no NaN
    assert np.abs(pg.net.params).max() > 1e6 and pg.trainer.history.train_loss[-1] > 1e3
    assert "learning rate" in found[-1].message and "1e+06" in found[-1].message
    assert found[-1].line().startswith("exploding weights: ")


def test_l1_at_rate_1e6_is_stuck_and_blames_the_penalty():
    found, _, pg = watch_run(Settings(regularization="l1", reg_rate=1e6), 60)
    assert set(kinds(found)[5:]) == {"stuck"}
    message = found[-1].message
    assert "regularization rate" in message and "lr·λ = 3e+04" in message
    # the loss sits at a constant guess's level: ln 2 for the balanced circle
    assert np.median(pg.trainer.history.train_loss[-20:]) == pytest.approx(math.log(2), abs=0.01)


@pytest.mark.parametrize("dataset", ["circle", "spiral"])
def test_relu_at_rate_10_is_dead(dataset):
    found, watch, pg = watch_run(Settings(dataset=dataset, activation="relu", lr=10.0), 20)
    assert set(kinds(found)[5:]) == {"dead"}
    message = found[-1].message
    assert "every ReLU of layer 2 outputs 0" in message and "tanh instead of ReLU" in message
    # independently: the output is the same for every training row
    out = pg.net.predict(pg.trainer.X_train)
    assert np.ptp(out) == 0.0


@pytest.mark.parametrize("settings", [
    Settings(),
    Settings(dataset="spiral", hidden=(8, 8), optimizer="adam",
             features=("x1", "x2", "sin_x1", "sin_x2")),
    Settings(dataset="xor", activation="relu"),
    Settings(dataset="plane"),
    Settings(dataset="multi_gaussian"),
    Settings(dataset="blobs"),
    Settings(activation="sigmoid", lr=3.0),
    Settings(regularization="l2", reg_rate=0.03),
    Settings(dataset="moons", activation="relu", optimizer="adam"),
    Settings(dataset="spiral_arms", n_classes=4, hidden=(8, 8)),  # slow, but learning
], ids=["circle", "spiral", "xor-relu", "plane", "multi-gaussian", "blobs", "sigmoid-lr3",
        "l2", "moons-adam", "spiral-arms-4"])
def test_healthy_runs_are_left_alone(settings):
    found, _, _ = watch_run(settings, 150)
    assert kinds(found) == [None] * 150


def test_a_plateau_at_a_constant_guess_says_why():
    # a linear model cannot separate a circle: no better than guessing, steps of normal size
    found, _, _ = watch_run(Settings(hidden=()), 40)
    assert found[-1].kind == "stuck" and "may not be able to fit" in found[-1].message
    # a tiny learning rate: the weights barely move
    found, _, _ = watch_run(Settings(lr=1e-5), 40)
    assert found[-1].kind == "stuck" and "raise the learning rate" in found[-1].message


def test_watching_changes_nothing():
    pg = Playground(Settings(activation="relu", lr=10.0))
    for _ in range(3):
        pg.trainer.step_epoch()
    t = pg.trainer
    before = (t.net.params.copy(), t.net.grads.copy(), t.optimizer.update.copy(), t.epoch,
              t.position, t.rng.bit_generator.state, list(t.history.train_loss))
    watch = RunWatch(max_share=None)
    watch.start(t)
    watch.observe(t)
    after = (t.net.params, t.net.grads, t.optimizer.update, t.epoch, t.position,
             t.rng.bit_generator.state, list(t.history.train_loss))
    for a, b in zip(before, after):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b


def test_the_measurements_keep_to_their_share_of_the_time():
    pg = Playground(Settings())
    watch = RunWatch(max_share=0.05)
    watch.start(pg.trainer)
    for _ in range(200):  # no training in between: at 5 % the watch measures rarely
        pg.trainer.position += 1  # a new moment each call, so only the budget can skip one
        watch.observe(pg.trainer)
    assert 1 <= len(watch.records) < 50
    n = len(watch.records)
    pg.trainer.position += 1
    watch.observe(pg.trainer, force=True)
    assert len(watch.records) == n + 1


def test_constant_guess_loss_is_computed_from_the_class_shares():
    pg = Playground(Settings(dataset="xor"))
    y = pg.trainer.Y_train[:, 0]
    p = y.mean()
    expected = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    assert constant_guess_loss(pg.trainer) == pytest.approx(expected, rel=1e-9)
    reg = Playground(Settings(dataset="plane"))
    Y = reg.trainer.Y_train
    assert constant_guess_loss(reg.trainer) == pytest.approx(
        0.5 * np.sum((Y - Y.mean(axis=0)) ** 2) / len(Y), rel=1e-9)
    multi = Playground(Settings(dataset="blobs", n_classes=4))
    shares = multi.trainer.Y_train.mean(axis=0)
    assert constant_guess_loss(multi.trainer) == pytest.approx(
        -np.sum(shares * np.log(shares)), rel=1e-9)


def _health(layer, grad, ratio=0.001, saturated=0.0, dead=0.0):
    return LayerHealth(layer, grad, ratio, saturated, dead)


def test_health_advice_never_contradicts_itself():
    vanishing = [_health(0, 1e-6), _health(1, 1e-4), _health(2, 1.0)]
    # a ReLU network is never told to try ReLU; a sigmoid one is
    relu = warnings_for(vanishing, activations=("relu", "relu", "sigmoid"))
    sig = warnings_for(vanishing, activations=("sigmoid", "sigmoid", "sigmoid"))
    assert any("Vanishing" in w for w in relu) and not any("Try ReLU" in w for w in relu)
    assert any("Try ReLU" in w for w in sig)
    # exploding somewhere (here the output layer, 1e6 times layer 1): not also "vanishing"
    exploding = [_health(0, 1e-3), _health(1, 1e-2), _health(2, 1e3)]
    words = warnings_for(exploding, activations=("tanh", "tanh", "sigmoid"))
    assert any("Exploding" in w for w in words) and not any("Vanishing" in w for w in words)
    # after a NaN: where it started, and nothing about gradients vanishing or stalling
    after_nan = warnings_for([_health(0, 0.0), _health(1, 0.0), _health(2, 0.0)],
                             diverged_layer=2, activations=("relu", "relu", "sigmoid"))
    assert after_nan[0].startswith("The loss became NaN: it started in layer 2")
    assert not any("Vanishing" in w or "stalled" in w for w in after_nan)
