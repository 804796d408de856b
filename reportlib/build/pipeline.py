"""The build: ingest, then render the report notebooks to HTML, PDF and Word, and publish them together.

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

import logging
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reportlib.build import children, preflight, publish, render
from reportlib.report import pages
from reportlib import provenance, workspace
from reportlib.atomic import naming
from reportlib.errors import RenderError
from reportlib.build.jobs import QUARTER_NOTEBOOK, JobResult, ReportJob, jobs_for_quarter
from reportlib.build.lock import LOCK_FILE, LockHeld, build_lock  # noqa: F401 (the build's lock, re-exported)

FORMATS = ("html", "pdf", "docx")
MANIFEST = "manifest.json"
INDEX = "index.html"
RUNNING = ".running"  # in staging: <worker pid> -> the report it renders (names a killed worker's report)

log = logging.getLogger("reportlib.build")


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
    with naming(path):
        path.write_bytes(data)
    return path


def render_all(jobs: list[ReportJob], staging: Path, formats: tuple[str, ...] | dict[str, tuple[str, ...]],
               workers: int, timeouts: Timeouts = Timeouts()) -> list[JobResult]:
    """Render ``jobs`` with ``workers`` processes; the first failure cancels the rest and is raised.
    ``formats``: of every job, or job name -> its formats."""
    formats_of = formats if isinstance(formats, dict) else {job.name: formats for job in jobs}
    if workers <= 1 or len(jobs) <= 1:
        results = []
        for job in _progress(jobs, len(jobs)):
            results.append(render_job(job, staging, formats_of[job.name], timeouts))
            log.info("rendered %s in %.1f s", job.name, results[-1].seconds)
        return results
    results = []
    # workers die with this process and leave Ctrl-C to it (reportlib.build.children)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=children.worker_initializer, initargs=(os.getpid(),))
    bar = _progress(None, len(jobs))
    try:
        # longest first (quarter reports), so no worker is left with a long one at the end
        ordered = sorted(jobs, key=lambda job: job.notebook.name != QUARTER_NOTEBOOK)
        pending = {pool.submit(render_job, job, staging, formats_of[job.name], timeouts): job for job in ordered}
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


def publish_reports(staging: Path, out_dir: Path, folders: list[str], reports_of: dict[str, set[str]] | None = None) -> None:
    """Publish ``folders`` of ``staging`` with the rest of the current set, and the index,
    as one new set in one swap (see :mod:`reportlib.build.publish`); ``reports_of``: folder ->
    the names of every report it has now (others are not carried over)."""
    publish.publish(out_dir, staging, folders, index_page=_index_page(out_dir), reports_of=reports_of)


def reports_of_quarter(quarter: str, plan, ws: workspace.Workspace) -> set[str]:
    """Names of every report a quarter has with ``plan``: quarter, pillar and unit reports."""
    return {job.name for job in jobs_for_quarter(quarter, [int(p) for p in plan.pillars["pillar"]], ws=ws)}


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
    fingerprints = {job.name: provenance.job_fingerprint(job) for job in jobs}
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
        # every format a report has published is made again with it: no format of an older data
        # state stays beside a new one (a build with --formats html after a data change)
        with _data_frozen():  # the reports read the data ingested above, whatever arrives meanwhile
            results = render_all(todo, staging, {job.name: formats_to_render(job, out_dir, formats) for job in todo},
                                 workers, timeouts)
        folders = sorted({job.folder for job in todo})
        reports_of = {}
        for folder in folders:
            folder_jobs = [job for job in todo if job.folder == folder]
            the_plan = plans[folder_jobs[0].plan_file]
            reports_of[folder] = reports_of_quarter(folder_jobs[0].quarter, the_plan, ws)
            provenance.write_manifest(
                staging / folder, out_dir / folder,
                [r for r in results if r.job.folder == folder],
                {job.name: fingerprints[job.name] for job in folder_jobs},
                FORMATS, ws, the_plan, keep=reports_of[folder],
            )
        publish_reports(staging, out_dir, folders, reports_of)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildOutcome(results, skipped, time.perf_counter() - started)


@contextmanager
def _data_frozen():
    """Within the block, reports do not ingest (:data:`reportlib.actuals.store.DATA_FROZEN_ENV`)."""
    from reportlib.actuals.store import DATA_FROZEN_ENV

    saved = os.environ.get(DATA_FROZEN_ENV)
    os.environ[DATA_FROZEN_ENV] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(DATA_FROZEN_ENV, None)
        else:
            os.environ[DATA_FROZEN_ENV] = saved


def formats_to_render(job: ReportJob, out_dir: Path, formats: tuple[str, ...]) -> tuple[str, ...]:
    """``formats`` and every other format ``job`` has published in ``out_dir``, in FORMATS order."""
    wanted = set(formats) | {fmt for fmt in FORMATS if (out_dir / f"{job.name}.{fmt}").exists()}
    return tuple(fmt for fmt in FORMATS if fmt in wanted)


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


