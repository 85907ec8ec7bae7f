"""Random real actions on the main window, seeded: what a restless user does while training
runs. The random-action test (test_random_actions.py) and ``bench/gui_bench.py --hogs N``
drive the window with it.

Every action goes through the widgets a user touches: menu actions, shortcut keys on the
window, the top bar's and the data panel's widgets (and those of any open view), mouse clicks
and drags on the graph and on the output plane, double-click edits of a weight with typed text
(sometimes not a number), play/pause, steps, resets. File dialogs answer at once with a file in
a private folder (or Cancel), message boxes with one of their buttons, context menus close.

``Problems`` records what must never happen: an exception in any thread (``sys.excepthook``,
``threading.excepthook``), a Qt warning, a message that shows Python's raw error text, a
worker error that is not a refused command.
"""
from __future__ import annotations

import random
import re
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QPoint, QtMsgType, Qt, qInstallMessageHandler
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QApplication,
                               QComboBox, QDialog, QFileDialog, QLineEdit, QMenu, QMessageBox)

#: Qt messages that say nothing about the app (the offscreen platform's own limits)
BENIGN_QT = ("propagateSizeHints", "This plugin does not support raise()",
             "QFont::setPointSize: Point size <= 0",
             # Help → Open log folder asks the platform for a file manager: offscreen has none
             "does not support QPlatformServices::openDocument()",
             # a popup or the graph's inline editor grabs the keyboard: offscreen cannot
             "This plugin does not support grabbing the keyboard")
#: Python's error text in a message meant for the user means an unhandled case
RAW_ERROR = re.compile(r"Traceback|\b(TypeError|AttributeError|KeyError|IndexError|"
                       r"NameError|UnboundLocalError|ZeroDivisionError|AssertionError|"
                       r"RecursionError|NotImplementedError)\b")
#: the shortcuts a user presses (the window's own, the lesson's and the views')
KEYS = (("Space", 6), ("Right", 4), ("Shift+Right", 2), ("R", 2), ("Shift+R", 1),
        ("Escape", 2), ("L", 1), ("N", 1), ("B", 1), ("C", 1), ("Ctrl+I", 1), ("Ctrl+H", 1),
        ("Ctrl+Shift+H", 1), ("Ctrl+Shift+L", 1), ("Ctrl+G", 1), ("Ctrl+=", 1), ("Ctrl+-", 1),
        ("Ctrl+0", 1), ("Ctrl+S", 1), ("Ctrl+E", 1), ("Ctrl+O", 1))
#: typed into a weight's editor: numbers, and what a user mistypes
TYPED = ("0.5", "-1", "2e-3", "0", "1e300", "-7.25", "abc", "nan", "", "1,5", "1e400", "3")
#: menu entries never triggered at random (they end the session under test)
SKIPPED_MENU = ("&Quit",)
SUFFIXES = {"weights": ".json", "session": ".json", "csv": ".csv", "onnx": ".onnx",
            "py": ".py", "png": ".png"}


class Problems:
    """Records exceptions (any thread), Qt warnings and raw error text shown to the user."""

    def __init__(self):
        self.items: list[str] = []
        self._old = None

    def install(self) -> "Problems":
        self._old = (sys.excepthook, threading.excepthook)

        def hook(kind, value, tb):
            import traceback
            self.items.append("exception: " + "".join(
                traceback.format_exception(kind, value, tb)).strip())

        def thread_hook(args):
            hook(args.exc_type, args.exc_value, args.exc_traceback)

        sys.excepthook, threading.excepthook = hook, thread_hook
        self._old_qt = qInstallMessageHandler(self._on_qt_message)
        return self

    def uninstall(self) -> None:
        if self._old is not None:
            sys.excepthook, threading.excepthook = self._old
            qInstallMessageHandler(self._old_qt)
            self._old = None

    def _on_qt_message(self, kind, context, text) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and not any(
                b in text for b in BENIGN_QT):
            self.items.append(f"Qt {kind.name}: {text}")

    def user_text(self, where: str, text: str) -> None:
        """A message shown to the user: raw Python error text is a problem."""
        if RAW_ERROR.search(text):
            self.items.append(f"{where} shows raw error text: {text!r}")


