"""The reports on paper, read back as text page by page: the PDF (WeasyPrint) and the Word document
as an office lays it out (converted to PDF by LibreOffice Writer, as WPS and Word would show it).
No word of a table cell is split across lines (城市管理/办, 严重滞/后, 平方/米 were seen in Word), no
page ends with a heading or a line that leads into what follows (未报送指标（1项）, 说明), the last
page holds more than the provenance line, and a title never leaves a character or two alone.

LibreOffice comes from Debian (``make test`` installs it: scripts/setup.sh --test); the test fails,
never skips, without it. It lays the document out with the report's own font (Noto Sans CJK SC, pinned
by pip) standing in for every font the document names (宋体, 仿宋, 黑体, 楷体, Times New Roman, Arial),
through a fontconfig file of its own: the same glyph widths on every machine, whatever fonts it has.
"""
from __future__ import annotations

import io
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest

from reportlib import progress as prog
from reportlib.build import render
from reportlib.report import fonts, pages, present, word

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
OWNERS = ("城市管理办", "社会事务办公室", "经济发展办", "平安建设办", "党建办")
# (kind, unit, target, actual, expected) of the figures the reports print; the longest forms
FIGURES = [("area", "平方米", 85000.0, 40500.0, 63750.0), ("area", "平方米", 13600.0, 10900.0, 10200.0),
           ("count", "家", 15.0, 5.0, 11.25), ("count", "个", 1200.0, 37.0, 900.0),
           ("length", "公里", 12.5, 3.75, 9.375)]
STATUSES = ("severely_behind", "behind", "on_track", "ahead", "done", "missing")
NAMES = ("新增老旧小区改造提升面积", "双山医院南院宿舍棚改拆迁居民（含配套设施与道路提升改造工程）",
         "打造颜山花园东苑“齐鲁红色物业”党建示范点", "认定科技型中小企业", "市容管理月点评")


def _kpi_frames(count: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, plan = [], []
    for n in range(count):
        kind, unit, target, actual, expected = FIGURES[n % len(FIGURES)]
        status = STATUSES[n % len(STATUSES)]
        kpi_id = f"K{1 + n // 40}.{1 + n // 8 % 5}.{n % 8 + 1:02d}"
        rows.append({"kpi_id": kpi_id, "pillar": 1 + n // 40, "name": NAMES[n % len(NAMES)], "kind": kind, "unit": unit,
                     "target": target, "plan_target": target, "actual": actual, "expected": expected,
                     "completion": actual / target, "status": status, "status_label": prog.STATUS_LABELS[status],
                     "state": "", "approximate": False, "note": ""})
        plan.append({"kpi_id": kpi_id, "comparator": "at_least", "period": "year", "due_quarter": None,
                     "owner": OWNERS[n % len(OWNERS)]})
    return pd.DataFrame(rows), pd.DataFrame(plan)


def _report_notebook() -> tuple[nbformat.NotebookNode, list[str], list[list[str]]]:
    """A report-shaped notebook: sections whose headings and lead-in lines fall at every height of
    a page (a lead-in line and a table of 1 to 9 rows, many times over), the widest KPI table (with
    owners) and a units table. Returns it, its headings and lead-in lines, and the texts of every
    cell that must come out whole."""
    outputs, lead_ins = [], []
    progress, kpis = _kpi_frames(60)
    for section in range(1, 37):
        heading = f"（{section}）第{section}项工作"
        lead = f"未报送指标（{section % 9 + 1}项）"
        lead_ins += [heading, lead]
        rows = progress.iloc[: section % 9 + 1]
        outputs += [{"text/markdown": f"### {heading}"}, {"text/markdown": f"**未报送指标**（{section % 9 + 1}项）"},
                    {"text/html": present.kpi_table(rows, kpis, 3, with_owner=True)}]
    outputs.append({"text/html": present.kpi_table(progress, kpis, 3, with_owner=True)})
    units = pd.DataFrame({"排名": range(1, len(OWNERS) + 1), "责任单位": list(OWNERS), "指标数": [24, 17, 12, 9, 5],
                          **{prog.STATUS_LABELS[c]: [3, 2, 1, 0, 1] for c in prog.STATUS_DISPLAY_ORDER},
                          "平均完成率": ["71.7%", "80.2%", "100.0%", "55.5%", "9.1%"]})
    outputs.append({"text/html": present.table_html(units, numeric=tuple(units.columns[2:]), nowrap=("责任单位",))})
    nb = nbformat.v4.new_notebook()
    nb.cells.append(_cell({"text/html": present.cover_html(TITLE, ["数据截至：2025年9月30日"], True)}))
    nb.cells += [_cell(data) for data in outputs]
    nb.cells.append(nbformat.v4.new_markdown_cell("## 说明"))
    lead_ins.append("说明")
    nb.cells.append(_cell({"text/html": "".join(f'<p class="note">{n}. 序时进度按年度目标乘已过季度数除以4计算。</p>'
                                                for n in range(1, 8))},
                          {"text/html": present.provenance_html({"计划文件 sha256": "56e8c0463882b424"})}))
    whole = _cells_that_stay_whole(progress, kpis) + [[o for o in OWNERS], [s for s in prog.STATUS_LABELS.values()]]
    return nb, lead_ins, whole


TITLE = "城东街道2025年第三季度重点工作进展报告——城市管理办公室（综合行政执法中队）"


def _cell(*outputs: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in outputs]
    return cell


def _cells_that_stay_whole(progress: pd.DataFrame, kpis: pd.DataFrame) -> list[list[str]]:
    """Every id, target, figure, rate, status and unit of the KPI table, by column."""
    records = progress.merge(kpis, on="kpi_id").to_dict("records")
    return [[r["kpi_id"] for r in records], [present.fmt_target(r) for r in records],
            [present.fmt_actual(r) for r in records], [present.fmt_expected(r) for r in records],
            [present.fmt_percent(r["completion"]) for r in records], [r["status_label"] for r in records],
            [r["owner"] for r in records]]


def _fontconfig(folder) -> dict:
    """An environment in which LibreOffice sees the report font only, under every name."""
    config = folder / "fonts.conf"
    font_dir = fonts.font_files()["normal"].parent
    config.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{font_dir}</dir>
  <cachedir>{folder / 'fc-cache'}</cachedir>
  <match target="pattern"><edit name="family" mode="assign" binding="strong"><string>{fonts.FONT_FAMILY}</string></edit></match>
</fontconfig>
""", encoding="utf-8")
    import os

    return {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(folder)}


def word_pages_as_laid_out(docx: bytes, folder) -> list[str]:
    """The text of each page of ``docx`` as LibreOffice Writer lays it out."""
    from pypdf import PdfReader

    if SOFFICE is None:
        pytest.fail("LibreOffice is needed to lay out the Word file as an office would: run `make test` "
                    "(scripts/setup.sh --test installs the Debian package libreoffice-writer-nogui)")
    source = folder / "report.docx"
    source.write_bytes(docx)
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                             "--norestore", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                            capture_output=True, text=True, timeout=300, env=_fontconfig(folder))
    pdf = folder / "report.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages]


def pdf_pages(html: str) -> list[str]:
    """The text of each page of the report's PDF."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pages.html_to_pdf(html))).pages]


def _body_lines(page: str) -> list[str]:
    """A page's lines without spaces, less the page number line."""
    lines = [line.replace(" ", "") for line in page.splitlines() if line.strip()]
    return [line for line in lines if not (line.startswith("第") and line.endswith("页"))]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory):
    nb, lead_ins, whole = _report_notebook()
    pages = word_pages_as_laid_out(word.notebook_to_docx(nb), tmp_path_factory.mktemp("word"))
    return pages, lead_ins, whole


