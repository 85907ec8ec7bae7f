"""Shared by the tests of the real window: real mouse and key events on its views."""
from PySide6.QtCore import QObject, QPointF, Qt, Slot
from PySide6.QtTest import QTest

WAIT_MS = 20_000


def click_data(window, x, y):
    """A real left click on the output plane at data coordinates (x, y)."""
    plot = window.output_view.plot
    vb = plot.getPlotItem().vb
    scene_point = vb.mapViewToScene(QPointF(x, y))
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     plot.mapFromScene(scene_point))


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A real key press on the active window (its shortcuts answer, whatever has the focus)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, key, modifier)


def type_into_spin_box(qtbot, box, value):
    """Select the spin box's text, type ``value`` and press Enter, as a user would."""
    line = box.lineEdit()
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, str(value))
    QTest.keyClick(line, Qt.Key.Key_Return)


def choose(qtbot, combo, data):
    """Pick the entry whose data is ``data`` with the keyboard (Down/Up on the focused box)."""
    target = combo.findData(data)
    assert target >= 0, data
    combo.setFocus()
    key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(abs(target - combo.currentIndex())):
        QTest.keyClick(combo, key)
    assert combo.currentIndex() == target


def in_worker(window, fn, timeout_ms=30_000):
    """``fn(playground)`` run in the trainer's thread; its result."""
    return window.worker.call(fn).result(timeout=timeout_ms / 1000)


def fed(window) -> bool:
    """Every feature has been handed the newest snapshot (one per turn of the event loop:
    gui/shell/snapshot_feed.py)."""
    return not window.snapshot_feed.waiting()


def settle_paused(qtbot, window, timeout_ms=30_000):
    """Wait until the window has drawn a paused snapshot that answers every command sent,
    and handed it to every feature."""
    qtbot.waitUntil(lambda: window.latest_snapshot.extras["seq"] >= window._seq
                    and not window.latest_snapshot.running and fed(window),
                    timeout=timeout_ms)


class Received(QObject):
    """Snapshots as the GUI thread receives them (a QObject slot: queued, GUI thread)."""

    def __init__(self):
        super().__init__()
        self.snaps = []

    @Slot(object)
    def take(self, snap):
        self.snaps.append(snap)


def pause_flat_out(qtbot, window, timeout_ms=WAIT_MS) -> tuple[Received, int]:
    """Train flat out, then press Pause: the snapshots received from the start, and the Pause
    command's number (snapshots whose seq reaches it came after Pause)."""
    from gui.shell.worker import FLAT_OUT
    received = Received()
    window.worker.snapshot_ready.connect(received.take)
    window.controls.speed.setValue(FLAT_OUT)
    window.play()
    qtbot.waitUntil(lambda: window.latest_snapshot.running, timeout=timeout_ms)
    window.pause()
    return received, window._seq
