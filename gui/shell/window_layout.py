"""The main window's arrangement: the top bar over [notices, data | network, the views
docked below them] beside [output plane over loss plot].

The right column is outside the views' dock area (``gui/shell/view_host.py``): an open view
or a notice takes room from the graph, which scales, never from the decision boundary or the
loss plot. ``default_splits`` gives the panels their first widths (View → Reset layout uses
it too); ``gui/shell/window_state.py`` remembers the user's.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QSplitter,
                               QVBoxLayout, QWidget)

from gui import theme
from gui.shell.notices import NoticeArea
from gui.shell.view_host import ViewHost

#: the right-hand column (output plane and loss plot): its share of the window's width
RIGHT_SHARE, RIGHT_MIN, RIGHT_MAX = 0.34, 300, 520
DATA_WIDTH = 215  # px: the data panel's first width (it scrolls when the window is short)


def build_layout(window) -> None:
    """Top bar (wraps), then [notices over data | network, the views docked below them]
    beside [output plane over loss plot]. The right column is outside the views' dock
    area: an open view takes room from the graph, never from the boundary."""
    scroll = QScrollArea()
    scroll.setWidget(window.data_panel)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # room for the panel and its scroll bar: a short window scrolls it, never clips it
    scroll.setMinimumWidth(window.data_panel.minimumSizeHint().width()
                           + scroll.verticalScrollBar().sizeHint().width())
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    window.data_scroll = scroll

    centre = QWidget()
    cl = QVBoxLayout(centre)
    cl.setContentsMargins(4, 0, 4, 0)
    header = QHBoxLayout()
    header.addWidget(QLabel("<b>Network</b>"))
    header.addStretch(1)
    header.addWidget(QLabel("Edges show"))
    header.addWidget(window.edge_mode)
    cl.addLayout(header)
    cl.addWidget(window.network_view, 1)
    hint = QLabel("Hover a neuron to see its output on the right · click an edge or a "
                  "bias to select it, double-click to edit · Ctrl + wheel zooms · "
                  "+/− change the layers")
    hint.setStyleSheet(theme.caption_style())
    hint.setToolTip(hint.text())
    # clipped rather than widening the window when the centre is narrow
    hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    cl.addWidget(hint)

    inner = QSplitter(Qt.Orientation.Horizontal)
    inner.setObjectName("inner_split")
    inner.addWidget(scroll)
    inner.addWidget(centre)
    inner.setStretchFactor(0, 0)
    inner.setStretchFactor(1, 1)
    inner.setChildrenCollapsible(False)
    window.inner_split = inner
    # notices (a divergence, a run going wrong, an offer) sit above the data and the
    # graph: they take room from the graph, which scales, never from the boundary
    window.notices = NoticeArea()
    area_central = QWidget()
    ac = QVBoxLayout(area_central)
    ac.setContentsMargins(0, 0, 0, 0)
    ac.setSpacing(0)
    ac.addWidget(window.notices)
    ac.addWidget(inner, 1)
    window.views = ViewHost(window, area_central)

    right = QWidget()
    rl = QVBoxLayout(right)
    rl.setContentsMargins(4, 0, 4, 4)
    rl.addWidget(window.output_view, 3)  # at most square (see OutputView.resizeEvent)
    rl.addWidget(window.loss_plot, 1)
    right.setMinimumWidth(RIGHT_MIN)
    window.right_column = right

    body = QSplitter(Qt.Orientation.Horizontal)
    body.setObjectName("body_split")
    body.addWidget(window.views.area)
    body.addWidget(right)
    body.setStretchFactor(0, 1)
    body.setStretchFactor(1, 0)  # a wider window widens the graph; the plane keeps its size
    body.setChildrenCollapsible(False)
    window.body_split = body
    window.set_default_splits()

    central = QWidget()
    # the window starts with the focus here, not in the learning-rate box, so that
    # Space, → and R reach their shortcuts
    central.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    window._focus_home = central
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(window.controls)
    layout.addWidget(body, 1)
    window.setCentralWidget(central)


def default_splits(window) -> None:
    """The panels' first widths for the window's current width."""
    width = max(window.width(), 800)
    right = min(max(round(RIGHT_SHARE * width), RIGHT_MIN), RIGHT_MAX)
    window.body_split.setSizes([width - right, right])
    data = max(DATA_WIDTH, window.data_scroll.minimumWidth())
    window.inner_split.setSizes([data, width - right - data])
