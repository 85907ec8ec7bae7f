"""The engine side of 'backprop made visible': chain rule, phases, health, timeline."""
import numpy as np
import pytest

from model import Network, load_network
from model.lessons.chain_rule import chain_rule
from model.lessons.health import HealthHistory, LayerHealth, layer_health, warnings_for
from model.core.optimizers import Regularizer, make_optimizer
from model.lessons.phases import PhaseStepper
from model.playground import Playground, Settings
from model.lessons.timeline import Timeline
from tests.model.test_tutorials import EXAMPLES


def test_chain_rule_factors_of_the_classic_example_match_the_tutorial():
    net = load_network(EXAMPLES / "classic_2_2_2.json")
    X, Y = [[0.05, 0.10]], [[0.01, 0.99]]
    w5 = chain_rule(net, X, Y, "mse", layer=1, i=0, j=0)
    # the tutorial: ∂E/∂out_o1 = 0.74136507, ∂out/∂net = 0.186815602, ∂net/∂w5 = 0.593269992
    assert w5.dC_da[0] == pytest.approx(0.74136507, abs=1e-8)
    assert w5.fprime[0] == pytest.approx(0.186815602, abs=1e-9)
    assert w5.source[0] == pytest.approx(0.593269992, abs=1e-9)
    assert w5.gradient == pytest.approx(0.082167041, abs=1e-9)
    w1 = chain_rule(net, X, Y, "mse", layer=0, i=0, j=0)
    # ∂E/∂out_h1 = 0.036350306, ∂out_h1/∂net_h1 = 0.241300709, ∂net_h1/∂w1 = 0.05
    assert w1.dC_da[0] == pytest.approx(0.036350306, abs=1e-9)
    assert w1.fprime[0] == pytest.approx(0.241300709, abs=1e-9)
    assert w1.gradient == pytest.approx(0.000438568, abs=1e-9)
    # the two downstream paths from h1: through o1 and through o2
    assert [t.k for t in w1.downstream] == [0, 1]
    assert sum(t.term for t in w1.downstream) == pytest.approx(w1.dC_da[0])


@pytest.mark.parametrize("hidden,output,loss", [
    ("sigmoid", "sigmoid", "mse"), ("tanh", "sigmoid", "bce"), ("relu", "softmax", "cce"),
    ("tanh", "softmax", "mse"), ("relu", "linear", "mse")])
def test_chain_rule_product_equals_the_engine_gradient(hidden, output, loss):
    rng = np.random.default_rng(1)
    k = 3 if output == "softmax" else 1
    net = Network.from_sizes([2, 4, 3, k], hidden=hidden, output=output, seed=4)
    X = rng.normal(size=(6, 2))
    Y = rng.integers(0, k, 6) if loss == "cce" else rng.integers(0, 2, (6, k)).astype(float)
    for layer, i, j in [(0, 1, 2), (0, None, 3), (1, 3, 1), (2, 2, k - 1), (2, None, 0)]:
        cr = chain_rule(net, X, Y, loss, layer, i, j)
        assert cr.gradient == pytest.approx(cr.trainer_gradient, rel=1e-12, abs=1e-15)
        _, grads = net.loss_and_gradients(X, Y, loss)
        engine = grads[layer][1][j] if i is None else grads[layer][0][i][j]
        assert cr.gradient == pytest.approx(engine, rel=1e-12, abs=1e-15)
        if output != "softmax" or layer < 2:
            assert np.allclose(cr.delta, cr.fprime * cr.dC_da)
        else:  # softmax couples the outputs: the listed terms add up to delta
            assert sum(t.term for t in cr.downstream) == pytest.approx(cr.delta.mean())


def test_next_update_terms_match_the_optimizers():
    net = Network.from_sizes([2, 3, 1], seed=0)
    X, Y = np.array([[0.5, -1.0]]), np.array([[1.0]])
    for name in ("sgd", "momentum", "adam"):
        opt = make_optimizer(name, net.n_params, 0.1)
        reg = Regularizer("l2", 0.01, net.weight_mask)
        cr = chain_rule(net, X, Y, "mse", 0, 1, 2, optimizer=opt, regularizer=reg)
        from model.core.optimizers import apply_step
        params = net.params.copy()
        apply_step(params, net.grads.copy(), opt, reg)
        idx = net.param_index(0, 1, 2)
        assert params[idx] - net.params[idx] == pytest.approx(cr.update["delta_w"], rel=1e-9)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_phase_stepping_applied_equals_a_normal_step_and_discarded_changes_nothing(optimizer):
    settings = Settings(dataset="xor", hidden=(4, 3), optimizer=optimizer, batch_size=8, seed=2)
    a, b = Playground(settings), Playground(settings)
    a.trainer.step_batch(); b.trainer.step_batch()
    stepper = PhaseStepper(a.trainer)
    kinds = [p.kind for p in stepper.phases]
    assert kinds == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["update"]
    while stepper.index < len(stepper.phases) - 1:
        stepper.next()
    stepper.previous(); stepper.next()
    assert np.array_equal(a.net.params, b.net.params)  # walking the phases changed nothing
    stepper.discard()
    assert np.array_equal(a.net.params, b.net.params)
    expected_change = np.concatenate([np.concatenate([w.ravel(), c]) for w, c in
                                      zip(stepper.current.delta_W, stepper.current.delta_b)])
    stepper.apply()
    b.trainer.step_batch()
    assert np.array_equal(a.net.params, b.net.params)
    assert a.trainer.steps == b.trainer.steps == 2
    assert np.allclose(a.net.params - stepper.predicted_params, 0, atol=1e-15)
    assert np.allclose(expected_change, a.trainer.optimizer.update, atol=1e-15)


