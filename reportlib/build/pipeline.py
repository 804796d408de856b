"""``reportlib build``: ingest, then render the report notebooks to HTML and PDF.

One run:
1. takes the build lock (a second build exits at once with EXIT_LOCK_HELD);
2. ingests each plan year's submissions (``data/raw/actuals/<year>Q<n>``) into
   ``data/processed/<year>`` (skipped when unchanged);
3. decides which reports to render: the quarter report and one per pillar for
   each quarter asked for, each with its own year's plan; a report whose inputs (its
   year's plan, its year's actuals up to its quarter, notebook, package code,
   parameters) have not changed since its last build is kept as it is, unless ``--force``;
4. checks the plan, the output folder and the free space (:mod:`reportlib.build.preflight`);
5. renders them in parallel into a staging folder (a worker per core, quarter reports
   first; each notebook runs in a fresh kernel that a per-worker zygote forks with the
   report modules already imported, see :mod:`reportlib.build.render`; workers and kernels die
   with the build, see :mod:`reportlib.build.children`);
6. only when every report succeeded, publishes a new complete set of reports with their
   ``manifest.json`` files and ``index.html`` in one swap (:mod:`reportlib.build.publish`).

A failed run leaves ``reports/`` exactly as it was. The command's run — log, outcome in
``reports/status.json``, signals, exit code — is :mod:`reportlib.build.runlog`'s.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from reportlib.build import children, preflight, publish, render
from reportlib.report import navigation, pages
from reportlib import provenance, quarters, workspace
from reportlib.errors import InputError, NothingToDo, RenderError, UsageError
from reportlib.build.lock import LOCK_FILE, LockHeld, build_lock  # noqa: F401 (the build's lock, re-exported)

FORMATS = ("html", "pdf", "docx")
QUARTER_NOTEBOOK = "quarter_report.ipynb"
PILLAR_NOTEBOOK = "pillar_report.ipynb"
UNIT_NOTEBOOK = "unit_report.ipynb"
MANIFEST = "manifest.json"
INDEX = "index.html"
RUNNING = ".running"  # in staging: <worker pid> -> the report it renders (names a killed worker's report)

log = logging.getLogger("reportlib.build")


@dataclass(frozen=True)
class ReportJob:
    """One report: which notebook, with which parameters, published under which name."""

    notebook: Path
    name: str  # path under the output folder, without extension, e.g. "2025-Q3/pillar-2"
    parameters: dict = field(default_factory=dict)
    quarter: str = ""
    plan_file: Path | None = None  # the plan and processed data the notebook reads (its year's;
    processed_dir: Path | None = None  # default: the current workspace's, of its year or the latest)
    links: tuple = ()  # (label, href): index, previous and next quarter (reportlib.report.navigation)

    def __post_init__(self):
        if self.plan_file is None or self.processed_dir is None:
            ws = workspace.current()
            year = self.parameters.get("year") or (quarters.quarter_year(self.quarter) if self.quarter else ws.latest_year())
            object.__setattr__(self, "plan_file", self.plan_file or ws.plan_file(year))
            object.__setattr__(self, "processed_dir", self.processed_dir or ws.processed(year))

    @property
    def folder(self) -> str:
        return self.name.split("/", 1)[0]


@dataclass
class JobResult:
    job: ReportJob
    files: list[Path]
    seconds: float


# --------------------------------------------------------------------------- which reports


def quarter_folder(quarter: str) -> str:
    """``"2025Q3"`` -> ``"2025-Q3"``."""
    return f"{quarters.quarter_year(quarter)}-Q{quarters.quarter_index(quarter)}"


def jobs_for_quarter(quarter: str, pillars: list[int], *, with_quarter_report: bool = True,
                     ws: workspace.Workspace | None = None) -> list[ReportJob]:
    """The quarter report, the pillar reports and (with the quarter report) one report per
    responsible unit of the plan (``unit-<name>``) of ``quarter``, reading ``ws`` (default: current)."""
    ws = ws or workspace.current()
    year = quarters.quarter_year(quarter)
    index = quarters.quarter_index(quarter)
    folder = quarter_folder(quarter)
    inputs = {"quarter": quarter, "plan_file": ws.plan_file(year), "processed_dir": ws.processed(year)}
    jobs = []
    if with_quarter_report:
        jobs.append(ReportJob(workspace.NOTEBOOKS / QUARTER_NOTEBOOK, f"{folder}/{navigation.QUARTER_STEM}",
                              {"year": year, "quarter": index}, **inputs))
    for pillar in pillars:
        jobs.append(ReportJob(workspace.NOTEBOOKS / PILLAR_NOTEBOOK, f"{folder}/{navigation.pillar_stem(pillar)}",
                              {"year": year, "quarter": index, "pillar": pillar}, **inputs))
    if with_quarter_report:
        jobs += unit_jobs(quarter, ws)
    return jobs


def unit_jobs(quarter: str, ws: workspace.Workspace) -> list[ReportJob]:
    """One report per responsible unit (owner) of the quarter's year's plan."""
    from reportlib.report import owners
    from reportlib.report.data import cached_plan

    year, index = quarters.quarter_year(quarter), quarters.quarter_index(quarter)
    inputs = {"quarter": quarter, "plan_file": ws.plan_file(year), "processed_dir": ws.processed(year)}
    return [ReportJob(workspace.NOTEBOOKS / UNIT_NOTEBOOK, f"{quarter_folder(quarter)}/{navigation.unit_stem(unit)}",
                      {"year": year, "quarter": index, "unit": unit}, **inputs)
            for unit in owners.plan_owners(cached_plan(ws.plan_file(year)).kpis)]


def latest_quarter(available: list[str], today: dt.date) -> str:
    """The last quarter that has ended by ``today`` and has data."""
    ended = [q for q in available if quarters.quarter_end_date(q) < today]
    if not ended:
        raise NothingToDo(f"截至 {today.isoformat()} 没有已结束且有数据的季度（有数据的季度：{', '.join(available) or '无'}）")
    return max(ended)


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Timeouts:
    kernel: int = render.KERNEL_START_TIMEOUT_S
    cell: int = render.CELL_TIMEOUT_S


def render_job(job: ReportJob, staging: Path, formats: tuple[str, ...], timeouts: Timeouts = Timeouts()) -> JobResult:
    """Execute one notebook into ``staging`` and convert it; return the files written."""
    started = time.perf_counter()
    target = staging / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    (staging / RUNNING).mkdir(exist_ok=True)
    (staging / RUNNING / str(os.getpid())).write_text(job.name, encoding="utf-8")
    executed = target.with_suffix(".ipynb")
    nb = render.execute_notebook(job.notebook, executed, job.parameters,
                                 kernel_timeout=timeouts.kernel, cell_timeout=timeouts.cell, warm=True)
    render.write_clean_notebook(nb, executed)
    written = [executed]
    html = render.export_html(nb)
    if job.links:
        from reportlib.report.navigation import with_links

        html = with_links(html, job.links)
    if "html" in formats:
        written.append(_write(target.with_suffix(".html"), html.encode("utf-8")))
    if "pdf" in formats:
        written.append(_write(target.with_suffix(".pdf"), pages.html_to_pdf(html)))
    if "docx" in formats:
        from reportlib.report.word import notebook_to_docx

        written.append(_write(target.with_suffix(".docx"), notebook_to_docx(nb)))
    return JobResult(job, written, time.perf_counter() - started)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def render_all(jobs: list[ReportJob], staging: Path, formats: tuple[str, ...], workers: int,
               timeouts: Timeouts = Timeouts()) -> list[JobResult]:
    """Render ``jobs`` with ``workers`` processes; the first failure cancels the rest and is raised."""
    if workers <= 1 or len(jobs) <= 1:
        results = []
        for job in _progress(jobs, len(jobs)):
            results.append(render_job(job, staging, formats, timeouts))
            log.info("rendered %s in %.1f s", job.name, results[-1].seconds)
        return results
    results = []
    # workers die with this process and leave Ctrl-C to it (reportlib.build.children)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=children.worker_initializer, initargs=(os.getpid(),))
    bar = _progress(None, len(jobs))
    try:
        # longest first (quarter reports), so no worker is left with a long one at the end
        ordered = sorted(jobs, key=lambda job: job.notebook.name != QUARTER_NOTEBOOK)
        pending = {pool.submit(render_job, job, staging, formats, timeouts): job for job in ordered}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)  # (FIRST_EXCEPTION waits for all when none fails)
            for future in done:
                job = pending.pop(future)
                if isinstance(future.exception(), BrokenProcessPool):
                    raise _worker_died(staging, job) from None
                if future.exception() is not None:
                    raise future.exception()
                results.append(future.result())
                log.info("rendered %s in %.1f s", job.name, results[-1].seconds)
                bar.update(1)
    except BaseException:
        # the first failure (or a stop) ends the run now: the queue is cancelled and the
        # workers killed with their zygotes and kernels, instead of finishing reports nobody gets
        processes = list((pool._processes or {}).values())
        children.kill_tree([worker.pid for worker in processes])
        for worker in processes:
            worker.join(timeout=1)  # reaped by multiprocessing itself, so its pool sees them gone
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        bar.close()
    pool.shutdown()
    return sorted(results, key=lambda r: r.job.name)


WORKER_DEATH_POLLS = 40  # x 50 ms


def _worker_died(staging: Path, job: ReportJob) -> RenderError:
    """The error for a worker that was killed (OOM killer, kill -9): names its report."""
    names = []
    for _ in range(WORKER_DEATH_POLLS):  # (a signalled process may take a moment to be seen dead)
        names = [marker.read_text(encoding="utf-8") for marker in sorted((staging / RUNNING).glob("*"))
                 if not children.running(int(marker.name))]
        if names:
            break
        time.sleep(0.05)
    named = "、".join(names) or job.name
    return RenderError(f"生成报告 {named} 的进程意外终止（可能被系统终止，例如内存不足）；其余报告已取消，reports/ 保持原样",
                       notebook=str(job.notebook) if not names else None)


def _progress(iterable, total: int):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc="报告", unit="份", file=sys.stderr, disable=None, leave=False)


# --------------------------------------------------------------------------- publishing


def publish_reports(staging: Path, out_dir: Path, folders: list[str]) -> None:
    """Publish ``folders`` of ``staging`` with the rest of the current set, and the index,
    as one new set in one swap (see :mod:`reportlib.build.publish`)."""
    publish.publish(out_dir, staging, folders, index_page=_index_page(out_dir))


# --------------------------------------------------------------------------- the run


@dataclass
class BuildOutcome:
    rendered: list[JobResult]
    skipped: list[ReportJob]
    seconds: float


def build(
    jobs: list[ReportJob],
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    *,
    workers: int = 1,
    force: bool = False,
    timeouts: Timeouts = Timeouts(),
) -> BuildOutcome:
    """Render the jobs whose inputs changed (all with ``force``) and publish them together.

    The processed tables the jobs read are ingested first when stale (a few ms when they
    are not), so that a fresh checkout builds and the fingerprints see the data the
    reports will show. Each job reads its own year's plan and processed folder.

    Caller holds the lock. Nothing in ``out_dir`` changes unless every job succeeded.
    """
    from reportlib import actuals
    from reportlib.report.data import cached_plan

    started = time.perf_counter()
    ws = workspace.current()
    out_dir.mkdir(parents=True, exist_ok=True)
    publish.cleanup(out_dir)
    plans = {job.plan_file: cached_plan(job.plan_file) for job in jobs}
    for the_plan in plans.values():
        preflight.check_plan(the_plan)
    for plan_file, folder in sorted({(job.plan_file, job.processed_dir) for job in jobs}):
        actuals.ensure_ingested(plan=plans[plan_file], raw_dir=ws.actuals_raw, out_dir=folder)
    fingerprints = {job.name: provenance.job_fingerprint(job, formats) for job in jobs}
    todo = [job for job in jobs if force or not _up_to_date(job, out_dir, formats, fingerprints[job.name])]
    skipped = [job for job in jobs if job not in todo]
    for job in skipped:
        log.info("unchanged, kept: %s", job.name)
    if not todo:
        _write_index(out_dir)
        return BuildOutcome([], skipped, time.perf_counter() - started)
    preflight.check_writable(out_dir)
    preflight.check_space(out_dir, publish.published_size(out_dir))
    staging = Path(tempfile.mkdtemp(prefix=publish.STAGING_PREFIX, dir=out_dir))
    try:
        results = render_all(todo, staging, formats, workers, timeouts)
        folders = sorted({job.folder for job in todo})
        for folder in folders:
            folder_jobs = [job for job in todo if job.folder == folder]
            provenance.write_manifest(
                staging / folder, out_dir / folder,
                [r for r in results if r.job.folder == folder],
                {job.name: fingerprints[job.name] for job in folder_jobs},
                formats, ws, plans[folder_jobs[0].plan_file],
            )
        publish_reports(staging, out_dir, folders)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildOutcome(results, skipped, time.perf_counter() - started)


def _up_to_date(job: ReportJob, out_dir: Path, formats: tuple[str, ...], fingerprint: str) -> bool:
    entry = provenance.read_manifest(out_dir / job.folder).get("reports", {}).get(job.name)
    if not entry or entry.get("fingerprint") != fingerprint:
        return False
    expected = {f"{job.name}.{fmt}" for fmt in formats}
    outputs = {item["path"]: item["sha256"] for item in entry.get("outputs", [])}
    if not expected <= set(outputs):
        return False
    return all((out_dir / path).exists() and provenance.sha256_file(out_dir / path) == digest
               for path, digest in outputs.items())


def _index_page(out_dir: Path):
    """The index page of a set of reports, with the status of ``out_dir``'s runs."""
    from reportlib.report import index
    from reportlib.build import status

    return lambda folder: index.report_index(folder, status.read_status(out_dir))


