"""``iamviz gui`` and ``iamviz`` with no arguments: the arguments reach run_gui, and run_gui opens the window."""

from __future__ import annotations

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


def test_run_gui_opens_the_window_and_returns(qtbot, monkeypatch, tmp_path):
    import iamviz.gui.app as app

    monkeypatch.setenv("IAMVIZ_SETTINGS", str(tmp_path / "s.ini"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its hook; undo it afterwards
    opened = []
    original = app.start_window

    def start_and_quit_when_drawn(*args, **kwargs):
        window = original(*args, **kwargs)
        window.document_changed.connect(lambda doc: (opened.append(doc), app.application().quit()))
        return window

    monkeypatch.setattr(app, "start_window", start_and_quit_when_drawn)
    assert app.run_gui(["sample:lambda"], theme="light") == 0
    assert opened and opened[0].sources == ("sample:lambda",)
    assert (tmp_path / "s.ini").exists()  # the window saved its state on the way out
