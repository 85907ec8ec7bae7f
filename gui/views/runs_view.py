"""The Runs panel: every training run side by side.

A ``model.lessons.runs.RunLog`` listens to the trainer (a worker observer: new runs, epochs,
steps, play and pause) and keeps each run's settings, what differs from the run before, its
initial weights and its curves, bounded. This panel reads immutable ``RunView`` copies
(``log.snapshot()``, taken under the log's lock) at most ``REFRESH_S`` apart while it shows,
lists them and overlays the ticked runs' curves with a legend naming what differs.

Fair comparisons run in the worker thread: "Duplicate with a change…" hands the worker a
playground with the run's initial weights, data and seed and one setting changed
(``runs_ab.playground_for``, ``worker.call(..., changes_state=True)``: the worker adopts it and
the log starts the duplicate); the preset "full batch vs minibatch vs SGD" trains three runs
from the same weights and data (batch N, 10, 1) and returns only their ids. Runs are saved
in sessions (``adopt`` takes a loaded session's) and exported as CSV (File → Export ▸ Runs).

Entry point: ``install(window) -> RunsView``.
"""
from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog

from model.files.runs_io import export_runs_csv
from model.lessons.runs import RunLog, settings_changes
from model.lessons.runs_ab import (BATCH_SENTENCE, batch_preset, legend_labels, playground_for,
                                   train_run)

from gui.shell.docks import FutureRelay, add_dock, future_error, install_once, menu_named
from gui.views.runs_dialog import DuplicateDialog
from gui.views.runs_panel import NAME, PIN, SHOW, RunsPanel

SHORTCUT = "Ctrl+Shift+U"
REFRESH_S = 0.3
DEFAULT_SHOWN = 4  # the newest runs shown until the user ticks others
PRESET_EPOCHS = 50
PRESET_BUDGET_S = 20.0  # per run: a huge data set at batch 1 stops there
CSV_FILTERS = "Runs' curves, one row per epoch (*.csv);;Runs' summary, one row per run (*.csv)"


# ----------------------------------------------------------------------------- worker side
def duplicate_in_worker(log: RunLog, run_id: int, key: str, value, pg):
    """The duplicate's playground (the worker adopts it; the log marks the new run)."""
    run = log.get(run_id)
    data = run.data
    if data is None and run.own_data and pg.custom_data is not None \
            and log.current is run:
        data = pg.custom_data  # a loaded session's run: its points are the session's
    fresh = playground_for(run, data=data, **{key: value})
    log.expect_duplicate(run_id)  # only now: a refused duplicate must not mark the next run
    return fresh


def preset_in_worker(log: RunLog, epochs: int, budget: float, stop: threading.Event,
                     pg) -> tuple[int, ...]:
    """Train the three runs of ``batch_preset`` (same weights and data) and keep them; each
    stops early after ``budget`` seconds, and all of them when ``stop`` is set."""
    runs = []
    for label, p in batch_preset(pg.settings, data=pg.custom_data):
        if stop.is_set():
            break
        run = train_run(p, epochs, label, time_budget=budget, stop=stop.is_set)
        if runs:
            run.changes = settings_changes(runs[0].settings, run.settings)
        runs.append(log.add(run))
    return tuple(r.id for r in runs)


