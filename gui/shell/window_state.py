"""The window's arrangement, remembered between runs: geometry, which views are open and
where, and the splitters between the panels. View → Reset layout brings back the default.

Stored with QSettings under the app's organisation and application names (the same file as
the recent sessions). Saved when the user closes the window; restored once every feature has
added its dock (docks are matched by objectName). A state saved by another layout version,
or damaged, is ignored: the default layout is used.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QKeySequence

from gui.files.sessions import app_settings
from gui.shell.docks import menu_named

#: bump when the arrangement changes so that an old saved state is not applied to it
LAYOUT_VERSION = 2
GROUP = "window"
KEYS = ("geometry", "docks", "body", "inner")


class WindowState:
    def __init__(self, window):
        self.window = window
        self.default_docks = window.views.area.saveState(LAYOUT_VERSION)
        self.reset_action = QAction("&Reset layout", window)
        self.reset_action.setToolTip("Close the views and put the panels back where they "
                                     "were at the first start")
        self.reset_action.setStatusTip(self.reset_action.toolTip())
        self.reset_action.setShortcut(QKeySequence("Ctrl+Shift+0"))
        self.reset_action.triggered.connect(self.reset)
        window.addAction(self.reset_action)
        view = menu_named(window, "&View")
        view.addSeparator()
        view.addAction(self.reset_action)

    def save(self) -> None:
        w = self.window
        s = app_settings()
        s.beginGroup(GROUP)
        s.setValue("version", LAYOUT_VERSION)
        s.setValue("geometry", w.saveGeometry())
        s.setValue("docks", w.views.area.saveState(LAYOUT_VERSION))
        s.setValue("body", w.body_split.saveState())
        s.setValue("inner", w.inner_split.saveState())
        s.endGroup()
        s.sync()

    def restore(self) -> bool:
        """Apply the saved arrangement; False (and the default stays) if there is none."""
        w = self.window
        s = app_settings()
        s.beginGroup(GROUP)
        try:
            if str(s.value("version", "")) != str(LAYOUT_VERSION):
                return False
            values = {k: s.value(k) for k in KEYS}
        finally:
            s.endGroup()
        if not all(isinstance(v, QByteArray) and not v.isEmpty() for v in values.values()):
            return False
        w.restoreGeometry(values["geometry"])
        ok = w.views.area.restoreState(values["docks"], LAYOUT_VERSION)
        ok = w.body_split.restoreState(values["body"]) and ok
        ok = w.inner_split.restoreState(values["inner"]) and ok
        if not ok:
            self.reset()
        else:
            w.views.keep_sizes()
        return ok

    def reset(self) -> None:
        w = self.window
        w.views.reset_docks()
        w.views.area.restoreState(self.default_docks, LAYOUT_VERSION)
        w.set_default_splits()

    @staticmethod
    def forget() -> None:
        """Remove the saved arrangement (the next start uses the default)."""
        s = app_settings()
        s.remove(GROUP)
        s.sync()
