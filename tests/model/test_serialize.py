"""Saving and loading network weights (JSON and npz): exact round trips, strict validation."""
import errno
import io
import json
import math
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.files import atomic, serialize, weights_format, weights_read, weights_write
from model.files.bundled import resource
from model.core.activations import _PARAMETERISED, ACTIVATIONS
from model.core.scaling import METHODS
from model.core.network import MAX_LAYERS, MAX_WIDTH, Network
from model.files.serialize import (WeightsError, load_network, load_network_with_meta,
                             network_from_dict, network_to_dict, save_network)

SCHEMA_PATH = resource("weights.schema.json")


# --- helpers ----------------------------------------------------------------------------------

def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def assert_same_network(a: Network, b: Network) -> None:
    assert a.sizes == b.sizes
    assert a.activation_names == b.activation_names
    assert a.inputs == b.inputs and a.outputs == b.outputs
    assert [l.use_bias for l in a.layers] == [l.use_bias for l in b.layers]
    assert np.array_equal(bits(a.params), bits(b.params))  # bit for bit, -0.0 included


def make_net(sizes, activations, use_bias=None, seed=0, inputs=None, outputs=None) -> Network:
    net = Network(sizes, activations, use_bias=use_bias, inputs=inputs, outputs=outputs)
    rng = np.random.default_rng(seed)
    # values over many magnitudes, so the repr round trip is exercised for real
    net.params[:] = rng.standard_normal(net.n_params) * 10.0 ** rng.integers(-300, 300,
                                                                              net.n_params)
    for layer in net.layers:
        if not layer.use_bias:
            layer.b[:] = 0.0
    return net


NETS = {
    "2-1 sigmoid": ([2, 1], ["sigmoid"], None),
    "2-4-1 tanh/sigmoid": ([2, 4, 1], ["tanh", "sigmoid"], None),
    "3-5-4-3 softmax, no-bias middle": ([3, 5, 4, 3], ["relu", "linear", "softmax"],
                                        [True, False, True]),
    "7-8-8-8-2 deep": ([7, 8, 8, 8, 2], ["tanh", "relu", "sigmoid", "linear"],
                       [False, True, True, False]),
    "1-1 linear no bias": ([1, 1], ["linear"], [False]),
}


