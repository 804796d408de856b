"""One scheduled run of ``reportlib build``: its log, its outcome, its signals, its lock.

:func:`scheduled_run` wraps the body of the build command so that every run, however it
ends, leaves

* one log of its own (logs/build-<time>-<pid>.log): start, each report, and at the end one
  line with the exit code and the reason of a failure;
* ``reports/status.json`` (:mod:`reportlib.build.status`) with the last success and the last
  failure, and an index page that says so when the last run failed;
* no process behind: Ctrl-C and SIGTERM stop the run at once, kill every child and exit
  130 / 143; the lock is the main process's alone (:mod:`reportlib.build.lock`);
* no temporary files: the run's temporary folder (WeasyPrint's fonts, kernel sockets) is
  its own ``reportlib-run-<pid>-*`` under the system's temp dir, removed at the end, or by
  the next run when this one was killed (:func:`reportlib.build.publish.cleanup`).

A disk-full or permission error anywhere becomes exit 5 with one sentence; a run with nothing
to do (:class:`~reportlib.errors.NothingToDo`) exits 0 and logs why.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from reportlib import __version__, workspace
from reportlib.build import children, publish, status
from reportlib.errors import EXIT_OK, NothingToDo, ReportlibError
from reportlib.build.lock import LockHeld, build_lock
from reportlib.build.preflight import environment_problem

log = logging.getLogger("reportlib.build")


class Interrupted(ReportlibError):
    """The run was stopped by a signal; exit 128 + the signal number (130, 143)."""

    printed = True  # its one line is the run's last log line (on stderr also with --quiet)

    def __init__(self, message: str, exit_code: int):
        self.exit_code = exit_code
        super().__init__(message)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Run:
    """What the body of a run reports back (:meth:`succeeded`), and the outcome."""

    def __init__(self, out_dir: Path, log_file: Path | None):
        self.out_dir = out_dir
        self.entry = {"started": _now(), "finished": None, "exit_code": None, "outcome": None,
                      "reason": "", "rendered": [], "kept": [], "log": str(log_file) if log_file else None,
                      "pid": os.getpid()}

    @property
    def exit_code(self) -> int:
        return self.entry["exit_code"] if self.entry["exit_code"] is not None else EXIT_OK

    def succeeded(self, outcome) -> None:
        """The build finished: ``outcome`` is its :class:`~reportlib.build.BuildOutcome`."""
        self.entry["rendered"] = [result.job.name for result in outcome.rendered]
        self.entry["kept"] = [job.name for job in outcome.skipped]

    def finish(self, outcome: str, exit_code: int, reason: str = "") -> None:
        self.entry.update(finished=_now(), exit_code=exit_code, outcome=outcome, reason=reason)
        line = "build ended: exit %d (%s)%s" % (exit_code, outcome, f": {reason}" if reason else "")
        (log.info if outcome in status.OK_OUTCOMES else log.error)(line)
        current = status.record_run(self.out_dir, self.entry)
        if outcome in ("ok", "failed"):
            show_in_index(self.out_dir, current)


def exit_now(code: int) -> None:
    """End the process at once with ``code``, still holding the lock: a stopped run's outcome is
    written and its line printed, and nothing of it may run on after the lock is free (freeing a
    half-read file's millions of cells took half a minute while the next run could start). The
    lock file is emptied first (a clean stop names nobody); the kernel frees the lock with the process."""
    from reportlib.build import lock

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    lock.forget_holders()
    os._exit(code)


def one_line(exc: BaseException) -> str:
    """The first line of an error's message, with how many more lines the log has."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    more = f"（另有 {len(lines) - 1} 行，见日志）" if len(lines) > 1 else ""
    return lines[0].rstrip("：:") + more


def show_in_index(out_dir: Path, current: dict) -> None:
    """Publish the index again when what it says of the last run changed (never otherwise)."""
    from reportlib.report import index

    generation = publish.current_generation(out_dir)
    if generation is None and not (out_dir / publish.INDEX).exists() and not status.failing(current):
        return
    page = index.report_index(generation or out_dir, status=current)
    if publish.index_is_current(out_dir, page):
        return
    try:
        publish.publish(out_dir, index_page=lambda folder: index.report_index(folder, status=current))
    except OSError as exc:
        log.error("无法更新 %s 中的状态：%s", out_dir / publish.INDEX, exc.strerror or exc)


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
    logging.captureWarnings(True)  # Python warnings of the run (and of its forked workers) are log lines
    # WeasyPrint logs every layout step at INFO and harmless CSS notes at WARNING.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return path


@contextmanager
def run_temp_dir():
    """A temporary folder of this run's own, used by everything it starts (TMPDIR), with the
    IPython folder of its kernels (IPYTHONDIR, empty: a user's IPython start-up files never run
    in a report's kernel, and a home folder that cannot be written prints no warning)."""
    folder = tempfile.mkdtemp(prefix=f"{publish.RUN_TEMP_PREFIX}{os.getpid()}-")
    saved = {name: os.environ.get(name) for name in ("TMPDIR", "IPYTHONDIR")}
    saved_tempdir = tempfile.tempdir
    os.environ["TMPDIR"], tempfile.tempdir = folder, folder
    os.environ["IPYTHONDIR"] = os.path.join(folder, "ipython")
    try:
        yield Path(folder)
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _locks(folders: list[Path]):
    """The build lock of each folder, taken in order, held for the block."""
    with ExitStack() as stack:
        for folder in folders:
            stack.enter_context(build_lock(folder))
        yield


@contextmanager
def scheduled_run(out_dir: Path, setup_logging=None, also_lock: tuple[Path, ...] = ()):
    """Run the block as one build of ``out_dir``: under the lock, with signals, status and
    log handled as the module says. ``setup_logging()`` returns the log file of the run.
    ``also_lock``: other folders whose lock the run holds too (the workspace's reports/, which
    ``reportlib ingest`` takes, when the build writes elsewhere)."""
    out_dir = Path(out_dir)
    lock_dirs = [out_dir] + [Path(f) for f in also_lock if os.path.realpath(f) != os.path.realpath(out_dir)]
    run = None
    try:
        with children.stop_on_signals():
            log_file = setup_logging() if setup_logging else None
            run = Run(out_dir, log_file)
            log.info("reportlib %s: build started (pid %d: %s)", __version__, os.getpid(), " ".join(sys.argv))
            with _locks(lock_dirs), run_temp_dir():
                try:
                    status.start_run(out_dir, run.entry)  # a run killed from now on is reported as killed
                    publish.cleanup(out_dir)
                    yield run
                except NothingToDo as exc:
                    log.info("nothing to build: %s", exc)
                    run.finish("nothing-to-do", EXIT_OK, one_line(exc))
                    if getattr(exc, "say", False):  # (the log's console shows nothing under --quiet)
                        print(f"reportlib: 没有生成报告：{exc}")
                except children.Stopped as exc:
                    children.kill_descendants()
                    message = f"收到 {exc} 信号，已停止：未完成的报告已取消，reports/ 保持原样"
                    run.finish("stopped", exc.exit_code, message)
                    exit_now(exc.exit_code)
                except ReportlibError as exc:
                    log.error("%s", exc)
                    run.finish("failed", exc.exit_code, one_line(exc))
                    raise
                except OSError as exc:
                    problem = environment_problem(exc, None if exc.filename else out_dir)
                    if problem is None:
                        log.exception("build failed")
                        run.finish("failed", 1, f"{type(exc).__name__}: {exc}")
                        raise
                    run.finish("failed", problem.exit_code, str(problem))
                    raise problem from None
                except Exception as exc:
                    log.exception("build failed")
                    run.finish("failed", 1, f"内部错误 {type(exc).__name__}: {exc}")
                    raise
                else:
                    run.finish("ok", EXIT_OK)
    except LockHeld as exc:
        log.warning("%s（退出码 %d）", exc, exc.exit_code)
        raise
    except children.Stopped as exc:  # before the lock was taken, or while it was released
        children.kill_descendants()
        log.error("build ended: exit %d (stopped): 收到 %s 信号，已停止", exc.exit_code, exc)
        raise Interrupted(f"收到 {exc} 信号，已停止", exc.exit_code) from None
    except OSError as exc:  # e.g. the log folder or the lock file cannot be written
        problem = environment_problem(exc)
        if problem is None:
            raise
        log.error("%s", problem)
        raise problem from None
