"""The main window: layout, menus, shortcuts, status bar, and the wiring to the worker.

Data flow: widgets → ``_send`` (a numbered command on the worker's queue) → the worker thread
trains and emits immutable snapshots (while training flat out at the rate the frames' cost
allows, up to the display's 60 Hz: ``pacing.snapshot_interval``; one after every discrete
command) → ``_on_snapshot_ready`` keeps only the newest and draws it at once, or after a
single-shot timer so that there are at most ``DRAW_HZ`` frames a second; the features
(docks, lesson, draw tool) then get it from ``snapshot_feed``, one per turn of the event loop.
Widgets are re-synced from the worker's actual settings only once the worker has handled
every command sent so far, so a control never flickers back to a stale value.
"""
from __future__ import annotations

import logging
import random
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThread, QTimer
from PySide6.QtWidgets import QComboBox, QGraphicsView, QLabel, QMainWindow, QMessageBox

from model.data.datasets import DATASETS
from model.data.features import input_label
from model.numbers import format_count
from model.playground import MAX_HIDDEN_LAYERS, MAX_NEURONS, Settings

from gui.shell.actions import make_actions
from gui.shell.controls import ControlBar
from gui.shell.pacing import (DISPLAY_HZ, FrameCost, GateKeeper, next_frame_at,
                              single_threaded_blas, single_threaded_drawing,
                              snapshot_interval)
from gui.shell.rate import RateMeter
from gui.shell.snapshot_feed import SnapshotFeed
from gui.shell.turns import Turns
from gui.shell.window_layout import build_layout, default_splits
from model.core.losses import losses_for
from gui.data.data_panel import DataPanel
from gui.plots.loss_plot import LossPlot
from gui.graph.network_view import NetworkView
from gui.plots.output_view import OutputView
from gui.shell.worker import TrainerWorker

#: the most frames a second (e.g. when stepping by hand). Above the display's rate: while
#: training, snapshots come at most DISPLAY_HZ a second but not evenly (one a little late, the
#: next a little early); a cap of exactly 60 would drop the early one and draw 50 a second.
DRAW_HZ = 1.25 * DISPLAY_HZ
WEIGHT_FILTERS = "Weights (*.json *.npz);;JSON (*.json);;NumPy archive (*.npz)"
DEFAULT_REG_RATE = 0.001
FRAME = "frame"  # the window's frame, in its Turns


