"""Atomic writes: a killed writer's temporary file is swept by the next save to the folder, the
process umask is never changed (another thread may be saving), the result has ordinary
permissions."""
import os
import signal
import stat
import subprocess
import sys

import pytest

from model.files import atomic
from model.files.atomic import atomic_file, sweep_stale_temporaries, write_bytes_atomically

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_a_writer_killed_mid_save_leaves_a_temporary_the_next_save_removes(tmp_path):
    target = tmp_path / "s.json"
    target.write_text("old")
    code = ("import sys, time\nfrom model.files.atomic import atomic_file\n"
            "with atomic_file(sys.argv[1], 'w') as f:\n"
            "    f.write('x' * 100000); f.flush(); print('writing', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stdout.close()
    stale = [p.name for p in tmp_path.iterdir() if p.name != "s.json"]
    assert len(stale) == 1 and stale[0].startswith(".s.json.") and stale[0].endswith(".tmp")
    assert target.read_text() == "old"  # the target is untouched
    write_bytes_atomically(tmp_path / "other.json", b"{}")  # any save into the folder sweeps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "s.json"]


def test_temporaries_of_live_processes_and_other_files_are_left_alone(tmp_path):
    ours = tmp_path / f".a.json.{os.getpid()}.0123abcd.tmp"
    parent = tmp_path / f".b.json.{os.getppid()}.0123abcd.tmp"
    unrelated = tmp_path / ".c.json.tmp"
    for p in (ours, parent, unrelated):
        p.write_text("x")
    assert sweep_stale_temporaries(tmp_path) == []
    assert all(p.exists() for p in (ours, parent, unrelated))


def test_the_umask_is_never_changed_and_applies(tmp_path, monkeypatch):
    def forbidden(*args):
        raise AssertionError("os.umask changes a process-wide setting")
    old = os.umask(0o027)
    try:
        monkeypatch.setattr(atomic.os, "umask", forbidden)
        with atomic_file(tmp_path / "w.json", "w") as f:
            f.write("{}")
    finally:
        monkeypatch.undo()
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "w.json").stat().st_mode)
    assert mode == 0o640


def test_the_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def record(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real_fsync(fd)
    monkeypatch.setattr(atomic.os, "fsync", record)
    write_bytes_atomically(tmp_path / "w.bin", b"data")
    assert synced == [False, True]  # the file's data, then the folder's entry


def test_an_error_removes_the_temporary(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_file(tmp_path / "w.json", "w") as f:
            f.write("partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
