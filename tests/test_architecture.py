"""The layering rules of ARCHITECTURE.md, checked: the core never imports Qt, only loading imports boto3."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import iamviz

PACKAGE = Path(iamviz.__file__).parent
CORE_PACKAGES = ("model", "loading", "analysis", "layout", "playback")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(*subpackages: str) -> list[Path]:
    return [p for sub in subpackages for p in sorted((PACKAGE / sub).rglob("*.py"))]


def test_importing_the_core_never_loads_pyside6():
    core = [f"iamviz.{name}" for name in CORE_PACKAGES] + ["iamviz.cli", "iamviz.errors"]
    for path in _modules(*CORE_PACKAGES):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        core.append(module.removesuffix(".__init__"))
    code = (
        "import importlib, sys\n"
        f"for name in {sorted(set(core))!r}:\n"
        "    importlib.import_module(name)\n"
        "from iamviz.cli import build_parser\n"
        "build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6')\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"PySide6 loaded by the core: {result.stdout}"


def test_no_core_module_imports_qt_even_lazily():
    offenders = [str(p) for p in _modules(*CORE_PACKAGES) if "PySide6" in _imports(p)]
    assert offenders == []


def test_only_loading_imports_boto3():
    outside = [p for p in PACKAGE.rglob("*.py") if "loading" not in p.relative_to(PACKAGE).parts]
    offenders = [str(p) for p in outside if _imports(p) & {"boto3", "botocore"}]
    assert offenders == []