class RandomActions:
    """``step()`` performs one random action on ``window`` and returns its name."""

    def __init__(self, window, seed: int, folder: Path, problems: Problems | None = None):
        self.window = window
        self.rng = random.Random(seed)
        self.folder = Path(folder)
        self.problems = problems or Problems()
        self.counts: dict[str, int] = {}
        self.messages: list[tuple[str, str]] = []
        self.worker_errors: list[str] = []
        self.last = ""  # what the last action did, in words (for a failure's message)
        self._undo: list = []
        window.worker.error.connect(self._on_worker_error)
        self.kinds = ((self.menu_action, 14), (self.key, 14), (self.widget, 22),
                      (self.graph_click, 8), (self.graph_edit, 5), (self.plane_click, 6),
                      (self.plane_drag, 2), (self.keep_training, 8), (self.close_dialogs, 3),
                      (self.wait, 6))

    # ------------------------------------------------------------------ set-up
    def patch_dialogs(self) -> None:
        """File dialogs, message boxes, modal exec() and context menus answer at once."""
        rng, folder = self.rng, self.folder

        def save_name(parent, title="", name="", filters="", *a, **k):
            if rng.random() < 0.15:
                return "", ""  # cancelled
            suffix = Path(str(name)).suffix or ".json"
            return str(folder / f"saved_{rng.randrange(4)}{suffix}"), ""

        def open_name(parent, title="", directory="", filters="", *a, **k):
            files = sorted(p for p in folder.iterdir() if p.is_file())
            wanted = [p for p in files if p.suffix in _suffixes(str(filters))] or files
            if not wanted or rng.random() < 0.15:
                return "", ""
            return str(rng.choice(wanted)), ""

        def box(kind):
            def answer(parent, title, text, *a, **k):
                self.messages.append((kind, f"{title}: {text}"))
                self.problems.user_text(f"message box {title!r}", str(text))
                return rng.choice((QMessageBox.StandardButton.Ok, QMessageBox.StandardButton.Yes,
                                   QMessageBox.StandardButton.No,
                                   QMessageBox.StandardButton.Cancel))
            return answer

        def box_exec(self_box):
            buttons = self_box.buttons()
            if buttons:
                rng.choice(buttons).click()
            return 0

        def patch(owner, name, value):
            self._undo.append((owner, name, owner.__dict__.get(name)))  # None: inherited
            setattr(owner, name, value)

        patch(QFileDialog, "getSaveFileName", staticmethod(save_name))
        patch(QFileDialog, "getOpenFileName", staticmethod(open_name))
        for kind in ("warning", "critical", "information", "question"):
            patch(QMessageBox, kind, staticmethod(box(kind)))
        patch(QMessageBox, "exec", box_exec)
        patch(QDialog, "exec", lambda self_dialog: self_dialog.reject() or 0)
        patch(QMenu, "exec", lambda self_menu, *a, **k: None)

    def unpatch(self) -> None:
        for owner, name, value in reversed(self._undo):
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
        self._undo.clear()

    def _on_worker_error(self, message: str) -> None:
        self.worker_errors.append(message)
        self.problems.user_text("worker error", message)

    # ------------------------------------------------------------------ driving
    def step(self) -> str:
        kinds, weights = zip(*self.kinds)
        action = self.rng.choices(kinds, weights)[0]
        name = action.__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        self.last = name
        action()
        QApplication.processEvents()
        if self.rng.random() < 0.3:
            self.close_dialogs()
        return name

    def run(self, n: int) -> None:
        for _ in range(n):
            self.step()

    # ------------------------------------------------------------------ the actions
    def menu_action(self) -> None:
        actions = []
        stack = [self.window.menuBar()]
        while stack:
            menu = stack.pop()
            for a in menu.actions():
                if a.menu() is not None:
                    stack.append(a.menu())
                elif (not a.isSeparator() and a.isEnabled() and a.text() not in SKIPPED_MENU):
                    actions.append(a)
        action = self.rng.choice(actions)
        self.last = f"menu {action.text()!r}"
        action.trigger()

    def key(self) -> None:
        keys, weights = zip(*KEYS)
        sequence = self.rng.choices(keys, weights)[0]
        *mods, key = sequence.split("+") if sequence != "Ctrl+=" else ("Ctrl", "=")
        modifiers = Qt.KeyboardModifier.NoModifier
        for m in mods:
            modifiers |= {"Ctrl": Qt.KeyboardModifier.ControlModifier,
                          "Shift": Qt.KeyboardModifier.ShiftModifier}[m]
        code = {"Space": Qt.Key.Key_Space, "Right": Qt.Key.Key_Right,
                "Escape": Qt.Key.Key_Escape, "=": Qt.Key.Key_Equal,
                "-": Qt.Key.Key_Minus}.get(key) or getattr(Qt.Key, f"Key_{key}")
        self.last = f"key {sequence}"
        target = QApplication.focusWidget() or self.window
        if isinstance(target, (QLineEdit, QAbstractSpinBox, QComboBox)) and key not in (
                "Escape",) and not mods:
            target = self.window  # typing a letter into a field is the widget action's job
        QTest.keyClick(target, code, modifiers)

    def _widgets(self) -> list:
        found = []
        for t in (QComboBox, QAbstractSlider, QAbstractSpinBox, QAbstractButton):
            for w in self.window.findChildren(t):
                if w.isVisible() and w.isEnabled() and w.window() is self.window:
                    found.append(w)
        return found

    def widget(self) -> None:
        w = self.rng.choice(self._widgets())
        rng = self.rng
        self.last = f"widget {type(w).__name__} {w.toolTip()[:40]!r}"
        if isinstance(w, QComboBox):
            if w.count():
                w.setCurrentIndex(rng.randrange(w.count()))
        elif isinstance(w, QAbstractSlider):
            w.setValue(rng.randint(w.minimum(), w.maximum()))
        elif isinstance(w, QAbstractSpinBox):
            if rng.random() < 0.5 and hasattr(w, "setValue"):
                lo, hi = w.minimum(), w.maximum()
                w.setValue(type(lo)(lo + (hi - lo) * rng.random()))
            else:  # typed, as a user does: select, type, Enter
                line = w.lineEdit()
                line.selectAll()
                QTest.keyClicks(line, rng.choice(TYPED))
                QTest.keyClick(line, Qt.Key.Key_Return)
        elif isinstance(w, QAbstractButton):
            QTest.mouseClick(w, Qt.MouseButton.LeftButton, pos=w.rect().center())

    def _random_point(self, widget) -> QPoint:
        r = widget.rect()
        return QPoint(self.rng.randrange(max(1, r.width())), self.rng.randrange(max(1, r.height())))

    def graph_click(self) -> None:
        viewport = self.window.network_view._view.viewport()
        button = self.rng.choice((Qt.MouseButton.LeftButton,) * 4 + (Qt.MouseButton.RightButton,))
        point = self._random_point(viewport)
        if self.rng.random() < 0.2:
            QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=point)
        else:
            QTest.mouseClick(viewport, button, pos=point)

    def graph_edit(self) -> None:
        """Double-click a weight or bias on the graph, type a value, press Enter or Esc."""
        view = self.window.network_view
        items = [it for it in view._scene.items() if getattr(it, "kind", None) in ("edge", "bias")
                 and it.isVisible()]
        if not items:
            return self.graph_click()
        item = self.rng.choice(items)
        if item.kind == "edge":
            scene_point = item.path().pointAtPercent(0.5)
        else:
            scene_point = item.mapRectToScene(item.rect()).center()
        viewport = view._view.viewport()
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton,
                          pos=view._view.mapFromScene(scene_point))
        editor = QApplication.focusWidget()
        if isinstance(editor, QLineEdit):
            editor.selectAll()
            QTest.keyClicks(editor, self.rng.choice(TYPED))
            QTest.keyClick(editor, self.rng.choice((Qt.Key.Key_Return,) * 3 + (Qt.Key.Key_Escape,)))

    def plane_click(self) -> None:
        viewport = self.window.output_view.plot.viewport()
        QTest.mouseClick(viewport, self.rng.choice((Qt.MouseButton.LeftButton,) * 5
                                                   + (Qt.MouseButton.RightButton,)),
                         pos=self._random_point(viewport))

    def plane_drag(self) -> None:
        viewport = self.window.output_view.plot.viewport()
        a, b = self._random_point(viewport), self._random_point(viewport)
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
        for k in range(1, 6):
            QTest.mouseMove(viewport, a + (b - a) * (k / 5))
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)

    def keep_training(self) -> None:
        """Most of the time training runs: press Play when it is paused."""
        play = self.window.actions_.play
        if not play.isChecked() and play.isEnabled():
            play.trigger()

    def close_dialogs(self) -> None:
        """Close what a user closes: a popup, a modal or non-modal dialog over the window."""
        app = QApplication.instance()
        popup = app.activePopupWidget()
        if popup is not None:
            popup.close()
        for w in app.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                if self.rng.random() < 0.5:
                    w.reject()
                else:
                    w.accept()

    def wait(self) -> None:
        QTest.qWait(self.rng.choice((1, 5, 20)))


def _suffixes(filters: str) -> set[str]:
    return set(re.findall(r"\*(\.\w+)", filters))
