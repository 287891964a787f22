"""The main window: menus, toolbar, the canvas, the Inspector and Findings docks, and the status bar.

Wiring only: loading runs in :mod:`iamviz.gui.workers` through the Qt-free pipeline of :mod:`iamviz.gui.document`;
search and filters are computed by :mod:`iamviz.gui.viewstate`; drawing is the render layer's
(:class:`iamviz.render.scene.TrustScene`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QStyle,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from iamviz.errors import IamvizError
from iamviz.gui import document as docmod
from iamviz.gui.collector import install_gui_collector
from iamviz.gui.dialogs import (
    ConnectDialog,
    ExportDialog,
    ShortcutsDialog,
    about_text,
    open_files_dialog,
    save_snapshot_dialog,
)
from iamviz.gui.document import Document, describe_error
from iamviz.gui.findings_panel import FindingsPanel
from iamviz.gui.inspector import InspectorPanel
from iamviz.gui.legend import LegendBar
from iamviz.gui.player import attach_player
from iamviz.gui.presentation import attach_presentation
from iamviz.gui.searchbar import SearchFilterBar
from iamviz.gui.settings import DEFAULT_THEME, Settings
from iamviz.gui.view import TrustView
from iamviz.gui.viewstate import ViewFilter, hidden_nodes, neighbourhood, search
from iamviz.gui.workers import Job, Worker
from iamviz.loading.samples import list_samples
from iamviz.model.graph import NodeKind
from iamviz.render.scene import TrustScene
from iamviz.render.theme import THEME_NAMES, load_theme

TEXT_SCALE_STEP = 1.15
DEFAULT_SIZE = QSize(1280, 800)
"""The window's size on first start (never more than the screen has)."""
SIDE_DOCK_WIDTH = 340
"""Width of the right-hand docks (Use cases / Inspector / Findings, tabbed) on first start."""
USE_CASES_WIDTH = 240
"""Width of the Use cases dock when the screen is wide enough to give it its own column (left)."""
WIDE_SCREEN = 1600
"""From this screen width on, the Use cases dock gets its own column instead of a tab on the right."""
READABLE_ZOOM = 0.8
"""A graph that fits only below this zoom opens at this zoom instead (labels about 10 px and up), on its hot spot."""
OVERVIEW_NODES = 60
"""Graphs up to this many drawn nodes always open fitted whole (an overview beats a readable corner)."""
DOCK_LAYOUT_VERSION = 2
"""Version of the docks' arrangement stored with the window state: raise it when the default arrangement changes,
so a layout saved by an older version is refused and the new default shows (1: before the docks were tabbed)."""
# Fusion draws check boxes with the window colour darkened: invisible on a dark base. Outline them instead.
DARK_INDICATORS = """
QCheckBox::indicator, QTreeView::indicator, QListView::indicator {
    width: 12px; height: 12px; border: 1px solid #9a9a9a; border-radius: 2px; background: #1f1f1f;
}
QCheckBox::indicator:checked, QTreeView::indicator:checked, QListView::indicator:checked {
    background: #56B4E9; border-color: #56B4E9;
}
"""


def _theme_names() -> tuple[str, ...]:
    return tuple(THEME_NAMES)


def _sample_list() -> list[Any]:
    try:
        return list(list_samples())
    except IamvizError:  # no samples folder in this installation: the menu says so
        return []