def assert_no_cell_split(pages_text: list[str], whole: list[list[str]]) -> None:
    text = "\n".join(pages_text).replace(" ", "")  # (the PDF's text has a space where Latin and CJK runs meet)
    for column in whole:
        for value in set(column) - {"—"}:
            assert text.count(value) >= column.count(value), f"{value} is split across lines"


def test_no_word_of_a_table_cell_is_split_across_lines(laid_out):
    pages_text, _, whole = laid_out
    assert_no_cell_split(pages_text, whole)


def test_no_word_of_a_pdf_table_cell_is_split_across_lines(printed):
    pages_text, _, whole = printed
    assert_no_cell_split(pages_text, whole)


def assert_no_page_ends_with(pages_text: list[str], lead_ins: list[str]) -> None:
    assert len(pages_text) > 3
    for number, page in enumerate(pages_text[:-1], start=1):
        lines = _body_lines(page)
        assert lines[-1] not in lead_ins, f"page {number} ends with {lines[-1]!r}"


def test_no_page_ends_with_a_heading_or_a_lead_in_line(laid_out):
    pages_text, lead_ins, _ = laid_out
    assert_no_page_ends_with(pages_text, lead_ins)


@pytest.fixture(scope="module")
def printed():
    nb, lead_ins, whole = _report_notebook()
    return pdf_pages(render.export_html(nb)), lead_ins, whole


def test_no_pdf_page_ends_with_a_heading_or_a_lead_in_line(printed):
    pages_text, lead_ins, _ = printed
    assert_no_page_ends_with(pages_text, lead_ins)


def _notes_report(count: int) -> str:
    """A cover, then 说明 of ``count`` numbered one-line notes and the provenance line, as HTML."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell({"text/html": present.cover_html("城东街道2025年第三季度重点工作进展报告", ["数据截至：2025年9月30日"], True)}),
                nbformat.v4.new_markdown_cell("## 说明"),
                _cell({"text/html": "".join(f'<p class="note">{n}. 序时进度按年度目标乘已过季度数除以4计算。</p>'
                                            for n in range(1, count + 1))},
                      {"text/html": present.provenance_html({"计划文件 sha256": "56e8c0463882b424"})})]
    return render.export_html(nb)


def test_the_last_pdf_page_holds_more_than_the_provenance_line():
    # the notes that fill the first page exactly, found from a longer 说明; then that many notes, and
    # one or two fewer or more: wherever the page ends, the provenance line has notes beside it
    first = _body_lines(pdf_pages(_notes_report(60))[0])
    fill = max(int(line.split(".")[0]) for line in first if line.split(".")[0].isdigit())
    for count in range(fill - 2, fill + 3):
        last = _body_lines(pdf_pages(_notes_report(count))[-1])
        notes = [line for line in last if line.split(".")[0].isdigit()]
        assert len(notes) >= 3 or count <= 3, (count, last)


def test_a_title_never_leaves_a_character_or_two_alone_on_its_last_line(printed):
    pages_text, _, _ = printed
    main, _, part = TITLE.partition("——")
    first = _body_lines(pages_text[0])
    assert first[0] == main and first[1].startswith("——"), first[:3]  # its part on a line of its own
    title_lines = first[1:first.index(next(line for line in first if line.startswith("数据截至")))]
    assert all(len(line) > 2 for line in title_lines), title_lines
