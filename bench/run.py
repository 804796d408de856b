"""The benchmark run: full build vs the naive loop (in parallel, and in sequence for reference),
the no-op rebuild, ingest at scale, and the scaling series of generated plans."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import ingest_data, naive, plan_doc, scale
from bench.measure import Measurement, run

# Targets (checked in the output as PASS/FAIL, never as timed assertions in tests).
MIN_SPEEDUP = 5.0  # against the naive loop run in parallel on the same cores
MAX_NOOP_SECONDS = 2.0
INGEST_ROWS = 1_000_000
MAX_INGEST_SECONDS = 30.0
MAX_INGEST_BYTES = 2 * 1024**3
PLAN_PAGES = 200
MAX_PLAN_SECONDS = 5.0
MAX_FORMATTED_SECONDS = 5.0
MAX_FORMATTED_BYTES = 300 * 1024**2
MAX_QUARTER_1000_SECONDS = 12.0  # the quarter report of a 1000-KPI plan
MAX_BOMB_SECONDS = 10.0  # a zip bomb .xlsx refused ...
MAX_BOMB_BYTES = 300 * 1024**2  # ... within this memory
PARTS = ("build", "noop", "ingest", "formatted", "bomb", "plan", "scale")
OTHER_LOAD_LIMIT = 0.10  # above this, timings are disturbed by something else on the machine


@dataclass
class Config:
    project: Path
    runs: int
    parts: tuple[str, ...]
    rows: int = INGEST_ROWS
    keep: bool = False
    workdir: Path | None = None
    sizes: tuple[int, ...] = scale.SIZES
    sequential: bool = True  # also run the naive loop in sequence (once; reference only)

    @property
    def bin_dir(self) -> Path:
        return Path(sys.executable).parent

    @property
    def env(self) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.project), env.get("PYTHONPATH", "")) if p)
        return env


@dataclass
class Results:
    measurements: dict[str, Measurement] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (name, ok, detail)
    facts: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scale: list = field(default_factory=list)  # scale.SizeResult per plan size

    def measurement(self, key: str, label: str, unit: str = "s") -> Measurement:
        return self.measurements.setdefault(key, Measurement(key, label, unit))

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        print(f"  check {'ok  ' if ok else 'FAILED'} {name}{': ' + detail if detail else ''}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note  {text}", flush=True)


def say(text: str) -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- full build and naive loop


# What the naive loop writes, so the two do the same work; the default build also writes each
# report's Word document, measured on its own (reference).
PEER_FORMATS = "html,pdf"


def _build_cmd(cfg: Config, out: Path, log: Path, *, force: bool, formats: str | None = PEER_FORMATS) -> list[str]:
    cmd = [str(cfg.bin_dir / "reportlib"), "build", "--all", "--out", str(out), "--log-file", str(log)]
    return cmd + (["--formats", formats] if formats else []) + (["--force"] if force else [])


def _files(folder: Path, suffixes=(".html", ".pdf")) -> dict[str, bytes]:
    """The reports under ``folder`` by relative path; of a published folder, its current set."""
    if (folder / "current").is_dir():
        folder = (folder / "current").resolve()  # (not the generations kept beside it)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.suffix in suffixes and p.name != "index.html"}


def _without_navigation(name: str, data: bytes) -> bytes:
    """A built report as the naive loop writes it: the HTML without the build's line of links
    to the index and the neighbouring quarters (screen only, so the PDFs are the same as they are)."""
    if not name.endswith(".html"):
        return data
    from reportlib.report.navigation import without_links

    return without_links(data.decode("utf-8")).encode("utf-8")


def measure_build(cfg: Config, work: Path, res: Results) -> None:
    jobs = naive.build_jobs(cfg.bin_dir / "python", cfg.project, cfg.env)
    workers = os.cpu_count() or 1
    res.facts["reports"] = len(jobs)
    res.facts["workers"] = workers
    say(f"full build vs naive loop in parallel (xargs -P {workers}): {len(jobs)} reports (HTML + PDF), "
        f"{cfg.runs} run(s) each, interleaved")
    build_m = res.measurement("build", "full build")
    parallel_m = res.measurement("naive_parallel", "naive loop in parallel")
    word_m = res.measurement("build_word", "default build, with the Word documents")
    out = work / "build"
    for index in range(cfg.runs):
        log = work / "logs" / f"build-{index + 1}.log"
        sample = run(_build_cmd(cfg, out, log, force=True), cwd=cfg.project, env=cfg.env, log=work / "logs" / "build.out")
        build_m.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
        say(f"  build run {index + 1}: {sample.seconds:.1f} s (CPU {sample.cpu_seconds:.1f} s)")
        naive_out = work / f"naive-parallel-{index + 1}"
        listing = naive.write_report_scripts(jobs, naive_out, cfg.bin_dir, work / f"scripts-{index + 1}")
        sample = run(naive.parallel_command(listing, workers), cwd=cfg.project, env=cfg.env,
                     log=work / "logs" / "naive.out")
        parallel_m.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
        say(f"  naive parallel run {index + 1}: {sample.seconds:.1f} s (CPU {sample.cpu_seconds:.1f} s)")
        if index < cfg.runs - 1:
            shutil.rmtree(naive_out)
        sample = run(_build_cmd(cfg, work / "build-word", work / "logs" / f"build-word-{index + 1}.log", force=True,
                                formats=None), cwd=cfg.project, env=cfg.env, log=work / "logs" / "build.out")
        word_m.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
        say(f"  default build (HTML + PDF + Word) run {index + 1}: {sample.seconds:.1f} s (CPU {sample.cpu_seconds:.1f} s)")
    built = _files(out)
    res.facts["build_files"] = len(built)
    res.check("full build wrote every report", len(built) == 2 * len(jobs), f"{len(built)} HTML/PDF files")
    plain = _files(work / f"naive-parallel-{cfg.runs}")
    same = sum(1 for name, data in plain.items() if name in built and _without_navigation(name, built[name]) == data)
    res.facts["naive_identical"] = f"{same}/{len(plain)}"
    res.check("naive loop gives the same HTML (but the build's navigation line) and PDF bytes", same == len(plain) == len(built), f"{same}/{len(plain)} identical")
    if cfg.sequential:
        say("naive loop in sequence (reference), 1 run")
        naive_m = res.measurement("naive", "naive loop in sequence")
        started = time.perf_counter()
        samples = naive.run_loop(jobs, work / "naive-sequential", cfg.bin_dir, cfg.project, cfg.env,
                                 work / "logs" / "naive.out")
        seconds = time.perf_counter() - started
        naive_m.add(seconds, sum(s.cpu_seconds for s in samples), other_cpu=sum(s.other_cpu_seconds for s in samples),
                    wall=seconds)
        say(f"  naive sequential run: {seconds:.1f} s ({len(samples)} commands)")


def measure_noop(cfg: Config, work: Path, res: Results) -> None:
    out = work / "build"
    if not (out / "index.html").exists():
        say("no-op rebuild: building once first (not timed)")
        run(_build_cmd(cfg, out, work / "logs" / "prepare.log", force=True), cwd=cfg.project, env=cfg.env,
            log=work / "logs" / "build.out")
    say(f"no-op rebuild: `reportlib build --all` with nothing changed, {cfg.runs} run(s)")
    noop_m = res.measurement("noop", "no-op rebuild")
    before = _files(out, (".html", ".pdf", ".ipynb"))
    for index in range(cfg.runs):
        log = work / "logs" / f"noop-{index + 1}.log"
        sample = run(_build_cmd(cfg, out, log, force=False), cwd=cfg.project, env=cfg.env, log=work / "logs" / "build.out")
        noop_m.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
        rendered = [line for line in log.read_text(encoding="utf-8").splitlines() if " done: " in line]
        say(f"  no-op run {index + 1}: {sample.seconds:.2f} s — {rendered[-1].split(' done: ')[-1] if rendered else '?'}")
        res.check(f"no-op run {index + 1} rendered nothing", bool(rendered) and " 0 rendered" in rendered[-1])
    res.check("no-op left every report untouched", _files(out, (".html", ".pdf", ".ipynb")) == before)


# --------------------------------------------------------------------------- ingest


def measure_ingest(cfg: Config, work: Path, res: Results) -> None:
    raw = work / "ingest" / "raw"
    say(f"ingest: generating {cfg.rows:,} rows of CSV submissions")
    started = time.perf_counter()
    expected = ingest_data.generate(raw, cfg.rows)
    size = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file())
    res.facts.update(ingest_rows=expected.rows_read, ingest_files=expected.files, ingest_mb=size / 1024**2,
                     ingest_generate_s=time.perf_counter() - started, ingest_expected=expected.as_dict())
    say(f"  {expected.files:,} files, {size / 1024**2:.0f} MB, generated in {res.facts['ingest_generate_s']:.1f} s")
    wall = res.measurement("ingest", "ingest")
    memory = res.measurement("ingest_rss", "ingest peak memory", "bytes")
    out = work / "ingest" / "out"
    for index in range(cfg.runs):
        sample, summary = _timed_ingest(cfg, raw, out, work / "logs" / f"ingest-{index + 1}.log", wall, memory)
        say(f"  ingest run {index + 1}: {sample.seconds:.1f} s, peak {sample.max_rss_bytes / 1024**2:.0f} MiB")
        identity = summary["rows_read"] == summary["accepted"] + summary["superseded"] + summary["held"] + summary["rejected"]
        res.check(f"ingest run {index + 1}: rows_read == accepted + superseded + held + rejected", identity,
                  f"{summary['rows_read']:,} = {summary['accepted']:,} + {summary['superseded']:,} + {summary['held']:,}"
                  f" + {summary['rejected']:,}")
        # the generator counts figures it wrote, not the judgement's verdicts: a held one was accepted by it
        got = {key: summary[key] for key in expected.as_dict()} | {"accepted": summary["accepted"] + summary["held"]}
        res.check(f"ingest run {index + 1}: counts and reject reasons as generated", got == expected.as_dict(),
                  "" if got == expected.as_dict() else f"expected {expected.as_dict()}, got {got}")
        res.facts["ingest_summary"] = got


def _timed_ingest(cfg: Config, raw: Path, out: Path, log: Path, wall: Measurement, memory: Measurement):
    """One ``reportlib ingest --raw RAW --out OUT`` into an emptied ``out``, its time added to
    ``wall`` and its peak memory to ``memory``; returns the sample and the ingest summary."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(cfg.bin_dir / "reportlib"), "ingest", "--raw", str(raw), "--out", str(out)]
    sample = run(cmd, cwd=cfg.project, env=cfg.env, log=log)
    wall.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
    memory.add(sample.max_rss_bytes)
    return sample, json.loads((out / "ingest_summary.json").read_text(encoding="utf-8"))


