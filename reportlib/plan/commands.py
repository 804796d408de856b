"""Command line: ``reportlib plan extract | check | show``."""
from __future__ import annotations


import argparse
import sys
from pathlib import Path

import pandas as pd

from reportlib.plan.documents import read_document
from reportlib.plan.draft import draft_plan, dump_plan_yaml, fmt_number, format_plan_tree
from reportlib.plan.drift import check_drift
from reportlib.plan.explain import explain_lines
from reportlib.plan.model import DEFAULT_PLAN_PATH
from reportlib.plan.planfile import load_plan, read_plan
from reportlib.plan.targets import extract_file
from reportlib.plan.planfile import validate_plan
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, InputError

# --------------------------------------------------------------------------
# Command line: reportlib plan extract | check | show
# --------------------------------------------------------------------------
def _candidates_csv(candidates: pd.DataFrame) -> str:
    """Candidates as CSV text, whole numbers written without ".0"."""
    frame = candidates.copy()
    frame["value"] = [fmt_number(v) for v in frame["value"]]
    frame["due_quarter"] = [fmt_number(v) for v in frame["due_quarter"]]
    return frame.to_csv(index=False, lineterminator="\n")


def cmd_extract(args: argparse.Namespace) -> int:
    """``reportlib plan extract DOCUMENT [--out FILE.csv] [--draft FILE.yaml] [--explain]``."""
    extraction = extract_file(args.document)
    if getattr(args, "explain", False):
        for line in explain_lines(extraction):
            print(line)
    csv_text = _candidates_csv(extraction.candidates)
    if getattr(args, "explain", False) and not args.out:
        pass  # --explain replaces the CSV on standard output
    elif args.out:
        Path(args.out).write_text(csv_text, encoding="utf-8")
    else:
        sys.stdout.write(csv_text)
    if args.draft:
        data = draft_plan(extraction, source=Path(args.document).name)
        Path(args.draft).write_text(dump_plan_yaml(data, "由 reportlib plan extract 生成的草稿,需人工校对"), encoding="utf-8")
    print(
        f"篇章 {len(extraction.pillars)}, 任务 {len(extraction.tasks)}, 子项 {len(extraction.subitems)}, "
        f"候选指标 {len(extraction.candidates)}, 已完成结果 {len(extraction.results)}, 问题 {len(extraction.problems)} "
        f"(pillars, tasks, sub-items, candidates, results, problems)",
        file=sys.stderr,
    )
    for problem in extraction.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``reportlib plan check [--plan FILE]``: validation and drift; exit 3 on any problem."""
    path = Path(args.plan) if args.plan else DEFAULT_PLAN_PATH
    problems = validate_plan(path)
    plan = None
    try:
        plan, _ = read_plan(path)
    except InputError:
        pass
    if plan is not None and plan.source and Path(plan.source_path).is_file():
        text, read_problems = read_document(plan.source_path)
        problems += read_problems + check_drift(plan, text)
    for problem in problems:
        print(problem)
    if problems:
        print(f"计划文件检查未通过: {len(problems)} 个问题 (plan check failed)", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"计划文件检查通过: {path.name}, {len(plan.kpis)} 个指标, 与 {plan.source} 一致 (plan OK)")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """``reportlib plan show [--plan FILE]``: the plan as a tree."""
    print(format_plan_tree(load_plan(args.plan)))
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``plan extract|check|show`` to the reportlib command line."""
    parser = subparsers.add_parser(
        "plan",
        help="工作谋划: 抽取候选指标、检查计划文件、显示指标树 (work plan)",
        description="工作谋划文档与计划文件 plan_2025.yaml (work-plan document and plan file).",
    )
    parser.set_defaults(func=lambda args: (parser.print_help(), EXIT_USAGE)[1])
    sub = parser.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")

    extract_parser = sub.add_parser("extract", help="从文档抽取候选指标,写 CSV (extract candidate targets)")
    extract_parser.add_argument("document", help="工作谋划文档: .docx、另存的网页 .html、带文字的 PDF、文本 (UTF-8 / GBK)")
    extract_parser.add_argument("--out", help="CSV 输出文件;省略时写到标准输出")
    extract_parser.add_argument("--draft", help="另写一份计划文件草稿 (YAML),供人工校对")
    extract_parser.add_argument(
        "--explain", action="store_true",
        help="逐个列出文档中的每个数字被判断为什么(目标/背景/已完成结果/序数/年份…)及原因,代替 CSV 输出",
    )
    extract_parser.set_defaults(func=cmd_extract)

    check_parser = sub.add_parser("check", help="校验计划文件并与源文档比对 (validate plan, report drift)")
    check_parser.add_argument("--plan", help=f"计划文件,默认 {DEFAULT_PLAN_PATH.name}")
    check_parser.set_defaults(func=cmd_check)

    show_parser = sub.add_parser("show", help="以树形显示计划 (print the plan as a tree)")
    show_parser.add_argument("--plan", help=f"计划文件,默认 {DEFAULT_PLAN_PATH.name}")
    show_parser.set_defaults(func=cmd_show)
