"""The big output view: the network's output over the input plane, with the data on top.

One ImageItem (row-major, [x2, x1], placed with setRect on the data extent) shows either the
output — binary: orange/blue by the predicted value; multi-class: class colours blended by
probability; regression: the diverging map — or, while the pointer is on a neuron of the
graph, that neuron's own heatmap (a class probability p(k) on class k's own colour ramp).
Two scatter items (created once) show the training points and, on a toggle, the test points
outlined in black.

With more than two inputs the snapshot's grids span a plane chosen in the output view (a slice
through held values of the other inputs, or the first two principal components; see
``model.data.plane`` and ``gui/views/slice_controls.py``): the axes take that plane's names
and the points are drawn where they fall on it.

The plot sits in a ``SquareBox`` that keeps its data area square and centred, so the plane
always shows its extent (−6…6) at its aspect, whatever shape the panel has. When the worker
sends a finer output grid (paused or training slowly) the boundary is drawn from it.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy,
                               QVBoxLayout, QWidget)

from gui.graph.graph_text import name_of
from gui.plots import palette
from gui.plots.plot_style import plain_plot

#: the grids (40 × 40 from the worker) are interpolated this many times finer for display
UPSAMPLE = 3
#: the finer output grid (paused, or training slowly) needs less interpolation
UPSAMPLE_FINE = 2
#: px: the plane's data area is never smaller than this (the window's minimum size keeps it)
MIN_SIDE = 180


class SquareBox(QWidget):
    """Holds a plot and keeps its data area (the ViewBox) square, as large as fits, centred.

    The axes' room around the data area is measured from the plot itself (their labels'
    widths depend on the font), and the plot is placed again whenever it changes."""

    def __init__(self, plot, parent=None):
        super().__init__(parent)
        self.plot = plot
        plot.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        plot.getPlotItem().getViewBox().sigResized.connect(self._check)
        self._margins = (48, 40)  # axes' room (width, height) until measured

    def minimumSizeHint(self) -> QSize:
        mw, mh = self._margins
        return QSize(MIN_SIDE + mw, MIN_SIDE + mh)

    def sizeHint(self) -> QSize:
        mw, mh = self._margins
        return QSize(320 + mw, 320 + mh)

    def side_for_width(self, width: int) -> int:
        """The height this box needs to show a square data area ``width`` px wide in all."""
        mw, mh = self._margins
        return max(width - mw, MIN_SIDE) + mh

    def data_rect(self):
        """The data area in this widget's coordinates (a QRect)."""
        vb = self.plot.getPlotItem().getViewBox()
        rect = self.plot.mapFromScene(vb.sceneBoundingRect()).boundingRect()
        return rect.translated(self.plot.pos())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()

    def _measure(self) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        r = vb.sceneBoundingRect()
        if r.width() > 1 and r.height() > 1:
            self._margins = (round(self.plot.width() - r.width()),
                             round(self.plot.height() - r.height()))

    def _place(self) -> None:
        mw, mh = self._margins
        side = max(1, min(self.width() - mw, self.height() - mh))
        w, h = side + mw, side + mh
        x, y = (self.width() - w) // 2, (self.height() - h) // 2
        if (x, y, w, h) != self.plot.geometry().getRect():
            self.plot.setGeometry(x, y, w, h)

    def _check(self) -> None:
        """After the plot laid out its axes: measure their room and place it again if the data
        area came out not square (e.g. the first time, or a wider tick label)."""
        before = self._margins
        self._measure()
        if self._margins != before:
            self.updateGeometry()
            QTimer.singleShot(0, self._place)


PLANE_TIP = ("Background: the network's output over the (x₁, x₂) plane.\n"
             "Dots: training points; outlined dots: test points.\n"
             "Hover a neuron in the graph to see its own output here.")
SLICE_TIP = ("Background: the network's output over a slice: the two inputs on the axes vary, "
             "every other input is held at the value shown above the plot.\nThe boundary is "
             "that of this slice and moves when the held values move.\nDots: every row at its "
             "values of the two inputs (its other inputs may differ from the held ones); "
             "outlined dots: test points.")
PCA_TIP = ("Background: the network's output over the plane through the mean spanned by the "
           "first two principal components of the training rows (each input divided by its "
           "standard deviation).\nDots: every row projected onto that plane; outlined dots: "
           "test points.")


def _rgb_hex(c) -> str:
    return "#%02x%02x%02x" % tuple(c)


class DataPoints(pg.ScatterPlotItem):
    """The data's points on the plane. A click on them is the plane's (the one-data-point
    view listens to the scene): pyqtgraph's own point picking built an object per point on
    the first click after each new data (100 ms for a few thousand points) for no one."""

    def mouseClickEvent(self, ev):
        ev.ignore()


