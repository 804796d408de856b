"""The 催报 list: per unit the KPIs still missing for a quarter, as text, HTML and Word."""
from __future__ import annotations

import datetime as dt
import io
import types

import docx
import pandas as pd

from reportlib.report import owners, remind

PLAN = types.SimpleNamespace(organization="城东街道", title="城东街道2025年工作谋划", year=2025)
NONE = pd.DataFrame()
TODAY = dt.date(2025, 10, 12)
MISSING = {
    "城市管理办": remind.UnitList(
        pd.DataFrame([{"kpi_id": "K3.2.08", "name": "立面整治", "kind": "count", "unit": "处",
                       "previous_quarter": "2025Q2", "previous_actual": 3.0, "previous_state": ""}]),
        pd.DataFrame([{"owner": "城市管理办", "kpi_id": "K3.2.07", "name": "维护更换路灯", "reason": "单位无法换算为计划单位",
                       "action": "请按计划单位填写后重新报送"}]),
        pd.DataFrame([{"kpi_id": "K3.1.03", "name": "新增老旧小区改造提升面积",
                       "judgement_message": "4.05亿平方米为序时进度5万平方米的约8100倍。请核实"}])),
    owners.NO_OWNER: remind.UnitList(
        pd.DataFrame([{"kpi_id": "K5.3.05", "name": "确定晨会<标杆>企业", "kind": "milestone", "unit": "",
                       "previous_quarter": None, "previous_actual": float("nan"), "previous_state": ""}]), NONE, NONE),
}


def test_list_separates_not_sent_returned_and_held_with_deadline_and_date():
    lines = remind.text_lines(PLAN, "2025Q3", MISSING, today=TODAY)
    assert lines[:2] == ["城东街道2025年第三季度重点工作催报清单", "清单日期：2025年10月12日　报送截止：2025年10月10日"]
    assert "城市管理办（3项）：" in lines and "  未报送 K3.2.08 立面整治" in lines
    assert "  已报送但被退回 K3.2.07 维护更换路灯：单位无法换算为计划单位（请按计划单位填写后重新报送）" in lines
    assert any(line.startswith("  待核实 K3.1.03") for line in lines)
    body = remind.body_html(PLAN, "2025Q3", MISSING, today=TODAY, deadline=dt.date(2025, 10, 15))
    assert "2个责任单位共2项指标尚未报送2025年第三季度数据，另有1行报送被退回、1项数据待核实" in body
    assert "报送截止：2025年10月15日" in body and "清单日期：2025年10月12日" in body and "请于2025年10月15日前按下表" in body
    late = remind.body_html(PLAN, "2025Q3", MISSING, today=TODAY)  # the default deadline, 10 days after 9月30日
    assert "报送截止日期（2025年10月10日）已过，请尽快按下表" in late
    assert "<h3>未报送（1项）</h3>" in body and "<h3>已报送但被退回（1行）</h3>" in body and "<h3>已报送、待核实（1项）</h3>" in body
    assert "确定晨会&lt;标杆&gt;企业" in body and "<标杆>" not in body
    assert "3处" in body  # the last figure submitted


def test_list_is_written_as_html_and_word(tmp_path):
    html_path, docx_path = remind.write_remind(PLAN, "2025Q3", MISSING, tmp_path, today=TODAY)
    assert html_path.name == "2025-Q3-催报.html" and 'name="viewport"' in html_path.read_text(encoding="utf-8")
    document = docx.Document(io.BytesIO(docx_path.read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["城市管理办（3项）", f"{owners.NO_OWNER}（1项）"]
    assert [t.rows[1].cells[0].text for t in document.tables] == ["K3.2.08", "K3.2.07", "K3.1.03", "K5.3.05"]
    again = remind.write_remind(PLAN, "2025Q3", MISSING, tmp_path / "again", today=TODAY)
    assert again[1].read_bytes() == docx_path.read_bytes()
