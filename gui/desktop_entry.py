"""Install the app into the user's desktop menu (XDG): ``make install-desktop`` runs
``python -m gui.desktop_entry install``; ``uninstall`` removes what it wrote.

Per user, nothing system-wide:

    $XDG_DATA_HOME/applications/backprop-playground.desktop
    $XDG_DATA_HOME/icons/hicolor/scalable/apps/backprop-playground.svg

($XDG_DATA_HOME defaults to ~/.local/share.) The entry's ``Exec`` is the absolute path of the
``backprop-playground`` command next to this Python (a venv or a pip install), else this Python
running the checkout's main.py, so the menu starts the same installation that installed it.
Pure stdlib: no Qt.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from gui.identity import APP_ID, DESKTOP_TEMPLATE, ICON
from model.files.atomic import write_bytes_atomically
from model.files.bundled import resource

_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def data_home(environ=None) -> Path:
    environ = os.environ if environ is None else environ
    value = environ.get("XDG_DATA_HOME", "")
    if os.path.isabs(value):
        return Path(value)
    return Path(environ.get("HOME") or Path.home()) / ".local" / "share"


def targets(environ=None) -> tuple[Path, Path]:
    """(the .desktop file, the icon) this installs."""
    base = data_home(environ)
    return (base / "applications" / f"{APP_ID}.desktop",
            base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg")


def exec_quote(arg: str) -> str:
    """One argument of an Exec line (Desktop Entry spec: quoted when it has a reserved
    character; inside quotes ", `, $ and \\ are escaped, then every \\ is doubled because the
    value is itself an escaped string)."""
    if arg and not (set(arg) & _RESERVED) and "%" not in arg and "=" not in arg:
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return ('"' + inner + '"').replace("\\", "\\\\")


def launch_command() -> list[str]:
    """The command that starts this installation's window."""
    script = Path(sys.executable).parent / APP_ID
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, str(Path(__file__).resolve().parents[1] / "main.py")]


def desktop_entry(command: list[str]) -> str:
    """The template's text with ``Exec`` (and ``TryExec``) set to ``command``."""
    lines = []
    for line in resource(*DESKTOP_TEMPLATE).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            lines.append(f"TryExec={exec_quote(command[0])}")
            line = "Exec=" + " ".join(exec_quote(a) for a in command)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _refresh_caches(apps: Path, icons: Path) -> None:
    """Let the menu notice at once; optional tools, so their absence is fine."""
    for cmd in (["update-desktop-database", "-q", str(apps)],
                ["gtk-update-icon-cache", "-q", "-t", str(icons)]):
        if shutil.which(cmd[0]):
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


def install(environ=None, command: list[str] | None = None) -> tuple[Path, Path]:
    entry, icon = targets(environ)
    entry.parent.mkdir(parents=True, exist_ok=True)
    icon.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(icon, resource(*ICON).read_bytes())
    write_bytes_atomically(entry, desktop_entry(command or launch_command()).encode("utf-8"))
    _refresh_caches(entry.parent, icon.parents[2])
    return entry, icon


def uninstall(environ=None) -> list[Path]:
    removed = []
    for path in targets(environ):
        if path.exists():
            path.unlink()
            removed.append(path)
    entry, icon = targets(environ)
    _refresh_caches(entry.parent, icon.parents[2])
    return removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gui.desktop_entry",
                                     description="Add Backprop Playground to your desktop's "
                                                 "application menu, or remove it (per user).")
    parser.add_argument("action", choices=("install", "uninstall"))
    args = parser.parse_args(argv)
    try:
        if args.action == "install":
            entry, icon = install()
            print(f"installed {entry}\ninstalled {icon}")
        else:
            removed = uninstall()
            print("\n".join(f"removed {p}" for p in removed) or "nothing to remove")
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