def _write_index(out_dir: Path) -> None:
    """Publish the index when it would read differently (nothing is written otherwise,
    so a run with nothing to do needs no disk space)."""
    page = _index_page(out_dir)(publish.current_generation(out_dir) or out_dir)
    if not publish.index_is_current(out_dir, page):
        publish.publish(out_dir, index_page=_index_page(out_dir))


# --------------------------------------------------------------------------- CLI


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(f"--formats 只能是 {','.join(FORMATS)}，收到 {text!r}")
    return chosen


@dataclass(frozen=True)
class YearData:
    """A plan year of the workspace: its pillars and the quarters that have data."""

    year: int
    pillars: list[int]
    quarters: list[str]


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
        chosen = [latest_quarter(available, today)]
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


def with_navigation(jobs: list[ReportJob], available: list[str], years: list[YearData],
                    ws: workspace.Workspace | None = None, out_dir: Path | None = None) -> list[ReportJob]:
    """``jobs`` with their links to the index and to the same report of the previous/next quarter
    of the same plan year that has data (a new year's data never changes last year's reports;
    the index links the years)."""
    from dataclasses import replace

    pillars_of = {y.year: y.pillars for y in years}
    building = {job.name for job in jobs}
    names_of = {q: {job.name for job in jobs_for_quarter(q, pillars_of[quarters.quarter_year(q)], ws=ws)
                    if job.name in building or out_dir is None or (out_dir / f"{job.name}.html").exists()}
                for q in available}  # a link only to a report built now or already published
    def same_year(quarter: str) -> list[str]:
        return [q for q in available if quarters.quarter_year(q) == quarters.quarter_year(quarter)]

    return [replace(job, links=navigation.links_for(job.name, job.quarter, same_year(job.quarter), names_of,
                                                    quarter_folder))
            for job in jobs]


