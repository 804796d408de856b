"""Tests for reportlib.actuals: normalisation, rejects, supersession, outputs, CLI, sample data."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import json
import types
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportlib import actuals as act
from reportlib import cli, workspace
from reportlib.errors import EXIT_BAD_INPUT, InputError

HEADER = ["指标编号", "指标名称", "季度", "累计完成", "本季度完成", "单位", "完成情况", "进展说明", "填报单位", "填报人", "填报日期"]

# kpi_id, name, kind, target, unit, owner
KPIS = [
    ("K1.1.01", "新发展“城东合伙人”", "count", 170, "家", "党建办"),
    ("K1.1.02", "增设网格驿站", "count", 10, "处", "党建办"),
    ("K2.1.01", "城市更新改造面积", "area", 85000, "平方米", "城建办"),
    ("K2.1.02", "新建道路", "length", 1200, "米", "城建办"),
    ("K3.1.01", "固定资产投资增长率", "growth_rate", 10, "%", "经发办"),
    ("K3.1.02", "群众满意度", "rate", 95, "%", "社会事务办"),
    ("K4.1.01", "合伙人座谈", "recurring", 4, "次", "党建办"),
    ("K4.1.02", "编制村级规范化手册", "milestone", None, None, "党建办"),
    ("K5.1.01", "安全生产事故", "zero_target", 0, "次", "应急办"),
    ("K5.1.02", "开展培训", "count", 12, "次", "党建办"),
    ("K5.1.03", "开展培训", "count", 6, "次", "城建办"),
]


def make_plan(year: int = 2025):
    """A small in-test plan: anything with ``year``, ``title`` and a ``kpis`` frame."""
    kpis = pd.DataFrame(
        [
            dict(kpi_id=k, pillar=int(k[1]), task=k[1:4].strip("K"), name=n, kind=kind, target=t, unit=u,
                 comparator="at_least" if kind != "zero_target" else "at_most", period="year", schedule=None,
                 due_quarter=4 if kind == "milestone" else None, owner=o, source_text=n)
            for k, n, kind, t, u, o in KPIS
        ]
    )
    return types.SimpleNamespace(year=year, title="城东街道2025年工作谋划", kpis=kpis)


PLAN = make_plan()


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", header: list[str] | None = HEADER, above: list[list] = ()) -> Path:
    """Write a submission CSV (optional title rows above the header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in above:
        writer.writerow(row)
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def row(kpi_id="", name="", quarter="2025Q1", cumulative="", increment="", unit="", state="", note="", unit_name="", reporter="", date=""):
    """One CSV data row in HEADER order."""
    return [kpi_id, name, quarter, cumulative, increment, unit, state, note, unit_name, reporter, date]


def run(raw: Path, plan=PLAN) -> act.IngestResult:
    """Ingest without writing."""
    return act.ingest(raw, plan=plan, write=False)


def one(tmp_path, *rows, plan=PLAN, name="2025Q1/s.csv"):
    """Ingest a single CSV made of ``rows``; returns the result."""
    write_csv(tmp_path / "raw" / name, list(rows))
    return run(tmp_path / "raw", plan)


def assert_identity(result: act.IngestResult):
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["superseded"] + s["held"] + s["rejected"] + s["details"]


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "text, expected",
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("正常", "正常"), ("", ""), (5, 5), (None, None)],
)
def test_neutralize(text, expected):
    assert act.neutralize(text) == expected


@pytest.mark.parametrize(
    "header, field",
    [
        ("指标编号", "kpi_id"), ("  指 标 编 号 ", "kpi_id"), ("kpi_id", "kpi_id"), ("KPI ID", "kpi_id"), ("ｋｐｉ＿ｉｄ", "kpi_id"),
        ("累计完成值", "cumulative"), ("累计完成", "cumulative"), ("cumulative", "cumulative"),
        ("本季度完成(增量)", "increment"), ("本季度完成（增量）", "increment"), ("increment", "increment"),
        ("完成情况", "state"), ("status", "state"), ("state", "state"), ("进展说明", "note"), ("note", "note"),
        ("填报单位", "reporting_unit"), ("reporting_unit", "reporting_unit"), ("填报人", "reporter"),
        ("Report Date", "report_date"), ("填报日期", "report_date"), ("*季度", "quarter"), ("单位", "unit"),
    ],
)
def test_match_header(header, field):
    assert act.match_header(header)[0] == field


@pytest.mark.parametrize("header", ["上季度（2025Q1）累计完成", "年度目标", "序号", "", None, "城东街道2025年第一季度填报表"])
def test_match_header_ignores_other_columns(header):
    assert act.match_header(header) is None


def test_match_header_keeps_bracket_unit():
    assert act.match_header("累计完成(万平方米)") == ("cumulative", 2, "万平方米")


@pytest.mark.parametrize(
    "encoding, text",
    [("utf-8", "指标编号,累计完成"), ("utf-8-sig", "指标编号,累计完成"), ("gbk", "指标编号,累计完成"), ("gb18030", "指标编号,䶮")],
)
def test_decode_bytes_detects_encoding(encoding, text):
    decoded, label = act.decode_bytes(text.encode(encoding))
    assert decoded == text
    assert label == encoding


