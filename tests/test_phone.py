"""Phones and navigation: the viewport tag on every page; at 390 px (measured in headless Chromium,
driven by selenium through Debian's chromedriver) chart text of 11 px or more, no element wider
than the screen, and each KPI's 状态 and 完成率 read first on its card; links between quarters,
status counts in the index.

Chromium and chromedriver come from Debian (``make test`` installs them: scripts/setup.sh --test);
the test fails, never skips, without them."""
from __future__ import annotations

import re
import shutil

import nbformat
import pandas as pd
import pytest

from reportlib.report import charts, index, navigation, present
from reportlib.build import render
from reportlib import progress as prog
from reportlib import workspace

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
PHONE_PX, DESKTOP_PX = 390, 1280
MIN_CHART_TEXT_PX = 11.0
LONG_NAME = "新增老旧小区改造提升面积与配套设施建设项目（含雨污分流、二次供水、弱电入地改造）"
LONG_FILE = "2025Q3/城市管理办_2025年第三季度重点工作完成情况统计表（修订版_最终稿_v3）_20251008.xlsx"


def _notebook(*outputs: dict) -> nbformat.NotebookNode:
    """A notebook of one code cell per output (each a display_data's data)."""
    nb = nbformat.v4.new_notebook()
    for data in outputs:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        nb.cells.append(cell)
    return nb


def _kpi_rows(count: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"K1.1.{n:02d}" for n in range(1, count + 1)]
    kpis = pd.DataFrame([{"kpi_id": i, "comparator": "at_least", "period": "year", "due_quarter": None,
                          "owner": "城市管理办"} for i in ids])
    progress = pd.DataFrame([
        {"kpi_id": i, "name": LONG_NAME, "kind": "area", "unit": "平方米", "target": 85000.0, "plan_target": 85000.0,
         "actual": 40500.0 + n, "expected": 63750.0, "completion": 0.476, "status": "severely_behind",
         "status_label": "严重滞后", "state": "", "approximate": False, "note": ""} for n, i in enumerate(ids)])
    return progress, kpis


def wide_report_html() -> str:
    """A report page (our nbconvert template) with the widest things the reports have: the KPI
    table with owners, long names and file names, a many-column count table, a 24-row bullet
    chart and a group chart (each chart with its narrow layout, as charts.show displays it)."""
    progress, kpis = _kpi_rows(8)
    rejects = pd.DataFrame({"文件": [LONG_FILE, LONG_FILE.replace("城市管理办", "经济发展办")], "行": [12, 7], "列": ["F", "G"],
                            "原值": ["约三万平方米（待核）", "#REF!"], "原因": ["不是数字，请填写阿拉伯数字", "公式出错，请填写数值"]})
    ranking = pd.DataFrame({"排名": [1, 2], "责任单位": ["城市管理办", "社会事务办"], "指标数": [24, 17],
                            **{prog.STATUS_LABELS[c]: [1, 2] for c in prog.STATUS_DISPLAY_ORDER},
                            "平均完成率": ["71.7%", "80.2%"]})
    codes = list(prog.STATUS_DISPLAY_ORDER) * 4
    bullet = charts.bullet_chart([f"K1.1.{n:02d} {present.short_label(LONG_NAME)}" for n in range(24)],
                                 [float(n * 7) for n in range(24)], [75.0] * 24, codes, [prog.STATUS_LABELS[c] for c in codes],
                                 title="指标完成率与序时进度")
    groups = charts.completion_by_group(["（一）聚力做好党建文章，推动高质量党建突破", "城市管理办", "社会事务办"],
                                        [72.1, float("nan"), 88.0], 75.0, title="各领域平均完成率",
                                        status_labels=["滞后1项", "滞后0项", "滞后3项"])
    title = "城东街道2025年第三季度重点工作进展报告——（二）聚力增强产业质效，加快绿色低碳高质量发展"
    nb = _notebook(
        {"text/html": present.cover_html(title, ["数据截至：2025年9月30日"], True)},
        {"text/html": present.kpi_table(progress, kpis, 3, with_owner=True)},
        {"text/html": present.table_html(rejects)},
        {"text/html": present.table_html(ranking, numeric=tuple(ranking.columns[2:]), nowrap=("责任单位",))},
        charts.chart_bundle(bullet),
        {"text/html": charts.note_html(present.milestones_note(pd.DataFrame({"kind": ["milestone"], "kpi_id": ["K1.2.01"]})))},
        charts.chart_bundle(groups),
    )
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


