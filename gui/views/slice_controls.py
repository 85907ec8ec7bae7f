"""Choosing the plane drawn for data with more than two inputs: which two inputs span it and
where the others are held, or the principal components.

The controls (``gui/plots/plane_bar.py``) are a row above the output plane and the "Slice"
dock of held values. This controller keeps the chosen ``PlaneSpec`` and sends it to the
worker (``worker.set_plane``), which draws every later snapshot's grids over it: the output
view and the graph's thumbnails show the same slice. Slider moves are sent at most every
``SEND_MS``; the worker takes the latest. When the data's inputs change, the controls take
the plane the worker draws (the default slice, through the means of the first two inputs).

Entry point: ``install(window) -> SliceControls``.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from model.data.plane import PlaneSpec

from gui.plots.plane_bar import HeldPanel, PlaneBar, caption
from gui.shell.docks import install_once

SEND_MS = 40  # at most 25 plane changes a second while a slider is dragged
NO_PLANE = ("Slices are for data with more than two inputs: with two, the output view shows "
            "the whole (x₁, x₂) plane.")


class SliceControls(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.spec = PlaneSpec()  # what the user chose (the worker draws it soon)
        self.plane = None  # the newest snapshot's plane: names, means, ranges
        self._names: tuple[str, ...] | None = None
        self._shown_key = None
        self._sent = PlaneSpec()
        self._adopt_at = 0  # a command number: its snapshot's plane replaces the choice
        self.bar = PlaneBar()
        self.bar.hide()
        window.output_view.insert_above_plot(self.bar)
        self.panel = HeldPanel()
        self.panel.show_message(NO_PLANE)
        self.dock = window.views.add_dock(
            "Slice", self.panel, None, "The values the other inputs are held at on the output "
            "view's slice (data with more than two inputs)")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._send)
        self.bar.axes_changed.connect(self._on_axes_changed)
        self.bar.pca_toggled.connect(self._on_pca_toggled)
        self.bar.held_requested.connect(lambda: window.views.show_dock(self.dock))
        self.panel.held_changed.connect(self._on_held_changed)
        self.panel.reset_requested.connect(self.reset_to_means)
        self.panel.layout_changed.connect(self._show)
        window.snapshot_feed.subscribe(self._on_snapshot)
        if window.latest_snapshot is not None:
            self._on_snapshot(window.latest_snapshot)

    # ------------------------------------------------------------------ public
    def set_axes(self, x: int, y: int) -> None:
        self._choose(PlaneSpec("slice", (x, y), self.spec.held))

    def set_pca(self, on: bool) -> None:
        self._choose(PlaneSpec("pca" if on else "slice", self.spec.axes, self.spec.held))

    def set_held(self, k: int, value: float | None) -> None:
        """Hold input ``k`` at ``value`` (None: its training mean)."""
        if self.plane is not None:
            self._choose(self.spec.with_held(k, value, len(self.plane.input_names)))

    def adopt_after(self, seq: int) -> None:
        """Take the plane the worker draws once it has handled command ``seq`` (a session's
        saved plane, sent by the window rather than chosen here)."""
        self._adopt_at = seq

    def reset_to_means(self) -> None:
        self._choose(PlaneSpec(self.spec.kind, self.spec.axes, ()), at_once=True)

    # ------------------------------------------------------------------ from the widgets
    def _on_axes_changed(self, x: int, y: int) -> None:
        self.set_axes(x, y)

    def _on_pca_toggled(self, on: bool) -> None:
        self.set_pca(on)

    def _on_held_changed(self, k: int, value: float) -> None:
        self._choose(self.spec.with_held(k, value, len(self.plane.input_names)), at_once=False)

    def _choose(self, spec: PlaneSpec, at_once: bool = True) -> None:
        if self.plane is None or spec == self.spec:
            return
        spec.check(len(self.plane.input_names))
        self.spec = spec
        self._show()
        if at_once:
            self._send()
        elif not self._timer.isActive():
            self._timer.start(SEND_MS)

    def _send(self) -> None:
        self._timer.stop()
        if self.spec != self._sent:
            self._sent = self.spec
            self.window.worker.set_plane(self.spec)

    # ------------------------------------------------------------------ from the worker
    def _on_snapshot(self, snap) -> None:
        plane = snap.plane
        self.plane = plane
        if plane is None:
            if self._names is not None:
                self._names = None
                self._shown_key = None
                self.bar.hide()
                self.panel.show_message(NO_PLANE)
            return
        if self._adopt_at and snap.extras.get("seq", 0) >= self._adopt_at:
            self._adopt_at = 0
            self._timer.stop()
            self.spec = self._sent = plane.spec
        if plane.input_names != self._names:
            # other data: take what the worker draws for it (it falls back to the default
            # slice for inputs the chosen plane was not made for)
            self._names = plane.input_names
            self._timer.stop()
            self.spec = self._sent = plane.spec
            self.bar.set_names(plane.input_names)
            self.bar.show()
        self._show()

    def _show(self) -> None:
        plane = self.plane
        if plane is None:
            return
        key = (self.spec, plane.kind, plane.means.tobytes(), plane.lo.tobytes(),
               plane.hi.tobytes(), self.panel.width())
        if key == self._shown_key:
            return
        self._shown_key = key
        # the variance share is known once the worker has drawn the PCA plane
        explained = plane.explained if plane.kind == self.spec.kind == "pca" else None
        self.bar.show_spec(self.spec, caption(plane.input_names, self.spec, explained))
        self.panel.show_plane(plane, self.spec)


def install(window) -> SliceControls:
    """The output view's plane controls and the "Slice" dock (View menu)."""
    return install_once(window, "slice", lambda: SliceControls(window))
