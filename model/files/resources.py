"""Where the app's own files live (worked examples, bundled data sets, schemas).

The one function that finds a resource file, so that switching to installed package data
(``importlib.resources``) is a change in one place.
"""
from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """The path of ``resources/<parts...>`` (it may not exist)."""
    return _ROOT.joinpath(*parts)