def write(tmp_path, content, name="w.json") -> Path:
    path = tmp_path / name
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def load_error(path) -> str:
    with pytest.raises(WeightsError) as info:
        load_network(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(Path(path).name + ": ") or message.startswith(
        repr(Path(path).name)[1:-1] + ": "), message
    return message


@pytest.fixture(scope="module")
def schema():
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def valid_doc() -> dict:
    """A 2-4-3-1 network (tanh, relu, sigmoid) as a JSON document."""
    net = make_net([2, 4, 3, 1], ["tanh", "relu", "sigmoid"], seed=3)
    return network_to_dict(net, meta={"loss": "mse"})


# --- JSON round trips -------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(NETS))
def test_json_round_trip_is_bit_identical_and_matches_the_schema(tmp_path, schema, name):
    sizes, acts, use_bias = NETS[name]
    net = make_net(sizes, acts, use_bias, seed=len(name))
    path = tmp_path / "net.json"
    save_network(net, path)
    back = load_network(path)
    assert_same_network(net, back)
    doc = json.loads(path.read_text(encoding="utf-8"))
    schema.validate(doc)
    for layer, d in zip(net.layers, doc["layers"]):
        assert d["weights"] == layer.W.tolist()
        assert d["biases"] == (layer.b.tolist() if layer.use_bias else None)
        assert d["activation"] == layer.activation.name
    assert os.listdir(tmp_path) == ["net.json"]


def test_awkward_floats_survive_exactly(tmp_path, schema):
    net = Network([2, 3], ["linear"])
    special = [0.1 + 0.2, 1e-300, 5e-324, -0.0, 1.7976931348623157e308, -2.2250738585072014e-308,
               1 / 3, 123456789.123456789, -5e-324]
    net.params[:] = special
    path = tmp_path / "w.json"
    save_network(net, path)
    back = load_network(path)
    assert np.array_equal(bits(back.params), bits(np.array(special)))
    assert back.layers[0].W[0][0] == 0.30000000000000004
    assert back.layers[0].W[0][2] == 5e-324
    assert math.copysign(1.0, back.layers[0].W[1][0]) == -1.0
    schema.validate(json.loads(path.read_text()))


def test_names_and_meta_round_trip(tmp_path, schema):
    net = make_net([2, 3, 2], ["tanh", "softmax"], inputs=["x₁", 'a "quoted"\nname'],
                   outputs=["orange", "blue"])
    meta = {"loss": "cce", "features": ["x1", "x2"], "created_by": "tests", "epoch": 12,
            "nested": {"lr": 0.03, "list": [1, None, True, "é"]}}
    for name in ("w.json", "w.npz"):
        save_network(net, tmp_path / name, meta=meta)
        back, got = load_network_with_meta(tmp_path / name)
        assert_same_network(net, back)
        assert got == meta
    schema.validate(json.loads((tmp_path / "w.json").read_text()))
    assert load_network_with_meta(save_and(tmp_path, net, "plain.json"))[1] == {}
    assert load_network_with_meta(save_and(tmp_path, net, "plain.npz"))[1] == {}


def save_and(tmp_path, net, name):
    save_network(net, tmp_path / name)
    return tmp_path / name


def test_dict_api_round_trip():
    net = make_net([3, 5, 4, 3], ["relu", "linear", "softmax"], [True, False, True])
    d = network_to_dict(net, meta={"loss": "cce"})
    assert d["format"] == "backprop-playground/weights" and d["version"] == 1
    assert d["layers"][1]["biases"] is None
    assert d["meta"] == {"loss": "cce"}
    assert "meta" not in network_to_dict(net)
    assert_same_network(net, network_from_dict(json.loads(json.dumps(d))))
    with pytest.raises(WeightsError, match=r"^mine: layers\[0\]\.activation: unknown"):
        d["layers"][0]["activation"] = "foo"
        network_from_dict(d, source="mine")


def test_uppercase_suffix_and_utf8_bom_are_accepted(tmp_path):
    net = make_net([2, 2], ["sigmoid"])
    save_network(net, tmp_path / "W.JSON")
    assert_same_network(net, load_network(tmp_path / "W.JSON"))
    text = (tmp_path / "W.JSON").read_bytes()
    assert_same_network(net, load_network(write(tmp_path, b"\xef\xbb\xbf" + text)))


# --- npz --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(NETS))
def test_npz_round_trip_is_bit_identical(tmp_path, name):
    sizes, acts, use_bias = NETS[name]
    net = make_net(sizes, acts, use_bias, seed=len(name) + 1)
    path = tmp_path / "net.npz"
    save_network(net, path)
    assert os.listdir(tmp_path) == ["net.npz"]  # no "net.npz.npz", no leftovers
    assert_same_network(net, load_network(path))
    with np.load(path, allow_pickle=False) as z:
        assert z["format"].shape == () and str(z["format"]) == "backprop-playground/weights"
        assert z["version"].shape == () and z["version"].dtype.kind == "i" and z["version"] == 1
        assert z["inputs"].tolist() == net.inputs and z["outputs"].tolist() == net.outputs
        assert z["activations"].tolist() == net.activation_names
        for l, layer in enumerate(net.layers, start=1):
            assert z[f"W{l}"].dtype == np.float64 and z[f"W{l}"].shape == layer.W.shape
            assert np.array_equal(bits(z[f"W{l}"]), bits(layer.W))
            if layer.use_bias:
                assert np.array_equal(bits(z[f"b{l}"]), bits(layer.b))
            else:
                assert f"b{l}" not in z.files
        if all(l.use_bias for l in net.layers):
            assert "use_bias" not in z.files
        else:
            assert z["use_bias"].dtype == bool
            assert z["use_bias"].tolist() == [l.use_bias for l in net.layers]


def test_npz_written_by_hand_with_float32_loads(tmp_path):
    path = tmp_path / "hand.npz"
    np.savez(path, format=np.array("backprop-playground/weights"), version=np.array(1),
             inputs=np.array(["a", "b"]), outputs=np.array(["y"]),
             activations=np.array(["sigmoid"]),
             W1=np.array([[0.5], [0.25]], dtype=np.float32), b1=np.array([1.0]))
    net = load_network(path)
    assert net.sizes == [2, 1] and net.layers[0].W[1][0] == 0.25 and net.inputs == ["a", "b"]


# --- the classic tutorial network -------------------------------------------------------------

TUTORIAL = """{
  "format": "backprop-playground/weights",
  "version": 1,
  "inputs": ["i1", "i2"],
  "outputs": ["o1", "o2"],
  "layers": [
    {"activation": "sigmoid",
     "weights": [[0.15, 0.25],
                 [0.20, 0.30]],
     "biases": [0.35, 0.35]},
    {"activation": "sigmoid",
     "weights": [[0.40, 0.50],
                 [0.45, 0.55]],
     "biases": [0.60, 0.60]}
  ],
  "meta": {"source": "the classic 2-2-2 step-by-step backpropagation example"}
}"""


def test_hand_written_tutorial_network(tmp_path, schema):
    schema.validate(json.loads(TUTORIAL))
    net = load_network(write(tmp_path, TUTORIAL, "tutorial.json"))
    W1, W2 = net.layers[0].W, net.layers[1].W
    assert W1[0][0] == 0.15  # w1: input 1 → hidden 1
    assert W1[1][0] == 0.20  # w2: input 2 → hidden 1
    assert W1[0][1] == 0.25  # w3: input 1 → hidden 2
    assert W1[1][1] == 0.30  # w4
    assert W2[0][0] == 0.40 and W2[1][0] == 0.45  # w5, w6 into output 1
    assert W2[0][1] == 0.50 and W2[1][1] == 0.55  # w7, w8 into output 2
    assert net.layers[0].b.tolist() == [0.35, 0.35] and net.layers[1].b.tolist() == [0.6, 0.6]
    loss = net.loss_and_gradients([[0.05, 0.10]], [[0.01, 0.99]], "mse")[0]
    assert loss == pytest.approx(0.298371109, abs=1e-9)


# --- malformed JSON ---------------------------------------------------------------------------

def mutate(fn):
    doc = valid_doc()
    fn(doc)
    return doc


def set_path(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


BAD_DOCS = {
    "unknown top-level key": (lambda d: d.update(foo=1), "unexpected key 'foo'"),
    "format wrong": (lambda d: d.update(format="other"),
                     "format: expected 'backprop-playground/weights'"),
    "format missing": (lambda d: d.pop("format"), "format: missing"),
    "version newer": (lambda d: d.update(version=3),
                      "version 3 is newer than this app understands (2)"),
    "version older": (lambda d: d.update(version=0), "version: expected 1 or 2, got 0"),
    "scaling in version 1": (lambda d: d.update(input_scaling={
        "method": "standard", "offset": [0, 0], "scale": [1, 1]}), "unexpected key 'input_scaling'"),
    "version string": (lambda d: d.update(version="1"), "version: expected the integer 1"),
    "version true": (lambda d: d.update(version=True), "version: expected the integer 1"),
    "version float": (lambda d: d.update(version=1.0), "version: expected the integer 1"),
    "inputs missing": (lambda d: d.pop("inputs"), "inputs: missing"),
    "inputs count": (lambda d: d.update(inputs=["a", "b", "c"]),
                     "inputs: expected a list of 2 strings"),
    "inputs not strings": (lambda d: d.update(inputs=["a", 2]),
                           "inputs: expected a list of 2 strings"),
    "inputs not a list": (lambda d: d.update(inputs="x1,x2"),
                          "inputs: expected a list of 2 strings"),
    "outputs count": (lambda d: d.update(outputs=[]), "outputs: expected a list of 1 string "),
    "layers empty": (lambda d: d.update(layers=[]), "layers: expected a non-empty list"),
    "layers not a list": (lambda d: d.update(layers={}), "layers: expected a non-empty list"),
    "layer not an object": (lambda d: set_path(d, ["layers", 1], [1, 2]),
                            "layers[1]: expected an object"),
    "layer unknown key": (lambda d: d["layers"][0].update(bias=[0]),
                          "layers[0]: unexpected key 'bias'"),
    "layer missing weights": (lambda d: d["layers"][1].pop("weights"),
                              "layers[1].weights: missing"),
    "layer missing biases": (lambda d: d["layers"][2].pop("biases"),
                             "layers[2].biases: missing"),
    "unknown activation": (lambda d: set_path(d, ["layers", 0, "activation"], "foo"),
                           "layers[0].activation: unknown activation 'foo' "
                           "(choose from: sigmoid, tanh, relu, linear, softmax, leaky_relu, elu, "
                           "softplus, silu, gelu_tanh; leaky_relu:SLOPE with 0 < SLOPE < 1)"),
    "leaky slope too large": (lambda d: set_path(d, ["layers", 0, "activation"], "leaky_relu:1.5"),
                              "layers[0].activation: activation 'leaky_relu:1.5': the slope of a "
                              "leaky ReLU must be between 0 and 1 (exclusive), got 1.5"),
    "leaky slope not a number": (lambda d: set_path(d, ["layers", 0, "activation"],
                                                    "leaky_relu:nan"),
                                 "layers[0].activation: activation 'leaky_relu:nan': the slope "
                                 "after 'leaky_relu:' must be a plain number between 0 and 1"),
    "activation not a string": (lambda d: set_path(d, ["layers", 1, "activation"], 3),
                                "layers[1].activation: expected a string"),
    "softmax on a hidden layer": (lambda d: set_path(d, ["layers", 1, "activation"], "softmax"),
                                  "layers[1].activation: softmax is only allowed on the last"),
    "softmax with one output": (lambda d: set_path(d, ["layers", 2, "activation"], "softmax"),
                                "layers[2].activation: softmax needs at least 2 neurons"),
    "rows do not chain": (lambda d: d["layers"][1]["weights"].pop(),
                          "layers[1].weights: expected 4 rows (the previous layer's size), "
                          "got 3"),
    "first layer rows vs inputs": (lambda d: d["layers"][0]["weights"].append([0.0] * 4),
                                   "inputs: expected a list of 3 strings"),
    "last layer columns vs outputs": (lambda d: d.update(outputs=["a", "b"]),
                                      "outputs: expected a list of 1 string"),
    "ragged rows": (lambda d: d["layers"][0]["weights"][1].pop(),
                    "layers[0].weights[1]: expected 4 numbers (one per neuron, as in row 0), "
                    "got 3"),
    "row not a list": (lambda d: set_path(d, ["layers", 0, "weights", 1], 0.5),
                       "layers[0].weights[1]: expected a list of numbers"),
    "weights not a list": (lambda d: set_path(d, ["layers", 0, "weights"], {"a": 1}),
                           "layers[0].weights: expected a list of rows"),
    "empty weights": (lambda d: set_path(d, ["layers", 0, "weights"], []),
                      "layers[0].weights: expected at least 1 row"),
    "empty row": (lambda d: set_path(d, ["layers", 0, "weights"], [[], []]),
                  "layers[0].weights[0]: expected at least 1 number"),
    "boolean weight": (lambda d: set_path(d, ["layers", 0, "weights", 0, 1], True),
                       "layers[0].weights[0][1]: expected a number, got a boolean"),
    "string weight": (lambda d: set_path(d, ["layers", 1, "weights", 2, 0], "0.5"),
                      "layers[1].weights[2][0]: expected a number, got a string '0.5'"),
    "null weight": (lambda d: set_path(d, ["layers", 0, "weights", 1, 3], None),
                    "layers[0].weights[1][3]: expected a number, got null"),
    "overflowing weight": (lambda d: set_path(d, ["layers", 0, "weights", 0, 0], 1e400),
                           "layers[0].weights[0][0]: not a finite number"),
    "huge integer weight": (lambda d: set_path(d, ["layers", 0, "weights", 0, 0], 10 ** 400),
                            "layers[0].weights[0][0]: not a finite number"),
    "biases wrong length": (lambda d: d["layers"][0]["biases"].pop(),
                            "layers[0].biases: expected 4 numbers (one per neuron), got 3"),
    "biases not a list": (lambda d: set_path(d, ["layers", 0, "biases"], 0.0),
                          "layers[0].biases: expected a list of 4 numbers or null"),
    "boolean bias": (lambda d: set_path(d, ["layers", 1, "biases", 0], False),
                     "layers[1].biases[0]: expected a number, got a boolean"),
    "overflowing bias": (lambda d: set_path(d, ["layers", 2, "biases", 0], -1e999),
                         "layers[2].biases[0]: not a finite number"),
    "meta not an object": (lambda d: d.update(meta=[1]), "meta: expected an object"),
    "meta with an overflowing number": (lambda d: d.update(meta={"lr": [1e999]}),
                                        "meta.lr[0]: not a finite number"),
    "too wide": (lambda d: d.update(layers=[{"activation": "linear", "biases": None,
                                             "weights": [[0] * (MAX_WIDTH + 1)]}]),
                 f"layers[0].weights: too many columns (neurons) ({MAX_WIDTH + 1}, at most "),
    "too many layers": (lambda d: d.update(
        inputs=["x"], outputs=["y"],
        layers=[{"activation": "linear", "weights": [[1]], "biases": None}] * (MAX_LAYERS + 1)),
        f"layers: too many layers ({MAX_LAYERS + 1}, at most {MAX_LAYERS})"),
    "top level a list": (lambda d: None, "expected a JSON object at the top level, got a list"),
}


@pytest.mark.parametrize("case", list(BAD_DOCS))
def test_malformed_documents_name_the_field(tmp_path, case):
    fn, expected = BAD_DOCS[case]
    doc = [valid_doc()] if case == "top level a list" else mutate(fn)
    # json.dumps writes 1e400 as Infinity; write the literal the way a person would
    text = json.dumps(doc).replace("-Infinity", "-1e999").replace("Infinity", "1e400")
    message = load_error(write(tmp_path, text, "w.json"))
    assert expected in message, message


def test_the_schema_rejects_the_malformed_documents_it_can_express(schema):
    # shape chaining, softmax placement and finiteness are beyond JSON Schema; and to it
    # 1.0 is the integer 1 (the loader is stricter: version must be written as 1)
    beyond = {"rows do not chain", "first layer rows vs inputs", "last layer columns vs outputs",
              "ragged rows", "biases wrong length", "softmax on a hidden layer",
              "softmax with one output", "inputs count",
              "overflowing weight", "huge integer weight", "overflowing bias",
              "meta with an overflowing number", "version float", "leaky slope too large"}
    for case, (fn, _) in BAD_DOCS.items():
        if case in beyond or case == "top level a list":
            continue
        doc = mutate(fn)
        assert not schema.is_valid(doc), case
    assert "shape" in schema.schema["description"].lower() or \
        "rows" in schema.schema["description"]


def test_schema_matches_the_code(schema):
    s = schema.schema
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["properties"]["format"]["const"] == serialize.FORMAT
    assert s["properties"]["version"]["enum"] == [1, serialize.VERSION]
    assert s["properties"]["input_scaling"]["properties"]["method"]["enum"] == list(METHODS)
    assert s["properties"]["layers"]["maxItems"] == MAX_LAYERS
    layer = s["$defs"]["layer"]
    names, parameterised = layer["properties"]["activation"]["anyOf"]
    assert names["enum"] == list(ACTIVATIONS)
    pattern = re.compile(parameterised["pattern"])
    for name in ("leaky_relu:0.2", "leaky_relu:.5", "leaky_relu:3.", "leaky_relu:1e-3",
                 "leaky_relu:", "leaky_relu:-0.1", "leaky_relu:nan", "leaky_relu:0.2 ",
                 "leaky_relu:1_0", "elu:0.5", "leaky_relu:0x1"):
        assert bool(pattern.search(name)) == bool(_PARAMETERISED.fullmatch(name)), name
    assert layer["properties"]["weights"]["maxItems"] == MAX_WIDTH
    assert layer["properties"]["weights"]["items"]["maxItems"] == MAX_WIDTH
    assert "JSON Schema" in s["description"]  # says what it cannot express


def test_too_many_parameters(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_read, "MAX_PARAMS", 20)
    message = load_error(write(tmp_path, valid_doc()))
    assert "layers: network too large (" in message and "at most 20)" in message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_rejected(tmp_path, token):
    text = json.dumps(valid_doc()).replace('"biases": [', f'"biases": [{token}, ', 1)
    message = load_error(write(tmp_path, text))
    assert f"{token.lstrip('-')} is not allowed" in message or token in message, message


def test_not_json_gives_line_and_column(tmp_path):
    message = load_error(write(tmp_path, '{\n "format": "backprop-playground/weights",\n  oops\n}'))
    assert "w.json: not valid JSON: " in message and "(line 3, column 3)" in message


@pytest.mark.parametrize("content, expected", [
    (b"", "not valid JSON: Expecting value (line 1, column 1)"),
    (b'{"format": "\xff\xfe"}', "not UTF-8 text (byte 0xff at position 12)"),
    (b"[" * 100_000, "not valid JSON"),
    (b"1" * 5000, "not valid JSON"),
    (b"\x00\x01binary", "not valid JSON"),
])
def test_file_level_problems(tmp_path, content, expected):
    assert expected in load_error(write(tmp_path, content))


def test_missing_file_directory_and_unsupported_suffix(tmp_path):
    assert load_error(tmp_path / "nope.json") == "nope.json: file not found"
    (tmp_path / "dir.json").mkdir()
    assert "dir.json: " in load_error(tmp_path / "dir.json")
    assert load_error(write(tmp_path, "{}", "w.txt")) == \
        "w.txt: unsupported file type '.txt' (use .json or .npz)"
    assert "unsupported file type" in load_error(write(tmp_path, "{}", "weights"))
    net = make_net([2, 1], ["sigmoid"])
    with pytest.raises(WeightsError, match=r"^w\.txt: unsupported file type '\.txt' "
                                           r"\(use \.json or \.npz\)$"):
        save_network(net, tmp_path / "w.txt")
    assert (tmp_path / "w.txt").read_text() == "{}"  # untouched


def test_file_too_large(tmp_path, monkeypatch):
    path = write(tmp_path, valid_doc())
    monkeypatch.setattr(weights_format, "MAX_FILE_BYTES", 100)
    assert "file too large" in load_error(path)
    with pytest.raises(WeightsError, match="too large to save"):
        save_network(make_net([2, 4, 1], ["tanh", "sigmoid"]), tmp_path / "big.json")
    assert sorted(os.listdir(tmp_path)) == ["w.json"]


def test_real_limit_is_200_mb():
    assert weights_format.MAX_FILE_BYTES == 200 * 1024 * 1024


# --- malformed npz ----------------------------------------------------------------------------

def npz_arrays() -> dict:
    net = make_net([2, 3, 2], ["tanh", "softmax"], [True, False], seed=5)
    save_network(net, Path(tempfile.mkdtemp()) / "x.npz")  # also exercised for real
    return weights_write._npz_arrays(network_to_dict(net))


def write_npz(tmp_path, arrays, name="w.npz") -> Path:
    path = tmp_path / name
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


BAD_NPZ = {
    "object array": (lambda a: a.update(inputs=np.array(["x1", None], dtype=object)),
                     "inputs: cannot read the array (object arrays are not allowed)"),
    "integer weights": (lambda a: a.update(W1=np.ones((2, 3), dtype=np.int64)),
                        "W1: expected a float64 array, got int64"),
    "string weights": (lambda a: a.update(W2=np.array([["1"] * 2] * 3)),
                       "W2: expected a float64 array, got <U1"),
    "complex weights": (lambda a: a.update(W2=np.ones((3, 2), dtype=complex)),
                        "W2: expected a float64 array, got complex128"),
    "weights 1-d": (lambda a: a.update(W1=np.ones(6)), "W1: expected a 2-d array"),
    "nan weight": (lambda a: a["W1"].__setitem__((1, 2), np.nan),
                   "W1[1, 2]: not a finite number"),
    "inf bias": (lambda a: a["b1"].__setitem__(0, -np.inf), "b1[0]: not a finite number"),
    "format missing": (lambda a: a.pop("format"), "format: missing"),
    "format wrong": (lambda a: a.update(format=np.array("other")),
                     "format: expected 'backprop-playground/weights'"),
    "format as a 1-d array": (lambda a: a.update(format=np.array(["backprop-playground/weights"])),
                              "format: expected a single string"),
    "version newer": (lambda a: a.update(version=np.array(3)),
                      "version 3 is newer than this app understands (2)"),
    "version float": (lambda a: a.update(version=np.array(1.0)),
                      "version: expected a single integer"),
    "version bool": (lambda a: a.update(version=np.array(True)),
                     "version: expected a single integer"),
    "unexpected key": (lambda a: a.update(foo=np.zeros(1)), "unexpected key 'foo'"),
    "W0": (lambda a: a.update(W0=np.zeros((1, 1))), "unexpected key 'W0'"),
    "gap in layers": (lambda a: a.update(W4=np.zeros((2, 2))), "W3: missing"),
    "no layers": (lambda a: [a.pop(k) for k in ("W1", "W2", "b1")], "W1: missing"),
    "bias without a layer": (lambda a: a.update(b7=np.zeros(2)), "b7: there is no W7"),
    "activations count": (lambda a: a.update(activations=np.array(["tanh"])),
                          "activations: expected 2 names (one per layer W1..W2), got 1"),
    "activation unknown": (lambda a: a.update(activations=np.array(["tanh", "foo"])),
                           "activations[1]: unknown activation 'foo'"),
    "softmax hidden": (lambda a: a.update(activations=np.array(["softmax", "tanh"])),
                       "activations[0]: softmax is only allowed on the last layer"),
    "activations numbers": (lambda a: a.update(activations=np.array([1.0, 2.0])),
                            "activations: expected a non-empty 1-d array of strings"),
    "bias wrong shape": (lambda a: a.update(b1=np.zeros(2)),
                         "b1: expected shape (3,) (one per column of W1), got (2,)"),
    "bias missing": (lambda a: a.pop("b1"), "b1: missing"),
    "bias for a no-bias layer": (lambda a: a.update(b2=np.zeros(2)),
                                 "b2: present, but use_bias[1] is false"),
    "use_bias wrong": (lambda a: a.update(use_bias=np.array([1, 0])),
                       "use_bias: expected 2 booleans (one per layer)"),
    "rows do not chain": (lambda a: a.update(W2=np.zeros((4, 2))),
                          "W2: expected 3 rows (the previous layer's size), got 4"),
    "inputs count": (lambda a: a.update(inputs=np.array(["a"])),
                     "inputs: expected a list of 2 strings (one per row of W1), got 1"),
    "outputs count": (lambda a: a.update(outputs=np.array(["a", "b", "c"])),
                      "outputs: expected a list of 2 strings (one per column of W2), got 3"),
    "inputs bytes": (lambda a: a.update(inputs=np.array([b"a", b"b"])),
                     "inputs: expected a non-empty 1-d array of strings"),
    "meta not JSON": (lambda a: a.update(meta=np.array("{oops")), "meta: not valid JSON"),
    "meta not an object": (lambda a: a.update(meta=np.array("[1]")), "meta: expected an object"),
    "meta NaN": (lambda a: a.update(meta=np.array('{"a": NaN}')), "meta: not valid JSON"),
}


@pytest.mark.parametrize("case", list(BAD_NPZ))
def test_malformed_npz_names_the_array(tmp_path, case):
    fn, expected = BAD_NPZ[case]
    arrays = npz_arrays()
    fn(arrays)
    message = load_error(write_npz(tmp_path, arrays))
    assert expected in message, message


def test_npz_file_level_problems(tmp_path, monkeypatch):
    assert "not an .npz file (not a zip archive)" in \
        load_error(write(tmp_path, b"hello world", "a.npz"))
    assert "not an .npz file" in load_error(write(tmp_path, b"", "empty.npz"))
    npy = io.BytesIO()
    np.save(npy, np.zeros(3))
    assert "not a zip archive" in load_error(write(tmp_path, npy.getvalue(), "single.npz"))
    assert "not a valid .npz file" in \
        load_error(write(tmp_path, b"PK\x03\x04" + b"\x00" * 50, "trunc.npz"))
    good = write_npz(tmp_path, npz_arrays(), "good.npz").read_bytes()
    assert "w.npz: " in load_error(write(tmp_path, good[: len(good) // 2], "w.npz"))
    corrupt = bytearray(good)
    corrupt[200:260] = b"\xff" * 60  # inside the first member's data: CRC or header error
    load_error(write(tmp_path, bytes(corrupt), "corrupt.npz"))
    # a zip member that is not an .npy file
    path = tmp_path / "members.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in npz_arrays().items():
            buf = io.BytesIO()
            np.save(buf, value)
            zf.writestr(key + ".npy", buf.getvalue() if key != "inputs" else b"not npy")
    assert "inputs: " in load_error(path)
    # a zip bomb: tiny file, huge arrays
    arrays = npz_arrays()
    arrays["W1"] = np.zeros((2, 3))
    arrays["extra_big"] = np.zeros(200_000)
    bomb = tmp_path / "bomb.npz"
    np.savez_compressed(bomb, **arrays)
    monkeypatch.setattr(weights_format, "MAX_FILE_BYTES", 100_000)
    assert bomb.stat().st_size < 100_000
    assert "arrays are too large" in load_error(bomb)


# --- atomic writes ----------------------------------------------------------------------------

class FailingFile:
    """Wraps a real temp file; the ``fail_at``-th write writes half its data, then fails."""

    def __init__(self, real, fail_at):
        self._real, self._fail_at, self._n = real, fail_at, 0

    def write(self, data):
        self._n += 1
        if self._n >= self._fail_at:
            self._real.write(bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._real.write(data)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._real.close()


@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize("fail_at", [1, 3])
def test_failed_write_leaves_the_old_file_and_no_temp_files(tmp_path, monkeypatch, suffix,
                                                            fail_at):
    old = make_net([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    path = tmp_path / f"w{suffix}"
    save_network(old, path)
    before = path.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen",
                        lambda *a, **k: FailingFile(real_fdopen(*a, **k), fail_at))
    new = make_net([2, 8, 8, 1], ["relu", "relu", "sigmoid"], seed=2)
    with pytest.raises(WeightsError) as info:
        save_network(new, path)
    assert str(info.value) == f"w{suffix}: cannot write the file (No space left on device)"
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]
    monkeypatch.undo()
    assert_same_network(old, load_network(path))


@pytest.mark.parametrize("target", ["fsync", "replace"])
def test_failed_fsync_or_replace_leaves_the_old_file(tmp_path, monkeypatch, target):
    old = make_net([2, 1], ["sigmoid"], seed=1)
    path = tmp_path / "w.json"
    save_network(old, path)
    before = path.read_bytes()

    def fail(*args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic.os, target, fail)
    with pytest.raises(WeightsError, match=r"^w\.json: cannot write the file \(Input/output"):
        save_network(make_net([2, 1], ["sigmoid"], seed=2), path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.json"]


def test_unexpected_errors_also_clean_up(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(weights_write.np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        save_network(make_net([2, 1], ["sigmoid"]), tmp_path / "w.npz")
    assert os.listdir(tmp_path) == []


def test_save_errors(tmp_path):
    net = make_net([2, 2, 1], ["tanh", "sigmoid"])
    with pytest.raises(WeightsError, match=r"^w\.json: cannot write the file"):
        save_network(net, tmp_path / "missing-dir" / "w.json")
    net.layers[1].W[0, 0] = np.nan  # a diverged network
    with pytest.raises(WeightsError, match=r"^w\.npz: layers\[1\]\.weights: contains NaN"):
        save_network(net, tmp_path / "w.npz")
    net.layers[1].W[0, 0] = 0.0
    with pytest.raises(WeightsError, match=r"^w\.json: meta\.lr: not a finite number"):
        save_network(net, tmp_path / "w.json", meta={"lr": float("inf")})
    with pytest.raises(WeightsError, match=r"^w\.json: meta\.s: not JSON data"):
        save_network(net, tmp_path / "w.json", meta={"s": {1, 2}})
    with pytest.raises(WeightsError, match=r"^w\.json: meta: expected an object"):
        save_network(net, tmp_path / "w.json", meta=["loss"])
    assert os.listdir(tmp_path) == []


# --- property tests: anything malformed gives a WeightsError, never something else ------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats()  # nan and ±inf included
    | st.text(max_size=10) | st.sampled_from([10 ** 400, -0.0, 5e-324, "softmax", "tanh"]),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(["meta", "weights", "biases"]),
                      children, max_size=4),
    max_leaves=25)


def try_load(path) -> None:
    try:
        load_network_with_meta(path)
    except WeightsError as e:
        message = str(e)
        assert len(message.splitlines()) == 1, message
        assert message.startswith(path.name + ": "), message


def all_paths(doc):
    out, stack = [()], [((), doc)]
    while stack:
        path, value = stack.pop()
        items = value.items() if isinstance(value, dict) else \
            enumerate(value) if isinstance(value, list) else ()
        for k, v in items:
            out.append(path + (k,))
            stack.append((path + (k,), v))
    return out


@st.composite
def base_documents(draw):
    n_layers = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=n_layers + 1, max_size=n_layers + 1))
    acts = [draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]))
            for _ in range(n_layers)]
    if sizes[-1] >= 2 and draw(st.booleans()):
        acts[-1] = "softmax"
    use_bias = draw(st.lists(st.booleans(), min_size=n_layers, max_size=n_layers))
    net = make_net(sizes, acts, use_bias, seed=draw(st.integers(0, 1000)))
    meta = draw(st.none() | st.just({"loss": "mse", "features": ["x1", "x2"]}))
    return network_to_dict(net, meta)


@st.composite
def mutated_documents(draw):
    doc = draw(base_documents())
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(all_paths(doc)))
        op = draw(st.sampled_from(["drop", "replace", "stringify", "nest", "wrap", "special",
                                   "add key"]))
        parent = None
        target = doc
        for key in path:
            parent, target = target, target[key]
        if op == "drop":
            new = None if not path else "__drop__"
        elif op == "replace":
            new = draw(JSON_VALUES)
        elif op == "stringify":
            new = repr(target) if not isinstance(target, str) else target + "x"
        elif op == "nest":
            new = [target]
        elif op == "wrap":
            new = {"value": target}
        elif op == "special":
            new = draw(st.sampled_from([math.nan, math.inf, -math.inf, True, False, None,
                                        10 ** 400, 2, -1, 0, "", [], {}]))
        else:
            if isinstance(target, dict):
                target[draw(st.text(max_size=6))] = draw(JSON_VALUES)
            continue
        if not path:
            doc = new
        elif new == "__drop__":
            del parent[path[-1]]
        else:
            parent[path[-1]] = new
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.one_of(JSON_VALUES, mutated_documents()))
def test_any_json_value_loads_or_gives_a_weights_error(tmp_path_factory, schema, doc):
    path = tmp_path_factory.mktemp("prop") / "w.json"
    text = json.dumps(doc)  # allow_nan: NaN / Infinity tokens appear in the file
    path.write_text(text, encoding="utf-8")
    try:
        load_network_with_meta(path)
    except WeightsError as e:
        assert len(str(e).splitlines()) == 1 and str(e).startswith("w.json: "), str(e)
    else:
        # whatever the loader accepts, the schema accepts too
        schema.validate(json.loads(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=base_documents())
def test_valid_documents_round_trip(tmp_path_factory, schema, doc):
    schema.validate(doc)
    d = tmp_path_factory.mktemp("rt")
    path = d / "w.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    net, meta = load_network_with_meta(path)
    assert network_to_dict(net, meta if "meta" in doc else None) == doc
    save_network(net, d / "w.npz", meta=meta)
    assert_same_network(net, load_network(d / "w.npz"))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".json", ".npz"]),
       zip_prefix=st.booleans())
