"""The GUI tests collect garbage on their GUI thread only (tests/gui/conftest.py); the model
tests after them have Python's automatic collector back (tests/conftest.py): no event loop
runs here to collect, and cycles would pile up for the rest of the run."""
import gc


def test_the_automatic_collector_is_on_outside_the_gui_tests():
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
