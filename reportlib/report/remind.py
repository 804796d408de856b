"""``reportlib remind``: the 催报 list — per responsible unit, the KPIs still missing for a quarter.

Printed, and written as HTML and Word (``<reports>/remind/<year>-Q<n>-催报.{html,docx}``) for the
office to send before the deadline. ``reportlib build --latest`` writes it too when the quarter
it builds has ended and some KPIs have no submission.
"""
from __future__ import annotations

import sys
from html import escape
from pathlib import Path

import pandas as pd

from reportlib.report import owners, present
from reportlib import quarters, workspace
from reportlib.atomic import write_bytes_atomic
from reportlib.errors import EXIT_OK

FOLDER = "remind"
COLUMNS = {"kpi_id": "编号", "name": "指标", "previous_quarter": "上次报送季度", "last_figure": "上次报送数"}


def missing_list(plan, table: pd.DataFrame, quarter: str) -> dict[str, pd.DataFrame]:
    """owner -> its KPIs with no submission for ``quarter`` (owners with none left out)."""
    from reportlib import progress

    return owners.missing_by_owner(progress.compute_progress(plan, table, quarter), plan.kpis)


def _last_figure(row: dict) -> str:
    if row.get("kind") == "milestone":
        return present.STATE_LABELS.get(row.get("previous_state") or "", "—")
    value = row.get("previous_actual")
    return "—" if present.is_missing(value) else present.fmt_quantity(value, row.get("unit") or "")


def title_of(plan, quarter: str) -> str:
    return f"{plan.organization}{quarters.quarter_label(quarter)}重点工作催报清单"


def body_html(plan, quarter: str, missing: dict[str, pd.DataFrame]) -> str:
    """The list as HTML: a heading per unit with its missing KPIs in a table."""
    total = sum(len(f) for f in missing.values())
    parts = [f"<h1>{escape(title_of(plan, quarter))}</h1>",
             f"<p>依据《{escape(str(plan.title))}》，截至本清单生成时，{len(missing)}个责任单位共{total}项指标"
             f"尚未报送{escape(quarters.quarter_label(quarter))}数据，请于报送截止前补报。</p>"]
    if not missing:
        parts.append("<p>本季度各指标均已报送。</p>")
    for owner, frame in missing.items():
        rows = frame.to_dict("records")
        table = pd.DataFrame([{**{COLUMNS[c]: r.get(c) or "—" for c in ("kpi_id", "name", "previous_quarter")},
                               COLUMNS["last_figure"]: _last_figure(r)} for r in rows], columns=list(COLUMNS.values()))
        parts.append(f"<h2>{escape(owner)}（{len(rows)}项）</h2>")
        parts.append(present.table_html(table, numeric=(COLUMNS["last_figure"],)))
    return "\n".join(parts)


def text_lines(plan, quarter: str, missing: dict[str, pd.DataFrame]) -> list[str]:
    """The list as plain lines for the terminal."""
    lines = [title_of(plan, quarter)]
    for owner, frame in missing.items():
        lines.append(f"{owner}（{len(frame)}项）：")
        lines.extend(f"  {r['kpi_id']} {r['name']}" for r in frame.to_dict("records"))
    if not missing:
        lines.append("本季度各指标均已报送。")
    return lines


def write_remind(plan, quarter: str, missing: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write the HTML and Word list into ``out_dir/remind/``; return the paths."""
    from reportlib.report import index
    from reportlib.report.word import html_to_docx

    body = body_html(plan, quarter, missing)
    folder = Path(out_dir) / FOLDER
    stem = f"{quarters.quarter_year(quarter)}-Q{quarters.quarter_index(quarter)}-催报"
    html_path, docx_path = folder / f"{stem}.html", folder / f"{stem}.docx"
    write_bytes_atomic(html_path, index.page_html(title_of(plan, quarter), body).encode("utf-8"))
    write_bytes_atomic(docx_path, html_to_docx(body))
    return [html_path, docx_path]


def remind_for(quarter: str, out_dir: Path | None = None, ws: workspace.Workspace | None = None, *,
               only_if_missing: bool = False):
    """(plan, missing per owner, files written) for ``quarter`` of the workspace (ingesting first
    when stale); with ``only_if_missing`` nothing is written when every KPI was submitted."""
    from reportlib import actuals
    from reportlib.report.data import cached_plan

    ws = ws or workspace.current()
    year = quarters.quarter_year(quarter)
    plan = cached_plan(ws.plan_file(year))
    actuals.ensure_ingested(plan=plan, raw_dir=ws.actuals_raw, out_dir=ws.processed(year))
    missing = missing_list(plan, actuals.load_actuals(ws.processed(year)), quarter)
    if only_if_missing and not missing:
        return plan, missing, []
    return plan, missing, write_remind(plan, quarter, missing, out_dir or ws.reports)


def run_remind(args) -> int:
    """``reportlib remind --quarter 2026Q3 [--out DIR]``."""
    quarter = quarters.parse_quarter(args.quarter)
    plan, missing, written = remind_for(quarter, Path(args.out) if args.out else None)
    print("\n".join(text_lines(plan, quarter, missing)))
    print("输出：" + "、".join(str(p) for p in written), file=sys.stderr)
    return EXIT_OK


def register(subparsers) -> None:
    parser = subparsers.add_parser("remind", help="催报清单：各责任单位本季度尚未报送的指标（打印并写出 HTML 与 Word）")
    parser.add_argument("--quarter", required=True, help="e.g. 2026Q3 (uses that year's plan)")
    parser.add_argument("--out", default=None, help="output folder (default: the workspace's reports/; files go into remind/)")
    parser.set_defaults(func=run_remind)
