"""Command line: ``reportlib ingest``."""
from __future__ import annotations

import sys
from pathlib import Path


from reportlib.actuals import confirmations
from reportlib.actuals.rules import ACTUALS_FILE, MILESTONE_KIND, REASONS, REJECTS_FILE
from reportlib.actuals.store import ingest, load_plan_file
from reportlib import workspace
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from reportlib.quarters import parse_quarter, quarter_label, quarter_year
from reportlib.units import parse_number

# --------------------------------------------------------------------------- CLI


# At most this many rows of each list are printed (all are in ingest_summary.json and rejects.csv).
CONSOLE_ROWS = 50


def summary_text(summary: dict, rejects=None, names: dict[str, str] | None = None) -> str:
    """Human-readable summary (Chinese), printed by ``reportlib ingest``: the counts, the reasons
    in words, and each figure held or warned and each rejected row with what to do
    (``rejects``: the rejects table; ``names``: kpi_id -> name)."""
    names = names or {}
    held, warned, confirmed = summary.get("held", 0), summary.get("warned", 0), summary.get("confirmed", 0)
    inner = "，".join(t for t in (f"其中有提示 {warned}" if warned else "", f"经核实确认 {confirmed}" if confirmed else "") if t)
    lines = [
        f"读取文件 {summary['files_read']} 个（无法读取 {summary['files_failed']} 个），数据行 {summary['rows_read']} 行：",
        f"  采用 {summary['accepted']}{f'（{inner}）' if inner else ''}，暂缓采用（待核实）{held}，"
        f"被更正替代 {summary['superseded']}，拒收 {summary['rejected']}，跳过 {summary['skipped']}（空行/表尾/未填写）",
    ]
    if summary.get("details"):
        lines.append(f"  村（社区）分表明细 {summary['details']} 行（另存 details 表，不计入进度）")
    if summary.get("conflicts"):
        lines.append(f"  冲突 {len(summary['conflicts'])} 处（同一填报日期数值不同，见 ingest_summary.json 的 conflicts）")
    if summary.get("files_not_read"):
        lines.append(f"  未读取的文件 {len(summary['files_not_read'])} 个：" + "；".join(
            f"{e['file']}（{e['message']}）" for e in summary["files_not_read"][:10]) + ("……" if len(summary["files_not_read"]) > 10 else ""))
    if summary["by_reason"]:
        lines.append("  拒收原因：" + "，".join(f"{REASONS.get(code, code)} {n} 行" for code, n in summary["by_reason"].items()))
    for error in summary["file_errors"]:
        lines.append(f"  文件问题：{error['message']}")
    for outcome, title in (("held", "暂缓采用（待核实），请填报单位核实"), ("warned", "采用，但有提示"), ("confirmed", "经核实确认采用")):
        judged = [j for j in summary.get("judged", []) if j["outcome"] == outcome]
        lines.extend(_listed(f"{title}（{len(judged)}项）：", [
            f"{j['kpi_id']}「{names.get(j['kpi_id'], '')}」{quarter_label(j['quarter'])}（{j['file']}"
            f"{'工作表「' + j['sheet'] + '」' if j['sheet'] else ''}第{j['row']}行）：{j['message']}" for j in judged]))
    for unused in summary.get("confirmations_unused", []):
        lines.append(f"  未使用的核实确认：{unused['message']}")
    if rejects is not None and len(rejects):
        lines.extend(_listed(f"拒收的行（{len(rejects)}行）：", [str(m) for m in rejects["message"]]))
    return "\n".join(lines)


def _listed(title: str, items: list[str]) -> list[str]:
    """A titled list, at most CONSOLE_ROWS items and how many more (none when empty)."""
    if not items:
        return []
    more = len(items) - CONSOLE_ROWS
    return ([f"  {title}"] + [f"    {item}" for item in items[:CONSOLE_ROWS]]
            + ([f"    ……另有{more}条，见 ingest_summary.json 和 rejects.csv"] if more > 0 else []))


