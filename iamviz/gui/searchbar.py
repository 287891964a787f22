"""The toolbar's search field, filters and focus controls, as one widget that emits plain data."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QWidget

from iamviz.gui.viewstate import FocusMode, ViewFilter


class SearchFilterBar(QWidget):
    """Search (name or ARN fragment), *Hide services*, *Hide groups*, *Only risky*, and *Focus* N hops.

    Enter in the search field asks for the next match; Shift+Enter for the previous one; Escape clears it.
    """

    search_changed = Signal(str)
    """The query changed."""

    search_next = Signal(int)
    """Enter (+1) or Shift+Enter (-1) in the search field."""

    filter_changed = Signal(object)
    """The filters or focus changed; carries the new :class:`~iamviz.gui.viewstate.ViewFilter`."""

    focus_toggled = Signal(bool)
    """The Focus button was pressed or released (the window fills in the node)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_filter = ViewFilter()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)

        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("Search name or ARN…  (Ctrl+F)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMinimumWidth(220)
        self.search_field.textChanged.connect(self.search_changed)
        self.search_field.returnPressed.connect(self._on_return)
        for keys, slot in (("Shift+Return", lambda: self.search_next.emit(-1)), ("Esc", self.search_field.clear)):
            shortcut = QShortcut(QKeySequence(keys), self.search_field, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        layout.addWidget(self.search_field)
        self.match_label = QLabel("", self)
        self.match_label.setMinimumWidth(60)
        layout.addWidget(self.match_label)

        self.hide_services = self._toggle("Hide services", "Hide AWS service principals (lambda, ec2, …)")
        self.hide_groups = self._toggle("Hide groups", "Hide IAM groups and their membership lines")
        self.only_risky = self._toggle("Only risky", "Show only roles with findings and the risky trust into them")
        for button in (self.hide_services, self.hide_groups, self.only_risky):
            layout.addWidget(button)

        self.focus_button = self._toggle("Focus", "Show only the selected node and its neighbours")
        self.focus_button.toggled.disconnect(self._emit_filter)
        self.focus_button.toggled.connect(self.focus_toggled)
        layout.addWidget(self.focus_button)
        self.hops = QSpinBox(self)
        self.hops.setRange(1, 6)
        self.hops.setValue(1)
        self.hops.setSuffix(" hop")
        self.hops.setToolTip("How many hops out the focus reaches")
        self.hops.valueChanged.connect(self._on_hops)
        layout.addWidget(self.hops)
        self.focus_mode = QComboBox(self)
        self.focus_mode.addItem("dim rest", FocusMode.DIM)
        self.focus_mode.addItem("hide rest", FocusMode.HIDE)
        self.focus_mode.setToolTip("Dim or hide what is outside the focus")
        self.focus_mode.currentIndexChanged.connect(self._emit_filter)
        layout.addWidget(self.focus_mode)

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.toggled.connect(self._emit_filter)
        return button

    # ---- Public API
    @property
    def query(self) -> str:
        return self.search_field.text()

    def set_match_info(self, current: int, total: int) -> None:
        """Show ``current/total`` next to the field (``current`` 0-based; -1 when none is current)."""
        if not self.query.strip():
            self.match_label.setText("")
        elif total == 0:
            self.match_label.setText("no match")
        else:
            self.match_label.setText(f"{current + 1}/{total}" if current >= 0 else f"{total} found")

    def set_focus_node(self, node_id: str | None) -> None:
        """Set (or clear) the node the focus is on and emit the new filter."""
        blocked = self.focus_button.blockSignals(True)
        self.focus_button.setChecked(node_id is not None)
        self.focus_button.blockSignals(blocked)
        self._emit_filter(focus=node_id)

    def _on_return(self) -> None:
        self.search_next.emit(1)

    def _on_hops(self, value: int) -> None:
        self.hops.setSuffix(" hop" if value == 1 else " hops")
        self._emit_filter()

    def _emit_filter(self, *_args: object, focus: object = Ellipsis) -> None:
        self.view_filter = replace(
            self.view_filter,
            hide_services=self.hide_services.isChecked(),
            hide_groups=self.hide_groups.isChecked(),
            only_risky=self.only_risky.isChecked(),
            hops=self.hops.value(),
            focus_mode=FocusMode(self.focus_mode.currentData() or FocusMode.DIM),
            focus=self.view_filter.focus if focus is Ellipsis else focus,
        )
        self.filter_changed.emit(self.view_filter)
