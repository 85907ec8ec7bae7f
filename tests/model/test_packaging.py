"""What installing relies on: the shipped files found through one function, the version from
pyproject.toml, the metadata a wheel gets, and an entry point that loads no Qt."""
import glob
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import model
from model import version as version_mod
from model.files import bundled

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_resources_are_found_in_the_checkout():
    root = bundled.resources_root()
    assert root == ROOT / "resources"
    assert (bundled.resource("examples", "classic_2_2_2.csv")).is_file()
    assert bundled.resource("weights.schema.json").is_file()
    assert bundled.resource("icons", "backprop-playground.svg").is_file()


def test_an_installed_copy_wins_over_a_checkout_and_a_missing_folder_is_one_line(tmp_path,
                                                                                 monkeypatch):
    package = tmp_path / "site" / "model"
    installed = package / "resources"
    checkout = tmp_path / "site" / "resources"  # a source tree's folder beside the package
    (installed / "examples").mkdir(parents=True)
    (checkout / "examples").mkdir(parents=True)
    monkeypatch.setattr(bundled, "files", lambda name: package)
    bundled.resources_root.cache_clear()
    try:
        assert bundled.resources_root() == installed
        (installed / "examples").rmdir()
        installed.rmdir()
        bundled.resources_root.cache_clear()
        assert bundled.resources_root() == checkout
        (checkout / "examples").rmdir()
        bundled.resources_root.cache_clear()
        with pytest.raises(bundled.MissingResources) as info:
            bundled.resources_root()
        assert "\n" not in str(info.value) and "reinstall" in str(info.value)
    finally:
        bundled.resources_root.cache_clear()


def test_the_package_data_globs_ship_every_resource():
    """Every file under resources/ matches a package-data pattern (else the wheel drops it)."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["model.resources"]
    root = ROOT / "resources"
    shipped = {Path(f) for p in patterns for f in glob.glob(str(root / p), recursive=True)}
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py":
            assert path in shipped, f"{path.relative_to(root)} would not be installed"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"model.resources": "resources"}


def test_version_comes_from_pyproject():
    assert model.__version__ == PYPROJECT["project"]["version"]
    assert version_mod.checkout_version(ROOT / "pyproject.toml") == PYPROJECT["project"]["version"]


def test_a_foreign_or_broken_pyproject_gives_no_version(tmp_path):
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "something-else"\nversion = "9.9"\n')
    assert version_mod.checkout_version(other) == "0+unknown"
    other.write_text("[project\nname = ")
    assert version_mod.checkout_version(other) == "0+unknown"
    assert version_mod.checkout_version(tmp_path / "missing.toml") == "0+unknown"


def test_metadata_declares_python_versions_licence_and_an_entry_point_into_the_packages():
    project = PYPROJECT["project"]
    classifiers = project["classifiers"]
    for minor in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {minor}" in classifiers
    assert project["requires-python"] == ">=3.11"
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "2026 Backprop Playground developers" in licence
    assert project["gui-scripts"] == {"backprop-playground": "gui.launch:main"}
    assert "py-modules" not in PYPROJECT["tool"]["setuptools"]  # no top-level `main` module
    manifest = (ROOT / "MANIFEST.in").read_text().split()
    assert {"tests", "resources", "LICENSE"} <= set(manifest)


def test_the_entry_point_module_loads_no_qt():
    code = ("import sys, gui.launch; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph', 'numpy')]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_cli_command_through_the_entry_point_loads_no_qt(tmp_path):
    code = ("import sys; from gui.launch import main; code = main(['train', '--epochs', '2', "
            "'--quiet']); bad = [m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'pyqtgraph')]; print(bad); sys.exit(code or (1 if bad else 0))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("[]")