def _one_file_ingests(cfg: Config, work: Path, res: Results, key: str, label: str, raw: Path):
    """``cfg.runs`` timed ingests of ``raw`` (one generated file), as measurements ``key`` and
    ``key``_rss; yields (run number, summary) of each."""
    wall = res.measurement(key, label)
    memory = res.measurement(f"{key}_rss", f"{label} peak memory", "bytes")
    for index in range(cfg.runs):
        sample, summary = _timed_ingest(cfg, raw, work / key / "out", work / "logs" / f"{key}-{index + 1}.log", wall, memory)
        say(f"  run {index + 1}: {sample.seconds:.2f} s, peak {sample.max_rss_bytes / 1024**2:.0f} MiB")
        yield index + 1, summary


def measure_formatted(cfg: Config, work: Path, res: Results) -> None:
    """Ingest of one .xlsx formatted down to row 1 048 576 with 10 data rows."""
    raw = work / "formatted" / "raw"
    say("ingest of a sheet formatted to row 1,048,576 with 10 data rows: generating")
    path = ingest_data.formatted_workbook(raw / "2025Q3" / "formatted.xlsx")
    res.facts["formatted_mb"] = path.stat().st_size / 1024**2
    for run_number, summary in _one_file_ingests(cfg, work, res, "formatted", "formatted sheet", raw):
        res.check(f"formatted run {run_number}: 10 data rows read", summary["rows_read"] == 10, f"{summary['rows_read']} rows")


