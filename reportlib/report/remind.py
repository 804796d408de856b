"""``reportlib remind``: the 催报 list — per responsible unit, what it still owes for a quarter:
KPIs not sent (未报送), rows sent but rejected (已报送但被退回: the reason and what to send) and
figures held for checking (待核实), with the date of the list and the deadline.

Printed, and written as HTML and Word (``<reports>/remind/<year>-Q<n>-催报.{html,docx}``) for the
office to send before the deadline. ``reportlib build --latest`` writes it too when the quarter
it builds has ended and some KPIs have no submission.
"""
from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from reportlib.report import owners, present
from reportlib import quarters, workspace
from reportlib.atomic import write_bytes_atomic
from reportlib.errors import EXIT_OK, UsageError

FOLDER = "remind"
COLUMNS = {"kpi_id": "编号", "name": "指标", "previous_quarter": "上次报送季度", "last_figure": "上次报送数"}
RETURNED_COLUMNS = ("编号", "指标", "退回原因", "请报送")
HELD_COLUMNS = ("编号", "指标", "待核实原因及处理办法")
# Submissions are due this many days after the quarter ends (the list names the date); `--deadline` overrides.
REPORT_DEADLINE_DAYS = 10


@dataclass(frozen=True)
class UnitList:
    """What one responsible unit still owes for a quarter: KPIs not sent at all (``missing``),
    rows sent but rejected (``returned``: with the reason and what to send) and figures held
    for checking (``held``)."""

    missing: pd.DataFrame
    returned: pd.DataFrame
    held: pd.DataFrame

    def __len__(self) -> int:
        return len(self.missing) + len(self.returned) + len(self.held)


def missing_list(plan, table: pd.DataFrame, quarter: str, rejects: pd.DataFrame | None = None) -> dict[str, UnitList]:
    """owner -> what it still owes for ``quarter`` (owners owing nothing left out, NO_OWNER last)."""
    from reportlib import progress

    frame = owners.with_owners(progress.compute_progress(plan, table, quarter), plan.kpis)
    returned = _returned(plan, rejects, quarter, frame)
    lists = {}
    for owner in sorted(set(frame["owner"])):
        rows = frame[frame["owner"] == owner]
        mine = returned[returned["owner"] == owner] if not returned.empty else returned
        missing = rows[(rows["status"] == progress.MISSING) & ~rows["kpi_id"].isin(set(mine.get("kpi_id", [])))]
        held = rows[rows["status"] == progress.HELD]
        found = UnitList(missing.reset_index(drop=True), mine.reset_index(drop=True), held.reset_index(drop=True))
        if len(found):
            lists[owner] = found
    order = sorted(n for n in lists if n != owners.NO_OWNER) + ([owners.NO_OWNER] if owners.NO_OWNER in lists else [])
    return {name: lists[name] for name in order}


