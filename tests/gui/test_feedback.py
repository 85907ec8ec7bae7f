"""Feedback in the main window: notices that stay until dismissed and never hide each other,
and the run watch's notice on a dead network while training goes on."""
import pytest

from model.playground import Settings

from gui.files import sessions
from gui.shell.notices import Notice, NoticeArea
from tests.gui.window_helpers import fed

WAIT_MS = 20_000


def test_notices_stack_by_level_and_replace_only_their_own_key(qtbot):
    area = NoticeArea()
    qtbot.addWidget(area)
    area.show()
    offer = area.show_text("offer", "Restore your last session?", "info")
    stopped = area.show_text("diverged", "Training stopped at epoch 3", "error")
    watch = area.show_text("watch", "Dead network", "warning")
    assert area.keys() == ["diverged", "watch", "offer"]  # errors first, offers last
    # the same key and level: only the text changes, the widget stays (no flicker)
    assert area.show_text("watch", "Dead network, still", "warning") is watch
    assert watch.text() == "Dead network, still"
    # another kind of notice under a key replaces that one only
    again = area.add("diverged", Notice("Training stopped at epoch 9", "error"))
    assert again is not stopped and area.get("diverged") is again
    assert area.get("offer") is offer and area.get("watch") is watch
    assert area.keys() == ["diverged", "watch", "offer"]
    assert area.texts() == ["Training stopped at epoch 9", "Dead network, still",
                            "Restore your last session?"]
    # × dismisses one; the area hides when the last one goes
    again.close_button.click()
    assert area.keys() == ["watch", "offer"] and area.isVisible()
    area.dismiss("watch")
    area.dismiss("offer")
    assert area.keys() == [] and not area.isVisible()
    with pytest.raises(ValueError, match="unknown notice level 'loud'"):
        Notice("x", "loud")


def test_notice_buttons_run_their_action(qtbot):
    area = NoticeArea()
    qtbot.addWidget(area)
    clicked = []
    notice = area.show_text("k", "Text", "warning",
                            actions=[("Do it", lambda: clicked.append(1), "What it does")])
    button = notice.buttons["Do it"]
    assert button.toolTip() == "What it does"
    button.click()
    assert clicked == [1] and area.get("k") is notice  # the notice stays until dismissed


def test_the_restore_offer_never_hides_a_divergence(qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "autosave_path", lambda: tmp_path / "last_session.json")
    from model.files.session import save_session
    from model.playground import Playground
    save_session(Playground(Settings(hidden=(3,))), tmp_path / "last_session.json", {})
    window = make_window(Settings(dataset="plane", activation="relu", lr=1e6))
    ses = sessions.Sessions(window)  # offers the kept session
    assert ses.banner is not None and ses.banner.isVisibleTo(window)
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: window.notices.get("diverged") is not None
                    and bool(window.latest_snapshot.message), timeout=WAIT_MS)
    message = window.latest_snapshot.message
    assert window.notices.keys() == ["diverged", sessions.RestoreBanner.KEY]
    assert window.notices.get("diverged").text() == message  # whole, not overwritten
    assert "Restore your last session" in ses.banner.label.text()
    ses.banner.dismiss.click()
    assert window.notices.keys() == ["diverged"]


def test_a_dead_network_gets_a_notice_and_training_goes_on(qtbot, make_window):
    window = make_window(Settings(activation="relu", lr=10.0))
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: window.notices.get("run_watch") is not None, timeout=WAIT_MS)
    notice = window.notices.get("run_watch")
    assert notice.level == "warning" and notice.isVisibleTo(window)
    assert notice.text().startswith("Dead network: the output no longer depends on the input")
    assert "ReLU" in notice.text()
    assert window.statusBar().currentMessage() != "Training…"
    # training goes on, with the user's settings untouched
    epoch = window.latest_snapshot.epoch
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch > epoch + 5, timeout=WAIT_MS)
    assert window.latest_snapshot.running and window.latest_snapshot.lr == 10.0
    # the button opens the gradient-health view
    notice.buttons["Gradient health"].click()
    assert window.views["health"].dock.isVisible()
    # dismissed: not shown again in this run...
    notice.close_button.click()
    qtbot.wait(500)
    assert window.notices.get("run_watch") is None
    # ...but again after a reset (a new run that dies the same way)
    window.reset()
    qtbot.waitUntil(lambda: window.notices.get("run_watch") is not None, timeout=WAIT_MS)
    window.actions_.play.trigger()  # pause
    qtbot.waitUntil(lambda: not window.latest_snapshot.running, timeout=WAIT_MS)


def test_a_healthy_run_gets_no_notice(qtbot, make_window):
    window = make_window(Settings())
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: fed(window) and window.latest_snapshot.epoch >= 60, timeout=WAIT_MS)
    window.actions_.play.trigger()
    qtbot.waitUntil(lambda: not window.latest_snapshot.running, timeout=WAIT_MS)
    assert window.notices.keys() == []
    assert window.views["run_watch"].finding is None
