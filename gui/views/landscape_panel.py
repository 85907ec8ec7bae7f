"""The loss landscape dock's widgets: the plane's controls, the surface plot and its legend.

The plot's items are created once and updated with each frame: an ``ImageItem`` for the
heatmap (a fixed colour map, log-scaled levels when the losses span decades), one
``PlotCurveItem(connect="pairs")`` for every contour line (computed in the worker), the path,
the current point, the grid's lowest point and up to ``MAX_LESSON_PATHS`` lesson paths. The
mouse does not pan or zoom: a click is "move the weights here" (see landscape_view).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap, QValidator
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from model.lessons.landscape import DEFAULT_RESOLUTION, MAX_RESOLUTION

from gui import theme
from gui.plots import palette
from gui.plots.plot_style import plain_plot
from gui.shell.docks import DOCK_HEIGHT
from gui.views.landscape_probe import MIN_RESOLUTION

PLANES = (("weights", "two chosen weights",
           "The loss as two weights of your choice vary, every other weight as it is now: "
           "click two edges or biases on the graph"),
          ("random", "two random directions",
           "Two random directions through the current weights, filter-normalised as in Li et "
           "al. 2018 (each neuron's share scaled to its own weights' size)"),
          ("pca", "principal directions of the path",
           "The two directions along which the training path so far spread the most: the "
           "path lies (nearly) in this plane"))
MAX_LESSON_PATHS = 6
#: combo boxes in the side columns may be narrower than their longest entry
SHRINKS = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
SIDE_WIDTH = 200


def _side(widget: QWidget) -> QScrollArea:
    """A side column that scrolls rather than forcing the dock taller."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFixedWidth(SIDE_WIDTH)
    return area


class GridSpin(QSpinBox):
    """Grid points per axis, shown as the grid they make ("41 × 41"); typing one number works."""

    def textFromValue(self, value: int) -> str:
        return f"{value} × {value}"

    def valueFromText(self, text: str) -> int:
        digits = text.split("×")[0].strip()
        return int(digits) if digits.isdigit() else self.value()

    def validate(self, text: str, pos: int):
        digits = text.split("×")[0].strip()
        if not digits:
            return QValidator.State.Intermediate, text, pos
        if not digits.isdigit():
            return QValidator.State.Invalid, text, pos
        ok = self.minimum() <= int(digits) <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos


def lesson_color(k: int) -> tuple[int, int, int]:
    return palette.PATH_COLORS[k % len(palette.PATH_COLORS)]


def _scale_pixmap(cmap, width: int, height: int) -> QPixmap:
    rgb = cmap.map(np.linspace(0.0, 1.0, width), mode="byte")[:, :3]
    img = np.ascontiguousarray(np.repeat(rgb[None], height, axis=0).astype(np.uint8))
    qimg = QImage(img.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimg.copy())  # copy: the pixmap must not share numpy's buffer


