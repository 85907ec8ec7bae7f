"""The new activations (leaky ReLU, ELU, softplus, SiLU, GELU-tanh): each formula against an
independent scalar computation, each derivative against centred differences, a whole network's
backprop against the gradient check, the chain-rule inspector's f′ column, the names (and a
leaky ReLU's slope) through weights files, ONNX (onnxruntime, 1e-6) and the standalone .py."""
import importlib.util
import math

import numpy as np
import pytest

from model.core.activations import (GELU_C, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS,
                                    check_activation_name, get_activation)
from model.core.network import Network
from model.files.export_py import export_python
from model.files.serialize import WeightsError, load_network, network_from_dict, save_network
from model.lessons.chain_rule import chain_rule
from model.lessons.gradcheck import gradient_check

NEW = ("leaky_relu", "leaky_relu:0.2", "elu", "softplus", "silu", "gelu_tanh")


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


# Scalar textbook formulas written with the math module, one z at a time.
SCALAR = {
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "leaky_relu:0.2": lambda z: z if z > 0 else 0.2 * z,
    "elu": lambda z: z if z > 0 else math.expm1(z),
    "softplus": lambda z: math.log1p(math.exp(z)) if z < 30 else z + math.log1p(math.exp(-z)),
    "silu": lambda z: z * _sigmoid(z),
    "gelu_tanh": lambda z: 0.5 * z * (1.0 + math.tanh(math.sqrt(2.0 / math.pi)
                                                       * (z + 0.044715 * z ** 3))),
}
Z = np.array([-30.0, -7.5, -2.0, -0.7, -0.1, -1e-3, 1e-3, 0.05, 0.3, 1.0, 2.5, 8.0, 30.0])


@pytest.mark.parametrize("name", NEW)
def test_forward_matches_the_textbook_formula(name):
    act = get_activation(name)
    expected = np.array([SCALAR[name](z) for z in Z])
    np.testing.assert_allclose(act.forward(Z[None, :])[0], expected, rtol=1e-14, atol=1e-300)
    out = np.empty((1, len(Z)))
    assert act.forward(Z[None, :], out=out) is out  # writes into the buffer it is given
    np.testing.assert_array_equal(out[0], act.forward(Z[None, :])[0])


@pytest.mark.parametrize("name", NEW)
def test_derivative_matches_centred_differences(name):
    act = get_activation(name)
    z = Z[None, :]
    h = 1e-6
    numeric = np.array([(SCALAR[name](v + h) - SCALAR[name](v - h)) / (2 * h) for v in Z])
    analytic = act.derivative(z, act.forward(z))[0]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NEW)
def test_backward_is_grad_times_derivative_and_allocation_free_buffers_work(name):
    act = get_activation(name)
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (7, 5))
    a = act.forward(z)
    g = rng.normal(size=z.shape)
    expected = g * act.derivative(z, a)
    out, scratch = g.copy(), np.empty_like(z)
    result = act.backward(z, a, out, out=out, scratch=scratch)  # out aliases grad_a
    np.testing.assert_allclose(result, expected, rtol=1e-14)


@pytest.mark.parametrize("name", NEW)
def test_huge_inputs_stay_finite(name):
    act = get_activation(name)
    z = np.array([[-1e300, -1e200, -800.0, 800.0, 1e200, 1e300]])
    a = act.forward(z)
    d = act.derivative(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d)), (a, d)
    assert np.all(d >= 0) and np.all(d <= 1.0 + 1e-12) or name in ("silu", "gelu_tanh")


@pytest.mark.parametrize("name", NEW)
def test_a_network_with_it_passes_the_gradient_check(name):
    rng = np.random.default_rng(3)
    net = Network([3, 5, 4, 2], [name, name, "linear"])
    net.params[:] = rng.normal(0, 0.7, net.n_params)
    X = rng.normal(0, 1.5, (9, 3))
    X[np.abs(X) < 1e-3] = 0.1  # keep the kinks of leaky ReLU away
    Y = rng.normal(size=(9, 2))
    result = gradient_check(net, X, Y, "mse")
    # float64 round-off on the smallest gradients reaches ~1e-7; a wrong f′ gives > 1e-3
    assert result.worst_error < 1e-6, (result.worst_name, result.worst_error)


@pytest.mark.parametrize("name", NEW)
def test_the_chain_rule_inspector_shows_f_prime(name):
    rng = np.random.default_rng(5)
    net = Network([2, 3, 1], [name, "sigmoid"])
    net.params[:] = rng.normal(0, 1.0, net.n_params)
    X = rng.normal(0, 2, (6, 2))
    Y = rng.integers(0, 2, (6, 1)).astype(float)
    rule = chain_rule(net, X, Y, "bce", layer=0, i=1, j=2)
    z = X @ net.layers[0].W[:, 2] + net.layers[0].b[2]
    h = 1e-6
    expected = [(SCALAR[name](v + h) - SCALAR[name](v - h)) / (2 * h) for v in z]
    np.testing.assert_allclose(rule.fprime, expected, rtol=1e-6, atol=1e-9)
    assert rule.activation == name
    assert abs(rule.gradient - rule.trainer_gradient) <= 1e-12 * max(1.0, abs(rule.gradient))


