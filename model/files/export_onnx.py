"""Export a network as an ONNX model (needs the optional ``onnx`` package).

The model takes ``X``: raw inputs of shape [N, d] and returns ``Y`` [N, k], the network's
outputs, as ``Network.predict`` computes them, both in the number type chosen with ``dtype``:
float64 (the default) or float32. When the
network's inputs are feature ids (x1, x2, x1^2, ...), the graph takes the raw points
(x1, x2) and computes the features itself (Slice, Mul, Sin, Concat), so the model is used
on the same data as the app. A network with input scaling then computes (x − offset) / scale
(Sub, Div) as the app does, so raw rows go in. Each layer is a MatMul (+ Add for its biases) and
its activation (Sigmoid, Tanh, Relu, Softmax, LeakyRelu, Elu, Softplus; SiLU and GELU-tanh from
elementary ops; nothing for linear).

Why float64 by default: onnxruntime's CPU kernels run every op used here in double precision,
and the results then agree with the app's to ~1e-15 instead of ~1e-6 in float32. Choose float32
for tooling that only takes float32 (most ONNX converters, accelerators, web runtimes); the
weights are then rounded to float32 and the outputs agree with the app's to about 1e-6
relative. Feed the model arrays of its type (``X.astype(np.float32)``).

Opset 17, IR version 8 (accepted by onnxruntime 1.11 and later). The model's metadata holds
the input, output and activation names (JSON lists) and the producer.
"""
from __future__ import annotations

import json

import numpy as np

from model.core.activations import GELU_C, GELU_K
from model.files.export_common import (ExportError, check_finite, describe, feature_ids,
                                       raw_input_names, write_atomic)

__all__ = ["DEFAULT_DTYPE", "DTYPES", "ExportError", "export_onnx", "onnx_model", "require_onnx"]

OPSET = 17
IR_VERSION = 8
PRODUCER = "backprop-playground"
MISSING = "ONNX export needs the optional 'onnx' package: pip install onnx"
#: the model's number type: name → (numpy dtype, ONNX element type name)
DTYPES = {"float64": (np.float64, "DOUBLE"), "float32": (np.float32, "FLOAT")}
DEFAULT_DTYPE = "float64"

_ACTIVATION_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax",
                   "linear": None, "elu": "Elu", "softplus": "Softplus"}


def activation_nodes(act, z: str, n: int, node, const, dtype=np.float64) -> str:
    """The nodes computing a = f(z) for layer ``n``; returns a's name. Standard ops where opset
    17 has them (Sigmoid, Tanh, Relu, Softmax; in float32 also LeakyRelu, Elu with alpha 1 and
    Softplus, which are built from elementary ops in float64, see below); SiLU as z·Sigmoid(z); GELU's tanh form from Pow, Mul, Add and Tanh (the Gelu op
    is opset 20). ``dtype`` is the model's float type, for the constants."""
    name = act.name
    if name.startswith("leaky_relu"):
        if dtype == np.float64:  # LeakyRelu's alpha is a float32 attribute: 0.2 would be off
            slope = const(f"slope{n}", np.array(act.slope, dtype=dtype))  # by 3e-9
            return node("Max", [z, node("Mul", [z, slope], f"slope_z{n}")], f"a{n}")
        return node("LeakyRelu", [z], f"a{n}", alpha=float(act.slope))
    if name == "silu":
        return node("Mul", [z, node("Sigmoid", [z], f"sigmoid{n}")], f"a{n}")
    if name == "gelu_tanh":
        def c(label, value):
            return const(f"{label}{n}", np.array(value, dtype=dtype))
        cube = node("Pow", [z, c("three", 3.0)], f"z_cubed{n}")
        inner = node("Add", [z, node("Mul", [cube, c("gelu_k", GELU_K)], f"k_z_cubed{n}")],
                     f"gelu_sum{n}")
        t = node("Tanh", [node("Mul", [inner, c("gelu_c", GELU_C)], f"gelu_u{n}")], f"gelu_t{n}")
        half_z = node("Mul", [z, c("half", 0.5)], f"half_z{n}")
        return node("Mul", [half_z, node("Add", [t, c("one", 1.0)], f"one_plus_t{n}")], f"a{n}")
    if name in ("elu", "softplus") and dtype == np.float64:
        # onnxruntime implements Elu and Softplus for float only: in double precision they are
        # built from ops it runs in double, by the formulas activations.py uses
        one = const(f"one{n}", np.array(1.0, dtype=dtype))
        if name == "elu":  # max(z, e^min(z, 0) − 1)
            zero = const(f"zero{n}", np.array(0.0, dtype=dtype))
            e = node("Exp", [node("Min", [z, zero], f"z_neg{n}")], f"exp_z_neg{n}")
            return node("Max", [z, node("Sub", [e, one], f"expm1_{n}")], f"a{n}")
        # softplus: max(z, 0) + log(1 + e^−|z|), which never overflows
        e = node("Exp", [node("Neg", [node("Abs", [z], f"abs_z{n}")], f"neg_abs_z{n}")],
                 f"exp_neg_abs_z{n}")
        tail = node("Log", [node("Add", [e, one], f"one_plus_exp{n}")], f"log1p_exp{n}")
        return node("Add", [node("Relu", [z], f"relu_z{n}"), tail], f"a{n}")
    op = _ACTIVATION_OPS[name]
    if op == "Softmax":
        return node(op, [z], f"a{n}", axis=-1)
    if op == "Elu":
        return node(op, [z], f"a{n}", alpha=1.0)
    return z if op is None else node(op, [z], f"a{n}")


