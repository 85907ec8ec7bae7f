"""The recorder's encoder on its own (no window): frames in, a GIF or an MP4 out, decoded again
with imageio; its bounded queue, merging, limits, failures and Cancel."""
import time

import numpy as np
import pytest

from gui.files import frame_encoder as fe
from gui.files.frame_encoder import EncodeOptions, EncoderError, FrameEncoder

iio = pytest.importorskip("imageio.v3")


def frame(k, size=(64, 40)):
    """A frame unlike its neighbours: a band whose width and colour depend on k."""
    w, h = size
    f = np.full((h, w, 3), 255, np.uint8)
    f[:, : (k % w) + 1] = ((37 * k) % 256, (91 * k) % 256, 200)
    return f


def run(encoder, frames, end_tick, wait=True):
    encoder.start()
    for tick, f in frames:
        while not encoder.offer(f, tick) and wait:  # a patient producer: nothing dropped
            time.sleep(0.002)
    encoder.finish(end_tick)
    assert encoder.join(60)
    return encoder


def durations(path):
    n = iio.improps(path, index=None).shape[0]
    return [iio.immeta(path, index=i)["duration"] for i in range(n)]


def test_distinct_frames_decode_one_for_one_with_their_size_and_time(tmp_path):
    path = tmp_path / "a.gif"
    enc = run(FrameEncoder(EncodeOptions(path, "gif", 10, (64, 40))),
              [(k, frame(k)) for k in range(12)], 12)
    assert enc.state == "done" and enc.error is None and enc.written == 12
    frames = iio.imread(path, index=None)
    assert frames.shape == (12, 40, 64, 3)
    assert durations(path) == [100] * 12
    assert enc.size_bytes == path.stat().st_size > 0
    # GIF keeps 256 colours a frame: these few come back exactly
    np.testing.assert_array_equal(frames[5], frame(5))


def test_durations_add_up_to_the_recording_at_any_frame_rate(tmp_path):
    path = tmp_path / "b.gif"
    run(FrameEncoder(EncodeOptions(path, "gif", 30, (64, 40))),
        [(k, frame(k)) for k in range(31)], 31)
    d = durations(path)
    # 1/30 s is not a whole number of 1/100 s: the running total is rounded, not each frame
    assert set(d) <= {30, 40} and sum(d) == round(31 * 100 / 30) * 10


def test_identical_frames_are_merged_into_longer_ones(tmp_path):
    path = tmp_path / "c.gif"
    ticks = [(0, frame(1)), (1, frame(1)), (2, frame(1)), (3, frame(2)), (4, frame(3)),
             (5, frame(3))]
    enc = run(FrameEncoder(EncodeOptions(path, "gif", 10, (64, 40))), ticks, 8)
    assert enc.encoded == 6 and enc.written == 3
    assert durations(path) == [300, 100, 400]


def test_a_single_frame_film(tmp_path):
    path = tmp_path / "one.gif"
    run(FrameEncoder(EncodeOptions(path, "gif", 5, (64, 40))), [(0, frame(0))], 10)
    assert durations(path) == [2000]


def test_frames_of_another_size_are_fitted_on_white(tmp_path):
    path = tmp_path / "d.gif"
    big = np.zeros((80, 80, 3), np.uint8)  # square, black: padded left and right
    run(FrameEncoder(EncodeOptions(path, "gif", 10, (64, 40))), [(0, big), (1, frame(1))], 2)
    first = iio.imread(path, index=0)
    assert first.shape == (40, 64, 3)
    assert first[20, 32].max() < 10 and first[20, 2].min() > 245


def test_a_slow_encoder_drops_frames_instead_of_growing_memory(tmp_path, monkeypatch):
    fit = fe.fit
    biggest = []

    def slow_fit(array, size):
        time.sleep(0.03)
        return fit(array, size)

    monkeypatch.setattr(fe, "fit", slow_fit)
    path = tmp_path / "slow.gif"
    enc = FrameEncoder(EncodeOptions(path, "gif", 10, (64, 40)), queue_frames=2)
    enc.start()
    for k in range(40):
        enc.offer(frame(k), k)
        biggest.append(enc._queue.qsize())
        time.sleep(0.002)
    enc.finish(40)
    assert enc.join(60) and enc.state == "done"
    assert enc.dropped > 0 and max(biggest) <= 2
    assert enc.offered == 40 and enc.written == 40 - enc.dropped
    assert sum(durations(path)) == 4000  # a dropped frame makes the one before it last longer


