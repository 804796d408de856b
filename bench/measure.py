"""Run a command as a child process and measure it: wall time, CPU time, peak memory.

Peak memory is the child's maximum resident set size as the kernel accounts it
(``os.wait4`` returns the rusage of exactly that child, including any children it
waited for), so nothing has to be polled and nothing is missed between polls.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


class CommandFailed(RuntimeError):
    """A measured command exited with a non-zero status."""


@dataclass(frozen=True)
class Sample:
    """One run of a command."""

    seconds: float
    cpu_seconds: float  # user + system of the child and the children it waited for
    max_rss_bytes: int
    returncode: int
    other_cpu_seconds: float = 0.0  # CPU the rest of the machine used meanwhile (other load, steal)
    tree_peak_bytes: int = 0  # largest sum of resident memory of the process and all its descendants


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (user, nice, system, irq, softirq, steal)."""
    try:
        fields = open("/proc/stat").readline().split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def tree_rss_bytes(root: int) -> int:
    """Resident memory of process ``root`` and all its descendants now (Linux /proc; 0 elsewhere)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return 0
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as handle:
                rss[int(entry)] = int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


class TreeMemory:
    """Samples the process tree's total resident memory every ``interval`` seconds, in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run(cmd: list[str], *, cwd: Path, env: dict | None = None, log: Path | None = None, check: bool = True,
        tree_memory: bool = False) -> Sample:
    """Run ``cmd``, output to ``log`` (appended), and measure it (with ``tree_memory``: also the
    peak of the whole process tree's resident memory, sampled every 0.1 s)."""
    handle = open(log, "ab") if log else subprocess.DEVNULL
    busy_before = machine_busy_seconds()
    sampler = None
    try:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
        sampler = TreeMemory(process.pid) if tree_memory else None
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        peak = sampler.stop() if sampler else 0
        if log:
            handle.close()
    cpu = usage.ru_utime + usage.ru_stime
    other = max(0.0, machine_busy_seconds() - busy_before - cpu)
    sample = Sample(seconds, cpu, usage.ru_maxrss * 1024, process.returncode, other, peak)
    if check and sample.returncode != 0:
        where = f" (output: {log})" if log else ""
        raise CommandFailed(f"exit {sample.returncode}: {' '.join(map(str, cmd))}{where}")
    return sample


@dataclass
class Measurement:
    """Repeated samples of one quantity (seconds or bytes) and their summary."""

    key: str
    label: str
    unit: str  # "s" or "bytes"
    values: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    other_load: list[float] = field(default_factory=list)  # share of the machine others used, per run

    def add(self, value: float, cpu: float | None = None, *, other_cpu: float | None = None,
            wall: float | None = None) -> None:
        self.values.append(value)
        if cpu is not None:
            self.cpu_seconds.append(cpu)
        if other_cpu is not None and wall:
            self.other_load.append(other_cpu / (wall * (os.cpu_count() or 1)))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    """Wall seconds of an in-process call, and its result."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result