def _returned(plan, rejects: pd.DataFrame | None, quarter: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The quarter's rejected rows of KPIs that have no usable or held figure, with their owner."""
    from reportlib import actuals

    columns = ["owner", "kpi_id", "name", "reason", "action"]
    if rejects is None or rejects.empty or "kpi_id" not in rejects.columns:
        return pd.DataFrame(columns=columns)
    owner_of = dict(zip(frame["kpi_id"], frame["owner"]))
    open_ids = set(frame.loc[frame["status"] == "missing", "kpi_id"])
    rows = []
    for record in rejects[rejects["quarter"] == quarter].to_dict("records"):
        if record["kpi_id"] in open_ids:
            rows.append({"owner": owner_of[record["kpi_id"]], "kpi_id": record["kpi_id"], "name": record["kpi_name"],
                         "reason": actuals.reject_reason(record),
                         "action": actuals.REJECT_ACTIONS.get(record["reason"], "请更正后重新报送")})
    return pd.DataFrame(rows, columns=columns).drop_duplicates(["kpi_id", "reason"]).reset_index(drop=True)


def _last_figure(row: dict) -> str:
    if row.get("kind") == "milestone":
        return present.STATE_LABELS.get(row.get("previous_state") or "", "—")
    value = row.get("previous_actual")
    return "—" if present.is_missing(value) else present.fmt_quantity(value, row.get("unit") or "")


def title_of(plan, quarter: str) -> str:
    return f"{plan.organization}{quarters.quarter_label(quarter)}重点工作催报清单"


def deadline_of(quarter: str, deadline: dt.date | None = None) -> dt.date:
    """The day submissions for ``quarter`` are due: ``deadline``, else REPORT_DEADLINE_DAYS after its end."""
    return deadline or quarters.quarter_end_date(quarter) + dt.timedelta(days=REPORT_DEADLINE_DAYS)


def _when(today: dt.date, deadline: dt.date) -> str:
    """请于…前 before the deadline, 已过… after it."""
    return f"请于{cn_date(deadline)}前" if today <= deadline else f"报送截止日期（{cn_date(deadline)}）已过，请尽快"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _tables(unit: UnitList) -> list[tuple[str, pd.DataFrame, tuple[str, ...]]]:
    """(heading, table, numeric columns) of each part of a unit's list that has rows."""
    parts = []
    if len(unit.missing):
        rows = unit.missing.to_dict("records")
        table = pd.DataFrame([{**{COLUMNS[c]: r.get(c) or "—" for c in ("kpi_id", "name", "previous_quarter")},
                               COLUMNS["last_figure"]: _last_figure(r)} for r in rows], columns=list(COLUMNS.values()))
        parts.append((f"未报送（{len(rows)}项）", table, (COLUMNS["last_figure"],)))
    if len(unit.returned):
        table = pd.DataFrame({"编号": unit.returned["kpi_id"], "指标": unit.returned["name"],
                              "退回原因": unit.returned["reason"], "请报送": unit.returned["action"]},
                             columns=list(RETURNED_COLUMNS))
        parts.append((f"已报送但被退回（{len(table)}行）", table, ()))
    if len(unit.held):
        table = pd.DataFrame({"编号": unit.held["kpi_id"], "指标": unit.held["name"],
                              "待核实原因及处理办法": unit.held["judgement_message"]}, columns=list(HELD_COLUMNS))
        parts.append((f"已报送、待核实（{len(table)}项）", table, ()))
    return parts


def body_html(plan, quarter: str, missing: dict[str, UnitList], *, today: dt.date | None = None,
              deadline: dt.date | None = None) -> str:
    """The list as HTML: the date and deadline, then per unit its parts in tables."""
    today = today or dt.date.today()
    counts = [sum(len(u.missing) for u in missing.values()), sum(len(u.returned) for u in missing.values()),
              sum(len(u.held) for u in missing.values())]
    parts = [f"<h1>{escape(title_of(plan, quarter))}</h1>",
             f"<p>清单日期：{cn_date(today)}　报送截止：{cn_date(deadline_of(quarter, deadline))}</p>",
             f"<p>依据《{escape(str(plan.title))}》，截至{cn_date(today)}，{len(missing)}个责任单位共{counts[0]}项指标"
             f"尚未报送{escape(quarters.quarter_label(quarter))}数据，另有{counts[1]}行报送被退回、{counts[2]}项数据待核实，"
             f"{_when(today, deadline_of(quarter, deadline))}按下表补报或更正（更正件填写更晚的填报日期）。</p>"]
    if not missing:
        parts.append("<p>本季度各指标均已报送。</p>")
    for owner, unit in missing.items():
        parts.append(f"<h2>{escape(owner)}（{len(unit)}项）</h2>")
        for heading, table, numeric in _tables(unit):
            parts.append(f"<h3>{escape(heading)}</h3>")
            parts.append(present.table_html(table, numeric=numeric))
    return "\n".join(parts)


def text_lines(plan, quarter: str, missing: dict[str, UnitList], *, today: dt.date | None = None,
               deadline: dt.date | None = None) -> list[str]:
    """The list as plain lines for the terminal."""
    today = today or dt.date.today()
    lines = [title_of(plan, quarter), f"清单日期：{cn_date(today)}　报送截止：{cn_date(deadline_of(quarter, deadline))}"]
    for owner, unit in missing.items():
        lines.append(f"{owner}（{len(unit)}项）：")
        lines.extend(f"  未报送 {r['kpi_id']} {r['name']}" for r in unit.missing.to_dict("records"))
        lines.extend(f"  已报送但被退回 {r['kpi_id']} {r['name']}：{r['reason']}（{r['action']}）"
                     for r in unit.returned.to_dict("records"))
        lines.extend(f"  待核实 {r['kpi_id']} {r['name']}：{r['judgement_message']}" for r in unit.held.to_dict("records"))
    if not missing:
        lines.append("本季度各指标均已报送。")
    return lines


def write_remind(plan, quarter: str, missing: dict[str, UnitList], out_dir: Path, *, today: dt.date | None = None,
                 deadline: dt.date | None = None) -> list[Path]:
    """Write the HTML and Word list into ``out_dir/remind/``; return the paths."""
    from reportlib.report import index
    from reportlib.report.word import html_to_docx

    body = body_html(plan, quarter, missing, today=today, deadline=deadline)
    folder = Path(out_dir) / FOLDER
    stem = f"{quarters.quarter_year(quarter)}-Q{quarters.quarter_index(quarter)}-催报"
    html_path, docx_path = folder / f"{stem}.html", folder / f"{stem}.docx"
    write_bytes_atomic(html_path, index.page_html(title_of(plan, quarter), body).encode("utf-8"))
    write_bytes_atomic(docx_path, html_to_docx(body))
    return [html_path, docx_path]


def remind_for(quarter: str, out_dir: Path | None = None, ws: workspace.Workspace | None = None, *,
               only_if_missing: bool = False, today: dt.date | None = None, deadline: dt.date | None = None):
    """(plan, list per owner, files written) for ``quarter`` of the workspace (ingesting first
    when stale); with ``only_if_missing`` nothing is written when no unit owes anything."""
    from reportlib import actuals
    from reportlib.report.data import cached_plan

    ws = ws or workspace.current()
    year = quarters.quarter_year(quarter)
    plan = cached_plan(ws.plan_file(year))
    actuals.ensure_ingested(plan=plan, raw_dir=ws.actuals_raw, out_dir=ws.processed(year))
    missing = missing_list(plan, actuals.load_actuals(ws.processed(year)), quarter,
                           actuals.load_rejects(ws.processed(year)))
    if only_if_missing and not missing:
        return plan, missing, []
    return plan, missing, write_remind(plan, quarter, missing, out_dir or ws.reports, today=today, deadline=deadline)


def run_remind(args) -> int:
    """``reportlib remind --quarter 2026Q3 [--out DIR] [--today D] [--deadline D]``."""
    quarter = quarters.parse_quarter(args.quarter)
    today, deadline = _day(args.today, "--today") or dt.date.today(), _day(args.deadline, "--deadline")
    plan, missing, written = remind_for(quarter, Path(args.out) if args.out else None, today=today, deadline=deadline)
    print("\n".join(text_lines(plan, quarter, missing, today=today, deadline=deadline)))
    print("输出：" + "、".join(str(p) for p in written), file=sys.stderr)
    return EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser("remind", help="催报清单：各责任单位本季度尚未报送的指标（打印并写出 HTML 与 Word）")
    parser.add_argument("--quarter", required=True, help="e.g. 2026Q3 (uses that year's plan)")
    parser.add_argument("--out", default=None, help="output folder (default: the workspace's reports/; files go into remind/)")
    parser.add_argument("--today", default=None, help="YYYY-MM-DD: the date of the list (default: today)")
    parser.add_argument("--deadline", default=None,
                        help=f"YYYY-MM-DD: the submission deadline (default: {REPORT_DEADLINE_DAYS} days after the quarter ends)")
    parser.set_defaults(func=run_remind)


def _day(text: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date (a usage error, exit 2, otherwise)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} 应为 YYYY-MM-DD 格式的真实日期（例如 2026-10-10），收到 {text!r}") from None
