"""Phones and navigation: the viewport tag on every page, tables no wider than a 390 px page
(measured in Chromium when it is installed), links between quarters, status counts in the index."""
from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest

from reportlib.report import index, navigation, present
from reportlib.build import render
from reportlib import progress as prog

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]


def wide_report_html() -> str:
    """A report page (our nbconvert template) with the widest table the reports have: the KPI table."""
    kpis = pd.DataFrame([{"kpi_id": f"K1.1.{n:02d}", "comparator": "at_least", "period": "year",
                          "due_quarter": None, "owner": "城市管理办"} for n in range(1, 9)])
    progress = pd.DataFrame([
        {"kpi_id": f"K1.1.{n:02d}", "name": "新增老旧小区改造提升面积与配套设施建设项目", "kind": "area",
         "unit": "平方米", "target": 85000.0, "plan_target": 85000.0, "actual": 40500.0 + n, "expected": 63750.0,
         "completion": 0.476, "status": "severely_behind", "status_label": "严重滞后", "state": "",
         "approximate": False, "note": ""} for n in range(1, 9)])
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": present.cover_html("城东街道2025年第三季度重点工作进展报告", ["数据截至：2025年9月30日"], True)
        + present.kpi_table(progress, kpis, 3, with_owner=True)})]
    nb.cells = [cell]
    return render.export_html(nb)


def _viewport(html: str) -> str | None:
    from bs4 import BeautifulSoup

    tag = BeautifulSoup(html, "html.parser").find("meta", attrs={"name": "viewport"})
    return tag.get("content") if tag else None


def test_viewport_tag_on_reports_and_index(tmp_path):
    report = wide_report_html()
    assert _viewport(report) == "width=device-width, initial-scale=1"
    assert _viewport(index.index_html(tmp_path)) == "width=device-width, initial-scale=1"
    assert navigation.MAIN_TAG in report  # where the navigation line goes


def _measure(html: str, tmp_path, width: int) -> dict:
    """Chromium's layout of ``html`` in a ``width`` px wide viewport (an iframe of that width, as
    headless windows have a minimum width): page width, its scroll width and each table's right edge."""
    import html as html_module
    import json

    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    probe = (f'<iframe id="f" src="page.html" style="width:{width}px;height:844px;border:0"></iframe>'
             "<script>document.getElementById('f').addEventListener('load',()=>{"
             "const d=document.getElementById('f').contentDocument;const w=d.documentElement.clientWidth;"
             "const t=[...d.querySelectorAll('table')].map(e=>Math.ceil(e.getBoundingClientRect().right));"
             "document.body.setAttribute('data-measure',JSON.stringify({page:w,scroll:d.documentElement.scrollWidth,tables:t}));});"
             "</script>")
    harness = tmp_path / "harness.html"
    harness.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{probe}</body></html>", encoding="utf-8")
    result = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, "--allow-file-access-from-files", "--window-size=1280,1000",
                             "--virtual-time-budget=5000", "--dump-dom", harness.as_uri()],
                            capture_output=True, text=True, timeout=120)
    match = re.search(r"data-measure=\"([^\"]*)\"", result.stdout)
    assert match, result.stderr[-2000:]
    return json.loads(html_module.unescape(match.group(1)))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); "
                                             "the 390 px layout is measured in a real browser")
def test_no_table_is_wider_than_a_phone_page(tmp_path):
    measured = _measure(wide_report_html(), tmp_path, 390)
    assert measured["tables"], measured
    assert measured["page"] <= 390
    assert all(right <= measured["page"] for right in measured["tables"]), measured
    assert measured["scroll"] <= measured["page"], measured  # the page itself does not scroll sideways


def test_links_to_previous_and_next_quarter_only_where_the_report_exists():
    available = ["2025Q2", "2025Q3", "2026Q1"]
    names = {"2025Q2": {"2025-Q2/pillar-2"}, "2025Q3": {"2025-Q3/pillar-2"}, "2026Q1": {"2026-Q1/pillar-1"}}
    folder = lambda q: f"{q[:4]}-Q{q[-1]}"  # noqa: E731
    links = navigation.links_for("2025-Q3/pillar-2", "2025Q3", available, names, folder)
    assert links == (("报告目录", "../index.html"), ("上一季度：2025年第二季度", "../2025-Q2/pillar-2.html"))
    first = navigation.links_for("2025-Q2/pillar-2", "2025Q2", available, names, folder)
    assert [label for label, _ in first] == ["报告目录", "下一季度：2025年第三季度"]
    html = navigation.with_links('<main class="report">\n<h1>x</h1>', links)
    assert '<nav class="report-nav"><a href="../index.html">报告目录</a>' in html


def test_index_shows_each_quarters_status_counts(tmp_path):
    (tmp_path / "2025-Q3").mkdir()
    (tmp_path / "2025-Q3" / "quarter.html").write_text("<title>报告</title>", encoding="utf-8")
    (tmp_path / "2025-Q3" / "quarter.docx").write_bytes(b"x")
    counts = {"2025-Q3": [(prog.STATUS_LABELS["done"], 22), (prog.STATUS_LABELS["missing"], 5)]}
    page = index.index_html(tmp_path, counts=counts)
    assert '<p class="quarter-counts">已完成 22 · 未报送 5</p>' in page
    assert 'href="2025-Q3/quarter.docx">Word</a>' in page


def test_navigation_characters_are_in_the_embedded_font(tmp_path):
    from fontTools.ttLib import TTFont
    import base64
    import io

    html = navigation.with_links(wide_report_html(), (("报告目录", "../index.html"), ("下一季度：2025年第四季度", "x.html")))
    data = re.search(r'base64,([A-Za-z0-9+/=]+)"', html).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    assert all(ord(ch) in cmap for ch in "报告目录下一季度：2025年第四季度")


def test_the_navigation_line_comes_out_as_it_went_in():
    page = index.page_html("标题", "<p>正文</p>")  # (its <main> is navigation.MAIN_TAG)
    linked = navigation.with_links(page, (("报告目录", "../index.html"), ("上一季度：2025年第二季度", "../2025-Q2/q.html")))
    assert "上一季度" in linked and linked != page
    assert navigation.without_links(linked) == page
    assert navigation.without_links(page) == page
