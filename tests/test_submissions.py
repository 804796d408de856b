"""Issue 13: submissions as offices really send them – one test per numbered cause, each
from files of that kind (tests/fixtures/make_submissions.py; the LibreOffice-made ones are
committed), compared with the ground truth in its EXPECT table."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))

import make_submissions as ms  # noqa: E402
import measure_submissions as measure  # noqa: E402
from test_actuals import HEADER, PLAN, assert_identity, run, write_csv, row  # noqa: E402

from reportlib import actuals as act  # noqa: E402
from reportlib.quarters import parse_quarter, QuarterError  # noqa: E402


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """Every file set ingested alone: (results, comparison with the ground truth)."""
    return measure.run_all(tmp_path_factory.mktemp("issue13"), PLAN)


def result_for(ingested, rel: str):
    results, _ = ingested
    return next(r for r in results if any(f["file"] == rel for f in r.summary["files"] + r.summary["files_not_read"])
                or any(e["file"] == rel for e in r.summary["file_errors"]))


@pytest.mark.parametrize("cause", range(1, 16))
def test_each_cause_matches_the_truth(ingested, cause):
    _, found = ingested
    assert found["stats"][cause]["files"] >= 1
    assert found["problems"].get(cause, []) == []
    assert found["stats"][cause].get("wrong", 0) == 0 and found["stats"][cause].get("lost", 0) == 0


def test_whole_set_counts(ingested):
    results, found = ingested
    assert len(ms.EXPECT) >= 15 and not found["problems"]
    for result in results:
        s = result.summary
        assert s["rows_read"] == s["accepted"] + s["superseded"] + s["rejected"] + s["details"]


def test_cause_1_summary_sheet_is_the_figure_and_details_are_apart(ingested):
    rel = "2025Q3/c01_党建办_村居分表_汇总.xlsx"
    result = result_for(ingested, rel)
    assert set(result.actuals["source_sheet"]) == {"汇总"}
    assert sorted(set(result.details["community"])) == ["东坪村", "西冶社区"]
    assert "community" not in result.actuals.columns
    (mismatch,) = result.summary["community_mismatches"]
    assert (mismatch["kpi_id"], mismatch["summary_value"], mismatch["communities_total"]) == ("K2.1.01", 6000, 5000)
    none = result_for(ingested, "2025Q3/c01_城建办_村居分表_无汇总.xlsx")
    assert none.actuals.empty and "汇总" in none.summary["file_errors"][0]["message"]


def test_cause_1_details_are_stored_and_loaded(tmp_path):
    raw = tmp_path / "raw"
    ms.cause_1(raw)
    act.ingest(raw, tmp_path / "out", PLAN)
    details = act.load_details(tmp_path / "out")
    assert len(details) == 8 and set(details["community"]) == {"东坪村", "西冶社区"}
    assert len(act.load_actuals(tmp_path / "out")) == 2


def test_cause_2_ambiguous_columns_are_named(ingested):
    result = result_for(ingested, "2025Q3/c02_城建办_两列同义.xlsx")
    message = result.summary["file_errors"][0]["message"]
    assert "「累计完成」" in message and "「累计完成值」" in message
    chosen = result_for(ingested, "2025Q3/c02_党建办_两季累计列.xlsx")
    assert chosen.rejects.iloc[0]["column"] == "累计完成（二季度末）"


def test_cause_2_row_of_another_quarter_than_the_column(tmp_path):
    header = ["指标编号", "季度", "累计完成（二季度末）", "累计完成（三季度末）"]
    write_csv(tmp_path / "raw" / "2025Q3" / "a.csv", [["K1.1.01", "2025Q2", "60", "90"]], header=header)
    result = run(tmp_path / "raw")
    assert result.rejects["reason"].tolist() == ["column_quarter_mismatch"]


def test_cause_3_hidden_rows_are_counted(ingested):
    result = result_for(ingested, "2025Q3/c03_党建办_隐藏行隐藏表.xlsx")
    assert result.summary["skipped_by_kind"]["hidden_row"] == 1
    assert result.summary["hidden_rows"] == [{"file": "2025Q3/c03_党建办_隐藏行隐藏表.xlsx", "sheet": "三季度", "rows": [2]}]
    assert [e["sheet"] for e in result.summary["files_not_read"]] == ["二季度"]


def test_cause_4_conflict_is_listed_with_its_rule(ingested):
    result = result_for(ingested, "2025Q3/c04_城建办_三季度(1).xlsx")
    (conflict,) = result.summary["conflicts"]
    assert conflict["rule"] == "mtime" and conflict["chosen"]["value"] == 650 and conflict["others"][0]["value"] == 600
    assert "最后手段" in conflict["message"]


def test_cause_4_same_value_is_no_conflict(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [row("K1.1.01", cumulative="5", date="2025-04-05")])
    write_csv(tmp_path / "raw" / "a(1).csv", [row("K1.1.01", cumulative="5", date="2025-04-05")])
    assert run(tmp_path / "raw").summary["conflicts"] == []


def test_cause_6_no_link_leaves_the_raw_folder(ingested, tmp_path):
    result = result_for(ingested, "2025Q3/c06_链接.csv")
    assert result.actuals.empty and result.summary["file_errors"][0]["reason"] == "link_outside"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_csv(outside / "x.csv", [row("K1.1.01", cumulative="1")])
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "folder").symlink_to(outside, target_is_directory=True)
    result = run(raw)
    assert result.summary["rows_read"] == 0 and result.summary["file_errors"][0]["reason"] == "link_outside"


def test_cause_7_files_not_read_have_reasons(ingested):
    results, _ = ingested
    entries = {e["file"]: e for r in results for e in r.summary["files_not_read"]}
    assert entries["2024Q4/c07_去年四季度.csv"]["message"] == "属于 2024 年度（按该年度计划导入）"
    assert entries["2025Q3/.c07_隐藏.csv"]["reason"] == "dot_file"
    assert entries["2025Q3/..c07_两点.csv"]["reason"] == "dot_file"
    text = result_for(ingested, "2025Q3/c07_党建办_Unicode文本.txt")
    assert text.summary["files"][0]["encoding"].startswith("utf-16")


def test_other_year_folders_are_not_rejects_of_this_year(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "2026Q1" / "a.csv", [row("K1.1.01", quarter="2026Q1", cumulative="5")])
    write_csv(raw / "2026-Q2" / "b.csv", [row("K1.1.01", quarter="2026Q2", cumulative="7")])
    write_csv(raw / "2025Q4" / "old.csv", [row("K1.1.01", quarter="2025Q4", cumulative="170")])
    write_csv(raw / "loose.csv", [row("K1.1.01", quarter="2026Q2", cumulative="7", date="2026-07-01")])
    result = run(raw, plan=__import__("test_actuals").make_plan(2026))
    assert result.summary["rejected"] == 0 and result.summary["rows_read"] == 3
    assert result.summary["files_not_read"] == [{"file": "2025Q4/old.csv", "reason": "other_year", "message": "属于 2025 年度（按该年度计划导入）"}]


@pytest.mark.parametrize("text, quarter", [
    ("2025年1-6月", "2025Q2"), ("2025年1-9月", "2025Q3"), ("1-9月", "2025Q3"), ("2025-09", "2025Q3"), ("9月", "2025Q3"),
    ("三季度末", "2025Q3"), ("截至9月底", "2025Q3"), ("7-9月", "2025Q3"), ("2025年12月", "2025Q4"),
])
def test_cause_8_period_forms(text, quarter):
    assert parse_quarter(text, default_year=2025) == quarter


@pytest.mark.parametrize("text", ["8月", "2025-08", "4-9月", "13月"])
def test_cause_8_periods_that_are_no_quarter(text):
    with pytest.raises(QuarterError):
        parse_quarter(text, default_year=2025)


def test_cause_9_dates(ingested):
    result = result_for(ingested, "2025Q3/c09_党建办_日期写法.xlsx")
    dates = dict(zip(result.actuals["kpi_id"], result.actuals["report_date"]))
    assert dates == {"K1.1.01": "2025-10-09", "K1.1.02": "2025-10-09", "K2.1.01": "2025-10-09", "K2.1.02": "", "K5.1.02": ""}
    warnings = result.summary["row_warnings"]  # 下周一, and the 同上 below it
    assert [(w["row"], w["reason"], w["raw_value"]) for w in warnings] == [(5, "bad_date", "下周一"), (6, "bad_date", "下周一")]


def test_cause_9_same_as_above_without_a_row_above(tmp_path):
    for name in ("a.csv",):
        write_csv(tmp_path / "raw" / name, [row("K1.1.01", cumulative="5", date="同上")])
    result = run(tmp_path / "raw")
    assert "bad_date" in result.actuals["flags"][0]
    assert "把「同上」改为具体日期" in result.summary["row_warnings"][0]["message"]


def test_cause_9_q4_date_in_january(tmp_path):
    write_csv(tmp_path / "raw" / "a.csv", [row("K1.1.01", quarter="2025Q4", cumulative="5", date="1月9日")])
    assert run(tmp_path / "raw").actuals["report_date"].tolist() == ["2026-01-09"]


def test_cause_13_close_name_is_proposed_not_taken(ingested):
    result = result_for(ingested, "2025Q3/c13_党建办_名称近似.csv")
    assert "是否为 K1.1.02「增设网格驿站」？" in result.rejects.iloc[0]["message"]


def test_cause_14_renamed_file_is_read_by_content(ingested):
    result = result_for(ingested, "2025Q3/c14_党建办_改了扩展名.xlsx")
    assert result.summary["files"][0]["note"] == "这是 .xls 文件，扩展名写成了 .xlsx"
    assert not any("Error" in e["message"] or "Zip" in e["message"] for e in result.summary["file_errors"])


def test_cause_14_broken_files_say_what_to_do(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.xlsx").write_bytes(b"PK\x03\x04 broken")
    (raw / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (raw / "c.ods").write_bytes(b"not really")
    result = run(raw)
    messages = [e["message"] for e in result.summary["file_errors"]]
    assert len(messages) == 3 and all("请" in m for m in messages)
    assert not any(word in m for m in messages for word in ("BadZipFile", "Error", "Exception"))


def test_cause_15_reading_stops_at_the_data(tmp_path):
    path = ms.formatted_to_last_row(tmp_path / "raw" / "f.xlsx", data_rows=10, styled_rows=500)
    from reportlib.actuals.readers import read_xlsx_file

    (sheet,) = read_xlsx_file(path)
    assert len(sheet.rows) == 11
    result = run(tmp_path / "raw")
    assert result.summary["rows_read"] == 10
    assert_identity(result)


# --------------------------------------------------------------------------- property: no row is lost, over the new readers and layouts

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_actuals import BAD, GOOD  # noqa: E402

LAYOUTS = ["csv_gbk", "txt_utf16", "xlsx", "xlsx_hidden_rows", "villages"]


def write_layout(folder: Path, name: str, layout: str, data: list[list], hidden: set[int]) -> tuple[str, set[int], int]:
    """Write ``data`` in ``layout``; returns (file name, hidden 1-based rows, header row)."""
    import codecs

    if layout == "csv_gbk":
        write_csv(folder / f"{name}.csv", data, encoding="gbk")
        return f"{name}.csv", set(), 1
    if layout == "txt_utf16":
        ms.write_text(folder / f"{name}.txt", [HEADER] + data, encoding="utf-16-le", delimiter="\t", bom=codecs.BOM_UTF16_LE)
        return f"{name}.txt", set(), 1
    if layout == "villages":
        book = ms.workbook({"汇总": [HEADER] + data, "东坪村": [HEADER] + data})
        ms.save(book, folder / f"{name}.xlsx")
        return f"{name}.xlsx", set(), 1
    book = ms.workbook({"Sheet1": [HEADER] + data})
    rows = {r for r in hidden if 2 <= r <= len(data) + 1} if layout == "xlsx_hidden_rows" else set()
    for r in rows:
        book["Sheet1"].row_dimensions[r].hidden = True
    ms.save(book, folder / f"{name}.xlsx")
    return f"{name}.xlsx", rows, 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(LAYOUTS),
            st.lists(st.tuples(st.booleans(), st.integers(0, 6), st.sampled_from(["2025Q1", "2025Q2", "2025Q3"])), min_size=1, max_size=8),
            st.sets(st.integers(2, 9), max_size=3),
        ),
        min_size=1, max_size=4,
    )
)
def test_no_row_is_lost_over_readers_and_layouts(tmp_path_factory, files):
    raw = tmp_path_factory.mktemp("prop13")
    expected: set[tuple[str, str, int]] = set()
    hidden_count = 0
    for number, (layout, rows, hidden) in enumerate(files):
        data = [(GOOD if good else BAD)[pick % len(GOOD if good else BAD)](q) for good, pick, q in rows]
        name, hidden_rows, _ = write_layout(raw, f"f{number}", layout, data, hidden)
        sheets = ["汇总", "东坪村"] if layout == "villages" else (["Sheet1"] if name.endswith(".xlsx") else [""])
        for sheet in sheets:
            expected |= {(name, sheet, line) for line in range(2, len(data) + 2) if line not in hidden_rows}
        hidden_count += len(hidden_rows)
    result = run(raw)
    assert_identity(result)
    seen = (list(zip(result.actuals["source_file"], result.actuals["source_sheet"], result.actuals["source_row"]))
            + list(zip(result.rejects["file"], result.rejects["sheet"], result.rejects["row"]))
            + list(zip(result.details["source_file"], result.details["source_sheet"], result.details["source_row"])))
    assert len(seen) == len(set(seen)), "a row appears twice"
    assert set(seen) == expected
    assert result.summary["skipped_by_kind"].get("hidden_row", 0) == hidden_count


def test_data_quality_shows_conflicts_and_files_not_read(ingested, monkeypatch):
    import types

    from reportlib.report import present, sections

    shown: list[str] = []
    monkeypatch.setattr(present, "show_html", shown.append)
    conflict = result_for(ingested, "2025Q3/c04_城建办_三季度(1).xlsx")
    others = result_for(ingested, "2024Q4/c07_去年四季度.csv")
    from reportlib.actuals.files import not_read

    hidden = not_read("2025Q3/.临时副本.xlsx", "dot_file")
    summary = {**conflict.summary,
               "files_not_read": others.summary["files_not_read"] + conflict.summary["files_not_read"] + [hidden]}
    data = types.SimpleNamespace(actuals=conflict.actuals, rejects=conflict.rejects, file_errors=[], quarter="2025Q3",
                                 summary=summary)
    sections.data_quality(data)
    html = "".join(shown)
    assert "650（2025Q3/c04_城建办_三季度(1).xlsx）" in html and "600（2025Q3/c04_城建办_三季度.xlsx）" in html
    assert hidden["file"] in html and hidden["message"] in html
    # another year's file is that year's (its own ingest reads it): not listed in this year's report
    assert "2024Q4/c07_去年四季度.csv" not in html
    assert "同一填报日期有数值不同的报送" in html


def test_quarter_folders_may_be_written_with_a_hyphen():
    assert act.in_quarter_folder("2026-Q2/a.csv", "2026Q2") and act.in_quarter_folder("2026Q2/a.csv", "2026Q2")
    assert not act.in_quarter_folder("2026Q1/a.csv", "2026Q2")


def test_fingerprint_does_not_read_through_links(tmp_path):
    from reportlib.actuals.store import input_fingerprint

    raw, outside = tmp_path / "raw", tmp_path / "outside.csv"
    raw.mkdir()
    outside.write_text("a", encoding="utf-8")
    (raw / "link.csv").symlink_to(outside)
    before = input_fingerprint(raw, PLAN)
    outside.write_text("changed", encoding="utf-8")
    assert input_fingerprint(raw, PLAN) == before


def test_same_as_above_and_month_day_in_both_paths(tmp_path, monkeypatch):
    rows = [row("K1.1.01", cumulative="5", date="10月9日"), row("K1.1.02", cumulative="6", date="同上"), [""] * 11,
            row("K9.9.99", cumulative="1", date="2025-10-12"), row("K2.1.01", cumulative="7", date="同上"),
            row("K2.1.02", cumulative="8", date="〃")]
    write_csv(tmp_path / "raw" / "2025Q3" / "a.csv", [[c.replace("2025Q1", "2025Q3") for c in r] for r in rows])
    fast = run(tmp_path / "raw")
    monkeypatch.setattr(act.Ingest, "texts_in_bulk", False)
    slow = run(tmp_path / "raw")
    for result in (fast, slow):
        got = dict(zip(result.actuals["kpi_id"], zip(result.actuals["report_date"], result.actuals["flags"])))
        assert got["K1.1.01"][0] == "2025-10-09" and "date_year_from_quarter" in got["K1.1.01"][1]
        assert got["K1.1.02"][0] == "2025-10-09" and "date_same_as_above" in got["K1.1.02"][1]
        assert got["K2.1.01"][0] == "2025-10-12" and got["K2.1.02"][0] == "2025-10-12"  # the rejected row's date counts
    pd_cols = ["kpi_id", "report_date", "flags"]
    assert fast.actuals[pd_cols].equals(slow.actuals[pd_cols])
