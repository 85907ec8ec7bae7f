"""Sessions: exact round trips, atomic writes, versions, corrupt files."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from model.data.datasets import make_data
from model.playground import Playground, Settings
from model.files.session import VERSION, SessionError, load_session, save_session, session_to_dict

SETTINGS = Settings(dataset="spiral", hidden=(5, 3), optimizer="adam", batch_size=7, lr=0.02,
                    regularization="l2", reg_rate=0.001, features=("x1", "x2", "sin_x1"))


def trained(settings=SETTINGS, data=None):
    pg = Playground(settings, data=data)
    pg.trainer.train(4)
    pg.trainer.step_batch()  # mid-epoch, so the position and shuffle order matter
    return pg


@pytest.mark.parametrize("custom", [False, True])
def test_round_trip_continues_to_the_identical_weights(tmp_path, custom):
    data = make_data("blobs", 120, 0.2, 0.7, seed=4, n_classes=4) if custom else None
    pg = trained(SETTINGS if not custom else Settings(hidden=(6,), optimizer="momentum"), data)
    path = tmp_path / "s.json"
    save_session(pg, path)
    loaded = load_session(path)
    again = loaded.playground
    assert loaded.notes == []
    assert again.settings == pg.settings
    assert np.array_equal(again.net.params, pg.net.params)
    assert again.trainer.epoch == pg.trainer.epoch and again.trainer.position == pg.trainer.position
    assert again.trainer.history.to_lists() == pg.trainer.history.to_lists()
    pg.trainer.train(3)
    again.trainer.train(3)
    assert np.array_equal(again.net.params, pg.net.params)
    if custom:
        assert np.array_equal(again.data.X_train, pg.data.X_train)


def test_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    save_session(trained(), path)
    good = path.read_bytes()
    import os
    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(SessionError, match="No space left"):
        save_session(trained(Settings()), path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_newer_version_loads_what_it_understands_and_says_so(tmp_path):
    path = tmp_path / "s.json"
    save_session(trained(), path)
    d = json.loads(path.read_text())
    d["version"] = VERSION + 1  # a version newer than this app
    d["future_panel"] = {"x": 1}
    d["settings"]["warp_drive"] = True
    path.write_text(json.dumps(d))
    loaded = load_session(path)
    assert any("newer" in n for n in loaded.notes)
    assert any("future_panel" in n for n in loaded.notes) and any("warp_drive" in n for n in loaded.notes)
    d["version"] = 1
    path.write_text(json.dumps(d))
    with pytest.raises(SessionError, match="future_panel: unexpected key"):
        load_session(path)


@pytest.mark.parametrize("mutate,needle", [
    (lambda d: d.pop("network"), "network: missing"),
    (lambda d: d["settings"].update(lr="fast"), "settings.lr"),
    (lambda d: d["trainer"].update(order=[0, 1]), "order"),
    (lambda d: d["trainer"]["optimizer_state"].pop("m"), "optimizer_state"),
    (lambda d: d["network"]["layers"][0].update(activation="swish"), "activation"),
    (lambda d: d.update(format="something"), "format"),
    (lambda d: d["trainer"].update(position=10 ** 6), "position"),
    (lambda d: d["settings"].update(features=["x1", "x9"]), "x9"),
    # found by fuzzing (issue 9): each once escaped as another exception or a later TypeError
    (lambda d: d["settings"].update(lr=10 ** 400), "settings.lr"),
    (lambda d: d["settings"].update(hidden=["x"]), "settings.hidden"),
    (lambda d: d["settings"].update(hidden=[0]), "settings.hidden"),
    (lambda d: d["settings"].update(hidden=[4] * 100), "settings.hidden"),
    (lambda d: d["settings"].update(batch_size=0), "settings.batch_size"),
    (lambda d: d["settings"].update(optimizer="rmsprop"), "settings.optimizer"),
    (lambda d: d["trainer"]["rng"]["state"].update(state=2 ** 200), "trainer.rng.state.state"),
    (lambda d: d["trainer"]["rng"].update(has_uint32=7), "trainer.rng.has_uint32"),
    (lambda d: d["trainer"]["history"]["train_loss"].__setitem__(0, 10 ** 400), "history"),
    (lambda d: d["trainer"].update(steps=10 ** 30), "trainer.steps"),
])
def test_malformed_sessions_name_the_field(tmp_path, mutate, needle):
    path = tmp_path / "s.json"
    save_session(trained(), path)
    d = json.loads(path.read_text())
    mutate(d)
    path.write_text(json.dumps(d))
    with pytest.raises(SessionError) as err:
        load_session(path)
    assert needle in str(err.value) and "\n" not in str(err.value)


_VALID = None


def _valid_doc():
    global _VALID
    if _VALID is None:
        pg = Playground(Settings(hidden=(2,), n_points=30))
        pg.trainer.train(1)
        from model.files.session import session_to_dict
        _VALID = json.loads(json.dumps(session_to_dict(pg)))
    return json.loads(json.dumps(_VALID))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12)


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(["settings", "data", "network", "trainer", "layers", 0, 1, "weights",
                                      "history", "epoch", "rng", "order", "lr", "kind"]), min_size=1, max_size=4),
       value=json_values)
def test_corrupt_sessions_give_a_clear_error_and_change_nothing(tmp_path, path, value):
    d = _valid_doc()
    node = d
    for key in path[:-1]:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    f = tmp_path / "c.json"
    f.write_text(json.dumps(d, allow_nan=True))
    before = f.read_bytes()
    try:
        load_session(f)
    except SessionError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("c.json")
    assert f.read_bytes() == before


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=200))
def test_random_bytes_are_refused_clearly(tmp_path, blob):
    f = tmp_path / "b.json"
    f.write_bytes(blob)
    with pytest.raises(SessionError):
        load_session(f)



@pytest.mark.parametrize("settings", [
    Settings(dataset="plane", hidden=(3,)),  # regression: no accuracy
    Settings(dataset="multi_gaussian", hidden=(3,)),
    Settings(dataset="circle", train_ratio=1.0),  # no test rows: no test loss
], ids=["plane", "multi_gaussian", "no_test_rows"])
def test_sessions_with_missing_history_values_save_and_load_them(tmp_path, settings):
    pg = trained(settings)
    path = tmp_path / "s.json"
    save_session(pg, path)
    history = json.loads(path.read_text())["trainer"]["history"]
    missing = [k for k, v in history.items() if None in v]
    assert missing  # the NaNs went out as null ...
    again = load_session(path).playground
    assert again.trainer.history.to_lists() == pg.trainer.history.to_lists()  # ... and came back


@pytest.mark.parametrize("value", ["1e999", str(10 ** 400), "true"])
def test_huge_or_odd_history_values_are_a_session_error(tmp_path, value):
    pg = trained()
    text = json.dumps(session_to_dict(pg))
    assert '"history": {"epoch": [1,' in text
    text = text.replace('"history": {"epoch": [1,', f'"history": {{"epoch": [{value},', 1)
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SessionError, match="trainer.history.epoch"):
        load_session(path)


def test_an_integer_too_long_for_python_is_a_session_error(tmp_path):
    path = tmp_path / "s.json"
    save_session(trained(), path)
    text = path.read_text().replace('"epoch":', '"epoch":' + "9" * 5000 + ",\"x\":", 1)
    path.write_text(text)
    with pytest.raises(SessionError, match="not valid JSON"):
        load_session(path)


def test_saving_a_diverged_network_is_a_session_error_naming_the_file(tmp_path):
    pg = trained()
    pg.net.params[3] = float("nan")
    with pytest.raises(SessionError, match=r"^s\.json: layers\[0\]\.weights: contains NaN"):
        save_session(pg, tmp_path / "s.json")
    assert list(tmp_path.iterdir()) == []


def test_a_non_finite_optimizer_state_is_named(tmp_path):
    pg = trained()
    pg.trainer.optimizer.update[0] = float("inf")
    with pytest.raises(SessionError, match=r"^s\.json: trainer\.last_update contains NaN"):
        save_session(pg, tmp_path / "s.json")
