"""The house look of a pyqtgraph plot: white, no context menu or auto-range button, grey axes."""
from __future__ import annotations

import pyqtgraph as pg


def plain_plot(bottom: str = "", left: str = "") -> pg.PlotWidget:
    """A PlotWidget in the app's style, its axes labelled ``bottom`` and ``left``."""
    widget = pg.PlotWidget()
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
