"""Quarters and dates as departments write them.

Inside the package a quarter is always the string ``"2025Q3"`` (see
docs/data-contracts.md, "Quarters"). :func:`parse_quarter` turns the forms
found in submissions into that string:

* ``2025Q3``, ``2025-Q3``, ``2025 q3``, ``2025年Q3``
* ``2025年第三季度``, ``2025年3季度``, ``2025年第3季度``, ``2025年三季``
* ``三季度``, ``第3季度``, ``Q3``, a bare ``3`` (year taken from ``default_year``)
* dates ``2025-09-30``, ``2025/9/30``, ``2025.9.30``, ``2025年9月30日``,
  ``datetime``/``date`` objects -> the quarter the date falls in
* Excel serial day numbers (``45930`` or ``45930.0``) -> date -> quarter
* periods ending at a quarter's last month: ``2025年1-9月``, ``1-6月``, ``7-9月``,
  ``2025-09``, ``2025年9月``, ``9月``, ``截至9月底``, ``三季度末`` (the period must start
  in January or in that quarter's first month; another month, such as ``8月``, is no
  quarter and raises)

Full-width characters (``２０２５Ｑ３``) are folded first (NFKC).
Anything else raises :class:`QuarterError` (an ``InputError``).

:func:`parse_date` reads 填报日期-style dates (ISO, slashes, dots, Chinese,
Excel serial numbers, ``datetime`` objects) and is shared by the ingest code.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from reportlib.errors import InputError

# Excel's day zero: serial 1 is 1900-01-01, but Excel pretends 1900 was a leap
# year, so for every serial after 60 (all real-world dates) day zero is 1899-12-30.
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers accepted as dates: 1954-10-04 .. 2119-01-09. Anything outside
# is far more likely a mistyped figure than a date.
EXCEL_SERIAL_MIN = 20000
EXCEL_SERIAL_MAX = 80000

QUARTER_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")

# Digits as they appear in 第三季度 / 三季度.
_CN_QUARTER_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_YEAR_Q = re.compile(r"^(\d{4})\s*(?:年)?\s*[-_/.]?\s*(?:第)?\s*Q\s*([1-4])$")
_Q_ONLY = re.compile(r"^(?:第)?\s*Q\s*([1-4])$")
_Q_YEAR = re.compile(r"^Q\s*([1-4])\s*[-_/ ]?\s*(\d{4})$")
_YEAR_CN = re.compile(r"^(\d{4})\s*年?\s*[-_/]?\s*第?\s*([一二两三四1-4])\s*季(?:度)?$")
_CN_ONLY = re.compile(r"^第?\s*([一二两三四1-4])\s*季(?:度)?$")
_DATE = re.compile(
    r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
# 2025年1-9月, 1-6月, 截至9月底, 2025年9月, 9月份, 2025-09 (year and month only)
_PERIOD = re.compile(
    r"^(?:截至|截止|截止到|至)?\s*(?:(\d{4})\s*年?\s*)?(?:(\d{1,2})\s*月?\s*[-~～至到—–]\s*)?(\d{1,2})\s*月\s*(?:份|底|末|止)?(?:累计)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
# 10月9日 (a 填报日期 without its year)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


class QuarterError(InputError):
    """A quarter or date that cannot be read."""


def _fold(text: str) -> str:
    """NFKC-fold (full-width -> ASCII), trim, and upper-case Latin letters."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def make_quarter(year: int, index: int) -> str:
    """``make_quarter(2025, 3) -> "2025Q3"``; validates the index."""
    if index not in (1, 2, 3, 4):
        raise QuarterError(f"季度序号必须是1到4，而不是 {index}")
    return f"{int(year):04d}Q{index}"


def is_quarter(text: object) -> bool:
    """True when ``text`` is already a canonical quarter string such as ``"2025Q3"``."""
    return isinstance(text, str) and QUARTER_PATTERN.match(text) is not None


