"""What a run says of itself is true: a killed run is reported as killed, a quiet run that succeeds
prints nothing, every disk and permission message names its path, the published set survives a
broken ``reports/current`` link, a mistyped workspace is an error, ``--today`` before any data says why.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportlib import workspace as wsmod
from reportlib.build import publish, status
from reportlib.cli import main
from reportlib.errors import EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE

REPORTLIB = str(Path(sys.executable).with_name("reportlib"))
NOTIFY = wsmod.PROJECT_ROOT / "deploy" / "notify-failure.sh"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", root / "data" / "raw")
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(root))  # (reportlib -C sets it; restored after the test)
    return root


def _build_command(ws: Path, *args: str) -> list[str]:
    return [REPORTLIB, "-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--jobs", "1",
            "--formats", "html", *args]


def _notify(ws: Path, tmp_path: Path) -> str:
    """What deploy/notify-failure.sh tells the operator about the last run."""
    message = tmp_path / "notice.txt"
    env = {**os.environ, "REPORTS_DIR": str(ws / "reports"), "NOTIFY_COMMAND": f"cat > {message}"}
    subprocess.run(["bash", str(NOTIFY), "reportlib-build.service"], env=env, capture_output=True, timeout=60, check=True)
    return message.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- item 8: a killed run


def test_a_run_killed_with_kill_9_is_reported_as_killed_not_as_the_run_before(ws, tmp_path):
    assert subprocess.run(_build_command(ws), capture_output=True, timeout=600).returncode == EXIT_OK
    out = ws / "reports"
    assert status.read_status(out)["last_run"]["exit_code"] == 0
    proc = subprocess.Popen(_build_command(ws, "--force"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(3000):
        if list(out.glob(".staging-*/.running/*")):
            break
        assert proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # as the OOM killer does
    proc.wait()
    assert status.read_status(out)["last_run"]["outcome"] == "running"  # (before: the run before, "ok", exit 0)
    assert status.last_run(out)["outcome"] == "killed"
    notice = _notify(ws, tmp_path)
    assert "was killed" in notice and f"pid {proc.pid}" in notice and "exit 0" not in notice
    assert subprocess.run(_build_command(ws), capture_output=True, timeout=600).returncode == EXIT_OK
    after = status.read_status(out)
    assert after["last_failure"]["outcome"] == "killed" and after["last_failure"]["pid"] == proc.pid
    assert after["last_run"]["outcome"] == "ok"


# --------------------------------------------------------------------------- --quiet


def test_quiet_prints_nothing_on_success_on_a_server_without_home_or_fonts(ws, tmp_path):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path / "no-such-home"), "FONTCONFIG_FILE": str(empty),
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    done = subprocess.run(_build_command(ws, "--quiet"), env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == EXIT_OK
    assert done.stdout == "" and done.stderr == ""  # (before: IPython's and WeasyPrint's warnings)
    assert list((ws / "reports" / "2025-Q1").glob("pillar-5.html"))
