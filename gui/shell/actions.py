"""The main window's actions, menus and shortcuts (the top bar's buttons share the actions).

Space play/pause, → one minibatch, Shift+→ one epoch, R reset, Shift+R new seed,
Ctrl+E export weights, Ctrl+O import weights, Ctrl+Q quit.
"""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle

from gui.shell.about import show_about

def add_action(window, text, shortcut=None, tip="", slot=None, icon=None,
               checkable=False) -> QAction:
    """An action of ``window`` whose shortcut works whichever widget has the focus; its tip
    (tooltip and status bar) ends with the shortcut. ``icon``: a QStyle.StandardPixmap."""
    a = QAction(text, window)
    if shortcut:
        keys = QKeySequence(shortcut)
        a.setShortcut(keys)
        tip = f"{tip} ({keys.toString(QKeySequence.SequenceFormat.NativeText)})"
    a.setToolTip(tip)
    a.setStatusTip(tip)
    if icon is not None:
        a.setIcon(window.style().standardIcon(icon))
    a.setCheckable(checkable)
    if slot is not None:
        (a.toggled if checkable else a.triggered).connect(slot)
    window.addAction(a)
    return a


def make_actions(window) -> SimpleNamespace:
    style = window.style()

    def action(*args, **kwargs):
        return add_action(window, *args, **kwargs)

    P = QStyle.StandardPixmap
    acts = SimpleNamespace()
    acts.export = action("&Export weights…", "Ctrl+E", "Save the network's weights as JSON "
                         "or NPZ", lambda: window.export_weights())
    acts.import_ = action("&Import weights…", None, "Load weights saved before; the "
                          "file's inputs must match the current features (Ctrl+O opens "
                          "them too)",
                          lambda: window.import_weights())
    acts.quit = action("&Quit", "Ctrl+Q", "Close the window", lambda: window.close())
    acts.play = action("Play", "Space", "Start or pause training", None, P.SP_MediaPlay,
                       checkable=True)
    acts.step = action("Step", "Right", "Train exactly one minibatch",
                       lambda: window.step(), P.SP_MediaSkipForward)
    acts.step_epoch = action("Epoch", "Shift+Right", "Train exactly one epoch",
                             lambda: window.step_epoch(), P.SP_MediaSeekForward)
    acts.reset = action("Reset", "R", "Back to the initial weights (same seed), epoch 0",
                        lambda: window.reset(), P.SP_BrowserReload)
    acts.new_seed = action("New seed", "Shift+R", "Reset with newly drawn initial weights",
                           lambda: window.new_seed(), P.SP_DialogResetButton)

    def on_play_toggled(checked: bool) -> None:
        acts.play.setText("Pause" if checked else "Play")
        acts.play.setIcon(style.standardIcon(P.SP_MediaPause if checked else P.SP_MediaPlay))

    acts.play.toggled.connect(on_play_toggled)
    acts.play.triggered.connect(lambda checked: window.set_playing(checked))

    bar = window.controls
    bar.reset_button.setDefaultAction(acts.reset)
    bar.play_button.setDefaultAction(acts.play)
    bar.step_button.setDefaultAction(acts.step)
    bar.step_epoch_button.setDefaultAction(acts.step_epoch)
    bar.new_seed_button.setDefaultAction(acts.new_seed)

    view = window.output_view
    acts.show_test = _mirror(window, "Show &test data", view.show_test)
    acts.discretize = _mirror(window, "&Discretize output", view.discretize)
    acts.log_loss = _mirror(window, "&Log-scale loss", window.loss_plot.log_scale)

    menu = window.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addActions([acts.export, acts.import_])
    file_menu.addSeparator()
    file_menu.addAction(acts.quit)
    train_menu = menu.addMenu("&Training")
    train_menu.addActions([acts.play, acts.step, acts.step_epoch])
    train_menu.addSeparator()
    train_menu.addActions([acts.reset, acts.new_seed])
    view_menu = menu.addMenu("&View")
    view_menu.addActions([acts.show_test, acts.discretize, acts.log_loss])
    help_menu = menu.addMenu("&Help")
    help_menu.addAction("&About", lambda: show_about(window))
    return acts


def _engine(window) -> str:
    """Which engine trains, and why (model/core/engine.py), for the About box."""
    snap = window.latest_snapshot
    engine = snap.extras.get("engine", snap.engine) if snap is not None else None
    return f"<p>Training engine — {engine}.</p>" if engine else ""


def _mirror(window, text: str, checkbox) -> QAction:
    """A checkable menu action kept in step with a check box."""
    a = QAction(text, window)
    a.setCheckable(True)
    a.setChecked(checkbox.isChecked())
    a.setToolTip(checkbox.toolTip())
    a.toggled.connect(checkbox.setChecked)
    checkbox.toggled.connect(a.setChecked)
    return a
