"""The 催报 list: per unit the KPIs still missing for a quarter, as text, HTML and Word."""
from __future__ import annotations

import io
import types

import docx
import pandas as pd

from reportlib.report import owners, remind

PLAN = types.SimpleNamespace(organization="城东街道", title="城东街道2025年工作谋划", year=2025)
MISSING = {
    "城市管理办": pd.DataFrame([{"kpi_id": "K3.2.08", "name": "立面整治", "kind": "count", "unit": "处",
                              "previous_quarter": "2025Q2", "previous_actual": 3.0, "previous_state": ""}]),
    owners.NO_OWNER: pd.DataFrame([{"kpi_id": "K5.3.05", "name": "确定晨会<标杆>企业", "kind": "milestone", "unit": "",
                                   "previous_quarter": None, "previous_actual": float("nan"), "previous_state": ""}]),
}


def test_list_names_each_unit_and_its_missing_kpis():
    lines = remind.text_lines(PLAN, "2025Q3", MISSING)
    assert lines[0] == "城东街道2025年第三季度重点工作催报清单"
    assert "城市管理办（1项）：" in lines and "  K3.2.08 立面整治" in lines
    body = remind.body_html(PLAN, "2025Q3", MISSING)
    assert "2个责任单位共2项指标尚未报送2025年第三季度数据" in body
    assert "确定晨会&lt;标杆&gt;企业" in body and "<标杆>" not in body
    assert "3处" in body  # the last figure submitted


def test_list_is_written_as_html_and_word(tmp_path):
    html_path, docx_path = remind.write_remind(PLAN, "2025Q3", MISSING, tmp_path)
    assert html_path.name == "2025-Q3-催报.html" and 'name="viewport"' in html_path.read_text(encoding="utf-8")
    document = docx.Document(io.BytesIO(docx_path.read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["城市管理办（1项）", f"{owners.NO_OWNER}（1项）"]
    assert [t.rows[1].cells[0].text for t in document.tables] == ["K3.2.08", "K5.3.05"]
    assert remind.write_remind(PLAN, "2025Q3", MISSING, tmp_path / "again")[1].read_bytes() == docx_path.read_bytes()
