"""Help → About: what the app is, its version and licence, where the documentation and the log
files are, and the versions of what it runs on (for bug reports).

``show_about(parent)`` opens the dialog (window-modal); its "Read me" button shows the README,
taken from the source folder or, when installed, from the package's metadata.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLayout,
                               QPushButton, QTextBrowser, QVBoxLayout)

from gui.identity import APPLICATION, ICON
from model.version import DISTRIBUTION

SUMMARY = "Build a small neural network, train it, and watch backpropagation happen."
LICENCE = "MIT licence · © 2026 Backprop Playground developers"
ICON_SIZE = 64


def readme() -> tuple[str, Path | None]:
    """(the README's Markdown, its folder for pictures | None): the checkout's README.md, else
    the long description an installed copy keeps in its metadata."""
    checkout = Path(__file__).resolve().parents[2]
    path = checkout / "README.md"
    if path.is_file() and (checkout / "pyproject.toml").is_file():
        try:
            return path.read_text(encoding="utf-8"), checkout
        except (OSError, UnicodeDecodeError):
            pass
    from importlib import metadata
    try:
        text = metadata.metadata(DISTRIBUTION).get_payload() or \
            metadata.metadata(DISTRIBUTION).get("Description", "")
    except metadata.PackageNotFoundError:
        text = ""
    return (text or "The README is not available in this installation."), None


def about_html(engine: str | None = None) -> str:
    """The About text; ``engine``: which engine trains and why (the trainer's own words)."""
    import numpy
    import PySide6
    from PySide6.QtCore import qVersion

    from gui.logs import log_dir
    from model import __version__

    versions = (f"Python {sys.version.split()[0]} · Qt {qVersion()} · "
                f"PySide6 {PySide6.__version__} · numpy {numpy.__version__}")
    return (f"<h3 style='margin-bottom:2px'>{APPLICATION}</h3>"
            f"<p style='margin-top:0'>Version {html.escape(__version__)}</p>"
            f"<p>{SUMMARY}</p>"
            f"<p>{LICENCE}</p>"
            + (f"<p><b>Training engine</b>: {html.escape(engine)}</p>" if engine else "") +
            "<p><b>Documentation</b>: the README (<i>Read me</i> below); the command line "
            "explains itself with <tt>backprop-playground --help</tt>.</p>"
            f"<p><b>Log files</b>: {html.escape(str(log_dir()))}</p>"
            f"<p style='color:gray'>{versions}</p>")


class ReadmeDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{APPLICATION} — Read me")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        text, folder = readme()
        if folder is not None:
            self.browser.setSearchPaths([str(folder)])  # the README's pictures
        self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.browser)
        box.addWidget(buttons)
        self.resize(760, 600)


class AboutDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        from model.files.bundled import resource
        self.setWindowTitle(f"About {APPLICATION}")
        icon = QLabel()
        icon.setPixmap(QIcon(str(resource(*ICON))).pixmap(ICON_SIZE, ICON_SIZE))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        snap = getattr(parent, "latest_snapshot", None)
        self.text = QLabel(about_html(snap.extras.get("engine") if snap is not None else None))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(360)
        self.readme_button = QPushButton("Read me")
        self.readme_button.setToolTip("The README: what the app does, the command line, the "
                                      "file formats")
        self.readme_button.clicked.connect(self.show_readme)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.readme_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(icon)
        row.addSpacing(12)
        row.addWidget(self.text, 1)
        box = QVBoxLayout(self)
        box.addLayout(row)
        box.addWidget(buttons)
        # The wrapped label's height depends on its width: a fixed-size dialog asks for it
        # (otherwise the last line can be clipped at 2x scale).
        box.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        self.readme_dialog = None

    def show_readme(self) -> None:
        if self.readme_dialog is None:
            self.readme_dialog = ReadmeDialog(self)
        self.readme_dialog.show()
        self.readme_dialog.raise_()


def show_about(parent) -> AboutDialog:
    """Open Help → About over ``parent`` (window-modal, does not block); the dialog."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
