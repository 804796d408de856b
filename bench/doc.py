"""The benchmark table: printed, judged against the targets and written to docs/benchmarks.md."""
from __future__ import annotations

from pathlib import Path

from bench.measure import Measurement
from bench.run import (MAX_BOMB_BYTES, MAX_BOMB_SECONDS, MAX_FORMATTED_BYTES, MAX_FORMATTED_SECONDS, MAX_INGEST_BYTES, MAX_INGEST_SECONDS, MAX_NOOP_SECONDS,
                       MAX_PLAN_SECONDS, MAX_QUARTER_1000_SECONDS, MIN_SPEEDUP, PLAN_PAGES, Config, Results)
from bench.scale import SizeResult


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def size(value: float) -> str:
    return f"{value / 1024**3:.2f} GiB" if value >= 1024**3 else f"{value / 1024**2:.0f} MiB"


def fmt(m: Measurement, value: float) -> str:
    return size(value) if m.unit == "bytes" else seconds(value)


def verdicts(res: Results) -> list[tuple[str, bool, str]]:
    """(target, passed, measured) for each target whose measurement ran."""
    out = []
    ms = res.measurements
    if "build" in ms and "naive_parallel" in ms:
        ratio = ms["naive_parallel"].median / ms["build"].median
        out.append((f"full build at least {MIN_SPEEDUP:g}x faster than the naive loop in parallel", ratio >= MIN_SPEEDUP,
                    f"{ratio:.1f}x ({seconds(ms['build'].median)} vs {seconds(ms['naive_parallel'].median)})"))
    big = [r for r in res.scale if r.kpis == 1000]
    if big:
        quarter = SizeResult.median(big[0].quarter_s)
        out.append((f"quarter report at 1000 KPIs under {MAX_QUARTER_1000_SECONDS:g} s", quarter < MAX_QUARTER_1000_SECONDS,
                    seconds(quarter)))
    if "noop" in ms:
        out.append((f"no-op rebuild under {MAX_NOOP_SECONDS:g} s", ms["noop"].median < MAX_NOOP_SECONDS, seconds(ms["noop"].median)))
    if "ingest" in ms:
        rows = res.facts.get("ingest_rows", 0)
        out.append((f"{rows:,} rows ingested in under {MAX_INGEST_SECONDS:g} s", ms["ingest"].median < MAX_INGEST_SECONDS,
                    seconds(ms["ingest"].median)))
        out.append((f"ingest peak memory under {size(MAX_INGEST_BYTES)}", ms["ingest_rss"].median < MAX_INGEST_BYTES,
                    size(ms["ingest_rss"].median)))
    if "plan" in ms:
        out.append((f"`plan extract` of a {PLAN_PAGES}-page plan in under {MAX_PLAN_SECONDS:g} s",
                    ms["plan"].median < MAX_PLAN_SECONDS, seconds(ms["plan"].median)))
    if "formatted" in ms:
        out.append((f"sheet formatted to row 1,048,576 (10 data rows) ingested in under {MAX_FORMATTED_SECONDS:g} s",
                    ms["formatted"].median < MAX_FORMATTED_SECONDS, seconds(ms["formatted"].median)))
        out.append((f"its peak memory under {size(MAX_FORMATTED_BYTES)}", ms["formatted_rss"].median < MAX_FORMATTED_BYTES,
                    size(ms["formatted_rss"].median)))
    if "bomb" in ms:
        out.append((f"zip bomb .xlsx refused in under {MAX_BOMB_SECONDS:g} s", ms["bomb"].high < MAX_BOMB_SECONDS,
                    seconds(ms["bomb"].high) + " (slowest run)"))
        out.append((f"… and under {size(MAX_BOMB_BYTES)} of memory", ms["bomb_rss"].high < MAX_BOMB_BYTES,
                    size(ms["bomb_rss"].high) + " (largest run)"))
    return out


