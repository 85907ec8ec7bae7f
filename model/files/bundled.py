"""The files shipped with the app (worked examples, the weights schema, the icon), found the same
way whether it runs from the source checkout or from an installed wheel.

The repository keeps them in the top-level ``resources/`` folder; the wheel installs that folder
as the package ``model.resources`` (``package-dir`` in pyproject.toml), so nothing is duplicated.
Never build these paths from ``__file__``'s parents elsewhere: that only works in the checkout.
"""
from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path


class MissingResources(FileNotFoundError):
    """The installation lacks its resources folder (a broken install); one line."""


@functools.cache
def resources_root() -> Path:
    """The folder holding the shipped files.

    Installed (wheel): ``model/resources`` inside the package. From the checkout (``python
    main.py``, or an editable install): ``resources/`` beside the ``model`` package. The
    checkout is tried second, so an installed copy never reads a stray source tree.
    """
    package = files("model")
    installed = package / "resources"
    if installed.is_dir():
        return Path(str(installed))
    # Wheels are installed unzipped, so the package is a real folder (zip imports are not
    # supported: Qt and numpy need real files anyway).
    checkout = Path(str(package)).parent / "resources"
    if (checkout / "examples").is_dir():
        return checkout
    raise MissingResources(f"the app's resources folder is missing (looked in {installed} and "
                           f"{checkout}); reinstall backprop-playground")


def resource(*parts: str) -> Path:
    """A shipped file or folder, e.g. ``resource("examples", "classic_2_2_2.csv")``."""
    return resources_root().joinpath(*parts)
