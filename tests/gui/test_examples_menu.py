"""Help → Worked examples: each tutorial network loads into the window with its published
numbers beside the app's, and lesson mode starts on its first example."""
import numpy as np
import pytest

from gui.views import examples_menu as em
from gui.views import lesson as lesson_mod
from model.files.serialize import load_network
from tests.gui.window_helpers import fed

WAIT_MS = 30_000


@pytest.fixture
def examples(window):
    lesson_mod.install(window)
    return em.install(window)


def in_worker(window, fn):
    return window.worker.call(fn).result(timeout=WAIT_MS / 1000)


def load(qtbot, examples, row):
    dialog = examples.open()
    dialog.list.setCurrentRow(row)
    dialog.load.click()
    qtbot.waitUntil(lambda: examples.loading is None and dialog.rows()[0][2] != "–",
                    timeout=WAIT_MS)
    return dialog


def test_the_help_menu_opens_the_dialog_with_every_example(qtbot, window, examples):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert examples.action in help_menu.actions()
    examples.action.trigger()
    dialog = examples.dialog
    assert dialog.isVisible() and dialog.list.count() == len(em.EXAMPLES) == 5
    for row in range(len(em.EXAMPLES)):
        dialog.list.setCurrentRow(row)
        assert len(dialog.explanation.toPlainText()) > 200
        assert all(r[2] == "–" and r[3] == "" for r in dialog.rows())  # not loaded yet


def test_the_classic_example_shows_the_published_numbers_and_agrees(qtbot, window, examples):
    dialog = load(qtbot, examples, 0)
    rows = {r[0]: r[1:] for r in dialog.rows()}
    assert rows["total error"] == ("0.298371109", "0.298371109", "✓")
    published = {"w5": "0.35891648", "w6": "0.408666186", "w7": "0.511301270",
                 "w8": "0.561370121", "w1": "0.149780716", "w2": "0.19956143",
                 "w3": "0.24975114", "w4": "0.29950229"}
    for w, value in published.items():
        assert rows[f"{w} after one step"] == (value, value, "✓")
    assert all(r[3] == "✓" for r in dialog.rows())
    assert "14 of 14 published figures agree" in dialog.status.text()

    # the window trains the tutorial's network (untouched by the figures' SGD step)
    snap = window.latest_snapshot
    expected = load_network(em.EXAMPLES_DIR / "classic_2_2_2.json")
    assert snap.sizes == (2, 2, 2) and snap.steps == 0
    np.testing.assert_array_equal(snap.weights[1], expected.layers[1].W)
    assert snap.extras["settings"].lr == 0.5 and snap.extras["settings"].batch_size == 1
    # lesson mode on its first example, ready at the first phase
    lesson = window.findChild(lesson_mod.LessonController)
    # built, every feature handed the newest snapshot (a snapshot from before the example
    # may reach the lesson after its build and ask for another), and drawn
    qtbot.waitUntil(lambda: lesson.build is not None and fed(window)
                    and (1, 0) in window.network_view.annotations()[0], timeout=WAIT_MS)
    assert lesson.active and lesson.build.single and list(lesson.build.rows) == [0]
    assert lesson.index == 0
    assert window.network_view.annotations()[0][(1, 0)] == "z=0.3775 a=0.5933"
    # Next ×2 then the loss phase shows the tutorial's total error
    lesson.next()
    lesson.next()
    assert lesson.phase.loss == pytest.approx(0.298371109, abs=1e-9)


def test_the_4_3_1_example_reproduces_every_published_error(qtbot, window, examples):
    dialog = load(qtbot, examples, 1)
    rows = {r[0]: r[1:] for r in dialog.rows()}
    assert rows["row 3 error, untrained"] == ("0.25388062", "0.25388062", "✓")
    assert rows["mean error at epoch 0"] == ("0.11553", "0.11553", "✓")
    assert rows["mean error at epoch 900"] == ("0.01190", "0.01190", "✓")
    assert len(rows) == 13 and all(r[3] == "✓" for r in dialog.rows())
    assert "13 of 13 published figures agree" in dialog.status.text()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes == (4, 3, 1), timeout=WAIT_MS)
    assert in_worker(window, lambda pg: pg.trainer.steps) == 0  # figures came from copies
    # the window holds the network the tutorial's training starts from, ready to train
    start = load_network(em.EXAMPLES_DIR / "net_4_3_1_training.json")
    np.testing.assert_array_equal(window.latest_snapshot.weights[0], start.layers[0].W)


@pytest.mark.parametrize("row, sizes, n", [(2, (2, 3, 1), 5), (3, (2, 4, 4, 1), 2)])
def test_examples_without_published_numbers_claim_none(qtbot, window, examples, row, sizes, n):
    dialog = load(qtbot, examples, row)
    rows = dialog.rows()
    assert len(rows) == n
    for name, published, app, check in rows:
        assert published.startswith("not published: ") and check == ""
        float(app)  # the app's own number is shown
    assert "no published figures" in dialog.status.text()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.sizes == sizes, timeout=WAIT_MS)
    assert in_worker(window, lambda pg: pg.trainer.steps) == 0


def test_the_no_bias_example_shows_what_its_weights_compute(qtbot, window, examples):
    rows = {r[0]: r[1:] for r in load(qtbot, examples, 2).rows()}
    W1 = load_network(em.EXAMPLES_DIR / "no_bias_2_3_1.json").layers[0].W
    assert float(rows["hidden sum 2"][1]) == pytest.approx(W1[:, 1].sum(), abs=5e-4)


def test_figure_checks():
    f = em.Figure("x", "0.35891648")
    assert f.agrees(0.358916479717885) and not f.agrees(0.35891650)
    assert f.show(0.358916479717885) == "0.35891648"
    assert not f.agrees(float("nan"))
    unpublished = em.Figure("y", shows="what the weights compute")
    assert unpublished.agrees(0.5) is None
    assert unpublished.published_text == "not published: what the weights compute"
