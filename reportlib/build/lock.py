"""The build lock: one build per output folder, held by the build's main process only.

``reports/.build.lock`` is ``flock``-ed by the main process and names it (pid, host, start
time, command). Forked children (the render workers) close their copy of the descriptor
at once (:func:`os.register_at_fork`), and exec'd ones never get it (``O_CLOEXEC``), so the
lock is free as soon as the main process is gone, whatever happens to its children.

A lock file that still names a build (it did not end cleanly) is taken over with a log
line. A lock that is held although the build it names is dead (processes of an older
version that inherited it) is freed by killing those processes, with a log line; only a
live build makes another exit with :data:`~reportlib.errors.EXIT_LOCK_HELD`.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import socket
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from reportlib.errors import EXIT_LOCK_HELD, ReportlibError

LOCK_FILE = ".build.lock"
ORPHAN_GRACE_S = 5.0

log = logging.getLogger("reportlib.build")
_held: set[int] = set()


def _close_in_child() -> None:
    """In a forked child: drop the lock descriptors (the lock stays the parent's alone)."""
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


def forget_holders() -> None:
    """Empty every lock file this process holds (they then name nobody) without releasing the
    locks: for a process about to end at once (:func:`reportlib.build.runlog.exit_now`)."""
    for fd in list(_held):
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass


class LockHeld(ReportlibError):
    """Another build is running on the same output folder."""

    exit_code = EXIT_LOCK_HELD


@dataclass
class Holder:
    """Who holds (or last held) the lock."""

    pid: int
    host: str
    started: str  # ISO time
    process_start: float  # the process's start time (epoch s), so a reused pid is not taken for it
    command: str

    @classmethod
    def current(cls) -> "Holder":
        me = psutil.Process()
        return cls(os.getpid(), socket.gethostname(), time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                   me.create_time(), " ".join(sys.argv))

    @classmethod
    def parse(cls, text: str) -> "Holder | None":
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data["started"]),
                       float(data.get("process_start", 0)), str(data.get("command", "")))
        except (ValueError, KeyError, TypeError):
            return None

    def alive(self) -> bool:
        """Whether the process named is still running (always True for another host's)."""
        if self.host != socket.gethostname():
            return True
        try:
            return abs(psutil.Process(self.pid).create_time() - self.process_start) < 1.0
        except psutil.Error:
            return False

    def describe(self) -> str:
        return f"pid {self.pid}，主机 {self.host}，开始于 {self.started}，命令 {self.command}"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 65536).decode("utf-8", "replace")


def processes_holding(path: Path) -> list[int]:
    """Pids of this user's processes (other than this one) with ``path`` open."""
    target = os.path.realpath(path)
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) == target:
                    pids.append(int(entry.name))
                    break
        except OSError:
            continue
    return pids


def _free_from_orphans(fd: int, path: Path, holder: Holder) -> bool:
    """Kill the processes of the dead build ``holder`` that still hold the lock; retake it."""
    orphans = processes_holding(path)
    log.warning("锁文件 %s 记录的生成任务（%s）已不在运行，但其遗留进程 %s 仍占用该锁；已终止这些进程并接管",
                path, holder.describe(), ", ".join(map(str, orphans)) or "（未找到）")
    for pid in orphans:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + ORPHAN_GRACE_S
    while time.monotonic() < deadline:
        if _try_lock(fd):
            return True
        time.sleep(0.1)
    return False


@contextmanager
def build_lock(out_dir: Path):
    """Hold the exclusive, non-blocking build lock of ``out_dir`` for the block."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if not _try_lock(fd):
            holder = Holder.parse(_read(fd))
            if holder is None or holder.alive() or not _free_from_orphans(fd, path, holder):
                who = f"（{holder.describe()}）" if holder else ""
                raise LockHeld(f"另一个报告生成任务正在运行{who}，锁文件 {path}；本次退出")
        previous = Holder.parse(_read(fd))
        if previous is not None:
            log.warning("上一次生成任务（%s）未正常结束，接管它留下的锁 %s", previous.describe(), path)
        _held.add(fd)
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (json.dumps(asdict(Holder.current()), ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError as exc:  # a full disk: the lock still holds, it only names nobody
            log.warning("无法在锁文件 %s 中记录本次任务：%s", path, exc.strerror)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield
    finally:
        _held.discard(fd)
        try:
            os.ftruncate(fd, 0)  # a clean end: the file names nobody
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