def rows(res: Results, cfg: Config) -> list[list[str]]:
    """The result table: what, median, min, max, CPU (median user+sys), runs."""
    f = res.facts
    labels = {
        "build": f"full build — `reportlib build --all --force --formats html,pdf`, {f.get('reports', '?')} reports, "
                 f"HTML + PDF (what the naive loop writes), {f.get('workers', '?')} workers",
        "build_word": "default build (reference) — `reportlib build --all --force`: HTML + PDF + Word",
        "naive_parallel": f"naive loop in parallel — `xargs -P {f.get('workers', '?')}` over the reports: `papermill`, "
                          f"`jupyter nbconvert --to reporthtml`, `--to reportpdf`",
        "naive": "naive loop in sequence (reference) — the same commands one after another",
        "noop": "no-op rebuild — `reportlib build --all --formats html,pdf`, nothing changed",
        "ingest": f"ingest — `reportlib ingest`, {f.get('ingest_rows', 0):,} rows in {f.get('ingest_files', 0):,} CSV files "
                  f"({f.get('ingest_mb', 0):.0f} MB)",
        "ingest_rss": "ingest — peak memory (max RSS of the process)",
        "formatted": f"ingest — one .xlsx formatted to row 1,048,576 with 10 data rows ({f.get('formatted_mb', 0):.0f} MB)",
        "formatted_rss": "formatted sheet — peak memory (max RSS of the process)",
        "bomb": f"ingest — a zip bomb .xlsx ({f.get('bomb_mb', 0):.1f} MB, {f.get('bomb_unpacked_gb', 0):.2f} GB unpacked), refused",
        "bomb_rss": "zip bomb — peak memory (max RSS of the process)",
        "plan": f"plan extract — `reportlib plan extract`, {f.get('plan_pages', PLAN_PAGES)}-page plan "
                f"({f.get('plan_chars', 0):,} characters, {f.get('plan_candidates', 0):,} candidates)",
    }
    table = []
    for key in ("build", "build_word", "naive_parallel", "naive", "noop", "ingest", "ingest_rss", "formatted", "formatted_rss", "bomb",
                "bomb_rss", "plan"):
        m = res.measurements.get(key)
        if not m:
            continue
        cpu = seconds(sorted(m.cpu_seconds)[len(m.cpu_seconds) // 2]) if m.cpu_seconds else "—"
        table.append([labels[key], fmt(m, m.median), fmt(m, m.low), fmt(m, m.high), cpu, str(len(m.values))])
    for key, label in (("naive_parallel", "speed-up — naive loop in parallel ÷ full build"),
                       ("naive", "speed-up — naive loop in sequence ÷ full build (reference)")):
        if "build" in res.measurements and key in res.measurements:
            b, n = res.measurements["build"], res.measurements[key]
            table.append([label, f"{n.median / b.median:.1f}x", f"{n.low / b.high:.1f}x", f"{n.high / b.low:.1f}x",
                          "—", str(len(n.values))])
    return table


def scale_rows(res: Results) -> list[list[str]]:
    """The scaling series: one row per plan size (medians)."""
    m = SizeResult.median
    return [[f"{r.kpis}", str(r.reports), seconds(m(r.build_s)), seconds(m(r.build_cpu_s)), seconds(m(r.quarter_s)),
             str(r.quarter_pages), seconds(m(r.pillar_s)), "/".join(map(str, r.pillar_pages)),
             size(max(r.tree_peak)) if r.tree_peak else "—", seconds(m(r.extract_s)), f"{m(r.load_s):.3f} s",
             str(len(r.build_s))] for r in res.scale]


SCALE_HEADER = ["KPIs", "reports", "build", "CPU", "quarter report", "pages", "pillar report (mean)", "pages",
                "peak memory (tree)", "plan extract", "plan load", "runs"]


def scale_table(res: Results) -> list[str]:
    """The scaling series as markdown lines (the KPIs column left, the figures right)."""
    return markdown_table(SCALE_HEADER, scale_rows(res), "l" + "r" * (len(SCALE_HEADER) - 1))


def markdown_table(header: list[str], body: list[list[str]], align: str) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(":---" if a == "l" else "---:" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def render(res: Results, cfg: Config, machine: dict) -> str:
    """docs/benchmarks.md: same sections and order on every run."""
    f = res.facts
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench`); do not edit by hand — run it again.",
        f"Each measurement ran {cfg.runs} time(s) in one run of the benchmark; the table gives the median, min and max "
        "wall-clock time (and the median CPU time, user + system, of the process and its children).",
        "",
        "## Results",
        "",
        *markdown_table(["measurement", "median", "min", "max", "CPU", "runs"], rows(res, cfg), "lrrrrr"),
        "",
        *(["## Scaling series (generated plans)", "",
            "`reportlib -C WS build --quarter 2025Q3 --force` (quarter report, 5 pillar reports and a report per unit, HTML, PDF and Word, "
            f"{f.get('workers', 2)} workers); report seconds from the manifest; peak memory = largest sum of resident "
            "memory of the build and all its workers and kernels (sampled every 0.1 s).", "",
            *scale_table(res), ""] if res.scale else []),
        "## Targets",
        "",
        *markdown_table(["target", "measured", "result"],
                        [[t, m, "PASS" if ok else "FAIL"] for t, ok, m in verdicts(res)], "lll"),
        "",
        "## Checks",
        "",
        *[f"- {'ok' if ok else 'FAILED'}: {name}" + (f" ({detail})" if detail else "") for name, ok, detail in res.checks],
        *[f"- note: {text}" for text in res.notes],
        "",
        "## Machine",
        "",
        *markdown_table(["", ""], [
            ["date", machine["date"]],
            ["CPU cores", str(machine["cores"])],
            ["memory", size(machine["memory_bytes"])],
            ["CPU", machine["cpu"]],
            ["OS", machine["os"]],
            ["Python", machine["python"]],
            ["packages", ", ".join(f"{k} {v}" for k, v in machine["packages"].items())],
            ["commit", machine["commit"] or "—"],
        ], "ll"),
        "",
        "## What is measured",
        "",
        "- **full build**: `reportlib build --all --force --formats html,pdf --out TMP` — ingest check, then every "
        "report of every quarter with data (quarter report, one per pillar, one per responsible unit), executed by "
        "papermill in a fresh kernel each, converted to HTML and to PDF (what the naive loop writes), published with "
        "manifests and index. The **default build** (reference) also writes each report's Word document.",
        "- **naive loop**: the same reports from the same notebooks, parameters and processed data, "
        "with the command-line tools a user would otherwise type: `papermill NB OUT.ipynb -p year … -p quarter … "
        "[-p pillar …]`, then `jupyter nbconvert --to reporthtml OUT.ipynb` and `jupyter nbconvert --to reportpdf "
        "OUT.ipynb` — the peer runs one shell script per report with `xargs -P <cores>` (the same cores as the "
        "build); the sequential loop (once) is kept for reference. The check above compares the parallel loop's "
        "HTML and PDF bytes with the full build's.",
        "- **scaling series**: `bench/big_plan.py` generates a workspace per size (plan file, plan document, "
        "submissions for Q1–Q3; fixed seed); `plan extract` of its document, `load_plan` timed in a fresh process, "
        "and `reportlib -C WS build --quarter 2025Q3 --force`.",
        "- Timings are only comparable on a quiet machine; on a shared one (other jobs running) quote the ratios "
        "and the CPU column.",
        "- **no-op rebuild**: `reportlib build --all --formats html,pdf` again on the same output folder with nothing changed.",
        f"- **ingest**: `reportlib ingest --raw TMP --out TMP` on a generated set (`bench/ingest_data.py`, fixed seed) of "
        f"{f.get('ingest_rows', cfg.rows):,} data rows for the plan's KPIs: many reporting units, one file per unit and "
        "quarter plus corrected resubmissions that supersede earlier rows, five file layouts (UTF-8 with BOM, GBK with "
        "title and footer rows, English headers and KPIs by name, increments only with full-width digits, "
        "semicolon-separated with 万平方米) and about 2 % messy cells, each rejected for a known reason. Peak memory is "
        "the ingest process's maximum resident set size (`os.wait4`).",
        f"- **plan extract**: `reportlib plan extract DOC --out TMP.csv` on a generated GBK plan of about {PLAN_PAGES} "
        "pages (`bench/plan_doc.py`: the clauses of the invented test plans under 一、 sections, （一） tasks and "
        "一是/二是 sub-items, with a 主要预期目标 preface).",
        "- **formatted sheet**: `reportlib ingest` of one .xlsx (`bench/ingest_data.py:formatted_workbook`) whose sheet "
        "declares A1:K1048576 and has a styled empty cell in 5 columns of every row below its 10 data rows.",
        "- **zip bomb**: `reportlib ingest` of one .xlsx (`bench/ingest_data.py:zip_bomb_workbook`) of a few MB whose "
        "sheet unpacks to 1.1 GB of data rows; it must be refused (a file error naming the limit, "
        "`reportlib.actuals.limits`) quickly and in little memory.",
        "",
    ]
    return "\n".join(lines)


# Everything from this line on in docs/benchmarks.md is measurement history written by hand
# (profiles, paired runs of two commits); a new run rewrites what is above it and keeps it.
HISTORY_MARKER = "<!-- history: kept as it is by python -m bench -->"


def write(path: Path, text: str) -> None:
    """Write the benchmark page, keeping the hand-written history below HISTORY_MARKER."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    history = old[old.index(HISTORY_MARKER):] if HISTORY_MARKER in old else ""
    path.write_text(text.rstrip("\n") + "\n\n" + history if history else text, encoding="utf-8")
