"""``reports/status.json``: how the last runs ended, for operators and for the index page.

Written by every run that got the lock (a run that found another one running only logs)::

    {"last_run": {...}, "last_success": {...}, "last_failure": {...}}

each run entry being ``{"started", "finished", "exit_code", "outcome", "reason", "rendered",
"kept", "log"}`` (``outcome``: ok, nothing-to-do, failed or stopped; ``reason``: one line,
empty when it succeeded). The file is replaced atomically; on a full disk it is left as it
was and the run's log says so.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from reportlib.report.index import FAILED_OUTCOMES

STATUS_FILE = "status.json"
OK_OUTCOMES = ("ok", "nothing-to-do")

log = logging.getLogger("reportlib.build")


def read_status(out_dir: Path) -> dict:
    """The status of ``out_dir`` ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(out_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_run(out_dir: Path, run: dict) -> dict:
    """Add ``run`` as the last run (and last success or failure); return the new status."""
    status = read_status(out_dir)
    status["last_run"] = run
    status["last_success" if run.get("outcome") in OK_OUTCOMES else "last_failure"] = run
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
