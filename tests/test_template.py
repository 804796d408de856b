"""Tests for reportlib.template: workbook content, protection, validation, round trip through ingest."""
from __future__ import annotations

import datetime as dt
import types

import openpyxl
import pandas as pd
import pytest

from reportlib import actuals as act
from reportlib import cli, template
from reportlib.errors import InputError

# kpi_id, name, kind, target, unit, comparator, owner
KPIS = [
    ("K1.1.01", "新发展“城东合伙人”", "count", 170, "家", "at_least", "党建办"),
    ("K1.1.02", "编制村级规范化手册", "milestone", None, None, "at_least", "党建办"),
    ("K2.1.01", "城市更新改造面积", "area", 85000, "平方米", "at_least", "城建办"),
    ("K3.1.02", "群众满意度", "rate", 95, "%", "at_least", "社会事务办"),
    ("K5.1.01", "安全生产事故", "zero_target", 0, "次", "at_most", "=应急办"),
    ("K6.1.01", "无主指标", "count", 3, "个", "at_least", None),
    ("K6.1.02", "每月点评", "recurring", 1, "次", "at_least", "党建办"),
]


def make_plan():
    """A small in-test plan (duck-typed like reportlib.plan.Plan)."""
    kpis = pd.DataFrame(
        [dict(kpi_id=k, name=n, kind=kind, target=t, unit=u, comparator=c, period="month" if kind == "recurring" else "year",
              due_quarter=3 if kind == "milestone" else None, owner=o)
         for k, n, kind, t, u, c, o in KPIS]
    )
    return types.SimpleNamespace(year=2025, title="城东街道2025年工作谋划", kpis=kpis)


PLAN = make_plan()


def data_rows(sheet) -> dict[str, dict]:
    """kpi_id -> {header: cell} for the data sheet."""
    headers = [cell.value for cell in sheet[template.HEADER_ROW]]
    out = {}
    for cells in sheet.iter_rows(min_row=template.FIRST_DATA_ROW):
        if cells[0].value:
            out[cells[0].value] = dict(zip(headers, cells))
    return out


