"""``reportlib progress --quarter 2025Q3``: the KPI table as CSV."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from reportlib import workspace
from reportlib.errors import EXIT_OK, InputError
from reportlib.progress.kpi import _canonical_quarter, compute_progress
from reportlib.progress.rollup import status_counts
from reportlib.quarters import quarter_label

# --------------------------------------------------------------------------- CLI


def _counts_text(progress: pd.DataFrame, quarter: str) -> str:
    """One line of status counts, e.g. "2025年第三季度 共 60 项：已完成 5，…"."""
    counts = status_counts(progress)
    parts = "，".join(f"{label} {count}" for label, count in zip(counts["status_label"], counts["count"]))
    return f"{quarter_label(quarter)}（{quarter}）共 {len(progress)} 项指标：{parts}"


def progress_csv_bytes(progress: pd.DataFrame) -> bytes:
    """CSV bytes: UTF-8 with BOM (Excel shows Chinese), LF line ends, text neutralised."""
    from reportlib.actuals import neutralize

    out = progress.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def run_progress(args) -> int:
    """``reportlib progress``: write the KPI table as CSV, print status counts to stderr."""
    from reportlib.actuals import ACTUALS_FILE, load_actuals, write_bytes_atomic
    from reportlib.plan import load_plan

    ws = workspace.current()
    year = ws.year(args.year, None if args.year else args.quarter)
    plan = load_plan(Path(args.plan) if args.plan else ws.plan_file(year))
    quarter = _canonical_quarter(args.quarter, plan.year)
    processed = Path(args.processed) if args.processed else ws.processed(plan.year)
    actuals_path = processed / f"{ACTUALS_FILE}.parquet"
    if not actuals_path.exists():
        raise InputError(f"找不到 {plan.year} 年的实际完成数据，请先运行 `reportlib ingest --year {plan.year}`",
                         file=str(actuals_path))
    progress = compute_progress(plan, load_actuals(processed), quarter)
    out = Path(args.out) if args.out else processed / f"progress_{quarter}.csv"
    write_bytes_atomic(out, progress_csv_bytes(progress))
    print(_counts_text(progress, quarter), file=sys.stderr)
    print(f"输出：{out}", file=sys.stderr)
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``reportlib progress``."""
    parser = subparsers.add_parser(
        "progress",
        help="各指标序时进度、状态与全年预测 → CSV",
        description="Compute expected progress, status and year-end forecast of every KPI for one quarter.",
    )
    parser.add_argument("--quarter", required=True, help="e.g. 2026Q3 (any form reportlib reads: 2026年三季度 …; Q3 with --year)")
    parser.add_argument("--year", type=int, help="plan year (default: the quarter's year)")
    parser.add_argument("--out", default=None, help="CSV file (default: <processed>/progress_<quarter>.csv)")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plans/<year>/plan.yaml)")
    parser.add_argument("--processed", default=None, help="folder with actuals.parquet (default: data/processed/<year>)")
    parser.set_defaults(func=run_progress)
