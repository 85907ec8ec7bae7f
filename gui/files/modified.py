"""The title bar: the session's name and a modified mark ("spiral.json* — Backprop Playground").

The mark (Qt's ``setWindowModified`` with "[*]" in the title) appears when the playground
moves away from what was last saved or opened: training (epoch, step, position), a rebuild
or reset (the snapshot's run id), a setting changed (the worker's settings) and a weight or
bias edited on the graph. Saving clears it when the file holds exactly the state the window
shows; opening a session clears it once the window shows the loaded state.

Snapshots are compared by their ``state_key``; nothing is compared while the mark is on, so
the mark costs nothing while training flat out.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from gui.identity import APPLICATION

UNTITLED = "Untitled"


def state_key(snap) -> tuple:
    """What makes two snapshots the same session state (the weights follow from it, except
    for edits on the graph, which set the mark directly)."""
    return (snap.run_id, snap.epoch, snap.steps, snap.position, snap.extras.get("settings"))


def saved_state(pg) -> tuple:
    """Worker thread: the part of ``state_key`` a saved file holds (no run id)."""
    t = pg.trainer
    return (t.epoch, t.steps, t.position, pg.settings)


class ModifiedMark(QObject):
    changed = Signal(bool)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.path: Path | None = None
        self._clean: tuple | None = None  # state_key of the saved or opened state
        self._after_seq = 0  # the baseline comes from a snapshot that saw this command
        self._expect: tuple | None = None  # ... and shows this saved_state
        window.snapshot_feed.subscribe(self._on_snapshot)
        window.network_view.weight_edited.connect(self.touch)
        window.network_view.bias_edited.connect(self.touch)
        self.show_name()

    @property
    def modified(self) -> bool:
        return self.window.isWindowModified()

    def show_name(self) -> None:
        name = self.path.name if self.path is not None else UNTITLED
        self.window.setWindowTitle(f"{name}[*] — {APPLICATION}")

    def touch(self, *_args) -> None:
        """The session has changed since it was saved or opened."""
        if not self.modified:
            self.window.setWindowModified(True)
            self.changed.emit(True)

    def _set_clean(self, key: tuple) -> None:
        self._clean, self._expect = key, None
        if self.modified:
            self.window.setWindowModified(False)
            self.changed.emit(False)

    def _on_snapshot(self, snap) -> None:
        if self.modified:
            return
        key = state_key(snap)
        if self._clean is None:  # waiting for the state just opened (or the first one)
            if snap.extras.get("seq", 0) < self._after_seq:
                return  # from before the open: the old session
            if self._expect is not None and key[1:] != self._expect:
                self.touch()
                return
            self._clean, self._expect = key, None
        elif key != self._clean:
            self.touch()

    # ----------------------------------------------------------------- saved and opened
    def saved(self, path, state: tuple) -> None:
        """``path`` now holds ``state`` (``saved_state`` taken when it was written): the mark
        goes unless the window has moved on since (training went on meanwhile)."""
        self.path = Path(path)
        self.show_name()
        latest = self.window.latest_snapshot
        if latest is not None and state_key(latest)[1:] == tuple(state):
            self._set_clean(state_key(latest))
        else:
            self.touch()

    def opened(self, path, after_seq: int, state: tuple, *, modified: bool = False) -> None:
        """A session was opened (command number ``after_seq``); ``path`` None: it has no file
        of its own (the session kept on close), so it shows as modified."""
        self.path = Path(path) if path is not None else None
        self.show_name()
        self._clean, self._after_seq, self._expect = None, after_seq, tuple(state)
        if modified:
            self.touch()
        elif self.modified:
            self.window.setWindowModified(False)
            self.changed.emit(False)