def _names(ids) -> str:
    return ", ".join(input_label(n) for n in ids)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings = Settings(), *, grid_resolution: int = 40,
                 snapshot_hz: float | None = None, restore_layout: bool = True):
        """``snapshot_hz``: a fixed snapshot rate while training flat out (benchmarks); None
        (the default) follows the frames' measured cost (``pacing.snapshot_interval``)."""
        super().__init__()
        self.setWindowTitle("Backprop Playground")
        self.resize(1280, 800)
        self._settings = settings  # what the widgets asked for; the worker's wins once synced
        self._synced = None
        self._seq = 0  # number of the last command sent
        self._received = None  # newest snapshot received
        self._latest = None  # newest snapshot drawn (what the user sees)
        self._pending = None  # newest snapshot not drawn yet
        self._import_seq = 0  # command number of an import not yet confirmed by the worker
        self._closed = False
        self.frames_drawn = 0
        single_threaded_blas()  # see gui/shell/pacing.py: helper threads stall this one
        single_threaded_drawing()

        self.controls = ControlBar()
        self.data_panel = DataPanel()
        self.network_view = NetworkView()
        self.network_view.set_max_hidden(MAX_HIDDEN_LAYERS, MAX_NEURONS)
        self.output_view = OutputView()
        self.loss_plot = LossPlot()
        self.edge_mode = QComboBox()
        for mode, text in (("weights", "weights"), ("gradients", "gradients"),
                           ("updates", "updates")):
            self.edge_mode.addItem(text, mode)
        self.edge_mode.setToolTip("What the edges' colour and thickness show: the weights, the "
                                  "gradient of the last minibatch, or the last change Δw")
        self.edge_mode.currentIndexChanged.connect(self._on_edge_mode_changed)
        self._build_layout()
        self._scenes = [v.scene() for v in self.findChildren(QGraphicsView) if v.scene()]
        self.actions_ = make_actions(self)
        self._build_status_bar()

        # the worker: a parentless QObject in its own QThread; signals arrive queued
        self._adaptive = snapshot_hz is None
        self.frame_cost = FrameCost()  # of frames drawn while training: feeds the cadence
        self.worker = TrainerWorker(settings, grid_resolution=grid_resolution,
                                    snapshot_hz=DISPLAY_HZ if snapshot_hz is None
                                    else snapshot_hz)
        self.thread = QThread()
        self.thread.setObjectName("trainer")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.snapshot_ready.connect(self._on_snapshot_ready)
        # the window's frame, the features' snapshots (docks, lesson, draw tool...) and the
        # worker's answers to them: one piece of work per turn of the event loop (turns.py)
        self.turns = Turns(self)
        self.snapshot_feed = SnapshotFeed(self, self.turns)
        self.worker.diverged.connect(self._on_diverged)
        self.worker.error.connect(self._on_worker_error)
        # the trainer stands aside while this thread is busy (see gui/shell/pacing.py)
        self._gate_keeper = GateKeeper(self.worker.gate)

        self.controls.changed.connect(self._on_setting_changed)
        self.data_panel.changed.connect(self._on_setting_changed)
        self.network_view.hidden_changed.connect(self._on_hidden_changed)
        self.network_view.layer_activation_chosen.connect(self._on_layer_activation_chosen)
        self.network_view.weight_edited.connect(self._on_weight_edited)
        self.network_view.bias_edited.connect(self._on_bias_edited)
        self.network_view.neuron_hovered.connect(self.output_view.set_hovered)

        # single-shot, started by a snapshot's arrival: no polling while nothing changes
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._draw_timer.timeout.connect(self._on_frame_due)
        self._drawn_at = 0.0
        self._next_frame_at = 0.0  # drawing takes at most half the time (pacing.py)
        self._drawn_seq = 0  # the last command whose answer was drawn
        self._rate_shown_at = 0.0
        self.thread.start()
        self._install_features()
        from gui.shell.window_state import WindowState
        self.window_state = WindowState(self)
        self._layout_restored = restore_layout and self.window_state.restore()
        self._focus_home.setFocus()

    @property
    def features(self):
        """The installed features by key (``window.features["inspector"]``): the view host."""
        return self.views

    @property
    def frozen_views(self) -> dict:
        """{owner: {view, ...}}: views a feature draws itself for now (lesson phases, a past
        moment of the history); live snapshots skip them."""
        return self.views.frozen_views

    def _install_features(self) -> None:
        """The views beyond the playground itself, each a module with ``install(window)``
        that adds its docks, menus and worker observers (see gui/shell/docks.py)."""
        from gui.data import data_io, draw_tool
        from gui.files import exports, recorder, sessions
        from gui.shell import run_watch_notice
        from gui.views import (examples_menu, gradcheck_view, health_view, inspector, lesson,
                               point_view, timeline_view)
        from gui.views import landscape_view, runs_view
        for module in (inspector, gradcheck_view, health_view, lesson, point_view, timeline_view,
                       examples_menu, draw_tool, data_io, sessions, exports, recorder, run_watch_notice,
                       landscape_view, runs_view):
            module.install(self)
        from gui.views import confusion_view, slice_controls  # issue 14: real data's views
        for module in (slice_controls, confusion_view):
            module.install(self)
        from gui.shell.docks import menu_named  # the graph's zoom (Ctrl+=, Ctrl+−, Ctrl+0)
        menu_named(self, "&View").addActions(self.network_view.zoom_actions())
        from gui.files import opening  # Ctrl+O and drops: any file by its kind
        from gui.shell import help_menu  # Help → Keyboard shortcuts, Open log folder
        opening.install(self)
        help_menu.install(self)

    # ----------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        build_layout(self)

    def set_default_splits(self) -> None:
        """The panels' first widths for the window's current width."""
        default_splits(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            if not self._layout_restored:
                self.set_default_splits()  # now that the window has its real width

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.rate = RateMeter()
        self.rate_label = QLabel("paused")
        self.rate_label.setToolTip("Training speed: epochs per second, or minibatch steps per "
                                   "second (and the step count) when slower than an epoch a "
                                   "second; and the engine that trains (numpy, or the compiled "
                                   "kernels)")
        metrics = self.rate_label.fontMetrics()
        widest = f"00.0 steps/s · step {format_count(0, 7)} · compiled"
        self.rate_label.setFixedSize(metrics.horizontalAdvance(widest)
                                     + 8, metrics.height() + 2)  # fixed: no relayout per frame
        self.seed_label = QLabel()
        self.seed_label.setToolTip("Seed of the initial weights (Reset keeps it, "
                                   "New seed draws another)")
        bar.addPermanentWidget(self.seed_label)
        bar.addPermanentWidget(self.rate_label)
        bar.showMessage("Press Space (or ▶) to train; → steps one minibatch")

    @property
    def latest_snapshot(self):
        """The newest snapshot the window has drawn (None before the first): what the user
        sees. Frames are paced (pacing.py), so a snapshot just received may be drawn a few
        milliseconds later, or replaced by a newer one; once this one meets a condition, the
        views show it."""
        return self._latest

    # ----------------------------------------------------------------- commands
    def send(self, method, *args) -> int:
        """Call a worker command with a fresh sequence number and return it: the snapshot
        whose ``extras["seq"]`` reaches it shows the command done (features use this)."""
        self._seq += 1
        method(*args, seq=self._seq)
        return self._seq

    _send = send  # the window's own commands

    def play(self) -> None:
        # never a bare "Training…" next to a run the watch found going wrong
        watch = self.notices.get("run_watch")
        self.statusBar().showMessage("Training…" if watch is None else
                                     "Training… ⚠ see the message above the graph")
        self._send(self.worker.play)
        self._show_playing(True)

    def pause(self) -> None:
        self._send(self.worker.pause)
        self._show_playing(False)
        self.statusBar().showMessage("Paused")

    def _show_playing(self, playing: bool) -> None:
        self.actions_.play.setChecked(playing)  # toggled, not triggered: sends nothing

    def set_playing(self, playing: bool) -> None:
        self.play() if playing else self.pause()

    def step(self) -> None:
        self._show_playing(False)
        self._send(self.worker.step_batch)

    def step_epoch(self) -> None:
        self._show_playing(False)
        self._send(self.worker.step_epoch)

    def reset(self) -> None:
        self._send(self.worker.reset, None)

    def new_seed(self) -> None:
        seed = self._settings.seed
        while seed == self._settings.seed:
            seed = random.randrange(1_000_000)
        self._settings = self._settings.replace(seed=seed)
        self._send(self.worker.reset, seed)

    def update_settings(self, **changes) -> None:
        self._settings = self._settings.replace(**changes)
        self._send(self.worker.update, changes)

    def _on_setting_changed(self, name: str, value) -> None:
        s = self._settings
        if name == "speed":
            self._send(self.worker.set_speed, value)
        elif name == "task":
            if DATASETS[s.dataset].task != value:
                first = next(n for n, spec in DATASETS.items() if spec.task == value)
                self._change_dataset(first)
        elif name == "dataset":
            self._change_dataset(value)
        elif name == "regenerate":
            self.update_settings(data_seed=s.data_seed + 1)
        elif name == "regularization" and value != "none" and s.reg_rate == 0:
            # a penalty with rate 0 would do nothing: start from a small one
            self.update_settings(regularization=value, reg_rate=DEFAULT_REG_RATE)
        elif name == "activation":  # the top bar sets every hidden layer
            self.update_settings(activation=value, layer_activations=())
        elif name == "loss":
            task, k = self._task_of(s.dataset, s.n_classes)
            self.update_settings(loss=None if value == losses_for(task, k)[0] else value)
        else:
            self.update_settings(**{name: value})

    @staticmethod
    def _task_of(dataset: str, n_classes: int) -> tuple[str, int]:
        spec = DATASETS[dataset]
        return spec.task, (n_classes if spec.multiclass else spec.n_classes)

    def _change_dataset(self, name: str) -> None:
        s = self._settings
        task, k = self._task_of(name, s.n_classes)
        loss = s.loss if s.loss in losses_for(task, k)[1:] else None
        self.update_settings(dataset=name, loss=loss, output_activation=None)

    def _on_hidden_changed(self, sizes) -> None:
        self.update_settings(hidden=tuple(int(n) for n in sizes))

    def _on_layer_activation_chosen(self, layer: int, name) -> None:
        """Hidden layer ``layer``'s activation from the graph (None: the top bar's)."""
        s = self._settings
        if 0 <= layer < len(s.hidden):
            per_layer = list(s.layer_activations or (None,) * len(s.hidden))
            per_layer[layer] = name
            self.update_settings(layer_activations=tuple(per_layer))

    def _on_weight_edited(self, layer: int, i: int, j: int, value: float) -> None:
        self._send(self.worker.set_weight, layer, i, j, value)

    def _on_bias_edited(self, layer: int, j: int, value: float) -> None:
        self._send(self.worker.set_bias, layer, j, value)

    def set_params(self, params) -> None:
        """Move every weight at once (a point of the loss landscape): an edit like a weight
        edited on the graph, kept in the training history."""
        self._send(self.worker.set_params, params)

    def _on_edge_mode_changed(self, _index: int) -> None:
        self.network_view.set_edge_mode(self.edge_mode.currentData())

    # ----------------------------------------------------------------- from the worker
    def _on_snapshot_ready(self, snap) -> None:
        self._received = self._pending = snap
        if self._closed:
            self._latest = snap  # nothing is drawn any more; the newest is what there is
        seq = snap.extras.get("seq", 0)
        if self._import_seq and seq >= self._import_seq:
            self._import_seq = 0  # handled; an error about it came before this snapshot
        if seq >= self._seq:  # the worker has seen all our commands
            self._show_playing(snap.running)
            settings = snap.extras.get("settings")
            if settings is not None and (settings, snap.run_id) != self._synced:
                self._sync(settings, snap)
        if not self._closed:
            # at most DRAW_HZ frames a second, paced by their cost (pacing.py); snapshots
            # arriving meanwhile replace this one. The answer to a command (Pause, Step…) is
            # not paced: the user waits for it.
            answer = seq > self._drawn_seq
            wait = (self._drawn_at + 1.0 / DRAW_HZ if answer else self._next_frame_at
                    ) - time.perf_counter()
            active = self._draw_timer.isActive()
            if wait <= 0:
                # in the next turn, not here: snapshots that arrived together (a command's
                # answer and the one after it) are then drawn once, the newest
                self._draw_timer.start(0)
            elif not active or (answer and wait * 1000 < self._draw_timer.remainingTime()):
                self._draw_timer.start(max(1, round(wait * 1000)))
            self.snapshot_feed.offer(snap)

    def _sync(self, settings: Settings, snap) -> None:
        self._synced = (settings, snap.run_id)
        self._settings = settings
        self.controls.sync(settings, snap.task, len(snap.class_names)
                           if snap.task == "classification" else 0,
                           snap.extras.get("loss", "mse"))
        custom = (len(snap.X_train) + len(snap.X_test)) if snap.extras.get("custom") else None
        self.data_panel.sync(settings, custom)
        self.data_panel.show_data(snap)
        self.seed_label.setText(f"seed {settings.seed}")

    def _on_frame_due(self) -> None:
        # drawn in the next turn the window's Turns give, ahead of the features' pieces:
        # never in the same turn as one of them (turns.py)
        self.turns.later(self._on_draw_timer, key=FRAME, first=True)

    def _on_draw_timer(self) -> None:
        snap, self._pending = self._pending, None
        if snap is None:
            return
        self._drawn_at = time.perf_counter()
        self._drawn_seq = max(self._drawn_seq, snap.extras.get("seq", 0))
        with self.worker.gui_frame():
            self.controls.set_epoch(snap.epoch)
            rate = f"{self.rate.text(snap, self._drawn_at)} · {snap.engine}"
            # a figure that changes every frame is unreadable: at most 4 times a second
            if rate != self.rate_label.text() and (
                    not snap.running or self._drawn_at - self._rate_shown_at >= 0.25):
                self.rate_label.setText(rate)
                self._rate_shown_at = self._drawn_at
            # antialiased edges once paused, from the snapshot with the fine boundary on:
            # the one that answers Pause comes first and stays as cheap as a running frame
            # (on 8×16 antialiasing doubles the frame, and Pause waits for this one)
            self.network_view.set_smooth(not snap.running and (
                snap.output_grid_fine is not None or snap.neuron_grids is None))
            frozen = self.views.frozen()
            for view in (self.network_view, self.output_view, self.loss_plot):
                if view in frozen:
                    continue  # a feature (lesson, history) draws this view itself for now
                try:
                    view.set_snapshot(snap)
                except Exception:  # noqa: BLE001 - report it, and still draw the others
                    sys.excepthook(*sys.exc_info())
            # Paint now, while the trainer stands aside, instead of in later events that
            # would fight it for the GIL: first the graphics scenes' queued dirty-item
            # processing, then the window's pending update request (all painting).
            # Twice: painting a plot can schedule a further update of it (pyqtgraph's
            # clip-to-view resamples the curve once it knows the view range).
            for _ in range(2):
                for scene in self._scenes:
                    QCoreApplication.sendPostedEvents(scene, QEvent.Type.MetaCall)
                QCoreApplication.sendPostedEvents(self, QEvent.Type.UpdateRequest)
        self._latest = snap
        self.frames_drawn += 1
        ended = time.perf_counter()
        if snap.running and self._adaptive:
            # only frames while training: a paused one carries the costlier fine boundary
            self.frame_cost.add(ended - self._drawn_at)
            self.worker.set_snapshot_interval(snapshot_interval(self.frame_cost.median()))
        self._next_frame_at = next_frame_at(self._drawn_at, ended, DRAW_HZ,
                                            self.frame_cost.median())

    def _on_diverged(self, message: str) -> None:
        self._show_playing(False)
        self.statusBar().showMessage("Training stopped: the loss became NaN (see the message "
                                     "above the graph)")
        lr = self._settings.lr
        self.notify("diverged", message, level="error", actions=[
            (f"Learning rate → {lr / 10:g}", lambda: self.set_learning_rate(lr / 10),
             "Use a learning rate ten times smaller (the weights are kept); then press Play"),
        ])

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate as the top bar does (the weights are kept)."""
        self.update_settings(lr=lr)

    def _on_worker_error(self, message: str) -> None:
        self.statusBar().showMessage(message)
        if self._import_seq:
            self._import_seq = 0
            QMessageBox.warning(self, "Import weights", f"The weights were not loaded:\n"
                                f"{message}")

    # ----------------------------------------------------------------- files
    def export_weights(self) -> None:
        from gui.files.remembered import save_file_name
        path, selected = save_file_name(self, "weights", "Export weights", "weights.json",
                                        WEIGHT_FILTERS)
        if not path:
            return
        if Path(path).suffix.lower() not in (".json", ".npz"):
            path += ".npz" if "npz" in selected and "json" not in selected else ".json"
        from model.files.serialize import save_network

        from gui.files.exports import network_and_meta
        from gui.shell.replies import ask_worker

        def write(pg):  # in the worker thread, between two steps: the GUI never waits
            net, meta = network_and_meta(pg)
            save_network(net, path, meta=meta)
        ask_worker(self, write,
                   lambda _: self.statusBar().showMessage(f"Weights saved to {path}"),
                   lambda exc: self.warn("Export weights",
                                         f"The weights were not saved:\n{exc}"),
                   busy=f"Saving {Path(path).name}…")

    def import_weights(self) -> None:
        from gui.files import opening
        from gui.files.remembered import open_file_name
        path = open_file_name(self, "weights", "Import weights", WEIGHT_FILTERS)
        if path:  # read in the background, then use_weights (gui/files/opening.py)
            opening.install(self).open_path(path, opening.WEIGHTS)

    def use_weights(self, net, path) -> bool:
        """Continue from the network read from ``path`` if it takes the current inputs."""
        current = list(self._received.input_names) if self._received else list(
            self._settings.features)
        if list(net.inputs) != current:
            self.warn("Import weights",
                       f"The weights were not loaded: the file's network takes the inputs "
                       f"[{_names(net.inputs)}] but the current features are "
                       f"[{_names(current)}]. Select the same features (in the same order) "
                       f"and import again.")
            return False
        self._send(self.worker.load_network, net)
        self._import_seq = self._seq
        self.statusBar().showMessage(f"Weights loaded from {path}")
        return True

    # ----------------------------------------------------------------- feedback
    def warn(self, title: str, text: str) -> None:
        """An action the user asked for failed: a message box (``text`` may span lines) and
        the same words on one line in the status bar."""
        logging.getLogger(__name__).warning("%s: %s", title, " ".join(text.split()))
        self.statusBar().showMessage(" ".join(text.split()))
        QMessageBox.warning(self, title, text)

    def notify(self, key: str, text: str, *, level: str = "info", actions=(),
               dismissable: bool = True, tooltip: str = ""):
        """A notice under the top bar that stays until dismissed (or replaced by the next
        notice with the same ``key``); ``actions`` = [(label, slot, tooltip), ...] buttons.
        See gui/shell/notices.py."""
        return self.notices.show_text(key, text, level, actions=actions,
                                      dismissable=dismissable, tooltip=tooltip)

    def dismiss_notice(self, key: str) -> None:
        self.notices.dismiss(key)

    # ----------------------------------------------------------------- shutdown
    def shutdown(self) -> None:
        """Stop the worker and join its thread (idempotent). Order matters: the stop flag,
        then quit(), then wait() — a QThread destroyed while running aborts the process."""
        if self._closed:
            return
        self._closed = True
        self._draw_timer.stop()
        self.turns.cancel(FRAME)
        self.snapshot_feed.stop()
        self._gate_keeper.remove()
        self.worker.stop()
        self.thread.quit()
        if not self.thread.wait(30_000):  # a step never takes this long; don't hang forever
            self.thread.terminate()
            self.thread.wait()

    def closeEvent(self, event) -> None:
        if not self._closed:  # closed by the user (a test's shutdown() first saves nothing)
            self.window_state.save()
        self.shutdown()
        super().closeEvent(event)
