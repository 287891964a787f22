"""The Findings dock: every finding, most severe first; activating one selects and focuses its role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QToolTip, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from iamviz.gui.document import severity_rank

COLUMNS = ("Severity", "Role", "Finding")
_FINDING_ROLE = Qt.ItemDataRole.UserRole
FILL_CHUNK = 1000
"""Rows added at once; a longer list is filled a chunk per event-loop turn, so the window answers input meanwhile
(6,000 findings at 5,000 roles, 25,000 at 20,000: about a second of row making)."""


class FindingsPanel(QWidget):
    """A sortable list of findings."""

    finding_activated = Signal(str, int)
    """A finding was clicked: ``(role_arn, statement_index)``; ``statement_index`` is -1 when none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.findings: tuple[Any, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel("No findings.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.tree.itemClicked.connect(self._on_item)
        self.tree.itemActivated.connect(self._on_item)
        self.tree.viewport().installEventFilter(self)  # tooltips made when asked for, for the row under the mouse
        layout.addWidget(self.tree)
        self._labels: dict[str, str] = {}
        self._filled = 0
        self._filler = QTimer(self)
        self._filler.setSingleShot(True)
        self._filler.setInterval(0)
        self._filler.timeout.connect(self._fill_more)

    def set_findings(self, findings: Sequence[Any], *, labels: dict[str, str] | None = None) -> None:
        """Show ``findings`` (sorted here, most severe first); ``labels`` maps role ARNs to short names."""
        self._labels = labels or {}
        self.findings = tuple(sorted(findings, key=lambda f: (severity_rank(f.severity), f.role_arn or "")))
        self._filler.stop()
        self.tree.clear()
        self._filled = 0
        self._fill_more()
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[str(finding.severity).lower()] = counts.get(str(finding.severity).lower(), 0) + 1
        if self.findings:
            by_severity = ", ".join(
                f"{n} {sev}" for sev, n in sorted(counts.items(), key=lambda kv: severity_rank(kv[0]))
            )
            self.summary.setText(f"{len(self.findings)} findings: {by_severity}.")
        else:
            self.summary.setText("No findings.")

    @property
    def filling(self) -> bool:
        """Whether rows are still being added (a long list fills a chunk per event-loop turn)."""
        return self._filled < len(self.findings)

    def fill_all(self) -> None:
        """Add every row now."""
        while self.filling:
            self._fill_more()

    def _fill_more(self) -> None:
        labels, start = self._labels, self._filled
        items = []
        for index in range(start, min(start + FILL_CHUNK, len(self.findings))):
            finding = self.findings[index]
            role = finding.role_arn or ""
            item = QTreeWidgetItem([str(finding.severity).upper(), labels.get(role, role), finding.title])
            item.setData(0, _FINDING_ROLE, index)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self._filled = start + len(items)
        if self.filling:
            self._filler.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and watched is self.tree.viewport():
            item = self.tree.itemAt(event.pos())
            if item is not None:
                finding = self.findings[item.data(0, _FINDING_ROLE)]
                tip = f"{finding.code}\n{finding.role_arn or ''}"
                if getattr(finding, "detail", None):
                    tip += f"\n\n{finding.detail}"
                QToolTip.showText(event.globalPos(), tip, self.tree.viewport())
                return True
        return super().eventFilter(watched, event)

    def finding_at(self, row: int) -> Any:
        """The finding shown in ``row``."""
        return self.findings[row]  # rows are in the order of ``findings``

    def activate_row(self, row: int) -> None:
        """Act as if ``row`` were clicked."""
        self.fill_all()
        item = self.tree.topLevelItem(row)
        self.tree.setCurrentItem(item)
        self._on_item(item, 0)

    def _on_item(self, item: QTreeWidgetItem, _column: int) -> None:
        finding = self.findings[item.data(0, _FINDING_ROLE)]
        if finding.role_arn:
            index = finding.statement_index if finding.statement_index is not None else -1
            self.finding_activated.emit(finding.role_arn, index)
