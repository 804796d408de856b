"""Big plans print whole: every KPI of a generated 300-KPI plan reaches the pillar report's PDF."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from bench import big_plan
from reportlib.report import charts, present

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
            "pdf": (folder / f"pillar-{PILLAR}.pdf").read_bytes(), "plan": root / "data/raw/plans/2025/plan.yaml",
            "root": root}


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


def test_every_kpi_of_a_300_kpi_plan_reaches_the_quarter_reports_paper_by_id(big_pillar, tmp_path, monkeypatch):
    from reportlib import build, workspace

    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(big_pillar["root"]))  # the kernel reads this workspace
    ws = workspace.current()
    job = build.jobs_for_quarter("2025Q3", [], ws=ws)[0]
    assert job.name.endswith("/quarter")
    build.render_job(job, tmp_path, ("pdf",))
    text = _pdf_text((tmp_path / f"{job.name}.pdf").read_bytes())
    ids = set(big_plan.kpi_ids(KPIS))
    assert ids <= set(re.findall(r"K\d+\.\d+\.\d+", text))
    at_line_end = re.findall(r"(K[\d.]+)\n", text)
    assert at_line_end and set(at_line_end) <= ids  # no id cut in two at a line end ("K1.22.0" / "5")
    assert "各项工作的进展见各领域报告" in text


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
    assert em[7] >= present.TEXT_COLUMN_LEAST_EM - 0.05  # 责任单位 keeps several characters a line
    assert em[3] >= present.text_width_em("1.875万平方米")  # a number never wraps nor overflows
    assert em[2] >= present.text_width_em("≥1.875万平方米")  # nor a target (a short label): 平方/米 read wrong
    html = present.table_html(__import__("pandas").DataFrame(body, columns=header), numeric=("累计完成",))
    assert html.count("<col ") == len(header)


def test_spare_width_goes_to_the_long_names_so_they_fit_on_one_line():
    header = ["编号", "指标", "完成率", "状态"]
    name = "制定岭西片区乡村振兴工作方案并组织实施（275）"  # 25 em: more than WRAP_COLUMN_MAX_EM
    widths = present.column_widths(header, [["K2.35.02", name, "75.0%", "达进度"]], nowrap={0, 2, 3})
    em = [w / 100 * present.TABLE_WIDTH_EM for w in widths]
    assert em[1] >= present.text_width_em(name) + present.CELL_PADDING_EM - 0.1
    assert em[2] >= present.text_width_em("75.0%") + present.CELL_PADDING_EM - 0.1  # numbers keep their room


STATUSES = ("on_track", "severely_behind", "behind", "missing", "done", "ahead")


def _report_data(kpis: int):
    """What the quarter report's sections read, for a plan of ``kpis`` KPIs of every status."""
    import pandas as pd
    from types import SimpleNamespace

    from reportlib import progress as prog

    ids = [f"K1.{1 + n // 50}.{n % 50 + 1:03d}" for n in range(kpis)]
    statuses = [STATUSES[n % len(STATUSES)] for n in range(kpis)]
    progress = pd.DataFrame({"kpi_id": ids, "pillar": 1, "task": [i.rsplit(".", 1)[0] for i in ids],
                             "name": [f"指标{n}" for n in range(kpis)], "kind": "cumulative",
                             "completion": 0.5, "status": statuses, "status_label": [prog.STATUS_LABELS[s] for s in statuses],
                             "target": 10.0, "unit": "个", "actual": 5.0, "expected": 5.0,
                             "relative_gap": [n / kpis for n in range(kpis)], "quarter": "2025Q3",
                             "previous_quarter": "2025Q2", "previous_actual": None, "previous_state": None})
    plan_kpis = pd.DataFrame({"kpi_id": ids, "owner": "党建办", "comparator": ">=", "period": None, "due_quarter": None})
    return SimpleNamespace(progress=progress, plan=SimpleNamespace(kpis=plan_kpis), quarter_index=3, expected_share=0.75)


def _shown(monkeypatch, section, *args) -> str:
    shown = []
    monkeypatch.setattr(present, "show_html", shown.append)
    monkeypatch.setattr(present, "show_markdown", shown.append)
    monkeypatch.setattr(charts, "show", lambda fig, note="": (shown.append("<figure></figure>"), charts.plt.close(fig)))
    section(*args)
    return "".join(shown)


def _appendix_html(kpis: int, monkeypatch) -> str:
    from reportlib.report import sections

    return _shown(monkeypatch, sections.appendix, _report_data(kpis))


def test_a_big_plans_appendix_names_every_kpi_once_under_its_status(monkeypatch):
    from reportlib import progress as prog

    data = _report_data(present.BIG_PLAN_KPIS + 1)
    html = _appendix_html(present.BIG_PLAN_KPIS + 1, monkeypatch)
    assert "<table" not in html and "各指标的名称、目标、累计完成和序时进度见各领域报告" in html
    named = re.findall(r"K\d+\.\d+\.\d+", html)
    assert sorted(named) == sorted(data.progress["kpi_id"])  # each once
    paragraphs = re.findall(r'<p class="id-list"><strong>(\S+?)（(\d+)项）</strong>：(.*?)</p>', html)
    assert [label for label, _, _ in paragraphs] == [prog.STATUS_LABELS[s] for s in prog.STATUS_ORDER
                                                     if (data.progress["status"] == s).any()]  # worst first
    for label, count, ids in paragraphs:
        status = {v: k for k, v in prog.STATUS_LABELS.items()}[label]
        expected = data.progress.loc[data.progress["status"] == status, "kpi_id"].tolist()
        assert ids.split("、") == expected and int(count) == len(expected)