# ----------------------------------------------------------------------------- the view
class RunsView(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.log = RunLog()
        self.panel = RunsPanel()
        self.dock = add_dock(window, "Runs", self.panel, SHORTCUT,
                             "Show every training run side by side: what differs, final "
                             "figures, overlaid curves")
        self.views = ()  # the RunViews listed
        self.shown_choice: dict[int, bool] = {}  # run id → ticked by the user
        self.preset_ids: tuple[int, ...] = ()
        self.busy: str | None = None  # "preset" | "duplicate" while the worker does it
        self._stop_preset = threading.Event()
        self._refreshed_at = 0.0
        self._relay = FutureRelay(self, window.turns)
        self._relay.finished.connect(self._on_result)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.refresh)
        p = self.panel
        p.duplicate.clicked.connect(lambda _checked=False: self.ask_duplicate())
        p.preset.clicked.connect(lambda _checked=False: self.stop_preset() if self.busy ==
                                 "preset" else self.run_preset())
        p.export.clicked.connect(lambda _checked=False: self.ask_export())
        p.remove.clicked.connect(lambda _checked=False: self.remove_selected())
        p.table.itemChanged.connect(self._on_item_changed)
        p.table.itemSelectionChanged.connect(self._update_buttons)
        for combo in (p.x_axis, p.y_axis):
            combo.currentIndexChanged.connect(lambda _i: self._draw())
        p.log.toggled.connect(lambda _on: self._draw())
        self.delete_action = QAction("Remove runs", p.table)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.remove_selected)
        p.table.addAction(self.delete_action)
        self.export_action = QAction("&Runs as CSV…", window)
        self.export_action.setToolTip("The Runs panel's runs: their curves (one row per run and "
                                      "epoch) or a summary (one row per run), as CSV")
        self.export_action.setStatusTip(self.export_action.toolTip())
        self.export_action.triggered.connect(lambda _checked=False: self.ask_export())
        exports = window.views.get("exports")
        (exports.menu if exports is not None else menu_named(window, "&File")).addAction(
            self.export_action)
        window.worker.add_observer(self.log)
        window.snapshot_feed.subscribe(self._on_snapshot)
        self.dock.visibilityChanged.connect(lambda visible: visible and self.refresh())

    # ------------------------------------------------------------------ reading
    def shown_ids(self) -> list[int]:
        newest = {v.id for v in self.views[-DEFAULT_SHOWN:]}
        return [v.id for v in self.views
                if self.shown_choice.get(v.id, v.pinned or v.id in newest)]

    def refresh(self) -> None:
        if self.panel.table.state() == self.panel.table.State.EditingState:
            # a name is being typed: rows must not move under it (a new run would shift them)
            self._timer.start(round(REFRESH_S * 1000))
            return
        self._refreshed_at = time.perf_counter()
        self.views = self.log.snapshot()
        ids = {v.id for v in self.views}
        self.shown_choice = {k: v for k, v in self.shown_choice.items() if k in ids}
        self.panel.fill(self.views, set(self.shown_ids()))
        self._draw()
        self._update_buttons()

    def _draw(self) -> None:
        shown = set(self.shown_ids())
        runs = [v for v in self.views if v.id in shown]
        self.panel.draw(runs, legend_labels(runs) if runs else [])
        p = self.panel
        preset = bool(self.preset_ids) and sorted(shown) == sorted(self.preset_ids)
        p.sentence.setText(BATCH_SENTENCE if preset else "")
        p.sentence.setVisible(preset)

    def _update_buttons(self) -> None:
        p = self.panel
        p.duplicate.setEnabled(self.busy is None and bool(self.views))
        p.preset.setEnabled(self.busy in (None, "preset"))
        p.preset.setText("Stop the preset (training…)" if self.busy == "preset" else
                         "Full batch vs minibatch vs SGD")
        current = {v.id for v in self.views if v.current}
        p.remove.setEnabled(any(i not in current for i in p.selected_ids()))

    # ------------------------------------------------------------------ changing
    def set_shown(self, run_id: int, shown: bool) -> None:
        self.shown_choice[run_id] = bool(shown)
        self.refresh()

    def pin(self, run_id: int, pinned: bool) -> None:
        try:
            self.log.pin(run_id, pinned)
        except ValueError as exc:
            self.window.statusBar().showMessage(str(exc))
        self.refresh()

    def rename(self, run_id: int, name: str) -> None:
        try:
            self.log.rename(run_id, name)
        except ValueError as exc:
            self.window.statusBar().showMessage(f"Not renamed: {exc}")
        self.refresh()

    def remove_selected(self) -> None:
        current = {v.id for v in self.views if v.current}
        for run_id in self.panel.selected_ids():
            if run_id not in current:
                self.log.remove(run_id)
        self.refresh()

    def adopt(self, loaded) -> None:
        """A session being opened: its runs replace the list (its own run goes on)."""
        if loaded.runs:
            self.log.load(loaded.runs, loaded.current_run)
            self.shown_choice.clear()
            self.preset_ids = ()
        self.refresh()

    def _on_item_changed(self, item) -> None:
        run_id = item.data(Qt.ItemDataRole.UserRole)
        if run_id is None:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        if item.column() == SHOW:
            self.set_shown(run_id, checked)
        elif item.column() == PIN:
            self.pin(run_id, checked)
        elif item.column() == NAME:
            self.rename(run_id, item.text().removeprefix("● "))

    # ------------------------------------------------------------------ fair comparisons
    def ask_duplicate(self) -> None:
        selected = self.panel.selected_ids()
        current = next((v.id for v in self.views if v.current), None)
        dialog = DuplicateDialog(self.views, selected[0] if selected else current, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.change() is not None:
            self.duplicate(*dialog.change())

    def duplicate(self, run_id: int, key: str, value, train: bool = True):
        """Start a new run like ``run_id`` with ``key`` = ``value`` (same initial weights,
        data and seed); it trains at once if ``train``."""
        if self.busy is not None:
            return None
        self.busy = "duplicate"
        self._update_buttons()
        future = self.window.worker.call(partial(duplicate_in_worker, self.log, run_id, key,
                                                 value), changes_state=True)
        self._relay.watch(future, ("duplicate", run_id, key, value, train))
        return future

    def run_preset(self, epochs: int = PRESET_EPOCHS, budget: float = PRESET_BUDGET_S):
        """Train full batch, batch 10 and batch 1 from the same weights and data (in the
        worker), then overlay them against epochs and steps."""
        if self.busy is not None:
            return None
        self.busy = "preset"
        self._stop_preset.clear()
        self._update_buttons()
        self.window.statusBar().showMessage("Training full batch, minibatch (10) and SGD (1) "
                                            "from the same initial weights…")
        future = self.window.worker.call(partial(preset_in_worker, self.log, int(epochs),
                                                 float(budget), self._stop_preset))
        self._relay.watch(future, ("preset",))
        return future

    def stop_preset(self) -> None:
        """End the preset's training after the current epoch (the runs so far are kept)."""
        self._stop_preset.set()

    # ------------------------------------------------------------------ CSV
    def ask_export(self) -> None:
        path, selected = QFileDialog.getSaveFileName(self.window, "Export runs as CSV",
                                                     "runs.csv", CSV_FILTERS)
        if path:
            if Path(path).suffix.lower() != ".csv":
                path += ".csv"
            self.export_csv(path, summary="summary" in selected)

    def export_csv(self, path, summary: bool = False):
        """Write every run's curves (or the summary) to ``path``, atomically, in the worker
        thread (where the curves are written to)."""
        runs = self.log.runs
        future = self.window.worker.call(
            lambda _pg: export_runs_csv(runs, path, summary=summary))
        self._relay.watch(future, ("export", str(path), len(runs)))
        return future

    # ------------------------------------------------------------------ results
    def _on_result(self, tag, future) -> None:
        error = future_error(future)
        kind = tag[0]
        if kind == "export":
            if error:
                self.window.warn("Export runs", f"Nothing was written:\n{error}")
            else:
                self.window.statusBar().showMessage(f"Saved {tag[2]} runs to {tag[1]}")
            return
        self.busy = None
        if kind == "preset":
            if error:
                self.window.warn("Full batch vs minibatch vs SGD", f"The runs were not "
                                 f"trained:\n{error}")
            elif not future.result():
                self.window.statusBar().showMessage("The preset was stopped before its first run")
            else:
                self.preset_ids = future.result()
                self.shown_choice = {v.id: False for v in self.views}
                self.shown_choice.update({i: True for i in self.preset_ids})
                p = self.panel
                p.x_axis.setCurrentIndex(p.x_axis.findData("both"))
                self.window.views.show_dock(self.dock)
                stopped = " (stopped early)" if self._stop_preset.is_set() else ""
                self.window.statusBar().showMessage(f"{len(self.preset_ids)} runs trained from "
                                                    f"the same initial weights{stopped}: see "
                                                    f"the Runs panel")
        elif kind == "duplicate":
            _, run_id, key, value, train = tag
            if error:
                self.window.warn("Duplicate with a change", f"No run was started:\n{error}")
            else:
                self.window.statusBar().showMessage(
                    f"A new run from run {run_id}'s initial weights, data and seed, with "
                    f"{key} changed" + (": training" if train else " (press Space to train)"))
                if train:
                    self.window.play()
        self.refresh()

    def _on_snapshot(self, _snap) -> None:
        if not self.dock.isVisible():
            return
        wait = self._refreshed_at + REFRESH_S - time.perf_counter()
        if wait <= 0:
            self.refresh()
        elif not self._timer.isActive():
            self._timer.start(max(1, round(wait * 1000)))


def install(window) -> RunsView:
    """Add the "Runs" dock (View menu, Ctrl+Shift+U) and File → Export ▸ Runs as CSV."""
    return install_once(window, "runs", lambda: RunsView(window))
