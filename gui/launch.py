"""Where the app starts: the installed ``backprop-playground`` command and ``python main.py``.

    (nothing), --quit-after MS, Qt's own options        open the window
    train | predict | gradcheck | export ..., --help, --version
                                                        the headless command line (no Qt)
    anything else                                       one line naming the problem, exit 2

Importing this module loads no Qt: the command line starts fast, and a missing display is
detected before Qt could abort the process.
"""
from __future__ import annotations

import os
import sys
from difflib import get_close_matches

EXIT_USAGE = 2

#: Qt's own command-line options (QGuiApplication, QApplication, xcb) that take a value
QT_VALUE_OPTIONS = frozenset({
    "platform", "platformpluginpath", "platformtheme", "plugin", "qmljsdebugger",
    "qwindowgeometry", "qwindowicon", "qwindowtitle", "session", "style", "stylesheet",
    "display", "geometry", "name", "title", "visual", "ncols", "cmap", "im", "inputstyle",
    "dialogs"})
#: ... and those that are flags
QT_FLAG_OPTIONS = frozenset({"reverse", "widgetcount", "nograb", "dograb", "sync"})


class UsageError(Exception):
    """A command line the app does not understand; the message is one line."""


def program_name(argv0: str | None = None) -> str:
    """The program as it was invoked (``backprop-playground``, ``main.py``), for messages."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = os.path.basename(argv0 or "")
    return "backprop-playground" if name in ("", "-c", "-m", "__main__.py") else name


def _qt_option(arg: str) -> tuple[str, str | None]:
    """(name, inline value) of ``-style=fusion`` / ``--style fusion`` style arguments."""
    name, eq, value = arg.lstrip("-").partition("=")
    return name, (value if eq else None)


def window_arguments(argv: list[str]) -> tuple[int | None, list[str], str | None]:
    """Check the window's arguments: (quit-after ms or None, Qt's arguments, -platform value).

    Raises UsageError for anything that is neither ``--quit-after MS`` nor a Qt option.
    """
    from model.cli import COMMANDS  # noqa: PLC0415 - only for the suggestion
    quit_after, qt_args, platform = None, [], None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--quit-after" or arg.startswith("--quit-after="):
            value = arg.partition("=")[2] if "=" in arg else (argv[i + 1] if i + 1 < len(argv)
                                                             else None)
            if value is None:
                raise UsageError("--quit-after needs a number of milliseconds")
            if not value.isdigit():
                raise UsageError(f"--quit-after: {value!r} is not a whole number of milliseconds")
            quit_after = int(value)
            i += 1 if "=" in arg else 2
            continue
        if not arg.startswith("-") or arg in ("-", "--"):
            close = get_close_matches(arg, COMMANDS, n=1, cutoff=0.75)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"unknown command {arg!r}{hint}")
        name, inline = _qt_option(arg)
        if name in QT_VALUE_OPTIONS:
            value = inline if inline is not None else (argv[i + 1] if i + 1 < len(argv) else None)
            if value is None:
                raise UsageError(f"Qt's option {arg} needs a value")
            qt_args += [arg] if inline is not None else [arg, value]
            if name == "platform":
                platform = value
            i += 1 if inline is not None else 2
            continue
        if name in QT_FLAG_OPTIONS and inline is None:
            qt_args.append(arg)
            i += 1
            continue
        known = ["--help", "--version", "--quit-after"]
        close = get_close_matches(arg.split("=")[0], known, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown option {arg!r}{hint}")
    return quit_after, qt_args, platform


def main(argv: list[str] | None = None) -> int:
    """Run the app with ``argv`` (default ``sys.argv[1:]``); the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = program_name()
    if argv and not argv[0].startswith("-") and _is_command(argv[0]):
        from model.cli import run  # no Qt on this path
        return run(argv, prog=prog)
    asked = [a for a in argv if a in ("-h", "--help", "--version", "-V")]
    if asked:  # also after window options: `--quit-after 5 --help` shows the help
        from model.cli import run
        return run(asked[:1], prog=prog)
    from model.cli import usage_hint
    try:
        quit_after, qt_args, platform = window_arguments(argv)
    except UsageError as exc:
        print(f"error: {exc} {usage_hint(prog)}", file=sys.stderr)
        return EXIT_USAGE
    from gui.display import display_problem
    problem = display_problem(platform, prog=prog)
    if problem is not None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from gui.app import run_app
    return run_app(qt_args, quit_after=quit_after)


def _is_command(word: str) -> bool:
    from model.cli import COMMANDS
    return word in COMMANDS
