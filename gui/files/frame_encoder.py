"""Encoding recorded frames into an animated GIF or an MP4, in a thread of its own (no Qt here).

The window captures frames on its thread and ``offer``s them with their tick (the frame slot
they were captured in, counted from the start at the chosen frame rate). A bounded queue sits
between the two: when the encoder falls behind, ``offer`` refuses the frame (it is counted as
dropped) rather than memory growing. A frame lasts until the next one kept, so dropped frames
and a window that did not change make longer frames, never a faster film: the animation keeps
the recording's real time. Identical consecutive frames are merged before encoding.

GIF goes through imageio's pillow plugin (no system package needed). Pillow writes a GIF only
when it is closed, so it keeps every frame (quantised to 256 colours, one byte a pixel) until
then: ``gif_frame_limit`` bounds that memory. MP4 goes through imageio-ffmpeg (optional; its
wheel brings an ffmpeg binary) and is streamed. Either way the file is written atomically
(``model.files.atomic``): a failure or Cancel leaves no file, and never a half-written one.
"""
from __future__ import annotations

import gc
import importlib
import importlib.util
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.files.atomic import atomic_file

FORMATS = ("gif", "mp4")
QUEUE_FRAMES = 4  # frames waiting for the encoder; more are dropped
GIF_MAX_BYTES = 400_000_000  # quantised frames pillow may hold before writing the GIF
MAX_FPS = 30  # GIF stores durations in 1/100 s; browsers slow frames under 20 ms down


class EncoderError(Exception):
    """A one-line reason the animation could not be written."""


class _Cancelled(Exception):
    pass


def _available(name: str, quick: bool) -> bool:
    """Whether package ``name`` imports; ``quick``: whether it is installed, without importing
    it (~0.1 s for imageio, twice that on a busy machine: the Record dialog's quick check runs
    on the GUI thread)."""
    try:
        if quick:
            return importlib.util.find_spec(name) is not None
        importlib.import_module(name)
        return True
    except (ImportError, ValueError):
        return False


def missing_for(fmt: str, *, quick: bool = False) -> str | None:
    """A one-line message saying what is missing to write ``fmt``, or None if nothing is.

    ``quick`` (the Record dialog as it opens): only whether the packages are installed,
    importing nothing. Otherwise (before recording starts) the packages are imported here, on
    the calling thread, and imageio-ffmpeg must find its ffmpeg (``ffmpeg -version``).
    Imported here rather than first in the encoder's thread: an import allocates enough to
    start a garbage collection in the thread doing it, and one in the encoder's thread
    destroyed the window's unreachable Qt objects there, which deadlocked against the GUI
    thread (seen in the test suite)."""
    if not (_available("imageio", quick) and _available("PIL", quick)):
        return ("recording needs the imageio package (with pillow): "
                "pip install imageio")
    if fmt == "mp4":
        if not _available("imageio_ffmpeg", quick):
            return ("MP4 needs the imageio-ffmpeg package (pip install imageio-ffmpeg); "
                    "GIF works without it")
        if quick:
            return None
        try:
            importlib.import_module("imageio_ffmpeg").get_ffmpeg_exe()
        except RuntimeError as exc:
            return (f"MP4 needs ffmpeg, which imageio-ffmpeg did not find ({exc}); "
                    "GIF works without it")
    elif fmt != "gif":
        return f"unknown animation format {fmt!r} (choose from: {', '.join(FORMATS)})"
    return None


