"""Record what you see, on the real window: Ctrl+R opens the dialog, Record captures while
training runs, the file decodes (imageio) to the frames and size asked for; Stop, Cancel,
the epoch limit and MP4 without imageio-ffmpeg."""
import os
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gui.files import recorder as recorder_mod
from gui.files.record_dialog import output_size
from window_helpers import press

iio = pytest.importorskip("imageio.v3")
WAIT_MS = 30_000


@pytest.fixture
def rec(window):
    return recorder_mod.install(window)


def open_dialog(qtbot, window, rec):
    press(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: rec.dialog is not None and rec.dialog.isVisible(), timeout=WAIT_MS)
    return rec.dialog


def fill(dialog, path, fps=10, limit=2, unit="seconds", width=None, source="boundary",
         fmt="gif"):
    dialog.source.setCurrentIndex(dialog.source.findData(source))
    (dialog.mp4 if fmt == "mp4" else dialog.gif).click()
    dialog.fps.setValue(fps)
    dialog.unit.setCurrentIndex(dialog.unit.findData(unit))
    dialog.limit.setValue(limit)
    dialog.size.setCurrentIndex(dialog.size.findData(width))
    dialog.path.setText(str(path))


def wait_done(qtbot, rec):
    qtbot.waitUntil(lambda: rec.last is not None and rec.encoder is None, timeout=WAIT_MS)
    return rec.last


def durations(path):
    n = iio.improps(path, index=None).shape[0]
    return [iio.immeta(path, index=i)["duration"] for i in range(n)]


def test_a_recorded_gif_decodes_to_its_frames_and_size(qtbot, window, rec, tmp_path):
    dialog = open_dialog(qtbot, window, rec)
    path = tmp_path / "boundary.gif"
    fill(dialog, path, fps=10, limit=2, width=320)
    shown = window.output_view.plot.width(), window.output_view.plot.height()
    qtbot.mouseClick(dialog.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rec.recording, timeout=WAIT_MS)
    assert rec.button.text() == "■ Stop"
    assert "Recording the decision boundary to boundary.gif" in window.notices.texts()[0]
    assert window.actions_.play.isChecked()  # it pressed Play
    enc = wait_done(qtbot, rec)
    assert enc.state == "done", enc.error
    frames = iio.imread(path, index=None)
    # the size asked for: 320 wide at the plane's aspect, even numbers
    w, h = 320, round(shown[1] * 320 / shown[0] / 2) * 2
    assert output_size(shown, 320) == (w, h) and frames.shape[1:] == (h, w, 3)
    # every frame kept (training changes the picture) and the film lasts the 2 s recorded
    assert len(frames) == enc.written >= 2
    assert sum(durations(path)) == 2000
    size = os.path.getsize(path)
    text = window.notices.texts()[0]
    assert text.startswith("Saved boundary.gif") and recorder_mod.file_size_text(size) in text
    assert f"{enc.written} frames" in text
    assert rec.button.text() == "● Record" and rec.button.isEnabled()
    assert len(rec.capture_ms) >= 2  # what a capture cost is measured