# What a page looks like to a reader at a given width: the page's scroll width, every element
# sticking out of the screen, every chart text's size on screen (font size times the SVG's scale),
# and on each KPI card where 状态, 完成率 and the other cells are.
MEASURE_JS = """
const vw = document.documentElement.clientWidth;
const name = e => e.tagName.toLowerCase() + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ').join('.') : '');
const out = {vw: vw, scroll: document.documentElement.scrollWidth, outside: [], chartText: [], cards: [], narrowCells: []};
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > vw + 0.5 || r.left < -0.5) out.outside.push(name(e) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
}
for (const t of document.querySelectorAll('svg text')) {
  const r = t.getBoundingClientRect();
  if (r.width === 0) continue;
  const m = t.getScreenCTM();
  out.chartText.push([parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b), t.textContent]);
}
for (const tr of document.querySelectorAll('table.report-table tbody tr')) {
  const status = tr.querySelector('td.status');
  if (!status) continue;
  const rate = tr.querySelector('td.key:not(.status)');
  const others = [...tr.querySelectorAll('td:not(.key):not(.lead):not(.card-id)')].map(e => e.getBoundingClientRect().top);
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top]; };
  out.cards.push({status: box(status), rate: rate ? box(rate) : null, others: others, top: tr.getBoundingClientRect().top});
}
for (const td of document.querySelectorAll('td, th')) {
  const r = td.getBoundingClientRect();
  const style = getComputedStyle(td);
  const font = parseFloat(style.fontSize);
  const inner = r.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const range = document.createRange();
  range.selectNodeContents(td);
  const lines = new Set([...range.getClientRects()].map(b => Math.round(b.top))).size;
  // a cell whose text wraps gets at least four characters a line
  if (r.width > 0 && lines > 1 && inner < 4 * font) out.narrowCells.push(td.textContent.slice(0, 20) + ' ' + Math.round(r.width));
}
return out;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's Chromium driven through its chromedriver (no browser download)."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.fail("Chromium and chromedriver are needed for the phone layout tests: run `make test` "
                    "(scripts/setup.sh --test installs the Debian packages chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def measure(browser, html: str, folder, width: int) -> dict:
    """Lay ``html`` out in a ``width`` px wide phone (or desktop) viewport and measure it."""
    page = folder / f"page-{width}.html"
    page.write_text(html, encoding="utf-8")
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 844 if width < 600 else 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get(page.as_uri())
    browser.execute_script("return document.fonts.ready.then(() => true)")
    return browser.execute_script(MEASURE_JS)


def assert_reads_on_a_phone(measured: dict) -> None:
    assert measured["vw"] == PHONE_PX
    assert measured["scroll"] <= measured["vw"], measured["outside"][:10]  # the page never scrolls sideways
    assert not measured["outside"], measured["outside"][:10]
    sizes = [size for size, _ in measured["chartText"]]
    assert sizes, "no chart on the page"
    small = [(round(size, 1), text) for size, text in measured["chartText"] if size < MIN_CHART_TEXT_PX]
    assert not small, small[:10]
    assert measured["cards"], "no KPI row on the page"
    for card in measured["cards"]:
        for box in (card["status"], card["rate"]):
            left, right, top = box
            assert 0 <= left and right <= measured["vw"]  # on screen without scrolling sideways
            assert all(top <= other + 0.5 for other in card["others"]), card  # read before the other figures
    assert not measured["narrowCells"], measured["narrowCells"][:10]  # no column squeezed to a few characters


def test_a_wide_report_reads_on_a_phone(browser, tmp_path):
    assert_reads_on_a_phone(measure(browser, wide_report_html(), tmp_path, PHONE_PX))


def test_the_quarter_report_reads_on_a_phone(browser, tmp_path):
    nb = render.execute_notebook(workspace.NOTEBOOKS / "quarter_report.ipynb", tmp_path / "quarter.ipynb",
                                 {"year": 2025, "quarter": 3})
    assert_reads_on_a_phone(measure(browser, render.export_html(nb), tmp_path, PHONE_PX))


def test_a_desktop_shows_the_wide_charts_and_tables(browser, tmp_path):
    measured = measure(browser, wide_report_html(), tmp_path, DESKTOP_PX)
    assert measured["scroll"] <= measured["vw"]
    # the page-wide chart layout (8-9 pt text drawn at 7.5 in), every KPI row a table row
    assert min(size for size, _ in measured["chartText"]) < MIN_CHART_TEXT_PX
    assert all(abs(card["status"][2] - card["top"]) < 12 for card in measured["cards"])


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
