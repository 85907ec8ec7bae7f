"""Drawing your own points in the output view: pick a class (or a target value), click to add
a point, drag to paint several, erase, clear. The points become the "custom" data set.

The controller keeps the drawn points itself (raw (x1, x2) and a class index or a target) and
shows them at once with its own scatter item; the worker gets them as a ``Data`` split with
the current train/test ratio, at most every ``SEND_INTERVAL_MS`` while painting and at once
when the mouse is released, so that training goes on while you draw.

Whether the worker still trains on our points is learnt from ``on_new_run`` (an observer
called in the worker thread): a new data set from the data panel, a CSV or a session ends
custom mode, and the next stroke starts from whatever points are shown then.

Entry point: ``install(window) -> DrawTool``.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtWidgets import (QButtonGroup, QDoubleSpinBox, QHBoxLayout, QLabel,
                               QSizePolicy, QToolButton, QWidget)

from model.data.datasets import MAX_CLASSES, split
from model.numbers import count_of

from gui import theme
from gui.plots import palette
from gui.shell.docks import install_once

PAINT_SPACING_PX = 10  # a drag adds a point every this many pixels
ERASE_RADIUS_PX = 14  # the eraser removes points within this distance of the pointer
#: an erasing drag shows what is left at most this often: each showing sets every point again
#: (~20 ms for 500 points), and the mouse moves every few milliseconds
ERASE_REDRAW_MS = 40
SEND_INTERVAL_MS = 200  # while painting, the worker gets the points at most this often
RECENT_SENT = 8  # data sets sent and possibly not handled yet (see _is_ours)
TOOL_PROPERTY = "tool"  # output_view property: "draw" | "erase" | "" (others ignore clicks)


def _swatch_style(rgb) -> str:
    r, g, b = rgb
    return (f"QToolButton {{ background: rgb({r},{g},{b}); border: 1px solid #888; "
            "border-radius: 3px; min-width: 16px; max-width: 16px; min-height: 16px; "
            "max-height: 16px; }"
            "QToolButton:checked { border: 3px solid #222; }"
            "QToolButton:disabled { background: #ddd; }")


class DrawBar(QWidget):
    """The row of drawing controls above the output plane."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.draw = QToolButton()
        self.draw.setText("✎ Draw")
        self.draw.setCheckable(True)
        self.draw.setToolTip("Draw your own points: click to add one, drag to paint several "
                             "(click again to stop drawing)")
        self.erase = QToolButton()
        self.erase.setText("Erase")
        self.erase.setCheckable(True)
        self.erase.setToolTip("Remove points: click or drag over them")
        self.swatches = QButtonGroup(self)
        self.swatches.setExclusive(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        row.addWidget(self.draw)
        row.addWidget(self.erase)
        self.class_label = QLabel("class")
        self.class_label.setStyleSheet(f"color: {theme.muted()};")
        self.class_label.setToolTip("The class of the points you draw")
        row.addWidget(self.class_label)
        for k in range(MAX_CLASSES):
            b = QToolButton()
            b.setCheckable(True)
            b.setStyleSheet(_swatch_style(palette.class_color(k)))
            b.setToolTip(f"Draw points of class {k}")
            self.swatches.addButton(b, k)
            row.addWidget(b)
        self.add_class = QToolButton()
        self.add_class.setText("+")
        self.add_class.setToolTip(f"Add a class (up to {MAX_CLASSES})")
        row.addWidget(self.add_class)
        self.target = QDoubleSpinBox()
        self.target.setRange(-5.0, 5.0)
        self.target.setSingleStep(0.1)
        self.target.setDecimals(2)
        self.target.setValue(1.0)
        self.target.setPrefix("target ")
        self.target.setToolTip("Regression: the target value of the points you draw "
                               "(−1 orange … +1 blue)")
        row.addWidget(self.target)
        self.clear = QToolButton()
        self.clear.setText("Clear")
        self.clear.setToolTip("Remove every point and start drawing on an empty plane "
                              "(training switches to your points with the first one)")
        row.addWidget(self.clear)
        self.count = QLabel()
        self.count.setStyleSheet(theme.caption_style())
        self.count.setToolTip("Number of points you are drawing on")
        # clipped rather than widening the output panel when six classes are shown
        self.count.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.count, 1)


