"""Every optimizer and regularizer moves weights exactly as its formula says."""
import numpy as np
import pytest

from model.core.optimizers import Regularizer, apply_step, make_optimizer

W = np.array([0.5, -0.2, 0.001, 0.3, 0.0])
G = np.array([0.1, -0.4, 0.2, 0.0, 0.05])
MASK = np.array([1.0, 1.0, 1.0, 1.0, 0.0])  # the last entry is a bias


def run(name, steps=1, reg=None, rate=0.0, grads=G, lr=0.1, **kw):
    params = W.copy()
    opt = make_optimizer(name, len(W), lr, **kw)
    r = Regularizer(reg, rate, MASK) if reg else None
    for _ in range(steps):
        apply_step(params, grads, opt, r)
    return params, opt


def test_sgd():
    params, opt = run("sgd")
    assert np.allclose(params, W - 0.1 * G, rtol=0, atol=1e-15)
    assert np.allclose(opt.update, -0.1 * G, atol=1e-15)


def test_momentum_two_steps():
    params, opt = run("momentum", steps=2, momentum=0.9)
    v1 = -0.1 * G
    v2 = 0.9 * v1 - 0.1 * G
    assert np.allclose(params, W + v1 + v2, atol=1e-15)
    assert np.allclose(opt.state()["velocity"], v2)


def test_adam_three_steps_against_the_paper():
    params, opt = run("adam", steps=3)
    m = v = np.zeros_like(W)
    w = W.copy()
    for t in range(1, 4):
        m = 0.9 * m + 0.1 * G
        v = 0.999 * v + 0.001 * G ** 2
        w = w - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    assert np.allclose(params, w, rtol=0, atol=1e-12)
    # the first Adam step moves every weight with a gradient by about lr
    p1, _ = run("adam", steps=1)
    assert np.allclose(np.abs(p1 - W)[G != 0], 0.1, rtol=1e-6)


def test_l2_uses_the_weight_before_the_step_and_spares_biases():
    params, _ = run("sgd", reg="l2", rate=0.5)
    expected = W - 0.1 * G - 0.1 * 0.5 * W * MASK
    assert np.allclose(params, expected, atol=1e-15)
    assert params[-1] == W[-1] - 0.1 * G[-1]  # bias: no regularization


def test_l1_sign_flip_becomes_exactly_zero():
    # weight 0.001 with gradient 0.2: gradient step → −0.019; L1 term −lr·λ·sign(0.001) = −0.05
    # would give −0.069 from −0.019: same sign, kept. Weight 0.3 with no gradient: 0.3 − 0.05.
    params, _ = run("sgd", reg="l1", rate=0.5)
    assert params[2] == pytest.approx(0.001 - 0.02 - 0.05)
    assert params[3] == pytest.approx(0.3 - 0.05)
    # now a weight the L1 term pushes across zero: 0.02, no gradient, lr·λ = 0.05 → exactly 0
    params = np.array([0.02, -0.03, 0.0])
    opt = make_optimizer("sgd", 3, 0.1)
    apply_step(params, np.zeros(3), opt, Regularizer("l1", 0.5, np.ones(3)))
    assert params[0] == 0.0 and params[1] == 0.0 and params[2] == 0.0
    assert np.allclose(opt.update, [-0.02, 0.03, 0.0])


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        make_optimizer("rmsprop", 3)
    with pytest.raises(ValueError, match="unknown regularization"):
        Regularizer("l3", 0.1, MASK)