def test_a_plan_of_ordinary_size_keeps_the_full_appendix(monkeypatch):
    html = _appendix_html(present.BIG_PLAN_KPIS, monkeypatch)
    assert "累计完成" in html and "见各领域报告" not in html
    assert html.count("<tr>") == present.BIG_PLAN_KPIS + 1


def test_a_big_plans_attention_lists_give_the_worst_in_full_and_every_other_by_id(monkeypatch):
    from reportlib import progress as prog
    from reportlib.report import sections

    data = _report_data(600)
    html = _shown(monkeypatch, sections.attention, data)
    lag = prog.laggards(data.progress)["kpi_id"].tolist()
    missing = prog.missing_submissions(data.progress)["kpi_id"].tolist()
    assert len(lag) > present.BIG_PLAN_LIST_ROWS and len(missing) > present.BIG_PLAN_LIST_ROWS
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert [t.count("<tr>") - 1 for t in tables] == [present.BIG_PLAN_LIST_ROWS] * 2
    in_table = [re.findall(r">(K\d+\.\d+\.\d+)<", t) for t in tables]  # (cell texts; the ids in links too)
    rest = re.findall(r'<p class="id-list"><strong>\S+?（(\d+)项）</strong>：(.*?)</p>', html)
    assert in_table[0] + rest[0][1].split("、") == lag  # every laggard, in order of gap
    assert in_table[1] + rest[1][1].split("、") == missing
    assert f"滞后指标**（{len(lag)}项" in html


def test_a_pillar_report_and_an_ordinary_plan_keep_the_whole_attention_tables(monkeypatch):
    from reportlib import progress as prog
    from reportlib.report import sections

    big = _report_data(600)
    html = _shown(monkeypatch, sections.attention, big, 1)
    assert "id-list" not in html
    assert html.count("<tr>") - 2 == len(prog.laggards(big.progress)) + len(prog.missing_submissions(big.progress))
    small = _report_data(present.BIG_PLAN_KPIS)
    assert "id-list" not in _shown(monkeypatch, sections.attention, small)


def test_long_id_lists_of_the_units_ranking_go_below_the_table(monkeypatch):
    from reportlib import progress as prog
    from reportlib.report import sections

    data = _report_data(600)
    html = _shown(monkeypatch, sections.units_ranking, data)
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    assert "滞后指标</th>" not in table and not re.search(r"K\d+\.\d+\.\d+", table)
    lag = prog.laggards(data.progress)["kpi_id"].tolist()
    listed = re.search(r'<p class="id-list"><strong>党建办滞后指标（(\d+)项）</strong>：(.*?)</p>', html)
    assert int(listed.group(1)) == len(lag) and listed.group(2).split("、") == lag
    small = _report_data(12)
    short = {k: f"K{n}" for n, k in enumerate(small.progress["kpi_id"], 1)}  # ids that fit the table's columns
    small.progress["kpi_id"] = small.progress["kpi_id"].map(short)
    small.plan.kpis["kpi_id"] = small.plan.kpis["kpi_id"].map(short)
    html = _shown(monkeypatch, sections.units_ranking, small)
    assert "滞后指标</th>" in html and "id-list" not in html


def test_ids_that_a_narrow_column_would_break_in_two_do_not_fit():
    import pandas as pd

    owner = "城市管理办公室（综合行政执法中队）"
    numeric = ("指标数", "已完成", "超进度", "达进度", "欠进度", "严重滞后", "未报送", "平均完成率")
    frame = pd.DataFrame({"责任单位": [owner], **{c: [1] for c in numeric}, "滞后指标": ["K4.10.05、K2.2.01"]})
    assert not present.ids_fit_unbroken(frame, ("滞后指标",), numeric=numeric, nowrap=("责任单位",))
    assert present.ids_fit_unbroken(frame.drop(columns=list(numeric)), ("滞后指标",), nowrap=("责任单位",))


def test_a_big_plans_pillar_blocks_sum_up_by_pillar(monkeypatch):
    import pandas as pd

    from reportlib.report import narrative, sections

    monkeypatch.setattr(narrative, "for_pillar", lambda data, pillar: [f"第{pillar}领域的进展。"])

    def with_plan(data):
        data.plan.tasks = pd.DataFrame({"task": sorted(set(data.progress["task"])), "title": "工作"})
        data.plan.pillars = pd.DataFrame({"pillar": [1], "title": ["聚力做好党建文章"]})
        return data

    big = with_plan(_report_data(present.BIG_PLAN_KPIS + 1))
    html = _shown(monkeypatch, sections.pillar_blocks, big)
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) == 1 and tables[0].count("<tr>") == 2  # header + the one pillar
    assert f"<td class=\"num\" data-label=\"指标数\">{present.BIG_PLAN_KPIS + 1}</td>" in tables[0]  # its KPIs
    assert "各项工作的进展见各领域报告" in html and "第1领域的进展。" in html
    small = with_plan(_report_data(present.BIG_PLAN_KPIS))
    html = _shown(monkeypatch, sections.pillar_blocks, small)
    assert html.count("<tr>") == 1 + small.progress["task"].nunique()  # a row per task