def test_names_slopes_and_roles():
    assert get_activation("leaky_relu").slope == 0.01
    assert get_activation("leaky_relu:0.01").name == "leaky_relu"  # one spelling per function
    assert get_activation("leaky_relu:.25").name == "leaky_relu:0.25"
    assert get_activation("leaky_relu:2e-1").slope == 0.2
    for bad, says in (("leaky_relu:0", "between 0 and 1"), ("leaky_relu:1", "between 0 and 1"),
                      ("leaky_relu:1.5", "between 0 and 1"), ("leaky_relu:-0.1", "plain number"),
                      ("leaky_relu:nan", "plain number"), ("leaky_relu:inf", "plain number"),
                      ("leaky_relu: 0.2", "plain number"), ("leaky_relu:1_0", "plain number"),
                      ("leaky_relu:" + "1" * 60, "plain number"), ("swish", "unknown activation"),
                      ("gelu", "unknown activation")):
        with pytest.raises(ValueError, match=says) as info:
            get_activation(bad)
        assert "\n" not in str(info.value) and len(str(info.value)) < 300
    assert check_activation_name("leaky_relu:0.50") == "leaky_relu:0.5"
    assert set(NEW) - {"leaky_relu:0.2"} <= set(HIDDEN_ACTIVATIONS)
    for name in ("silu", "gelu_tanh", "softmax"):
        with pytest.raises(ValueError, match="unknown hidden activation" if name == "softmax"
                           else "unknown output activation"):
            check_activation_name(name, "hidden" if name == "softmax" else "output")
    assert {"leaky_relu", "elu", "softplus"} <= set(OUTPUT_ACTIVATIONS)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_weights_files_keep_every_activation_and_slope(tmp_path, suffix):
    acts = ["leaky_relu:0.2", "elu", "softplus", "silu", "gelu_tanh", "leaky_relu:0.05"]
    net = Network([2, 3, 3, 3, 3, 3, 1], acts)
    net.initialize("xavier", 1)
    path = tmp_path / f"w{suffix}"
    save_network(net, path)
    back = load_network(path)
    assert back.activation_names == acts
    assert back.layers[0].activation.slope == 0.2 and back.layers[5].activation.slope == 0.05
    X = np.random.default_rng(2).normal(0, 3, (20, 2))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))


def test_weights_files_refuse_a_bad_slope_in_one_line():
    doc = {"format": "backprop-playground/weights", "version": 1, "inputs": ["x1"],
           "outputs": ["y"], "layers": [{"activation": "leaky_relu:3", "weights": [[1.0]],
                                         "biases": [0.0]}]}
    with pytest.raises(WeightsError, match=r"layers\[0\]\.activation: activation "
                                           r"'leaky_relu:3': the slope of a leaky ReLU"):
        network_from_dict(doc)


def _random_net(acts, seed):
    net = Network([2, 5, 4, 1][:len(acts) + 1] if len(acts) < 3 else [2, 5, 4, 1], acts,
                  inputs=("x1", "x2"))
    net.params[:] = np.random.default_rng(seed).normal(0, 1.5, net.n_params)
    return net


NETS = [["leaky_relu:0.2", "elu", "softplus"], ["silu", "gelu_tanh", "leaky_relu"],
        ["gelu_tanh", "softplus", "elu"], ["elu", "silu", "leaky_relu:0.3"]]


def _inputs():
    X = np.random.default_rng(9).normal(0, 4, (400, 2))
    X[:4] *= 1e3  # far out on every branch
    return X


@pytest.mark.parametrize("acts", NETS, ids=["-".join(a) for a in NETS])
def test_onnx_export_runs_in_onnxruntime_like_the_app(tmp_path, acts):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from model.files.export_onnx import export_onnx
    net = _random_net(acts, 4)
    path = tmp_path / "m.onnx"
    export_onnx(net, path)
    X = _inputs()
    Y = ort.InferenceSession(str(path)).run(None, {"X": X})[0]
    expected = net.predict(X)
    assert np.max(np.abs(Y - expected) / np.maximum(1.0, np.abs(expected))) < 1e-6


@pytest.mark.parametrize("name", NEW)
def test_onnx_float32_uses_the_standard_ops(name):
    """In float32 (onnxruntime runs LeakyRelu, Elu and Softplus only there) the standard ops
    are used; the model agrees with the app to float32 precision."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    from model.files.export_onnx import activation_nodes
    nodes, inits = [], []

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def const(label, value):
        inits.append(numpy_helper.from_array(value, name=label))
        return label

    act = get_activation(name)
    out = activation_nodes(act, "Z", 1, node, const, dtype=np.float32)
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("Z", TensorProto.FLOAT, [None])],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    standard = {"leaky_relu": "LeakyRelu", "elu": "Elu", "softplus": "Softplus"}
    if name.split(":")[0] in standard:
        assert [n.op_type for n in nodes] == [standard[name.split(":")[0]]]
    z = np.linspace(-8, 8, 161).astype(np.float32)
    got = ort.InferenceSession(model.SerializeToString()).run(None, {"Z": z})[0]
    expected = act.forward(z.astype(np.float64)[None, :])[0]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("acts", NETS, ids=["-".join(a) for a in NETS])
def test_python_export_predicts_exactly_like_the_app(tmp_path, acts):
    net = _random_net(acts, 6)
    path = tmp_path / "m.py"
    export_python(net, path)
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    X = _inputs()
    np.testing.assert_array_equal(module.predict(X), net.predict(X))
    assert module.ACTIVATIONS == acts


def test_gelu_constant():
    assert GELU_C == math.sqrt(2 / math.pi)
