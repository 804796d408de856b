"""``reports/index.html``: every published report with its Chinese title and links."""
from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from reportlib.report import fonts, pages

FOLDER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")
# Outcomes of a run (reports/status.json) that the index warns about.
FAILED_OUTCOMES = ("failed", "stopped", "killed")
TITLE_PATTERN = re.compile(r"<title>(.*?)</title>", re.S)


def _title(html_path: Path) -> str:
    """The report's title as text (its ``<title>`` is escaped HTML; the index escapes it once)."""
    with open(html_path, encoding="utf-8") as handle:
        head = handle.read(4096)
    match = TITLE_PATTERN.search(head)
    return unescape(match.group(1).strip()) if match and match.group(1).strip() else html_path.stem


def _report_sort_key(path: Path) -> tuple:
    # The quarter report first, then pillars in number order, then the rest (unit reports) by name.
    stem = path.stem
    if stem == "quarter":
        return (0, 0, "")
    if stem.startswith("pillar-") and stem.split("-")[-1].isdigit():
        return (1, int(stem.split("-")[-1]), "")
    return (2, 0, stem)


def list_reports(out_dir: Path) -> list[tuple[str, list[tuple[str, Path]]]]:
    """[(quarter folder, [(title, html path), ...]), ...], newest quarter first."""
    listing = []
    folders = sorted((p for p in out_dir.iterdir() if p.is_dir() and FOLDER_PATTERN.match(p.name)), reverse=True)
    for folder in folders:
        htmls = sorted(folder.glob("*.html"), key=_report_sort_key)
        listing.append((folder.name, [(_title(h), h) for h in htmls]))
    return listing


TITLE = "{organization}重点工作进展报告目录"


def office_title() -> str:
    """The index's title: the office of the current workspace's latest plan (the index spans
    every year of one office)."""
    from reportlib import workspace
    from reportlib.report.data import cached_plan

    ws = workspace.current()
    years = ws.plan_years()
    return TITLE.format(organization=cached_plan(ws.plan_file(years[-1])).organization if years else "")


def index_html(out_dir: Path, title: str | None = None, status: dict | None = None,
               counts: dict[str, list[tuple[str, int]]] | None = None) -> str:
    """The index page over every year's reports: self-contained, deterministic. ``title``
    (default :func:`office_title`); ``status``: of the runs (``reports/status.json``, read by the
    build), shown when the last run failed; ``counts``: quarter folder -> [(status label, KPI count), ...],
    shown under each quarter's heading."""
    title = title if title is not None else office_title()
    status = status or {}
    sections = []
    for folder, reports in list_reports(out_dir):
        match = FOLDER_PATTERN.match(folder)
        heading = f"{match.group(1)}年第{'一二三四'[int(match.group(2)) - 1]}季度"
        summary = ""
        if counts and counts.get(folder):
            parts = " · ".join(f"{escape(label)} {int(n)}" for label, n in counts[folder])
            summary = f'<p class="quarter-counts">{parts}</p>\n'
        items = []
        for report_title, html in reports:
            rel = html.relative_to(out_dir).as_posix()
            pdf = html.with_suffix(".pdf")
            pdf_link = f' · <a href="{escape(pdf.relative_to(out_dir).as_posix())}">PDF</a>' if pdf.exists() else ""
            word = html.with_suffix(".docx")
            word_link = f' · <a href="{escape(word.relative_to(out_dir).as_posix())}">Word</a>' if word.exists() else ""
            items.append(f'<li><a href="{escape(rel)}">{escape(report_title)}</a>{pdf_link}{word_link}</li>')
        sections.append(f"<h2>{heading}</h2>\n{summary}<ul>\n" + "\n".join(items) + "\n</ul>")
    body = "\n".join(sections) or "<p>尚未生成任何报告。</p>"
    return page_html(title, f"<h1>{escape(title)}</h1>\n{status_block(status)}{body}")


def report_index(out_dir: Path, status: dict | None = None) -> str:
    """The published index page of ``out_dir``: :func:`index_html` with each quarter's status
    counts from the workspace's data (what the build and the run's status both publish)."""
    return index_html(out_dir, status=status, counts=quarter_counts(out_dir))


def quarter_counts(out_dir: Path) -> dict[str, list[tuple[str, int]]]:
    """Quarter folder -> [(status label, KPI count), ...] for the index, from the workspace's data."""
    from reportlib import actuals, progress, workspace
    from reportlib.report.data import cached_plan

    ws = workspace.current()
    counts = {}
    for year in ws.plan_years():
        folders = sorted(p.name for p in out_dir.glob(f"{year}-Q[1-4]") if p.is_dir())
        data_file = ws.processed(year) / f"{actuals.ACTUALS_FILE}.parquet"
        if not folders or not data_file.exists():
            continue
        stat = data_file.stat()
        the_plan, table = cached_plan(ws.plan_file(year)), None
        for folder in folders:
            quarter = f"{year}Q{folder[-1]}"
            key = (str(ws.plan_file(year)), the_plan.sha256, str(data_file), stat.st_mtime_ns, stat.st_size, quarter)
            if key not in _COUNTS:  # (a run makes the index more than once: compared, published, its status shown)
                table = table if table is not None else actuals.load_actuals(ws.processed(year))
                frame = progress.status_counts(progress.compute_progress(the_plan, table, quarter))
                _COUNTS[key] = list(zip(frame["status_label"], frame["count"]))
            counts[folder] = _COUNTS[key]
    return counts


_COUNTS: dict[tuple, list[tuple[str, int]]] = {}


def page_html(title: str, body: str) -> str:
    """A self-contained page in the house style (CSS inlined, font subset embedded) around ``body``."""
    css = pages.CSS_PATH.read_text(encoding="utf-8")
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>\n{pages.FONT_FACE_SLOT}\n:root {{ --report-font: {fonts.CSS_FONT_STACK}; }}\n{css}\n</style>\n"
        f'</head>\n<body>\n<main class="report">\n{body}\n</main>\n</body>\n</html>\n'
    )
    return page.replace(pages.FONT_FACE_SLOT, fonts.embedded_font_css(page), 1)


def status_block(status: dict) -> str:
    """A warning at the top of the index when the last run failed: when, why, and since when
    the reports shown are unchanged (``reports/status.json``); nothing while runs succeed."""
    if (status.get("last_run") or {}).get("outcome") not in FAILED_OUTCOMES:
        return ""
    run = status["last_run"]
    success = (status.get("last_success") or {}).get("finished")
    since = f"以下仍是 {escape(success)} 成功生成的报告。" if success else "以下是此前生成的报告。"
    return (f'<p class="build-status">最近一次自动生成失败（{escape(str(run.get("finished", "")))}，'
            f'退出码 {escape(str(run.get("exit_code", "")))}）：{escape(str(run.get("reason", "")))}。{since}</p>\n')
