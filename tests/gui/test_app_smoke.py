"""`python main.py` opens the window and exits cleanly (subprocess, offscreen)."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_main_py_opens_the_window_and_quits_cleanly():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "main.py", "--quit-after", "1000"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "QThread: Destroyed while thread is still running" not in result.stderr


def test_quitting_while_training_is_clean():
    """The window trains flat out when it is closed: the thread must still be joined."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from gui.shell.main_window import MainWindow\n"
        "app = QApplication([])\n"
        "w = MainWindow(); w.show(); w.play()\n"
        "QTimer.singleShot(1500, w.close)\n"
        "app.exec()\n"
        "assert w.thread.isFinished()\n"
        "print('clean')\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("clean")
