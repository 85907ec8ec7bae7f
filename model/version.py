"""The app's version, single-sourced from pyproject.toml.

Installed (wheel or ``pip install -e``): the installed distribution's metadata, which setuptools
wrote from pyproject.toml. Run from a checkout that was never installed: pyproject.toml itself,
read only when it sits beside the ``model`` package and names this project.
"""
from __future__ import annotations

import functools
from pathlib import Path

DISTRIBUTION = "backprop-playground"
UNKNOWN = "0+unknown"


@functools.cache
def version() -> str:
    """The version string, e.g. ``"0.1.0"``; ``"0+unknown"`` if it cannot be found."""
    from importlib import metadata
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return checkout_version(Path(__file__).resolve().parents[1] / "pyproject.toml")


def checkout_version(pyproject: Path) -> str:
    """``project.version`` of ``pyproject`` if it is this project's, else ``"0+unknown"``."""
    import tomllib
    try:
        with open(pyproject, "rb") as f:
            project = tomllib.load(f).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return UNKNOWN
    if project.get("name") != DISTRIBUTION or not isinstance(project.get("version"), str):
        return UNKNOWN
    return project["version"]