@pytest.fixture
def q1_processed(tmp_path):
    """Processed actuals with Q1 figures (for the 'last quarter' column)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "q1.csv").write_text(
        "指标编号,季度,累计完成,完成情况\nK1.1.01,2025Q1,40,\nK1.1.02,2025Q1,,推进中\nK2.1.01,2025Q1,2.5万,\n", encoding="utf-8"
    )
    act.ingest(raw, tmp_path / "processed", PLAN)
    return tmp_path / "processed"


def test_one_workbook_per_unit(tmp_path):
    written = template.write_templates(PLAN, "2025Q3", tmp_path / "out", tmp_path / "none")
    assert {p.name for p in written} == {
        "2025Q3_=应急办_填报模板.xlsx", "2025Q3_城建办_填报模板.xlsx", "2025Q3_未指定单位_填报模板.xlsx",
        "2025Q3_社会事务办_填报模板.xlsx", "2025Q3_党建办_填报模板.xlsx",
    }
    book = openpyxl.load_workbook(tmp_path / "out" / "2025Q3_党建办_填报模板.xlsx")
    assert book.sheetnames == [template.INSTRUCTIONS_SHEET, template.DATA_SHEET]
    instructions = "\n".join(str(c.value) for c in book[template.INSTRUCTIONS_SHEET]["A"] if c.value)
    assert "填报说明" in instructions and "2025年第三季度" in instructions and "0.95" in instructions
    sheet = book[template.DATA_SHEET]
    assert "2025年第三季度" in sheet["A1"].value and "党建办" in sheet["A1"].value
    assert "A1:M1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sorted(data_rows(sheet)) == ["K1.1.01", "K1.1.02", "K6.1.02"]
    assert data_rows(sheet)["K6.1.02"]["年度目标"].value == "每月1次（全年12次）"


def test_prefilled_values_and_previous_quarter(tmp_path, q1_processed):
    template.write_templates(PLAN, "2025Q2", tmp_path / "out", q1_processed)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "2025Q2_党建办_填报模板.xlsx")[template.DATA_SHEET]
    rows = data_rows(sheet)
    first = rows["K1.1.01"]
    assert first["指标名称"].value == "新发展“城东合伙人”"
    assert first["单位"].value == "家" and first["年度目标"].value == 170
    assert first["上季度（2025Q1）累计完成"].value == 40
    assert first["季度"].value == "2025Q2" and first["填报单位"].value == "党建办"
    milestone = rows["K1.1.02"]
    assert milestone["年度目标"].value == "第3季度前完成"
    assert milestone["上季度（2025Q1）累计完成"].value == "推进中"
    area = openpyxl.load_workbook(tmp_path / "out" / "2025Q2_城建办_填报模板.xlsx")[template.DATA_SHEET]
    assert data_rows(area)["K2.1.01"]["上季度（2025Q1）累计完成"].value == 25000
    zero = openpyxl.load_workbook(tmp_path / "out" / "2025Q2_=应急办_填报模板.xlsx")[template.DATA_SHEET]
    cells = data_rows(zero)["K5.1.01"]
    assert cells["年度目标"].value == 0 and "不超过" in cells["年度目标"].number_format
    assert cells["填报单位"].value == "'=应急办"  # neutralised, never a formula
    assert zero["A1"].value.endswith("（=应急办）")


def test_a_held_figure_is_not_prefilled_as_last_quarter(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "q1.csv").write_text("指标编号,季度,累计完成\nK1.1.01,2025Q1,-9\nK6.1.02,2025Q1,3\n", encoding="utf-8")
    result = act.ingest(raw, tmp_path / "processed", PLAN)
    assert result.summary["held"] == 1  # a count cannot be negative
    template.write_templates(PLAN, "2025Q2", tmp_path / "out", tmp_path / "processed")
    rows = data_rows(openpyxl.load_workbook(tmp_path / "out" / "2025Q2_党建办_填报模板.xlsx")[template.DATA_SHEET])
    assert rows["K1.1.01"]["上季度（2025Q1）累计完成"].value is None and rows["K6.1.02"]["上季度（2025Q1）累计完成"].value == 3


def test_q1_has_no_previous_figures(tmp_path, q1_processed):
    template.write_templates(PLAN, "2025Q1", tmp_path / "out", q1_processed)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "2025Q1_党建办_填报模板.xlsx")[template.DATA_SHEET]
    assert data_rows(sheet)["K1.1.01"]["上季度累计完成（第一季度，无上季度）"].value is None


def test_protection_and_validation(tmp_path):
    template.write_templates(PLAN, "2025Q3", tmp_path / "out", tmp_path / "none")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "2025Q3_党建办_填报模板.xlsx")[template.DATA_SHEET]
    assert sheet.protection.sheet
    rows = data_rows(sheet)
    count, milestone = rows["K1.1.01"], rows["K1.1.02"]
    for header in ("指标编号", "指标名称", "单位", "年度目标", "季度"):
        assert count[header].protection.locked and milestone[header].protection.locked
    for header in ("累计完成", "本季度完成", "进展说明", "填报单位", "填报人", "填报日期"):
        assert not count[header].protection.locked, header
    assert count["完成情况"].protection.locked and not milestone["完成情况"].protection.locked
    assert milestone["累计完成"].protection.locked
    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert set(validations) == {"decimal", "list", "date"}
    assert validations["list"].formula1 == '"已完成,推进中,未启动"'
    assert {str(r) for r in validations["decimal"].sqref.ranges} == {"G4:G6", "H4:H6"}
    assert str(validations["date"].sqref) == "M4:M6"
    assert count["填报日期"].number_format == "yyyy-mm-dd"
    # no formulas anywhere
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_templates_are_byte_identical(tmp_path):
    first = template.write_templates(PLAN, "2025Q3", tmp_path / "a", tmp_path / "none")
    second = template.write_templates(PLAN, "2025Q3", tmp_path / "b", tmp_path / "none")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()


def test_quarter_of_another_year_is_refused(tmp_path):
    with pytest.raises(InputError):
        template.write_templates(PLAN, "2024Q4", tmp_path / "out", tmp_path / "none")


def test_filled_template_ingests_without_manual_steps(tmp_path, q1_processed):
    """Round trip: template -> filled with openpyxl (as a department would) -> ingest."""
    written = template.write_templates(PLAN, "2025Q2", tmp_path / "raw" / "2025Q2", q1_processed)
    party = tmp_path / "raw" / "2025Q2" / "2025Q2_党建办_填报模板.xlsx"
    book = openpyxl.load_workbook(party)
    rows = data_rows(book[template.DATA_SHEET])
    rows["K1.1.01"]["累计完成"].value = 95
    rows["K1.1.01"]["本季度完成"].value = 55
    rows["K1.1.01"]["进展说明"].value = "<script>alert(1)</script>稳步推进"
    rows["K1.1.01"]["填报人"].value = "张三"
    rows["K1.1.01"]["填报日期"].value = dt.datetime(2025, 7, 8)
    rows["K1.1.02"]["完成情况"].value = "已完成"
    rows["K1.1.02"]["填报日期"].value = dt.datetime(2025, 7, 8)
    book.save(party)
    area = tmp_path / "raw" / "2025Q2" / "2025Q2_城建办_填报模板.xlsx"
    book = openpyxl.load_workbook(area)
    data_rows(book[template.DATA_SHEET])["K2.1.01"]["本季度完成"].value = 30000
    book.save(area)
    # Q1 submissions so the increment-only row can be derived
    (tmp_path / "raw" / "2025Q1").mkdir()
    (tmp_path / "raw" / "2025Q1" / "q1.csv").write_text("指标编号,季度,累计完成\nK2.1.01,2025Q1,25000\n", encoding="utf-8")
    result = act.ingest(tmp_path / "raw", plan=PLAN, write=False)
    assert result.rejects.empty, result.rejects["message"].tolist()
    assert not result.summary["file_errors"]
    frame = result.actuals.set_index(["kpi_id", "quarter"])
    assert frame.loc[("K1.1.01", "2025Q2"), "cumulative"] == 95
    assert frame.loc[("K1.1.01", "2025Q2"), "note"] == "<script>alert(1)</script>稳步推进"  # untrusted, kept as given
    assert frame.loc[("K1.1.01", "2025Q2"), "report_date"] == "2025-07-08"
    assert frame.loc[("K1.1.01", "2025Q2"), "reporting_unit"] == "党建办"
    assert frame.loc[("K1.1.01", "2025Q2"), "source_sheet"] == template.DATA_SHEET
    assert frame.loc[("K1.1.02", "2025Q2"), "state"] == "done"
    assert frame.loc[("K2.1.01", "2025Q2"), "cumulative"] == 55000
    assert "derived_cumulative" in frame.loc[("K2.1.01", "2025Q2"), "flags"]
    # every untouched KPI row in every template is skipped as unfilled, never rejected
    assert result.summary["skipped_by_kind"] == {"unfilled": len(PLAN.kpis) - 3}
    assert len(written) == 5


def test_cli_template(tmp_path, capsys):
    from test_actuals import write_plan_yaml

    plan_file = write_plan_yaml(tmp_path / "plan.yaml")
    code = cli.main(["template", "--quarter", "2025年第三季度", "--out", str(tmp_path / "out"), "--plan", str(plan_file), "--processed", str(tmp_path / "none")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "已生成" in printed
    assert (tmp_path / "out" / "2025Q3_党建办_填报模板.xlsx").exists()
    assert cli.main(["template", "--quarter", "第九季度", "--out", str(tmp_path / "out"), "--plan", str(plan_file)]) == 3


def test_printout_fits_the_page_and_rows_are_tall_enough_for_wrapped_text(tmp_path):
    """Spreadsheet programs do not all size rows to wrapped text (LibreOffice keeps one line)."""
    long_name = "打造颜山花园东苑“齐鲁红色物业”党建示范点并建立长效管理机制"
    plan = make_plan()
    plan.kpis.loc[0, "name"] = long_name
    template.write_templates(plan, "2025Q3", tmp_path / "out", tmp_path / "none")
    path = tmp_path / "out" / "2025Q3_党建办_填报模板.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book[template.DATA_SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == f"${template.HEADER_ROW}:${template.HEADER_ROW}"  # header on every page
    heights = {cells[0].value: sheet.row_dimensions[cells[0].row].height
               for cells in sheet.iter_rows(min_row=template.FIRST_DATA_ROW) if cells[0].value}
    assert heights["K1.1.01"] >= 2 * template.LINE_HEIGHT_PT  # the long name wraps
    assert template.MIN_DATA_ROW_HEIGHT_PT <= heights["K1.1.02"] < heights["K1.1.01"]  # room to write, less wrapping
    instructions = book[template.INSTRUCTIONS_SHEET]
    assert instructions.page_setup.orientation == "portrait"
    assert all(instructions.row_dimensions[r].height for r in range(1, len(template.INSTRUCTIONS) + 1))


@pytest.mark.parametrize("text, width, lines", [
    ("", 40, 1), (None, 40, 1), ("新增老旧小区改造片区", 40, 1),
    ("每月1次（全年12次）", 22, 1), ("每月1次（全年12次）", 12, 2), ("字" * 40, 40, 3), ("x" * 76, 40, 2),
])
def test_wrapped_lines_counts_chinese_characters_as_two_units(text, width, lines):
    assert template._wrapped_lines(text, width) == lines


def test_a_template_filled_and_saved_by_libreoffice_ingests(tmp_path):
    """A real office suite's file: filled from `reportlib template`, saved again by LibreOffice
    Calc 7.4 (shared strings, its own styles and dates), as a unit using it would send it."""
    from reportlib import plan as plan_file
    from reportlib.workspace import PROJECT_ROOT

    raw = PROJECT_ROOT / "tests" / "fixtures" / "libreoffice"
    result = act.ingest(raw, plan=plan_file.load_plan(), write=False)
    assert result.rejects.empty and not result.summary["file_errors"]
    assert (result.summary["accepted"], result.summary["skipped_by_kind"]) == (4, {"unfilled": 14})
    frame = result.actuals.set_index("kpi_id")
    assert frame.loc["K1.1.01", "state"] == "in_progress"
    assert frame.loc["K1.1.02", "cumulative"] == 2
    assert (frame.loc["K1.1.03", "cumulative"], frame.loc["K1.1.03", "increment"]) == (95, 55)
    assert frame.loc["K1.1.03", "note"] == "稳步推进，新发展合伙单位95家"
    assert set(frame["report_date"]) == {"2025-07-08"} and set(frame["reporter"]) == {"张三"}
    assert set(frame["reporting_unit"]) == {"党建办"} and set(frame["quarter"]) == {"2025Q2"}


def test_workbook_names_a_chinese_font_and_prints_legibly_one_page_wide(tmp_path):
    template.write_templates(make_plan(), "2025Q3", tmp_path / "out", tmp_path / "none")
    book = openpyxl.load_workbook(tmp_path / "out" / "2025Q3_党建办_填报模板.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value not in (None, ""):
                    assert cell.font.name == template.FONT_NAME and cell.font.charset == template.GB2312_CHARSET, cell.coordinate
                    assert cell.font.sz >= 10, cell.coordinate
    sheet = book[template.DATA_SHEET]
    assert sum(column.width for column in template.COLUMNS) == template.PRINT_WIDTH_UNITS
    # the printed scale that makes the sheet one page wide, at LibreOffice's width unit
    printable_in = 297 / 25.4 - sheet.page_margins.left - sheet.page_margins.right
    scale = min(1.0, printable_in / (template.PRINT_WIDTH_UNITS * template.WIDTH_UNIT_PX / 96))
    assert template.BODY_PT * scale >= 10
    heights = [sheet.row_dimensions[r].height for r in range(template.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert heights and min(heights) >= template.MIN_DATA_ROW_HEIGHT_PT