def measure_bomb(cfg: Config, work: Path, res: Results) -> None:
    """Ingest of a zip bomb .xlsx (a few MB, 1.1 GB of rows unpacked): refused, in bounded time and memory."""
    import zipfile

    raw = work / "bomb" / "raw"
    say("ingest of a zip bomb .xlsx: generating")
    path = ingest_data.zip_bomb_workbook(raw / "2025Q3" / "bomb.xlsx")
    with zipfile.ZipFile(path) as archive:
        res.facts["bomb_mb"] = path.stat().st_size / 1024**2
        res.facts["bomb_unpacked_gb"] = sum(item.file_size for item in archive.infolist()) / 1024**3
    for run_number, summary in _one_file_ingests(cfg, work, res, "bomb", "zip bomb", raw):
        reasons = [error["reason"] for error in summary["file_errors"]]
        res.check(f"bomb run {run_number}: the file is refused as too large unpacked",
                  reasons == ["unpacked_too_large"] and summary["rows_read"] == 0, ", ".join(reasons) or "not refused")


# --------------------------------------------------------------------------- plan extract


def measure_plan(cfg: Config, work: Path, res: Results) -> None:
    """``reportlib plan extract`` on a generated 200-page plan (GBK text)."""
    document = work / "plan" / "plan_200_pages.txt"
    res.facts.update(plan_doc.write(document, PLAN_PAGES))
    say(f"plan: {res.facts['plan_chars']:,} characters, {res.facts['plan_sections']} sections")
    wall = res.measurement("plan", "plan extract")
    out = work / "plan" / "candidates.csv"
    for index in range(cfg.runs):
        cmd = [str(cfg.bin_dir / "reportlib"), "plan", "extract", str(document), "--out", str(out)]
        sample = run(cmd, cwd=cfg.project, env=cfg.env, log=work / "logs" / f"plan-{index + 1}.log")
        wall.add(sample.seconds, sample.cpu_seconds, other_cpu=sample.other_cpu_seconds, wall=sample.seconds)
        rows = out.read_text(encoding="utf-8").count("\n") - 1
        res.facts["plan_candidates"] = rows
        say(f"  plan extract run {index + 1}: {sample.seconds:.2f} s, {rows:,} candidates")
        res.check(f"plan extract run {index + 1}: candidates found", rows > 0, f"{rows:,}")


