"""Command line: ``reportlib plan extract | import | check | show | review``."""
from __future__ import annotations


import argparse
import shutil
import sys
from pathlib import Path

import pandas as pd

from reportlib.plan.accounting import TO_REVIEW, UNACCOUNTED, accounting_summary
from reportlib.plan.check import check_plan
from reportlib.plan.documents import load_document
from reportlib.plan.draft import draft_plan, dump_plan_yaml, fmt_number, format_plan_tree
from reportlib.plan.explain import explain_lines
from reportlib.plan.model import Plan
from reportlib.plan.planfile import default_plan_path, load_plan, read_plan
from reportlib.plan.review_page import REVIEW_FOLDER, review_page
from reportlib.plan.targets import extract_document, extract_file
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, InputError
from reportlib.atomic import write_bytes_atomic
from reportlib.workspace import current as current_workspace

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


def _plan_path(args: argparse.Namespace) -> Path:
    """``--plan FILE``, else the plan file of ``--year`` (default: the latest) in the workspace."""
    if getattr(args, "plan", None):
        return Path(args.plan)
    return default_plan_path(getattr(args, "year", None))


def check_plan_file(path: Path) -> tuple[list[str], list[str], Plan | None]:
    """(errors, warnings, plan) of a plan file: the whole of :func:`~reportlib.plan.check.check_plan`."""
    result = check_plan(path)
    return result.errors, result.warnings, result.plan


def cmd_check(args: argparse.Namespace) -> int:
    """``reportlib plan check [--year Y | --plan FILE]``: rules, drift, every number accounted for; exit 3 on any error."""
    return _report_check(_plan_path(args))


