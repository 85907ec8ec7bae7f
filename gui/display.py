"""Is there a screen to open the window on? Checked before the QApplication exists, because Qt's
xcb plugin aborts the whole process (exit 134, with a hint about xcb-cursor0 that is often
wrong) when it cannot connect. Pure stdlib: no Qt is imported here.

``display_problem(platform)`` returns None when the window can open, else one line saying why
and how to run without a screen.
"""
from __future__ import annotations

import os
import socket
import sys
from importlib.util import find_spec
from pathlib import Path

#: platform plugins that draw without a display server
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb",
                                "vkkhrdisplay"})
X11_SOCKET_DIR = "/tmp/.X11-unix"
CONNECT_TIMEOUT_S = 1.0


def headless_hint(prog: str) -> str:
    return (f"to run without a screen use QT_QPA_PLATFORM=offscreen {prog} (nothing is shown), "
            f"or xvfb-run -a {prog}")


def _connects(family, address) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(CONNECT_TIMEOUT_S)
            s.connect(address)
        return True
    except OSError:
        return False


def x11_reachable(display: str, socket_dir: str = X11_SOCKET_DIR) -> bool:
    """Whether an X server listens for ``display`` (``[host]:N[.screen]``), as Xlib would
    connect: the local socket (abstract, then the file) or TCP port 6000 + N."""
    host, sep, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not sep or not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"{socket_dir}/X{number}"
        return ((sys.platform.startswith("linux") and _connects(socket.AF_UNIX, "\0" + path))
                or _connects(socket.AF_UNIX, path))
    if host.startswith("/"):  # macOS launchd sockets: a path; trust it when it exists
        return Path(display).exists()
    return _connects(socket.AF_INET, (host, 6000 + int(number)))


def wayland_reachable(environ) -> bool:
    name = environ.get("WAYLAND_DISPLAY", "")
    if not name:
        return False
    path = name if name.startswith("/") else os.path.join(environ.get("XDG_RUNTIME_DIR", ""), name)
    return _connects(socket.AF_UNIX, path)


def _plugin_names() -> set[str] | None:
    """Names of Qt's installed platform plugins, without importing Qt (None: unknown)."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms"
    if not folder.is_dir():
        return None
    return {p.name.split(".")[0].removeprefix("libq") for p in folder.iterdir()}


def display_problem(platform: str | None = None, environ=None, *, prog: str = "main.py",
                    socket_dir: str = X11_SOCKET_DIR) -> str | None:
    """None if the window can open; else one line saying what is missing and how to run headless.

    ``platform`` is the ``-platform`` option if given, else QT_QPA_PLATFORM is used (both may
    list several candidates separated by ';', each with ':options').
    """
    environ = os.environ if environ is None else environ
    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        return None  # Windows and macOS always have their native platform
    spec = platform or environ.get("QT_QPA_PLATFORM", "")
    candidates = [c.split(":")[0].strip() for c in spec.split(";") if c.strip()]
    installed = _plugin_names()
    if candidates and installed is not None:
        unknown = [c for c in candidates if c not in installed]
        if len(unknown) == len(candidates):
            return (f"Qt has no platform plugin {unknown[0]!r}"
                    f" (installed: {', '.join(sorted(installed))})")
    if not candidates:
        candidates = ["wayland", "xcb"]  # what Qt would try on its own
    display = environ.get("DISPLAY", "")
    for name in candidates:
        if name in HEADLESS_PLATFORMS:
            return None
        if name == "xcb" and display and x11_reachable(display, socket_dir):
            return None
        if name.startswith("wayland") and wayland_reachable(environ):
            return None
    if not display and not environ.get("WAYLAND_DISPLAY"):
        why = "no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    elif display:
        why = f"cannot connect to the display {display!r} (DISPLAY)"
    else:
        why = f"cannot connect to the Wayland display {environ['WAYLAND_DISPLAY']!r}"
    return f"{why}; {headless_hint(prog)}"
