"""Render the main window's states to PNG files, to look at them (and for the README).

    python bench/screens.py [OUT_DIR] [--only NAME ...] [--list] [--docs]

OUT_DIR defaults to ``shots/`` (git-ignored). Every state is a fresh window on the offscreen
platform (unless QT_QPA_PLATFORM says otherwise) with a private home folder, so no saved
layout or session of yours is used or touched. Each line printed names the file and the
geometry that matters: the window's minimum size, the boundary's on-screen square and the
loss plot's height.

States: the default window at 1280×800 and 1024×640; each backprop view open at both sizes;
every lesson phase; the loss landscape (two weights, the principal plane, the worked example
with its paths) and the Runs panel (a duplicate, the batch preset); multi-class (with a p(k)
thumbnail hovered); regression; real data (iris on a chosen slice with the Slice view, iris on
its principal components, breast cancer with the confusion matrix, each also at 2×); after a
divergence (with the "restore your last session" offer beside it); the run watch on a dead
and on an exploding run; a dark palette; your own drawn points; the worked examples; and 2×
scale (a second process with QT_SCALE_FACTOR=2). ``--docs`` copies the README's pictures
(``DOCS``) into docs/.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_HOME = tempfile.mkdtemp(prefix="bp-screens-home-")
os.environ["HOME"] = _HOME
for _var, _sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                   ("XDG_CACHE_HOME", ".cache")):
    os.environ[_var] = os.path.join(_HOME, _sub)
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from model.playground import Settings  # noqa: E402

BIG, SMALL = (1280, 800), (1024, 640)
SPIRAL = Settings(dataset="spiral", hidden=(8, 8), features=("x1", "x2", "sin_x1", "sin_x2"),
                  optimizer="adam", lr=0.01)
ARMS = Settings(dataset="spiral_arms", n_classes=4, hidden=(8, 8), optimizer="adam", lr=0.03,
                features=("x1", "x2", "sin_x1", "sin_x2"))
LAYERS = Settings(hidden=(4, 3, 2), layer_activations=(None, "leaky_relu:0.2", "gelu_tanh"))
FORMULA = Settings(dataset="curve_formula", formula="3*sin(x) + x/2", hidden=(6, 4))
LAYERS_FORMULA = LAYERS.replace(dataset="curve_formula", formula="3*sin(x) + x/2")
WAIT_S = 30.0


# ----------------------------------------------------------------------------- helpers
def app():
    from PySide6.QtWidgets import QApplication
    return QApplication.instance()


def wait(predicate, timeout: float = WAIT_S) -> None:
    from PySide6.QtCore import QEventLoop
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app().processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if predicate():
            return
        time.sleep(0.005)
    raise TimeoutError("the window did not get there in time")


def pause_for(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait(lambda: time.monotonic() >= end, seconds + 5)


def settled(w) -> bool:
    s = w.latest_snapshot
    return s is not None and s.extras["seq"] >= w._seq


def train(w, epochs: int) -> None:
    w.play()
    wait(lambda: w.latest_snapshot.running and w.latest_snapshot.epoch >= epochs)
    w.pause()
    wait(lambda: settled(w) and not w.latest_snapshot.running)


def steps(w, n: int) -> None:
    for _ in range(n):
        w.step()
    wait(lambda: settled(w))


def feature(w, key: str):
    return w.views[key]


def boundary_px(w) -> tuple[int, int]:
    rect = w.output_view.square.data_rect()
    return rect.width(), rect.height()


def make(settings: Settings, size) -> object:
    from gui.shell.main_window import MainWindow
    w = MainWindow(settings, restore_layout=False)
    w.resize(*size)
    w.show()
    wait(lambda: w.latest_snapshot is not None)
    return w


def close(w) -> None:
    w.shutdown()
    w.close()
    w.deleteLater()
    pause_for(0.05)


# ----------------------------------------------------------------------------- states
def default(w):
    train(w, 40)


def spiral(w):
    train(w, 150)


def view_chain_rule(w):
    train(w, 20)
    ins = feature(w, "inspector")
    w.views.show_dock(ins.dock)
    ins.select(0, 0, 1)
    wait(lambda: ins.result is not None)


def view_gradient_check(w):
    train(w, 5)
    view = feature(w, "gradcheck")
    view.check()
    wait(lambda: view.report is not None)


def view_health(w):
    view = feature(w, "health")
    w.views.show_dock(view.dock)
    train(w, 60)
    pause_for(0.4)


def view_lesson(w):
    train(w, 10)
    lesson = feature(w, "lesson")
    lesson.start()
    wait(lambda: lesson.build is not None and not lesson._busy)
    while lesson.phase.kind != "backward":
        lesson.next()


def view_data_point(w):
    train(w, 20)
    view = feature(w, "point_view")
    view.select("train", 3)
    pause_for(0.3)


def view_history(w):
    view = feature(w, "timeline")
    w.views.show_dock(view.dock)
    train(w, 60)
    pause_for(0.3)


def landscape_frame(w, view) -> None:
    """Wait for a surface computed after everything sent so far."""
    wait(lambda: settled(w) and view.frame is not None and not view._busy
         and view._computed_key is not None
         and view._computed_key[2] == w.latest_snapshot.extras["seq"])


def view_landscape(w):
    view = feature(w, "landscape")
    w.views.show_dock(view.dock)
    train(w, 60)
    landscape_frame(w, view)


def view_landscape_pca(w):
    view = feature(w, "landscape")
    w.views.show_dock(view.dock)
    train(w, 60)
    view.set_kind("pca")
    landscape_frame(w, view)


def view_runs(w):
    view = feature(w, "runs")
    w.views.show_dock(view.dock)
    train(w, 30)
    w.update_settings(lr=0.3, hidden=(3,))
    wait(lambda: settled(w))
    train(w, 30)
    view.duplicate(1, "optimizer", "adam", train=False)
    wait(lambda: view.busy is None and settled(w))
    train(w, 30)
    view.refresh()


def view_runs_preset(w):
    view = feature(w, "runs")
    w.views.show_dock(view.dock)
    view.run_preset()
    wait(lambda: view.busy is None and bool(view.preset_ids))
    view.refresh()


def landscape_lesson(w):
    from gui.views.examples_menu import EXAMPLES
    examples = feature(w, "worked_examples")
    view = feature(w, "landscape")
    examples.load(next(e for e in EXAMPLES if e.key == "landscape"))
    wait(lambda: examples.loading is None and view.lesson is not None)
    group = view.panel.lesson_group
    group.setCurrentIndex(group.findText("   lr 1.8: oscillates"))
    steps(w, 25)
    landscape_frame(w, view)


VIEWS = (("chain_rule", view_chain_rule), ("gradient_check", view_gradient_check),
         ("health", view_health), ("lesson", view_lesson), ("data_point", view_data_point),
         ("history", view_history), ("landscape", view_landscape),
         ("landscape_pca", view_landscape_pca), ("runs", view_runs),
         ("runs_preset", view_runs_preset), ("landscape_lesson", landscape_lesson))


def multiclass(w):
    train(w, 150)
    last = len(w.latest_snapshot.sizes) - 1
    w.network_view.neuron_hovered.emit(last, 2)  # as the pointer on p(2) does


def multiclass_output(w):
    train(w, 150)


def regression(w):
    train(w, 60)


def diverged(w):
    view = feature(w, "health")
    w.views.show_dock(view.dock)
    w.play()
    wait(lambda: w.latest_snapshot.message is not None and not w.latest_snapshot.running)
    wait(lambda: view.diverged_layer is not None)
    pause_for(0.3)


def watch(kind):
    def run(w):
        w.play()
        wait(lambda: (f := feature(w, "run_watch").finding) is not None and f.kind == kind)
        w.pause()
        wait(lambda: settled(w) and not w.latest_snapshot.running)
        pause_for(0.3)
    return run


def open_example(w, name: str) -> None:
    """File → Open data example → ``name``, OK in the preview, a few epochs."""
    io = feature(w, "data_io")
    io.example_actions[name].trigger()
    wait(lambda: io.dialog is not None and io.dialog.ok.isEnabled())
    io.dialog.ok.click()
    wait(lambda: settled(w) and w.latest_snapshot.plane is not None)
    train(w, 40)


def iris_slice(w):
    """Petal length × petal width, sepal length held at 7 (the Slice view open)."""
    open_example(w, "iris")
    controls = feature(w, "slice")
    controls.set_axes(2, 3)
    controls.set_held(0, 7.0)
    w.views.show_dock(controls.dock)
    wait(lambda: w.latest_snapshot.plane.spec == controls.spec)


def iris_pca(w):
    open_example(w, "iris")
    controls = feature(w, "slice")
    controls.set_pca(True)
    wait(lambda: w.latest_snapshot.plane.kind == "pca")


def breast_cancer_confusion(w):
    open_example(w, "breast_cancer")
    w.views.show_dock(feature(w, "confusion").dock)
    feature(w, "slice").set_pca(True)
    wait(lambda: w.latest_snapshot.plane.kind == "pca")


REAL = (("iris_slice", iris_slice), ("iris_pca", iris_pca),
        ("breast_cancer_confusion", breast_cancer_confusion))


def fine_boundary(w):
    steps(w, 300)


def drawing(w):
    """Your own points: three classes drawn in the output view, then trained on."""
    tool = feature(w, "draw_tool")
    tool.set_mode("draw")
    rng = np.random.default_rng(3)
    for k, (cx, cy) in enumerate(((-3.0, 2.5), (3.0, 2.0), (0.0, -3.0))):
        if k >= 2:
            tool.bar.add_class.click()
        tool.select_class(k)
        for x, y in rng.normal((cx, cy), 1.1, size=(25, 2)):
            tool.add_point(float(x), float(y))
    tool.send()
    wait(lambda: settled(w) and w.latest_snapshot.extras.get("custom"))
    train(w, 150)


def examples(w):
    examples = feature(w, "worked_examples")
    dialog = examples.open()
    dialog.resize(900, 640)
    examples.load_selected()  # the app's own figures beside the published ones
    wait(lambda: examples.loading is None and examples.values)
    return dialog


def layer_menu(w):
    """Per-layer activations: hidden layer 2's menu, open under its tag."""
    train(w, 30)
    menu = w.network_view._tags.open_menu(1)
    pause_for(0.2)
    return menu


