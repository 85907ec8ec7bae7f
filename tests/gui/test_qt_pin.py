"""Guards the PySide6 pin: 6.12.0 drops a reference to True on every Signal.emit() under
Python 3.11 and aborts the interpreter after a few thousand emits."""
import sys

import PySide6
from PySide6.QtCore import QObject, Signal, Slot


class _Emitter(QObject):
    fired = Signal(object)


class _Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    @Slot(object)
    def on_fired(self, payload):
        self.count += 1


def test_emitting_signals_does_not_leak_references_to_true():
    emitter, receiver = _Emitter(), _Receiver()
    emitter.fired.connect(receiver.on_fired)
    payload = {"weights": [1.0, 2.0], "running": True}
    for _ in range(100):  # warm-up: caches settle
        emitter.fired.emit(payload)
    before = sys.getrefcount(True)
    for _ in range(5000):
        emitter.fired.emit(payload)
    after = sys.getrefcount(True)
    assert receiver.count == 5100
    # True is immortal on 3.12+ (huge constant count); on 3.11 it must not fall
    assert after >= before, (f"PySide6 {PySide6.__version__} drops references to True "
                             f"({before} → {after}); see pyproject.toml")


def test_pyside6_is_the_pinned_series():
    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    assert (major, minor) != (6, 12), "PySide6 6.12 crashes Python 3.11 (see pyproject.toml)"
