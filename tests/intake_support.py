"""What the intake tests share: a small workspace made in the test, filled workbooks, a real
server on loopback."""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

from reportlib import template, workspace
from reportlib.intake.tokens import BOARD, UNIT, TokenStore
from reportlib.plan import load_plan

YEAR = 2026
QUARTER = "2026Q3"


def unit_name(n: int) -> str:
    return f"第{n:02d}办"


def make_workspace(root: Path, units: int = 2) -> workspace.Workspace:
    """A workspace whose plan gives each unit three KPIs: a count, a rate and a milestone."""
    ws = workspace.init(root, "测试街道")
    tasks, kpis = [], []
    for n in range(1, units + 1):
        task = f"1.{n}"
        tasks.append({"task": task, "title": f"{unit_name(n)}的工作"})
        for nn, (name, kind, target, unit, due) in enumerate((
                (f"{unit_name(n)}新建站点", "count", 100, "个", None),
                (f"{unit_name(n)}群众满意度", "rate", 95, "%", None),
                (f"{unit_name(n)}制定工作办法", "milestone", None, None, 4)), start=1):
            kpis.append({"id": f"K1.{n}.{nn:02d}", "pillar": 1, "task": task, "name": name, "kind": kind, "target": target,
                         "unit": unit, "comparator": "at_least", "period": "year", "schedule": None, "due_quarter": due,
                         "owner": unit_name(n), "source_text": f"{name}{target or ''}"})
    plan = {"organization": "测试街道", "year": YEAR, "title": f"测试街道{YEAR}年工作要点", "source": "plan.txt",
            "pillars": [{"pillar": 1, "title": "抓好重点工作", "tasks": tasks}], "kpis": kpis}
    ws.plan_dir(YEAR).mkdir(parents=True, exist_ok=True)
    (ws.plan_dir(YEAR) / "plan.txt").write_text("测试街道工作要点（测试用）\n", encoding="utf-8")
    ws.plan_file(YEAR).write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ws


def plan_of(ws: workspace.Workspace):
    return load_plan(ws.plan_file(YEAR))


def issue(ws: workspace.Workspace, units: list[str], deadline: dt.date | None = None) -> dict[str, str]:
    """unit -> token (and "board" -> the board's token) for QUARTER, valid a month from today
    unless ``deadline`` says otherwise."""
    deadline = deadline or dt.date.today() + dt.timedelta(days=30)
    tokens = TokenStore(ws.intake).issue(QUARTER, units, deadline, deadline + dt.timedelta(days=90))
    found = {unit: tokens[(UNIT, unit)] for unit in units}
    found["board"] = tokens[(BOARD, "")]
    return found


def workbook(ws: workspace.Workspace, unit: str, figures: dict[str, object], date: str = "2026-10-08",
             notes: dict[str, str] | None = None) -> bytes:
    """The unit's template for QUARTER with ``figures`` (KPI id -> 累计完成, or a state for a
    milestone) filled in, dated ``date``."""
    plan = plan_of(ws)
    kpis = [k for k in plan.kpis.to_dict("records") if template.unit_of(k.get("owner")) == unit]
    book = template.build_workbook(kpis, QUARTER, unit, {}, plan.title, plan.organization)
    sheet = book[template.DATA_SHEET]
    col = template.COLUMN_INDEX
    for row in range(template.FIRST_DATA_ROW, template.FIRST_DATA_ROW + len(kpis)):
        kpi_id = sheet.cell(row=row, column=col["kpi_id"]).value
        if kpi_id not in figures:
            continue
        kind = next(k["kind"] for k in kpis if k["kpi_id"] == kpi_id)
        sheet.cell(row=row, column=col["state" if kind == "milestone" else "cumulative"], value=figures[kpi_id])
        sheet.cell(row=row, column=col["report_date"], value=date)
        if notes and kpi_id in notes:
            sheet.cell(row=row, column=col["note"], value=notes[kpi_id])
    return template.workbook_bytes(book)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``reportlib -C ws serve`` in a child process on a free loopback port; its output in a file."""

    def __init__(self, root: Path, log: Path):
        self.root, self.log_path = Path(root), Path(log)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reportlib", "-C", str(self.root), "serve", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text(errors='replace')}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