def test_phase_stepping_one_example():
    pg = Playground(Settings(dataset="circle", hidden=(3,), batch_size=10))
    stepper = PhaseStepper(pg.trainer, rows=[5])
    assert stepper.phases[0].a.shape == (1, 3)
    position = pg.trainer.position
    stepper.apply()
    assert np.allclose(pg.net.params, stepper.predicted_params, atol=1e-15)
    assert pg.trainer.position == position


def test_health_detects_dead_relus_saturation_and_vanishing_gradients():
    X = np.random.default_rng(0).normal(size=(50, 2))
    dead = Network.from_sizes([2, 4, 1], hidden="relu", output="sigmoid", seed=0)
    dead.layers[0].b[:] = -100.0
    dead.loss_and_gradients(X, np.ones((50, 1)), "mse")
    h = layer_health(dead, X, np.zeros(dead.n_params))
    assert h[0].dead == 1.0 and any("dead" in w for w in warnings_for(h))
    sat = Network.from_sizes([2, 4, 1], hidden="tanh", output="sigmoid", seed=0)
    sat.layers[0].W[:] *= 100
    sat.loss_and_gradients(X, np.ones((50, 1)), "mse")
    assert layer_health(sat, X, np.zeros(sat.n_params))[0].saturated > 0.8
    # a confident sigmoid output under bce passes its gradient on (δ = a − y): not saturated
    sure = Network.from_sizes([2, 1], output="sigmoid", seed=0)
    sure.layers[0].W[:] = 100.0
    sure.loss_and_gradients(X, np.ones((50, 1)), "bce")
    assert layer_health(sure, X, np.zeros(sure.n_params))[0].saturated > 0.8
    assert layer_health(sure, X, np.zeros(sure.n_params), loss="bce")[0].saturated == 0.0
    deep = Network.from_sizes([2] + [6] * 8 + [1], hidden="sigmoid", output="sigmoid", init="uniform", seed=0)
    deep.loss_and_gradients(X, np.ones((50, 1)), "mse")
    hd = layer_health(deep, X, np.zeros(deep.n_params))
    assert any("Vanishing" in w for w in warnings_for(hd))
    assert any("layer 3" in w for w in warnings_for(hd, diverged_layer=3))
    history = HealthHistory(max_records=10)
    for e in range(100):
        history.append(e, hd)
    assert len(history.epochs) <= 10 and history.series("grad_norm").shape[1] == 9


def _fake_health(layers: int, k: float):
    return [LayerHealth(l, k + l, k / 10 + l, 0.01 * l, 0.02 * l) for l in range(layers)]


def test_health_history_is_bounded_in_numpy_arrays_dense_at_both_ends():
    history = HealthHistory(max_records=400, keep_first=20, keep_last=100)
    for e in range(1, 401):
        history.append(float(e), _fake_health(3, e))
    nbytes = history._values.nbytes + history._x.nbytes
    for e in range(401, 20_001):  # fifty times as many records as fit
        history.append(float(e), _fake_health(3, e))
    assert len(history) <= 400
    assert history._values.nbytes + history._x.nbytes == nbytes  # nothing grows
    epochs = history.epochs
    assert list(epochs[:20]) == list(range(1, 21))  # the start stays dense...
    assert list(epochs[-100:]) == list(range(19_901, 20_001))  # ...and so does the end
    assert np.all(np.diff(epochs) > 0) and epochs[-1] == 20_000
    # every kept record is the one appended at that x (thinning moves whole records)
    grad = history.series("grad_norm")
    np.testing.assert_array_equal(grad[:, 0], epochs)
    np.testing.assert_array_equal(grad[:, 2], epochs + 2)
    np.testing.assert_array_equal(history.series("dead")[:, 1], np.full(len(history), 0.02))
    assert history.latest() == tuple(_fake_health(3, 20_000))
    # read-only views: nobody outside can change the record
    with pytest.raises(ValueError):
        history.series("saturated")[0, 0] = 1.0
    with pytest.raises(ValueError):
        history.epochs[0] = 5.0
    # another architecture starts a new record
    history.append(20_001.0, _fake_health(2, 1.0))
    assert len(history) == 1 and history.series("grad_norm").shape == (1, 2)
    history.clear()
    assert len(history) == 0 and history.latest() == ()


def test_timeline_restores_exact_weights_resumes_identically_and_stays_bounded():
    settings = Settings(dataset="spiral", hidden=(5, 5), optimizer="adam", batch_size=16)
    pg = Playground(settings)
    timeline = Timeline(capacity=30, keep_first=10)
    saved = {}
    for epoch in range(1, 301):
        pg.trainer.step_epoch()
        timeline.record(pg.trainer)
        saved[epoch] = pg.net.params.copy()
        assert len(timeline) <= 30
    epochs = [e.epoch for e in timeline.entries]
    assert epochs[:10] == list(range(1, 11)) and epochs[-1] == 300  # dense start, newest kept
    bytes_300 = timeline.nbytes()
    for epoch in range(301, 601):
        pg.trainer.step_epoch()
        timeline.record(pg.trainer)
        saved[epoch] = pg.net.params.copy()
    assert timeline.nbytes() <= bytes_300 * 1.1  # memory bounded over a long run
    assert [e.epoch for e in timeline.entries][:10] == list(range(1, 11))
    index = 12
    entry = timeline.restore(pg.trainer, index)
    assert 10 < entry.epoch < 600 and len(timeline) == 13
    assert np.array_equal(pg.net.params, saved[entry.epoch])
    assert len(pg.trainer.history) == entry.epoch
    # resuming from the snapshot reaches what uninterrupted training reached
    ref = Playground(settings)
    ref.trainer.train(entry.epoch + 5)
    pg.trainer.train(5)
    assert np.array_equal(pg.net.params, ref.net.params)
