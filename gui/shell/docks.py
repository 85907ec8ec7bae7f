"""Shared plumbing for the dockable views: menus found by title, docks at the bottom,
results of ``worker.call`` relayed to the GUI thread, and the graph highlight that several
views take turns to own."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

DOCK_HEIGHT = 250  # px: what the docks at the bottom ask for


def install_once(window, key: str, make):
    """The feature controller ``key`` of ``window``, made by ``make()`` the first time:
    the main window installs every feature, and a test may ask for one again."""
    features = window.__dict__.setdefault("features", {})
    if key not in features:
        features[key] = make()
    return features[key]


def menu_named(window, title: str) -> QMenu:
    """The menu bar's menu called ``title`` ("&View"), created (before "&Help") if missing,
    so that features sharing a menu do not duplicate it."""
    bar = window.menuBar()
    help_action = None
    for action in bar.actions():
        if action.menu() is not None and action.text() == title:
            return action.menu()
        if action.text() == "&Help":
            help_action = action
    menu = QMenu(title, window)
    if help_action is not None and title != "&Help":
        bar.insertMenu(help_action, menu)
    else:
        bar.addMenu(menu)
    return menu


def add_dock(window, title: str, widget: QWidget, shortcut: str | None, tip: str) -> QDockWidget:
    """A hidden dock at the bottom (the window is already 1228 px wide at least: a dock on the
    side would widen it past 1280), tabbed with the docks already there, with a checkable
    View-menu entry (and shortcut) that shows it and brings its tab to the front."""
    dock = QDockWidget(title, window)
    dock.setObjectName(title.replace(" ", "_").lower() + "_dock")
    dock.setWidget(widget)
    area = Qt.DockWidgetArea.BottomDockWidgetArea
    others = [d for d in window.findChildren(QDockWidget)
              if d is not dock and window.dockWidgetArea(d) == area]
    window.addDockWidget(area, dock)
    if others:
        window.tabifyDockWidget(others[-1], dock)
    dock.hide()
    toggle = dock.toggleViewAction()
    if shortcut:
        toggle.setShortcut(QKeySequence(shortcut))
        text = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{tip} ({text})"
    toggle.setToolTip(tip)
    toggle.setStatusTip(tip)
    toggle.triggered.connect(lambda checked: _raise_if_checked(dock, checked))
    window.addAction(toggle)  # the shortcut works whichever widget has the focus
    view = menu_named(window, "&View")
    if not getattr(view, "_feature_separator", False):
        view.addSeparator()
        view._feature_separator = True
    view.addAction(toggle)
    return dock


def _raise_if_checked(dock: QDockWidget, checked: bool) -> None:
    if checked:
        dock.raise_()


def show_dock(dock: QDockWidget) -> None:
    dock.show()
    dock.raise_()


class FutureRelay(QObject):
    """Hands a worker-thread Future to the GUI thread: the done-callback (run in the worker)
    only emits ``finished``, which reaches the GUI thread's slots queued."""

    finished = Signal(object, object)  # tag, Future

    def watch(self, future, tag=None) -> None:
        future.add_done_callback(partial(self._done, tag))

    def _done(self, tag, future) -> None:
        try:
            self.finished.emit(tag, future)
        except RuntimeError:  # the window was closed meanwhile: nobody is waiting
            pass


def future_error(future) -> str | None:
    """A one-line message if the Future failed (or was cancelled), else None."""
    if future.cancelled():
        return "cancelled: the trainer stopped"
    exc = future.exception()
    return None if exc is None else (str(exc) or type(exc).__name__)


def claim_highlight(window, owner, edges: dict) -> None:
    """Emphasise ``edges`` in the graph on behalf of ``owner`` (several views share it)."""
    window._highlight_owner = owner
    window.network_view.highlight(edges)


def release_highlight(window, owner) -> None:
    """Clear the graph's highlight if ``owner`` set it last (another view's stays)."""
    if getattr(window, "_highlight_owner", None) is owner:
        window._highlight_owner = None
        window.network_view.highlight(None)


def freeze_views(window, owner, views) -> None:
    """Ask the main window not to draw live snapshots on ``views`` (owner draws them itself);
    an empty ``views`` thaws them. Several owners may freeze at once."""
    frozen = window.__dict__.setdefault("frozen_views", {})
    if views:
        frozen[owner] = set(views)
    else:
        frozen.pop(owner, None)


def frozen_by_others(window, owner, view) -> bool:
    return any(view in views for o, views in getattr(window, "frozen_views", {}).items()
               if o is not owner)


def register_escape(window, action) -> None:
    """Esc triggers ``action`` (when enabled) along with every other registered one.

    Two QActions with the same shortcut are ambiguous to Qt and then neither fires, so the
    window has one Esc action that clears whatever selections the views hold."""
    actions = window.__dict__.setdefault("_escape_actions", [])
    if not actions:
        esc = QAction("Clear selections", window)
        esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        esc.setToolTip("Clear the inspected edge and the selected data point (Esc)")
        esc.triggered.connect(lambda: [a.trigger() for a in list(actions) if a.isEnabled()])
        window.addAction(esc)
        window._escape_action = esc
    actions.append(action)
