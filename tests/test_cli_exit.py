"""The ``iamviz`` program leaves what its command built out of the interpreter's exit-time collections; ``main``
(which tests and other programs call in a process that goes on) leaves the collector alone."""

from __future__ import annotations

import gc
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from iamviz import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def thawed():
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


def test_the_program_freezes_what_is_alive_when_its_command_is_done(monkeypatch, capsys, thawed):
    monkeypatch.setattr(sys, "argv", ["iamviz", "summary", "sample:classroom"])
    assert cli.entry() == 0
    assert "classroom-workload" in capsys.readouterr().out
    assert gc.get_freeze_count() > 0


def test_main_leaves_the_collector_alone(capsys, thawed):
    assert cli.main(["summary", "sample:classroom"]) == 0
    assert gc.get_freeze_count() == 0


def test_the_console_script_and_python_m_run_the_program():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["iamviz"] == "iamviz.cli:entry"
    command = [sys.executable, "-m", "iamviz", "summary", "sample:no-such-sample"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2  # entry() passes main()'s exit code on
    assert done.stderr.startswith("iamviz: error:") and "Traceback" not in done.stderr
