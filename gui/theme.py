"""The window's own colours (captions, selected buttons, notices, good/bad verdicts), derived
from the application palette so that a dark or high-contrast palette stays readable.

Data colours (class colours, the orange/blue diverging map) live in ``gui/plots/palette.py``
and do not follow the palette: they mean values. Plots keep a white background, like a figure
on paper, so their fixed grey axis text stays readable in every theme.

Every function returns a colour name ("#rrggbb") or a style sheet for the current palette;
widgets call them when they are built.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

#: the least contrast (WCAG ratio) kept between a text colour and its background
MIN_CONTRAST = 4.5


def palette() -> QPalette:
    app = QGuiApplication.instance()
    return app.palette() if app is not None else QPalette()


def _role(role: QPalette.ColorRole) -> QColor:
    return palette().color(QPalette.ColorGroup.Active, role)


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """a·(1 − t) + b·t, per channel."""
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def luminance(c: QColor) -> float:
    """Relative luminance (WCAG 2)."""
    def channel(v: int) -> float:
        v = v / 255.0
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 (none) … 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark() -> bool:
    return luminance(_role(QPalette.ColorRole.Window)) < 0.25


def readable(color: QColor, background: QColor) -> QColor:
    """``color`` moved towards the palette's text colour until it reads on ``background``."""
    text = _role(QPalette.ColorRole.WindowText)
    for k in range(11):
        c = mix(color, text, k / 10)
        if contrast(c, background) >= MIN_CONTRAST:
            return c
    return text


def muted() -> str:
    """Secondary text (captions, hints): between the text and the window colour, readable."""
    window = _role(QPalette.ColorRole.Window)
    return readable(mix(_role(QPalette.ColorRole.WindowText), window, 0.45), window).name()


def accent() -> str:
    """Emphasis that reads on the window background (links, "your data")."""
    window = _role(QPalette.ColorRole.Window)
    return readable(_role(QPalette.ColorRole.Highlight), window).name()


def selected_colors() -> tuple[QColor, QColor, QColor]:
    """(background, border, text) of a checked toggle button: a tint of the highlight on the
    button colour, with the palette's button text (so text and background follow the same
    palette)."""
    button = _role(QPalette.ColorRole.Button)
    highlight = _role(QPalette.ColorRole.Highlight)
    text = _role(QPalette.ColorRole.ButtonText)
    background = mix(button, highlight, 0.28)
    return background, highlight, readable(text, background)


def selected_button_style(border_px: int = 1) -> str:
    background, border, text = selected_colors()
    return (f"QToolButton:checked {{ background: {background.name()}; color: {text.name()}; "
            f"border: {border_px}px solid {border.name()}; border-radius: 3px; }}")


def caption_style(size_pt: float = 8.0) -> str:
    return f"color: {muted()}; font-size: {size_pt:g}pt;"


#: notice levels → base hue; the notice's background is a light (or dark) tint of it
_LEVEL_HUES = {"error": QColor(200, 60, 40), "warning": QColor(214, 150, 20),
               "info": QColor(8, 119, 189)}


def notice_colors(level: str) -> tuple[str, str, str]:
    """(background, border, text) colour names for a notice of ``level``."""
    hue = _LEVEL_HUES.get(level, _LEVEL_HUES["info"])
    window = _role(QPalette.ColorRole.Window)
    background = mix(window, hue, 0.18)
    text = readable(_role(QPalette.ColorRole.WindowText), background)
    return background.name(), hue.name(), text.name()


def verdict_color(good: bool) -> str:
    """Green for a healthy verdict, a warm red for a problem, both readable here."""
    base = QColor(44, 122, 44) if good else QColor(180, 80, 30)
    if is_dark():
        base = mix(base, QColor(255, 255, 255), 0.45)
    return readable(base, _role(QPalette.ColorRole.Window)).name()
