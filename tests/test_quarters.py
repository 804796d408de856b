"""Tests for reportlib.quarters."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportlib.errors import InputError
from reportlib.quarters import (
    QuarterError,
    excel_serial_to_date,
    is_quarter,
    make_quarter,
    next_quarter,
    parse_date,
    parse_quarter,
    previous_quarter,
    quarter_end_date,
    quarter_index,
    quarter_label,
    quarter_of_date,
    quarter_start_date,
    quarter_year,
    quarters_of_year,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025Q3", "2025Q3"),
        ("2025q3", "2025Q3"),
        ("2025-Q3", "2025Q3"),
        ("2025 Q3", "2025Q3"),
        ("2025年Q3", "2025Q3"),
        ("２０２５Ｑ３", "2025Q3"),
        ("Q3 2025", "2025Q3"),
        ("2025年第三季度", "2025Q3"),
        ("2025年3季度", "2025Q3"),
        ("2025年第3季度", "2025Q3"),
        ("2025年三季度", "2025Q3"),
        ("2025年第一季度", "2025Q1"),
        ("2025年第四季度末", "2025Q4"),
        (" 2025年第二季度 ", "2025Q2"),
        ("2025-09-30", "2025Q3"),
        ("2025/9/30", "2025Q3"),
        ("2025.6.30", "2025Q2"),
        ("2025年12月31日", "2025Q4"),
        ("2025-03-31 00:00:00", "2025Q1"),
        ("45930", "2025Q3"),  # Excel serial of 2025-09-30
    ],
)
def test_parse_quarter_forms_with_year(text, expected):
    assert parse_quarter(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("三季度", "2025Q3"), ("第3季度", "2025Q3"), ("第三季度", "2025Q3"), ("Q3", "2025Q3"), ("一季度", "2025Q1"), ("第４季度", "2025Q4"), ("3", "2025Q3"), (3, "2025Q3")],
)
def test_parse_quarter_forms_needing_default_year(text, expected):
    assert parse_quarter(text, default_year=2025) == expected
    with pytest.raises(QuarterError):
        parse_quarter(text)


@pytest.mark.parametrize(
    "value, expected",
    [(dt.date(2025, 9, 30), "2025Q3"), (dt.datetime(2025, 4, 1, 8, 0), "2025Q2"), (45930, "2025Q3"), (45930.5, "2025Q3"), (45658.0, "2025Q1")],
)
def test_parse_quarter_dates_and_serials(value, expected):
    assert parse_quarter(value) == expected


@pytest.mark.parametrize("text", ["", "2025Q5", "第五季度", "Q0", "二〇二五", "明年", "2025", "2025-13-01", None, True, 12])
def test_parse_quarter_rejects(text):
    with pytest.raises(QuarterError):
        parse_quarter(text, default_year=2025)


def test_quarter_error_is_input_error():
    assert issubclass(QuarterError, InputError)


def test_arithmetic():
    assert quarter_index("2025Q3") == 3
    assert quarter_year("2025Q3") == 2025
    assert previous_quarter("2025Q3") == "2025Q2"
    assert previous_quarter("2025Q1") == "2024Q4"
    assert next_quarter("2025Q4") == "2026Q1"
    assert quarters_of_year(2025) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert quarter_end_date("2025Q1") == dt.date(2025, 3, 31)
    assert quarter_end_date("2025Q4") == dt.date(2025, 12, 31)
    assert quarter_start_date("2025Q3") == dt.date(2025, 7, 1)
    assert quarter_label("2025Q3") == "2025年第三季度"
    assert is_quarter("2025Q3") and not is_quarter("2025-Q3")
    with pytest.raises(QuarterError):
        quarter_index("2025-Q3")
    with pytest.raises(QuarterError):
        make_quarter(2025, 5)


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_quarter_of_date_round_trips(day):
    quarter = quarter_of_date(day)
    assert quarter_start_date(quarter) <= day <= quarter_end_date(quarter)
    assert parse_quarter(day.isoformat()) == quarter
    assert parse_quarter(f"{day.year}/{day.month}/{day.day}") == quarter
    assert next_quarter(previous_quarter(quarter)) == quarter


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-07-08", dt.date(2025, 7, 8)),
        ("2025/7/8", dt.date(2025, 7, 8)),
        ("2025.07.08", dt.date(2025, 7, 8)),
        ("2025年7月8日", dt.date(2025, 7, 8)),
        ("２０２５－０７－０８", dt.date(2025, 7, 8)),
        ("20250708", dt.date(2025, 7, 8)),
        (45846, dt.date(2025, 7, 8)),
        ("45846", dt.date(2025, 7, 8)),
        (dt.datetime(2025, 7, 8, 9, 30), dt.date(2025, 7, 8)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2025-02-30", "下周", "7/8", 12, 1e9, ""])
def test_parse_date_rejects(value):
    with pytest.raises(QuarterError):
        parse_date(value)


def test_excel_serial_epoch():
    assert excel_serial_to_date(45658) == dt.date(2025, 1, 1)
