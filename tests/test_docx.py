"""The Word version of the reports: headings, real tables, pictures, fonts, page, reproducible bytes."""
from __future__ import annotations

import base64
import io
import zipfile

import docx
import nbformat
import pandas as pd
from docx.oxml.ns import qn

from reportlib.report import charts, fonts, present, word, word_page
from reportlib import progress as prog

KPIS = pd.DataFrame([
    {"kpi_id": f"K1.1.{n:02d}", "comparator": "at_least", "period": "year", "due_quarter": None, "owner": "党建办"}
    for n in range(1, 31)
])
PROGRESS = pd.DataFrame([
    {"kpi_id": f"K1.1.{n:02d}", "name": f"新发展“城东合伙人”第{n}批", "kind": "count", "unit": "家",
     "target": 100.0, "plan_target": 100.0, "actual": float(n), "expected": 75.0, "completion": n / 100,
     "status": "severely_behind", "status_label": "严重滞后", "state": "", "approximate": False, "note": ""}
    for n in range(1, 31)
])


def _display(data: dict) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data=data)


def report_notebook() -> nbformat.NotebookNode:
    """A notebook shaped like an executed report: cover, sections, a KPI table, a chart."""
    fig = charts.status_counts_chart({"done": 3, "missing": 1}, prog.STATUS_LABELS, title="各状态指标数")
    png = base64.b64encode(charts.to_png(fig)).decode("ascii")
    svg = charts.to_svg(fig)
    nb = nbformat.v4.new_notebook()
    cover = nbformat.v4.new_code_cell("sections.cover(data)")
    cover.outputs = [_display({"text/html": present.cover_html("城东街道2025年第三季度重点工作进展报告", ["数据截至：2025年9月30日"], True)})]
    table = nbformat.v4.new_code_cell("sections.attention(data)")
    table.outputs = [_display({"text/markdown": "**滞后指标**（30项）"}),
                     _display({"text/html": present.kpi_table(PROGRESS, KPIS, 3, with_owner=True)})]
    chart = nbformat.v4.new_code_cell("sections.overview(data)")
    chart.outputs = [_display({"image/svg+xml": svg, "image/png": png, "text/plain": "<SVG>"}),
                     _display({"text/html": charts.note_html("节点类指标1项（K1.2.01）未列入本图。")})]
    only = nbformat.v4.new_markdown_cell("# 笔记本说明（不进报告）")
    only.metadata["tags"] = ["notebook-only"]
    nb.cells = [only, cover, nbformat.v4.new_markdown_cell("## 一、总体情况"), chart,
                nbformat.v4.new_markdown_cell("### （一）聚力做好党建文章"), table]
    return nb


def test_report_becomes_word_headings_tables_and_pictures():
    document = docx.Document(io.BytesIO(word.notebook_to_docx(report_notebook())))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Title", "Heading"))]
    assert headings == [("Title", "城东街道2025年第三季度重点工作进展报告"), ("Heading 1", "一、总体情况"),
                        ("Heading 2", "（一）聚力做好党建文章")]
    assert "笔记本说明" not in "".join(p.text for p in document.paragraphs)
    assert any("示例数据" in p.text for p in document.paragraphs)
    [table] = document.tables
    header = [cell.text for cell in table.rows[0].cells]
    assert header[:2] == ["编号", "指标"] and "状态" in header and "责任单位" in header
    assert [row.cells[0].text for row in table.rows[1:]] == list(PROGRESS["kpi_id"])
    assert table.rows[5].cells[header.index("状态")].text == "严重滞后"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    [picture] = document.inline_shapes
    assert picture.width <= docx.shared.Mm(word.TEXT_WIDTH_MM)


# Fonts every Chinese Windows / WPS office has (the report's Noto Sans CJK SC is not one of them)
OFFICE_FONTS = {"宋体", "仿宋", "黑体", "楷体"}


