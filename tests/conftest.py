"""The whole suite: one engine per run, so that results are reproducible bit for bit.

With the default "auto" the compiled kernels load in the background and training switches to
them between two minibatches: numbers would then depend on when that happened (they agree to
1e-12, not bit for bit). The suite therefore trains on numpy unless BACKPROP_ENGINE says
otherwise; tests/model/test_engine.py chooses its engines explicitly. To run everything on
the compiled path: BACKPROP_ENGINE=compiled pytest (the kernels are loaded before any test).
"""
import os
import sys

import pytest

os.environ.setdefault("BACKPROP_ENGINE", "numpy")
# as the window does (gui/shell/pacing.py single_threaded_drawing), before anything paints
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def pytest_sessionstart(session):
    if os.environ["BACKPROP_ENGINE"] == "compiled":
        from model.core import engine

        if not engine.LOADER.wait(600):
            raise RuntimeError(f"BACKPROP_ENGINE=compiled, but {engine.LOADER.error}")


@pytest.fixture(autouse=True)
def automatic_garbage_collection_outside_the_gui_tests(request):
    """The GUI tests collect garbage on the GUI thread only (tests/gui/conftest.py); the
    tests after them get Python's automatic collector back (no event loop runs there to
    collect)."""
    collector = sys.modules.get("gui.shell.collector")
    if collector is not None and collector.running() is not None and \
            "gui" not in request.node.path.relative_to(request.config.rootpath).parts[1:2]:
        collector.give_back()