# --------------------------------------------------------------------------- scaling series


def measure_scale(cfg: Config, work: Path, res: Results) -> None:
    say(f"scaling series: generated plans of {', '.join(map(str, cfg.sizes))} KPIs, {cfg.runs} run(s) each")
    for kpis in cfg.sizes:
        result = scale.measure_size(kpis, cfg.runs, work / "scale", cfg.bin_dir, cfg.project, cfg.env,
                                    work / "logs" / "scale.out")
        res.scale.append(result)
        m = scale.SizeResult.median
        say(f"  {kpis} KPIs: build {m(result.build_s):.1f} s, quarter report {m(result.quarter_s):.1f} s "
            f"({result.quarter_pages} pages), pillar report {m(result.pillar_s):.1f} s "
            f"({'/'.join(map(str, result.pillar_pages))} pages), peak {max(result.tree_peak) / 1024**2:.0f} MiB, "
            f"plan extract {m(result.extract_s):.2f} s, plan load {m(result.load_s):.3f} s")


# --------------------------------------------------------------------------- the run


def execute(cfg: Config) -> Results:
    work = Path(tempfile.mkdtemp(prefix="reportlib-bench-", dir=cfg.workdir))
    (work / "logs").mkdir()
    res = Results()
    say(f"working folder: {work}")
    ok = False
    try:
        for part, fn in (("build", measure_build), ("noop", measure_noop), ("ingest", measure_ingest),
                         ("formatted", measure_formatted), ("bomb", measure_bomb),
                         ("plan", measure_plan),
                         ("scale", measure_scale)):
            if part in cfg.parts:
                fn(cfg, work, res)
        loads = [load for m in res.measurements.values() for load in m.other_load]
        if loads:
            res.facts["other_load"] = max(loads)
            quiet = max(loads) < OTHER_LOAD_LIMIT
            res.note(f"other processes (and hypervisor steal) used at most {max(loads):.0%} of the machine's CPU "
                     f"during a measured run" + ("" if quiet else " — the timings are disturbed; run again on a quiet machine"))
        ok = True
    finally:
        if cfg.keep or not ok:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return res
