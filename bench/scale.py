"""The scaling series: generated plans of 83, 300 and 1000 KPIs (bench/big_plan.py).

For each size, in a temporary workspace (``reportlib init`` layout, generated plan and submissions):

* ``reportlib -C WS plan extract plan.txt`` — the plan document of that size → candidate targets;
* plan loading — ``load_plan`` of the plan file, timed inside a fresh process (cold: no cache);
* ``reportlib -C WS build --quarter 2025Q3 --force`` — the quarter report, the five pillar
  reports and one report per responsible unit (HTML, PDF, Word), with the seconds of each report from the manifest, the pages of each
  PDF and the peak resident memory of the whole process tree (build, workers, kernels).
"""
from __future__ import annotations

import io
import json
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench import big_plan
from bench.measure import run

SIZES = (83, 300, 1000)
QUARTER = "2025Q3"
_LOAD_SCRIPT = """
import sys, time
from reportlib.plan import load_plan
started = time.perf_counter()
plan = load_plan(sys.argv[1])
print(time.perf_counter() - started, len(plan.kpis))
"""


@dataclass
class SizeResult:
    kpis: int
    extract_s: list[float] = field(default_factory=list)
    load_s: list[float] = field(default_factory=list)
    build_s: list[float] = field(default_factory=list)
    build_cpu_s: list[float] = field(default_factory=list)
    tree_peak: list[int] = field(default_factory=list)
    quarter_s: list[float] = field(default_factory=list)  # seconds of the quarter report (manifest)
    pillar_s: list[float] = field(default_factory=list)  # mean seconds of a pillar report (manifest)
    quarter_pages: int = 0
    pillar_pages: list[int] = field(default_factory=list)
    reports: int = 0  # reports the build wrote (quarter, pillars, one per responsible unit)

    @staticmethod
    def median(values) -> float:
        return statistics.median(values) if values else float("nan")


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def measure_size(kpis: int, runs: int, work: Path, bin_dir: Path, project: Path, env: dict, log: Path) -> SizeResult:
    """Every measurement of one plan size, ``runs`` times each."""
    root = big_plan.make_workspace(work / f"ws-{kpis}", kpis)
    plan_dir = root / "data" / "raw" / "plans" / str(big_plan.YEAR)
    result = SizeResult(kpis)
    reportlib = str(bin_dir / "reportlib")
    for _ in range(runs):
        sample = run([reportlib, "-C", str(root), "plan", "extract", str(plan_dir / "plan.txt"),
                      "--out", str(work / f"extract-{kpis}.csv")], cwd=project, env=env, log=log)
        result.extract_s.append(sample.seconds)
        out = subprocess.run([str(bin_dir / "python"), "-c", _LOAD_SCRIPT, str(plan_dir / "plan.yaml")], cwd=project,
                             env=env, capture_output=True, text=True, check=True)
        seconds, count = out.stdout.split()
        assert int(count) == kpis, f"plan of {kpis} KPIs loaded {count}"
        result.load_s.append(float(seconds))
    out_dir = root / "out"
    for _ in range(runs):
        sample = run([reportlib, "-C", str(root), "build", "--quarter", QUARTER, "--force", "--out", str(out_dir)],
                     cwd=project, env=env, log=log, tree_memory=True)
        result.build_s.append(sample.seconds)
        result.build_cpu_s.append(sample.cpu_seconds)
        result.tree_peak.append(sample.tree_peak_bytes)
        folder = out_dir / f"{QUARTER[:4]}-Q{QUARTER[-1]}"
        reports = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["reports"]
        result.quarter_s.append(reports[f"{folder.name}/quarter"]["seconds"])
        result.reports = len(reports)
        pillars = [r["seconds"] for name, r in reports.items() if "/pillar-" in name]
        result.pillar_s.append(sum(pillars) / len(pillars))
    folder = out_dir / f"{QUARTER[:4]}-Q{QUARTER[-1]}"
    result.quarter_pages = _pages(folder / "quarter.pdf")
    result.pillar_pages = [_pages(p) for p in sorted(folder.glob("pillar-*.pdf"))]
    return result