def test_office_fonts_by_role_zh_cn_a4_running_header_and_page_numbers():
    data = word.notebook_to_docx(report_notebook())
    document = docx.Document(io.BytesIO(data))
    east_asian = {}
    for name in ("Normal", "Title", "Heading 1", "Heading 2", word_page.TABLE_TEXT_STYLE):
        rfonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsiaTheme")) is None, name
        east_asian[name] = rfonts.get(qn("w:eastAsia"))
    assert set(east_asian.values()) <= OFFICE_FONTS and fonts.FONT_FAMILY not in east_asian.values()
    assert east_asian["Heading 1"] == "黑体" and east_asian["Normal"] == "仿宋"  # 公文: 黑体 headings, 仿宋 text
    table_runs = {p.style.name for t in document.tables for c in t._cells for p in c.paragraphs}
    assert table_runs == {word_page.TABLE_TEXT_STYLE}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        settings, font_table = archive.read("word/settings.xml").decode(), archive.read("word/fontTable.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert "ja-JP" not in settings + styles and 'w:eastAsia="zh-CN"' in settings
    assert '<w:font w:name="仿宋"><w:altName w:val="FangSong"/>' in font_table
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer  # the cover page has no running header
    assert section.header.paragraphs[0].text == "城东街道2025年第三季度重点工作进展报告"
    for footer in (section.footer, section.first_page_footer):
        assert "PAGE" in footer._element.xml and "NUMPAGES" in footer._element.xml


def test_every_heading_and_lead_in_keeps_with_what_follows():
    document = docx.Document(io.BytesIO(word.notebook_to_docx(report_notebook())))
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        assert document.styles[name].paragraph_format.keep_with_next, name
    [lead_in] = [p for p in document.paragraphs if p.text.startswith("滞后指标")]
    assert lead_in.paragraph_format.keep_with_next  # **滞后指标**（30项） stays with its table
    [table] = document.tables
    assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in table.rows[0].cells)
    [picture] = [p for p in document.paragraphs if p._p.xpath(".//pic:pic")]
    assert picture.paragraph_format.keep_with_next  # the chart stays with the note of what it leaves out


def test_word_output_is_byte_reproducible():
    first = word.notebook_to_docx(report_notebook())
    assert word.notebook_to_docx(report_notebook()) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {word.ZIP_DATE}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "2000-01-01T00:00:00Z" in core and "python-docx" not in core


def test_charts_show_png_beside_the_svg(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw=False: shown.append((data, raw)))
    charts.show(charts.status_counts_chart({"done": 3}, prog.STATUS_LABELS, title="各状态指标数"))
    [(data, raw)] = shown
    assert raw and data["image/svg+xml"].startswith("<svg")
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_lists_of_kpi_ids_break_only_between_ids_in_word():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("sections.appendix(data)")
    cell.outputs = [_display({"text/html": present.ids_paragraph_html("达进度", ["K1.1.01", "K1.12.05", "K2.3.04"])})]
    nb.cells = [cell]
    document = docx.Document(io.BytesIO(word.notebook_to_docx(nb)))
    [paragraph] = [p for p in document.paragraphs if "K1.1.01" in p.text]
    assert paragraph.text == "达进度（3项）：K1.1.01、\u200bK1.12.05、\u200bK2.3.04"
    assert paragraph.text.replace("\u200b", "") == "达进度（3项）：K1.1.01、K1.12.05、K2.3.04"


def test_a_wide_word_table_keeps_ids_and_figures_whole():
    from bs4 import BeautifulSoup
    from docx.shared import Mm

    name = "完成河滨片区生态环保改造提升面积并组织验收" * 2
    frame = pd.DataFrame([["K1.18.05", name, "≥1.23万平方米", "4,612平方米", "9,225平方米", "50.0%", "严重滞后", owner]
                          for owner in ("社会事务办公室", "城市管理办")],
                         columns=["编号", "指标", "目标", "累计完成", "序时进度", "完成率", "状态", "责任单位"])
    html = present.table_html(frame, numeric=("累计完成", "序时进度", "完成率"), status_column="状态", nowrap=("目标",))
    widths = word._column_widths(BeautifulSoup(html, "html.parser").find_all("tr"), len(frame.columns))
    em = Mm(word.TEXT_WIDTH_MM) / word.TABLE_WIDTH_EM
    for column, text in enumerate(frame.iloc[0]):
        if column != 1:  # every column but the name's is kept whole, the unit's name too
            assert widths[column] >= (present.text_width_em(text) + 1) * em, text
    assert abs(sum(widths) - Mm(word.TEXT_WIDTH_MM)) < len(frame.columns)