def gif_frame_limit(size: tuple[int, int]) -> int:
    """The most distinct frames a GIF of ``size`` (w, h) may hold (see GIF_MAX_BYTES)."""
    return max(1, GIF_MAX_BYTES // max(1, size[0] * size[1]))


@dataclass(frozen=True)
class EncodeOptions:
    path: Path
    fmt: str  # "gif" or "mp4"
    fps: int
    size: tuple[int, int]  # (width, height) of every frame written, even numbers

    def check(self) -> None:
        """EncoderError in one line if these options cannot work."""
        if self.fmt not in FORMATS:
            raise EncoderError(f"unknown animation format {self.fmt!r}")
        if not 1 <= self.fps <= MAX_FPS:
            raise EncoderError(f"frame rate must be 1 to {MAX_FPS} frames a second, "
                               f"got {self.fps}")
        w, h = self.size
        if not (2 <= w <= 8192 and 2 <= h <= 8192 and w % 2 == 0 and h % 2 == 0):
            raise EncoderError(f"frame size must be even and 2 to 8192 pixels, got {w}×{h}")
        problem = missing_for(self.fmt)
        if problem:
            raise EncoderError(problem)


def fit(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` (h, w, 3) uint8 scaled to ``size`` (w, h): its aspect kept, centred on
    white (the window may have been resized while recording)."""
    if frame.shape[1::-1] == tuple(size):
        return np.ascontiguousarray(frame)
    from PIL import Image, ImageOps
    img = ImageOps.pad(Image.fromarray(frame), size, method=Image.Resampling.LANCZOS,
                       color=(255, 255, 255))
    return np.asarray(img)


class _GifSink:
    def __init__(self, file, fps: int):
        import imageio.v3 as iio
        self.out = iio.imopen(file, "w", extension=".gif", plugin="pillow")
        self.fps = fps
        self.durations: list[int] = []

    def add(self, frame: np.ndarray, start: int, end: int) -> None:
        # durations in 1/100 s (what GIF stores), rounded on the running total so that the
        # whole film lasts exactly its ticks
        cs = round(end * 100 / self.fps) - round(start * 100 / self.fps)
        self.durations.append(max(1, cs) * 10)
        # pillow keeps the frames until close: quantised now (bits=8), one byte a pixel
        self.out.write(frame, is_batch=False, duration=list(self.durations), loop=0, bits=8)

    def close(self) -> None:
        if len(self.durations) == 1:  # pillow takes a list of durations for several frames
            self.out.save_args["duration"] = self.durations[0]  # only
        self.out.close()  # pillow writes the whole GIF here

    def abort(self) -> None:
        self.out.images_to_write.clear()  # nothing left to write when it is closed
        self.out.close()


class _Mp4Sink:
    def __init__(self, folder: Path, fps: int):
        import imageio.v2 as iio2
        self.path = folder / "animation.mp4"  # ffmpeg needs a real file with its extension
        self.writer = iio2.get_writer(self.path, format="FFMPEG", mode="I", fps=fps,
                                      codec="libx264", pixelformat="yuv420p", quality=7,
                                      macro_block_size=2, ffmpeg_log_level="error")

    def add(self, frame: np.ndarray, start: int, end: int) -> None:
        for _ in range(max(1, end - start)):  # a constant frame rate: repeat a long frame
            self.writer.append_data(frame)

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()


class FrameEncoder:
    """``start()``, then ``offer(frame, tick)`` from the capturing thread, then ``finish(end)``
    or ``cancel()``; ``done`` is set when the thread has ended. The counters are read by the
    window to show progress (plain ints, written by one thread)."""

    def __init__(self, options: EncodeOptions, *, convert=None, queue_frames: int = QUEUE_FRAMES):
        options.check()
        self.options = options
        self.convert = convert  # the captured object → (h, w, 3) uint8, in this thread
        self.max_frames = gif_frame_limit(options.size) if options.fmt == "gif" else 10 ** 9
        self._queue: queue.Queue = queue.Queue(maxsize=queue_frames)
        self._finishing = threading.Event()
        self._cancel = threading.Event()
        self._end_tick = 0
        self.done = threading.Event()
        self.state = "recording"  # → "writing" → "done", "failed" or "cancelled"
        self.offered = self.dropped = self.encoded = self.written = 0
        self.full = False  # the GIF frame limit was reached: no more frames are taken
        self.error: str | None = None
        self.size_bytes = 0
        self._thread = threading.Thread(target=self._run, name="frame-encoder", daemon=True)

    # ----------------------------------------------------------------- the capturing thread
    def start(self) -> None:
        """Start encoding (call it from the GUI thread). Where Python's automatic collector
        runs (tests, a notebook), garbage is collected here first: the encoder's thread
        allocates a lot as it starts (pillow imports its plugins there), and a collection
        there would destroy unreachable Qt objects off the GUI thread, which deadlocked
        against it (seen in the test suite). The app collects on its GUI thread only
        (gui/shell/collector.py): nothing to do, and no full collection to wait for."""
        if gc.isenabled():
            gc.collect()
        self._thread.start()

    def offer(self, frame, tick: int) -> bool:
        """Queue ``frame``, captured in slot ``tick``; False (and counted as dropped) if the
        encoder is behind or the GIF is full."""
        self.offered += 1
        if self.full or self._finishing.is_set():
            self.dropped += 1
            return False
        try:
            self._queue.put_nowait((frame, int(tick)))
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def finish(self, end_tick: int) -> None:
        """No more frames: the last one lasts until ``end_tick``; write the file."""
        self._end_tick = int(end_tick)
        self._finishing.set()

    def cancel(self) -> None:
        """Stop and write nothing (a GIF being written is thrown away when pillow is done)."""
        self._cancel.set()
        self._finishing.set()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # ----------------------------------------------------------------- the encoder's thread
    def _frames(self):
        """(frame, tick) until finish() or cancel(); raises _Cancelled."""
        while True:
            if self._cancel.is_set():
                raise _Cancelled
            try:
                item = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._finishing.is_set():
                    return
                continue
            yield item

    def _encode(self, sink) -> None:
        pending, start = None, 0
        for frame, tick in self._frames():
            array = fit(self.convert(frame) if self.convert else np.asarray(frame),
                        self.options.size)
            self.encoded += 1
            if pending is not None and np.array_equal(array, pending):
                continue  # the same picture: the pending frame just lasts longer
            if pending is not None:
                sink.add(pending, start, max(tick, start + 1))
                self.written += 1
                if self.written + 1 >= self.max_frames:
                    self.full = True
            pending, start = array, tick
        if pending is None:
            raise EncoderError("no frame was captured")
        sink.add(pending, start, max(self._end_tick, start + 1))
        self.written += 1
        self.state = "writing"
        sink.close()

    def _write(self, sink):
        """Encode into ``sink``; on any failure (or Cancel) it is closed with nothing left
        to write, so the temporary file can go."""
        try:
            self._encode(sink)
        except BaseException:
            try:
                sink.abort()
            except Exception:  # noqa: BLE001 - the file is thrown away anyway
                pass
            raise
        return sink

    def _run(self) -> None:
        opts = self.options
        try:
            with atomic_file(opts.path, "wb") as f:
                if opts.fmt == "gif":
                    self._write(_GifSink(f, opts.fps))
                else:
                    folder = Path(tempfile.mkdtemp(prefix="bp-record-"))
                    try:
                        sink = self._write(_Mp4Sink(folder, opts.fps))
                        with open(sink.path, "rb") as encoded:
                            shutil.copyfileobj(encoded, f)
                    finally:
                        shutil.rmtree(folder, ignore_errors=True)
                if self._cancel.is_set():
                    raise _Cancelled  # cancelled while the file was being written
            self.size_bytes = opts.path.stat().st_size
            self.state = "done"
        except _Cancelled:
            self.state = "cancelled"
        except Exception as exc:  # noqa: BLE001 - reported in one line by the window
            self.error = " ".join(str(exc).split()) or type(exc).__name__
            if not isinstance(exc, (EncoderError, OSError)):
                self.error = f"{type(exc).__name__}: {self.error}"
            self.state = "failed"
        finally:
            self.done.set()