def _import_onnx():
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise ExportError(MISSING) from None
    return onnx, TensorProto, helper, numpy_helper


def require_onnx() -> None:
    """ExportError (one line) unless the ``onnx`` package can be imported: checked before
    training when ``train --export`` names an .onnx file."""
    _import_onnx()


def _check_dtype(dtype: str):
    if dtype not in DTYPES:
        raise ExportError(f"unknown ONNX number type {dtype!r}; use one of {', '.join(DTYPES)}")
    return DTYPES[dtype]


def _cast(values: np.ndarray, np_type, layer: int) -> np.ndarray:
    """``values`` in the model's type; a weight beyond float32's range is refused, not made inf."""
    with np.errstate(over="ignore"):
        out = values.astype(np_type)
    if not np.isfinite(out).all():
        raise ExportError(f"layer {layer} has parameters too large for {np.dtype(np_type).name} "
                          f"(|w| up to {np.abs(values).max():.3g}); export as float64")
    return out


def onnx_model(net, meta: dict | None = None, dtype: str = DEFAULT_DTYPE):
    """The checked ``onnx.ModelProto`` of ``net`` (see the module docstring); ``dtype`` is
    "float64" or "float32", the type of X, Y and every weight."""
    np_type, onnx_type = _check_dtype(dtype)
    onnx, TensorProto, helper, numpy_helper = _import_onnx()
    elem = getattr(TensorProto, onnx_type)
    meta = dict(meta or {})
    check_finite(net)
    feats = feature_ids(net, meta)
    raw = raw_input_names(net, meta)
    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name=name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=f"{op}_{len(nodes)}", **attrs))
        return output

    # ------------------------------------------------------------------ feature transforms
    if feats is not None:
        columns = {}
        axes = const("axis1", np.array([1], dtype=np.int64))
        for i, v in enumerate(("x1", "x2")):
            starts = const(f"{v}_start", np.array([i], dtype=np.int64))
            ends = const(f"{v}_end", np.array([i + 1], dtype=np.int64))
            columns[v] = node("Slice", ["X", starts, ends, axes], v)  # [N, 1]
        recipes = {
            "x1": lambda: columns["x1"],
            "x2": lambda: columns["x2"],
            "x1^2": lambda: node("Mul", [columns["x1"], columns["x1"]], "x1_sq"),
            "x2^2": lambda: node("Mul", [columns["x2"], columns["x2"]], "x2_sq"),
            "x1x2": lambda: node("Mul", [columns["x1"], columns["x2"]], "x1_x2"),
            "sin_x1": lambda: node("Sin", [columns["x1"]], "sin_x1"),
            "sin_x2": lambda: node("Sin", [columns["x2"]], "sin_x2"),
        }
        a = node("Concat", [recipes[fid]() for fid in feats], "features", axis=1)
    else:
        a = "X"

    # ------------------------------------------------------------------ input scaling
    scaling = net.input_scaling
    if scaling is not None:  # (x − offset) / scale, in the app's order of operations
        a = node("Sub", [a, const("scaling_offset", scaling.offset.astype(np_type))],
                 "centred")
        a = node("Div", [a, const("scaling_scale", scaling.scale.astype(np_type))],
                 "scaled")

    # ------------------------------------------------------------------ layers
    for n, layer in enumerate(net.layers, start=1):
        a = node("MatMul", [a, const(f"W{n}", _cast(layer.W, np_type, n))], f"matmul{n}")
        if layer.use_bias:
            a = node("Add", [a, const(f"b{n}", _cast(layer.b, np_type, n))], f"z{n}")
        a = activation_nodes(layer.activation, a, n, node, const, np_type)
    nodes[-1].output[0] = "Y"  # the last node computes the network's output

    d, k = len(raw), net.sizes[-1]
    graph = helper.make_graph(
        nodes, "backprop_playground_network",
        [helper.make_tensor_value_info("X", elem, ["N", d])],
        [helper.make_tensor_value_info("Y", elem, ["N", k])],
        initializer=inits,
        doc_string="\n".join(describe(net, meta)))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=PRODUCER, producer_version="1",
                              doc_string="A neural network generated by Backprop Playground. "
                                         f"X: raw inputs [N, d] {dtype} -> Y: outputs [N, k] "
                                         f"{dtype}.")
    model.ir_version = IR_VERSION
    props = {"inputs": list(net.inputs), "outputs": list(net.outputs),
             "raw_inputs": raw, "activations": net.activation_names,
             "features": list(feats) if feats is not None else None,
             "use_bias": [layer.use_bias for layer in net.layers], "dtype": dtype,
             "input_scaling": scaling.to_dict() if scaling is not None else None}
    for key in ("task", "loss", "classes"):
        if key in meta:
            props[key] = meta[key]
    entries = {key: json.dumps(value, ensure_ascii=False) for key, value in props.items()}
    entries["producer"] = PRODUCER
    helper.set_model_props(model, entries)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001 - a bug here, but report it as one line
        raise ExportError("the ONNX model failed its check: "
                          + " ".join(str(e).split())[:300]) from None
    return model


def export_onnx(net, path, meta: dict | None = None, dtype: str = DEFAULT_DTYPE) -> None:
    """Write ``net`` as an ONNX model to ``path`` (atomically), in ``dtype`` ("float64", the
    default, or "float32").

    ExportError (one line) if the ``onnx`` package is missing, the dtype is unknown, the
    network has non-finite parameters (or too large for float32), or the file cannot be
    written.
    """
    model = onnx_model(net, meta, dtype)
    write_atomic(path, model.SerializeToString())
