"""Command line: ``reportlib ingest``."""
from __future__ import annotations

import sys
from pathlib import Path


from reportlib.actuals.rules import ACTUALS_FILE, REJECTS_FILE
from reportlib.actuals.store import ingest, load_plan_file
from reportlib import workspace
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK

# --------------------------------------------------------------------------- CLI


def summary_text(summary: dict) -> str:
    """Human-readable summary counts (Chinese), printed by ``reportlib ingest``."""
    lines = [
        f"读取文件 {summary['files_read']} 个（无法读取 {summary['files_failed']} 个），数据行 {summary['rows_read']} 行：",
        f"  采用 {summary['accepted']}，被更正替代 {summary['superseded']}，拒收 {summary['rejected']}，跳过 {summary['skipped']}（空行/表尾/未填写）",
    ]
    if summary.get("details"):
        lines.append(f"  村（社区）分表明细 {summary['details']} 行（另存 details 表，不计入进度）")
    if summary.get("conflicts"):
        lines.append(f"  冲突 {len(summary['conflicts'])} 处（同一填报日期数值不同，见 ingest_summary.json 的 conflicts）")
    if summary.get("files_not_read"):
        lines.append(f"  未读取的文件 {len(summary['files_not_read'])} 个：" + "；".join(
            f"{e['file']}（{e['message']}）" for e in summary["files_not_read"][:10]) + ("……" if len(summary["files_not_read"]) > 10 else ""))
    if summary["by_reason"]:
        lines.append("  拒收原因：" + "，".join(f"{code} {n}" for code, n in summary["by_reason"].items()))
    for error in summary["file_errors"]:
        lines.append(f"  文件问题：{error['message']}")
    return "\n".join(lines)


def run_ingest(args) -> int:
    """``reportlib ingest``: returns EXIT_BAD_INPUT under --strict when anything was rejected.
    (The command line runs it under the workspace's build lock: :data:`reportlib.cli.DATA_COMMANDS`.)"""
    ws = workspace.current()
    plan = load_plan_file(Path(args.plan) if args.plan else ws.plan_file(ws.year(args.year)))
    out = Path(args.out) if args.out else ws.processed(plan.year)
    result = ingest(Path(args.raw) if args.raw else ws.actuals_raw, out, plan)
    print(f"{plan.organization}{plan.year}年：")
    print(summary_text(result.summary))
    print(f"输出：{out / (ACTUALS_FILE + '.parquet')}，拒收明细：{out / (REJECTS_FILE + '.csv')}")
    if args.strict and not result.clean:
        print("reportlib: --strict：存在拒收行或文件问题", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``reportlib ingest``."""
    parser = subparsers.add_parser(
        "ingest",
        help="读取各单位季度填报（xlsx/csv）→ data/processed/<年份>/actuals.parquet",
        description="Read quarterly submissions, validate against the plan, write actuals/rejects/summary.",
    )
    parser.add_argument("--year", type=int, help="plan year (default: the workspace's latest plan year)")
    parser.add_argument("--raw", default=None, help="submissions folder (default: the workspace's data/raw/actuals)")
    parser.add_argument("--out", default=None, help="output folder (default: data/processed/<year>)")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plans/<year>/plan.yaml)")
    parser.add_argument("--strict", action="store_true", help=f"exit {EXIT_BAD_INPUT} on any reject or file error")
    parser.set_defaults(func=run_ingest)