def build_command(args) -> int:
    from reportlib.build import runlog

    ws = workspace.current()
    out_dir = Path(args.out) if args.out else ws.reports
    # the run's log, lock, status.json, signals and exit code: reportlib.build.runlog
    with runlog.scheduled_run(out_dir, lambda: setup_logging(args.log_file, quiet=args.quiet, ws=ws)) as run:
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
            _remind_if_incomplete(jobs[0].quarter, out_dir, ws)
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


def _remind_if_incomplete(quarter: str, out_dir: Path, ws: workspace.Workspace) -> None:
    """The scheduled job's 催报 list: written when the (ended) quarter still misses submissions."""
    from reportlib.report import remind

    _, missing, written = remind.remind_for(quarter, out_dir, ws, only_if_missing=True)
    if written:
        log.info("%s: %d units have missing submissions; 催报 list written: %s", quarter, len(missing),
                 ", ".join(str(p) for p in written))


def default_log_file(ws: workspace.Workspace) -> Path:
    """A log file of this run's own: logs/build-YYYYmmddTHHMMSS-PID.log in the workspace."""
    return ws.logs / f"build-{dt.datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log"


class _LogFile(logging.FileHandler):
    """A log file that, when it cannot be written (a full disk), says so once on stderr
    instead of printing a traceback for every line."""

    failed = False

    def handleError(self, record) -> None:
        if not self.failed:
            self.failed = True
            print(f"reportlib: 无法写入日志文件 {self.baseFilename}（磁盘已满或无权限），此后的日志只输出到这里", file=sys.stderr)


def setup_logging(log_file: str | None, quiet: bool = False, ws: workspace.Workspace | None = None) -> Path:
    """Log to stderr and to ``log_file`` (default: a new file under the workspace's logs/); return the file.

    ``quiet``: stderr gets errors only (for cron, which mails whatever a job prints)."""
    path = Path(log_file) if log_file else default_log_file(ws or workspace.current())
    path.parent.mkdir(parents=True, exist_ok=True)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.ERROR if quiet else logging.NOTSET)
    handlers: list[logging.Handler] = [console, _LogFile(path, encoding="utf-8")]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        handlers=handlers, force=True)
    logging.getLogger("reportlib").setLevel(logging.INFO)
    # WeasyPrint logs every layout step at INFO and harmless CSS notes at WARNING.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return path


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
