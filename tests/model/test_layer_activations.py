"""Per-layer activations in Settings (what the window will offer on each layer's header), the
new activations in settings, sessions and the CLI."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from model import load_network
from model.files.session import SessionError, session_from_dict, session_to_dict
from model.playground import Playground, Settings

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_per_layer_choices_build_the_network():
    s = Settings(hidden=(3, 4, 2), activation="tanh", layer_activations=("elu", None, "silu"))
    assert s.hidden_activations() == ["elu", "tanh", "silu"]
    pg = Playground(s)
    assert pg.net.activation_names == ["elu", "tanh", "silu", "sigmoid"]
    # the same initial weights as a network built with one activation: only f changes
    plain = Playground(Settings(hidden=(3, 4, 2), activation="tanh"))
    assert np.array_equal(pg.net.params, plain.net.params)
    assert Settings(hidden=(3, 4)).hidden_activations() == ["tanh", "tanh"]


def test_changing_hidden_keeps_the_choices_of_the_remaining_layers():
    s = Settings(hidden=(3, 4, 2), layer_activations=("elu", None, "silu"))
    assert s.replace(hidden=(3, 4)).layer_activations == ("elu", None)
    assert s.replace(hidden=(3, 4, 2, 5)).layer_activations == ("elu", None, "silu", None)
    assert s.replace(hidden=(3,)).layer_activations == ("elu",)
    assert Settings(hidden=(3, 4), layer_activations=(None, "elu")).replace(
        hidden=(3,)).layer_activations == ()  # nothing left to override
    assert s.replace(hidden=()).layer_activations == ()
    pg = Playground(s)
    assert pg.update(hidden=(3, 4))
    assert pg.net.activation_names == ["elu", "tanh", "sigmoid"]
    assert pg.update(layer_activations=("relu", "leaky_relu:0.2"))
    assert pg.net.activation_names == ["relu", "leaky_relu:0.2", "sigmoid"]
    assert pg.update(activation="softplus", layer_activations=())  # the top bar sets them all
    assert pg.net.activation_names == ["softplus", "softplus", "sigmoid"]


def test_with_hidden_activations_from_a_loaded_network():
    s = Settings(hidden=(3, 3))
    assert s.with_hidden_activations(["relu", "relu"]) == s.replace(activation="relu")
    mixed = s.with_hidden_activations(["relu", "gelu_tanh"])
    assert mixed.activation == "relu" and mixed.layer_activations == (None, "gelu_tanh")
    assert mixed.hidden_activations() == ["relu", "gelu_tanh"]


@pytest.mark.parametrize("changes, says", [
    ({"layer_activations": ("elu",)}, "settings.layer_activations: expected () or one entry per "
                                      "hidden layer (2)"),
    ({"layer_activations": ("softmax", None)}, "settings.layer_activations[0]: unknown hidden "
                                               "activation 'softmax'"),
    ({"layer_activations": (None, "leaky_relu:1")}, "settings.layer_activations[1]: activation "
                                                    "'leaky_relu:1': the slope"),
    ({"layer_activations": (None, 3)}, "settings.layer_activations[1]: expected an activation "
                                       "name, got int"),
    ({"activation": "swish"}, "settings.activation: unknown hidden activation 'swish'"),
    ({"activation": "leaky_relu:-1"}, "settings.activation: activation 'leaky_relu:-1'"),
    ({"output_activation": "gelu_tanh"}, "settings.output_activation: unknown output activation"),
])
def test_bad_choices_are_refused_in_one_line(changes, says):
    with pytest.raises(ValueError) as info:
        Settings(hidden=(3, 3), **changes)
    assert str(info.value).startswith(says) and "\n" not in str(info.value)


def test_names_are_canonical_so_equal_settings_compare_equal():
    assert Settings(hidden=(3, 3), layer_activations=("tanh", "tanh")) == Settings(hidden=(3, 3))
    assert Settings(hidden=(3, 3), layer_activations=("tanh", "elu")).layer_activations == \
        (None, "elu")
    assert Settings(activation="leaky_relu:0.0100").activation == "leaky_relu"
    assert Settings(activation="leaky_relu:.2") == Settings(activation="leaky_relu:0.2")
    assert Settings(output_activation="leaky_relu:5e-1").output_activation == "leaky_relu:0.5"


def test_sessions_keep_per_layer_activations_slopes_and_the_formula():
    s = Settings(dataset="curve_formula", formula="sin(x)*2", hidden=(3, 3, 2),
                 layer_activations=("elu", None, "leaky_relu:0.3"), output_activation="softplus",
                 loss="mse", n_points=120)
    pg = Playground(s)
    pg.trainer.train(2)
    d = json.loads(json.dumps(session_to_dict(pg)))
    assert d["settings"]["layer_activations"] == ["elu", None, "leaky_relu:0.3"]
    assert d["version"] == 1  # no runs: a version-1 reader understands everything
    loaded = session_from_dict(d)
    back = loaded.playground
    assert back.settings == s and back.net.activation_names == pg.net.activation_names
    assert np.array_equal(back.net.params, pg.net.params) and loaded.notes == []
    d["settings"]["layer_activations"] = ["elu", None, "leaky_relu:7"]
    with pytest.raises(SessionError, match=r"settings\.layer_activations\[2\]: activation "
                                           r"'leaky_relu:7'"):
        session_from_dict(d)
    d["settings"]["layer_activations"] = "elu"
    with pytest.raises(SessionError, match=r"settings\.layer_activations: expected a list"):
        session_from_dict(d)


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--quiet", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_activation_per_layer_and_the_new_ones(tmp_path):
    out = tmp_path / "w.json"
    r = run("--hidden", "4,3", "--activation", "elu,leaky_relu:0.2", "--output-activation",
            "softplus", "--loss", "mse", "--epochs", "3", "--points", "80", "--export", out)
    assert r.returncode == 0, r.stderr
    assert load_network(out).activation_names == ["elu", "leaky_relu:0.2", "softplus"]
    r = run("--hidden", "4,3", "--activation", "gelu_tanh", "--epochs", "2", "--points", "80",
            "--export", out)
    assert r.returncode == 0 and load_network(out).activation_names[:2] == ["gelu_tanh"] * 2
    for args, says in ((["--hidden", "4", "--activation", "elu,relu"],
                        "error: --activation: 2 activations for 1 hidden layer"),
                       (["--activation", "swish"],
                        "error: argument --activation: unknown hidden activation 'swish'"),
                       (["--activation", "leaky_relu:2"],
                        "error: argument --activation: activation 'leaky_relu:2': the slope"),
                       (["--output-activation", "silu"],
                        "error: argument --output-activation: unknown output activation 'silu'")):
        r = run(*args)
        assert r.returncode == 2 and r.stderr.startswith(says), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
