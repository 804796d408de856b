"""The machine and software a benchmark ran on."""
from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

from reportlib import provenance

KEY_PACKAGES = ("reportlib", "pandas", "pyarrow", "numpy", "matplotlib", "papermill", "nbclient", "nbconvert",
                "nbformat", "ipykernel", "jupyter_client", "weasyprint", "openpyxl")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def describe(project: Path) -> dict:
    """Cores, memory, CPU, OS, Python, package versions, commit and date."""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count() or 1,
        "memory_bytes": memory_bytes(),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(),
        "packages": provenance.package_versions(KEY_PACKAGES),
        "commit": provenance.git_commit(),
    }
