"""No secret is ever kept: credentials planted in the environment reach no file, no output and no log.

One test walks the whole life of a capture with recognisable fake credentials in ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``: ``iamviz snapshot`` against moto's server, ``iamviz export`` to
PNG, SVG and PDF, the window (live capture, open, save, settings written through ``IAMVIZ_SETTINGS``), and
``iamviz scenarios --json``. Then every file written, stdout, stderr and the log records are searched for the
planted values (PDF streams decompressed first). The player's own credentials must look fake on sight.

Logs are captured at INFO for every logger and at DEBUG for iamviz's own. botocore's DEBUG log prints request
headers (the access key ID in ``Authorization``, the session token in ``X-Amz-Security-Token``): that is botocore's
documented behaviour, which is why iamviz never turns botocore's DEBUG logging on.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from pathlib import Path

import boto3
import pytest
from moto_server import moto_server_url

from iamviz.cli import main

PLANTED = {
    "AWS_ACCESS_KEY_ID": "AKIAPLANTEDHARDEN042",
    "AWS_SECRET_ACCESS_KEY": "plantedHardeningSecret/DoNotStore+0123456789",
    "AWS_SESSION_TOKEN": "plantedHardeningSessionToken//DoNotStore/Ever==",
}
# Distinctive pieces too, so that a secret cut, re-encoded or split over lines is still found.
NEEDLES = [*PLANTED.values(), "PLANTEDHARDEN", "plantedHardening", "DoNotStore"]
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}},
        }
    ],
}
LOAD_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def moto_url():
    with moto_server_url() as url:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="seed", aws_secret_access_key="seed"
        )
        iam.create_role(RoleName="partner-upload", AssumeRolePolicyDocument=json.dumps(TRUST))
        iam.create_user(UserName="bob")
        yield url


@pytest.fixture
def planted(monkeypatch, tmp_path):
    import os

    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for key, value in PLANTED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("IAMVIZ_SETTINGS", str(tmp_path / "settings" / "iamviz.ini"))
    return tmp_path


def _readable(path: Path) -> list[bytes]:
    """The bytes of ``path``, plus every zlib stream inside it decompressed (PDF content and PNG text chunks)."""
    data = path.read_bytes()
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return parts


def _assert_clean(where: str, blobs: list[bytes]) -> None:
    for blob in blobs:
        for needle in NEEDLES:
            for encoded in {needle.encode(), needle.encode("utf-16-le")}:
                assert encoded not in blob, f"{needle!r} found in {where}"


def test_planted_credentials_reach_no_file_output_or_log(planted, moto_url, capsys, caplog, qtbot, monkeypatch):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="iamviz")
    out = planted / "out"
    out.mkdir()
    snap = out / "live.json"

    # the CLI: capture, draw, scenarios
    assert main(["snapshot", "--endpoint-url", moto_url, "-o", str(snap)]) == 0
    for suffix in ("png", "svg", "pdf"):
        assert main(["export", str(snap), "-o", str(out / f"graph.{suffix}")]) == 0
    assert main(["scenarios", "--json", str(snap)]) == 0
    assert main(["scenarios", "--json"]) == 0
    assert main(["summary", "--json", str(snap)]) == 0

    # the window: a live capture through the same environment, open the file, save, close (settings written)
    from PySide6.QtWidgets import QMessageBox

    from iamviz.gui.main_window import MainWindow
    from iamviz.gui.settings import Settings

    shown: list[str] = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *a, **k: shown.append(text))
    window = MainWindow(Settings())
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT):
        window.connect_live({"profile": None, "region": "us-east-1", "endpoint_url": moto_url})
    assert window.save_snapshot(str(out / "saved-from-window.json"))
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT):
        window.open_files([str(snap)])
    assert window.export_image(str(out / "window.svg"))
    window.close()
    assert shown == []

    captured = capsys.readouterr()
    written = sorted(p for p in planted.rglob("*") if p.is_file())
    names = {p.name for p in written}
    assert {"live.json", "graph.png", "graph.svg", "graph.pdf", "saved-from-window.json", "iamviz.ini"} <= names
    for path in written:
        _assert_clean(str(path.relative_to(planted)), _readable(path))
    _assert_clean("stdout", [captured.out.encode()])
    _assert_clean("stderr", [captured.err.encode()])
    _assert_clean("the log", [caplog.text.encode(), repr([r.__dict__ for r in caplog.records]).encode()])
    # the search can fail: the planted values were really in use, and the log really was captured
    assert any(r.name == "botocore.credentials" and "environment" in r.getMessage() for r in caplog.records)
    assert "live:default" in snap.read_text(encoding="utf-8")


def test_the_players_credentials_are_visibly_fake(capsys):
    from iamviz.loading import load_sources
    from iamviz.playback import available_builtins, build_builtin

    assert main(["scenarios", "--json"]) == 0
    scenarios = json.loads(capsys.readouterr().out)
    keys = [step["credentials"] for scenario in scenarios for step in scenario["steps"] if step.get("credentials")]
    assert keys, "the classroom scenarios hand out credentials"
    for credentials in keys:
        key = credentials["access_key_id"]
        assert key.startswith("ASIA") and len(key) == 20 and "FAKE" in key, key
        assert "FAKE" in credentials["session_token"]
    snapshot = load_sources([])
    facts = snapshot.teaching["facts"]
    for name in available_builtins(facts):
        for step in build_builtin(snapshot, facts, name).steps:
            if step.credentials is not None:
                assert "FAKE" in step.credentials.secret_access_key
                assert step.credentials.access_key_id.endswith("FAKE")  # the ticket shows ASIA…FAKE
