"""Pause points (model/pause_points.py): long computations let a busy window go first."""
import json
import threading

import numpy as np

from model.core.network import Network
from model.lessons import landscape
from model.lessons.gradcheck import gradient_check
from model.files.reading import PAUSE_EVERY, json_loads
from model.pause_points import hooked, pause_point, pausing_with


def test_a_pause_point_runs_only_the_hook_its_own_thread_set():
    calls = []
    pause_point()  # no hook: nothing happens
    with pausing_with(lambda: calls.append("outer")):
        pause_point()
        with pausing_with(lambda: calls.append("inner")):
            pause_point()
        pause_point()  # the outer hook is back
        other = threading.Thread(target=pause_point)  # another thread has none
        other.start()
        other.join()
    pause_point()
    assert calls == ["outer", "inner", "outer"]


def test_the_loss_surface_pauses_between_its_chunks(monkeypatch):
    net = Network([3, 4, 2], ["tanh", "linear"])
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    thetas = net.params[None] + rng.normal(scale=0.1, size=(30, net.n_params))
    whole = landscape.batched_losses(net, thetas, X, Y, "mse")
    # chunks of 40 floats: 10 rows × 4 (the widest layer) → one parameter vector each
    monkeypatch.setattr(landscape, "CHUNK_FLOATS", 40)
    calls = []
    with pausing_with(lambda: calls.append(1)):
        chunked = landscape.batched_losses(net, thetas, X, Y, "mse")
    assert len(calls) == 30
    np.testing.assert_allclose(chunked, whole, rtol=1e-12)


def test_the_gradient_check_pauses_before_each_parameter():
    net = Network([2, 3, 1], ["tanh", "sigmoid"])
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 2)), rng.uniform(size=(5, 1))
    seen = []
    with pausing_with(lambda: seen.append(net.params.copy())):
        result = gradient_check(net, X, Y, "mse")
    assert len(seen) == net.n_params  # 2·3 + 3 + 3·1 + 1
    assert all(np.array_equal(p, seen[0]) for p in seen)  # never mid-perturbation
    assert result.passed


def test_a_big_json_document_is_parsed_with_a_pause_point_every_few_thousand_numbers():
    """The window's file reader parses sessions with a hook set: every PAUSE_EVERY numbers
    (ints and floats alike) it may let the GUI thread go first. Without a hook (the command
    line, a notebook) the same document parses the same, with no pause point."""
    numbers = list(range(3 * PAUSE_EVERY)) + [k / 7 for k in range(2 * PAUSE_EVERY + 5)]
    text = json.dumps({"ints_then_floats": numbers, "name": "no number here"})
    calls = []
    assert not hooked()
    plain = json_loads(text)
    with pausing_with(lambda: calls.append(1)):
        assert hooked()
        paused = json_loads(text)
    assert len(calls) == len(numbers) // PAUSE_EVERY == 5
    assert paused == plain == json.loads(text)