class MainWindow(QMainWindow):
    """The iamviz window.

    Args:
        settings: where window state, theme and recent files persist (the user's settings by default).
        theme: a theme name that overrides the remembered one.
        pool: the thread pool loads run on (the global one by default).
    """

    document_changed = Signal(object)
    """A new :class:`~iamviz.gui.document.Document` is shown."""

    load_failed = Signal(str)
    """A load failed; carries the message shown to the user."""

    load_progressed = Signal(int, int, str)
    """A running load reported progress: ``(done, total, message)``."""

    node_focused = Signal(str)
    """The window selected and centred a node (from search, a finding or a link)."""

    presenting_changed = Signal(bool)
    """Presentation mode was entered (True) or left (False)."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        theme: str | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__()
        install_gui_collector()  # cyclic garbage is collected on this thread only: workers must never free Qt objects
        self.settings = settings or Settings()
        self.pool = pool or QThreadPool.globalInstance()
        self.document: Document | None = None
        self.selected_node: str | None = None
        self.view_filter = ViewFilter()
        self.matches: list[str] = []
        self.match_index = -1
        self.text_scale = self.settings.text_scale
        self.theme_name = theme or self.settings.theme
        if self.theme_name not in _theme_names():
            self.theme_name = DEFAULT_THEME
        self._worker: Worker | None = None
        self._abandoned: set[Worker] = set()  # cancelled loads still running: kept alive until their `done`
        self._progress_dialog: QProgressDialog | None = None
        self._presenting = False
        self._base_font_size = QApplication.font().pointSizeF()

        self.setWindowTitle("iamviz")
        self.setAcceptDrops(True)
        self.resize(self._first_size())
        self.scene = self._make_scene()
        self.view = TrustView(self.scene, self)
        self.setCentralWidget(self.view)
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        self._connect_scene()
        self._raise_inspector = True  # a selection on the canvas brings the Inspector tab forward

        self.inspector = InspectorPanel(self)
        self.inspector.node_link_activated.connect(self.select_node)
        self.findings_panel = FindingsPanel(self)
        self.findings_panel.finding_activated.connect(self._on_finding)
        self.inspector_dock = self._dock("Inspector", "inspector", self.inspector)
        self.findings_dock = self._dock("Findings", "findings", self.findings_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.findings_dock)
        self.tabifyDockWidget(self.inspector_dock, self.findings_dock)  # one column: the canvas gets the width
        self.legend_bar = LegendBar(self.scene, self)
        self.legend_dock = self._dock("Legend", "legend", self.legend_bar)
        self.legend_dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.legend_dock)

        self.search_bar = SearchFilterBar(self)
        self.search_bar.search_changed.connect(self._on_search_changed)
        self.search_bar.search_next.connect(self.next_match)
        self.search_bar.filter_changed.connect(self._on_filter_changed)
        self.search_bar.focus_toggled.connect(self._on_focus_toggled)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._apply_theme(self.theme_name)
        self._apply_text_scale()
        self.player_docks = attach_player(self)  # the scenario player, event log and use cases (gui/player.py)
        self.presentation = attach_presentation(self, self.player_docks)
        self._arrange_default_docks()
        self._restore_window_state()
        if self.player_docks is not None:
            self.player_docks.sync_visibility()  # the player shows only while a scenario is loaded
        if self.settings.geometry is None:
            self.resize(self._first_size())  # again: adding the docks may have grown the window past the screen

    # ================================================================================================ construction
    def _make_scene(self) -> TrustScene:
        return TrustScene(theme=load_theme(self.theme_name), parent=self)

    def _connect_scene(self) -> None:
        self.scene.node_selected.connect(self._on_node_selected)
        self.scene.edge_selected.connect(self._on_edge_selected)
        self.scene.selection_cleared.connect(self._on_selection_cleared)

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        return dock

    def _action(
        self,
        text: str,
        slot: Callable[[], Any] | None = None,
        *,
        shortcut: QKeySequence | str | QKeySequence.StandardKey | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if slot is not None:
            action.triggered.connect(lambda *_: slot())
        self.addAction(action)  # shortcuts work with the menu bar hidden (presentation)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_open = self._action(
            "&Open file(s)…", self.open_files_dialog, shortcut=QKeySequence.StandardKey.Open,
            tip="Open get-account-authorization-details exports or iamviz snapshots (one per account)",
            icon=sp.SP_DialogOpenButton,
        )  # fmt: skip
        self.act_connect = self._action(
            "&Connect to AWS…", self.connect_dialog, shortcut="Ctrl+Shift+A",
            tip="Read a live account's IAM configuration (read-only)", icon=sp.SP_DriveNetIcon,
        )  # fmt: skip
        self.act_save = self._action(
            "&Save snapshot as…", self.save_snapshot_dialog, shortcut=QKeySequence.StandardKey.Save,
            tip="Write what is open as one iamviz snapshot file, to reopen offline", icon=sp.SP_DialogSaveButton,
        )  # fmt: skip
        self.act_export = self._action(
            "&Export image…", self.export_dialog, shortcut="Ctrl+E", tip="Write the graph as PNG, SVG or PDF",
        )  # fmt: skip
        self.act_quit = self._action("&Quit", self.close, shortcut=QKeySequence.StandardKey.Quit)
        self.act_fit = self._action("&Fit to window", self.view.fit_all, tip="Fit the graph in the window (F)")
        self.act_zoom_in = self._action("Zoom &in", self.view.zoom_in, shortcut=QKeySequence.StandardKey.ZoomIn)
        self.act_zoom_out = self._action("Zoom &out", self.view.zoom_out, shortcut=QKeySequence.StandardKey.ZoomOut)
        self.act_text_bigger = self._action("&Larger text", self.text_bigger)
        self.act_text_bigger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self.act_text_smaller = self._action("&Smaller text", self.text_smaller, shortcut="Ctrl+-")
        self.act_text_reset = self._action("&Normal text size", self.text_reset, shortcut="Ctrl+0")
        # Ctrl+plus/minus scale text, as issue 7 asks; the view's own +/- keys zoom.
        self.act_zoom_in.setShortcut(QKeySequence())
        self.act_zoom_out.setShortcut(QKeySequence())
        self.act_legend = self.legend_dock.toggleViewAction()
        self.act_legend.setText("&Legend")
        self.act_legend.setShortcut(QKeySequence("Ctrl+L"))
        self.act_legend.setStatusTip("Show what the shapes, lines and badges mean")
        self.addAction(self.act_legend)
        self.act_chains = self._action(
            "&Chains…", self.open_chains, shortcut="Ctrl+K",
            tip="Find and animate assume-role chains between a principal and a role",
        )  # fmt: skip
        self.act_chains.setEnabled(False)
        self.act_whole = self._action(
            "Show &whole graph", self.show_whole_graph, tip="Lay out and draw every node of a large graph"
        )
        self.act_whole.setEnabled(False)
        self.act_search = self._action("&Search", self._focus_search, shortcut=QKeySequence.StandardKey.Find)
        self.act_clear = self._action("Clear selection and focus", self.clear_selection, shortcut="Esc")
        self.act_present = self._action(
            "&Presentation mode", self.toggle_presenting, shortcut="F5", tip="Full screen, panels hidden"
        )
        self.act_shortcuts = self._action("&Keyboard shortcuts", self.show_shortcuts, shortcut="F1")
        self.act_about = self._action("&About iamviz", self.show_about)
        self.theme_group = QActionGroup(self)
        self.theme_group.setExclusive(True)
        self.theme_actions: dict[str, QAction] = {}
        for name in _theme_names():
            action = QAction(name.capitalize(), self, checkable=True)
            action.setChecked(name == self.theme_name)
            action.triggered.connect(partial(self.set_theme, name))
            self.theme_group.addAction(action)
            self.theme_actions[name] = action
        for action in (self.act_save, self.act_export, self.act_fit):
            action.setEnabled(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.samples_menu = file_menu.addMenu("Open &sample")
        self._fill_samples_menu(self.samples_menu)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addAction(self.act_connect)
        file_menu.addSeparator()
        file_menu.addAction(self.act_save)
        file_menu.addAction(self.act_export)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)

        view_menu = bar.addMenu("&View")
        for action in (self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_whole):
            view_menu.addAction(action)
        view_menu.addAction(self.act_legend)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        for action in self.theme_actions.values():
            theme_menu.addAction(action)
        view_menu.addAction(self.act_text_bigger)
        view_menu.addAction(self.act_text_smaller)
        view_menu.addAction(self.act_text_reset)
        view_menu.addSeparator()
        panels = self.panels_menu = view_menu.addMenu("&Panels")
        panels.addAction(self.inspector_dock.toggleViewAction())
        panels.addAction(self.findings_dock.toggleViewAction())
        panels.addAction(self.legend_dock.toggleViewAction())
        view_menu.addAction(self.act_present)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_shortcuts)
        help_menu.addAction(self.act_about)

    def _fill_samples_menu(self, menu: QMenu) -> None:
        menu.clear()
        samples = _sample_list()
        if not samples:
            none = menu.addAction("(no samples installed)")
            none.setEnabled(False)
        for sample in samples:
            action = menu.addAction(sample.title or sample.name)
            action.setStatusTip(sample.description or "")
            action.triggered.connect(partial(self.open_sources, [f"sample:{sample.name}"]))

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files
        for path in recent:
            action = menu.addAction(Path(path).name)
            action.setStatusTip(path)
            action.setToolTip(path)
            action.triggered.connect(partial(self.open_files, [path]))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear list", self._clear_recent)
        else:
            empty = menu.addAction("(none yet)")
            empty.setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent_files()
        self._fill_recent_menu()

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("toolbar-main")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        open_button = QToolButton(self)
        open_button.setDefaultAction(self.act_open)
        open_button.setText("Open")
        open_menu = QMenu(open_button)
        open_menu.addMenu(self.samples_menu)
        open_menu.addAction(self.act_open)
        open_menu.addMenu(self.recent_menu)
        open_button.setMenu(open_menu)
        open_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        open_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(open_button)
        toolbar.addAction(self.act_connect)
        toolbar.addAction(self.act_export)
        toolbar.addAction(self.act_chains)
        toolbar.addSeparator()
        toolbar.addWidget(self.search_bar)
        self.toolbar = toolbar
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.status_label = QLabel("Ready")
        status.addWidget(self.status_label, 1)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(200)
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_load)
        self.zoom_label = QLabel("100 %")
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)
        status.addPermanentWidget(self.zoom_label)
        self.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))

    def _first_size(self) -> QSize:
        """The default size, shrunk to the screen's free area (a 1280×720 projector gets the whole screen)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        free = screen.availableGeometry().size()
        return DEFAULT_SIZE.boundedTo(free) if free.isValid() and not free.isEmpty() else DEFAULT_SIZE

    def _arrange_default_docks(self) -> None:
        """Docks that leave the canvas the room (a saved state overrides this).

        One right-hand column of tabs (Use cases, Inspector, Findings) on screens narrower than
        :data:`WIDE_SCREEN`, Use cases in its own left column on wider ones; the player under the canvas appears
        only while a scenario is loaded.
        """
        horizontal, right = Qt.Orientation.Horizontal, Qt.DockWidgetArea.RightDockWidgetArea
        docks = getattr(self, "player_docks", None)
        use_cases = docks.use_cases_dock if docks is not None else None
        tabs = [self.inspector_dock, self.findings_dock]
        if use_cases is not None and self.width() < WIDE_SCREEN:
            tabs.insert(0, use_cases)
        # Qt tabs a dock into a group only at its end, and splits below a group only when added after it:
        # take the right column apart and build it again in order.
        for dock in (*tabs, self.legend_dock):
            self.removeDockWidget(dock)
        for dock in tabs:
            self.addDockWidget(right, dock)
            dock.show()
        for first, second in itertools.pairwise(tabs):
            self.tabifyDockWidget(first, second)
        self.addDockWidget(right, self.legend_dock, Qt.Orientation.Vertical)  # under the tabs
        self.legend_dock.show()
        tabs[0].raise_()
        if use_cases is not None and use_cases not in tabs:
            self.resizeDocks([use_cases], [USE_CASES_WIDTH], horizontal)
        self.resizeDocks([self.inspector_dock], [SIDE_DOCK_WIDTH], horizontal)

    def show_dock(self, dock: QDockWidget) -> None:
        """Show ``dock`` and bring its tab forward."""
        if not self._presenting:
            dock.setVisible(True)
            dock.raise_()

    def _restore_window_state(self) -> None:
        geometry = self.settings.geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state, DOCK_LAYOUT_VERSION)  # a layout saved by an older arrangement is refused

    # ================================================================================================ loading
    @property
    def is_loading(self) -> bool:
        return self._worker is not None

    def open_sources(self, sources: Sequence[str]) -> None:
        """Open what the CLI names: paths, ``sample:NAME``; none means the classroom sample."""
        job = partial(docmod.open_sources, list(sources), **self._layout_options())
        self._run(job, what=", ".join(sources) or "the classroom sample")

    def open_files(self, paths: Sequence[str]) -> None:
        """Open one or more files (one account each); the good ones open even when some are bad."""
        paths = [str(p) for p in paths]
        if not paths:
            return
        job = partial(docmod.open_paths, paths, **self._layout_options())
        self._run(job, what=", ".join(Path(p).name for p in paths), recent=paths)

    def connect_live(self, values: dict[str, Any]) -> None:
        """Capture a live account (``profile``, ``region``, ``endpoint_url``) with a cancellable progress dialog."""
        label = values.get("profile") or "default credentials"
        self._abandon_load()  # before the new dialog: the old load's dialog must not outlive it
        dialog = QProgressDialog(f"Reading IAM from AWS ({label})…", "Cancel", 0, 0, self)
        dialog.setWindowTitle("Connect to AWS")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_load)
        self._progress_dialog = dialog
        self._run(partial(docmod.open_live, dict(values), **self._layout_options()), what=f"AWS ({label})", live=True)

    def show_whole_graph(self) -> None:
        """Lay out every node of a document that opened focused."""
        if self.document is None or self.document.focus is None:
            return
        self._run(partial(docmod.relayout_whole, self.document, **self._layout_options()), what="the whole graph")

    def _layout_options(self) -> dict[str, Any]:
        """Lay out in the worker with the scene's sizes, so the scene does not lay out again on the UI thread."""
        return {"metrics": self.scene.style.metrics}

    def _abandon_load(self) -> None:
        """Cancel the running load, if any, and forget it: a later load wins, the earlier one's result and its
        progress dialog are dropped at once (its worker still finishes in the background, unseen)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.cancel()
            self._abandoned.add(worker)
            self._finish_progress()

    def cancel_load(self) -> None:
        """Ask the running load to stop."""
        if self._worker is not None:
            self._worker.cancel()
            self.status_label.setText("Cancelling…")

    def _run(self, job: Job, *, what: str, recent: Sequence[str] = (), live: bool = False) -> None:
        self._abandon_load()  # the later load wins (connect_live has already done this before its dialog)
        worker = Worker(job, pool=self.pool)
        self._worker = worker
        signals = worker.signals
        signals.progressed.connect(partial(self._on_progress, worker))
        signals.finished.connect(partial(self._on_loaded, worker, list(recent)))
        signals.failed.connect(partial(self._on_failed, worker, what, live))
        signals.cancelled.connect(partial(self._on_cancelled, worker))
        signals.done.connect(partial(self._on_done, worker))
        self.status_label.setText(f"Opening {what}…")
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.cancel_button.setVisible(True)
        worker.start()

    def _current(self, worker: Worker) -> bool:
        return worker is self._worker

    def _on_progress(self, worker: Worker, done: int, total: int, message: str) -> None:
        if not self._current(worker):
            return
        self.progress_bar.setRange(0, max(total, 0))
        if total:
            self.progress_bar.setValue(done)
        self.status_label.setText(message)
        self.load_progressed.emit(done, total, message)
        if self._progress_dialog is not None:
            self._progress_dialog.setLabelText(message)
            self._progress_dialog.setRange(0, max(total, 0))
            if total:
                self._progress_dialog.setValue(done)

    def _on_loaded(self, worker: Worker, recent: list[str], document: Document) -> None:
        if not self._current(worker):
            return
        self._finish_progress()
        for path in recent:
            if not any(e.file and Path(e.file).name == Path(path).name for e in document.errors):
                self.settings.add_recent_file(path)
        self.set_document(document)
        if document.errors:
            lines = "\n".join(f"• {describe_error(e)}" for e in document.errors)
            QMessageBox.warning(self, "Some files could not be opened", f"The others are open.\n\n{lines}")

    def _on_failed(self, worker: Worker, what: str, live: bool, exc: BaseException, details: str) -> None:
        if not self._current(worker):
            return
        self._finish_progress()
        message = describe_error(exc)
        self.status_label.setText(f"Could not open {what}.")
        if live:
            QMessageBox.critical(
                self,
                "Could not read AWS",
                f"{message}\n\nCheck that the profile has credentials (aws sso login, or aws configure), that the "
                "region and endpoint URL are right, and that the identity may call iam:GetAccountAuthorizationDetails.",
            )
        else:
            QMessageBox.critical(self, f"Could not open {what}", message)
        self.load_failed.emit(message)

    def _on_cancelled(self, worker: Worker) -> None:
        if not self._current(worker):
            return
        self._finish_progress()
        self.status_label.setText("Cancelled.")

    def _on_done(self, worker: Worker) -> None:
        self._abandoned.discard(worker)
        if self._worker is worker:
            self._worker = None
            self._finish_progress()

    def _finish_progress(self) -> None:
        self.progress_bar.setVisible(False)
        self.cancel_button.setVisible(False)
        if self._progress_dialog is not None:
            dialog, self._progress_dialog = self._progress_dialog, None
            dialog.canceled.disconnect(self.cancel_load)
            dialog.close()
            dialog.deleteLater()

    # ================================================================================================ document
    def set_document(self, document: Document) -> None:
        """Show ``document``: draw it, fill the panels, reset search and focus, fit it in the window."""
        self.document = document
        self.selected_node = None
        self.matches, self.match_index = [], -1
        self.scene.set_graph(
            document.graph,
            document.layout,
            risky_edges=document.risky_edges,
            findings_by_node=document.findings_by_node,
        )
        self.inspector.set_document(document)
        labels = {n.id: n.label for n in document.graph.nodes() if n.id in document.findings_by_node}
        self.findings_panel.set_findings(document.findings, labels=labels)
        self.findings_dock.setWindowTitle(f"Findings ({len(document.findings)})")
        self.setWindowTitle(document.window_title)
        self.search_bar.set_focus_node(None)  # emits filter_changed -> applies filters
        if self.search_bar.query:
            self._on_search_changed(self.search_bar.query)
        for action in (self.act_save, self.act_export, self.act_fit, self.act_chains):
            action.setEnabled(True)
        self.act_whole.setEnabled(document.focus is not None)
        self.legend_bar.refresh()
        self._show_summary()
        self.document_changed.emit(document)  # the player docks settle first: the canvas has its final size
        self.initial_view()
        QTimer.singleShot(0, self.initial_view)  # again once the docks' new sizes are laid out

    def initial_view(self) -> None:
        """Fit the graph; when that would make labels too small to read, show its hot spot at a readable zoom."""
        doc = self.document
        if doc is None:
            return
        self.view.fit_all()
        if self.view.zoom >= READABLE_ZOOM or len(doc.layout.positions) <= OVERVIEW_NODES:
            self._show_summary()
            return
        spot = self._hot_spot()
        item = self.scene.node_item(spot) if spot else None
        self.view.set_zoom(READABLE_ZOOM)
        if item is not None:
            # The role with who can assume it: all of it when that fits at a readable zoom, else the role centred.
            rect = item.sceneBoundingRect()
            for edge in self.scene.edges_at(spot):
                rect = rect.united(edge.sceneBoundingRect())
            self.view.fit_rect(rect, max_zoom=1.0)
            if self.view.zoom < READABLE_ZOOM:
                self.view.set_zoom(READABLE_ZOOM)
                # The role a third from the right: who can assume it comes in from the left.
                shift = self.view.viewport().width() / 6 / self.view.zoom
                self.view.centerOn(item.sceneBoundingRect().center() - QPointF(shift, 0))
            label = doc.graph.node(spot).label
            why = "riskiest" if spot in doc.findings_by_node else "most connected"
            shown = f"Showing the area around {label} ({why} role) at {self.view.zoom:.0%}"
        else:
            shown = f"Showing part of the graph at {READABLE_ZOOM:.0%}"
        drawn = len(doc.layout.positions)
        self.status_label.setText(f"{shown}; press F to fit all {drawn:,} drawn nodes. " + (doc.focus_note or ""))

    def _hot_spot(self) -> str | None:
        """The drawn role to open on: the most severe finding's, else the one with most principals."""
        doc = self.document
        assert doc is not None
        drawn = doc.layout.positions
        for finding in doc.findings:  # most severe first
            if finding.role_arn in drawn:
                return finding.role_arn
        count = doc.graph.predecessor_count  # principals that may assume it (a multigraph's in_degree sums every edge)
        roles = [n.id for n in doc.graph.nodes() if n.kind is NodeKind.ROLE and n.id in drawn]
        return max(roles, key=lambda r: (count(r), r), default=None)

    def _show_summary(self) -> None:
        doc = self.document
        if doc is None:
            return
        note = doc.focus_note
        if note:
            self.status_label.setText(note)
            return
        g = doc.graph
        self.status_label.setText(
            f"{doc.account_count} account{'s' if doc.account_count != 1 else ''} · {len(g):,} nodes · "
            f"{doc.edge_count:,} edges · {len(doc.findings)} findings"
        )

    @property
    def drawn_nodes(self) -> frozenset[str]:
        """The node ids laid out (and so drawn) in the current document."""
        if self.document is None:
            return frozenset()
        return frozenset(self.document.layout.positions)

    # ================================================================================================ selection
    def select_node(self, node_id: str) -> None:
        """Select ``node_id``, bring it into view and inspect it."""
        doc = self.document
        if doc is None or not doc.graph.has_node(node_id):
            return
        item = self.scene.node_item(node_id)
        if item is not None:
            self.scene.clearSelection()
            item.setSelected(True)
            if not item.isVisible():
                self.status_label.setText("That node is hidden by a filter.")
            self.view.center_on_items(item.sceneBoundingRect())
        elif doc.focus is not None:
            self.status_label.setText("That node is not drawn in this focused view: View ▸ Show whole graph.")
        self._on_node_selected(node_id)
        self.node_focused.emit(node_id)

    def clear_selection(self) -> None:
        """Esc: clear the selection, the search highlight and the focus."""
        if self._presenting:
            self.toggle_presenting()
            return
        self.scene.clearSelection()
        self._on_selection_cleared()
        if self.view_filter.focus is not None:
            self.search_bar.set_focus_node(None)

    def _on_node_selected(self, node_id: str) -> None:
        if self.selected_node == node_id and self.inspector.subject == node_id:
            return
        self.selected_node = node_id
        self.inspector.show_node(node_id)
        if self._raise_inspector:
            self.show_dock(self.inspector_dock)
        if self.view_filter.focus is not None and self.view_filter.focus != node_id:
            self.search_bar.set_focus_node(node_id)

    def _on_edge_selected(self, source: str, target: str, key: str) -> None:
        self.selected_node = None
        self.inspector.show_edge(source, target, key)
        if self._raise_inspector:
            self.show_dock(self.inspector_dock)

    def _on_selection_cleared(self) -> None:
        self.selected_node = None
        self.inspector.clear()

    def _on_finding(self, role_arn: str, statement_index: int) -> None:
        doc = self.document
        if doc is None or not doc.graph.has_node(role_arn):
            return
        self._raise_inspector = False  # keep the findings list in front while the user goes through it
        try:
            self.select_node(role_arn)
        finally:
            self._raise_inspector = True
        if statement_index >= 0:
            for edge in doc.graph.in_edges(role_arn):
                if edge.statement_index == statement_index:
                    self.inspector.show_edge(edge.source, edge.target, edge.key)
                    break
        self.search_bar.set_focus_node(role_arn)

    # ================================================================================================ search/filter
    def _focus_search(self) -> None:
        self.search_bar.search_field.setFocus()
        self.search_bar.search_field.selectAll()

    def _on_search_changed(self, query: str) -> None:
        doc = self.document
        self.matches = search(doc.graph, query, among=self.drawn_nodes) if doc is not None else []
        self.match_index = -1
        self.search_bar.set_match_info(-1, len(self.matches))
        self._apply_highlight()

    def next_match(self, step: int = 1) -> None:
        """Select the next (``step=1``) or previous (``-1``) search match."""
        if not self.matches:
            return
        self.match_index = (self.match_index + step) % len(self.matches)
        self.search_bar.set_match_info(self.match_index, len(self.matches))
        self.select_node(self.matches[self.match_index])

    def _on_focus_toggled(self, on: bool) -> None:
        if on and self.selected_node is None:
            self.search_bar.set_focus_node(None)
            self.status_label.setText("Select a node first, then press Focus.")
            return
        self.search_bar.set_focus_node(self.selected_node if on else None)

    def _on_filter_changed(self, view_filter: ViewFilter) -> None:
        self.view_filter = view_filter
        self.apply_filters()

    def apply_filters(self) -> None:
        """Hide what the filters hide and dim what is outside the focus or the search."""
        doc = self.document
        if doc is None:
            return
        hidden = hidden_nodes(
            doc.graph,
            self.view_filter,
            risky_edges=doc.risky_edges,
            flagged=doc.findings_by_node.keys(),
            drawn=self.drawn_nodes,
        )
        self.hidden = hidden
        self.scene.set_hidden_nodes(hidden)
        self._apply_highlight()
        if self.view_filter.focus:
            self._frame_focus()

    def _frame_focus(self) -> None:
        """Bring the focused neighbourhood into view (zooming in no further than 100 %)."""
        assert self.document is not None and self.view_filter.focus is not None
        nodes, _ = neighbourhood(self.document.graph, self.view_filter.focus, self.view_filter.hops)
        rect = QRectF()
        for node_id in nodes:
            item = self.scene.node_item(node_id)
            if item is not None and item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        if not rect.isEmpty():
            self.view.fit_rect(rect, max_zoom=1.0)

    def _apply_highlight(self) -> None:
        if self.document is None:
            return
        if self.matches:
            self.scene.highlight(self.matches, dim_others=True)
        elif self.view_filter.focus:
            nodes, edges = neighbourhood(self.document.graph, self.view_filter.focus, self.view_filter.hops)
            self.scene.highlight(nodes, edges, dim_others=True)
        else:
            self.scene.clear_highlight()

    hidden: frozenset[str] = frozenset()

    # ================================================================================================ view
    def set_theme(self, name: str, *_args: object) -> None:
        """Switch to theme ``name`` (light, dark, projector)."""
        if name not in self.theme_actions:
            return
        self.theme_name = name
        self.theme_actions[name].setChecked(True)
        self._apply_theme(name)
        self.settings.theme = name

    def _apply_theme(self, name: str) -> None:
        self.scene.set_theme(load_theme(name))
        if hasattr(self, "legend_bar"):
            self.legend_bar.refresh()
        palette = QApplication.style().standardPalette()
        if name == "dark":
            dark = {
                QPalette.ColorRole.Window: "#2b2b2b",
                QPalette.ColorRole.WindowText: "#e6e6e6",
                QPalette.ColorRole.Base: "#1f1f1f",
                QPalette.ColorRole.AlternateBase: "#2b2b2b",
                QPalette.ColorRole.Text: "#e6e6e6",
                QPalette.ColorRole.Button: "#353535",
                QPalette.ColorRole.ButtonText: "#e6e6e6",
                QPalette.ColorRole.Highlight: "#0072B2",
                QPalette.ColorRole.HighlightedText: "#ffffff",
                QPalette.ColorRole.ToolTipBase: "#2b2b2b",
                QPalette.ColorRole.ToolTipText: "#e6e6e6",
                QPalette.ColorRole.Link: "#56B4E9",
                QPalette.ColorRole.PlaceholderText: "#9a9a9a",
                QPalette.ColorRole.BrightText: "#ffffff",
                QPalette.ColorRole.Light: "#505050",
                QPalette.ColorRole.Midlight: "#404040",
                QPalette.ColorRole.Mid: "#303030",
                QPalette.ColorRole.Dark: "#1a1a1a",
                QPalette.ColorRole.Shadow: "#000000",
            }
            for role, colour in dark.items():
                palette.setColor(role, colour)
            for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
                palette.setColor(QPalette.ColorGroup.Disabled, role, "#7a7a7a")
        QApplication.setPalette(palette)  # dialogs and menus follow the theme too
        app = QApplication.instance()
        app.setStyleSheet(DARK_INDICATORS if name == "dark" else "")

    def text_bigger(self) -> None:
        self._set_text_scale(self.text_scale * TEXT_SCALE_STEP)

    def text_smaller(self) -> None:
        self._set_text_scale(self.text_scale / TEXT_SCALE_STEP)

    def text_reset(self) -> None:
        self._set_text_scale(1.0)

    def _set_text_scale(self, value: float) -> None:
        self.text_scale = min(max(value, 0.5), 3.0)
        self.settings.text_scale = self.text_scale
        self._apply_text_scale()

    def _apply_text_scale(self) -> None:
        self.scene.set_text_scale(self.text_scale)
        self.legend_bar.refresh()
        font = QFont(QApplication.font())
        if self._base_font_size > 0:
            font.setPointSizeF(self._base_font_size * self.text_scale)
        for widget in (self.inspector, self.findings_panel):
            widget.setFont(font)
        self.status_label.setText(self.status_label.text()) if self.document is None else self._show_summary()

    def open_chains(self) -> None:
        """Chains…: pick a principal and a role, see the chains between them, animate one."""
        docks, doc, node = self.player_docks, self.document, self.selected_node
        if docks is None or doc is None:
            return
        if node is not None and doc.graph.has_node(node) and doc.graph.node(node).kind is NodeKind.ROLE:
            docks.use_cases.open_chains(target=node)
        else:
            docks.use_cases.open_chains(source=node)

    def toggle_presenting(self) -> None:
        """Presentation mode: full screen with the panels, toolbar and menus hidden; Esc or F5 leaves."""
        self._presenting = not self._presenting
        if self._presenting:
            self._saved_state = self.saveState()
            for widget in (
                self.inspector_dock,
                self.findings_dock,
                self.legend_dock,
                self.toolbar,
                self.statusBar(),
                self.menuBar(),
            ):
                widget.setVisible(False)
            self._saved_geometry = self.saveGeometry()
            screen = self.screen()
            if screen is not None:  # without a window manager (a kiosk, Xvfb) full screen is only a state: fill it
                self.setGeometry(screen.geometry())
            self.showFullScreen()
        else:
            self.showNormal()
            self.restoreGeometry(self._saved_geometry)
            self.menuBar().setVisible(True)
            self.statusBar().setVisible(True)
            self.restoreState(self._saved_state)
        QTimer.singleShot(0, self.view.fit_all)
        self.presenting_changed.emit(self._presenting)

    # ================================================================================================ dialogs
    def open_files_dialog(self) -> None:
        files = open_files_dialog(self, self.settings.last_directory)
        if files:
            self.settings.last_directory = str(Path(files[0]).parent)
            self.open_files(files)

    def connect_dialog(self) -> None:
        dialog = ConnectDialog(self)
        if dialog.exec() == ConnectDialog.DialogCode.Accepted:
            self.connect_live(dialog.values())

    def save_snapshot_dialog(self) -> None:
        if self.document is None:
            return
        path = save_snapshot_dialog(self, self.settings.last_directory)
        if path:
            self.save_snapshot(path)

    def save_snapshot(self, path: str) -> bool:
        """Write the open accounts as one snapshot bundle at ``path``; errors go to a dialog."""
        if self.document is None:
            return False
        try:
            from iamviz.loading.bundle import write_bundle

            write_bundle(self.document.snapshot, path)
        except Exception as exc:
            QMessageBox.critical(self, "Could not save the snapshot", describe_error(exc))
            return False
        self.settings.add_recent_file(path)
        self.status_label.setText(f"Saved {path}")
        return True

    def export_dialog(self) -> None:
        if self.document is None:
            return
        stem = Path(self.document.title).stem.replace(" ", "-") or "iamviz"
        default = str(Path(self.settings.last_directory) / f"{stem}.png")
        player = self.player_docks.player if self.player_docks is not None else None
        scenario = player.scenario if player is not None else None
        about = (scenario.title, player.index, player.count) if scenario is not None and scenario.steps else None
        dialog = ExportDialog(
            self._drawn_rect(), default_path=default, title=self.document.title, scenario=about, parent=self
        )
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        mode = dialog.scenario_mode()
        if mode == "graph":
            self.export_image(dialog.path.text(), **dialog.options())
        else:
            options = dialog.options()
            if options.get("title") == self.document.title:
                options["title"] = None  # each step's own title (scenario, step n / N, what happens)
            self.export_scenario(dialog.path.text(), mode, **options)

    def export_scenario(self, path: str, mode: str, **options: Any) -> list[str]:
        """Export the loaded scenario: ``step`` (the one shown), ``all`` (every step) or ``gif`` (the animation).

        Drawn on a scene of its own (the window's, with the player's tokens on it, stays as it is), in the
        window's theme and text size, through the same code as ``iamviz export --scenario``.
        """
        docks, doc = self.player_docks, self.document
        scenario = docks.player.scenario if docks is not None else None
        if doc is None or scenario is None:
            return []
        from iamviz.render.scenario_export import export_scenario

        scene = TrustScene(theme=load_theme(self.theme_name))
        scene.set_animations_enabled(False)
        scene.set_text_scale(self.text_scale)
        try:
            scene.set_graph(doc.graph, doc.layout, risky_edges=doc.risky_edges, findings_by_node=doc.findings_by_node)
            step = docks.player.index + 1 if mode == "step" and docks.player.index >= 0 else None
            written = export_scenario(scene, scenario, path, step=step, all_steps=mode == "all", **options)
        except Exception as exc:
            QMessageBox.critical(self, "Could not export", describe_error(exc))
            return []
        finally:
            scene.clear()
            scene.deleteLater()
        self.settings.last_directory = str(Path(path).parent)
        names = [str(p) for p in written]
        self.status_label.setText(f"Exported {names[0]}" if len(names) == 1 else f"Exported {len(names)} files")
        return names

    def _drawn_rect(self) -> QRectF:
        return self.scene.itemsBoundingRect()

    def export_image(self, path: str, **options: Any) -> bool:
        """Export the scene to ``path`` (PNG, SVG or PDF) with ``export_image``'s options."""
        try:
            from iamviz.render.export import export_image

            export_image(self.scene, path, **options)
        except Exception as exc:
            QMessageBox.critical(self, "Could not export", describe_error(exc))
            return False
        self.settings.last_directory = str(Path(path).parent)
        self.status_label.setText(f"Exported {path}")
        return True

    def show_shortcuts(self) -> None:
        ShortcutsDialog(parent=self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About iamviz", about_text())

    # ================================================================================================ Qt overrides
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_files(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._presenting:
            self.toggle_presenting()
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState(DOCK_LAYOUT_VERSION)
        self.settings.theme = self.theme_name
        self.settings.text_scale = self.text_scale
        self.settings.sync()
        if self._worker is not None or self._abandoned:
            for worker in (self._worker, *self._abandoned):
                if worker is not None:
                    worker.cancel()
            self.pool.waitForDone(3000)
        super().closeEvent(event)
