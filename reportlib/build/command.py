"""``reportlib build``: the command line — which quarters, which formats, the run around the build.

The command asks :mod:`~reportlib.build.jobs` for the reports, :mod:`~reportlib.build.pipeline`
to render and publish them, and runs inside :func:`reportlib.build.runlog.scheduled_run` (lock,
log, ``status.json``, signals, exit code).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from reportlib import quarters, workspace
from reportlib.build import preflight, render, runlog
from reportlib.build.jobs import ReportJob, YearData, jobs_for_quarter, latest_quarter, with_navigation
from reportlib.build.pipeline import FORMATS, Timeouts, build
from reportlib.errors import InputError, NothingToDo, UsageError

log = logging.getLogger("reportlib.build")


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(f"--formats 只能是 {','.join(FORMATS)}，收到 {text!r}")
    return chosen


def workspace_years(ws: workspace.Workspace) -> list[YearData]:
    """Every plan year of the workspace, its plan checked and its submissions ingested (when
    stale), with the quarters that have data."""
    from reportlib import actuals
    from reportlib.report.data import cached_plan

    years = []
    for year in ws.plan_years():
        the_plan = cached_plan(ws.plan_file(year))
        preflight.check_plan(the_plan)  # a bad plan fails the run even when there is nothing to build
        actuals.ensure_ingested(plan=the_plan, raw_dir=ws.actuals_raw, out_dir=ws.processed(year))
        found = sorted(actuals.load_actuals(ws.processed(year))["quarter"].unique())
        years.append(YearData(year, [int(p) for p in the_plan.pillars["pillar"]], found))
    return years


def choose_jobs(args, years: list[YearData], ws: workspace.Workspace | None = None,
                out_dir: Path | None = None) -> list[ReportJob]:
    """The jobs the command line asks for, across the workspace's plan years."""
    available = sorted(q for y in years for q in y.quarters)
    if args.latest:
        today = dt.date.fromisoformat(iso_date(args.today)) if args.today else dt.date.today()
        try:
            chosen = [latest_quarter(available, today)]
        except NothingToDo as exc:
            exc.say = bool(args.today)  # a date given by hand that no data has reached: said even with --quiet
            raise
    elif args.all:
        chosen = available
    elif args.quarter:
        chosen = [quarters.parse_quarter(args.quarter)]
        if quarters.quarter_year(chosen[0]) not in {y.year for y in years}:
            raise InputError(f"{quarters.quarter_year(chosen[0])} 年没有计划文件（已有计划的年度："
                             f"{'、'.join(str(y.year) for y in years) or '无'}），请先运行 reportlib plan import")
        if chosen[0] not in available:
            raise InputError(f"{chosen[0]} 没有任何实际完成数据（有数据的季度：{', '.join(available) or '无'}）")
    else:
        raise InputError("请指定 --quarter（如 2026Q1）、--all 或 --latest")
    pillars_of = {y.year: y.pillars for y in years}
    jobs = []
    for quarter in chosen:
        pillars = pillars_of[quarters.quarter_year(quarter)]
        if args.pillar is not None:
            if args.pillar not in pillars:
                raise InputError(f"{quarters.quarter_year(quarter)} 年的计划没有第 {args.pillar} 个领域（共有 {len(pillars)} 个）")
            jobs += jobs_for_quarter(quarter, [args.pillar], with_quarter_report=False, ws=ws)
        else:
            jobs += jobs_for_quarter(quarter, pillars, ws=ws)
    return with_navigation(jobs, available, years, ws, out_dir)


def build_command(args) -> int:
    ws = workspace.current()
    out_dir = Path(args.out) if args.out else ws.reports
    # the run's log, lock, status.json, signals and exit code: reportlib.build.runlog
    # (the workspace's own reports/ is locked too: reportlib ingest takes that lock)
    with runlog.scheduled_run(out_dir, lambda: runlog.setup_logging(args.log_file, quiet=args.quiet, ws=ws),
                              also_lock=(ws.reports,)) as run:
        if args.today:
            iso_date(args.today)
        formats = parse_formats(args.formats)
        log.info("workspace %s", ws.root)
        years = workspace_years(ws)
        if not years:
            ws.latest_year()  # raises: says there is no plan yet and what to do
        jobs = choose_jobs(args, years, ws, out_dir)
        timeouts = Timeouts(args.kernel_timeout, args.cell_timeout)
        outcome = build(jobs, out_dir, formats, workers=args.jobs, force=args.force, timeouts=timeouts)
        if args.latest and jobs:
            _remind_if_incomplete(jobs[0].quarter, out_dir, ws, dt.date.fromisoformat(args.today) if args.today else None)
        log.info("done: %d rendered, %d unchanged, %.1f s", len(outcome.rendered), len(outcome.skipped), outcome.seconds)
        run.succeeded(outcome)
    return run.exit_code


def iso_date(text: str) -> str:
    """``--today``: a real date as YYYY-MM-DD (a usage error, exit 2, otherwise)."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--today 应为 YYYY-MM-DD 格式的真实日期（例如 2026-10-01），收到 {text!r}") from None
    return text


def _remind_if_incomplete(quarter: str, out_dir: Path, ws: workspace.Workspace, today: dt.date | None = None) -> None:
    """The scheduled job's 催报 list: written when the (ended) quarter still misses submissions, or has
    rows rejected or figures held; dated ``today`` (``--today``, else the day it runs)."""
    from reportlib.report import remind

    _, missing, written = remind.remind_for(quarter, out_dir, ws, only_if_missing=True, today=today)
    if written:
        log.info("%s: %d units have missing submissions; 催报 list written: %s", quarter, len(missing),
                 ", ".join(str(p) for p in written))


def register(subparsers) -> None:
    parser = subparsers.add_parser("build", help="ingest, then render the reports (HTML and PDF)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--quarter", help="e.g. 2026Q3 (uses that year's plan)")
    which.add_argument("--all", action="store_true", help="every quarter of every plan year that has data")
    which.add_argument("--latest", action="store_true", help="the last ended quarter that has data, across years (for schedulers)")
    parser.add_argument("--today", help="YYYY-MM-DD, what --latest takes as today")
    parser.add_argument("--pillar", type=int, help="only this pillar's report")
    parser.add_argument("--formats", default=",".join(FORMATS), help="html,pdf,docx (default all three)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="reports rendered in parallel")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--out", default=None, help="output folder (default: the workspace's reports/)")
    parser.add_argument("--log-file", help="log file of this run (default: the workspace's logs/build-<time>-<pid>.log)")
    parser.add_argument("--quiet", action="store_true", help="print errors only (the log file gets everything); for cron")
    parser.add_argument("--kernel-timeout", type=int, default=render.KERNEL_START_TIMEOUT_S, help="seconds")
    parser.add_argument("--cell-timeout", type=int, default=render.CELL_TIMEOUT_S, help="seconds per cell")
    parser.set_defaults(func=build_command)