def test_decode_gbk_is_not_assumed_for_utf8():
    # Valid UTF-8 must never be read as GBK (mojibake).
    assert act.decode_bytes("进展说明".encode("utf-8"))[1] == "utf-8"


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "kpi_id, cumulative, unit, expected, flags",
    [
        ("K1.1.01", "４０", "", 40, ""),
        ("K1.1.01", "1,234", "", 1234, ""),
        ("K1.1.01", "一百二十", "", 120, ""),
        ("K1.1.01", "120家", "", 120, ""),
        ("K2.1.01", "8.5万", "", 85000, ""),
        ("K2.1.01", "8.5", "万平方米", 85000, "unit_converted"),
        ("K2.1.01", "0.69", "万平方米", 6900, "unit_converted"),
        ("K2.1.01", "8.5万平方米", "", 85000, ""),
        ("K2.1.01", "12", "公顷", 120000, "unit_converted"),
        ("K2.1.02", "1.2", "公里", 1200, "unit_converted"),
        ("K3.1.02", "95%", "", 95, ""),
        ("K3.1.02", "９５％", "", 95, ""),
        ("K3.1.02", "0.95", "", 95, "percent_as_fraction"),
        ("K3.1.02", "0.95", "%", 95, "percent_as_fraction"),
        ("K3.1.02", "95", "", 95, ""),
        ("K3.1.02", "95", "百分比", 95, ""),
        ("K1.1.01", "40", "—", 40, ""),
        ("K3.1.02", "1", "", 100, "percent_as_fraction"),
        ("K3.1.01", "-0.03", "", -3, "percent_as_fraction"),
        ("K3.1.01", "0", "", 0, ""),
        ("K3.1.01", "-3", "", -3, ""),
        ("K1.1.01", "约120", "", 120, "approximate"),
        ("K1.1.01", "120余", "", 120, "approximate"),
        ("K1.1.01", "近120", "", 120, "approximate"),
        ("K1.1.01", "120家以上", "", 120, "approximate"),
    ],
)
def test_figures_are_normalised(tmp_path, kpi_id, cumulative, unit, expected, flags):
    result = one(tmp_path, row(kpi_id, cumulative=cumulative, unit=unit))
    assert result.rejects.empty, result.rejects.message.tolist()
    record = result.actuals.iloc[0]
    assert record["cumulative"] == expected  # exact: no float noise such as 6899.999999999999
    assert record["approximate"] == ("approximate" in flags)
    for flag in filter(None, flags.split(";")):
        assert flag in record["flags"].split(";")
    if "percent_as_fraction" not in flags:
        assert "percent_as_fraction" not in record["flags"]


def test_header_bracket_unit_applies(tmp_path):
    header = ["指标编号", "季度", "累计完成(万平方米)", "本季度完成（增量）"]
    write_csv(tmp_path / "raw" / "a.csv", [["K2.1.01", "2025Q1", "2.5", "2.5"]], header=header)
    record = run(tmp_path / "raw").actuals.iloc[0]
    assert record["cumulative"] == 25000 and record["increment"] == 2.5  # 增量 is not a unit: plan unit


@pytest.mark.parametrize("quarter", ["2025Q2", "2025-Q2", "2025年第二季度", "2025年2季度", "二季度", "第2季度", "Q2", "2025-06-30", "2025/6/30", "45838"])
def test_quarter_forms(tmp_path, quarter):
    result = one(tmp_path, row("K3.1.02", quarter=quarter, cumulative="90"))
    assert result.actuals["quarter"].tolist() == ["2025Q2"]


@pytest.mark.parametrize(
    "state, expected",
    [("已完成", "done"), ("完成", "done"), ("完工", "done"), ("推进中", "in_progress"), ("进行中", "in_progress"),
     ("正在推进", "in_progress"), ("未启动", "not_started"), ("未开始", "not_started"), (" 已 完 成 ", "done")],
)
def test_milestone_states(tmp_path, state, expected):
    result = one(tmp_path, row("K4.1.02", state=state, cumulative="100"))
    record = result.actuals.iloc[0]
    assert record["state"] == expected
    assert pd.isna(record["cumulative"])  # NaN for milestones


def test_non_milestone_state_is_blank(tmp_path):
    result = one(tmp_path, row("K1.1.01", cumulative="5", state="推进中"))
    assert result.actuals.iloc[0]["state"] == ""


@pytest.mark.parametrize("date, expected", [("2025-04-08", "2025-04-08"), ("2025/4/8", "2025-04-08"), ("2025年4月8日", "2025-04-08"), ("45755", "2025-04-08"), ("", "")])
def test_report_dates(tmp_path, date, expected):
    result = one(tmp_path, row("K1.1.01", cumulative="5", date=date))
    assert result.actuals.iloc[0]["report_date"] == expected