def _report_check(path: Path) -> int:
    result = check_plan(path)
    for warning in result.warnings:
        print(f"提示 (document note): {warning}")
    for problem in result.errors:
        print(problem)
    counts = accounting_summary(result.accounts)
    if result.errors:
        pending = counts[TO_REVIEW] + counts[UNACCOUNTED]
        hint = f"; 其中 {pending} 个数字待核实,可运行 reportlib plan review 查看" if pending else ""
        print(f"计划文件检查未通过: {len(result.errors)} 个问题{hint} (plan check failed): {path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    plan = result.plan
    print(f"计划文件检查通过: {plan.organization}{plan.year}年, {path.name}, {len(plan.kpis)} 个指标, "
          f"与 {plan.source} 一致; 文档中 {len(result.accounts)} 个数字全部有归属 (plan OK)")
    return EXIT_OK


DRAFT_HEADER = """{title} — 计划文件草稿 (draft plan file), 由 reportlib plan import 从 {source} 生成。
请逐条校对: 单位 (organization)、年度 (year)、标题, 每个指标的名称、类型、目标值、单位、
责任单位 (owner) 和完成时限; 不是指标的数字移到 not_targets 并写明原因。
改完运行: reportlib plan check --year {year}"""


def cmd_import(args: argparse.Namespace) -> int:
    """``reportlib plan import DOCUMENT [--year Y] [--organization 某某街道] [--title T] [--force]``.

    Copies the document unchanged into ``data/raw/plans/<year>/``, writes the draft
    ``plan.yaml`` beside it and runs the check (exit 3 while the draft needs review).
    """
    ws = current_workspace()
    document = Path(args.document)
    if not document.is_file():
        raise InputError("找不到要导入的文档", file=str(document))
    loaded = load_document(document)
    extraction = extract_document(loaded)
    data = draft_plan(extraction, source=document.name, text=loaded.text, year=args.year,
                      organization=args.organization or None, title=args.title or None)
    previous = _previous_plan(ws, data["year"])
    if previous is not None:
        data = draft_plan(extraction, source=document.name, text=loaded.text, year=args.year,
                          organization=args.organization or None, title=args.title or None, previous_plan=previous)
    if not data["organization"] and ws.organization():
        data["organization"] = ws.organization()
    if not data["year"]:
        raise InputError("文档中找不到计划年度，请用 --year 指定，如 --year 2026", file=str(document))
    folder = ws.plan_dir(data["year"])
    target, plan_path = folder / document.name, ws.plan_file(data["year"])
    if plan_path.exists() and not args.force:
        raise InputError(f"{data['year']} 年已有计划文件；如确需用新文档重新生成草稿（会覆盖已校对的内容），请加 --force",
                         file=str(plan_path))
    folder.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.read_bytes() != document.read_bytes() and not args.force:
        raise InputError("同名的另一份文档已在计划文件夹中；请改名后再导入，或加 --force 覆盖", file=str(target))
    if document.resolve() != target.resolve():
        shutil.copyfile(document, target)
    header = DRAFT_HEADER.format(title=data["title"] or document.name, source=document.name, year=data["year"])
    write_bytes_atomic(plan_path, dump_plan_yaml(data, header).encode("utf-8"))
    print(f"已导入: {ws.relative(target)}; 计划文件草稿: {ws.relative(plan_path)} "
          f"({len(data['pillars'])} 个篇章, {len(data['kpis'])} 个候选指标, {len(data['to_review'])} 个数字待核实)")
    print(f"单位: {data['organization'] or '（未识别，请填写 organization）'}; 年度: {data['year']}; 标题: {data['title'] or '（未识别）'}")
    return _report_check(plan_path)


def _previous_plan(ws, year: int):
    """Last year's plan of the workspace, when it has one that reads (for previous_id proposals)."""
    path = ws.plan_file(year - 1) if year else None
    if path is None or not path.is_file():
        return None
    try:
        return read_plan(path)[0]
    except InputError:
        return None


def cmd_review(args: argparse.Namespace) -> int:
    """``reportlib plan review [--year Y | --plan FILE] [--out FILE.html]``: the review page."""
    path = _plan_path(args)
    result = check_plan(path)
    if result.plan is None or result.document is None:
        for problem in result.errors:
            print(problem)
        raise InputError("计划文件或其源文档读不出,无法生成校对页面", file=str(path))
    ws = current_workspace()
    out = Path(args.out) if args.out else ws.reports / REVIEW_FOLDER / f"{result.plan.year}-计划校对.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out, review_page(result).encode("utf-8"))
    counts = accounting_summary(result.accounts)
    print(f"计划校对页面: {out} (数字 {len(result.accounts)} 个: 指标 {counts['kpi']}, 待核实 "
          f"{counts[TO_REVIEW] + counts[UNACCOUNTED]}, 问题 {len(result.errors)})")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """``reportlib plan show [--year Y | --plan FILE]``: the plan as a tree."""
    print(format_plan_tree(load_plan(_plan_path(args))))
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``plan extract|check|show`` to the reportlib command line."""
    parser = subparsers.add_parser(
        "plan",
        help="工作谋划: 抽取候选指标、检查计划文件、显示指标树 (work plan)",
        description="工作谋划文档与计划文件 data/raw/plans/<年份>/plan.yaml (work-plan document and plan file).",
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

    import_parser = sub.add_parser("import", help="导入新的工作谋划文档: 复制原文、生成计划文件草稿并检查 (bring a new plan)")
    import_parser.add_argument("document", help="工作谋划文档 (.txt / .docx / .html / .pdf)")
    import_parser.add_argument("--year", type=int, help="计划年度; 文档未写明时必须指定")
    import_parser.add_argument("--organization", help="单位名称, 如 某某街道; 文档未写明时指定")
    import_parser.add_argument("--title", help="文档标题; 文档未写明时指定")
    import_parser.add_argument("--force", action="store_true", help="覆盖该年度已有的计划文件草稿")
    import_parser.set_defaults(func=cmd_import)

    for name, help_text, func in (
        ("check", "校验计划文件:规则、与源文档比对、文档中每个数字都有归属 (validate plan, drift, every number accounted)", cmd_check),
        ("show", "以树形显示计划 (print the plan as a tree)", cmd_show),
        ("review", "生成计划校对网页:文档中每个数字标出是指标、非目标还是待核实 (write the review page)", cmd_review),
    ):
        command = sub.add_parser(name, help=help_text)
        which = command.add_mutually_exclusive_group()
        which.add_argument("--year", type=int, help="计划年度, 默认为工作区中最新的年度")
        which.add_argument("--plan", help="计划文件路径 (默认 data/raw/plans/<年份>/plan.yaml)")
        if name == "review":
            command.add_argument("--out", help="网页文件 (默认 reports/plan/<年份>-计划校对.html)")
        command.set_defaults(func=func)
