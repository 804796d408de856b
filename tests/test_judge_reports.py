"""How the reports show judged figures: the mark ※ in tables and chart labels, 数据质量 by KPI in
the quarter and unit reports, held figures as 待核实, headlines and rankings on trusted figures
only, and the 催报 list separating 未报送 from 已报送但被退回 and 待核实.

Input: a copy of the bundled raw tree (scripts/make_sample_actuals.py), whose 2025 Q3 holds
K3.1.05 (an area typed in 平方米 in a 万平方米 row: held), K3.3.06 (the increment in both
columns: warned), three rates typed as fractions (warned) and two rejected rows.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from reportlib import progress as prog, workspace
from reportlib.actuals.judge_rules import MARK
from reportlib.report import charts, data as report_data, narrative, owners, present, remind, sections


@pytest.fixture(scope="module")
def q3(tmp_path_factory):
    """The 2025 Q3 report data of a copy of the bundled workspace."""
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(workspace.PROJECT_ROOT / "data" / "raw", root / "data" / "raw")
    return report_data.load_report_data(2025, 3, workspace=root)


@pytest.fixture
def shown(monkeypatch):
    """What the sections display: HTML and markdown text, and chart label texts."""
    out: list[str] = []
    monkeypatch.setattr(present, "show_html", out.append)
    monkeypatch.setattr(present, "show_markdown", out.append)
    monkeypatch.setattr(charts, "show", lambda fig, note="": out.append(
        "\n".join(t.get_text() for ax in fig.axes for t in ax.get_yticklabels())))
    return out


def test_held_and_warned_figures_are_marked_in_tables(q3, shown):
    sections.appendix(q3)
    html = "".join(shown)
    row = html[html.index(">K3.1.05<"):]
    row = row[:row.index("</tr>")]
    assert f"2,400平方米{MARK}" in row and "待核实" in row  # the last usable figure (Q2), not the held one
    warned = html[html.index(">K3.3.06<"):]
    assert f"8个{MARK}" in warned[:warned.index("</tr>")]
    assert f"95.9%{MARK}" in html
    clean = html[html.index(">K1.1.03<"):]
    assert MARK not in clean[:clean.index("</tr>")]


def test_chart_labels_carry_the_mark(q3, shown):
    sections.pillar_overview(q3, 3)
    labels = "\n".join(shown).splitlines()
    assert f"K3.1.05 双山医院南院宿舍棚改拆迁面积{MARK}" in labels  # held
    assert f"K3.3.06 红色物业示范小区{MARK}" in labels  # warned
    assert "K3.1.06 双山医院南院宿舍棚改新建房…" in labels  # accepted: no mark


def test_quarter_data_quality_names_each_kpi_with_reason_and_source(q3, shown):
    sections.data_quality(q3)
    html = "".join(shown)
    assert "暂缓采用（待核实）1行" in html and "其中4行有提示" in html
    for needle in ("K3.1.05", "双山医院南院宿舍棚改拆迁面积", f"待核实{MARK}", "是否为3600平方米？",
                   "（来源：城市管理办_2025Q3_示例数据.xlsx（第三季度）第9行）", "K3.3.06", f"有提示{MARK}",
                   "已按二季度累计5个＋本季度3个＝8个采用", "K5.1.01", "初信初访化解率"):
        assert needle in html, needle
    rejects = html[html.index("拒收的行"):]
    assert "K3.2.08" in rejects and "立面整治" in rejects and "单位无法换算为计划中的单位" in rejects
    assert "K4.3.05" in rejects and "新装健身设施" in rejects


def test_unit_reports_have_their_own_data_quality(q3, shown):
    sections.unit_data_quality(q3, "城市管理办")
    html = "".join(shown)
    assert "K3.1.05" in html and "K3.3.06" in html and "K5.1.01" not in html
    assert "暂缓采用（待核实）1行" in html and "拒收的1行" in html
    shown.clear()
    sections.unit_data_quality(q3, "平安建设办")
    html = "".join(shown)
    assert "K5.1.01" in html and "K3.1.05" not in html and "拒收" in html


def test_unit_report_separates_not_sent_from_returned(q3, shown):
    sections.unit_missing(q3, "社会事务办")
    html = "".join(shown)
    assert "已报送但被退回（拒收）1行" in html and "K4.3.05" in html and "无法识别的季度" in html
    assert "尚未报送" in html and "K4.3.08" in html  # never reported
    not_sent = html[html.index("尚未报送"):html.index("已报送但被退回")]
    assert "K4.3.05" not in not_sent


def test_headline_and_lists_use_trusted_figures_only(q3, shown):
    text = "".join(narrative.overall(q3))
    assert "红色物业示范小区" not in text and "初信初访化解率" not in text  # warned: never in 进展较快/滞后
    assert f"另有4项数据有提示，1项数据待核实、暂未采用（表中标{MARK}）" in text
    assert "待核实1项" in text
    sections.attention(q3)
    html = "".join(shown)
    assert "数据待核实指标" in html and "2,400平方米（二季度）" in html
    not_sent = html[html.index("未报送指标"):html.index("已报送但被退回的指标")]
    assert "K4.3.08" in not_sent and "K3.2.08" not in not_sent and "K4.3.05" not in not_sent
    returned = html[html.index("已报送但被退回的指标"):]
    assert "K3.2.08" in returned and "K4.3.05" in returned


def test_a_warned_figure_is_never_the_fastest_and_not_in_averages():
    frame = pd.DataFrame([
        {"kpi_id": "K1", "name": "甲", "kind": "count", "status": "done", "completion": 3.0, "relative_gap": 0.0,
         "judgement": "warned", "forecast_meets": True, "pillar": 1, "owner": "A"},
        {"kpi_id": "K2", "name": "乙", "kind": "count", "status": "ahead", "completion": 0.9, "relative_gap": -0.2,
         "judgement": "accepted", "forecast_meets": True, "pillar": 1, "owner": "A"},
        {"kpi_id": "K3", "name": "丙", "kind": "count", "status": "on_track", "completion": 0.5, "relative_gap": 0.0,
         "judgement": "confirmed", "forecast_meets": False, "pillar": 1, "owner": "B"},
    ])
    assert narrative._movers(frame) == ["进展较快的有“乙”（完成率90.0%）。"]
    assert prog.capped_completion(frame).tolist()[1:] == [0.9, 0.5] and pd.isna(prog.capped_completion(frame)[0])
    table = prog.rollup(frame, by="owner")
    assert table.set_index("owner").loc["A", "avg_completion"] == pytest.approx(0.9)  # not (1 + 0.9) / 2
    assert narrative._forecast(frame) == ["按当前进度推算，2项可预测的指标中，预计年底能完成目标的1项，难以完成的1项。"]


def test_notes_explain_the_mark_and_what_tables_show_without_a_figure(q3, shown):
    sections.notes(q3)
    html = "".join(shown)
    assert f"{MARK}：该项数据存疑" in html and "待核实的数据暂不采用" in html
    assert "本季度没有可用数据的指标：未报送的" in html and "待核实：本季度已报送，但数据存疑" in html


def test_remind_list_separates_not_sent_returned_and_held(q3):
    lists = remind.missing_list(q3.plan, q3.actuals, "2025Q3", q3.rejects)
    city = lists["城市管理办"]
    assert city.returned["kpi_id"].tolist() == ["K3.2.08"] and city.held["kpi_id"].tolist() == ["K3.1.05"]
    assert "K3.2.08" not in city.missing["kpi_id"].tolist()
    social = lists["社会事务办"]
    assert social.returned["kpi_id"].tolist() == ["K4.3.05"] and "K4.3.08" in social.missing["kpi_id"].tolist()
    body = remind.body_html(q3.plan, "2025Q3", lists, today=dt.date(2025, 10, 12))
    assert "清单日期：2025年10月12日　报送截止：2025年10月10日" in body
    assert "已报送但被退回（1行）" in body and "已报送、待核实（1项）" in body and "请按计划单位填写后重新报送" in body
    assert owners.NO_OWNER not in lists
