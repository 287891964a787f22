"""``iamviz gui`` and ``iamviz`` with no arguments: the arguments reach run_gui, and run_gui opens the window."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from iamviz.cli import build_parser, main
from iamviz.cli.gui import live_options

pytestmark = pytest.mark.gui


@pytest.fixture
def calls(monkeypatch):
    import iamviz.gui.app as app

    seen: list[tuple[list[str], dict]] = []

    def fake_run_gui(sources, **kwargs):
        seen.append((sources, kwargs))
        return 0

    monkeypatch.setattr(app, "run_gui", fake_run_gui)
    return seen


def test_no_arguments_open_the_classroom_sample(calls):
    assert main([]) == 0
    assert calls == [([], {"live": None, "present": False, "theme": None})]


def test_sources_theme_and_present(calls):
    assert main(["gui", "a.json", "sample:lambda", "--theme", "projector", "--present"]) == 0
    assert calls == [(["a.json", "sample:lambda"], {"live": None, "present": True, "theme": "projector"})]


def test_live_options_imply_live(calls):
    assert main(["gui", "--profile", "dev", "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:5000"]) == 0
    assert calls[0][1]["live"] == {"profile": "dev", "region": "eu-west-1", "endpoint_url": "http://127.0.0.1:5000"}
    args = build_parser().parse_args(["gui", "--live"])
    assert live_options(args) == {"profile": None, "region": None, "endpoint_url": None}
    assert live_options(build_parser().parse_args(["gui"])) is None


def test_files_and_live_together_are_refused(calls, capsys):
    assert main(["gui", "a.json", "--live"]) == 2
    assert "either SOURCE files or --live" in capsys.readouterr().err
    assert calls == []


def test_bad_theme_is_an_argparse_error(calls):
    with pytest.raises(SystemExit):
        main(["gui", "--theme", "neon"])


RUN_GUI_CHILD = """
import sys
import iamviz.gui.app as app

original = app.start_window

def start_and_quit_when_drawn(*args, **kwargs):
    window = original(*args, **kwargs)
    def drawn(doc):
        print("OPENED", doc.sources, len(window.scene.node_ids()), flush=True)
        app.application().quit()
    window.document_changed.connect(drawn)
    window.load_failed.connect(lambda message: (print("FAILED", message), app.application().exit(3)))
    return window

app.start_window = start_and_quit_when_drawn
from iamviz.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_iamviz_gui_opens_the_window_and_exits_cleanly(tmp_path):
    # A child process: quitting a QApplication leaves Qt's event loops unusable for the tests that follow.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IAMVIZ_SETTINGS": str(tmp_path / "s.ini")}
    result = subprocess.run(
        [sys.executable, "-c", RUN_GUI_CHILD, "gui", "sample:lambda", "--theme", "dark"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "OPENED ('sample:lambda',)" in result.stdout
    assert int(result.stdout.split()[-1]) > 0  # nodes drawn
    saved = (tmp_path / "s.ini").read_text()
    assert "theme=dark" in saved  # the window saved its state on the way out


def test_no_display_is_one_clear_line_not_an_abort(monkeypatch, capsys):
    """Without a display Qt aborts the whole process (exit 134); the CLI must refuse first, with exit 2."""
    import sys

    from iamviz.cli import main

    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["gui"]) == 2
    err = capsys.readouterr().err
    assert "no display" in err
    assert err.count("\n") == 1