def run_ingest(args) -> int:
    """``reportlib ingest``: returns EXIT_BAD_INPUT under --strict when anything was rejected or held.
    (The command line runs it under the workspace's build lock: :data:`reportlib.cli.DATA_COMMANDS`.)"""
    ws = workspace.current()
    plan = load_plan_file(Path(args.plan) if args.plan else ws.plan_file(ws.year(args.year)))
    out = Path(args.out) if args.out else ws.processed(plan.year)
    result = ingest(Path(args.raw) if args.raw else ws.actuals_raw, out, plan)
    print(f"{plan.organization}{plan.year}年：")
    print(summary_text(result.summary, result.rejects, dict(zip(plan.kpis["kpi_id"], plan.kpis["name"]))))
    print(f"输出：{out / (ACTUALS_FILE + '.parquet')}，拒收明细：{out / (REJECTS_FILE + '.csv')}")
    if args.strict and not result.clean:
        print("reportlib: --strict：存在拒收行、文件问题或暂缓采用（待核实）的数据", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def run_confirm(args) -> int:
    """``reportlib confirm``: add one confirmation to the quarter folder's confirmations.yaml (the
    analyst's reviewed decision that a held or warned figure is right), then check the whole file."""
    ws = workspace.current()
    quarter = parse_quarter(args.quarter)
    plan = load_plan_file(ws.plan_file(quarter_year(quarter)))
    kpis = {str(k["kpi_id"]): k for k in plan.kpis.to_dict("records")}
    kpi = kpis.get(args.kpi)
    if kpi is None:
        raise InputError(f"计划中没有指标 {args.kpi}", file=str(ws.plan_file(quarter_year(quarter))))
    value: object = args.value
    if str(kpi.get("kind")) != MILESTONE_KIND:
        number = parse_number(args.value)
        if number is None:
            raise InputError(f"确认的数值应为数字（按计划单位 {kpi.get('unit') or ''}），而不是 {args.value!r}")
        value = int(number) if float(number).is_integer() else number
    folder = next((ws.actuals_raw / name for name in (quarter, f"{quarter[:4]}-{quarter[4:]}")
                   if (ws.actuals_raw / name).is_dir()), ws.actuals_raw / quarter)
    path = confirmations.append(folder, args.kpi, quarter, value, args.who, args.why)
    confirmations.load(ws.actuals_raw, quarter_year(quarter), kpis)  # the whole file must still be right
    print(f"已写入 {path}：{args.kpi}「{kpi.get('name')}」{quarter_label(quarter)} 确认为 {value}"
          f"（{args.who}：{args.why}）。重新运行 reportlib ingest 或 reportlib build 后生效。")
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``reportlib ingest`` and ``reportlib confirm``."""
    confirm = subparsers.add_parser(
        "confirm",
        help="核实确认：把经核实无误的暂缓采用（或有提示）的数据写入该季度的 confirmations.yaml",
        description="Record that a held or warned figure was checked and is right (who and why), in the quarter "
                    "folder's reviewed confirmations.yaml; the value must be the figure reported or a reading the "
                    "judgement proposed.",
    )
    confirm.add_argument("--quarter", required=True, help="e.g. 2025Q3")
    confirm.add_argument("--kpi", required=True, help="KPI id, e.g. K3.1.05")
    confirm.add_argument("--value", required=True, help="the figure in the plan's unit (95 for 95 %%); milestones: 已完成 …")
    confirm.add_argument("--who", required=True, help="who checked it, and how (张伟，10月12日电话核实)")
    confirm.add_argument("--why", required=True, help="the evidence (验收单见附件)")
    confirm.set_defaults(func=run_confirm)
    parser = subparsers.add_parser(
        "ingest",
        help="读取各单位季度填报（xlsx/csv）→ data/processed/<年份>/actuals.parquet",
        description="Read quarterly submissions, validate against the plan, write actuals/rejects/summary.",
    )
    parser.add_argument("--year", type=int, help="plan year (default: the workspace's latest plan year)")
    parser.add_argument("--raw", default=None, help="submissions folder (default: the workspace's data/raw/actuals)")
    parser.add_argument("--out", default=None, help="output folder (default: data/processed/<year>)")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plans/<year>/plan.yaml)")
    parser.add_argument("--strict", action="store_true",
                        help=f"exit {EXIT_BAD_INPUT} on any reject, file error or held figure")
    parser.set_defaults(func=run_ingest)
