"""Every reader refuses what is not a regular file and reads at most its limit, raising only
its own error class: FIFOs never block, /dev/zero never exhausts memory."""
import os
import subprocess
import sys
import threading

import pytest

from model.data.csvdata import CSVError, load_csv
from model.files.reading import LIMITS, read_limited
from model.files.serialize import WeightsError, load_network
from model.files.session import SessionError, load_session

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
READERS = [(load_csv, CSVError, "d.csv"), (load_network, WeightsError, "w.json"),
           (load_session, SessionError, "s.json")]


def finishes(fn, seconds=10.0):
    """Run fn in a thread; fail (instead of hanging the suite) if it blocks."""
    outcome = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc
    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "the reader blocked"
    return outcome


@pytest.mark.parametrize("load, error, name", READERS)
def test_a_fifo_is_refused_without_blocking(tmp_path, load, error, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    outcome = finishes(lambda: load(fifo))
    assert isinstance(outcome.get("error"), error)
    assert str(outcome["error"]) == f"{name}: is a pipe (FIFO), not a regular file"


@pytest.mark.parametrize("load, error, name", READERS)
def test_dev_zero_and_a_symlink_to_it_are_refused(tmp_path, load, error, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    # (the weights reader refuses "/dev/zero" earlier, for its missing .json/.npz suffix)
    for path in ([link] if load is load_network else ["/dev/zero", link]):
        outcome = finishes(lambda: load(path))
        assert isinstance(outcome.get("error"), error)
        assert "is a device, not a regular file" in str(outcome["error"])


@pytest.mark.parametrize("load, error, name", READERS)
def test_a_directory_and_a_missing_file(tmp_path, load, error, name):
    (tmp_path / name).mkdir()
    with pytest.raises(error, match="is a directory"):
        load(tmp_path / name)
    with pytest.raises(error, match="file not found"):
        load(tmp_path / "missing" / name)


def test_the_limit_counts_bytes_read_not_the_size_stat_claims(tmp_path):
    # /proc files are regular files whose stat size is 0 whatever they hold
    proc = "/proc/self/maps"
    assert os.stat(proc).st_size == 0
    with pytest.raises(CSVError, match=r"^maps: file too large \(more than 64 bytes\)$"):
        read_limited(proc, CSVError, 64)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 64)
    assert read_limited(small, CSVError, 64) == b"x" * 64
    small.write_bytes(b"x" * 65)
    with pytest.raises(CSVError, match="too large"):
        read_limited(small, CSVError, 64)


def test_every_kind_of_file_has_a_limit():
    assert set(LIMITS) == {"weights", "session", "csv"}
    assert all(0 < n <= 200 * 2 ** 20 for n in LIMITS.values())


@pytest.mark.parametrize("path", ["/dev/zero", "fifo"])
def test_the_command_line_refuses_in_one_line(tmp_path, path):
    if path == "fifo":
        path = tmp_path / "d.csv"
        os.mkfifo(path)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "train", "--data", str(path),
                        "--epochs", "1"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not a regular file" in r.stderr
