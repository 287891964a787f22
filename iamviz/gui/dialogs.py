"""Dialogs: Connect to AWS, Export, Keyboard shortcuts, About."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamviz import __version__
from iamviz.render.export import FIT_PX, MAX_PIXELS

COMMON_REGIONS = (
    "",
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
)


def _available_profiles() -> list[str]:
    from iamviz.loading.live import available_profiles  # boto3 loads only when the dialog opens

    return list(available_profiles())


class ConnectDialog(QDialog):
    """Pick a profile boto3 knows, a region and an optional endpoint URL (moto, LocalStack).

    :meth:`values` gives ``{"profile", "region", "endpoint_url"}`` as ``run_gui(live=...)`` takes them.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        profiles: Sequence[str] | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to AWS")
        self.setMinimumWidth(460)
        initial = initial or {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            "iamviz reads the account's IAM configuration (users, groups, roles, policies, identity providers) "
            "with read-only calls. Nothing is changed. The credentials come from the profile you choose."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.profile = QComboBox(self)
        self.profile.setEditable(True)
        self.profile.addItem("(default credentials)", "")
        for name in profiles if profiles is not None else _available_profiles():
            self.profile.addItem(name, name)
        if initial.get("profile"):
            self._select_or_add(self.profile, initial["profile"])
        form.addRow("Profile:", self.profile)
        self.region = QComboBox(self)
        self.region.setEditable(True)
        for name in COMMON_REGIONS:
            self.region.addItem(name or "(profile's region)", name)
        if initial.get("region"):
            self._select_or_add(self.region, initial["region"])
        form.addRow("Region:", self.region)
        self.endpoint_url = QLineEdit(self)
        self.endpoint_url.setPlaceholderText("optional, e.g. http://127.0.0.1:5000 for moto or LocalStack")
        self.endpoint_url.setText(initial.get("endpoint_url") or "")
        form.addRow("Endpoint URL:", self.endpoint_url)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #D55E00;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _select_or_add(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index < 0:
            combo.addItem(value, value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    @staticmethod
    def _combo_value(combo: QComboBox) -> str:
        text = combo.currentText().strip()
        data = combo.currentData()
        if combo.currentIndex() >= 0 and text == combo.itemText(combo.currentIndex()):
            return str(data or "")
        return text

    def values(self) -> dict[str, str | None]:
        """The chosen ``profile``, ``region`` and ``endpoint_url`` (``None`` when left empty)."""
        return {
            "profile": self._combo_value(self.profile) or None,
            "region": self._combo_value(self.region) or None,
            "endpoint_url": self.endpoint_url.text().strip() or None,
        }

    def _accept(self) -> None:
        url = self.endpoint_url.text().strip()
        if url and not url.startswith(("http://", "https://")):
            self.problem.setText("The endpoint URL must start with http:// or https://")
            return
        self.accept()


EXPORT_FILTERS = "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"
SCENARIO_FILTERS = EXPORT_FILTERS + ";;GIF animation (*.gif)"

SCENARIO_MODES: tuple[tuple[str, str], ...] = (
    ("graph", "The graph only"),
    ("step", "This step, with its caption"),
    ("all", "Every step (one file each; a PDF gets one page each)"),
    ("gif", "The whole scenario as an animated GIF"),
)
"""What the Export dialog can write while a scenario is loaded: ``(mode, label)``."""


class ExportDialog(QDialog):
    """Choose a file, a width or scale, and options; shows the size of the image that will be written.

    Args:
        scene_rect: the drawn area, in scene units, to compute the output size from.
        default_path: where the file goes unless changed.
    """

    def __init__(
        self,
        scene_rect: QRectF,
        *,
        default_path: str,
        title: str = "",
        scenario: tuple[str, int, int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.scene_rect = scene_rect
        self.scenario = scenario
        layout = QVBoxLayout(self)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path = QLineEdit(default_path, self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row.addWidget(self.path)
        row.addWidget(browse)
        form.addRow("File:", row)
        self.scale = QDoubleSpinBox(self)
        self.scale.setRange(0.25, 8.0)
        self.scale.setSingleStep(0.5)
        self.scale.setValue(2.0)
        self.scale.setSuffix(" ×")
        form.addRow("Scale:", self.scale)
        self.width = QSpinBox(self)
        self.width.setRange(0, 16000)
        self.width.setSpecialValueText("from scale")
        self.width.setSuffix(" px")
        form.addRow("Width:", self.width)
        self.title = QLineEdit(title, self)
        form.addRow("Title:", self.title)
        self.legend = QCheckBox("Include the legend", self)
        self.legend.setChecked(True)
        form.addRow("", self.legend)
        self.transparent = QCheckBox("Transparent background (PNG)", self)
        form.addRow("", self.transparent)
        self.mode = QComboBox(self)
        if scenario is not None:  # (title, current step index, step count)
            name, index, count = scenario
            for mode, label in SCENARIO_MODES:
                if mode == "step":
                    label = f"This step ({index + 1} / {count}), with its caption" if index >= 0 else label
                self.mode.addItem(label, mode)
            self.mode.setCurrentIndex(1 if index >= 0 else 0)
            if index < 0:
                self.mode.model().item(1).setEnabled(False)  # no step shown yet
            self.mode.setToolTip(f"Scenario: {name}")
            form.addRow("Scenario:", self.mode)
            self.mode.currentIndexChanged.connect(self._on_mode)
        else:
            self.mode.addItem(SCENARIO_MODES[0][1], "graph")
            self.mode.setVisible(False)
        layout.addLayout(form)
        self.size_label = QLabel(self)
        layout.addWidget(self.size_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        longest = max(scene_rect.width(), scene_rect.height(), 1.0)
        if longest * self.scale.value() > MAX_PIXELS:  # the whole graph of a large account: an 8K picture of it
            self.width.setValue(max(1, int(scene_rect.width() * FIT_PX / longest)))
        for signal in (self.scale.valueChanged, self.width.valueChanged, self.path.textChanged):
            signal.connect(self._update_size)
        self._update_size()

    def output_size(self) -> tuple[int, int]:
        """The size in pixels (or points, for PDF/SVG) of the image the options give."""
        w, h = max(self.scene_rect.width(), 1.0), max(self.scene_rect.height(), 1.0)
        if self.width.value() > 0:
            factor = self.width.value() / w
        else:
            factor = self.scale.value()
        return round(w * factor), round(h * factor)

    def scenario_mode(self) -> str:
        """``graph``, ``step``, ``all`` or ``gif`` (always ``graph`` without a scenario)."""
        return str(self.mode.currentData() or "graph")

    def _on_mode(self) -> None:
        """A GIF is a ``.gif`` file and nothing else is: keep the file name's suffix in step with the choice."""
        path = Path(self.path.text())
        gif = self.scenario_mode() == "gif"
        if gif and path.suffix.lower() != ".gif":
            self.path.setText(str(path.with_suffix(".gif")))
        elif not gif and path.suffix.lower() == ".gif":
            self.path.setText(str(path.with_suffix(".png")))
        self._update_size()

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``export_image``."""
        return {
            "width": self.width.value() or None,
            "scale": self.scale.value(),
            "transparent": self.transparent.isChecked(),
            "title": self.title.text().strip() or None,
            "legend": self.legend.isChecked(),
        }

    def _update_size(self) -> None:
        w, h = self.output_size()
        suffix = Path(self.path.text()).suffix.lower()
        unit = "px" if suffix in ("", ".png") else "pt (vector)"
        mode = self.scenario_mode()
        if mode == "gif":
            gif_width = self.width.value() or 960
            self.size_label.setText(f"Output: an animated GIF {gif_width:,} px wide, one frame or two per step")
            return
        many = f", × {self.scenario[2]} files" if mode == "all" and self.scenario and suffix != ".pdf" else ""
        too_large = unit == "px" and max(w, h) > MAX_PIXELS
        warning = f" — too large for a PNG (at most {MAX_PIXELS:,} px a side): lower the scale or the width"
        self.size_label.setText(f"Output size: about {w:,} × {h:,} {unit}{many}{warning if too_large else ''}")
        self.save_button.setEnabled(not too_large)

    def _browse(self) -> None:
        filters = SCENARIO_FILTERS if self.scenario is not None else EXPORT_FILTERS
        path, _ = QFileDialog.getSaveFileName(self, "Export image", self.path.text(), filters)
        if path:
            self.path.setText(path)


SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+O", "Open file(s)…"),
    ("Ctrl+Shift+A", "Connect to AWS…"),
    ("Ctrl+S", "Save snapshot as…"),
    ("Ctrl+E", "Export image…"),
    ("Ctrl+F", "Search"),
    ("Enter / Shift+Enter", "Next / previous match"),
    ("F", "Fit the graph in the window"),
    ("+ / -, mouse wheel", "Zoom in / out"),
    ("0", "Zoom to 100 %"),
    ("Arrow keys, drag", "Pan"),
    ("Shift+drag", "Select with a rectangle"),
    ("Ctrl+plus / Ctrl+minus", "Larger / smaller text"),
    ("Ctrl+0", "Normal text size"),
    ("Esc", "Clear the selection and the focus"),
    ("F1", "This list"),
    ("Ctrl+Q", "Quit"),
)


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts, as a two-column table."""

    def __init__(self, shortcuts: Sequence[tuple[str, str]] = SHORTCUTS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(460, 480)
        layout = QVBoxLayout(self)
        table = QTableWidget(len(shortcuts), 2, self)
        table.setHorizontalHeaderLabels(["Keys", "Does"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, does) in enumerate(shortcuts):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(does))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table = table


ABOUT_TEXT = f"""<h3>iamviz {__version__}</h3>
<p>See AWS IAM role trust: who can assume which role, under which conditions, and why.</p>
<p>Arrows run from a principal to the role it can assume. Solid: allowed. Dashed, with a badge: allowed only with
context the caller brings (MFA, ExternalId, a federation claim). Dotted: the trust grants it, the caller's own
policy is not known. Thick, in the risk colour: a finding applies.</p>
<p>iamviz only reads. It never changes an account.</p>"""


def about_text() -> str:
    return ABOUT_TEXT


def open_files_dialog(parent: QWidget, directory: str) -> list[str]:
    """Ask for one or more GAAD exports or iamviz bundles."""
    files, _ = QFileDialog.getOpenFileNames(
        parent,
        "Open IAM exports or iamviz snapshots",
        directory,
        "IAM JSON (*.json *.json.gz);;All files (*)",
    )
    return files


def save_snapshot_dialog(parent: QWidget, directory: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Save snapshot as", str(Path(directory) / "snapshot.iamviz.json"), "iamviz snapshot (*.json)"
    )
    return path
