"""Big plans print whole: every KPI of a generated 300-KPI plan reaches the pillar report's PDF."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from bench import big_plan
from reportlib import charts, present

KPIS = 300
PILLAR = 2


# A4 less the page margins of report.css (22 + 20 mm, 16 + 16 mm), in points.
PAGE_CONTENT_HEIGHT_PT = (297 - 42) / 25.4 * 72
PAGE_CONTENT_WIDTH_PT = (210 - 32) / 25.4 * 72


@pytest.fixture(scope="module")
def big_pillar(tmp_path_factory):
    """The pillar report (HTML and PDF) of 2025Q3 of a generated 300-KPI workspace."""
    root = big_plan.make_workspace(tmp_path_factory.mktemp("big") / "ws", KPIS)
    out = root / "out"
    subprocess.run([sys.executable, "-m", "reportlib", "-C", str(root), "build", "--quarter", "2025Q3",
                    "--pillar", str(PILLAR), "--out", str(out)], check=True, capture_output=True)
    folder = out / "2025-Q3"
    return {"html": (folder / f"pillar-{PILLAR}.html").read_text(encoding="utf-8"),
            "pdf": (folder / f"pillar-{PILLAR}.pdf").read_bytes(), "plan": root / "data/raw/plans/2025/plan.yaml"}


@pytest.fixture(scope="module")
def big_pillar_pdf(big_pillar):
    return big_pillar["pdf"]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_every_kpi_of_a_300_kpi_pillar_reaches_paper(big_pillar_pdf):
    ids = [k for k in big_plan.kpi_ids(KPIS) if k.startswith(f"K{PILLAR}.")]
    assert len(ids) == KPIS // 5
    found = set(re.findall(r"K\d+\.\d+\.\d+", _pdf_text(big_pillar_pdf)))
    missing = [k for k in ids if k not in found]
    assert missing == []


def test_every_chart_fits_a_page_and_every_kpi_is_in_a_chart(big_pillar):
    from bs4 import BeautifulSoup

    from reportlib.plan import load_plan

    kpis = load_plan(big_pillar["plan"]).kpis
    charted = set(kpis.loc[(kpis["pillar"] == PILLAR) & (kpis["kind"] != "milestone"), "kpi_id"])
    soup = BeautifulSoup(big_pillar["html"], "html.parser")
    labelled = set()
    svgs = soup.find_all("svg")
    assert len(svgs) >= 3  # the bullet chart in parts, and the trend chart
    for svg in svgs:
        width, height = (float(svg[key].removesuffix("pt")) for key in ("width", "height"))
        shown = height * min(1.0, PAGE_CONTENT_WIDTH_PT / width)  # figure.output svg { max-width: 100% }
        assert shown < PAGE_CONTENT_HEIGHT_PT * 0.92  # room for a heading above it
        labelled.update(re.findall(r"K\d+\.\d+\.\d+", svg.get_text()))  # the labels, as <text>
    assert charted and charted <= labelled


def test_generated_plans_are_deterministic_and_of_the_asked_size(tmp_path):
    first = big_plan.make_workspace(tmp_path / "a", 83)
    second = big_plan.make_workspace(tmp_path / "b", 83)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert len(big_plan.kpi_ids(1000)) == len(set(big_plan.kpi_ids(1000))) == 1000


def test_chart_parts_are_even_and_cover_every_row():
    assert charts.parts(0, 24) == []
    assert [len(r) for r in charts.parts(24, 24)] == [24]
    assert [len(r) for r in charts.parts(50, 24)] == [17, 17, 16]
    pieces = charts.parts(200, 24)
    assert [i for r in pieces for i in r] == list(range(200)) and max(map(len, pieces)) <= 24


def test_trend_keeps_the_series_that_moved_most_in_plan_order():
    series = {"a": [10, 20], "b": [10, 80], "c": [0, 5], "d": [30, 70]}
    assert list(charts.moved_most(series, 2)) == ["b", "d"]
    assert charts.moved_most(series, 8) == series


def test_no_column_collapses_and_fixed_columns_get_their_width():
    owner = "城市管理办公室（综合行政执法中队）"
    header = ["编号", "指标", "目标", "累计完成", "序时进度", "完成率", "状态", "责任单位"]
    body = [["K1.12.05", "培育东城片区基层治理示范单位并完成验收挂牌（999）" * 2, "≥1.875万平方米", "1.875万平方米",
             "1.875万平方米", "100.0%", "严重滞后", owner]] * 3
    widths = present.column_widths(header, body, nowrap={3, 4, 5, 6})
    assert round(sum(widths)) == 100
    em = [w / 100 * present.TABLE_WIDTH_EM for w in widths]
    assert em[7] >= present.WRAP_COLUMN_MIN_EM - 0.05  # 责任单位 keeps several characters a line
    assert em[3] >= present.text_width_em("1.875万平方米")  # a number never wraps nor overflows
    html = present.table_html(__import__("pandas").DataFrame(body, columns=header), numeric=("累计完成",))
    assert html.count("<col ") == len(header)


def test_spare_width_goes_to_the_long_names_so_they_fit_on_one_line():
    header = ["编号", "指标", "完成率", "状态"]
    name = "制定岭西片区乡村振兴工作方案并组织实施（275）"  # 25 em: more than WRAP_COLUMN_MAX_EM
    widths = present.column_widths(header, [["K2.35.02", name, "75.0%", "达进度"]], nowrap={0, 2, 3})
    em = [w / 100 * present.TABLE_WIDTH_EM for w in widths]
    assert em[1] >= present.text_width_em(name) + present.CELL_PADDING_EM - 0.1
    assert em[2] >= present.text_width_em("75.0%") + present.CELL_PADDING_EM - 0.1  # numbers keep their room


def _appendix_html(kpis: int, monkeypatch) -> str:
    import pandas as pd
    from types import SimpleNamespace

    from reportlib import sections

    ids = [f"K1.1.{n:03d}" for n in range(1, kpis + 1)]
    progress = pd.DataFrame({"kpi_id": ids, "name": [f"指标{n}" for n in range(kpis)], "kind": "cumulative",
                             "completion": 0.5, "status_label": "达进度", "target": 10.0, "unit": "个",
                             "actual": 5.0, "expected": 5.0, "status": "on_track"})
    plan_kpis = pd.DataFrame({"kpi_id": ids, "owner": "党建办", "comparator": ">=", "period": None, "due_quarter": None})
    shown = []
    monkeypatch.setattr(present, "show_html", shown.append)
    sections.appendix(SimpleNamespace(progress=progress, plan=SimpleNamespace(kpis=plan_kpis), quarter_index=3))
    return "".join(shown)


def test_a_big_plans_appendix_lists_every_kpi_on_one_short_row(monkeypatch):
    html = _appendix_html(present.FULL_APPENDIX_MAX_KPIS + 1, monkeypatch)
    assert html.count("<tr>") == present.FULL_APPENDIX_MAX_KPIS + 2  # header + every KPI
    assert "各指标的目标、累计完成和序时进度见各领域报告" in html
    assert "<th>目标</th>" not in html and "责任单位" in html


def test_a_plan_of_ordinary_size_keeps_the_full_appendix(monkeypatch):
    html = _appendix_html(present.FULL_APPENDIX_MAX_KPIS, monkeypatch)
    assert "累计完成" in html and "见各领域报告" not in html
