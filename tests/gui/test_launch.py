"""Starting the app: which arguments open the window, which run the command line, and a clear
refusal for everything else, including no display (checked before Qt could abort)."""
import os
import pathlib
import socket
import subprocess
import sys

import pytest

from gui import display, launch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_main(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env=env if env is not None else dict(os.environ))


def headless_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


# ----------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("argv, quit_after, qt_args, platform", [
    ([], None, [], None),
    (["--quit-after", "250"], 250, [], None),
    (["--quit-after=5"], 5, [], None),
    (["-style", "fusion", "-reverse"], None, ["-style", "fusion", "-reverse"], None),
    (["--platform", "offscreen", "--quit-after", "1"], 1, ["--platform", "offscreen"],
     "offscreen"),
    (["-platform=minimal"], None, ["-platform=minimal"], "minimal"),
])
def test_window_arguments(argv, quit_after, qt_args, platform):
    assert launch.window_arguments(argv) == (quit_after, qt_args, platform)


@pytest.mark.parametrize("argv, needle", [
    (["trian"], "unknown command 'trian' (did you mean 'train'?)"),
    (["exprot", "--to", "x"], "did you mean 'export'?"),
    (["zzz"], "unknown command 'zzz'"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--quit-afte", "5"], "did you mean --quit-after?"),
    (["--quit-after"], "needs a number"),
    (["--quit-after", "soon"], "'soon' is not a whole number"),
    (["-style"], "needs a value"),
])
def test_unknown_arguments_are_refused(argv, needle):
    with pytest.raises(launch.UsageError) as info:
        launch.window_arguments(argv)
    assert needle in str(info.value)


@pytest.mark.parametrize("args, needle", [
    (["trian", "--epochs", "3"], "unknown command 'trian' (did you mean 'train'?)"),
    (["--version2"], "unknown option '--version2'"),
    (["train", "--epoch", "2", "--bogus"], "unknown option '--bogus'"),
])
def test_typos_print_the_usage_in_one_line_and_exit_2_without_a_window(args, needle):
    r = run_main(*args, env=headless_env(QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "(usage: main.py" in lines[0]
    assert r.stdout == ""


def test_program_name_follows_the_invocation():
    assert launch.program_name("/home/u/.venv/bin/backprop-playground") == "backprop-playground"
    assert launch.program_name("main.py") == "main.py"
    assert launch.program_name("-c") == "backprop-playground"
    r = run_main("--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: main.py")
    assert "examples:" in r.stdout and "QT_QPA_PLATFORM=offscreen" in r.stdout
    # after window options too, and without opening the window
    r2 = run_main("--quit-after", "5", "-h", env=headless_env())
    assert r2.returncode == 0 and r2.stdout == r.stdout


def test_help_shows_defaults_and_examples():
    r = run_main("train", "--help")
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    for shown in ("--lr RATE learning rate (default: 0.03)", "(default: 4,2)",
                  "(default: 100)", "(default: float64)", "examples:",
                  "main.py train --dataset spiral"):
        assert shown in text, shown


def test_version():
    from model import __version__
    r = run_main("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"backprop-playground {__version__}"


# ----------------------------------------------------------------------------- the display
def test_no_display_is_one_line_exit_2_before_qt():
    r = run_main(env=headless_env())
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no display")
    assert "QT_QPA_PLATFORM=offscreen" in lines[0] and "xvfb-run" in lines[0]
    r = run_main("--quit-after", "100", env=headless_env(DISPLAY=":4729"))  # nobody listens
    assert r.returncode == 2 and "cannot connect to the display ':4729'" in r.stderr


def test_display_problem_rules(tmp_path):
    env = {}
    assert "no display" in display.display_problem(None, env)
    assert display.display_problem(None, {"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display.display_problem("minimal", {}) is None
    assert display.display_problem(None, {"QT_QPA_PLATFORM": "xcb;offscreen"}) is None
    assert "no platform plugin 'nosuch'" in display.display_problem("nosuch", {})
    # an X server: something listening on the display's socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "X7"))
        server.listen(1)
        assert display.display_problem(None, {"DISPLAY": ":7"}, socket_dir=str(tmp_path)) is None
        assert display.display_problem(None, {"DISPLAY": ":7.0", "QT_QPA_PLATFORM": "xcb"},
                                       socket_dir=str(tmp_path)) is None
        assert "cannot connect" in display.display_problem(None, {"DISPLAY": ":8"},
                                                           socket_dir=str(tmp_path))
        # asked for wayland only: the X server does not help
        assert display.display_problem("wayland", {"DISPLAY": ":7"},
                                       socket_dir=str(tmp_path)) is not None
    # a Wayland compositor: its socket in XDG_RUNTIME_DIR
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(tmp_path / "wayland-1"))
        server.listen(1)
        env = {"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(tmp_path)}
        assert display.display_problem(None, env) is None
    assert "Wayland display" in display.display_problem(None, env)  # closed now
