"""What a run says of itself is true: a killed run is reported as killed, a quiet run that succeeds
prints nothing, every disk and permission message names its path, the published set survives a
broken ``reports/current`` link, a mistyped workspace is an error, ``--today`` before any data says why.
"""
from __future__ import annotations

import errno
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
from test_faults import _published  # noqa: E402 (what a reader sees under reports/)

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


# --------------------------------------------------------------------------- disk full: the path, exit 5


@pytest.fixture
def full_disk(monkeypatch):
    """Every file written atomically (the processed tables) goes to /dev/full: a write fails with
    ENOSPC as on a full disk, naming no file."""
    from reportlib import atomic

    def to_dev_full(prefix="", suffix="", dir=None):
        return os.open("/dev/full", os.O_WRONLY), os.path.join(dir, f"{prefix}never{suffix}")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", to_dev_full)


def test_ingest_on_a_full_disk_is_exit_5_with_one_sentence_naming_the_processed_folder(ws, full_disk, capsys):
    assert main(["-C", str(ws), "ingest"]) == EXIT_ENVIRONMENT  # (before: exit 1 and a traceback)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "磁盘已满" in err and str(ws / "data" / "processed" / "2025") in err and "reportlib ingest" in err


def test_a_build_whose_ingest_meets_a_full_disk_names_the_processed_folder_not_the_reports(ws, full_disk, capsys):
    code = main(["-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--log-file", str(ws / "log")])
    assert code == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "磁盘已满" in err and str(ws / "data" / "processed" / "2025") in err and "输出文件夹" not in err
    assert str(ws / "data" / "processed" / "2025") in status.read_status(ws / "reports")["last_run"]["reason"]


def test_a_report_file_that_meets_a_full_disk_is_named(ws, monkeypatch, capsys):
    from reportlib.build import pipeline

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")  # (a write names no file)

    monkeypatch.setattr(pipeline.Path, "write_bytes", full)
    code = main(["-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--jobs", "1", "--formats", "html",
                 "--log-file", str(ws / "log")])
    assert code == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "磁盘已满" in err and "2025-Q1/pillar-5.html" in err and "输出文件夹" not in err


# --------------------------------------------------------------------------- a broken reports/current


@pytest.mark.parametrize("damage", ["missing", "dangling"])
def test_a_missing_or_dangling_current_link_is_repaired_from_the_newest_complete_set_never_deleted(ws, damage):
    assert subprocess.run(_build_command(ws), capture_output=True, timeout=600).returncode == EXIT_OK
    out = ws / "reports"
    before = _published(out)
    assert "2025-Q1/pillar-5.html" in before
    (out / publish.CURRENT).unlink()
    if damage == "dangling":
        (out / publish.CURRENT).symlink_to(f"{publish.GENERATIONS}/no-such-set")
    done = subprocess.run(_build_command(ws), capture_output=True, text=True, timeout=600)
    assert done.returncode == EXIT_OK, done.stderr
    last = status.read_status(out)["last_run"]
    assert last["rendered"] == [] and last["kept"] == ["2025-Q1/pillar-5"]  # (before: the set deleted, all rendered again)
    assert _published(out) == before
    assert publish.current_generation(out) is not None
    assert "已指回最新的完整一套报告" in done.stderr


# --------------------------------------------------------------------------- -C and --today


def test_a_mistyped_workspace_path_is_a_usage_error_and_nothing_is_created(tmp_path, capsys):
    missing = tmp_path / "城东街到"  # a typo
    assert main(["-C", str(missing), "build", "--latest"]) == EXIT_USAGE
    assert not missing.exists()  # (before: created, with reports/ and logs/ in it)
    assert "工作区文件夹不存在" in capsys.readouterr().err


def test_today_before_any_data_says_why_in_the_output_even_quiet(ws, capsys):
    code = main(["-C", str(ws), "build", "--latest", "--today", "2024-06-01", "--quiet", "--log-file", str(ws / "log")])
    assert code == EXIT_OK
    out = capsys.readouterr().out
    assert "2024-06-01" in out and "2025Q1" in out and "2025年3月31日" in out  # (before: nothing printed, exit 0)
    assert status.read_status(ws / "reports")["last_run"]["outcome"] == "nothing-to-do"
