"""The house look of a pyqtgraph plot: white, no context menu or auto-range button, grey axes."""
from __future__ import annotations

import pyqtgraph as pg

from gui.plots.ranges import tick_label


class NumberAxis(pg.AxisItem):
    """An axis whose large and small tick values read briefly (2e300, 5e−5), not 2e+300."""

    def tickStrings(self, values, scale, spacing):
        if self.logMode or not values:
            return super().tickStrings(values, scale, spacing)
        biggest = max(abs(v * scale) for v in values)
        if biggest >= 1e4 or (0 < biggest < 1e-3):
            return [tick_label(float(f"{v * scale:.2g}")) for v in values]
        return super().tickStrings(values, scale, spacing)


def plain_plot(bottom: str = "", left: str = "") -> pg.PlotWidget:
    """A PlotWidget in the app's style, its axes labelled ``bottom`` and ``left``."""
    widget = pg.PlotWidget(axisItems={"bottom": NumberAxis("bottom"),
                                      "left": NumberAxis("left")})
    widget.setBackground("w")
    widget.setMenuEnabled(False)
    widget.hideButtons()
    item = widget.getPlotItem()
    if bottom:
        item.setLabel("bottom", bottom)
    if left:
        item.setLabel("left", left)
    for axis in ("bottom", "left"):
        item.getAxis(axis).setTextPen("#555")
        item.getAxis(axis).setPen("#aaa")
    return widget