def _split(quarter: str) -> tuple[int, int]:
    """Return (year, index) of a canonical quarter string."""
    match = QUARTER_PATTERN.match(quarter) if isinstance(quarter, str) else None
    if not match:
        raise QuarterError(f"不是规范的季度写法（应为如 2025Q3）：{quarter!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_index(quarter: str) -> int:
    """``quarter_index("2025Q3") -> 3``."""
    return _split(quarter)[1]


def quarter_year(quarter: str) -> int:
    """``quarter_year("2025Q3") -> 2025``."""
    return _split(quarter)[0]


def previous_quarter(quarter: str) -> str:
    """The quarter before: ``2025Q3 -> 2025Q2``, ``2025Q1 -> 2024Q4``."""
    year, index = _split(quarter)
    return make_quarter(year - 1, 4) if index == 1 else make_quarter(year, index - 1)


def next_quarter(quarter: str) -> str:
    """The quarter after: ``2025Q4 -> 2026Q1``."""
    year, index = _split(quarter)
    return make_quarter(year + 1, 1) if index == 4 else make_quarter(year, index + 1)


def quarters_of_year(year: int) -> list[str]:
    """``quarters_of_year(2025) -> ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]``."""
    return [make_quarter(year, index) for index in (1, 2, 3, 4)]


def quarter_start_date(quarter: str) -> dt.date:
    """First day of the quarter: ``2025Q3 -> 2025-07-01``."""
    year, index = _split(quarter)
    return dt.date(year, 3 * index - 2, 1)


def quarter_end_date(quarter: str) -> dt.date:
    """Last day of the quarter: ``2025Q3 -> 2025-09-30``."""
    return quarter_start_date(next_quarter(quarter)) - dt.timedelta(days=1)


def quarter_of_date(day: dt.date) -> str:
    """The quarter a date falls in."""
    return make_quarter(day.year, (day.month - 1) // 3 + 1)


def quarter_label(quarter: str) -> str:
    """Chinese label: ``2025Q3 -> "2025年第三季度"``."""
    year, index = _split(quarter)
    return f"{year}年第{'一二三四'[index - 1]}季度"


def excel_serial_to_date(serial: float) -> dt.date:
    """Convert an Excel serial day number (1900 date system) to a date."""
    if isinstance(serial, bool) or not EXCEL_SERIAL_MIN <= float(serial) <= EXCEL_SERIAL_MAX:
        raise QuarterError(f"不是合理的 Excel 日期序号：{serial!r}")
    return EXCEL_EPOCH + dt.timedelta(days=int(float(serial)))


def parse_date(value: object) -> dt.date:
    """Read a date from a cell value: date/datetime, ISO / slash / dot / Chinese text, Excel serial.

    Raises :class:`QuarterError` when the value is not a recognisable calendar date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_serial_to_date(value)
    if not isinstance(value, str):
        raise QuarterError(f"无法识别的日期：{value!r}")
    text = _fold(value)
    if _SERIAL.match(text):
        return excel_serial_to_date(float(text))
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    if re.fullmatch(r"\d{8}", text):  # 20250930
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise QuarterError(f"无法识别的日期：{value!r}")


def parse_month_day(value: object, year: int) -> dt.date | None:
    """``10月9日`` in ``year``; None when the text is not of that form or no date."""
    if not isinstance(value, str):
        return None
    match = _MONTH_DAY.match(_fold(value))
    if not match:
        return None
    try:
        return dt.date(year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None


def _period_quarter(text: str, default_year: int | None, original: object) -> str | None:
    """The quarter a period like ``2025年1-9月`` or ``2025-09`` ends, None when not a period.

    Raises :class:`QuarterError` for a period that does not end at a quarter's end.
    """
    match = _PERIOD.match(text)
    if match:
        year_text, start_text, end_text = match.groups()
    else:
        match = _YEAR_MONTH.match(text)
        if not match:
            return None
        year_text, start_text, end_text = match.group(1), None, match.group(2)
    end = int(end_text)
    if not 1 <= end <= 12:
        return None
    if end % 3:
        raise QuarterError(f"「{original}」截至{end}月，不是季度末（3、6、9、12月）")
    index = end // 3
    if start_text is not None and int(start_text) not in (1, end - 2):
        raise QuarterError(f"「{original}」不是从1月或季度首月开始的期间")
    year = int(year_text) if year_text else _need_year(default_year, original)
    return make_quarter(year, index)


def _need_year(default_year: int | None, original: object) -> int:
    """Return the default year or explain that the text lacks a year."""
    if default_year is None:
        raise QuarterError(f"季度未写年份，且没有默认年份：{original!r}")
    return int(default_year)


def parse_quarter(value: object, default_year: int | None = None) -> str:
    """Parse a quarter in any common written form into ``"2025Q3"``.

    ``default_year`` supplies the year for forms without one (三季度, 第3季度, Q3).
    Raises :class:`QuarterError` for anything unrecognisable.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, 2, 3, 4):
        return make_quarter(_need_year(default_year, value), int(value))  # a bare 3 in a 季度 column
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return quarter_of_date(parse_date(value))
    if not isinstance(value, str) or not value.strip():
        raise QuarterError(f"无法识别的季度：{value!r}")
    text = _fold(value).replace("季度末", "季度")
    if text in ("1", "2", "3", "4"):
        return make_quarter(_need_year(default_year, value), int(text))
    match = _Q_YEAR.match(text)
    if match:  # Q3 2025
        return make_quarter(int(match.group(2)), int(match.group(1)))
    for pattern, has_year in ((_YEAR_Q, True), (_YEAR_CN, True), (_Q_ONLY, False), (_CN_ONLY, False)):
        match = pattern.match(text)
        if match:
            index = _CN_QUARTER_DIGITS[match.group(match.lastindex)]
            year = int(match.group(1)) if has_year else _need_year(default_year, value)
            return make_quarter(year, index)
    period = _period_quarter(text, default_year, value)
    if period is not None:
        return period
    try:
        return quarter_of_date(parse_date(text))
    except QuarterError:
        raise QuarterError(f"无法识别的季度：{value!r}") from None
