"""The views' host: where the backprop views dock, and the registry of installed features.

Every view beyond the playground (chain rule, gradient check, health, lesson, data point,
history, and those to come) is a module with ``install(window)`` that registers its
controller here and asks for a dock:

    def install(window):
        return window.views.install("my_view", lambda: MyView(window))

    class MyView(QObject):
        def __init__(self, window):
            ...
            self.dock = window.views.add_dock("My view", panel, "Ctrl+M", "What it shows")

The docks live in ``area``, an inner QMainWindow whose central widget is the data panel and
the network graph. The output plane and the loss plot are outside it (see main_window), so a
view can take room from the graph, which scales, but never from the decision boundary.
Docks open at the bottom of the area, tabbed with the others, at most ``DOCK_SHARE`` of its
height; the user may drag them to its sides, float them, or tab them differently, and
``gui/shell/window_state.py`` remembers that.

The host also owns what views share: the views a feature draws itself for now ("frozen": the
lesson's phases, a past moment of the history), which view owns the graph's highlight, and
the one Esc action that clears every view's selection.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabWidget, QWidget

#: px: what a view asks for when it first opens (its panel's sizeHint usually says so too)
DOCK_HEIGHT = 250
#: a dock opens at most this share of the area's height, so the graph keeps the rest
DOCK_SHARE = 0.45
AREA = Qt.DockWidgetArea.BottomDockWidgetArea


def dock_name(title: str) -> str:
    """The objectName of a view's dock ("Chain rule" → "chain_rule_dock"); window state
    is saved and restored by these names."""
    return title.replace(" ", "_").lower() + "_dock"


class ViewHost(QObject):
    def __init__(self, window, central: QWidget):
        super().__init__(window)
        self.window = window
        self.area = QMainWindow()
        self.area.setObjectName("view_area")
        self.area.setWindowFlags(Qt.WindowType.Widget)  # a child widget, not a window
        self.area.setDockOptions(QMainWindow.DockOption.AllowTabbedDocks
                                 | QMainWindow.DockOption.AllowNestedDocks
                                 | QMainWindow.DockOption.AnimatedDocks)
        self.area.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas,
                                 QTabWidget.TabPosition.North)
        self.area.setCentralWidget(central)
        self._features: dict[str, object] = {}
        self.docks: list[QDockWidget] = []
        self._frozen: dict[object, set] = {}
        self._highlight_owner = None
        self._escape_actions: list[QAction] = []
        self.escape_action: QAction | None = None
        self._sized: set[str] = set()  # docks given their first size already

    # ----------------------------------------------------------------- registry
    def install(self, key: str, make):
        """The feature ``key``, made by ``make()`` the first time (the window installs every
        feature; a test may ask for one again and gets the same controller)."""
        if key not in self._features:
            self._features[key] = make()
        return self._features[key]

    def add(self, key: str, feature) -> None:
        if key in self._features:
            raise KeyError(f"a feature called {key!r} is installed already")
        self._features[key] = feature

    def get(self, key: str, default=None):
        return self._features.get(key, default)

    def __getitem__(self, key: str):
        return self._features[key]

    def __contains__(self, key: str) -> bool:
        return key in self._features

    def __iter__(self):
        return iter(self._features)

    def items(self):
        return self._features.items()

    # ----------------------------------------------------------------- docks
    def add_dock(self, title: str, widget: QWidget, shortcut: str | None,
                 tip: str) -> QDockWidget:
        """A hidden dock at the bottom of the area, tabbed with the views already there, with
        a checkable View-menu entry (and shortcut) that shows it and brings it to the front."""
        from gui.shell.docks import menu_named  # docks.py wraps this module

        dock = QDockWidget(title, self.area)
        dock.setObjectName(dock_name(title))
        dock.setWidget(widget)
        others = [d for d in self.docks if self.area.dockWidgetArea(d) == AREA]
        self.area.addDockWidget(AREA, dock)
        if others:
            self.area.tabifyDockWidget(others[-1], dock)
        dock.hide()
        self.docks.append(dock)
        toggle = dock.toggleViewAction()
        if shortcut:
            toggle.setShortcut(QKeySequence(shortcut))
            text = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            tip = f"{tip} ({text})"
        toggle.setToolTip(tip)
        toggle.setStatusTip(tip)
        toggle.triggered.connect(lambda checked: checked and self.show_dock(dock))
        self.window.addAction(toggle)  # the shortcut works whichever widget has the focus
        view = menu_named(self.window, "&View")
        if not getattr(view, "_feature_separator", False):
            view.addSeparator()
            view._feature_separator = True
        view.addAction(toggle)
        dock.visibilityChanged.connect(lambda visible: visible and self._first_size(dock))
        return dock

    def show_dock(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    def _first_size(self, dock: QDockWidget) -> None:
        """The first time a docked view shows, keep it to DOCK_SHARE of the area's height
        (its panel may ask for more), so that the graph above keeps most of the room."""
        if dock.objectName() in self._sized or dock.isFloating():
            return
        self._sized.add(dock.objectName())
        if self.area.dockWidgetArea(dock) != AREA:
            return
        height = min(max(dock.widget().sizeHint().height(), 120),
                     int(DOCK_SHARE * self.area.height()), DOCK_HEIGHT)
        self.area.resizeDocks([dock], [height], Qt.Orientation.Vertical)

    def keep_sizes(self) -> None:
        """The docks have sizes of their own (a saved arrangement was restored): opening one
        keeps its size instead of the first-time size."""
        self._sized = {d.objectName() for d in self.docks}

    def reset_docks(self) -> None:
        """Every view back to its first place: hidden, at the bottom, tabbed in the order the
        views were installed, opening at its first size again."""
        previous = None
        for dock in self.docks:
            dock.hide()
            dock.setFloating(False)
            self.area.addDockWidget(AREA, dock)
            if previous is not None:
                self.area.tabifyDockWidget(previous, dock)
            previous = dock
        self._sized.clear()

    # ----------------------------------------------------------------- shared state
    @property
    def frozen_views(self) -> dict:
        """{owner: {view, ...}}: views an owner draws itself; live snapshots skip them."""
        return self._frozen

    def frozen(self) -> set:
        return set().union(*self._frozen.values())

    def freeze(self, owner, views) -> None:
        """``owner`` draws ``views`` itself from now on; an empty ``views`` thaws them."""
        if views:
            self._frozen[owner] = set(views)
        else:
            self._frozen.pop(owner, None)

    def frozen_by_others(self, owner, view) -> bool:
        return any(view in views for o, views in self._frozen.items() if o is not owner)

    def claim_highlight(self, owner, edges: dict) -> None:
        """Emphasise ``edges`` in the graph on behalf of ``owner`` (several views share it)."""
        self._highlight_owner = owner
        self.window.network_view.highlight(edges)

    def release_highlight(self, owner) -> None:
        """Clear the graph's highlight if ``owner`` set it last (another view's stays)."""
        if self._highlight_owner is owner:
            self._highlight_owner = None
            self.window.network_view.highlight(None)

    @property
    def highlight_owner(self):
        return self._highlight_owner

    def register_escape(self, action: QAction) -> None:
        """Esc triggers ``action`` (when enabled) along with every other registered one.

        Two QActions with the same shortcut are ambiguous to Qt and then neither fires, so
        the window has one Esc action that clears whatever selections the views hold."""
        if self.escape_action is None:
            esc = QAction("Clear selections", self.window)
            esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
            esc.setToolTip("Clear the inspected edge and the selected data point (Esc)")
            esc.triggered.connect(self._on_escape)
            self.window.addAction(esc)
            self.escape_action = esc
        self._escape_actions.append(action)

    def _on_escape(self) -> None:
        for action in list(self._escape_actions):
            if action.isEnabled():
                action.trigger()
