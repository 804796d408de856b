"""Child processes of a build: they die with their parent, and a stopped build kills them all.

A build forks render workers; each worker starts a kernel zygote, which forks one kernel per
notebook. If the main process is killed (kill -9, the OOM killer), nothing is left to tell
them to stop, so each asks the kernel for a *parent-death signal* (``prctl(PR_SET_PDEATHSIG)``)
as it starts: when its parent exits it gets SIGKILL, and the chain ends with it. The zygote also
exits when its request pipe closes.

A build stopped by Ctrl-C or SIGTERM raises :class:`Stopped` in the main process, which kills
every descendant (:func:`kill_descendants`) instead of letting the queue finish.
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
from contextlib import contextmanager

import psutil

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def die_with_parent(parent_pid: int | None = None, signum: int = signal.SIGKILL) -> bool:
    """Have the kernel send ``signum`` to this process when its parent exits (Linux only).

    ``parent_pid``: the parent expected; when it is already gone (it died between the fork
    and this call) the process exits at once. Returns whether the signal is armed.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
    return armed


def worker_initializer(parent_pid: int) -> None:
    """Initializer of a render worker: dies with the build, leaves Ctrl-C to the build.

    (A terminal's Ctrl-C reaches the whole process group; the main process stops the
    workers itself, so they print nothing of their own.)
    """
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def running(pid: int) -> bool:
    """Whether ``pid`` is a running process (a killed child not yet reaped is not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kill_descendants(timeout: float = 1.0) -> int:
    """SIGKILL every process below this one (workers, zygotes, kernels and their groups).

    Returns how many were signalled. Kernels lead sessions of their own, so their process
    groups are signalled too (anything a kernel started goes with it).
    """
    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return 0
    for child in children:
        try:
            pgid = os.getpgid(child.pid)
            if pgid == child.pid and pgid != os.getpgrp():
                os.killpg(pgid, signal.SIGKILL)
            else:
                child.kill()
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    _wait_gone(children, timeout)
    return len(children)


def _wait_gone(procs: list[psutil.Process], timeout: float) -> None:
    """Wait for killed processes to go, reaping none of this process's own children: their
    owners (multiprocessing, subprocess) reap them; a pid reaped behind multiprocessing's
    back looks alive to it forever (its pool's shutdown then spins)."""
    me = os.getpid()
    others = []
    for proc in procs:
        try:
            if proc.ppid() != me:
                others.append(proc)
        except psutil.Error:
            pass
    psutil.wait_procs(others, timeout=timeout)


class Stopped(BaseException):
    """The build was asked to stop (Ctrl-C or SIGTERM). A BaseException, so that no
    ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum  # 130 for SIGINT, 143 for SIGTERM, as a shell reports them
        super().__init__(signal.Signals(signum).name)


@contextmanager
def stop_on_signals():
    """Within the block, SIGINT and SIGTERM raise :class:`Stopped` in the main thread
    (once: a second signal while stopping is ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def kill_tree(pids: list[int], timeout: float = 1.0) -> None:
    """SIGKILL the processes ``pids`` and everything below them."""
    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs += [proc, *proc.children(recursive=True)]
        except psutil.Error:
            continue
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    _wait_gone(procs, timeout)
