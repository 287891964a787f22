"""The Findings dock: every finding, most severe first; activating one selects and focuses its role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from iamviz.gui.document import severity_rank

COLUMNS = ("Severity", "Role", "Finding")
_FINDING_ROLE = Qt.ItemDataRole.UserRole


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
        layout.addWidget(self.tree)

    def set_findings(self, findings: Sequence[Any], *, labels: dict[str, str] | None = None) -> None:
        """Show ``findings`` (sorted here, most severe first); ``labels`` maps role ARNs to short names."""
        labels = labels or {}
        self.findings = tuple(sorted(findings, key=lambda f: (severity_rank(f.severity), f.role_arn or "")))
        self.tree.clear()
        items = []
        for index, finding in enumerate(self.findings):
            role = finding.role_arn or ""
            item = QTreeWidgetItem([str(finding.severity).upper(), labels.get(role, role), finding.title])
            item.setData(0, _FINDING_ROLE, index)
            tip = f"{finding.code}\n{role}" + (f"\n\n{finding.detail}" if getattr(finding, "detail", None) else "")
            for column in range(len(COLUMNS)):
                item.setToolTip(column, tip)
            items.append(item)
        self.tree.addTopLevelItems(items)
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

    def finding_at(self, row: int) -> Any:
        """The finding shown in ``row``."""
        item = self.tree.topLevelItem(row)
        return self.findings[item.data(0, _FINDING_ROLE)]

    def activate_row(self, row: int) -> None:
        """Act as if ``row`` were clicked."""
        item = self.tree.topLevelItem(row)
        self.tree.setCurrentItem(item)
        self._on_item(item, 0)

    def _on_item(self, item: QTreeWidgetItem, _column: int) -> None:
        finding = self.findings[item.data(0, _FINDING_ROLE)]
        if finding.role_arn:
            index = finding.statement_index if finding.statement_index is not None else -1
            self.finding_activated.emit(finding.role_arn, index)
