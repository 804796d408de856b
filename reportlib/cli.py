"""Command-line entry point: ``reportlib <command> ...``.

Each command lives in the module that owns its concern; that module exposes
``register(subparsers)`` which adds its sub-parser and sets ``func`` to a
callable taking the parsed arguments and returning an exit code.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from reportlib import __version__
from reportlib.errors import ReportlibError

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = [
    "reportlib.doctor",
    "reportlib.build",
    "reportlib.progress",
    "reportlib.plan",
    "reportlib.actuals",
    "reportlib.template",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportlib",
        description="城东街道年度重点工作进展报告工具 (Chengdong work-plan progress reports).",
    )
    parser.add_argument("--version", action="version", version=f"reportlib {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ReportlibError as exc:
        if not getattr(exc, "printed", False):  # (a stopped build has printed its one line)
            print(f"reportlib: {exc}", file=sys.stderr)
        return exc.exit_code