class LandscapePanel(QWidget):
    def sizeHint(self) -> QSize:
        return QSize(900, DOCK_HEIGHT)

    def __init__(self, parent=None):
        super().__init__(parent)
        # ------------------------------------------------------------ controls (left)
        self.plane = QComboBox()
        for key, text, tip in PLANES:
            self.plane.addItem(text, key)
            self.plane.setItemData(self.plane.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.plane.setToolTip("Which slice of weight space the surface shows")
        self.plane.setSizeAdjustPolicy(SHRINKS)
        self.plane.setMinimumContentsLength(10)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.chosen.setToolTip("The two parameters on the axes: click an edge or a bias on the "
                               "graph to choose another (it replaces the older of the two)")
        self.swap = QPushButton("Swap axes")
        self.swap.setToolTip("Put the first chosen weight on the vertical axis and the second "
                             "on the horizontal one")
        self.seed = QSpinBox()
        self.seed.setRange(0, 999_999)
        self.seed.setToolTip("The seed of the two random directions")
        self.new_directions = QPushButton("New directions")
        self.new_directions.setToolTip("Draw two other random directions (a new seed)")
        self.explained = QLabel()
        self.explained.setWordWrap(True)
        self.explained.setToolTip("How much of the path's spread (variance) each principal "
                                  "direction holds: together, how nearly the path lies in "
                                  "the plane")
        self.grid = GridSpin()
        self.grid.setRange(MIN_RESOLUTION, MAX_RESOLUTION)
        self.grid.setValue(DEFAULT_RESOLUTION)
        self.grid.setSingleStep(10)
        self.grid.setToolTip("Grid points per axis (the loss is computed at n × n points of the "
                             "plane; the cost grows with n²)")
        self.split = QComboBox()
        self.split.setSizeAdjustPolicy(SHRINKS)
        self.split.setMinimumContentsLength(6)
        self.split.addItem("training set", "train")
        self.split.addItem("test set", "test")
        self.split.setToolTip("The loss on which data the surface shows")
        self.fit = QPushButton("Fit")
        self.fit.setToolTip("Fit the extent to the path and the current weights again (it "
                            "otherwise only grows while training runs, so the picture stays "
                            "put)")
        self.cost = QLabel()
        self.cost.setWordWrap(True)
        self.cost.setStyleSheet(theme.caption_style())
        self.cost.setToolTip("What the last refresh cost: computing it in the trainer's thread, "
                             "and drawing it (the trainer waits meanwhile). While training "
                             "runs, refreshes are spaced so that together they take at most "
                             "15 % of the time")
        controls = QWidget()
        form = QFormLayout(controls)
        form.setContentsMargins(4, 2, 4, 2)
        form.setVerticalSpacing(3)
        form.addRow(self.plane)
        form.addRow(self.chosen)
        form.addRow(self.swap)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.new_directions)
        self._seed_row = QWidget()
        self._seed_row.setLayout(seed_row)
        seed_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(self._seed_row)
        form.addRow(self.explained)
        form.addRow("Grid", self.grid)
        form.addRow("Loss on", self.split)
        form.addRow(self.fit)
        form.addRow(self.cost)

        # ------------------------------------------------------------ the plot (centre)
        self.plot = plain_plot()
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMinimumSize(150, 140)
        item = self.plot.getPlotItem()
        item.disableAutoRange()
        for axis in ("bottom", "left"):
            item.getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.cmap = pg.colormap.get(palette.LANDSCAPE_MAP)
        self.image.setLookupTable(self.cmap.getLookupTable(nPts=256))
        item.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen((255, 255, 255, 110),
                                                                       width=1))
        item.addItem(self.contours)
        self.lesson_paths = []
        for k in range(MAX_LESSON_PATHS):
            color = lesson_color(k)
            # a dark outline under each: readable over the dark valleys and the light slopes
            curve = pg.PlotDataItem(pen=pg.mkPen(color, width=2),
                                    shadowPen=pg.mkPen(palette.PATH_OUTLINE, width=4),
                                    symbol="o", symbolSize=5, symbolBrush=color,
                                    symbolPen=pg.mkPen(palette.PATH_OUTLINE, width=1))
            curve.setVisible(False)
            item.addItem(curve)
            self.lesson_paths.append(curve)
        # a line without symbols: hundreds of markers cost more to paint than the surface
        self.path = pg.PlotCurveItem(pen=pg.mkPen(palette.PATH_COLOR, width=2),
                                     shadowPen=pg.mkPen(palette.PATH_OUTLINE, width=4))
        item.addItem(self.path)
        self.minimum = pg.ScatterPlotItem(symbol="x", size=9, pen=pg.mkPen("w", width=1.5))
        item.addItem(self.minimum)
        self.current = pg.ScatterPlotItem(symbol="o", size=11, pen=pg.mkPen("k", width=1.5),
                                          brush=pg.mkBrush(palette.CURRENT_COLOR))
        item.addItem(self.current)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        centre = QVBoxLayout()
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addWidget(self.plot, 1)
        centre.addWidget(self.message)

        # ------------------------------------------------------------ legend, notes (right)
        self.lesson_group = QComboBox()
        self.lesson_group.setToolTip("Which of the lesson's paths to draw on the surface: a "
                                     "comparison, or one path of it")
        self.lesson_group.setSizeAdjustPolicy(SHRINKS)
        self.lesson_group.setMinimumContentsLength(10)
        self.lesson_group.hide()
        self.scale_bar = QLabel()
        self.scale_bar.setToolTip("The colours' loss values: dark is low, yellow is high")
        self.scale_bar.setPixmap(_scale_pixmap(self.cmap, SIDE_WIDTH - 30, 10))
        self.scale_text = QLabel()
        self.scale_text.setStyleSheet(theme.caption_style())
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip("What is drawn on the surface")
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        self.readout.setToolTip("The point under the mouse and the loss there; while training "
                                "is paused, a click moves the weights to it")
        notes = QWidget()
        right = QVBoxLayout(notes)
        right.setContentsMargins(4, 2, 4, 2)
        right.addWidget(self.lesson_group)
        right.addWidget(self.scale_bar)
        right.addWidget(self.scale_text)
        right.addWidget(self.legend)
        right.addWidget(self.readout)
        right.addStretch(1)

        box = QHBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addWidget(_side(controls))
        box.addLayout(centre, 1)
        box.addWidget(_side(notes))

    # ------------------------------------------------------------------ drawing
    def show_kind(self, kind: str) -> None:
        self.chosen.setVisible(kind == "weights")
        self.swap.setVisible(kind == "weights")
        self._seed_row.setVisible(kind == "random")
        self.explained.setVisible(kind == "pca")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def draw(self, frame, lesson_paths=(), only: int | None = None) -> None:
        """Draw a LandscapeFrame; ``lesson_paths``: LessonPath objects drawn over it (all, or
        the one at index ``only``, in the colour it has among them)."""
        us, vs, loss = frame.us, frame.vs, frame.loss
        lo, hi = frame.color_range
        values = np.log10(np.maximum(loss, lo)) if frame.log else loss
        levels = (np.log10(lo), np.log10(hi)) if frame.log else (lo, hi)
        if not levels[1] > levels[0]:
            levels = (levels[0] - 0.5, levels[0] + 0.5)  # a flat surface: one colour
        self.image.setImage(np.nan_to_num(values, nan=levels[1]), levels=levels,
                            autoLevels=False)
        du = (us[-1] - us[0]) / max(1, len(us) - 1)
        dv = (vs[-1] - vs[0]) / max(1, len(vs) - 1)
        # each grid value is the colour of a cell centred on its grid point
        self.image.setRect(us[0] - du / 2, vs[0] - dv / 2, us[-1] - us[0] + du,
                           vs[-1] - vs[0] + dv)
        self.contours.setData(frame.contour_x, frame.contour_y)
        uv = frame.path_uv
        self.path.setData(uv[:, 0], uv[:, 1])
        self.current.setData([frame.current[0]], [frame.current[1]])
        self.minimum.setData([frame.minimum[0]], [frame.minimum[1]])
        for k, curve in enumerate(self.lesson_paths):
            visible = k < len(lesson_paths) and (only is None or k == only)
            if visible:
                p = lesson_paths[k].path
                curve.setData(p[:, 0], p[:, 1])
            curve.setVisible(visible)
        item = self.plot.getPlotItem()
        item.setRange(xRange=(us[0] - du / 2, us[-1] + du / 2),
                      yRange=(vs[0] - dv / 2, vs[-1] + dv / 2), padding=0)
        item.setLabel("bottom", frame.axis_names[0])
        item.setLabel("left", frame.axis_names[1])