@pytest.mark.parametrize(
    "kpi_id, name",
    [("", "新发展“城东合伙人”"), ("", '新发展"城东合伙人"'), ("", "新发展 「城东合伙人」"), ("", " 新发展‘城东合伙人’ "), ("k1.1.01", ""), ("1.1.01", ""), ("Ｋ１.１.０１", "")],
)
def test_kpi_by_id_or_name(tmp_path, kpi_id, name):
    result = one(tmp_path, row(kpi_id, name, cumulative="5"))
    assert result.actuals["kpi_id"].tolist() == ["K1.1.01"]


def test_name_mismatch_is_flagged_not_rejected(tmp_path):
    result = one(tmp_path, row("K1.1.01", "别的名字", cumulative="5"))
    assert "name_mismatch" in result.actuals.iloc[0]["flags"]


def test_xlsx_values_dates_and_title_rows(tmp_path):
    """Header found under merged title rows; typed Excel cells (numbers, dates, serials) read."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一季度"
    ws["A1"] = "城东街道2025年第一季度重点工作完成情况（示例数据）"
    ws.merge_cells("A1:K1")
    ws["A2"] = "填报单位：党建办"
    ws.merge_cells("A2:K2")
    ws.append([])
    ws.append(HEADER)
    ws.append(["K1.1.01", None, "2025Q1", 40, None, "家", None, "正常推进", "党建办", "张三", dt.datetime(2025, 4, 8)])
    ws.append(["K3.1.02", None, dt.datetime(2025, 3, 31), 0.95, None, None, None, None, None, None, 45755])
    ws.append([])
    ws.append(["填表人：张三", None, "审核人：李四"])
    path = tmp_path / "raw" / "党建办.xlsx"
    path.parent.mkdir()
    wb.save(path)
    result = run(tmp_path / "raw")
    assert result.rejects.empty
    frame = result.actuals.set_index("kpi_id")
    assert frame.loc["K1.1.01", "report_date"] == "2025-04-08"
    assert frame.loc["K1.1.01", "source_sheet"] == "一季度"
    assert frame.loc["K1.1.01", "source_row"] == 5
    assert frame.loc["K3.1.02", "cumulative"] == 95
    assert frame.loc["K3.1.02", "report_date"] == "2025-04-08"
    assert result.summary["skipped_by_kind"] == {"blank": 1, "footer": 1}
    assert_identity(result)


def test_vertically_merged_cells_apply_to_each_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["城东街道2025年第二季度完成情况"])
    ws.merge_cells("A1:D1")
    ws.append(["指标编号", "季度", "累计完成", "填报单位"])
    ws.append(["K1.1.01", "2025Q2", 10, "党建办"])
    ws.append(["K1.1.02", None, 2, None])
    ws.append(["K2.1.01", None, 300, None])
    ws.merge_cells("B3:B5")
    ws.merge_cells("D3:D5")
    (tmp_path / "raw").mkdir()
    wb.save(tmp_path / "raw" / "m.xlsx")
    frame = run(tmp_path / "raw").actuals
    assert frame["quarter"].tolist() == ["2025Q2"] * 3 and frame["reporting_unit"].tolist() == ["党建办"] * 3


def test_two_level_header(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("指标编号,季度,完成值,\n,,累计完成,本季度完成\nK1.1.01,2025Q1,30,30\n", encoding="utf-8")
    result = run(tmp_path / "raw")
    assert result.actuals.iloc[0]["cumulative"] == 30 and result.actuals.iloc[0]["source_row"] == 3


def test_tab_separated_and_english_headers(tmp_path):
    path = tmp_path / "raw" / "en.csv"
    path.parent.mkdir()
    path.write_text("kpi_id\tquarter\tcumulative\tincrement\tstatus\tnote\treporting_unit\treporter\treport_date\nK1.1.01\t2025Q1\t12\t12\t\tok\tA\tB\t2025-04-01\n", encoding="utf-8")
    result = run(tmp_path / "raw")
    assert result.actuals.iloc[0]["cumulative"] == 12 and result.actuals.iloc[0]["reporter"] == "B"


# --------------------------------------------------------------------------- reject reasons


@pytest.mark.parametrize(
    "data, reason, column",
    [
        (row("K9.9.99", cumulative="5"), "unknown_kpi", "指标编号"),
        (row("", "不存在的指标", cumulative="5"), "unknown_kpi", "指标名称"),
        (row("", "开展培训", cumulative="5"), "ambiguous_name", "指标名称"),
        (row("K1.1.01", cumulative="见附件"), "bad_number", "累计完成"),
        (row("K1.1.01", cumulative="见附件3"), "bad_number", "累计完成"),
        (row("K1.1.01", increment="abc"), "bad_number", "本季度完成"),
        (row("K2.1.02", cumulative="300", unit="家"), "incompatible_unit", "累计完成"),
        (row("K2.1.02", cumulative="300", unit="坨"), "incompatible_unit", "单位"),
        (row("K3.1.02", cumulative="95", unit="家"), "incompatible_unit", "累计完成"),
        (row("K1.1.01", quarter="2025Q5", cumulative="5"), "bad_quarter", "季度"),
        (row("K1.1.01", quarter="第五季度", cumulative="5"), "bad_quarter", "季度"),
        (row("K1.1.01", quarter="2024Q4", cumulative="5"), "quarter_mismatch", "季度"),
        (row("K1.1.01", quarter="", cumulative="5"), "missing_value", "季度"),
        (row("", "", cumulative="5"), "missing_value", "指标编号"),
        (row("K1.1.01", note="只写了说明"), "missing_value", "累计完成"),
        (row("K4.1.02", note="只写了说明"), "missing_value", "完成情况"),
        (row("K4.1.02", state="差不多了"), "bad_state", "完成情况"),
    ],
)
def test_reject_reasons(tmp_path, data, reason, column):
    result = one(tmp_path, data, name="s.csv")
    assert result.actuals.empty
    reject = result.rejects.iloc[0]
    assert (reject["reason"], reject["column"], reject["row"]) == (reason, column, 2)
    assert reject["file"] == "s.csv" and reject["sheet"] == ""
    message = reject["message"]
    assert "s.csv" in message and "第2行" in message and column in message
    assert act.REASONS[reason] in message
    assert_identity(result)


def test_every_reason_has_a_chinese_message():
    for code, text in {**act.REASONS, **act.FILE_ERRORS}.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), code


def test_duplicate_in_file_keeps_first(tmp_path):
    result = one(tmp_path, row("K1.1.01", cumulative="5"), row("K1.1.01", cumulative="5"))
    assert result.actuals["cumulative"].tolist() == [5]
    reject = result.rejects.iloc[0]
    assert reject["reason"] == "duplicate_in_file" and reject["row"] == 3 and "第2行" in reject["message"]


def test_duplicate_in_file_with_other_values_rejects_both(tmp_path):
    result = one(tmp_path, row("K1.1.01", cumulative="5"), row("K1.1.01", cumulative="6"))
    assert result.actuals.empty
    assert result.rejects["row"].tolist() == [2, 3] and set(result.rejects["reason"]) == {"duplicate_in_file"}
    assert all("两行均未采用" in m for m in result.rejects["message"])


def test_missing_prior_quarter(tmp_path):
    write_csv(tmp_path / "raw" / "q1.csv", [row("K1.1.01", quarter="2025Q1", increment="10")])
    write_csv(tmp_path / "raw" / "q3.csv", [row("K1.1.01", quarter="2025Q3", increment="10")])
    result = run(tmp_path / "raw")
    assert result.actuals["quarter"].tolist() == ["2025Q1"]
    reject = result.rejects.iloc[0]
    assert (reject["reason"], reject["file"], reject["column"]) == ("missing_prior_quarter", "q3.csv", "本季度完成")
    assert "2025年第二季度" in reject["message"]
    assert_identity(result)


# --------------------------------------------------------------------------- derivation, checks, supersession


def test_increments_only_are_summed(tmp_path):
    for q, inc in (("2025Q1", "10"), ("2025Q2", "15"), ("2025Q3", "5")):
        write_csv(tmp_path / "raw" / q / "inc.csv", [row("K1.1.01", quarter=q, increment=inc)])
    frame = run(tmp_path / "raw").actuals
    assert frame["cumulative"].tolist() == [10, 25, 30]
    assert all("derived_cumulative" in flags for flags in frame["flags"])


def test_increment_derived_from_cumulative(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [row("K1.1.01", quarter="2025Q1", cumulative="40"), row("K1.1.01", quarter="2025Q2", cumulative="70")])
    frame = run(tmp_path / "raw").actuals
    assert frame["increment"].tolist() == [40, 30]
    assert all("derived_increment" in flags for flags in frame["flags"])


def test_increment_not_derivable_stays_nan(tmp_path):
    frame = one(tmp_path, row("K1.1.01", quarter="2025Q3", cumulative="40")).actuals
    assert pd.isna(frame.iloc[0]["increment"])


def test_cumulative_fell_and_inconsistent_increment(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [
        row("K1.1.01", quarter="2025Q1", cumulative="40", increment="40"),
        row("K1.1.01", quarter="2025Q2", cumulative="35", increment="5"),
    ])
    frame = run(tmp_path / "raw").actuals
    assert frame["judgement"].tolist() == ["accepted", "held"]  # a cumulative figure cannot fall: held, not used
    assert frame["reasons"].tolist() == ["", "cumulative_fell"]
    assert "K1.1.01" not in frame.iloc[1]["judgement_message"] and "低于一季度的40家" in frame.iloc[1]["judgement_message"]
    write_csv(tmp_path / "raw" / "a.csv", [
        row("K1.1.01", quarter="2025Q1", cumulative="40", increment="40"),
        row("K1.1.01", quarter="2025Q2", cumulative="75", increment="5"),
    ])
    frame = run(tmp_path / "raw").actuals
    assert frame["reasons"].tolist() == ["", "increment_inconsistent"] and frame.iloc[1]["judgement"] == "held"


def test_rates_are_point_in_time(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [
        row("K3.1.02", quarter="2025Q1", cumulative="96"),
        row("K3.1.02", quarter="2025Q2", cumulative="93"),
        row("K3.1.01", quarter="2025Q2", increment="7.5"),
    ])
    frame = run(tmp_path / "raw").actuals.set_index(["kpi_id", "quarter"])
    assert "cumulative_fell" not in frame.loc[("K3.1.02", "2025Q2"), "flags"]
    assert frame.loc[("K3.1.01", "2025Q2"), "cumulative"] == 7.5  # no prior quarter needed
    assert "rate_from_increment" in frame.loc[("K3.1.01", "2025Q2"), "flags"]


def test_state_regressed(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [row("K4.1.02", quarter="2025Q1", state="已完成"), row("K4.1.02", quarter="2025Q2", state="推进中")])
    frame = run(tmp_path / "raw").actuals
    assert frame["reasons"].tolist() == ["", "state_regressed"] and frame["judgement"].tolist() == ["accepted", "held"]


def test_resubmission_later_date_wins(tmp_path):
    write_csv(tmp_path / "raw" / "z_first.csv", [row("K1.1.01", cumulative="40", date="2025-04-05")])
    write_csv(tmp_path / "raw" / "a_fix.csv", [row("K1.1.01", cumulative="45", date="2025-04-09")])
    result = run(tmp_path / "raw")
    frame = result.actuals.set_index("source_file")
    assert not frame.loc["a_fix.csv", "superseded"] and frame.loc["z_first.csv", "superseded"]
    assert result.summary["accepted"] == 1 and result.summary["superseded"] == 1
    assert_identity(result)


def test_resubmission_tie_later_file_name_wins(tmp_path):
    write_csv(tmp_path / "raw" / "党建办_v1.csv", [row("K1.1.01", cumulative="40", date="2025-04-05")])
    write_csv(tmp_path / "raw" / "党建办_v2.csv", [row("K1.1.01", cumulative="45", date="2025-04-05")])
    write_csv(tmp_path / "raw" / "undated.csv", [row("K1.1.01", cumulative="50")])
    frame = run(tmp_path / "raw").actuals
    winner = frame[~frame["superseded"]]
    assert winner["source_file"].tolist() == ["党建办_v2.csv"] and winner["cumulative"].tolist() == [45]


def test_quarter_from_folder(tmp_path):
    write_csv(tmp_path / "raw" / "2025Q2" / "a.csv", [row("K1.1.01", quarter="", cumulative="5"), row("K1.1.02", quarter="2025Q1", cumulative="1")])
    frame = run(tmp_path / "raw").actuals.set_index("kpi_id")
    assert frame.loc["K1.1.01", "quarter"] == "2025Q2" and "quarter_from_folder" in frame.loc["K1.1.01", "flags"]
    assert frame.loc["K1.1.02", "quarter"] == "2025Q1" and "quarter_differs_from_folder" in frame.loc["K1.1.02", "flags"]


def test_instruction_sheet_and_empty_sheets_are_skipped(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "填报说明"
    wb.active.append(["1. 本表用于填报……"])
    wb.create_sheet("空白")
    data = wb.create_sheet("数据")
    data.append(HEADER)
    data.append(row("K1.1.01", cumulative="5"))
    (tmp_path / "raw").mkdir()
    wb.save(tmp_path / "raw" / "a.xlsx")
    result = run(tmp_path / "raw")
    assert result.summary["file_errors"] == [] and result.summary["files"][0]["sheets"] == ["数据"]
    assert result.actuals["source_sheet"].tolist() == ["数据"]


def test_skipped_rows(tmp_path):
    write_csv(
        tmp_path / "raw" / "a.csv",
        [row("K1.1.01", cumulative="5"), [""] * 11, HEADER, row("K1.1.02"), row("K1.1.02", cumulative="1"), ["审核人：李四"], ["备注：示例数据"], ["制表：王五"]],
        above=[["城东街道2025年第一季度重点工作完成情况（示例数据）"], []],
    )
    result = run(tmp_path / "raw")
    assert result.summary["skipped_by_kind"] == {"blank": 1, "footer": 3, "repeated_header": 1, "unfilled": 1}
    assert result.summary["rows_read"] == 2 and result.summary["accepted"] == 2


# --------------------------------------------------------------------------- formulas and bad files


def _formula_workbook(path: Path, cached: str | None) -> Path:
    """A workbook whose 累计完成 cell is a formula, with or without a cached value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["指标编号", "季度", "累计完成"])
    ws.append(["K1.1.01", "2025Q1", "=10+20"])
    ws.append(["K1.1.02", "2025Q1", 3])
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if cached is not None and info.filename == "xl/worksheets/sheet1.xml":
                # "<v />" without lxml, "<v></v>" with it (openpyxl writes with lxml when installed)
                data = re.sub(rb"<f>10\+20</f>(?:<v ?/>|<v></v>)", f"<f>10+20</f><v>{cached}</v>".encode(), data)
            dst.writestr(info, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def test_formula_with_cached_value_is_used(tmp_path):
    _formula_workbook(tmp_path / "raw" / "f.xlsx", "30")
    result = run(tmp_path / "raw")
    frame = result.actuals.set_index("kpi_id")
    assert frame.loc["K1.1.01", "cumulative"] == 30 and "formula_value" in frame.loc["K1.1.01", "flags"]
    assert result.rejects.empty and not result.summary["file_errors"]


def test_formula_without_cached_value_is_rejected_and_reported(tmp_path):
    _formula_workbook(tmp_path / "raw" / "f.xlsx", None)
    result = run(tmp_path / "raw")
    assert result.actuals["kpi_id"].tolist() == ["K1.1.02"]
    reject = result.rejects.iloc[0]
    assert (reject["reason"], reject["sheet"], reject["row"], reject["raw_value"]) == ("formula_without_value", "数据", 2, "=10+20")
    error = result.summary["file_errors"][0]
    assert (error["file"], error["sheet"], error["row"], error["reason"]) == ("f.xlsx", "数据", 2, "formula_without_value")
    assert_identity(result)


def test_bad_files_are_reported_and_others_still_ingest(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    write_csv(raw / "good.csv", [row("K1.1.01", cumulative="5")])
    (raw / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    (raw / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    write_csv(raw / "big.csv", [row("K1.1.02", cumulative="5")] * 1000)
    write_csv(raw / "noheader.csv", [["a", "b"], ["1", "2"]], header=None)
    wb = openpyxl.Workbook()
    wb.active.append(["just", "some", "text"])
    wb.create_sheet("说明").append(["ignored instructions"])
    wb.save(raw / "nohead.xlsx")
    (raw / "empty.csv").write_bytes(b"")
    (raw / "readme.md").write_text("not a submission", encoding="utf-8")
    (raw / "~$good.xlsx").write_bytes(b"lock file")
    monkeypatch.setattr("reportlib.actuals.files.MAX_FILE_BYTES", 15000)
    result = run(raw)
    errors = {(e["file"], e["reason"]) for e in result.summary["file_errors"]}
    assert errors == {
        ("corrupt.xlsx", "corrupt_file"), ("old.xls", "corrupt_file"), ("big.csv", "file_too_large"),
        ("noheader.csv", "no_header"), ("nohead.xlsx", "no_header"), ("empty.csv", "no_header"),
    }
    assert all(e["message"].startswith(f"文件「{e['file']}」") for e in result.summary["file_errors"])
    assert [e for e in result.summary["file_errors"] if e["file"] == "nohead.xlsx"][0]["sheet"] == "Sheet"
    assert result.actuals["kpi_id"].tolist() == ["K1.1.01"]
    assert result.summary["ignored_files"] == ["readme.md"]
    assert result.summary["files_failed"] == 3
    assert not result.clean


def test_missing_raw_folder_is_input_error(tmp_path):
    with pytest.raises(InputError):
        run(tmp_path / "nope")


# --------------------------------------------------------------------------- outputs


def _mixed_raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    write_csv(raw / "2025Q1" / "党建办.csv", [
        row("K1.1.01", cumulative="40", note="=HYPERLINK(\"http://x\")", unit_name="党建办", date="2025-04-05"),
        row("K4.1.02", state="推进中", note="+稳步推进"),
        row("K9.9.99", cumulative="-5"),
    ], encoding="gbk")
    write_csv(raw / "2025Q2" / "党建办.csv", [row("K1.1.01", quarter="2025Q2", increment="20", date="2025-07-05")], encoding="utf-8-sig")
    return raw


def test_outputs_contract_and_determinism(tmp_path):
    raw = _mixed_raw(tmp_path)
    out1, out2 = tmp_path / "out1", tmp_path / "out2"
    act.ingest(raw, out1, PLAN)
    act.ingest(raw, out2, PLAN)
    names = sorted(p.name for p in out1.iterdir())
    assert names == ["actuals.csv", "actuals.parquet", "derived.json", "details.csv", "details.parquet", "ingest_summary.json",
                     "rejects.csv", "rejects.parquet"]
    for name in names:
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes(), name
    frame = pd.read_parquet(out1 / "actuals.parquet")
    assert list(frame.columns) == act.ACTUALS_COLUMNS
    assert frame["source_row"].dtype == "int64" and frame["superseded"].dtype == bool and frame["cumulative"].dtype == "float64"
    assert frame["note"].tolist()[0] == '=HYPERLINK("http://x")'  # parquet keeps the text as given
    text = (out1 / "actuals.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+稳步推进" in text
    rejects = pd.read_csv(out1 / "rejects.csv", dtype=str, keep_default_na=False)
    assert list(rejects.columns) == act.REJECT_COLUMNS
    assert rejects["raw_value"].tolist() == ["K9.9.99"]
    summary = json.loads((out1 / "ingest_summary.json").read_text(encoding="utf-8"))
    for key in ("files_read", "rows_read", "accepted", "superseded", "rejected", "skipped", "by_reason", "file_errors"):
        assert key in summary
    assert summary["by_reason"] == {"unknown_kpi": 1}
    assert [f["encoding"] for f in summary["files"]] == ["gbk", "utf-8-sig"]
    assert not [p for p in out1.iterdir() if p.name.startswith(".")]  # no temp files left


def test_sorted_output(tmp_path):
    write_csv(tmp_path / "raw" / "b.csv", [row("K2.1.01", cumulative="1"), row("K1.1.01", cumulative="1")])
    write_csv(tmp_path / "raw" / "a.csv", [row("K1.1.02", quarter="2025Q2", cumulative="1"), row("K1.1.02", cumulative="1")])
    frame = run(tmp_path / "raw").actuals
    assert list(zip(frame["kpi_id"], frame["quarter"])) == [("K1.1.01", "2025Q1"), ("K1.1.02", "2025Q1"), ("K1.1.02", "2025Q2"), ("K2.1.01", "2025Q1")]


def test_load_actuals(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "a.csv", [row("K1.1.01", cumulative="40", date="2025-04-05")])
    write_csv(raw / "b.csv", [row("K1.1.01", cumulative="45", date="2025-04-06")])
    act.ingest(raw, tmp_path / "out", PLAN)
    assert act.load_actuals(tmp_path / "out")["cumulative"].tolist() == [45]
    assert len(act.load_actuals(tmp_path / "out", include_superseded=True)) == 2
    with pytest.raises(InputError):
        act.load_actuals(tmp_path / "empty")


# --------------------------------------------------------------------------- property: no row is lost

GOOD = [
    lambda q: row("K1.1.01", quarter=q, cumulative="12"),
    lambda q: row("", "增设网格驿站", quarter=q, cumulative="３"),
    lambda q: row("K2.1.01", quarter=q, cumulative="1.5", unit="万平方米"),
    lambda q: row("K3.1.02", quarter=q, cumulative="0.9"),
    lambda q: row("K4.1.02", quarter=q, state="推进中"),
    lambda q: row("K1.1.02", quarter=q, increment="1"),
]
BAD = [
    lambda q: row("K9.9.99", quarter=q, cumulative="1"),
    lambda q: row("K1.1.01", quarter=q, cumulative="很多"),
    lambda q: row("K2.1.02", quarter=q, cumulative="3", unit="家"),
    lambda q: row("K1.1.01", quarter="2025Q9", cumulative="1"),
    lambda q: row("", "开展培训", quarter=q, cumulative="1"),
    lambda q: row("K4.1.02", quarter=q, state="??"),
    lambda q: row("K1.1.01", quarter=q, cumulative="1", date="昨天"),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
            st.lists(st.tuples(st.booleans(), st.integers(0, 6), st.sampled_from(["2025Q1", "2025Q2", "2025Q3"])), min_size=1, max_size=12),
        ),
        min_size=1, max_size=4,
    )
)
def test_no_row_is_ever_lost(tmp_path_factory, files):
    raw = tmp_path_factory.mktemp("prop")
    expected: set[tuple[str, int]] = set()
    for number, (encoding, rows) in enumerate(files):
        name = f"f{number}.csv"
        data = [(GOOD if good else BAD)[pick % len(GOOD if good else BAD)](q) for good, pick, q in rows]
        write_csv(raw / name, data, encoding=encoding)
        expected |= {(name, line) for line in range(2, len(data) + 2)}
    result = run(raw)
    assert_identity(result)
    seen = list(zip(result.actuals["source_file"], result.actuals["source_row"])) + list(zip(result.rejects["file"], result.rejects["row"]))
    assert len(seen) == len(set(seen)), "a row appears twice"
    assert set(seen) == expected
    assert result.summary["rows_read"] == len(expected)


# --------------------------------------------------------------------------- CLI and bundled sample data


def _cli(argv: list[str]) -> int:
    return cli.main(argv)


def test_cli_ingest_exit_codes(tmp_path, capsys):
    raw = _mixed_raw(tmp_path)
    plan_file = write_plan_yaml(tmp_path / "plan.yaml")
    code = _cli(["ingest", "--raw", str(raw), "--out", str(tmp_path / "out"), "--plan", str(plan_file)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "采用 3" in printed and "拒收 1" in printed
    assert (tmp_path / "out" / "actuals.parquet").exists()
    code = _cli(["ingest", "--raw", str(raw), "--out", str(tmp_path / "out2"), "--plan", str(plan_file), "--strict"])
    assert code == EXIT_BAD_INPUT
    clean = tmp_path / "clean"
    write_csv(clean / "a.csv", [row("K1.1.01", cumulative="5")])
    assert _cli(["ingest", "--raw", str(clean), "--out", str(tmp_path / "out3"), "--plan", str(plan_file), "--strict"]) == 0


def write_plan_yaml(path: Path) -> Path:
    """The in-test plan as a plan YAML file (docs/data-contracts.md, "Plan file")."""
    import yaml

    kpis = []
    for record in PLAN.kpis.to_dict("records"):
        kpis.append({
            "id": record["kpi_id"], "pillar": record["pillar"], "task": record["task"], "name": record["name"],
            "kind": record["kind"], "target": record["target"] if record["kind"] != "milestone" else None,
            "unit": record["unit"] if record["kind"] != "milestone" else None, "comparator": record["comparator"],
            "period": "year", "schedule": None, "due_quarter": 4 if record["kind"] == "milestone" else None,
            "owner": record["owner"], "source_text": record["name"],
        })
    pillars = sorted({k["pillar"] for k in kpis})
    tasks = sorted({(k["pillar"], k["task"]) for k in kpis})
    document = {
        "year": 2025, "title": PLAN.title, "source": "test.txt",
        "pillars": [{"pillar": p, "title": f"支柱{p}", "tasks": [{"task": t, "title": f"任务{t}"} for pp, t in tasks if pp == p]} for p in pillars],
        "kpis": kpis,
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (path.parent / "test.txt").write_text("测试", encoding="utf-8")
    return path


SAMPLE_RAW = workspace.current().actuals_raw
# What the committed sample data (scripts/make_sample_actuals.py) must ingest to.
EXPECTED_SAMPLE_COUNTS = {
    "files_read": 20, "files_failed": 0, "rows_read": 314, "accepted": 304, "superseded": 2, "rejected": 7,
    "held": 1, "warned": 13, "confirmed": 0, "skipped": 39, "file_errors": [], "sample_data": True,
    "by_reason": {"bad_number": 1, "bad_quarter": 1, "bad_state": 1, "incompatible_unit": 1, "quarter_mismatch": 1, "unknown_kpi": 2},
}


def test_bundled_sample_data_ingests_via_cli(tmp_path, capsys):
    out = tmp_path / "out"
    assert _cli(["ingest", "--out", str(out)]) == 0  # default --raw data/raw/actuals, default plan
    assert "采用 304（其中有提示 13），暂缓采用（待核实）1" in capsys.readouterr().out
    summary = json.loads((out / "ingest_summary.json").read_text(encoding="utf-8"))
    assert {key: summary[key] for key in EXPECTED_SAMPLE_COUNTS} == EXPECTED_SAMPLE_COUNTS
    assert summary["rows_read"] == summary["accepted"] + summary["superseded"] + summary["held"] + summary["rejected"]
    assert {f["encoding"] for f in summary["files"]} == {"", "gbk", "utf-8-sig"}
    frame = act.load_actuals(out, include_superseded=True)
    assert set(frame["quarter"]) == {"2025Q1", "2025Q2", "2025Q3", "2025Q4"}
    flags = set(";".join(frame["flags"]).split(";"))
    assert {"derived_cumulative", "percent_as_fraction", "approximate", "unit_converted", "rate_from_increment"} <= flags
    superseded = frame[frame["superseded"]]
    assert set(superseded["source_file"]) == {"2025Q2/城市管理办_2025Q2_示例数据.xlsx"}
    # the unit that missed Q2 and the KPIs never reported
    assert not frame[(frame["quarter"] == "2025Q2") & (frame["reporting_unit"] == "社会事务办")].shape[0]
    assert not set(frame["kpi_id"]) & {"K2.5.03", "K4.3.08", "K5.3.05"}
    # milestones move forward: 未启动 -> 推进中 -> 已完成
    states = frame[(frame["kpi_id"] == "K1.1.05") & ~frame["superseded"]]["state"].tolist()
    assert states == sorted(states, key=act.STATE_ORDER.get) and states[-1] == "done"
    assert _cli(["ingest", "--out", str(tmp_path / "strict"), "--strict"]) == EXIT_BAD_INPUT


def test_sample_generator_reproduces_committed_files(tmp_path, monkeypatch):
    """scripts/make_sample_actuals.py is deterministic and the committed files are its output."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_sample_actuals", workspace.PROJECT_ROOT / "scripts" / "make_sample_actuals.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    made = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(SAMPLE_RAW).as_posix() for p in SAMPLE_RAW.rglob("*") if p.is_file())
    assert made == committed
    for name in made:
        assert (tmp_path / name).read_bytes() == (SAMPLE_RAW / name).read_bytes(), name


def test_ensure_ingested_only_when_inputs_change(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "a.csv", [row("K1.1.01", cumulative="5")], above=[["党建办一季度（示例数据）"]])
    assert act.ensure_ingested(PLAN, raw, out) is not None
    assert act.load_summary(out)["sample_data"] is True
    assert act.ensure_ingested(PLAN, raw, out) is None  # unchanged: nothing to do
    write_csv(raw / "b.csv", [row("K9.9.99", cumulative="5")])
    assert act.ensure_ingested(PLAN, raw, out) is not None
    assert act.load_rejects(out)["reason"].tolist() == ["unknown_kpi"]
    assert act.load_summary(tmp_path / "nothing") == {}
    assert list(act.load_rejects(tmp_path / "nothing").columns) == act.REJECT_COLUMNS