def test_random_bytes_give_a_weights_error(tmp_path_factory, data, suffix, zip_prefix):
    path = tmp_path_factory.mktemp("bytes") / f"w{suffix}"
    path.write_bytes((b"PK\x03\x04" if zip_prefix else b"") + data)
    try_load(path)


NPZ_REPLACEMENTS = [
    np.array(1.5), np.array(1), np.array(True), np.array("tanh"), np.array(["tanh"]),
    np.zeros((2, 2), dtype=np.int32), np.zeros((0, 3)), np.zeros((3, 0)), np.array(np.nan),
    np.full((2, 3), np.inf), np.ones((3, 2), dtype=np.float32), np.array([1 + 2j]),
    np.zeros(2, dtype=[("a", "f8")]), np.array([None, 1], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"), np.array([b"x1", b"x2"]),
    np.zeros((2, 3, 1)), np.array([True, False]), np.array(["sigmoid", "softmax"]),
    np.array('{"a": 1}'), np.array(2 ** 62), np.array(["x1", "x2"]), np.zeros(3),
]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_npz_loads_or_gives_a_weights_error(tmp_path_factory, data):
    arrays = npz_arrays()
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from(sorted(arrays) + ["W3", "b3", "use_bias", "meta",
                                                         "other"]))
        if data.draw(st.booleans()) and key in arrays:
            del arrays[key]
        else:
            arrays[key] = data.draw(st.sampled_from(NPZ_REPLACEMENTS))
    path = tmp_path_factory.mktemp("npz") / "w.npz"
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    try_load(path)


def test_a_huge_meta_is_blamed_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_format, "MAX_FILE_BYTES", 10_000)
    net = make_net([2, 3, 1], ["tanh", "sigmoid"])
    for name in ("w.npz", "w.json"):
        with pytest.raises(WeightsError, match=rf"^{name[0]}\.{name[2:]}: meta too large to save"):
            save_network(net, tmp_path / name, meta={"notes": "x" * 8_000})
    assert list(tmp_path.iterdir()) == []  # not even a temporary file


def test_a_network_too_large_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_format, "MAX_FILE_BYTES", 200)
    with pytest.raises(WeightsError, match="network too large to save"):
        save_network(make_net([2, 8, 1], ["tanh", "sigmoid"]), tmp_path / "w.npz")
    assert list(tmp_path.iterdir()) == []


def test_names_that_are_not_text_are_refused(tmp_path):
    doc = valid_doc()
    doc["outputs"] = ["\udc80"]
    path = write(tmp_path, json.dumps(doc))  # json writes the lone surrogate as an escape
    assert load_error(path) == "w.json: outputs[0]: not valid Unicode text (a lone surrogate)"
