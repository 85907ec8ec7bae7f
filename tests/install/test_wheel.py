"""Installing as users do: build the wheel and the sdist from a copy of the source, install the
wheel into fresh virtual environments (no system site-packages) and use the installed command
from another folder. Slow (a minute or two): it builds, and pip installs numpy, PySide6 and
pyqtgraph.

Python 3.11 (the oldest supported) gets the full install, window included; Python 3.13 (the
newest here, from pyenv) runs the command line on numpy alone. Set BACKPROP_PY313 to another
interpreter's path to test that one instead.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parents[2]
PY313 = os.environ.get("BACKPROP_PY313", "/root/.pyenv/versions/3.13.0/bin/python")
IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist",
                                ".pytest_cache", ".hypothesis", "shots")
EXAMPLE_ARGS = ("--loss", "mse", "--lr", "0.5", "--batch-size", "1", "--epochs", "1",
                "--no-shuffle", "--quiet")


def sh(*cmd, cwd=None, env=None, check=True, timeout=900):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n"
                    f"{r.stderr[-3000:]}")
    return r


def make_venv(python, path) -> pathlib.Path:
    sh(python, "-m", "venv", path)  # never --system-site-packages: only what the wheel brings
    return path / "bin"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """(wheel, sdist) built from a copy of the source with setuptools as pyproject asks."""
    base = tmp_path_factory.mktemp("build")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    bin_ = make_venv(sys.executable, base / "buildenv")
    sh(bin_ / "python", "-m", "pip", "install", "-q", "setuptools>=77")
    out = base / "dist"
    code = ("import sys; from setuptools import build_meta as b; out = sys.argv[1]; "
            "b.build_wheel(out); b.build_sdist(out)")  # build_meta rewrites sys.argv
    sh(bin_ / "python", "-c", code, out, cwd=src)
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """An environment whose user folders are private, and a folder away from the source."""
    h = tmp_path_factory.mktemp("home")
    env = dict(os.environ, HOME=str(h), XDG_CONFIG_HOME=str(h / "config"),
               XDG_DATA_HOME=str(h / "data"), XDG_STATE_HOME=str(h / "state"),
               XDG_CACHE_HOME=str(h / "cache"))
    env.pop("PYTHONPATH", None)
    elsewhere = h / "elsewhere"
    elsewhere.mkdir()
    # a stray main.py where the user works must not matter: the app installs no `main`
    (elsewhere / "main.py").write_text("raise SystemExit('the wrong main.py ran')\n")
    return env, elsewhere


def test_wheel_holds_the_packages_and_resources_but_no_main(dist):
    wheel, _ = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("model/resources/examples/classic_2_2_2.csv", "model/resources/weights.schema.json",
                 "model/resources/icons/backprop-playground.svg",
                 "model/resources/backprop-playground.desktop", "gui/launch.py", "model/cli.py"):
        assert must in names, must
    assert not any(n == "main.py" or n.startswith(("resources/", "tests/")) for n in names)
    info = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(info).decode()
    assert "License-Expression: MIT" in metadata
    for minor in ("3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {minor}" in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry_points = zipfile.ZipFile(wheel).read(info.replace("METADATA", "entry_points.txt"))
    assert b"[gui_scripts]\nbackprop-playground = gui.launch:main" in entry_points


def test_sdist_holds_tests_resources_and_licence(dist):
    _, sdist = dist
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for must in ("LICENSE", "README.md", "Makefile", "main.py", "pyproject.toml",
                 "resources/examples/classic_2_2_2.json", "resources/icons/backprop-playground.svg",
                 "tests/model/test_cli.py", "tests/gui/conftest.py", "tests/install/test_wheel.py"):
        assert must in names, must
    assert not any("__pycache__" in n or n.startswith(".venv") for n in names)


def test_the_installed_app_works_from_another_folder(dist, home, tmp_path):
    wheel, _ = dist
    env, elsewhere = home
    bin_ = make_venv(sys.executable, tmp_path / "venv")
    sh(bin_ / "python", "-m", "pip", "install", "-q", wheel, env=env)
    app = bin_ / "backprop-playground"

    r = sh(app, "--version", cwd=elsewhere, env=env)
    assert r.stdout.startswith("backprop-playground ")
    assert sh(app, "--help", cwd=elsewhere, env=env).stdout.startswith(
        "usage: backprop-playground")
    assert sh(bin_ / "python", "-I", "-c", "import importlib.util as u; print(u.find_spec('main'))",
              cwd=elsewhere, env=env).stdout.strip() == "None"

    # the worked examples, from the installed copy
    where = sh(bin_ / "python", "-I", "-c", "from model.files.bundled import resource; "
               "print(resource('examples'))", cwd=elsewhere, env=env).stdout.strip()
    examples = pathlib.Path(where)
    assert str(examples).startswith(str(tmp_path / "venv")) and "site-packages" in where
    r = sh(app, "train", "--init", examples / "classic_2_2_2.json", "--data",
           examples / "classic_2_2_2.csv", *EXAMPLE_ARGS, "--export", "classic.json",
           cwd=elsewhere, env=env)
    weights = json.loads((elsewhere / "classic.json").read_text())
    # the tutorial's published number after one step: w5 = 0.35891648
    assert weights["layers"][1]["weights"][0][0] == pytest.approx(0.35891648, abs=1e-8)
    sh(app, "export", "--init", "classic.json", "--to", "classic_net.py", cwd=elsewhere, env=env)
    script = sh(bin_ / "python", "classic_net.py", examples / "classic_2_2_2.csv",
                cwd=elsewhere, env=env).stdout.splitlines()
    predicted = sh(app, "predict", "--init", "classic.json", "--data",
                   examples / "classic_2_2_2.csv", cwd=elsewhere, env=env).stdout.splitlines()
    assert len(script) == len(predicted) == 2  # a header and the tutorial's one row
    assert predicted[0].split(",")[:2] == weights["outputs"]
    # the exported script and the predict command compute the same outputs
    assert [float(v) for v in script[1].split(",")[:2]] == \
        [float(v) for v in predicted[1].split(",")[:2]]

    # Help → Worked examples' loader, in the installed GUI package
    code = ("from gui.views.examples_menu import EXAMPLES, EXAMPLES_DIR, load_example\n"
            "print(EXAMPLES_DIR)\n"
            "for e in EXAMPLES:\n"
            "    pg = load_example(e, None)\n"
            "    print(e.key, pg.net.sizes)\n")
    r = sh(bin_ / "python", "-I", "-c", code, cwd=elsewhere,
           env=dict(env, QT_QPA_PLATFORM="offscreen"))
    lines = r.stdout.splitlines()
    assert lines[0] == where and len(lines) == 1 + 5  # the landscape lesson is built in code

    # the window itself, offscreen; and a clear refusal without any display
    sh(app, "--quit-after", "500", cwd=elsewhere, env=dict(env, QT_QPA_PLATFORM="offscreen"),
       timeout=120)
    bare = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                       "QT_QPA_PLATFORM")}
    r = sh(app, cwd=elsewhere, env=bare, check=False, timeout=120)
    assert r.returncode == 2 and "no display" in r.stderr
    log = pathlib.Path(env["XDG_STATE_HOME"]) / "backprop-playground" / "backprop-playground.log"
    assert "starting" in log.read_text()  # the window's run was logged in the user's folder


@pytest.mark.skipif(not os.path.exists(PY313), reason=f"no Python 3.13 at {PY313}")
def test_the_command_line_on_the_newest_python(dist, home, tmp_path):
    wheel, _ = dist
    env, elsewhere = home
    bin_ = make_venv(PY313, tmp_path / "venv313")
    assert sh(bin_ / "python", "-c", "import sys; print(sys.version_info[:2])").stdout.strip() \
        == "(3, 13)"
    # the command line needs numpy alone; the window's packages are not installed here
    sh(bin_ / "python", "-m", "pip", "install", "-q", "numpy>=1.26,<3", env=env)
    sh(bin_ / "python", "-m", "pip", "install", "-q", "--no-deps", wheel, env=env)
    app = bin_ / "backprop-playground"
    assert sh(app, "--version", cwd=elsewhere, env=env).stdout.startswith("backprop-playground")
    r = sh(app, "train", "--dataset", "xor", "--hidden", "4", "--epochs", "40", "--lr", "0.1",
           "--points", "200", "--quiet", "--json", "--export", "xor13.json",
           "--history", "h.csv", cwd=elsewhere, env=env)
    doc = json.loads(r.stdout)
    assert doc["epochs"] == 40 and doc["train_accuracy"] > 0.8
    sh(app, "export", "--init", "xor13.json", "--to", "xor13_net.py", cwd=elsewhere, env=env)
    r = sh(bin_ / "python", "xor13_net.py", cwd=elsewhere, env=env)  # no input: reads stdin
    assert r.stdout.splitlines()[0] == "p(1),class"
    data = elsewhere / "pts.csv"
    data.write_text("x1,x2,label\n3,3,1\n-3,3,0\n")
    r = sh(app, "predict", "--init", "xor13.json", "--data", data, cwd=elsewhere, env=env)
    assert [row.split(",")[1] for row in r.stdout.splitlines()[1:]] == ["1", "0"]
    r = sh(app, "trian", cwd=elsewhere, env=env, check=False)
    assert r.returncode == 2 and "did you mean 'train'" in r.stderr
