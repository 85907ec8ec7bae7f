"""Loading the compiled kernels: once per process, in the background, from the user's cache.

The first time (no kernels in the cache for these sources), a child process compiles them
into the cache folder (about 8 s), niced: numba's compiler is mostly Python, and in a thread
of this process it would hold the GIL for seconds while the window and the trainer wait. A
thread of this process then loads them from the cache (a few tenths of a second). Training
meanwhile runs on numpy (engine.py switches when ``LOADER.ready``).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import math
import os
import pathlib
import subprocess
import sys
import threading
import time


def cache_dir() -> pathlib.Path:
    """The per-user folder for compiled kernels: never site-packages, which may be read-only
    and is shared. $XDG_CACHE_HOME (or ~/.cache; %LOCALAPPDATA% on Windows)/backprop-playground."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    if not base:
        base = str(pathlib.Path.home() / ".cache")
    return pathlib.Path(base) / "backprop-playground" / "numba"


def kernel_cache_dir() -> str:
    """Where numba keeps the kernels in this process: NUMBA_CACHE_DIR when the user set it."""
    return os.environ.get("NUMBA_CACHE_DIR") or str(cache_dir())


_SOURCES = ("compiled.py", "compiled_steps.py", "kernel_ids.py")


def _compiled_marker() -> pathlib.Path:
    """A file that says: these sources were compiled into the cache by this numba and Python."""
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((pathlib.Path(__file__).with_name(name)).read_bytes())
    try:
        numba_version = importlib.metadata.version("numba")
    except importlib.metadata.PackageNotFoundError:  # importable, yet not installed: a checkout
        numba_version = "?"
    digest.update(f"{numba_version} {sys.version}".encode())
    return pathlib.Path(kernel_cache_dir()) / f"compiled-{digest.hexdigest()[:20]}"


class KernelLoader:
    """Loads the compiled kernels once per process, in a background thread.

    The first time a child process compiles them (see the module's docstring).

    ``state`` is "idle", "loading", "ready" or "failed" (``error`` says why);
    ``seconds`` is how long the load took and ``compiled`` whether it had to compile
    (False: loaded from the disk cache)."""

    def __init__(self, module: str = "model.core.compiled"):  # _MODULE
        self._module_name = module
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.state = "idle"
        self.error: str | None = None
        self.kernels = None
        self.seconds = math.nan
        self.compiled: bool | None = None

    @property
    def ready(self) -> bool:
        return self.state == "ready"

    def start(self) -> None:
        """Begin loading unless it has begun; returns at once."""
        with self._lock:
            if self.state != "idle":
                return
            if importlib.util.find_spec("numba") is None:
                self._fail("numba is not installed (pip install '.[fast]')")
                return
            self.state = "loading"
        threading.Thread(target=self._load, name="compile-kernels", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Start if needed and block until loaded (or failed): True when ready."""
        self.start()
        self._done.wait(timeout)
        return self.ready

    def _fail(self, message: str) -> None:
        self.state, self.error = "failed", message
        self._done.set()

    def _load(self) -> None:
        t0 = time.perf_counter()
        folder = pathlib.Path(kernel_cache_dir())
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".probe-{os.getpid()}"
            probe.touch()
            probe.unlink()
        except OSError as exc:  # compiling every start, in this process, would cost seconds
            self._fail(f"the kernel cache folder {folder} cannot be written "
                       f"({exc.strerror or exc}); set NUMBA_CACHE_DIR to another folder")
            return
        try:
            marker = _compiled_marker() if self._module_name == _MODULE else None
            child = marker is not None and not marker.exists() and self._compile_in_child()
            kernels = importlib.import_module(self._module_name)
            if not kernels.AVAILABLE:
                raise ImportError("numba could not be imported")
            kernels.warm_up()
            self.compiled = child or kernels.train_batches.stats.cache_misses.total() > 0
            if marker is not None:
                marker.touch()
        except Exception as exc:  # noqa: BLE001 - any failure means: stay on numpy
            self._fail(f"the compiled kernels did not load ({type(exc).__name__}: {exc})"
                       .splitlines()[0])
            return
        self.seconds = time.perf_counter() - t0
        self.kernels = kernels
        self.state = "ready"
        self._done.set()

    def _compile_in_child(self) -> bool:
        """Compile into the cache in a child process; True when it did (on failure this
        process compiles, in the background thread, as a last resort). If this process ends
        first (a short command-line run), the child still finishes the cache, in its own
        session, so that the next start finds the kernels ready."""
        root = pathlib.Path(__file__).resolve().parents[2]  # the folder holding `model`
        env = {**os.environ, "NUMBA_CACHE_DIR": kernel_cache_dir(),
               "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
        # niced: on a small machine the window and the trainer come first
        code = f"import os\nif hasattr(os, 'nice'): os.nice(10)\nimport {_MODULE} as k; k.warm_up()"
        try:
            child = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=root,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            return False
        try:
            return child.wait(timeout=900) == 0
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return False


_MODULE = "model.core.compiled"
LOADER = KernelLoader()