class OutputView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._snap = None
        self._hovered = (-1, -1)
        self._points_key = None  # (run_id, show_test) the scatter items were drawn for
        self._legend_key = None
        self._rect_key = None
        self._axes_key = ("x₁", "x₂")

        self.title = QLabel("<b>Output</b>")
        self.title.setToolTip("What the network predicts at every point of the input plane")
        self.plot = plain_plot("x₁", "x₂")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setAspectLocked(True)  # the SquareBox keeps it square: nothing to pad
        # room for the end tick labels (±6) above and right of the plane
        self.plot.getPlotItem().layout.setContentsMargins(0, 8, 10, 0)
        # the boundary image is scaled up to the screen smoothly, not in stair steps
        self.plot.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.plot.setToolTip(PLANE_TIP)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.train_points = DataPoints(size=6, pen=pg.mkPen(255, 255, 255, 220, width=1))
        self.test_points = DataPoints(size=6, pen=pg.mkPen(0, 0, 0, 255, width=1.3))
        for points in (self.train_points, self.test_points):
            # The points change only with the data, the image under them every frame:
            # keep them as a cached pixmap instead of redrawing each symbol per frame.
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.plot.addItem(points)

        self.show_test = QCheckBox("Show test data")
        self.show_test.setToolTip("Also draw the test points (outlined in black); they are "
                                  "never trained on")
        self.discretize = QCheckBox("Discretize output")
        self.discretize.setToolTip("Show only the predicted class (or the sign of a "
                                   "regression output) instead of the smooth value")
        self.show_test.toggled.connect(self._on_toggle)
        self.discretize.toggled.connect(self._on_toggle)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setToolTip("Colour key of the output view")
        self.square = SquareBox(self.plot)

        toggles = QHBoxLayout()
        toggles.setContentsMargins(0, 0, 0, 0)
        toggles.addWidget(self.show_test)
        toggles.addWidget(self.discretize)
        toggles.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.square, 1)
        layout.addWidget(self.legend)
        layout.addLayout(toggles)

    def insert_above_plot(self, widget: QWidget) -> None:
        """Put a row of controls (e.g. the drawing tools) between the title and the plane."""
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.square), widget)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The plane is square: taller than wide would only add empty margins, so give the
        # height beyond that to the widgets below (the loss plot).
        layout = self.layout()
        extra = sum(layout.itemAt(k).sizeHint().height() for k in range(layout.count())
                    if layout.itemAt(k).widget() is not self.square)
        extra += layout.spacing() * (layout.count() - 1)
        height = self.square.side_for_width(self.width()) + extra
        if self.maximumHeight() != height:
            self.setMaximumHeight(height)

    # ----------------------------------------------------------------- inputs
    def set_snapshot(self, snap) -> None:
        self._snap = snap
        self._draw()

    def set_hovered(self, column: int, unit: int) -> None:
        self._hovered = (column, unit)
        self._draw()

    def _on_toggle(self, _checked: bool) -> None:
        self._draw()

    # ----------------------------------------------------------------- drawing
    def _draw(self) -> None:
        if self._snap is not None:
            with np.errstate(all="ignore"):  # inf/huge values just before a divergence
                self._draw_snapshot(self._snap)

    def _draw_snapshot(self, snap) -> None:
        self._draw_axes(snap)
        self._draw_points(snap)
        self._draw_legend(snap)
        grids = snap.neuron_grids
        if grids is None:
            self.image.clear()
            why = "more than two inputs" if len(snap.input_names) > 2 else "one input"
            self._set_title(f"<b>Output</b> (not drawn: the data has {why})")
            return
        column, unit = self._hovered
        last = len(grids) - 1
        fine = getattr(snap, "output_grid_fine", None)
        if 0 <= column < len(grids) and 0 <= unit < len(grids[column]):
            activation = None if column == 0 else snap.activations[column - 1]
            if column == last and fine is not None:  # an output unit: the fine grid has it
                grid = palette.upsample(fine[unit], UPSAMPLE_FINE)
            else:
                grid = palette.upsample(grids[column][unit], UPSAMPLE)
            if column == last and palette.uses_class_ramps(snap.task, len(grids[last])):
                rgb = palette.class_ramp(grid, unit, palette.BACKGROUND_LIGHTEN)
            else:
                rgb = palette.diverging(palette.unit_values(grid, activation),
                                        palette.BACKGROUND_LIGHTEN)
            self._set_title(f"<b>{self._unit_name(snap, column, unit)}</b> "
                            "(pointer on a neuron)")
        else:
            if fine is not None:
                rgb = self._output_rgb(snap, fine, UPSAMPLE_FINE)
            else:
                rgb = self._output_rgb(snap, grids[-1], UPSAMPLE)
            plane = getattr(snap, "plane", None)
            self._set_title("<b>Output</b>" if plane is None else "<b>Output</b> on a slice"
                            if plane.kind == "slice" else "<b>Output</b> on the PCA plane")
        self.image.setImage(rgb, autoLevels=False)
        r = rgb.shape[0]
        if (snap.extent, r) != self._rect_key:
            self._rect_key = (snap.extent, r)
            x0, x1, y0, y1 = snap.extent
            # the grid samples the extent's edges: each pixel is centred on its sample
            dx, dy = (x1 - x0) / max(r - 1, 1), (y1 - y0) / max(r - 1, 1)
            self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)

    def _set_title(self, text: str) -> None:
        if text != self.title.text():  # a new text relayouts the panel: only when it changes
            self.title.setText(text)

    @staticmethod
    def _unit_name(snap, column: int, unit: int) -> str:
        return name_of(snap, column, unit)  # the one name the graph and the docks use too

    def _output_rgb(self, snap, out: np.ndarray, factor: int) -> np.ndarray:
        out = palette.upsample(out, factor)
        discrete = self.discretize.isChecked()
        light = palette.BACKGROUND_LIGHTEN
        activation = snap.activations[-1]
        if snap.task == "classification" and len(out) > 1:
            probs = palette.one_hot_argmax(out) if discrete else out
            return palette.blend_classes(probs, light)
        values = palette.unit_values(out[0], activation if snap.task == "classification"
                                     else "linear")
        if discrete:
            values = np.where(values >= 0, 1.0, -1.0)
        return palette.diverging(values, light)

    def _draw_axes(self, snap) -> None:
        """The axes' titles: x₁ and x₂, or the plane's (two inputs' names, PC1 and PC2)."""
        plane = getattr(snap, "plane", None)
        labels = ("x₁", "x₂") if plane is None else plane.labels()
        if labels != self._axes_key:
            self._axes_key = labels
            item = self.plot.getPlotItem()
            item.setLabel("bottom", labels[0])
            item.setLabel("left", labels[1])
            self.plot.setToolTip(PLANE_TIP if plane is None else
                                 SLICE_TIP if plane.kind == "slice" else PCA_TIP)
            # two inputs share the plane's units (−6…6); a slice's two inputs need not, and
            # the principal components' spreads differ: each fills the square
            self.plot.setAspectLocked(plane is None)
            self._rect_key = None  # the range is set again

    def _draw_points(self, snap) -> None:
        plane = getattr(snap, "plane", None)
        key = (snap.run_id, self.show_test.isChecked(), None if plane is None else plane.spec)
        if key == self._points_key:
            return
        self._points_key = key
        if snap.neuron_grids is None:
            # no plane (one input): nothing to place the points on
            self.train_points.clear()
            self.test_points.clear()
            return
        points = getattr(snap, "points", None)
        train = points("train") if points else snap.X_train
        self._set_points(self.train_points, train, snap.y_train, snap.task)
        if self.show_test.isChecked() and len(snap.X_test):
            test = points("test") if points else snap.X_test
            self._set_points(self.test_points, test, snap.y_test, snap.task)
        else:
            self.test_points.clear()

    @staticmethod
    def _set_points(item, X, y, task) -> None:
        """Points at X[:, 0], X[:, 1] (where they are on the plane), coloured by y."""
        colors = palette.point_colors(y, task)
        cache: dict = {}  # one QBrush per distinct colour
        for c in map(tuple, colors.tolist()):
            if c not in cache:
                cache[c] = pg.mkBrush(*c)
        item.setData(x=X[:, 0], y=X[:, 1], brush=[cache[c] for c in map(tuple, colors.tolist())])

    def _draw_legend(self, snap) -> None:
        key = (snap.task, snap.class_names, len(snap.output_names))
        if key == self._legend_key:
            return
        self._legend_key = key

        def swatch(color, text):
            return f"<span style='color:{_rgb_hex(color)}'>■</span>&nbsp;{text}"

        if snap.task == "regression":
            parts = [swatch(palette.ORANGE, "−1"), swatch(palette.MID, "0"),
                     swatch(palette.BLUE, "+1 (target value)")]
        else:
            parts = [swatch(palette.class_color(k), f"class {name}")
                     for k, name in enumerate(snap.class_names)]
        parts.append("○&nbsp;test point (outlined)")
        self.legend.setText("&nbsp;&nbsp; ".join(parts))