class DrawTool(QObject):
    """Keeps the drawn points, turns mouse events into points and sends them to the worker."""

    #: emitted from the worker thread by on_new_run; queued to _on_new_run in the GUI thread
    run_started = Signal(bool)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = window.output_view
        self.mode = ""  # "draw" | "erase" | ""
        self.X: list[tuple[float, float]] | None = None  # None: not drawing on our own points
        self.y: list = []
        self.task = "classification"
        self._drawn = None  # what the scatter shows: (mode, task, points, targets)
        self.classes: list[str] = ["0", "1"]
        self.target_name = "y"
        self.available = True
        self._recent: tuple = ()  # Data objects we sent (read by the worker thread)
        self._dirty = False
        self._pressed = False
        self._last_paint: QPointF | None = None  # viewport position of the last painted point
        self._run_seen = None

        self.bar = DrawBar()
        self.view.insert_above_plot(self.bar)
        self.scatter = pg.ScatterPlotItem(size=7, pen=pg.mkPen(255, 255, 255, 230, width=1))
        self.scatter.setZValue(20)  # above the data points and the boundary image
        self.view.plot.addItem(self.scatter)

        self._send_timer = QTimer(self)
        self._send_timer.setSingleShot(True)
        self._send_timer.setInterval(SEND_INTERVAL_MS)
        self._send_timer.timeout.connect(self.send)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(ERASE_REDRAW_MS)
        self._redraw_timer.timeout.connect(self._refresh)

        b = self.bar
        b.draw.toggled.connect(self._on_draw_toggled)
        b.erase.toggled.connect(self._on_erase_toggled)
        b.add_class.clicked.connect(self._on_add_class)
        b.clear.clicked.connect(self._on_clear)
        self.view.plot.viewport().installEventFilter(self)
        self.run_started.connect(self._on_new_run)
        window.snapshot_feed.subscribe(self._on_snapshot)
        window.worker.add_observer(self)
        if window.latest_snapshot is not None:
            self._on_snapshot(window.latest_snapshot)
        self._show_picker()

    # ----------------------------------------------------------------- worker thread
    def on_new_run(self, pg_) -> None:
        """Worker thread: tell the GUI whether the rebuilt playground trains on our points."""
        self.run_started.emit(self._is_ours(pg_.custom_data))

    def _is_ours(self, data) -> bool:
        return data is not None and any(data is d for d in self._recent)

    # ----------------------------------------------------------------- modes
    def _on_draw_toggled(self, checked: bool) -> None:
        if checked:
            self.bar.erase.setChecked(False)
        self._set_mode("draw" if checked else "erase" if self.bar.erase.isChecked() else "")

    def _on_erase_toggled(self, checked: bool) -> None:
        if checked:
            self.bar.draw.setChecked(False)
        self._set_mode("erase" if checked else "draw" if self.bar.draw.isChecked() else "")

    def _set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        self.view.setProperty(TOOL_PROPERTY, mode)
        viewport = self.view.plot.viewport()
        if mode:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
            self._begin()
        else:
            viewport.unsetCursor()
            self.send()
        # While drawing, every point (train and test) is shown by our own scatter item.
        for item in (self.view.train_points, self.view.test_points):
            item.setVisible(not mode)
        self._refresh()

    def set_mode(self, mode: str) -> None:
        """"draw", "erase" or "" (off), as the buttons do."""
        self.bar.draw.setChecked(mode == "draw")
        self.bar.erase.setChecked(mode == "erase")

    def _begin(self) -> None:
        """Start from the points shown now unless we are already drawing on ours."""
        if self.X is None and self.window.latest_snapshot is not None:
            self._start_from(self.window.latest_snapshot)

    def _start_from(self, snap) -> None:
        X = np.concatenate([snap.X_train, snap.X_test])
        if X.ndim != 2 or X.shape[1] != 2:
            return
        if snap.task == "classification":
            y = np.concatenate([snap.y_train, snap.y_test]).astype(int).tolist()
            self.classes = list(snap.class_names) or ["0", "1"]
            while len(self.classes) < 2:
                self.classes.append(self._new_class_name())
        else:
            y = np.concatenate([snap.y_train, snap.y_test]).reshape(len(X), -1)[:, 0].tolist()
            self.target_name = snap.output_names[0] if snap.output_names else "y"
        self.task = snap.task
        self.X = [tuple(p) for p in X.tolist()]
        self.y = y
        self._show_picker()

    # ----------------------------------------------------------------- the picker
    def _new_class_name(self) -> str:
        k = len(self.classes)
        while str(k) in self.classes:
            k += 1
        return str(k)

    def _on_add_class(self) -> None:
        if len(self.classes) >= MAX_CLASSES:
            return
        self._begin()
        self.classes.append(self._new_class_name())
        self._show_picker()
        self.bar.swatches.button(len(self.classes) - 1).setChecked(True)
        if not self.mode:
            self.set_mode("draw")

    def _show_picker(self) -> None:
        b = self.bar
        classification = self.task == "classification"
        b.class_label.setVisible(classification)
        for k, button in enumerate(b.swatches.buttons()):
            button.setVisible(classification and k < len(self.classes))
            if k < len(self.classes):
                button.setToolTip(f"Draw points of class {self.classes[k]}")
        if b.swatches.checkedId() < 0 or b.swatches.checkedId() >= len(self.classes):
            b.swatches.button(0).setChecked(True)
        b.add_class.setVisible(classification)
        b.add_class.setEnabled(len(self.classes) < MAX_CLASSES)
        b.target.setVisible(not classification)

    def current_class(self) -> int:
        return max(self.bar.swatches.checkedId(), 0)

    def select_class(self, k: int) -> None:
        self.bar.swatches.button(k).setChecked(True)

    # ----------------------------------------------------------------- editing points
    def add_point(self, x: float, y: float) -> None:
        self._begin()
        if self.X is None:
            return
        self.X.append((float(x), float(y)))
        self.y.append(self.current_class() if self.task == "classification"
                      else float(self.bar.target.value()))
        self._changed()

    def erase_near(self, x: float, y: float, radius_px: float = ERASE_RADIUS_PX, *,
                   redraw_now: bool = True) -> int:
        """Remove the points within radius_px screen pixels of (x, y); how many went.
        ``redraw_now=False`` (a drag): show them gone within ERASE_REDRAW_MS, once for all the
        moves meanwhile."""
        self._begin()
        if not self.X:
            return 0
        sx, sy = self._pixel_size()
        P = np.asarray(self.X)
        d2 = ((P[:, 0] - x) / sx) ** 2 + ((P[:, 1] - y) / sy) ** 2
        keep = d2 > radius_px ** 2
        removed = int((~keep).sum())
        if removed:
            self.X = [p for p, k in zip(self.X, keep) if k]
            self.y = [v for v, k in zip(self.y, keep) if k]
            self._changed(redraw_now)
        return removed

    def clear(self) -> None:
        self.X, self.y = [], []
        self._dirty = False  # an empty set cannot be trained on: the worker keeps the old one
        self._send_timer.stop()
        self._refresh()

    def _on_clear(self) -> None:
        if self.window.latest_snapshot is not None:
            self._start_from(self.window.latest_snapshot)  # keeps the task and classes
        self.clear()
        if not self.mode:
            self.set_mode("draw")

    def _changed(self, redraw_now: bool = True) -> None:
        self._dirty = True
        if redraw_now:
            self._show_now()
        elif not self._redraw_timer.isActive():
            self._redraw_timer.start()
        if not self._send_timer.isActive():
            self._send_timer.start()

    def _pixel_size(self) -> tuple[float, float]:
        sx, sy = self.view.plot.getPlotItem().vb.viewPixelSize()
        return (sx if sx > 0 and math.isfinite(sx) else 1.0,
                sy if sy > 0 and math.isfinite(sy) else 1.0)

    # ----------------------------------------------------------------- to the worker
    def data(self):
        """The drawn points as a Data split like the current data, or None if there are none."""
        if not self.X:
            return None
        snap = self.window.latest_snapshot
        settings = snap.extras.get("settings") if snap is not None else None
        ratio = settings.train_ratio if settings is not None else 0.5
        seed = settings.data_seed if settings is not None else 0
        X = np.asarray(self.X, dtype=float)
        if self.task == "classification":
            return split(X, np.asarray(self.y, dtype=np.int64), ratio, seed,
                         task="classification", input_names=("x1", "x2"),
                         target_names=tuple(self.classes), name="custom")
        return split(X, np.asarray(self.y, dtype=float), ratio, seed, task="regression",
                     input_names=("x1", "x2"), target_names=(self.target_name,),
                     name="custom")

    def send(self) -> None:
        """Give the worker the points drawn so far (if they changed); training goes on."""
        self._send_timer.stop()
        if not self._dirty:
            return
        self._dirty = False
        try:
            data = self.data()
        except ValueError as exc:  # e.g. an impossible ratio: say so, keep the points
            self.window.statusBar().showMessage(f"Your points were not used: {exc}")
            return
        if data is None:
            return
        # a tuple is replaced, never mutated: the worker thread reads it in _is_ours
        self._recent = (*self._recent[-(RECENT_SENT - 1):], data)
        self.window.worker.set_data(data)

    # ----------------------------------------------------------------- from the worker
    def _on_new_run(self, ours: bool) -> None:
        if not ours and self.X is not None and not self._dirty:
            # a data set from elsewhere (data panel, CSV, session): leave custom mode
            self.X, self.y = None, []
            self._recent = ()
            self._run_seen = None  # the next snapshot re-seeds the picker (and the points)

    def _on_snapshot(self, snap) -> None:
        if snap.run_id == self._run_seen:
            return
        self._run_seen = snap.run_id
        raw_inputs = snap.X_train.shape[1] if snap.X_train.ndim == 2 else 0
        single = snap.task == "classification" or len(snap.output_names) == 1
        self.available = raw_inputs == 2 and single
        self.bar.setEnabled(self.available)
        self.bar.setVisible(raw_inputs <= 2)  # the slice controls take its place
        self.bar.setToolTip("" if self.available else
                            "Drawing needs data with two inputs (x₁, x₂) and one target")
        if not self.available:
            self.set_mode("")
            self.X, self.y = None, []
        if self.X is None:
            if self.available and self.mode:
                self._start_from(snap)
            else:
                self.task = snap.task
                if snap.task == "classification":
                    self.classes = list(snap.class_names) or ["0", "1"]
                    while len(self.classes) < 2:
                        self.classes.append(self._new_class_name())
                self._show_picker()
        self._refresh()

    # ----------------------------------------------------------------- drawing
    def _show_now(self) -> None:
        """Show the points now rather than at the pending redraw of an erasing drag."""
        self._redraw_timer.stop()
        self._refresh()

    def _refresh(self) -> None:
        n = len(self.X) if self.X is not None else None
        self.bar.count.setText("" if n is None else count_of(n, "point"))
        # every snapshot comes here: the points are set again only when they changed (setData
        # with one brush per point costs tens of ms on a loaded machine)
        key = (self.mode, self.task, tuple(self.X or ()), tuple(self.y)) if self.mode else None
        if key == self._drawn:
            return
        before, self._drawn = self._drawn, key
        if not self.mode or not self.X:
            self.scatter.clear()
            return
        if (before is not None and before[:2] == key[:2] and len(key[2]) == len(before[2]) + 1
                and key[2][:-1] == before[2] and key[3][:-1] == before[3]):
            # one point drawn: add it alone (a drag adds one per few pixels)
            color = palette.point_colors(np.asarray(self.y[-1:]), self.task)[0].tolist()
            x, y = self.X[-1]
            self.scatter.addPoints(x=[x], y=[y], brush=[pg.mkBrush(*color)])
            return
        P = np.asarray(self.X)
        keys = list(map(tuple, palette.point_colors(np.asarray(self.y), self.task).tolist()))
        brushes = {c: pg.mkBrush(*c) for c in set(keys)}  # one per colour, not one per point
        self.scatter.setData(x=P[:, 0], y=P[:, 1], brush=[brushes[c] for c in keys])

    # ----------------------------------------------------------------- mouse
    def _map(self, pos) -> QPointF | None:
        """Viewport position → data coordinates, or None outside the plotted area."""
        plot = self.view.plot
        scene_pos = plot.mapToScene(pos.toPoint())
        vb = plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return vb.mapSceneToView(scene_pos)

    def eventFilter(self, obj, event) -> bool:
        if not self.mode or not self.available:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            p = self._map(event.position())
            if p is not None:
                self._pressed = True
                self._apply(p, event.position())
            return True
        if kind == QEvent.Type.MouseMove and self._pressed:
            if event.buttons() & Qt.MouseButton.LeftButton:
                p = self._map(event.position())
                if p is not None:
                    last = self._last_paint
                    far = last is None or math.hypot(event.position().x() - last.x(),
                                                     event.position().y() - last.y()
                                                     ) >= PAINT_SPACING_PX
                    if self.mode == "erase" or far:
                        self._apply(p, event.position())
            return True
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            if self._pressed:
                self._pressed = False
                self._last_paint = None
                self._show_now()  # the drag's last erasing, if any (unchanged: nothing to do)
                self.send()
            return True
        return kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)

    def _apply(self, p: QPointF, pos) -> None:
        if self.mode == "draw":
            self.add_point(p.x(), p.y())
            self._last_paint = QPointF(pos)
        else:
            self.erase_near(p.x(), p.y(), redraw_now=False)


def install(window) -> DrawTool:
    """Add the drawing row to the window's output view; returns the controller."""
    return install_once(window, "draw_tool", lambda: DrawTool(window))
