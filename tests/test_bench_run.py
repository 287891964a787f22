"""bench/run.py still runs: the core stages on a small account, with the table, the JSON and the targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_stages_run_and_report_their_ratios_to_the_floor(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the generated account goes to tmp_path/iamviz-bench
    out = tmp_path / "times.json"
    command = [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "60", "--repeat", "2"]
    command += ["--only", "graph", "edges", "--json", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (result,) = json.loads(out.read_text())
    stages = {key: value for key, value in result["stages"].items() if value["times"]}
    assert set(stages) == {"json", "parse", "graph", "edges"}
    assert all(len(stage["times"]) == 2 and min(stage["times"]) > 0 for stage in stages.values())
    assert result["edge_count"] > 0
    assert "| trust graph, every edge evaluated |" in done.stdout
    assert "its edges stored again, none judged" in done.stdout
    assert "60 roles: graph, every edge evaluated" in done.stdout
    assert list((tmp_path / "iamviz-bench").glob("account-60-*.json"))
