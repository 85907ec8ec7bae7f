"""Geometry of the numbers on the graph, on the real window: in every lesson phase and in the
data point view, for 2-4-2-1, for 4 features with hidden 6-6 on spiral, and for 8 hidden
layers × 16 neurons, at 1024×640 and 1280×800, no two texts overlap, none covers a neuron
or a bias square, none is cut off at the border, and every label asked for is shown or
counted in a "+N more" hint. The window's docks may change; the test only sets the window's
size and checks whatever room the graph gets (and, separately, the graph at set sizes)."""
import pytest

from graph_helpers import check_texts, make_snapshot
from gui.graph.network_view import NetworkView
from gui.views import lesson as lesson_mod
from gui.views import point_view as pv
from model.playground import Settings
from tests.gui.window_helpers import fed

WAIT_MS = 20_000
ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
NETWORKS = {
    "2-4-2-1": Settings(hidden=(4, 2)),
    "spiral-4f-6-6": Settings(dataset="spiral", features=("x1", "x2", "x1^2", "x2^2"),
                              hidden=(6, 6)),
    "8x16": Settings(hidden=(16,) * 8, features=ALL_FEATURES),
}
SIZES = [(1024, 640), (1280, 800)]


def settle(qtbot, window, steps):
    for _ in range(steps):
        window.step()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.steps == steps
                    and window.latest_snapshot.extras["seq"] >= window._seq, timeout=WAIT_MS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("net", list(NETWORKS))
def test_lesson_phases_and_data_point_texts_never_overlap(qtbot, make_window, net, size):
    window = make_window(NETWORKS[net])
    window.resize(*size)
    settle(qtbot, window, 3)
    view = window.network_view
    lesson = lesson_mod.install(window)
    lesson.start()
    qtbot.waitUntil(lambda: lesson.build is not None and not lesson._busy, timeout=WAIT_MS)
    qtbot.wait(50)  # the dock shown, the graph laid out again
    assert view.zoom == 1.0
    shown = []
    for k in range(len(lesson.build.phases)):
        if k:
            lesson.next()  # as the Next button does
        assert lesson.index == k
        where = f"{net} {size} phase {k}: {lesson.phase.title}"
        n = check_texts(view, where)
        if n == 0 or k == 0:  # no room at all (8 × 16 in a small window): zooming in gives it
            view.set_zoom(3.0)
            n = check_texts(view, where + " zoomed")
            view.fit_to_view()
        shown.append(n)
    titles = [p.title for p in lesson.build.phases]
    assert all(shown), [t for t, n in zip(titles, shown) if not n]  # numbers in every phase
    lesson.discard()

    point = pv.install(window)
    point.select("train", 5)
    qtbot.waitUntil(lambda: point.info is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(view.annotations()[0]), timeout=WAIT_MS)
    assert check_texts(view, f"{net} {size} data point") > 0


@pytest.mark.parametrize("net", ["2-1"] + list(NETWORKS))
@pytest.mark.parametrize("size", [(300, 220), (460, 300), (640, 420), (900, 700)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_graph_alone_at_set_sizes(qtbot, net, size):
    """Every label of a crowded phase (all neurons, every edge of a layer, every bias), at
    sizes from cramped to roomy: clear of each other and of the neurons, or counted."""
    s = NETWORKS.get(net, Settings(hidden=()))
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    snap = make_snapshot(s.hidden, dataset=s.dataset, features=s.features)
    view.set_snapshot(snap)
    neurons = {(c, u): f"z=−{c}.{u}25 a=0.{u}{c}71" for c, n in enumerate(snap.sizes)
               for u in range(n)}
    layer = min(1, len(snap.sizes) - 2)  # the second layer (the only one of a 2-1)
    edges = {(layer, i, j): f"Δ+0.00{i}{j}3" for i in range(snap.sizes[layer])
             for j in range(snap.sizes[layer + 1])}
    edges.update({(0, -1, j): f"−0.{j}5" for j in range(snap.sizes[1])})
    view.set_annotations(neurons, edges, 1)
    assert view._view.viewport().width() > 0
    shown = check_texts(view, f"{net} {size}")
    assert shown > 0
    view.set_zoom(3.0)  # zoomed in: still no overlap on the canvas, and more room
    check_zoomed = len(view.hidden_labels())
    assert check_zoomed <= len(neurons) + len(edges) - shown
