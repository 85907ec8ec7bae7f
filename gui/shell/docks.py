"""Shared plumbing for the dockable views: menus found by title, docks, results of
``worker.call`` relayed to the GUI thread, and the graph highlight that several views take
turns to own.

The state behind these functions belongs to the window's view host (``window.views``, see
``gui/shell/view_host.py``); the functions are the short form the feature modules use.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDockWidget, QMenu, QWidget

from gui.shell.view_host import DOCK_HEIGHT  # noqa: F401 - re-exported for the views' panels


def install_once(window, key: str, make):
    """The feature controller ``key`` of ``window``, made by ``make()`` the first time:
    the main window installs every feature, and a test may ask for one again."""
    return window.views.install(key, make)


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
    """A hidden dock for a view (see ViewHost.add_dock), with a View-menu entry."""
    return window.views.add_dock(title, widget, shortcut, tip)


def show_dock(dock: QDockWidget) -> None:
    dock.show()
    dock.raise_()


class FutureRelay(QObject):
    """Hands a worker-thread Future to the GUI thread: the done-callback (run in the worker)
    only emits a signal, which reaches the GUI thread queued; there ``finished`` is emitted
    in a turn of its own from the window's ``turns`` (gui/shell/turns.py), so that answers
    arriving together are not all handled in one turn (issue 9.12)."""

    finished = Signal(object, object)  # tag, Future
    _arrived = Signal(object, object)  # the same, emitted in the worker thread

    def __init__(self, parent: QObject, turns):
        super().__init__(parent)
        self._turns = turns
        self._arrived.connect(self._on_arrived)  # queued: this object lives in the GUI thread

    def watch(self, future, tag=None) -> None:
        future.add_done_callback(partial(self._done, tag))

    def _done(self, tag, future) -> None:
        try:
            self._arrived.emit(tag, future)
        except RuntimeError:  # the window was closed meanwhile: nobody is waiting
            pass

    def _on_arrived(self, tag, future) -> None:
        self._turns.later(partial(self.finished.emit, tag, future))


def future_error(future) -> str | None:
    """A one-line message if the Future failed (or was cancelled), else None."""
    if future.cancelled():
        return "cancelled: the trainer stopped"
    exc = future.exception()
    return None if exc is None else (str(exc) or type(exc).__name__)


def claim_highlight(window, owner, edges: dict) -> None:
    """Emphasise ``edges`` in the graph on behalf of ``owner`` (several views share it)."""
    window.views.claim_highlight(owner, edges)


def release_highlight(window, owner) -> None:
    """Clear the graph's highlight if ``owner`` set it last (another view's stays)."""
    window.views.release_highlight(owner)


def freeze_views(window, owner, views) -> None:
    """Ask the main window not to draw live snapshots on ``views`` (owner draws them itself);
    an empty ``views`` thaws them. Several owners may freeze at once."""
    window.views.freeze(owner, views)


def frozen_by_others(window, owner, view) -> bool:
    return window.views.frozen_by_others(owner, view)


def register_escape(window, action) -> None:
    """Esc triggers ``action`` (when enabled) along with every other registered one."""
    window.views.register_escape(action)
