"""``reports/status.json``: how the last runs ended, for operators and for the index page.

Written by every run that got the lock (a run that found another one running only logs)::

    {"last_run": {...}, "last_success": {...}, "last_failure": {...}}

each run entry being ``{"started", "finished", "exit_code", "outcome", "reason", "rendered",
"kept", "log", "pid"}`` (``outcome``: ok, nothing-to-do, failed or stopped; ``reason``: one line,
empty when it succeeded). A run writes its entry when it starts, as ``running``, and again when
it ends; a run killed meanwhile (kill -9, the OOM killer, a power cut) leaves ``running``, which
the next run records as ``killed`` (:func:`start_run`) and which :func:`last_run` reports as
killed once its process is gone — never as the run before it. The file is replaced atomically;
on a full disk it is left as it was and the run's log says so.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from reportlib.report.index import FAILED_OUTCOMES

STATUS_FILE = "status.json"
OK_OUTCOMES = ("ok", "nothing-to-do")
RUNNING, KILLED = "running", "killed"
KILLED_REASON = "运行中被终止（kill -9、内存不足被系统终止或断电等），没能写下结果；reports/ 仍是此前发布的一套"

log = logging.getLogger("reportlib.build")


def read_status(out_dir: Path) -> dict:
    """The status of ``out_dir`` ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(out_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, TypeError, ValueError):
        return False
    except PermissionError:
        return True
    return True


def killed(run: dict) -> dict:
    """A ``running`` entry whose run is gone, as the ``killed`` entry it stands for."""
    return {**run, "outcome": KILLED, "exit_code": None, "reason": KILLED_REASON}


def last_run(out_dir: Path) -> dict:
    """The last run's entry; a ``running`` one whose process is gone is reported as ``killed``."""
    run = read_status(out_dir).get("last_run") or {}
    if run.get("outcome") == RUNNING and not _alive(run.get("pid")):
        return killed(run)
    return run


def start_run(out_dir: Path, run: dict) -> dict:
    """Record ``run`` (taken over the lock, so no earlier run still runs) as ``running``; an
    earlier run left ``running`` becomes the last failure, ``killed``."""
    status = read_status(out_dir)
    previous = status.get("last_run") or {}
    if previous.get("outcome") == RUNNING:
        status["last_failure"] = killed(previous)
    status["last_run"] = {**run, "outcome": RUNNING}
    return _write(out_dir, status)


def record_run(out_dir: Path, run: dict) -> dict:
    """Add ``run`` as the last run (and last success or failure); return the new status."""
    status = read_status(out_dir)
    status["last_run"] = run
    if run.get("outcome") != RUNNING:
        status["last_success" if run.get("outcome") in OK_OUTCOMES else "last_failure"] = run
    return _write(out_dir, status)


def _write(out_dir: Path, status: dict) -> dict:
    path = Path(out_dir) / STATUS_FILE
    temporary = path.with_name(f".{STATUS_FILE}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(status, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.error("无法写入 %s：%s", path, exc.strerror or exc)
        try:
            temporary.unlink()
        except OSError:
            pass
    return status


def failing(status: dict) -> bool:
    """Whether the last run failed (the index then says so)."""
    return (status.get("last_run") or {}).get("outcome") in FAILED_OUTCOMES