def test_ctrl_r_stops_early_and_the_window_can_be_recorded(qtbot, window, rec, tmp_path):
    dialog = open_dialog(qtbot, window, rec)
    assert dialog.path.text().endswith("boundary.gif")
    dialog.source.setCurrentIndex(dialog.source.findData("window"))
    assert dialog.path.text().endswith("window.gif")  # the suggested name follows the choice
    path = tmp_path / "window.gif"
    fill(dialog, path, fps=5, limit=60, source="window", width=480)
    dialog.accept()
    qtbot.waitUntil(lambda: rec.recording, timeout=WAIT_MS)
    qtbot.wait(700)
    press(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert not rec.recording
    enc = wait_done(qtbot, rec)
    assert enc.state == "done", enc.error
    frames = iio.imread(path, index=None)
    assert frames.shape[2] == 480 and len(frames) == enc.written
    assert 400 <= sum(durations(path)) < 60_000 / 4


def test_an_epoch_limit_records_that_many_epochs_and_pauses(qtbot, window, rec, tmp_path):
    dialog = open_dialog(qtbot, window, rec)
    path = tmp_path / "epochs.gif"
    fill(dialog, path, fps=10, limit=5, unit="epochs", width=320)
    start = window.latest_snapshot.epoch
    dialog.accept()
    enc = wait_done(qtbot, rec)
    assert enc.state == "done", enc.error and path.is_file()
    qtbot.waitUntil(lambda: not window.latest_snapshot.running
                    and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)
    assert window.latest_snapshot.epoch >= start + 5


def test_cancel_leaves_no_file(qtbot, window, rec, tmp_path):
    dialog = open_dialog(qtbot, window, rec)
    path = tmp_path / "cancelled.gif"
    fill(dialog, path, limit=30, width=320)
    dialog.accept()
    qtbot.waitUntil(lambda: rec.recording and rec.encoder.offered >= 3, timeout=WAIT_MS)
    cancel = window.notices.get("recording").buttons["Cancel"]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    enc = wait_done(qtbot, rec)
    assert enc.state == "cancelled"
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one
    assert "nothing was written" in window.notices.texts()[0]


def test_mp4_without_imageio_ffmpeg_says_so_and_records_nothing(qtbot, window, rec, tmp_path,
                                                               monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if it were not installed
    dialog = open_dialog(qtbot, window, rec)
    assert "imageio-ffmpeg" in dialog.mp4_note.text()
    fill(dialog, tmp_path / "film.mp4", fmt="mp4")
    assert dialog.path.text().endswith(".mp4")
    qtbot.mouseClick(dialog.record, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    message = dialog.error.text()
    assert "MP4 needs the imageio-ffmpeg package" in message and "\n" not in message
    assert not rec.busy and list(tmp_path.iterdir()) == []
    dialog.gif.click()  # GIF needs nothing more
    assert dialog.path.text().endswith(".gif")
    qtbot.mouseClick(dialog.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rec.recording, timeout=WAIT_MS)
    rec.cancel()
    wait_done(qtbot, rec)


def test_an_mp4_is_recorded_when_imageio_ffmpeg_is_there(qtbot, window, rec, tmp_path):
    ffmpeg = pytest.importorskip("imageio_ffmpeg")
    dialog = open_dialog(qtbot, window, rec)
    path = tmp_path / "film.mp4"
    fill(dialog, path, fmt="mp4", fps=10, limit=1, source="graph", width=320)
    dialog.accept()
    enc = wait_done(qtbot, rec)
    assert enc.state == "done", enc.error
    assert ffmpeg.count_frames_and_secs(str(path)) == (10, 1.0)


@pytest.mark.parametrize("change, words", [
    (lambda d, tmp: d.path.setText(""), "choose a file"),
    (lambda d, tmp: d.path.setText(str(tmp / "missing" / "x.gif")), "does not exist"),
    (lambda d, tmp: d.path.setText(str(tmp / "x.png")), "must end in .gif"),
    (lambda d, tmp: (d.fps.setValue(30), d.limit.setValue(600),
                     d.size.setCurrentIndex(0)), "holds at most"),
])
def test_the_dialog_refuses_what_cannot_work_in_one_line(qtbot, window, rec, tmp_path, change,
                                                         words, monkeypatch):
    from gui.files import frame_encoder
    monkeypatch.setattr(frame_encoder, "GIF_MAX_BYTES", 10_000_000)
    dialog = open_dialog(qtbot, window, rec)
    fill(dialog, tmp_path / "ok.gif")
    change(dialog, tmp_path)
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Record is the default button
    assert dialog.isVisible() and words in dialog.error.text()
    assert "\n" not in dialog.error.text() and not rec.busy
    dialog.reject()
