"""Report building blocks: formatting, escaping of submitted text, the sample-data badge, chart ids."""
from __future__ import annotations

import re

import pandas as pd

from reportlib.report import charts, present

KPIS = pd.DataFrame([
    {"kpi_id": "K1.1.03", "comparator": "at_least", "period": "year", "due_quarter": None, "owner": "党建办"},
    {"kpi_id": "K1.1.02", "comparator": "at_least", "period": "quarter", "due_quarter": None, "owner": "党建办"},
    {"kpi_id": "K1.1.01", "comparator": "at_least", "period": "year", "due_quarter": 2, "owner": "党建办"},
])
PROGRESS = pd.DataFrame([
    {"kpi_id": "K1.1.03", "name": "新发展“城东合伙人”", "kind": "count", "unit": "家", "target": 170.0, "plan_target": 170.0,
     "actual": 128.0, "expected": 130.0, "completion": 128 / 170, "status": "on_track", "status_label": "达进度",
     "state": "", "approximate": True, "note": "<script>alert('x')</script>已发展128家"},
    {"kpi_id": "K1.1.02", "name": "每季度动态调整", "kind": "recurring", "unit": "次", "target": 4.0, "plan_target": 1.0,
     "actual": 3.0, "expected": 3.0, "completion": 0.75, "status": "on_track", "status_label": "达进度",
     "state": "", "approximate": False, "note": ""},
    {"kpi_id": "K1.1.01", "name": "梳理制定<手册>", "kind": "milestone", "unit": "", "target": float("nan"),
     "plan_target": float("nan"), "actual": float("nan"), "expected": float("nan"), "completion": 0.5,
     "status": "behind", "status_label": "欠进度", "state": "in_progress", "approximate": False, "note": None},
])


def test_numbers_are_written_the_chinese_way():
    assert present.fmt_number(85000) == "8.5万"
    assert present.fmt_number(18750) == "1.875万" and present.fmt_number(12345) == "1.2345万"
    assert present.fmt_number(12345.6) == "12,345.6"  # not exact in 万 with 4 decimals
    assert present.fmt_number(9999) == "9,999"
    assert present.fmt_number(200_000_000) == "2亿" and present.fmt_number(123_450_000) == "1.2345亿"
    assert present.fmt_number(123_456_000) == "12,345.6万"
    assert present.fmt_number(1234.5) == "1,234.5"
    assert present.fmt_number(float("nan")) == "—"
    assert present.fmt_quantity(95, "%") == "95%"
    assert present.fmt_percent(0.753) == "75.3%"


def test_targets_read_as_the_plan_states_them():
    rows = PROGRESS.merge(KPIS, on="kpi_id").to_dict("records")
    assert present.fmt_target(rows[0]) == "≥170家"
    assert present.fmt_target(rows[1]) == "每季度1次"  # per period, not the year total
    assert present.fmt_target(rows[2]) == "完成（第二季度前）"
    assert present.fmt_actual(rows[0]) == "约128家"
    assert present.fmt_actual(rows[2]) == "推进中"


def test_submitted_text_is_escaped_everywhere():
    notes = present.notes_html(PROGRESS)
    assert "<script>" not in notes and "&lt;script&gt;" in notes
    table = present.kpi_table(PROGRESS, KPIS, 3, with_owner=True)
    assert "<手册>" not in table and "&lt;手册&gt;" in table
    assert "<th>责任单位</th>" in table


def test_sample_badge_only_for_sample_data():
    assert "示例数据" in present.cover_html("标题", ["一行"], sample=True)
    assert "示例数据" not in present.cover_html("标题", ["一行"], sample=False)


def test_each_chart_has_its_own_svg_ids():
    first = charts.to_svg(charts.bar_chart(["甲", "乙"], [1, 2], title="图一"))
    second = charts.to_svg(charts.bar_chart(["甲", "乙"], [1, 2], title="图一"))
    ids_first = set(re.findall(r'id="([^"]+)"', first))
    ids_second = set(re.findall(r'id="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', first):
        assert ref in ids_first


def test_status_is_written_as_text_in_charts():
    labelled = charts.to_svg(charts.bullet_chart(["甲"], [40.0], [75.0], ["severely_behind"], ["严重滞后"], title="测试"))
    bare = charts.to_svg(charts.bullet_chart(["甲"], [40.0], [75.0], ["severely_behind"], [""], title="测试"))
    assert "<dc:date>" not in labelled
    # Text stays text in the report font (the page embeds it; the PDF draws it as searchable text).
    assert re.search(r"<text[^>]*>40% 严重滞后</text>", labelled)
    assert "严重滞后" not in bare
    assert "Noto Sans CJK SC" in labelled


def test_short_label_marks_a_cut_and_drops_trailing_punctuation():
    assert present.short_label("老旧小区改造全覆盖") == "老旧小区改造全覆盖"
    assert present.short_label("人居环境每月点评、揭短亮丑、末位表态") == "人居环境每月点评、揭短亮丑…"
    assert present.short_label("人居环境每月点评、揭短亮丑、末位表态", 9) == "人居环境每月点评…"
    assert present.short_label("一二三四五六七八九十一二三四") == "一二三四五六七八九十一二三四"  # 14: not cut
