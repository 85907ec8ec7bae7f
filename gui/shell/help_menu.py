"""Help → Keyboard shortcuts and Help → Open log folder.

The shortcuts dialog is built from the window's actions each time it opens: every QAction
with a shortcut, grouped by the menu that holds it (a submenu shows as "File ▸ Export"),
and those in no menu under "Elsewhere in the window". A new action appears there without
anyone updating a list, so the list can never go stale.

Open log folder shows the folder of the app's log file (``gui.logs.log_dir()``) in the
system's file manager, creating it if needed; if no file manager answers, the message gives
the path.

Entry point: ``install(window) -> HelpMenu``.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QMenu,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from gui.shell.actions import add_action
from gui.shell.docks import install_once, menu_named

SHORTCUTS_KEY = "Ctrl+/"
ELSEWHERE = "Elsewhere in the window"


def _plain(text: str) -> str:
    """A menu text as read: no "&" mnemonic marks ("&&" is a literal "&"), no tab part."""
    text = text.split("\t")[0]
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def keys_text(action: QAction) -> str:
    """The action's shortcuts as the platform writes them ("Ctrl+S", "Ctrl+= or Ctrl++")."""
    native = QKeySequence.SequenceFormat.NativeText
    return " or ".join(k.toString(native) for k in action.shortcuts() if not k.isEmpty())


def _menu_actions(menu: QMenu, path: str, out: dict) -> None:
    for action in menu.actions():
        sub = action.menu()
        if sub is not None:
            _menu_actions(sub, f"{path} ▸ {_plain(action.text())}", out)
        elif not action.isSeparator() and keys_text(action):
            out.setdefault(path, [])
            if action not in out[path]:
                out[path].append(action)


def shortcut_groups(window) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(group, [(action text, keys, tooltip), ...]), ...] for every action of ``window``
    with a shortcut: the menus in menu-bar order, then the actions in no menu."""
    by_menu: dict[str, list[QAction]] = {}
    for top in window.menuBar().actions():
        if top.menu() is not None:
            _menu_actions(top.menu(), _plain(top.text()), by_menu)
    listed = {a for actions in by_menu.values() for a in actions}
    elsewhere = [a for a in window.findChildren(QAction)
                 if a not in listed and keys_text(a) and a.text()]
    if elsewhere:
        by_menu[ELSEWHERE] = elsewhere
    return [(group, [(_plain(a.text()), keys_text(a), a.toolTip()) for a in actions])
            for group, actions in by_menu.items()]


class ShortcutsDialog(QDialog):
    """The list of shortcuts with a filter box."""

    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 560)
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: type part of an action or a key")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only the actions whose name or keys contain this text")
        self.filter.textChanged.connect(self._apply_filter)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Action", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        for group, rows in shortcut_groups(window):
            top = QTreeWidgetItem([group, ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            for text, keys, tip in rows:
                item = QTreeWidgetItem(top, [text, keys])
                if tip:
                    item.setToolTip(0, tip)
            top.setExpanded(True)
        note = QLabel("Made from the window's menus and actions as they are now.")
        note.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, action, keys) of the rows shown (not filtered out)."""
        out = []
        for g in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(g)
            for k in range(top.childCount()):
                item = top.child(k)
                if not item.isHidden():
                    out.append((top.text(0), item.text(0), item.text(1)))
        return out

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for g in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(g)
            shown = 0
            for k in range(top.childCount()):
                item = top.child(k)
                hit = not needle or needle in item.text(0).casefold() \
                    or needle in item.text(1).casefold()
                item.setHidden(not hit)
                shown += hit
            top.setHidden(shown == 0)


class HelpMenu(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: ShortcutsDialog | None = None
        self.shortcuts_action = add_action(window, "&Keyboard shortcuts", SHORTCUTS_KEY,
                                           "Every shortcut of the window, by menu",
                                           self.show_shortcuts)
        self.log_action = QAction("Open &log folder", window)
        tip = ("Show the folder of the app's log file (errors and warnings, also when the "
               "app was started from the desktop)")
        self.log_action.setToolTip(tip)
        self.log_action.setStatusTip(tip)
        self.log_action.triggered.connect(self.open_log_folder)
        menu = menu_named(window, "&Help")
        about = next((a for a in menu.actions() if a.text() == "&About"), None)
        for a in (self.shortcuts_action, self.log_action):
            menu.insertAction(about, a) if about else menu.addAction(a)
        if about is not None:
            menu.insertSeparator(about)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Open the list (made afresh: actions added since are in it)."""
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = ShortcutsDialog(self.window)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.dialog.show()
        return self.dialog

    def open_log_folder(self) -> bool:
        from gui.logs import log_dir

        folder = log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.window.warn("Open log folder", f"The log folder cannot be created:\n{folder}: "
                             f"{exc.strerror or exc}")
            return False
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.window.warn("Open log folder", f"No file manager opened the folder. The log "
                             f"files are in:\n{folder}")
            return False
        self.window.statusBar().showMessage(f"Log folder: {folder}")
        return True


def install(window) -> HelpMenu:
    """Add Help → Keyboard shortcuts and Open log folder; returns the controller."""
    return install_once(window, "help_menu", lambda: HelpMenu(window))
