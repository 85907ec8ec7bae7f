"""The window's one Open decides a file's kind (model.files.kinds); counts are written with
thin spaces (model.numbers); readers report their progress and can be stopped; the window's
remembered settings are checked like a session's."""
import dataclasses
import json
import os

import numpy as np
import pytest

from model.files import kinds
from model.files.kinds import CSV, SESSION, WEIGHTS, FileKindError, file_kind, load_any
from model.files.reading import CHUNK, read_limited
from model.files.serialize import save_network
from model.files.session import SessionError, load_session, save_session, settings_from_dict
from model.numbers import GROUP, count_of, format_count
from model.playground import Playground, Settings


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("n, width, text", [
    (0, 0, "0"), (7, 0, "7"), (999, 0, "999"), (1000, 0, "1 000"), (12345, 0, "12 345"),
    (1234567, 0, "1 234 567"), (-12345, 0, "-12 345"), (0, 7, "0 000 000"),
    (1234, 7, "0 001 234"), (12345678, 7, "12 345 678")])
def test_counts_group_digits_by_three_with_a_thin_space(n, width, text):
    assert format_count(n, width) == text.replace(" ", GROUP)


def test_the_group_separator_is_a_space_that_never_breaks_a_line():
    import unicodedata
    assert unicodedata.name(GROUP) == "NARROW NO-BREAK SPACE"
    assert int(format_count(9876543).replace(GROUP, "")) == 9876543  # digits unchanged


def test_count_of_says_one_in_the_singular():
    assert count_of(1, "point") == "1 point"
    assert count_of(0, "row") == "0 rows"
    assert count_of(1500, "point") == f"1{GROUP}500 points"
    assert count_of(2, "moment", "moments kept") == "2 moments kept"


# ----------------------------------------------------------------------------- kinds
@pytest.fixture
def files(tmp_path):
    pg = Playground(Settings(hidden=(3,)))
    out = {"session": tmp_path / "s.json", "weights": tmp_path / "w.json",
           "npz": tmp_path / "w.npz", "csv": tmp_path / "d.csv"}
    save_session(pg, out["session"], {})
    save_network(pg.net, out["weights"])
    save_network(pg.net, out["npz"])
    out["csv"].write_text("x1,x2,label\n0,1,0\n1,0,1\n")
    return out


def test_each_kind_is_found(files):
    assert file_kind(files["session"]) == SESSION
    assert file_kind(files["weights"]) == WEIGHTS
    assert file_kind(files["npz"]) == WEIGHTS
    assert file_kind(files["csv"]) == CSV


def test_a_session_is_found_whatever_the_order_of_its_fields(files, tmp_path):
    d = json.loads(files["session"].read_text())
    moved = {"network": d.pop("network"), **d}  # the weights format now comes first
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(moved))
    assert file_kind(path) == SESSION
    assert load_any(path)[0] == SESSION


def test_load_any_reads_each_kind(files):
    kind, loaded = load_any(files["session"])
    assert kind == SESSION and loaded.playground.settings.hidden == (3,)
    kind, net = load_any(files["weights"])
    assert kind == WEIGHTS and [l.W.shape for l in net.layers] == [(2, 3), (3, 1)]
    kind, net = load_any(files["npz"])
    assert kind == WEIGHTS and net.inputs == ["x1", "x2"]
    assert load_any(files["csv"]) == (CSV, None)  # the data preview reads it
    # a kind given by the caller is not second-guessed: the reader says what is wrong
    with pytest.raises(SessionError, match="w.json"):
        load_any(files["weights"], SESSION)


@pytest.mark.parametrize("name, content, why", [
    ("notes.txt", b"hello", "not a file this app opens (.txt)"),
    ("README", b"hello", "not a file this app opens (no suffix)"),
    ("other.json", b'{"format": "someone-else/model", "layers": []}',
     "neither a session nor a weights file"),
    ("empty.json", b"", "neither a session nor a weights file"),
    ("garbage.json", b"\xff\xfe\x00garbage", "neither a session nor a weights file"),
])
def test_anything_else_is_refused_in_one_line(tmp_path, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileKindError) as info:
        load_any(path)
    text = str(info.value)
    assert text.startswith(f"{name}: ") and why in text and "\n" not in text


def test_a_fifo_and_a_device_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(FileKindError, match="pipe.json: is a pipe"):
        file_kind(fifo)  # returns at once: nothing ever writes to the pipe
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(FileKindError, match="zero.json: is a device"):
        file_kind(link)


def test_only_the_start_of_a_json_file_is_read(tmp_path, monkeypatch, files):
    reads = []
    real = kinds.open_regular

    def counting(path, error, limit, source=None):
        reads.append(limit)
        return real(path, error, limit, source)
    monkeypatch.setattr(kinds, "open_regular", counting)
    assert file_kind(files["session"]) == SESSION
    assert reads == [kinds.HEAD_BYTES + 1]


# ----------------------------------------------------------------------------- progress
def test_reading_reports_progress_and_can_be_stopped(tmp_path):
    path = tmp_path / "big.bin"
    data = np.random.default_rng(0).bytes(3 * CHUNK + 123)
    path.write_bytes(data)
    seen = []
    assert read_limited(path, ValueError, 10 * CHUNK, progress=seen.append) == data
    assert seen == [CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK + 123]

    class Stop(Exception):
        pass

    def stop_after_two(n):
        if n >= 2 * CHUNK:
            raise Stop
    with pytest.raises(Stop):
        read_limited(path, ValueError, 10 * CHUNK, progress=stop_after_two)
    with pytest.raises(ValueError, match="file too large"):  # the limit still holds
        read_limited(path, ValueError, 2 * CHUNK, progress=seen.append)


def test_a_session_load_reports_its_progress(files):
    seen = []
    loaded = load_session(files["session"], progress=seen.append)
    assert seen and seen[-1] == files["session"].stat().st_size
    assert loaded.playground.settings.hidden == (3,)


# ----------------------------------------------------------------------------- settings
def test_settings_round_trip_and_are_checked():
    s = Settings(dataset="spiral", hidden=(5, 3), activation="relu", lr=0.01, features=(
        "x1", "x2", "x1^2"), optimizer="adam")
    raw = json.loads(json.dumps(dataclasses.asdict(s)))
    assert settings_from_dict(raw) == s
    with pytest.raises(SessionError, match="last: settings.hidden"):
        settings_from_dict({**raw, "hidden": ["x"]}, "last")
    with pytest.raises(SessionError, match="lr"):
        settings_from_dict({**raw, "lr": -1.0}, "last")
    assert settings_from_dict({**raw, "warp_factor": 9}) == s  # unknown keys are ignored
