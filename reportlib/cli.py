"""Command-line entry point: ``reportlib <command> ...``.

Each command lives in the module that owns its concern; that module exposes
``register(subparsers)`` which adds its sub-parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from reportlib import __version__, workspace
from reportlib.errors import EXIT_OK, ReportlibError

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = [
    "reportlib.doctor",
    "reportlib.build",
    "reportlib.progress",
    "reportlib.plan",
    "reportlib.actuals",
    "reportlib.template",
    "reportlib.report.remind",
    "reportlib.intake",
]
# Commands that may write data/processed (ingest, or ingest first when it is stale): they run under the
# workspace's build lock, so none runs during a build, which would then publish two data states (exit 4).
DATA_COMMANDS = ("ingest", "progress", "template", "remind")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportlib",
        description="街道、乡镇年度重点工作进展报告工具：工作谋划 → 季度填报 → 进展报告 "
                    "(work-plan progress reports for subdistrict and town offices).",
    )
    parser.add_argument("--version", action="version", version=f"reportlib {__version__}")
    parser.add_argument("-C", "--workspace", metavar="DIR",
                        help="工作区文件夹（一个单位的计划、填报、数据和报告），默认为本仓库自带的工作区")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    init = subparsers.add_parser("init", help="新建一个单位的空工作区 (create an empty workspace)")
    init.add_argument("directory", help="新工作区的文件夹（应不存在或为空）")
    init.add_argument("--organization", required=True, help="单位名称，如 某某街道")
    init.set_defaults(func=cmd_init)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def cmd_init(args) -> int:
    """``reportlib init DIR --organization 某某街道``."""
    created = workspace.init(args.directory, args.organization)
    print(f"已新建工作区：{created.root}（{args.organization}）；各文件放在哪里见其中的 README.md")
    print(f"下一步：reportlib -C {args.directory} plan import 工作谋划文档")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        if args.workspace:
            workspace.use(args.workspace)
        if args.command in DATA_COMMANDS:
            from reportlib.build.lock import build_lock

            with build_lock(workspace.current().reports):
                return int(args.func(args) or 0)
        return int(args.func(args) or 0)
    except ReportlibError as exc:
        if not getattr(exc, "printed", False):  # (a stopped build has printed its one line)
            print(f"reportlib: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a full disk or a folder it may not write, in any command: one sentence, exit 5
        from reportlib.build.preflight import environment_problem

        problem = environment_problem(exc, consequence=f"reportlib {args.command} 已停止，已有的文件保持原样")
        if problem is None:
            raise
        print(f"reportlib: {problem}", file=sys.stderr)
        return problem.exit_code