def formula_error(w):
    """The formula box refusing a formula, its message under the box."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    train(w, 30)
    box = w.data_panel.formula_box
    w.activateWindow()
    box.edit.setFocus()
    box.edit.selectAll()
    QTest.keyClicks(box.edit, "3*sin(x) + (x")
    QTest.keyClick(box.edit, Qt.Key.Key_Return)


def recording(w):
    """Recording the decision boundary while training runs."""
    import tempfile
    from gui.files.record_dialog import RecordPlan
    rec = feature(w, "recorder")
    path = pathlib.Path(tempfile.mkdtemp(prefix="bp-screens-")) / "boundary.gif"
    rec.start(RecordPlan(limit=30, path=str(path)))
    pause_for(1.5)  # save() takes the picture; closing the window cancels the recording


#: the 2× pictures: (name, size, setup, settings)
SCALED = (("1024x640", (1024, 640), default, Settings()),
          ("1000x600", (1000, 600), default, Settings()),
          ("1024x640_layers", (1024, 640), default, LAYERS_FORMULA),
          ("landscape_1024x640", (1024, 640), view_landscape, Settings()),
          ("runs_1024x640", (1024, 640), view_runs, Settings()))


def plan() -> list:
    """(name, settings, size, setup, options) for every picture."""
    shots = [("default_1280x800", Settings(), BIG, default, {}),
             ("default_1024x640", Settings(), SMALL, default, {}),
             ("spiral_1280x800", SPIRAL, BIG, spiral, {}),
             ("paused_fine_boundary_1280x800", SPIRAL, BIG, fine_boundary, {})]
    for name, setup in VIEWS:
        for size in (BIG, SMALL):
            shots.append((f"view_{name}_{size[0]}x{size[1]}", Settings(), size, setup, {}))
    shots += [
        ("lesson_phases", Settings(), BIG, None, {"lesson": True}),
        ("multiclass_1280x800", ARMS, BIG, multiclass_output, {}),
        ("multiclass_hover_p2_1280x800", ARMS, BIG, multiclass, {}),
        ("regression_1280x800", Settings(dataset="plane"), BIG, regression, {}),
        ("diverged_1024x640", Settings(dataset="plane", activation="relu", lr=1e6), SMALL,
         diverged, {"autosave": True}),
        ("watch_dead_1024x640", Settings(activation="relu", lr=10.0), SMALL, watch("dead"), {}),
        ("watch_exploding_1280x800", Settings(activation="relu", optimizer="adam", lr=1e6), BIG,
         watch("exploding"), {}),
        ("dark_1280x800", SPIRAL, BIG, spiral, {"dark": True}),
        ("dark_1024x640_health", Settings(), SMALL, view_health, {"dark": True}),
        ("drawing_output_column", Settings(hidden=(6, 6)), BIG, drawing,
         {"grab": lambda w: w.right_column}),
        ("examples_dialog", Settings(), BIG, examples, {"grab": "returned"}),
        ("dark_1024x640_landscape", Settings(), SMALL, view_landscape, {"dark": True}),
        ("dark_1024x640_runs", Settings(), SMALL, view_runs, {"dark": True}),
        ("activations_per_layer_1280x800", LAYERS, BIG, default, {}),
        ("activations_per_layer_1024x640", LAYERS, SMALL, default, {}),
        ("activation_menu", LAYERS, BIG, layer_menu, {"grab": "returned"}),
        ("formula_error_1024x640", FORMULA, SMALL, formula_error, {}),
        ("recording_1280x800", Settings(), BIG, recording, {}),
    ]
    for name, setup in REAL:
        for size in (BIG, SMALL):
            shots.append((f"{name}_{size[0]}x{size[1]}", Settings(), size, setup, {}))
    return shots


#: the README's pictures in docs/ and the states they show (``--docs`` writes them)
DOCS = {"screenshot.png": "spiral_1280x800", "small_screen.png": "view_chain_rule_1024x640",
        "inspector.png": "view_chain_rule_1280x800",
        "gradcheck.png": "view_gradient_check_1280x800", "health.png": "view_health_1280x800",
        "lesson.png": "lesson_06_backward", "point_view.png": "view_data_point_1280x800",
        "timeline.png": "view_history_1280x800", "multiclass.png": "multiclass_hover_p2_1280x800",
        "diverged.png": "diverged_1024x640", "run_watch.png": "watch_dead_1024x640",
        "dark.png": "dark_1280x800", "drawing.png": "drawing_output_column",
        "examples.png": "examples_dialog", "landscape.png": "view_landscape_lesson_1280x800",
        "runs.png": "view_runs_preset_1280x800", "slice.png": "iris_slice_1280x800",
        "confusion.png": "breast_cancer_confusion_1280x800"}


# ----------------------------------------------------------------------------- rendering
def dark_palette():
    from PySide6.QtGui import QColor, QPalette
    p = QPalette()
    R = QPalette.ColorRole
    for role, rgb in ((R.Window, (45, 45, 48)), (R.WindowText, (225, 225, 225)),
                      (R.Base, (30, 30, 32)), (R.AlternateBase, (50, 50, 54)),
                      (R.Text, (225, 225, 225)), (R.Button, (55, 55, 60)),
                      (R.ButtonText, (225, 225, 225)), (R.Highlight, (42, 130, 218)),
                      (R.HighlightedText, (255, 255, 255)), (R.ToolTipBase, (60, 60, 60)),
                      (R.ToolTipText, (230, 230, 230)), (R.PlaceholderText, (150, 150, 150)),
                      (R.Link, (100, 170, 255)), (R.Mid, (80, 80, 85)), (R.Dark, (25, 25, 25)),
                      (R.Light, (80, 80, 85)), (R.Midlight, (70, 70, 75))):
        p.setColor(role, QColor(*rgb))
    return p


def write_autosave() -> None:
    """A kept session, so that the window offers "Restore your last session?"."""
    from gui.files.sessions import autosave_path
    from model.files.session import save_session
    from model.playground import Playground
    path = autosave_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    save_session(Playground(Settings(hidden=(3,))), path, {"app": "screens"})


def geometry(w) -> str:
    bw, bh = boundary_px(w)
    hint = w.minimumSizeHint()
    return (f"window {w.width()}x{w.height()} (minimum {hint.width()}x{hint.height()}), "
            f"boundary {bw}x{bh} px, loss plot {w.loss_plot.plot.height()} px")


def save(w, out: pathlib.Path, name: str, target=None) -> None:
    pause_for(0.35)  # the newest snapshot drawn, the layout settled
    path = out / f"{name}.png"
    (target or w).grab().save(str(path))
    print(f"{path}: {geometry(w)}", flush=True)


def shoot(out: pathlib.Path, name, settings, size, setup, options) -> None:
    from PySide6.QtWidgets import QApplication, QStyleFactory
    qapp = app()
    if options.get("autosave"):
        write_autosave()
    if options.get("dark"):
        qapp.setStyle(QStyleFactory.create("Fusion"))
        qapp.setPalette(dark_palette())
    try:
        w = make(settings, size)
        try:
            if options.get("lesson"):
                lesson_phases(w, out)
            else:
                result = setup(w)
                grab = options.get("grab")
                target = result if grab == "returned" else grab(w) if grab else None
                save(w, out, name, target)
                if grab == "returned":
                    result.close()
        finally:
            close(w)
    finally:
        if options.get("dark"):
            qapp.setPalette(QApplication.style().standardPalette())
        if options.get("autosave"):
            from gui.files.sessions import autosave_path
            autosave_path().unlink(missing_ok=True)


def lesson_phases(w, out: pathlib.Path) -> None:
    train(w, 10)
    lesson = feature(w, "lesson")
    lesson.start()
    wait(lambda: lesson.build is not None and not lesson._busy)
    for k in range(len(lesson.build.phases)):
        while lesson.index < k:
            lesson.next()
        save(w, out, f"lesson_{k + 1:02d}_{lesson.phase.kind}")
    lesson.discard() if hasattr(lesson, "discard") else None


def scaled(out: pathlib.Path) -> None:
    """The 2× pictures, in a process of their own (the scale is fixed at start)."""
    env = dict(os.environ, QT_SCALE_FACTOR="2")
    subprocess.run([sys.executable, __file__, str(out), "--scaled-run"], env=env, check=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "shots"))
    parser.add_argument("--only", nargs="*", help="names (or prefixes) of the pictures")
    parser.add_argument("--list", action="store_true", help="list the pictures' names")
    parser.add_argument("--docs", action="store_true",
                        help="also copy the README's pictures into docs/")
    parser.add_argument("--scaled-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    shots = plan()
    if args.list:
        print("\n".join([s[0] for s in shots] + [f"scale2x_{s[0]}" for s in SCALED]
                        + [f"scale2x_{name}_1024x640" for name, _ in REAL]))
        return 0
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication
    QApplication.instance() or QApplication([sys.argv[0]])
    pg.setConfigOptions(antialias=True)
    np.seterr(all="ignore")
    if args.scaled_run:
        for name, size, setup, settings in SCALED:
            w = make(settings, size)
            try:
                setup(w)
                save(w, out, f"scale2x_{name}")
            finally:
                close(w)
        for name, setup in REAL:
            w = make(Settings(), SMALL)
            try:
                setup(w)
                save(w, out, f"scale2x_{name}_1024x640")
            finally:
                close(w)
        return 0
    wanted = args.only
    for name, settings, size, setup, options in shots:
        if wanted and not any(name.startswith(p) for p in wanted):
            continue
        shoot(out, name, settings, size, setup, options)
    if not wanted or any("scale2x".startswith(p) or p.startswith("scale") for p in wanted):
        scaled(out)
    if args.docs:
        import shutil
        for doc, name in DOCS.items():
            if (out / f"{name}.png").is_file():
                shutil.copyfile(out / f"{name}.png", ROOT / "docs" / doc)
                print(f"docs/{doc} ← {name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
