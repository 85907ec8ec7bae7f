"""A layout that places its items left to right and wraps to a new row when the width runs
out (Qt's "Flow Layout" example): the top bar is one row on a wide window and two on a
1024-px one, instead of making the window at least as wide as every control together.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6, row_spacing: int = 2):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing

    # ----------------------------------------------------------------- QLayout
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """Everything on one row."""
        m = self.contentsMargins()
        visible = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in visible) + self._spacing * max(
            len(visible) - 1, 0)
        height = max((i.sizeHint().height() for i in visible), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        """The widest single item: narrower than that, nothing can wrap any more."""
        m = self.contentsMargins()
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # ----------------------------------------------------------------- placing
    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each row at this width (for tests and for ``_place``)."""
        m = self.contentsMargins()
        room = width - m.left() - m.right()
        rows: list[list[QLayoutItem]] = [[]]
        x = 0
        for item in self._items:
            if item.isEmpty():
                continue
            w = item.sizeHint().width()
            if rows[-1] and x + w > room:
                rows.append([])
                x = 0
            rows[-1].append(item)
            x += w + self._spacing
        return [r for r in rows if r]

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        y = rect.y() + m.top()
        for row in self.rows(rect.width()):
            height = max(i.sizeHint().height() for i in row)
            x = rect.x() + m.left()
            for item in row:
                hint = item.sizeHint()
                if move:
                    # items share the row's height, aligned to its bottom like a toolbar
                    item.setGeometry(QRect(QPoint(x, y + height - hint.height()), hint))
                x += hint.width() + self._spacing
            y += height + self._row_spacing
        return y - self._row_spacing - rect.y() + m.bottom()


def wrapping_policy() -> QSizePolicy:
    """A size policy for a widget holding a FlowLayout: its height follows its width."""
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    return policy