def test_the_gif_frame_limit_stops_taking_frames(tmp_path, monkeypatch):
    monkeypatch.setattr(fe, "GIF_MAX_BYTES", 64 * 40 * 5)
    enc = FrameEncoder(EncodeOptions(tmp_path / "e.gif", "gif", 10, (64, 40)), queue_frames=1)
    assert enc.max_frames == 5
    enc.start()
    for k in range(30):
        while not enc.offer(frame(k), k) and not enc.full:
            time.sleep(0.002)
        if enc.full:
            break
    assert not enc.offer(frame(99), 99)  # full: refused
    enc.finish(30)
    assert enc.join(60) and enc.state == "done" and enc.full
    assert enc.written <= enc.max_frames + 1


def test_cancel_writes_nothing_and_keeps_an_older_file(tmp_path):
    path = tmp_path / "keep.gif"
    path.write_bytes(b"an older animation")
    enc = FrameEncoder(EncodeOptions(path, "gif", 10, (64, 40)))
    enc.start()
    for k in range(5):
        enc.offer(frame(k), k)
    enc.cancel()
    assert enc.join(60) and enc.state == "cancelled"
    assert path.read_bytes() == b"an older animation"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.gif"]  # no temporary file


def test_a_folder_that_is_missing_fails_in_one_line(tmp_path):
    enc = run(FrameEncoder(EncodeOptions(tmp_path / "no" / "x.gif", "gif", 10, (64, 40))),
              [(0, frame(0))], 1)
    assert enc.state == "failed" and enc.error and "\n" not in enc.error
    assert not (tmp_path / "no").exists()


def test_nothing_captured_is_an_error_not_an_empty_file(tmp_path):
    enc = run(FrameEncoder(EncodeOptions(tmp_path / "x.gif", "gif", 10, (64, 40))), [], 1)
    assert enc.state == "failed" and "no frame" in enc.error
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps, size, fmt, words", [
    (0, (64, 40), "gif", "frame rate"), (31, (64, 40), "gif", "frame rate"),
    (10, (63, 40), "gif", "even"), (10, (64, 0), "gif", "even"), (10, (64, 40), "avi", "format"),
])
def test_bad_options_are_refused_in_one_line(tmp_path, fps, size, fmt, words):
    with pytest.raises(EncoderError) as info:
        FrameEncoder(EncodeOptions(tmp_path / "x.gif", fmt, fps, size))
    assert words in str(info.value) and "\n" not in str(info.value)


def test_mp4_without_imageio_ffmpeg_says_so(monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # as if it were not installed
    message = fe.missing_for("mp4")
    assert "imageio-ffmpeg" in message and "GIF works" in message and "\n" not in message
    assert fe.missing_for("mp4", quick=True) == message
    assert fe.missing_for("gif") is None
    with pytest.raises(EncoderError, match="imageio-ffmpeg"):
        FrameEncoder(EncodeOptions(tmp_path / "x.mp4", "mp4", 10, (64, 40)))


def test_an_mp4_has_its_frames_at_a_constant_rate(tmp_path):
    ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "f.mp4"
    # a frame held for three ticks is written three times
    enc = run(FrameEncoder(EncodeOptions(path, "mp4", 10, (64, 40))),
              [(0, frame(0)), (1, frame(1)), (4, frame(4))], 6)
    assert enc.state == "done", enc.error
    assert ffmpeg.count_frames_and_secs(str(path)) == (6, 0.6)
    assert [p.name for p in tmp_path.iterdir()] == ["f.mp4"]


def test_the_dialog_s_quick_check_imports_nothing_and_the_full_one_imports_here(tmp_path):
    """The Record dialog checks as it opens, on the GUI thread: importing imageio there took
    ~0.1 s (twice that on a busy machine). The full check before recording imports on the
    calling thread, never first in the encoder's (a garbage collection there deadlocked)."""
    import subprocess
    import sys
    code = ("import sys\nfrom gui.files.frame_encoder import missing_for\n"
            "print(missing_for('gif', quick=True), missing_for('mp4', quick=True), "
            "'imageio' in sys.modules, 'PIL' in sys.modules, sep='|')\n"
            "print(missing_for('gif'), 'imageio' in sys.modules, 'PIL' in sys.modules, "
            "sep='|')")
    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    expected_mp4 = fe.missing_for("mp4", quick=True)
    quick, full = out.stdout.strip().splitlines()
    assert quick.split("|") == ["None", str(expected_mp4), "False", "False"]
    assert full.split("|") == ["None", "True", "True"]


def test_recording_without_imageio_says_so(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "imageio", None)  # as if it were not installed
    for fmt in ("gif", "mp4"):
        for quick in (True, False):
            message = fe.missing_for(fmt, quick=quick)
            assert "imageio package" in message and "\n" not in message
