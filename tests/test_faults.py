"""The scheduled build under faults: each test recreates one and checks what happens.

Kill -9 of the build, SIGTERM, Ctrl-C, a killed worker, disk full while rendering and while
publishing, a bad plan, truncated derived data, a lock left by a dead build, the crontab
line on a fresh copy, and kernel traffic (IPC, no TCP). Reports are one small pillar of
2025Q1 in HTML; every workspace is built in tmp_path.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

import datetime as dt
from reportlib import build
from reportlib.build import lock, preflight, publish, render, runlog, status
from reportlib import workspace as wsmod
from reportlib.cli import main
from reportlib.errors import (EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE, NothingToDo,
                              RenderError, ReportlibError)

PILLARS = (5, 4)
DRIVER = textwrap.dedent('''
    """A scheduled build of 2025Q1 pillar reports into a workspace of the test's own."""
    import sys
    from pathlib import Path
    from reportlib import build, workspace
    from reportlib.build import runlog
    from reportlib.errors import ReportlibError

    out, root, workers, force = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "force"
    pillars = [int(p) for p in sys.argv[5].split(",")]
    jobs = build.jobs_for_quarter("2025Q1", pillars, with_quarter_report=False, ws=workspace.use(root))
    try:
        with runlog.scheduled_run(out, lambda: build.setup_logging(str(out.parent / "build.log"), quiet=True)) as run:
            run.succeeded(build.build(jobs, out, ("html",), workers=workers, force=force))
    except ReportlibError as exc:
        if not getattr(exc, "printed", False):  # as reportlib.cli.main
            print(f"reportlib: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    sys.exit(run.exit_code)
''')


def _jobs(root: Path, pillars=PILLARS[:1]) -> list[build.ReportJob]:
    """Pillar reports of 2025Q1 read from the workspace at ``root`` (the current one: see the fixtures)."""
    return build.jobs_for_quarter("2025Q1", list(pillars), with_quarter_report=False, ws=wsmod.Workspace(root))


def _new_workspace(root: Path) -> Path:
    """A workspace of the test's own: the bundled plan and submissions of 2025, copied."""
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", wsmod.Workspace(root).raw)
    return root


def _published(out: Path) -> dict:
    """What a reader sees: every file under reports/ through its links (not status, lock or
    hidden work folders)."""
    seen = {}
    for root, _, files in os.walk(out, followlinks=True):
        rel_root = Path(root).relative_to(out)
        if rel_root.parts and (rel_root.parts[0].startswith(".") or rel_root.parts[0] == publish.CURRENT):
            continue
        for name in files:
            rel = (rel_root / name).as_posix()
            if name not in (status.STATUS_FILE, lock.LOCK_FILE):
                seen[rel] = (Path(root) / name).read_bytes()
    return seen


def _reports(out: Path) -> dict:
    """The published reports and manifests (the index may add a note of the failed run)."""
    return {name: data for name, data in _published(out).items() if name != "index.html"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A published set (2025Q1 pillar 5, HTML) and its processed data, built once."""
    root = _new_workspace(tmp_path_factory.mktemp("workspace"))
    before = os.environ.get(wsmod.WORKSPACE_ENV)
    os.environ[wsmod.WORKSPACE_ENV] = str(root)  # (what reportlib -C does: the kernels read it)
    try:
        build.build(_jobs(root), root / "reports", ("html",))
    finally:
        os.environ.pop(wsmod.WORKSPACE_ENV) if before is None else os.environ.update({wsmod.WORKSPACE_ENV: before})
    return root


@pytest.fixture
def ws(workspace, tmp_path, monkeypatch):
    """A copy of the workspace for one test (links kept as links), the current workspace."""
    shutil.copytree(workspace, tmp_path / "ws", symlinks=True)
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(tmp_path / "ws"))
    return tmp_path / "ws"


def _driver(ws: Path, *, workers=2, force=True, pillars=PILLARS) -> subprocess.Popen:
    script = ws / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(ws / "reports"), str(ws), str(workers),
         "force" if force else "-", ",".join(map(str, pillars))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_rendering(ws: Path, proc: subprocess.Popen, count: int = 1) -> list[psutil.Process]:
    """Wait until ``count`` reports are being rendered; return the build's process tree."""
    for _ in range(1200):
        markers = list((ws / "reports").glob(f"{publish.STAGING_PREFIX}*/{build.pipeline.RUNNING}/*"))
        tree = psutil.Process(proc.pid).children(recursive=True)
        if len(markers) >= count and len(tree) >= 2 * count:
            return tree
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the build never started rendering")


def _gone(processes: list[psutil.Process], within: float = 5.0) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return alive


# --------------------------------------------------------------------------- kills and signals


def test_kill_9_of_the_build_leaves_no_process_and_the_next_build_runs(ws):
    before = _published(ws / "reports")
    proc = _driver(ws)
    tree = _wait_rendering(ws, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _gone(tree) == []  # workers, zygotes and kernels died with it
    assert _published(ws / "reports") == before
    again = _driver(ws, workers=1, force=False, pillars=PILLARS[:1])
    _, err = again.communicate(timeout=600)
    assert again.returncode == EXIT_OK, err.decode()
    log = (ws / "build.log").read_text(encoding="utf-8")
    assert "未正常结束，接管它留下的锁" in log and f"pid {proc.pid}" in log
    assert status.read_status(ws / "reports")["last_run"]["outcome"] == "ok"
    assert not list((ws / "reports").glob(f"{publish.STAGING_PREFIX}*"))  # the killed run's staging is gone


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_at_once_kill_every_child_and_keep_the_reports(ws, signum, code):
    before = _published(ws / "reports")
    proc = _driver(ws)
    tree = _wait_rendering(ws, proc, count=2)
    started = time.monotonic()
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # as a terminal's Ctrl-C: the whole foreground group
    else:
        proc.send_signal(signum)  # to the main process alone
    _, err = proc.communicate(timeout=30)
    seconds = time.monotonic() - started
    assert proc.returncode == code
    assert seconds < 10, seconds  # (before: the whole queue was rendered first, 40 s and more)
    assert _gone(tree) == []
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and "已停止" in lines[0], lines
    assert _published(ws / "reports") == before
    last = status.read_status(ws / "reports")["last_run"]
    assert last["outcome"] == "stopped" and last["exit_code"] == code


def test_a_killed_worker_fails_the_build_naming_its_report(ws):
    before = _published(ws / "reports")
    out = ws / "reports"
    killed = []

    def kill_first_worker():
        for _ in range(1200):
            markers = list(out.glob(f"{publish.STAGING_PREFIX}*/{build.pipeline.RUNNING}/*"))
            if markers:
                killed.append(markers[0].read_text(encoding="utf-8"))
                os.kill(int(markers[0].name), signal.SIGKILL)
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_first_worker)
    watcher.start()
    with pytest.raises(RenderError) as info:
        build.build(_jobs(ws, PILLARS), out, ("html",), workers=2, force=True)
    watcher.join()
    assert killed and killed[0] in str(info.value) and "意外终止" in str(info.value)
    assert "BrokenProcessPool" not in str(info.value)
    assert _published(out) == before


# --------------------------------------------------------------------------- disk full, permissions


def _run(out: Path, body, log_file: Path) -> int:
    """``body()`` as the build command runs it: its exit code, as ``reportlib`` returns it."""
    import logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        with runlog.scheduled_run(out, lambda: build.setup_logging(str(log_file), quiet=True)) as run:
            body(run)
    except ReportlibError as exc:
        return exc.exit_code
    finally:
        for handler in root.handlers:
            if handler not in saved[0]:
                handler.close()
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    return run.exit_code


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "/fake/full")


def test_disk_full_while_rendering_is_exit_5_and_the_old_reports_stay(ws, monkeypatch):
    out = ws / "reports"
    before = _reports(out)
    monkeypatch.setattr(build.pipeline, "_write", _full)
    code = _run(out, lambda run: build.build(_jobs(ws), out, ("html",), force=True), ws / "log")
    assert code == EXIT_ENVIRONMENT
    assert _reports(out) == before
    assert "磁盘已满" in (out / "index.html").read_text(encoding="utf-8")
    last = status.read_status(out)["last_run"]
    assert "磁盘已满" in last["reason"] and "Traceback" not in (ws / "log").read_text(encoding="utf-8")
    assert not list(out.glob(f"{publish.STAGING_PREFIX}*"))


def test_disk_full_while_publishing_is_exit_5_and_the_old_set_stays(ws, monkeypatch):
    out = ws / "reports"
    before = _published(out)
    generation = publish.current_generation(out)
    monkeypatch.setattr(publish, "_link_or_copy", _full)
    code = _run(out, lambda run: build.build(_jobs(ws), out, ("html",), force=True), ws / "log")
    assert code == EXIT_ENVIRONMENT
    assert _published(out) == before and publish.current_generation(out) == generation  # (not even the index changed)
    assert [g.name for g in (out / publish.GENERATIONS).iterdir()] == [generation.name]  # the partial set removed


def test_an_output_folder_that_cannot_be_written_is_exit_5_naming_it(ws, monkeypatch):
    out = ws / "reports"

    def not_allowed(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(out))

    monkeypatch.setattr(preflight.tempfile, "mkstemp", not_allowed)
    with pytest.raises(ReportlibError) as info:
        build.build(_jobs(ws), out, ("html",), force=True)
    assert info.value.exit_code == EXIT_ENVIRONMENT and str(out) in str(info.value) and "chown" in str(info.value)


def test_too_little_free_space_stops_before_rendering(ws, monkeypatch):
    out = ws / "reports"
    monkeypatch.setattr(preflight.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 99, 1))
    with pytest.raises(ReportlibError) as info:
        build.build(_jobs(ws), out, ("html",), force=True)
    assert info.value.exit_code == EXIT_ENVIRONMENT and "只剩 0 MB" in str(info.value)


def test_a_build_with_nothing_to_do_writes_nothing_so_a_full_disk_does_not_fail_it(workspace, tmp_path, monkeypatch):
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(workspace))
    out = workspace / "reports"  # (its reports are up to date)
    before = _published(out)
    monkeypatch.setattr(publish, "publish", _full)
    monkeypatch.setattr(status.Path, "write_text", _full)
    kept = []
    code = _run(out, lambda run: kept.extend(build.build(_jobs(workspace), out, ("html",)).skipped),
                tmp_path / "log")
    assert code == EXIT_OK and [job.name for job in kept] == ["2025-Q1/pillar-5"]
    assert _published(out) == before


# --------------------------------------------------------------------------- bad plan, bad data


def test_a_duplicate_kpi_id_is_exit_3_with_file_and_line_and_nothing_published(ws):
    plan_file = wsmod.Workspace(ws).plan_file(2025)
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("  - id: K1.1.02", "  - id: K1.1.01"),
                         encoding="utf-8")
    out = ws / "reports"
    before = _reports(out)
    code = _run(out, lambda run: build.build(_jobs(ws), out, ("html",), force=True), ws / "log")
    assert code == EXIT_BAD_INPUT
    assert re.search(r"plan\.yaml:\d+: K1\.1\.01", (ws / "log").read_text(encoding="utf-8"))
    assert _reports(out) == before


def test_a_truncated_processed_file_is_rebuilt(ws, caplog):
    parquet = wsmod.Workspace(ws).processed(2025) / "actuals.parquet"
    good = parquet.read_bytes()
    parquet.write_bytes(good[: len(good) // 2])
    out = ws / "reports"
    code = _run(out, lambda run: run.succeeded(build.build(_jobs(ws), out, ("html",))), ws / "log")
    assert code == EXIT_OK
    assert parquet.read_bytes() == good
    assert "actuals.parquet 无法读取" in (ws / "log").read_text(encoding="utf-8")


def test_today_that_is_no_date_is_a_usage_error(tmp_path):
    code = main(["build", "--latest", "--today", "2025-13-01", "--out", str(tmp_path / "reports"),
                 "--log-file", str(tmp_path / "log")])
    assert code == EXIT_USAGE
    assert "YYYY-MM-DD" in (tmp_path / "log").read_text(encoding="utf-8")


def test_latest_with_no_ended_quarter_exits_0_and_says_why(tmp_path):
    def body(run):
        build.latest_quarter(["2025Q1", "2025Q2"], dt.date(2025, 2, 1))

    code = _run(tmp_path / "reports", body, tmp_path / "log")
    assert code == EXIT_OK
    assert "nothing to build: 截至 2025-02-01 没有已结束" in (tmp_path / "log").read_text(encoding="utf-8")
    assert status.read_status(tmp_path / "reports")["last_run"]["outcome"] == "nothing-to-do"
    assert NothingToDo.exit_code == EXIT_OK


def test_a_failed_run_is_in_status_json_and_on_the_index_until_a_run_succeeds(ws):
    out = ws / "reports"

    def fails(run):
        raise RenderError("模拟的失败原因")

    assert _run(out, fails, ws / "log") == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "最近一次自动生成失败" in page and "模拟的失败原因" in page and "2025-Q1/pillar-5.html" in page
    assert status.read_status(out)["last_failure"]["reason"] == "模拟的失败原因"
    assert _run(out, lambda run: run.succeeded(build.build(_jobs(ws), out, ("html",))), ws / "log") == 0
    assert "最近一次自动生成失败" not in (out / "index.html").read_text(encoding="utf-8")
    assert status.read_status(out)["last_failure"]["reason"] == "模拟的失败原因"


# --------------------------------------------------------------------------- lock


def test_a_lock_left_by_a_dead_build_is_taken_over_with_a_log_line(tmp_path, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / lock.LOCK_FILE).write_text(json.dumps(
        {"pid": dead.pid, "host": os.uname().nodename, "started": "x", "process_start": 1.0, "command": "old"}))
    with caplog.at_level("INFO", "reportlib.build"), lock.build_lock(tmp_path):
        held = lock.Holder.parse((tmp_path / lock.LOCK_FILE).read_text())
    assert held.pid == os.getpid() and held.command
    assert f"pid {dead.pid}" in caplog.text and "接管" in caplog.text


def test_orphans_of_a_dead_build_that_still_hold_the_lock_are_killed_and_the_lock_taken(tmp_path, caplog):
    path = tmp_path / lock.LOCK_FILE
    path.write_text(json.dumps({"pid": 1 << 22, "host": os.uname().nodename, "started": "x",
                                "process_start": 1.0, "command": "old build"}))
    orphan = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        handle = open({str(path)!r}, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        print("locked", flush=True)
        time.sleep(600)
    """)], stdout=subprocess.PIPE)
    assert orphan.stdout.readline() == b"locked\n"
    with caplog.at_level("INFO", "reportlib.build"), lock.build_lock(tmp_path):
        pass
    assert orphan.wait(timeout=10) == -signal.SIGKILL
    assert "遗留进程" in caplog.text and str(orphan.pid) in caplog.text


def test_forked_children_do_not_hold_the_lock(tmp_path):
    import fcntl

    with lock.build_lock(tmp_path):
        pid = os.fork()
        if pid == 0:  # a child: its copy of the lock descriptor was closed at the fork
            os._exit(0 if not lock._held else 1)
        assert os.waitpid(pid, 0)[1] == 0
    with open(tmp_path / lock.LOCK_FILE) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again


# --------------------------------------------------------------------------- deploy


def _crontab_command() -> str:
    lines = [line for line in (wsmod.PROJECT_ROOT / "deploy" / "crontab").read_text().splitlines()
             if line.strip() and not line.startswith("#") and not re.match(r"^\w+=", line)]  # (not MAILTO=)
    assert len(lines) == 1
    return lines[0].split(None, 5)[5]


def _fresh_copy(tmp_path: Path) -> Path:
    """A checkout as git would give it (tracked files only), with the set-up's .venv."""
    copy = tmp_path / "reportlib"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=wsmod.PROJECT_ROOT, capture_output=True, check=True)
    for name in tracked.stdout.decode().split("\0"):
        if name and (wsmod.PROJECT_ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(wsmod.PROJECT_ROOT / name, copy / name)
    (copy / ".venv").symlink_to(Path(sys.prefix))
    return copy


def test_the_crontab_line_works_on_a_fresh_copy_and_prints_only_failures(tmp_path):
    copy = _fresh_copy(tmp_path)
    assert not (copy / "logs").exists()
    shutil.rmtree(copy / "data" / "raw" / "actuals")  # no submission yet: nothing to build
    (copy / "data" / "raw" / "actuals").mkdir()
    command = _crontab_command().replace("/opt/reportlib", str(copy))
    env = {**os.environ, "REPORTLIB_ROOT": str(copy)}
    done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=600)
    assert done.returncode == EXIT_OK, done.stderr.decode()
    assert done.stdout == b"" and done.stderr == b""  # nothing for cron to mail
    logs = list((copy / "logs").glob("build-*.log"))
    assert len(logs) == 1 and "nothing to build" in logs[0].read_text(encoding="utf-8")
    plan_file = copy / "data" / "raw" / "plans" / "2025" / "plan.yaml"
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("  - id: K1.1.02", "  - id: K1.1.01"),
                         encoding="utf-8")
    failed = subprocess.run(["sh", "-c", command], env=env, capture_output=True, timeout=600)
    assert failed.returncode == EXIT_BAD_INPUT
    assert "K1.1.01" in failed.stderr.decode()  # cron mails this


def test_the_systemd_unit_runs_the_notify_unit_on_failure():
    deploy = wsmod.PROJECT_ROOT / "deploy"
    service = (deploy / "reportlib-build.service").read_text()
    assert re.search(r"^OnFailure=reportlib-notify@%n\.service$", service, re.M)
    notify = (deploy / "reportlib-notify@.service").read_text()
    assert "deploy/notify-failure.sh %i" in notify
    script = deploy / "notify-failure.sh"
    assert os.access(script, os.X_OK)
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- kernels on IPC


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        inodes |= {row.split()[9] for row in rows if len(row.split()) > 9}
    return inodes


def _unix_inodes() -> set[str]:
    return {row.split()[6] for row in Path("/proc/net/unix").read_text().splitlines()[1:] if len(row.split()) > 6}


def test_build_kernels_talk_over_private_ipc_sockets_and_open_no_tcp_socket(ws):
    proc = _driver(ws, workers=1, pillars=PILLARS[:1])
    tcp, unix, kernel_dirs = set(), set(), set()
    while proc.poll() is None:
        try:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        except psutil.Error:
            break
        sockets = set().union(*(_socket_inodes(p.pid) for p in tree))
        tcp |= sockets & _tcp_inodes()
        unix |= sockets & _unix_inodes()
        for folder in Path("/tmp").glob(f"{publish.RUN_TEMP_PREFIX}{proc.pid}-*/{render.KERNEL_DIR_PREFIX}*"):
            kernel_dirs.add(folder.stat().st_mode & 0o777)
        time.sleep(0.05)
    _, err = proc.communicate()
    assert proc.returncode == EXIT_OK, err.decode()
    assert tcp == set()
    assert unix and kernel_dirs == {0o700}  # the kernel's sockets, in a folder of its own
    assert "without encryption" not in (ws / "build.log").read_text(encoding="utf-8") + err.decode()
    assert not list(Path("/tmp").glob(f"{publish.RUN_TEMP_PREFIX}{proc.pid}-*"))  # its temp folder removed


def test_kernel_managers_use_ipc_in_a_private_folder():
    manager = render.kernel_manager_class(warm=True)(kernel_name="python3")
    folder = Path(manager.connection_file).parent
    try:
        assert manager.transport == "ipc" and manager.ip.startswith(str(folder))
        assert folder.stat().st_mode & 0o777 == 0o700
    finally:
        shutil.rmtree(folder)


def test_children_die_with_their_parent():
    code = textwrap.dedent("""
        import os, sys, time
        from reportlib.build import children
        pid = os.fork()
        if pid == 0:
            children.die_with_parent(os.getppid())
            time.sleep(600)
        print(pid, flush=True)
    """)
    parent = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    child = int(parent.stdout)
    try:
        assert _gone([psutil.Process(child)]) == []
    except psutil.NoSuchProcess:
        pass
