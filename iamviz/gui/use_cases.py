"""The use-cases dock: the loaded sample's built-in scenarios with their what-if toggles, and chains on demand.

* Each built-in use case is a row; its what-ifs are checkable rows under it (at most one on). Double-click or
  Enter (or the Play button) builds the scenario — with the checked what-if — and emits ``scenario_chosen``.
  Every scenario is computed by the trust engine when it is built, never scripted.
* "Chains…" opens :class:`ChainsDialog`: pick a principal and a role, see the chains
  :func:`iamviz.analysis.chains.find_chains` finds, animate the one picked. Right-click a role on the canvas ▸
  "Who can reach this?" opens the same dialog with the role fixed (:func:`install_who_can_reach`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamviz.errors import IamvizError
from iamviz.model import Snapshot
from iamviz.model.graph import EdgeKind, NodeKind, TrustGraph
from iamviz.playback import Scenario, available_builtins, build_builtin, scenario_from_chain

_ROLE = Qt.ItemDataRole.UserRole
MAX_CHAINS_LISTED = 200


def chain_text(graph: TrustGraph, chain: Any) -> str:
    """``dana → PartnerDataUploadRole [ExternalId]`` — a chain in one line, with what each hop needs."""
    parts = [graph.node(chain.source).label]
    for hop in chain.hops:
        needs = f" [{', '.join(hop.requirements)}]" if hop.requirements else ""
        parts.append(f"{graph.node(hop.target).label}{needs}")
    return " → ".join(parts)


class UseCasesPanel(QWidget):
    """The left dock: use cases, what-ifs, and the Chains… button."""

    scenario_chosen = Signal(object)
    """A scenario was built and should play (the :class:`~iamviz.playback.Scenario`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.graph: TrustGraph | None = None
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.itemChanged.connect(self._on_changed)
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setToolTip("Play the selected use case (with the checked what-if)")
        self.play_button.clicked.connect(self.play_selected)
        self.chains_button = QPushButton("Chains…", self)
        self.chains_button.setToolTip("Find and animate assume-role chains between a principal and a role")
        self.chains_button.clicked.connect(lambda: self.open_chains())
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.chains_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.set_document(None, None)

    # ---- content
    def set_document(self, snapshot: Snapshot | None, graph: TrustGraph | None) -> None:
        """List the use cases ``snapshot``'s sample facts allow (none for a plain account: chains only)."""
        self.snapshot, self.graph = snapshot, graph
        self.tree.blockSignals(True)
        self.tree.clear()
        facts = snapshot.teaching.get("facts") if snapshot is not None and snapshot.teaching else None
        for name in available_builtins(facts):
            try:
                base = build_builtin(snapshot, facts, name)
            except IamvizError as exc:
                item = QTreeWidgetItem([f"{name} (unavailable)"])
                item.setToolTip(0, str(exc))
                item.setDisabled(True)
                self.tree.addTopLevelItem(item)
                continue
            item = QTreeWidgetItem([base.title])
            item.setToolTip(0, base.summary)
            item.setData(0, _ROLE, (name, None))
            for option in base.what_ifs:
                child = QTreeWidgetItem([f"What if: {option.label}"])
                child.setToolTip(0, option.description)
                child.setData(0, _ROLE, (name, option.id))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        self.tree.blockSignals(False)
        has_graph = graph is not None
        self.chains_button.setEnabled(has_graph)
        self.play_button.setEnabled(self.tree.topLevelItemCount() > 0)
        if not has_graph:
            self.note.setText("Open an account or a sample to see its use cases.")
        elif self.tree.topLevelItemCount() == 0:
            self.note.setText("This account has no built-in lessons; use Chains… to animate any chain.")
        else:
            self.note.setText("Double-click a use case to play it; tick a what-if to change the request.")
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def use_case_names(self) -> list[str]:
        return [self.tree.topLevelItem(i).data(0, _ROLE)[0] for i in range(self.tree.topLevelItemCount())]

    def what_if_item(self, name: str, what_if: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, _ROLE) == (name, what_if):
                    return top.child(j)
        return None

    def checked_what_if(self, name: str) -> str | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, _ROLE) and top.data(0, _ROLE)[0] == name:
                for j in range(top.childCount()):
                    if top.child(j).checkState(0) == Qt.CheckState.Checked:
                        return top.child(j).data(0, _ROLE)[1]
        return None

    def set_what_if(self, name: str, what_if: str | None) -> None:
        """Tick ``what_if`` of use case ``name`` (None: untick them all)."""
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, _ROLE) and top.data(0, _ROLE)[0] == name:
                for j in range(top.childCount()):
                    child = top.child(j)
                    on = child.data(0, _ROLE)[1] == what_if
                    child.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # ---- building
    def build(self, name: str, what_if: str | None = None) -> Scenario | None:
        """Build use case ``name`` with ``what_if`` (errors go to a message box)."""
        if self.snapshot is None:
            return None
        facts = self.snapshot.teaching.get("facts") if self.snapshot.teaching else None
        try:
            return build_builtin(self.snapshot, facts or {}, name, what_if)
        except IamvizError as exc:
            QMessageBox.warning(self, "Cannot build the scenario", str(exc))
            return None

    def play(self, name: str, what_if: str | None = None) -> Scenario | None:
        """Build and emit ``scenario_chosen``; return the scenario."""
        scenario = self.build(name, what_if)
        if scenario is not None:
            self.scenario_chosen.emit(scenario)
        return scenario

    def play_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self._on_activated(item, 0)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, _ROLE)
        if not data:
            return
        name, what_if = data
        if what_if is None:
            what_if = self.checked_what_if(name)
        self.play(name, what_if)

    def _on_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        """What-ifs of one use case are exclusive: ticking one unticks its siblings."""
        parent = item.parent()
        if parent is None or item.checkState(0) != Qt.CheckState.Checked:
            return
        self.tree.blockSignals(True)
        for j in range(parent.childCount()):
            sibling = parent.child(j)
            if sibling is not item:
                sibling.setCheckState(0, Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)

    # ---- chains
    def open_chains(self, target: str | None = None, *, source: str | None = None) -> ChainsDialog | None:
        """Open the chains dialog (modeless); a picked chain plays."""
        if self.graph is None:
            return None
        dialog = ChainsDialog(self.graph, target=target, source=source, parent=self)
        dialog.scenario_chosen.connect(self.scenario_chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
        self._dialog = dialog
        return dialog


class ChainsDialog(QDialog):
    """Pick a principal and a role; list the chains between them; animate the one picked."""

    scenario_chosen = Signal(object)
    """The picked chain, built as a scenario."""

    def __init__(
        self,
        graph: TrustGraph,
        *,
        target: str | None = None,
        source: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.graph = graph
        self.setWindowTitle("Who can reach this?" if target else "Chains")
        self.resize(640, 420)
        self.source_combo = QComboBox(self)
        self.target_combo = QComboBox(self)
        self.source_combo.addItem("(anyone who can)", None)
        self.target_combo.addItem("(any role)", None)
        sources = sorted(graph.sources(kind=EdgeKind.CAN_ASSUME), key=lambda n: graph.node(n).label.lower())
        roles = sorted(
            (n for n in graph.nodes() if n.kind is NodeKind.ROLE), key=lambda n: (n.account_id or "", n.label.lower())
        )
        for node_id in sources:
            node = graph.node(node_id)
            self.source_combo.addItem(f"{node.label} ({node.kind})", node_id)
        for node in roles:
            self.target_combo.addItem(f"{node.label} ({node.account_id})", node.id)
        if source is not None:
            self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(source)))
        if target is not None:
            self.target_combo.setCurrentIndex(max(0, self.target_combo.findData(target)))
        self.source_combo.currentIndexChanged.connect(self.refresh)
        self.target_combo.currentIndexChanged.connect(self.refresh)
        self.list = QListWidget(self)
        self.list.itemActivated.connect(lambda _item: self.accept())
        self.status = QLabel("", self)
        form = QFormLayout()
        form.addRow("From", self.source_combo)
        form.addRow("To role", self.target_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.animate_button = buttons.addButton("Animate", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.chains: list[Any] = []
        self.refresh()

    def refresh(self) -> None:
        """Find the chains for the chosen ends (shortest first)."""
        from iamviz.analysis.chains import find_chains

        source = self.source_combo.currentData()
        target = self.target_combo.currentData()
        self.list.clear()
        try:
            chains = find_chains(self.graph, source=source, target=target, limit=MAX_CHAINS_LISTED)
        except IamvizError as exc:
            self.chains = []
            self.status.setText(str(exc))
            self.animate_button.setEnabled(False)
            return
        self.chains = chains
        for chain in chains:
            row = QListWidgetItem(chain_text(self.graph, chain))
            self.list.addItem(row)
        if chains:
            self.list.setCurrentRow(0)
        more = " (first 200)" if len(chains) >= MAX_CHAINS_LISTED else ""
        self.status.setText(f"{len(chains)} chain{'s' if len(chains) != 1 else ''}{more}.")
        self.animate_button.setEnabled(bool(chains))

    def chosen_scenario(self) -> Scenario | None:
        """The selected chain as a scenario (the trust engine decides every hop again)."""
        row = self.list.currentRow()
        if not 0 <= row < len(self.chains):
            return None
        return scenario_from_chain(self.graph, self.chains[row])

    def accept(self) -> None:
        try:
            scenario = self.chosen_scenario()
        except IamvizError as exc:
            QMessageBox.warning(self, "Cannot animate this chain", str(exc))
            return
        if scenario is not None:
            self.scenario_chosen.emit(scenario)
        super().accept()


def install_who_can_reach(view: QGraphicsView, scene: Any, panel: UseCasesPanel) -> None:
    """Right-click a role on ``view`` ▸ "Who can reach this?" opens the chains dialog with the role fixed."""
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def menu_at(point: QPoint) -> None:
        node_id = _node_at(view, point)
        graph = panel.graph
        if graph is None:
            return
        menu = QMenu(view)
        if node_id is None or not graph.has_node(node_id):  # empty canvas: chains between any two
            menu.addAction("Chains…", lambda: panel.open_chains())
            menu.exec(view.viewport().mapToGlobal(point))
            return
        node = graph.node(node_id)
        if node.kind is NodeKind.ROLE:
            menu.addAction("Who can reach this?", lambda: panel.open_chains(target=node_id))
        if any(True for _ in graph.out_edges(node_id)):
            menu.addAction("Where can this go?", lambda: panel.open_chains(source=node_id))
        if not menu.isEmpty():
            menu.exec(view.viewport().mapToGlobal(point))

    view.customContextMenuRequested.connect(menu_at)


def _node_at(view: QGraphicsView, point: QPoint) -> str | None:
    for item in view.items(point):
        node_id = getattr(item, "node_id", None)
        if isinstance(node_id, str):
            return node_id
    return None
