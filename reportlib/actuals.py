"""Quarterly actuals: read department submissions into ``data/processed/actuals.*``.

``reportlib ingest`` reads every submission under ``data/raw/actuals`` (recursively),
checks each row against the plan and writes, atomically and deterministically:

* ``actuals.parquet`` / ``actuals.csv`` – accepted and superseded rows (columns in
  docs/data-contracts.md, "Actuals table");
* ``rejects.parquet`` / ``rejects.csv`` – file, sheet, row, column, raw_value, reason, message;
* ``ingest_summary.json`` – the contract's files_read, rows_read, accepted, superseded,
  rejected, skipped, by_reason, file_errors (each with a ``reason`` code too), plus
  files_failed, skipped_by_kind, sample_data (any file says 示例数据), files (format,
  detected encoding, sheets, rows per file), ignored_files and inputs_sha256 (what
  :func:`ensure_ingested` compares to skip an unchanged re-ingest).

Every non-blank data row read ends up exactly once as accepted, superseded or
rejected: ``rows_read == accepted + superseded + rejected``. Blank rows, footer rows
(填表人/审核人/制表/备注 …), repeated header rows and template rows left entirely
unfilled are counted in ``skipped`` and are not data rows.

Rules (README-ready):

Files
    ``.xlsx``/``.xlsm`` (every worksheet except an instructions sheet named 填报说明/说明)
    and ``.csv``. CSV encoding is detected, never assumed: BOM (UTF-8 / UTF-16) → strict
    UTF-8 → strict GB18030 (covers GBK) → charset-normalizer's best guess. Files over
    ``MAX_FILE_BYTES``, corrupt files, ``.xls`` and sheets without a recognisable header
    are reported in ``file_errors``; the other files still ingest. Office lock files
    (``~$…``) and hidden files are ignored; other file types are listed under
    ``ignored_files``.
Header
    The first ``HEADER_SCAN_ROWS`` rows are scanned; the row matching the most known
    headers (``HEADER_ALIASES``: Chinese, English, with spaces, full-width or
    parenthesised variants such as 累计完成值 or 本季度完成(增量)) is the header, so
    title rows and merged title cells above it are passed over. A unit in the header's
    brackets, e.g. 累计完成(万平方米), is used for cells without a unit of their own.
KPI
    By 指标编号 when given (``1.1.02`` is read as ``K1.1.02``); otherwise by 指标名称,
    first exactly, then normalised (spaces, punctuation and quote styles removed). An
    unknown or ambiguous name is a reject, never a guess. When both are given the id wins
    and a differing name is flagged ``name_mismatch``.
Numbers
    Through :mod:`reportlib.units`: full-width digits, thousands separators, Chinese
    numerals, 万/亿, units (in the cell, the 单位 column or the header) converted to the
    plan's unit (万平方米 → 平方米); an incompatible unit is a reject. 约/余/近/左右/以上
    (any comparator word) set ``approximate``.
Percent rule
    For a KPI whose plan unit is ``%``: a figure written with a percent sign is taken
    as percent points ("95%" → 95); a bare number whose absolute value is ≤ 1.0 is a
    fraction and multiplied by 100 (0.95 → 95, flagged ``percent_as_fraction``; 0 stays
    0); a bare number above 1 is taken as percent points (95 → 95).
Milestones
    完成情况: 已完成/完成/完工 → ``done``; 推进中/进行中/正在推进 → ``in_progress``;
    未启动/未开始 → ``not_started`` (``STATE_WORDS``). Other KPIs keep ``state`` = "".
Quarter and date
    Any form :func:`reportlib.quarters.parse_quarter` reads; a blank 季度 falls back to a
    folder named like ``2025Q3`` (flag ``quarter_from_folder``); a quarter of another
    year than the plan's is ``quarter_mismatch``; a quarter differing from its folder is
    accepted and flagged ``quarter_differs_from_folder``. 填报日期 may be an Excel date,
    an Excel serial number or text.
Derived figures
    With only 本季度完成, the cumulative figure is the previous quarter's effective
    cumulative figure (reported or itself derived – for increments-only submitters that
    is the sum of this file set's increments) plus this increment, flagged
    ``derived_cumulative``; Q1's cumulative is its increment. **If the previous quarter
    has no accepted row the row is rejected with ``missing_prior_quarter``** (a guess
    would understate progress). With only 累计完成 the increment is derived the same way
    (``derived_increment``); when it cannot be (previous quarter missing) it stays NaN.
    Rate and growth-rate KPIs (and zero targets in %) are point-in-time: the figure
    given is the value, an increment-only figure is used as the value
    (``rate_from_increment``), nothing is summed or derived.
Supersession
    Several accepted rows for one KPI and quarter: the latest 填报日期 wins (a blank
    date counts as earliest), ties broken by file name, then relative path (the later
    wins). The others stay in the table with ``superseded=True``. The same KPI and
    quarter twice in one file: the first row is kept, later ones are rejected
    ``duplicate_in_file``.
Checks
    A cumulative figure lower than the latest earlier quarter's is flagged
    ``cumulative_fell`` (not for point-in-time KPIs); a milestone moving back is
    ``state_regressed``; an increment that disagrees with the change in cumulative
    figures is ``increment_inconsistent``.
Formulas
    Never evaluated. Workbooks are opened twice (cached values and formulas); a formula
    with a cached value is used and flagged ``formula_value``; one without a cached value
    is rejected (``formula_without_value``) and listed in ``file_errors``.
Rows
    A row is skipped (counted in ``skipped``, not in ``rows_read``) when it is blank, a
    footer (first cell starts with 填表人/审核人/制表/备注/合计 …, ``FOOTER_PREFIXES``), a
    repeated header, or a template row left unfilled (累计完成, 本季度完成, 完成情况 and
    进展说明 all blank: the KPI was not reported). Every other row is a data row. One
    reject per row: the first problem found, in the order KPI, quarter, figures or state,
    date. Other flags: ``unit_converted`` (the 单位 column or header held a multiple such
    as 万平方米, or the figure was converted from another unit), ``name_mismatch`` (id
    and name disagree; the id wins).
Untrusted text
    进展说明 and every other submitted text is untrusted: stored as given in the parquet
    table, neutralised with :func:`neutralize` in every CSV written, and must be
    HTML-escaped by anything that renders it.

Implementation (for 1 000 000 rows in seconds and well under 1 GB): workbooks are parsed
row by row (:class:`RowParser`); CSV sheets, whose cells are all text, go through
:class:`TextSheetParser`, which applies the same RowParser rules once per distinct cell
value (or KPI/name pair) and memoises the answer; accepted rows are kept column by
column (:class:`Batch`) and resolved with numpy per KPI and quarter (:meth:`Ingest.resolve`).
``tests/test_fast_paths.py`` checks that both paths give the same tables.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import math
import os
import re
import sys
import tempfile
import unicodedata
import warnings
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import numpy as np
import pandas as pd

from reportlib import paths
from reportlib.encoding import UndecodableError, decode as decode_text
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from reportlib.quarters import (
    QUARTER_PATTERN,
    QuarterError,
    parse_date,
    parse_quarter,
    previous_quarter,
    quarter_index,
    quarter_label,
    quarter_year,
)
from reportlib.units import UnitError, canonical_unit, convert, parse_number, parse_quantity

# --------------------------------------------------------------------------- constants

MAX_FILE_BYTES = 20 * 1024 * 1024
HEADER_SCAN_ROWS = 15
MIN_HEADER_FIELDS = 3
CSV_DELIMITERS = (",", "\t", ";")
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm")
CSV_EXTENSIONS = (".csv",)
UNSUPPORTED_EXTENSIONS = (".xls", ".et", ".ods", ".numbers", ".xlsb")
INSTRUCTION_SHEET_NAMES = ("填报说明", "说明", "instructions", "readme")
FOOTER_PREFIXES = (
    "填表人", "填报人", "审核人", "审核", "制表", "备注", "注:", "说明:", "单位负责人",
    "负责人", "联系电话", "合计", "总计", "小计",
)
# A given increment may differ from the change in cumulative figures by this much.
INCREMENT_TOLERANCE = 0.01
PERCENT_UNIT = "%"
PERCENT_UNIT_WORDS = ("百分比", "百分率")  # written in 单位 for %
BLANK_UNIT_TEXTS = ("", "-", "—", "/", "无")  # a 单位 cell saying "no unit"
PERCENT_DIGITS = 10  # rounding after fraction -> percent points
POINT_IN_TIME_KINDS = ("rate", "growth_rate")
MILESTONE_KIND = "milestone"
ZERO_TARGET_KIND = "zero_target"
FORMULA_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Words allowed around a figure written as text (约120 is fine, 见附件3 is not a number).
FIGURE_FILLER_WORDS = ("累计完成", "累计", "完成", "共计", "合计", "共", "超过", "不少于", "达到", "达")

OUTPUT_FILE_MODE = 0o644
ACTUALS_FILE = "actuals"
REJECTS_FILE = "rejects"
SUMMARY_FILE = "ingest_summary.json"
# Sample submissions say so in their file name, a title row or a footer.
SAMPLE_MARKER = "示例数据"
# Bump when the output format changes, so ensure_ingested re-ingests.
INGEST_FORMAT_VERSION = 1
# Modules whose code decides the ingest's output (part of the input fingerprint).
INGEST_CODE_MODULES = ("actuals.py", "units.py", "quarters.py")

ACTUALS_COLUMNS = [
    "kpi_id", "quarter", "cumulative", "increment", "state", "approximate", "note",
    "reporting_unit", "reporter", "report_date", "source_file", "source_sheet",
    "source_row", "superseded", "flags",
]
REJECT_COLUMNS = ["file", "sheet", "row", "column", "raw_value", "reason", "message"]

# Field -> header spellings. Matched after normalisation (NFKC, lower case, no spaces,
# underscores, hyphens or asterisks); see _header_key.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "kpi_id": ("指标编号", "编号", "指标id", "指标代码", "kpi编号", "kpi_id", "kpiid", "id", "kpi"),
    "name": ("指标名称", "名称", "指标", "指标内容", "kpi名称", "name", "kpi_name"),
    "quarter": ("季度", "填报季度", "所属季度", "统计季度", "quarter"),
    "cumulative": (
        "累计完成", "累计完成值", "累计完成数", "累计完成量", "累计", "年度累计完成",
        "截至本季度累计完成", "cumulative", "ytd",
    ),
    "increment": (
        "本季度完成", "本季度完成值", "本季度完成数", "本季完成", "当季完成", "季度完成",
        "本期完成", "本季度新增", "increment",
    ),
    "unit": ("单位", "计量单位", "unit"),
    "state": ("完成情况", "完成状态", "进展状态", "状态", "state", "status"),
    "note": ("进展说明", "进展情况", "进展", "情况说明", "说明", "备注", "note", "notes", "remark"),
    "reporting_unit": ("填报单位", "责任单位", "单位名称", "报送单位", "reporting_unit", "department", "dept"),
    "reporter": ("填报人", "联系人", "reporter"),
    "report_date": ("填报日期", "填报时间", "报送日期", "日期", "report_date", "date"),
}
FIELD_LABELS = {
    "kpi_id": "指标编号", "name": "指标名称", "quarter": "季度", "cumulative": "累计完成",
    "increment": "本季度完成", "unit": "单位", "state": "完成情况", "note": "进展说明",
    "reporting_unit": "填报单位", "reporter": "填报人", "report_date": "填报日期",
}
MIN_PREFIX_ALIAS = 3  # aliases shorter than this only match a header exactly

STATE_WORDS: dict[str, str] = {
    **dict.fromkeys(("已完成", "完成", "完工", "已完工", "竣工", "已竣工", "done", "completed", "complete"), "done"),
    **dict.fromkeys(
        ("推进中", "进行中", "正在推进", "实施中", "正在实施", "在建", "已启动", "inprogress", "ongoing"),
        "in_progress",
    ),
    **dict.fromkeys(("未启动", "未开始", "尚未启动", "尚未开始", "notstarted"), "not_started"),
}
STATE_LABELS = {"done": "已完成", "in_progress": "推进中", "not_started": "未启动"}
STATE_ORDER = {"not_started": 0, "in_progress": 1, "done": 2}

# Reason code -> what it means, in words an analyst understands.
REASONS: dict[str, str] = {
    "unknown_kpi": "工作计划中没有这个指标",
    "ambiguous_name": "指标名称对应多个指标，无法确定是哪一个，请填写指标编号",
    "bad_number": "不是可识别的数字",
    "incompatible_unit": "单位无法换算为计划中的单位",
    "bad_quarter": "无法识别的季度",
    "quarter_mismatch": "季度不属于本计划年度",
    "missing_value": "缺少必填内容",
    "bad_state": "完成情况应填写 已完成、推进中 或 未启动",
    "bad_date": "无法识别的填报日期",
    "formula_without_value": "单元格是公式但没有保存计算结果（本工具不计算公式），请在 Excel 中打开、保存后重新提交，或直接填写数值",
    "duplicate_in_file": "同一文件中重复填报了同一指标同一季度",
    "missing_prior_quarter": "只填写了本季度完成，但缺少上一季度的数据，无法推算累计完成",
}
FILE_ERRORS: dict[str, str] = {
    "file_too_large": "文件超过大小上限",
    "corrupt_file": "文件损坏或无法打开",
    "unsupported_format": "不支持的文件格式，请另存为 .xlsx 或 .csv",
    "undecodable": "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）",
    "no_header": "找不到表头行（应包含 指标编号/指标名称、季度、累计完成 等列）",
    "formula_without_value": REASONS["formula_without_value"],
}


# --------------------------------------------------------------------------- small helpers


def neutralize(text: Any) -> Any:
    """Defuse spreadsheet formula injection: prefix ``'`` to text starting with = + - @ tab or CR.

    Non-strings are returned unchanged, so it can be mapped over any column.
    """
    if isinstance(text, str) and text.startswith(FORMULA_INJECTION_PREFIXES):
        return "'" + text
    return text


def _fold(text: str) -> str:
    """NFKC-fold text (full-width → ASCII) and trim it."""
    return unicodedata.normalize("NFKC", text).strip()


def _is_blank(value: Any) -> bool:
    """True for None and whitespace-only text."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell value as display text: integral floats without ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip()


def _header_key(text: str) -> str:
    """Normalise a header cell for alias matching."""
    folded = _fold(text).lower()
    return re.sub(r"[\s_\-*＊:：]", "", folded)


_ALIAS_KEYS: dict[str, str] = {
    _header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases
}
_BRACKETS = re.compile(r"[(\[【〔]([^)\]】〕]*)[)\]】〕]")


def match_header(text: Any) -> tuple[str, int, str] | None:
    """Map one header cell to ``(field, quality, bracket_text)`` or None.

    Quality 3: exact alias; 2: alias after dropping bracketed parts
    (本季度完成(增量)); 1: the header starts with an alias of at least
    ``MIN_PREFIX_ALIAS`` characters (累计完成值). ``bracket_text`` is what the brackets held
    (possibly a unit).

    Every cell of every row is looked at (header search, repeated headers), and the
    same short texts recur on every row, so their answers are cached.
    """
    if not isinstance(text, str):
        return None
    try:
        return _HEADER_CACHE[text]
    except KeyError:
        pass
    found = _match_header_text(text) if text.strip() else None
    if len(text) <= _CACHED_HEADER_TEXT:
        if len(_HEADER_CACHE) >= _HEADER_CACHE_SIZE:
            _HEADER_CACHE.clear()
        _HEADER_CACHE[text] = found
    return found


_HEADER_CACHE: dict[str, tuple[str, int, str] | None] = {}
_UNCACHED = object()
_HEADER_CACHE_SIZE = 1 << 16
_CACHED_HEADER_TEXT = 64  # longer texts (whole lines split on the wrong delimiter) rarely recur
_LONGEST_ALIAS = max(len(key) for key in _ALIAS_KEYS)


def _match_header_text(text: str) -> tuple[str, int, str] | None:
    """:func:`match_header` of a non-blank text."""
    key = _header_key(text)
    if key in _ALIAS_KEYS:
        return _ALIAS_KEYS[key], 3, ""
    folded = _fold(text)
    brackets = " ".join(m.group(1).strip() for m in _BRACKETS.finditer(folded))
    stripped = _header_key(_BRACKETS.sub("", folded))
    if stripped in _ALIAS_KEYS:
        return _ALIAS_KEYS[stripped], 2, brackets
    # the longest alias (of at least MIN_PREFIX_ALIAS characters) the text starts with
    for length in range(min(len(stripped), _LONGEST_ALIAS), MIN_PREFIX_ALIAS - 1, -1):
        name = _ALIAS_KEYS.get(stripped[:length])
        if name is not None:
            return name, 1, brackets
    return None



def normalize_name(text: str) -> str:
    """Name key for KPI matching: NFKC, lower case, no whitespace, punctuation or quotes."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if not unicodedata.category(ch)[0] in "PZC")


def normalize_kpi_id(text: str) -> str:
    """Canonical KPI id spelling: ``k1.1.02`` / ``１.１.０２`` -> ``K1.1.02``."""
    key = re.sub(r"\s", "", _fold(text)).upper()
    if re.fullmatch(r"\d+\.\d+\.\d+", key):
        key = "K" + key
    return key


def parse_state(value: Any) -> str | None:
    """Milestone state code from 完成情况 text, or None when unrecognised."""
    key = re.sub(r"[\s_\-]", "", _fold(cell_text(value)).lower())
    return STATE_WORDS.get(key)


def _rel(path: Path, root: Path) -> str:
    """Path relative to the raw root, with forward slashes."""
    return path.relative_to(root).as_posix()


def _folder_quarter(rel_path: str) -> str | None:
    """Quarter named by a folder in the path (``2025Q3`` or ``2025-Q3``), else None."""
    for part in reversed(PurePosixPath(rel_path).parts[:-1]):
        candidate = part.upper().replace("-", "")
        if QUARTER_PATTERN.match(candidate):
            return candidate
    return None


# --------------------------------------------------------------------------- records


@dataclass
class Reject:
    """One rejected data row."""

    file: str
    sheet: str
    row: int
    column: str
    raw_value: str
    reason: str
    message: str


@dataclass
class FileError:
    """A problem with a whole file or sheet (or a cell that spoils its row)."""

    file: str
    sheet: str
    row: int | None
    reason: str
    message: str

    def as_dict(self) -> dict:
        """JSON form for ingest_summary.json."""
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "reason": self.reason, "message": self.message}


@dataclass
class Candidate:
    """A row that passed the row-level checks; resolution decides its fate."""

    kpi_id: str
    kind: str
    point_in_time: bool
    quarter: str
    cumulative: float | None
    increment: float | None
    state: str
    approximate: bool
    note: str
    reporting_unit: str
    reporter: str
    report_date: str
    source_file: str
    source_sheet: str
    source_row: int
    flags: set[str] = field(default_factory=set)
    superseded: bool = False
    increment_column: str = ""
    increment_raw: str = ""

    def precedence(self) -> tuple:
        """Sort key: the largest wins among rows for the same KPI and quarter."""
        return (self.report_date, PurePosixPath(self.source_file).name, self.source_file, self.source_sheet, self.source_row)

    def as_row(self) -> dict:
        """Row of the actuals table."""
        return {
            "kpi_id": self.kpi_id, "quarter": self.quarter,
            "cumulative": math.nan if self.cumulative is None else float(self.cumulative),
            "increment": math.nan if self.increment is None else float(self.increment),
            "state": self.state, "approximate": bool(self.approximate), "note": self.note,
            "reporting_unit": self.reporting_unit, "reporter": self.reporter,
            "report_date": self.report_date, "source_file": self.source_file,
            "source_sheet": self.source_sheet, "source_row": int(self.source_row),
            "superseded": bool(self.superseded), "flags": ";".join(sorted(self.flags)),
        }


class RowReject(Exception):
    """Raised inside row parsing; becomes a :class:`Reject`."""

    def __init__(self, reason: str, column: str, raw: Any, detail: str = ""):
        super().__init__(reason)
        self.reason, self.column, self.raw, self.detail = reason, column, raw, detail


def describe(file: str, sheet: str, row: int | None, column: str, raw: str, reason: str, detail: str = "") -> str:
    """Chinese message naming file, sheet, row, column and value."""
    where = f"文件「{file}」"
    if sheet:
        where += f"工作表「{sheet}」"
    if row:
        where += f"第{row}行"
    if column:
        where += f"「{column}」列"
    value = f"的值「{raw}」" if raw != "" else "为空"
    explanation = REASONS.get(reason) or FILE_ERRORS.get(reason) or reason
    return f"{where}{value}：{explanation}" + (f"（{detail}）" if detail else "")


# --------------------------------------------------------------------------- the plan's KPIs


class KpiIndex:
    """Look KPIs up by id or name; holds kind and unit per KPI."""

    def __init__(self, kpis: pd.DataFrame):
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_key: dict[str, list[str]] = defaultdict(list)
        for record in kpis.to_dict("records"):
            kpi_id = str(record["kpi_id"])
            self.by_id[kpi_id] = record
            name = str(record.get("name") or "")
            self.by_name[name.strip()].append(kpi_id)
            self.by_key[normalize_name(name)].append(kpi_id)

    def resolve(self, kpi_id_text: str, name_text: str, labels: dict[str, str] | None = None) -> tuple[str, set[str]]:
        """Return ``(kpi_id, flags)`` or raise :class:`RowReject` (``labels``: column names as written)."""
        labels = {**FIELD_LABELS, **(labels or {})}
        if kpi_id_text:
            kpi_id = normalize_kpi_id(kpi_id_text)
            if kpi_id not in self.by_id:
                raise RowReject("unknown_kpi", labels["kpi_id"], kpi_id_text)
            flags = set()
            if name_text and normalize_name(name_text) != normalize_name(str(self.by_id[kpi_id].get("name") or "")):
                flags.add("name_mismatch")
            return kpi_id, flags
        if not name_text:
            raise RowReject("missing_value", labels["kpi_id"], "", "指标编号和指标名称都未填写")
        for candidates in (self.by_name.get(name_text.strip(), []), self.by_key.get(normalize_name(name_text), [])):
            unique = sorted(set(candidates))
            if len(unique) == 1:
                return unique[0], set()
            if len(unique) > 1:
                raise RowReject("ambiguous_name", labels["name"], name_text, "可能是 " + "、".join(unique))
        raise RowReject("unknown_kpi", labels["name"], name_text)


# --------------------------------------------------------------------------- reading files


@dataclass
class Sheet:
    """Raw rows of one worksheet (or a CSV file)."""

    name: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based row, 0-based col
    scanned: bool = False  # find_header already ran on these rows (CSV: while choosing the delimiter) ...
    found: Any = None  # ... and found this


@dataclass
class FileInfo:
    """What was learned about one file while reading it."""

    file: str
    format: str
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    sample: bool = False  # file name, a title row or a footer says SAMPLE_MARKER


class FileProblem(Exception):
    """A whole file cannot be read."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes, detecting the encoding (reportlib.encoding's order).

    Returns ``(text, encoding_label)``; raises :class:`FileProblem` when nothing fits.
    """
    try:
        decoded = decode_text(data)
    except UndecodableError as exc:
        raise FileProblem("undecodable", str(exc)) from None
    return decoded.text, decoded.encoding


def read_csv_file(path: Path) -> tuple[list[Sheet], str]:
    """Read a CSV submission into one :class:`Sheet`; returns it with the encoding used."""
    return read_csv_bytes(path.read_bytes())


def read_csv_bytes(data: bytes) -> tuple[list[Sheet], str]:
    """:func:`read_csv_file` of a file's bytes."""
    text, encoding = decode_bytes(data)
    if "\x00" in text:
        raise FileProblem("corrupt_file", "不是文本文件")
    best_delimiter, best_score, best_header = CSV_DELIMITERS[0], -1, None
    for delimiter in CSV_DELIMITERS:
        if delimiter not in text:
            header = None  # one cell per row: no header can be found (it needs MIN_HEADER_FIELDS cells)
        else:
            # find_header looks at the first HEADER_SCAN_ROWS rows and the one below them
            head = list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_SCAN_ROWS + 1))
            header = find_header(head)
        score = len(header[1]) if header else 0
        if score > best_score:
            best_delimiter, best_score, best_header = delimiter, score, header
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=best_delimiter))
    return [Sheet("", rows, scanned=True, found=best_header)], encoding


def fill_merged_down(rows: list[list[Any]], ranges: Iterable) -> None:
    """Copy each merged range's value down its first column (a 季度 or 填报单位 cell merged
    over many rows applies to each of them). Horizontal spans keep only their first cell."""
    for cell_range in ranges:
        col = cell_range.min_col - 1
        top = cell_range.min_row - 1
        if top >= len(rows) or col >= len(rows[top]):
            continue
        for index in range(top + 1, min(cell_range.max_row, len(rows))):
            if col < len(rows[index]):
                rows[index][col] = rows[top][col]


def read_xlsx_file(path: Path) -> list[Sheet]:
    """Read every worksheet's cached values, and where formulas are, without evaluating any.

    The workbook is opened twice: ``data_only=True`` for the values Excel cached and
    ``data_only=False`` to see which cells hold formulas. Vertically merged cells are
    filled down (:func:`fill_merged_down`).
    """
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            values_book = openpyxl.load_workbook(path, data_only=True)
            formula_book = openpyxl.load_workbook(path, data_only=False)
        except Exception as exc:  # untrusted file: any parser failure means "corrupt"
            raise FileProblem("corrupt_file", type(exc).__name__) from None
    sheets = []
    for worksheet in values_book.worksheets:
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        formulas = {
            (cell.row, cell.column - 1): str(getattr(cell.value, "text", cell.value))
            for row in formula_book[worksheet.title].iter_rows()
            for cell in row
            if cell.data_type == "f"
        }
        fill_merged_down(rows, worksheet.merged_cells.ranges)
        sheets.append(Sheet(worksheet.title, rows, formulas))
    return sheets


# --------------------------------------------------------------------------- header detection


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    row: int  # 1-based row number of the (last) header row
    columns: dict[str, int]  # field -> 0-based column
    units: dict[str, str]  # field -> unit text from the header's brackets
    labels: dict[str, str]  # field -> header text as written


def _map_row(row: list[Any]) -> tuple[dict[str, tuple[int, int, str, str]], int]:
    """Map header cells of one row: field -> (col, quality, brackets, text); plus unmatched count."""
    found: dict[str, tuple[int, int, str, str]] = {}
    unmatched = 0
    for col, value in enumerate(row):
        if value.__class__ is str:
            hit = _HEADER_CACHE.get(value, _UNCACHED)
            if hit is _UNCACHED:
                hit = match_header(value)
            if hit is None:
                if value.strip():
                    unmatched += 1
                continue
        else:
            hit = match_header(value) if isinstance(value, str) else None
            if hit is None:
                unmatched += 0 if _is_blank(value) else 1
                continue
        name, quality, brackets = hit
        if name not in found or quality > found[name][1]:
            found[name] = (col, quality, brackets, str(value).strip())
    return found, unmatched


def _is_header_like(row: list[Any]) -> bool:
    """A row all of whose non-blank cells are known header names (stops at the first that is not)."""
    found = False
    for value in row:
        if value.__class__ is str:
            hit = _HEADER_CACHE.get(value, _UNCACHED)
            if hit is _UNCACHED:
                hit = match_header(value)
            if hit is not None:
                found = True
            elif value.strip():
                return False
        elif isinstance(value, str) and match_header(value) is not None:
            found = True
        elif not _is_blank(value):
            return False
    return found


def _usable(found: dict) -> bool:
    """Enough fields for a header: an id or name, a figure or state, and MIN_HEADER_FIELDS in all."""
    return (
        len(found) >= MIN_HEADER_FIELDS
        and bool({"kpi_id", "name"} & found.keys())
        and bool({"cumulative", "increment", "state"} & found.keys())
    )


def _merge_lower(upper: dict, lower: dict) -> dict:
    """Combine a two-level header: the lower row's fields win over the upper row's in the same column."""
    taken = {item[0] for item in lower.values()}
    merged = {name: item for name, item in upper.items() if item[0] not in taken and name not in lower}
    merged.update(lower)
    return merged


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, tuple[int, int, str, str]]] | None:
    """Find the header among the first ``HEADER_SCAN_ROWS`` rows.

    Each row is tried alone and, when the row below consists of header names only,
    together with that row (two-level headers: 完成值 over 累计完成 | 本季度完成).
    Returns ``(last_header_row_number, mapping)`` for the candidate mapping the most
    fields (earliest on a tie), or None when no candidate is usable (see ``_usable``).
    """
    best = None
    scanned = rows[:HEADER_SCAN_ROWS]
    for index, row in enumerate(scanned):
        found, _ = _map_row(row)
        candidates = [(index + 1, found)]
        if index + 1 < len(rows) and _is_header_like(rows[index + 1]):
            candidates.append((index + 2, _merge_lower(found, _map_row(rows[index + 1])[0])))
        for row_number, mapping in candidates:
            if _usable(mapping) and (best is None or len(mapping) > len(best[1])):
                best = (row_number, mapping)
    return best


def detect_header(rows: list[list[Any]], found: Any = None, *, scanned: bool = False) -> Header | None:
    """The sheet's :class:`Header`, or None when none is recognisable.

    ``scanned``: ``found`` is what :func:`find_header` gave for these rows already.
    """
    if not scanned:
        found = find_header(rows)
    if found is None:
        return None
    row_number, mapping = found
    columns = {name: item[0] for name, item in mapping.items()}
    units = {name: item[2] for name, item in mapping.items() if item[2]}
    labels = {name: item[3] for name, item in mapping.items()}
    return Header(row_number, columns, units, labels)


# --------------------------------------------------------------------------- row parsing


def plan_unit(kpi: dict) -> str:
    """The plan's unit of a KPI ("" when none: milestones)."""
    unit = kpi.get("unit")
    return "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit).strip()


def is_point_in_time(kind: str, unit: str) -> bool:
    """Rates, growth rates and zero targets in % are values as they stand, never summed."""
    return kind in POINT_IN_TIME_KINDS or (kind == ZERO_TARGET_KIND and unit == PERCENT_UNIT)


def _unit_of(text: str, column: str) -> tuple[str, float]:
    """Canonical unit and factor of a unit text; an unknown unit is ``incompatible_unit``."""
    try:
        return canonical_unit(text)
    except UnitError:
        raise RowReject("incompatible_unit", column, text, "无法识别的单位") from None


def known_unit(text: str) -> str:
    """``text`` when it is a unit reportlib.units knows (e.g. from a header's brackets), else ""."""
    try:
        canonical_unit(text)
    except UnitError:
        return ""
    return text


def read_number_text(text: str) -> tuple[float, str | None, bool] | None:
    """Read a figure written as text: ``(value, unit, approximate)`` or None when unreadable.

    A bare number (``１２``, ``1,234.5``, ``一百零三``, ``8.5万``, ``-3``) is tried first;
    otherwise the whole cell must be one quantity (``8.5万平方米``, ``95%``, ``约120``,
    ``120余``, ``300以上``) and nothing else but filler words, so ``见附件3`` is not 3.
    """
    number = parse_number(text)
    if number is not None:
        return number, None, False
    quantity = parse_quantity(text)
    if quantity is None:
        return None
    rest = text.replace(quantity.raw, "", 1)
    for word in FIGURE_FILLER_WORDS:
        rest = rest.replace(word, "")
    if rest.strip():
        return None
    approximate = bool(quantity.approximate or quantity.comparator != "exactly")
    return quantity.value, quantity.unit, approximate


def parse_figure(value: Any, column: str, *, row_unit: str, kpi: dict) -> tuple[float, set[str], bool] | None:
    """Read one figure cell into the plan's unit.

    Returns ``(value, flags, approximate)`` or None when the cell is blank; raises
    :class:`RowReject` for unreadable numbers and incompatible units. The cell's own
    unit wins over ``row_unit`` (the 单位 column or the header's bracket); with neither
    the figure is taken to be in the plan's unit. See the module docstring for the
    percent rule.
    """
    if _is_blank(value):
        return None
    raw = cell_text(value)
    if isinstance(value, bool) or hasattr(value, "isoformat"):
        raise RowReject("bad_number", column, raw)
    unit, approximate, percent_sign = None, False, False
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _fold(value)
        percent_sign = "%" in text
        parsed = read_number_text(text)
        if parsed is None:
            raise RowReject("bad_number", column, raw)
        number, unit, approximate = parsed
    if not math.isfinite(number):
        raise RowReject("bad_number", column, raw)
    flags: set[str] = set()
    if unit is None and row_unit:
        unit, factor = _unit_of(row_unit, FIELD_LABELS["unit"])
        number = convert(number, row_unit, unit)  # decimal arithmetic: 0.69万 is exactly 6900
        if factor != 1:
            flags.add("unit_converted")
    target_unit = plan_unit(kpi)
    if target_unit == PERCENT_UNIT:
        if unit not in (None, PERCENT_UNIT):
            raise RowReject("incompatible_unit", column, raw, f"计划单位为%，填写的单位为{unit}")
        if not percent_sign and 0 < abs(number) <= 1.0:
            number = round(number * 100, PERCENT_DIGITS)  # 0.955 -> 95.5, not 95.49999999999999
            flags.add("percent_as_fraction")
        return number, flags, approximate
    if unit is not None and target_unit and unit != target_unit:
        try:
            number = convert(number, unit, target_unit)
        except UnitError:
            raise RowReject("incompatible_unit", column, raw, f"计划单位为{target_unit}，填写的单位为{unit}") from None
        flags.add("unit_converted")
    return number, flags, approximate


class RowParser:
    """Turns the data rows of one sheet into candidates and rejects."""

    def __init__(self, index: KpiIndex, year: int, header: Header, file: str, sheet: Sheet):
        self.index, self.year, self.header, self.file, self.sheet = index, year, header, file, sheet
        self.folder_quarter = _folder_quarter(file)

    def label(self, name: str) -> str:
        """Column label as written in this sheet (falls back to the Chinese name)."""
        return self.header.labels.get(name, FIELD_LABELS[name])

    def get(self, row: list[Any], name: str) -> Any:
        """Cell of a field in a row (None when the column is absent)."""
        col = self.header.columns.get(name)
        return row[col] if col is not None and col < len(row) else None

    def text(self, row: list[Any], name: str) -> str:
        """Cell of a field as trimmed text."""
        return cell_text(self.get(row, name))

    def check_formulas(self, row_number: int, row: list[Any]) -> set[str]:
        """Reject formula cells without a cached value in used columns; flag those with one."""
        flags = set()
        for name, col in sorted(self.header.columns.items(), key=lambda item: item[1]):
            formula = self.sheet.formulas.get((row_number, col))
            if formula is None:
                continue
            if _is_blank(row[col] if col < len(row) else None):
                raise RowReject("formula_without_value", self.label(name), formula)
            flags.add("formula_value")
        return flags

    def quarter(self, row: list[Any]) -> tuple[str, set[str]]:
        """The row's quarter (or its folder's), validated against the plan year."""
        return self.quarter_of(self.get(row, "quarter"))

    def quarter_of(self, raw: Any) -> tuple[str, set[str]]:
        """:meth:`quarter` of a 季度 cell value."""
        flags = set()
        if _is_blank(raw):
            if not self.folder_quarter:
                raise RowReject("missing_value", self.label("quarter"), "", "未填写季度")
            quarter = self.folder_quarter
            flags.add("quarter_from_folder")
        else:
            try:
                quarter = parse_quarter(raw, default_year=self.year)
            except QuarterError:
                raise RowReject("bad_quarter", self.label("quarter"), cell_text(raw)) from None
        if quarter_year(quarter) != self.year:
            raise RowReject(
                "quarter_mismatch", self.label("quarter") if not _is_blank(raw) else "", cell_text(raw) or quarter,
                f"{quarter_label(quarter)}不属于计划年度{self.year}年",
            )
        if self.folder_quarter and quarter != self.folder_quarter:
            flags.add("quarter_differs_from_folder")
        return quarter, flags

    def report_date(self, row: list[Any]) -> str:
        """ISO 填报日期, "" when blank."""
        return self.report_date_of(self.get(row, "report_date"))

    def report_date_of(self, raw: Any) -> str:
        """:meth:`report_date` of a 填报日期 cell value."""
        if _is_blank(raw):
            return ""
        try:
            return parse_date(raw).isoformat()
        except QuarterError:
            raise RowReject("bad_date", self.label("report_date"), cell_text(raw)) from None

    def figures(self, row: list[Any], kpi: dict) -> tuple[dict[str, float | None], set[str], bool]:
        """Cumulative and increment in the plan's unit, with flags and the approximate marker."""
        row_unit = self.text(row, "unit")
        flags: set[str] = set()
        approximate = False
        out: dict[str, float | None] = {}
        for name in ("cumulative", "increment"):
            parsed = parse_figure(self.get(row, name), self.label(name), row_unit=self.figure_unit(row_unit, name), kpi=kpi)
            out[name] = None if parsed is None else parsed[0]
            if parsed:
                flags |= parsed[1]
                approximate = approximate or parsed[2]
        return out, flags, approximate

    def figure_unit(self, row_unit: str, name: str) -> str:
        """The unit a figure cell without its own unit is in: the 单位 cell, else the header's bracket."""
        return _unit_text(row_unit or known_unit(self.header.units.get(name, "")))

    def state_of(self, raw_state: Any) -> str:
        """A milestone's state code from its 完成情况 cell, or :class:`RowReject`."""
        if _is_blank(raw_state):
            raise RowReject("missing_value", self.label("state") if "state" in self.header.columns else FIELD_LABELS["state"], "", "里程碑类指标须填写完成情况")
        state = parse_state(raw_state) or ""
        if not state:
            raise RowReject("bad_state", self.label("state"), cell_text(raw_state))
        return state

    def no_figures(self) -> RowReject:
        """The reject of a non-milestone row with neither figure."""
        return RowReject("missing_value", self.label("cumulative") if "cumulative" in self.header.columns else FIELD_LABELS["cumulative"], "", "累计完成和本季度完成都未填写")

    def parse(self, row_number: int, row: list[Any]) -> Candidate:
        """Parse one data row or raise :class:`RowReject`."""
        flags = self.check_formulas(row_number, row)
        kpi_id, id_flags = self.index.resolve(self.text(row, "kpi_id"), self.text(row, "name"), self.header.labels)
        kpi = self.index.by_id[kpi_id]
        kind = str(kpi.get("kind") or "")
        quarter, quarter_flags = self.quarter(row)
        state = ""
        figures: dict[str, float | None] = {"cumulative": None, "increment": None}
        approximate = False
        if kind == MILESTONE_KIND:
            state = self.state_of(self.get(row, "state"))
        else:
            figures, figure_flags, approximate = self.figures(row, kpi)
            flags |= figure_flags
            if figures["cumulative"] is None and figures["increment"] is None:
                raise self.no_figures()
        if approximate:
            flags.add("approximate")
        return Candidate(
            kpi_id=kpi_id, kind=kind, point_in_time=is_point_in_time(kind, plan_unit(kpi)), quarter=quarter,
            cumulative=figures["cumulative"], increment=figures["increment"], state=state,
            approximate=approximate, note=self.text(row, "note"),
            reporting_unit=self.text(row, "reporting_unit"), reporter=self.text(row, "reporter"),
            report_date=self.report_date(row), source_file=self.file, source_sheet=self.sheet.name,
            source_row=row_number, flags=flags | id_flags | quarter_flags,
            increment_column=self.label("increment") if "increment" in self.header.columns else "",
            increment_raw=self.text(row, "increment"),
        )


def _unit_text(text: str) -> str:
    """A unit cell's text: 'none' placeholders are blank, 百分比/百分率 mean %."""
    text = _fold(text or "")
    if text in BLANK_UNIT_TEXTS:
        return ""
    return PERCENT_UNIT if text in PERCENT_UNIT_WORDS else text


# --------------------------------------------------------------------------- per-sheet classification


def classify_row(row: list[Any], formulas_in_row: bool, header: Header) -> str | None:
    """Why a row is skipped ('blank', 'footer', 'repeated_header', 'unfilled'), or None for data."""
    if not formulas_in_row and all(_is_blank(value) for value in row):
        return "blank"
    first = next((cell_text(value) for value in row if not _is_blank(value)), "")
    if _fold(first).startswith(FOOTER_PREFIXES):
        return "footer"
    if _is_header_like(row) and len(_map_row(row)[0]) >= MIN_HEADER_FIELDS:
        return "repeated_header"
    inputs = [header.columns[name] for name in ("cumulative", "increment", "state", "note") if name in header.columns]
    if not formulas_in_row and inputs and all(_is_blank(row[col] if col < len(row) else None) for col in inputs):
        return "unfilled"
    return None


def _first_text(row: list[Any]) -> str | None:
    """The first non-blank cell of a row of texts (CSV), or None when the row is blank."""
    for value in row:
        if value is not None and value.strip():
            return value
    return None


@lru_cache(maxsize=1 << 16)
def _is_footer_text(text: str) -> bool:
    """Whether a row whose first non-blank cell is ``text`` is a footer row."""
    return _fold(text).startswith(FOOTER_PREFIXES)


def classify_text_row(row: list[Any], inputs: list[int]) -> str | None:
    """:func:`classify_row` for a row of texts or None (a CSV row, which holds no formulas)."""
    first = _first_text(row)
    if first is None:
        return "blank"
    if _is_footer_text(first.strip()):
        return "footer"
    if _is_header_like(row) and len(_map_row(row)[0]) >= MIN_HEADER_FIELDS:
        return "repeated_header"
    width = len(row)
    for col in inputs:
        value = row[col] if col < width else None
        if value is not None and value.strip():
            return None
    return "unfilled" if inputs else None


# --------------------------------------------------------------------------- flags as bits


_FLAG_BITS: dict[str, int] = {}
_FLAG_TEXT: dict[int, str] = {0: ""}


def flag_mask(flags: Iterable[str]) -> int:
    """Flag codes as one integer (a bit per code), so a row's flags are one number."""
    mask = 0
    for flag in flags:
        bit = _FLAG_BITS.get(flag)
        if bit is None:
            bit = _FLAG_BITS[flag] = 1 << len(_FLAG_BITS)
        mask |= bit
    return mask


def flag_text(mask: int) -> str:
    """The ``flags`` column text of a mask: codes sorted, ";"-joined."""
    text = _FLAG_TEXT.get(mask)
    if text is None:
        text = _FLAG_TEXT[mask] = ";".join(sorted(name for name, bit in _FLAG_BITS.items() if mask & bit))
    return text


def _flag_texts(masks: np.ndarray) -> np.ndarray:
    """:func:`flag_text` of each mask (computed once per distinct mask)."""
    distinct, inverse = np.unique(masks, return_inverse=True)
    return np.asarray([flag_text(int(m)) for m in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


# --------------------------------------------------------------------------- candidates, column by column


class Batch:
    """Candidate rows column by column (a row-per-object list of 1 000 000 rows would not fit).

    The text fast path appends to the columns directly; the per-row path's
    :class:`Candidate` objects are added with :meth:`add_candidate`.
    """

    def __init__(self):
        self.files: list[str] = []  # file index -> path relative to the raw folder
        self.kpi_id: list[str] = []
        self.quarter: list[str] = []
        self.cumulative = array("d")  # NaN: not given (and not derived yet)
        self.increment = array("d")
        self.state: list[str] = []
        self.approximate = bytearray()
        self.note: list[str] = []
        self.reporting_unit: list[str] = []
        self.reporter: list[str] = []
        self.report_date: list[str] = []
        self.file = array("q")
        self.sheet: list[str] = []
        self.row = array("q")
        self.flags = array("q")
        self.increment_column: list[str] = []
        self.increment_raw: list[str] = []

    def __len__(self) -> int:
        return len(self.kpi_id)

    def file_index(self, rel: str) -> int:
        if not self.files or self.files[-1] != rel:
            self.files.append(rel)
        return len(self.files) - 1

    def add_candidate(self, cand: Candidate) -> None:
        self.kpi_id.append(cand.kpi_id)
        self.quarter.append(cand.quarter)
        self.cumulative.append(math.nan if cand.cumulative is None else float(cand.cumulative))
        self.increment.append(math.nan if cand.increment is None else float(cand.increment))
        self.state.append(cand.state)
        self.approximate.append(bool(cand.approximate))
        self.note.append(cand.note)
        self.reporting_unit.append(cand.reporting_unit)
        self.reporter.append(cand.reporter)
        self.report_date.append(cand.report_date)
        self.file.append(self.file_index(cand.source_file))
        self.sheet.append(cand.source_sheet)
        self.row.append(int(cand.source_row))
        self.flags.append(flag_mask(cand.flags))
        self.increment_column.append(cand.increment_column)
        self.increment_raw.append(cand.increment_raw)


class TextSheetParser:
    """The per-row rules of :class:`RowParser`, applied to sheets of texts (CSV) in bulk.

    Each rule (KPI, quarter, figure, state, date) is a function of a few cells and of
    the sheet's header and folder; with 1 000 000 rows the same cells recur endlessly,
    so each rule's answer (or its :class:`RowReject`) is computed once per distinct
    input through the very same :class:`RowParser` methods, and looked up otherwise.
    One parser serves every sheet with the same header layout and folder.
    """

    def __init__(self, parser: RowParser, interned: dict[str, str]):
        self.p = parser
        self.interned = interned
        self.kpi_memo: dict = {}
        self.quarter_memo: dict = {}
        self.state_memo: dict = {}
        self.figure_memo: dict = {}
        self.unit_memo: dict = {}
        self.date_memo: dict = {}
        labels = parser.header
        self.cumulative_label = parser.label("cumulative")
        self.increment_label = parser.label("increment")
        self.increment_column = parser.label("increment") if "increment" in labels.columns else ""
        self.no_figures = parser.no_figures()
        self.approximate_bit = flag_mask(["approximate"])

    @staticmethod
    def kept(rejected: RowReject) -> RowReject:
        """A reject to keep in a memo: without its traceback, which holds the frames (and rows) it came from."""
        rejected.__traceback__ = rejected.__context__ = rejected.__cause__ = None
        return rejected

    @staticmethod
    def signature(parser: RowParser) -> tuple:
        """What the rules depend on besides the cells."""
        header = parser.header
        return (tuple(sorted(header.labels.items())), tuple(sorted(header.units.items())),
                tuple(sorted(header.columns)), parser.folder_quarter, parser.year)

    def kpi(self, id_text: str, name_text: str):
        try:
            kpi_id, flags = self.p.index.resolve(id_text, name_text, self.p.header.labels)
        except RowReject as rejected:
            return self.kept(rejected)
        kpi = self.p.index.by_id[kpi_id]
        kind = str(kpi.get("kind") or "")
        return kpi_id, flag_mask(flags), kind, plan_unit(kpi), kpi

    def quarter(self, raw: Any):
        try:
            quarter, flags = self.p.quarter_of(raw)
        except RowReject as rejected:
            return self.kept(rejected)
        return quarter, flag_mask(flags)

    def state(self, raw: Any):
        try:
            return self.p.state_of(raw)
        except RowReject as rejected:
            return self.kept(rejected)

    def figure(self, value: Any, label: str, unit: str, kpi: dict):
        # parse_figure reads only the KPI's unit, so results are shared per (cell, unit)
        try:
            parsed = parse_figure(value, label, row_unit=unit, kpi=kpi)
        except RowReject as rejected:
            return self.kept(rejected)
        return None if parsed is None else (parsed[0], flag_mask(parsed[1]), parsed[2])

    def report_date(self, raw: Any):
        try:
            return self.p.report_date_of(raw)
        except RowReject as rejected:
            return self.kept(rejected)

    def read(self, ingest: "Ingest", rel: str, sheet: Sheet, first: int, last: int, info: FileInfo) -> int:
        """Classify and parse rows ``first`` … ``last`` (1-based); returns the data rows read."""
        header = self.p.header
        columns = header.columns
        inputs = [columns[name] for name in ("cumulative", "increment", "state", "note") if name in columns]
        width = max(columns.values()) + 1
        # absent fields read the None that every padded row ends with
        c_id, c_name, c_quarter, c_cum, c_inc, c_unit, c_state, c_note, c_runit, c_reporter, c_date = (
            columns.get(name, width) for name in
            ("kpi_id", "name", "quarter", "cumulative", "increment", "unit", "state", "note", "reporting_unit",
             "reporter", "report_date"))
        batch = ingest.batch
        file_index = batch.file_index(rel)
        sheet_name = sheet.name
        interned = self.interned
        kpi_memo, quarter_memo, state_memo = self.kpi_memo, self.quarter_memo, self.state_memo
        figure_memo, unit_memo, date_memo = self.figure_memo, self.unit_memo, self.date_memo
        cumulative_label, increment_label = self.cumulative_label, self.increment_label
        approximate_bit = self.approximate_bit
        reject, skipped = ingest.reject, ingest.skipped
        pad = [None] * (width + 1)
        tail = [None]
        add_kpi, add_quarter, add_cumulative, add_increment = (
            batch.kpi_id.append, batch.quarter.append, batch.cumulative.append, batch.increment.append)
        add_state, add_approximate, add_note, add_unit_name = (
            batch.state.append, batch.approximate.append, batch.note.append, batch.reporting_unit.append)
        add_reporter, add_date, add_file, add_sheet = (
            batch.reporter.append, batch.report_date.append, batch.file.append, batch.sheet.append)
        add_row, add_flags, add_increment_column, add_increment_raw = (
            batch.row.append, batch.flags.append, batch.increment_column.append, batch.increment_raw.append)
        increment_column = self.increment_column
        count = 0
        rows = sheet.rows
        for row_number in range(first, last + 1):
            row = rows[row_number - 1]
            skip = classify_text_row(row, inputs)
            if skip:
                skipped[skip] += 1
                if skip == "footer" and any(SAMPLE_MARKER in cell_text(v) for v in row):
                    info.sample = True
                continue
            count += 1
            # cells past the last used column are never read; absent fields read the None at [width]
            row = row + pad[len(row):] if len(row) < width else row[:width] + tail
            value = row[c_id]
            id_text = value.strip() if value is not None else ""
            value = row[c_name]
            name_text = value.strip() if value is not None else ""
            key = (id_text, name_text)
            found = kpi_memo.get(key)
            if found is None:
                found = kpi_memo[key] = self.kpi(id_text, name_text)
            if found.__class__ is RowReject:
                reject(rel, sheet_name, row_number, found)
                continue
            kpi_id, mask, kind, target_unit, kpi = found
            raw = row[c_quarter]
            found = quarter_memo.get(raw)
            if found is None:
                found = quarter_memo[raw] = self.quarter(raw)
            if found.__class__ is RowReject:
                reject(rel, sheet_name, row_number, found)
                continue
            quarter, quarter_mask = found
            mask |= quarter_mask
            cumulative = increment = math.nan
            state = ""
            approximate = False
            if kind == MILESTONE_KIND:
                raw = row[c_state]
                state = state_memo.get(raw)
                if state is None:
                    state = state_memo[raw] = self.state(raw)
                if state.__class__ is RowReject:
                    reject(rel, sheet_name, row_number, state)
                    continue
            else:
                value = row[c_unit]
                row_unit = value.strip() if value is not None else ""
                units = unit_memo.get(row_unit)
                if units is None:
                    units = unit_memo[row_unit] = (self.p.figure_unit(row_unit, "cumulative"),
                                                   self.p.figure_unit(row_unit, "increment"))
                rejected = None
                parsed_any = False
                for value, label, unit, slot in ((row[c_cum], cumulative_label, units[0], 0),
                                                 (row[c_inc], increment_label, units[1], 1)):
                    key = (value, label, unit, target_unit)
                    parsed = figure_memo.get(key, figure_memo)
                    if parsed is figure_memo:
                        parsed = figure_memo[key] = self.figure(value, label, unit, kpi)
                    if parsed is None:
                        continue
                    if parsed.__class__ is RowReject:
                        rejected = parsed
                        break
                    parsed_any = True
                    if slot == 0:
                        cumulative = parsed[0]
                    else:
                        increment = parsed[0]
                    mask |= parsed[1]
                    approximate = approximate or parsed[2]
                if rejected is not None:
                    reject(rel, sheet_name, row_number, rejected)
                    continue
                if not parsed_any:
                    reject(rel, sheet_name, row_number, self.no_figures)
                    continue
                if approximate:
                    mask |= approximate_bit
            raw = row[c_date]
            date = date_memo.get(raw)
            if date is None:
                date = date_memo[raw] = self.report_date(raw)
            if date.__class__ is RowReject:
                reject(rel, sheet_name, row_number, date)
                continue
            value = row[c_note]
            note = value.strip() if value is not None else ""
            note = interned.setdefault(note, note)
            value = row[c_runit]
            unit_name = value.strip() if value is not None else ""
            unit_name = interned.setdefault(unit_name, unit_name)
            value = row[c_reporter]
            reporter = value.strip() if value is not None else ""
            reporter = interned.setdefault(reporter, reporter)
            value = row[c_inc]
            increment_raw = value.strip() if value is not None else ""
            increment_raw = interned.setdefault(increment_raw, increment_raw)
            add_kpi(kpi_id)
            add_quarter(quarter)
            add_cumulative(cumulative)
            add_increment(increment)
            add_state(state)
            add_approximate(approximate)
            add_note(note)
            add_unit_name(unit_name)
            add_reporter(reporter)
            add_date(date)
            add_file(file_index)
            add_sheet(sheet_name)
            add_row(row_number)
            add_flags(mask)
            add_increment_column(increment_column)
            add_increment_raw(increment_raw)
        return count


@dataclass
class IngestResult:
    """Everything one ingest run produced."""

    actuals: pd.DataFrame
    rejects: pd.DataFrame
    summary: dict

    @property
    def clean(self) -> bool:
        """No rejects and no file errors."""
        return self.summary["rejected"] == 0 and not self.summary["file_errors"]


class Ingest:
    """One ingest run over a folder of submissions (collects rows, rejects and errors)."""

    texts_in_bulk = True  # CSV sheets through TextSheetParser (False: row by row, as workbooks)

    def __init__(self, raw_dir: Path, plan: Any):
        self.raw_dir = Path(raw_dir)
        self.year = int(plan.year)
        self.index = KpiIndex(plan.kpis)
        self.batch = Batch()
        self.rejects: list[Reject] = []
        self.file_errors: list[FileError] = []
        self.files: list[FileInfo] = []
        self.ignored: list[str] = []
        self.skipped: Counter = Counter()
        self.rows_read = 0
        self.files_failed = 0
        self.text_parsers: dict[tuple, TextSheetParser] = {}
        self.interned: dict[str, str] = {}
        self.digests: dict[str, bytes] = {}  # relative path -> sha256 of the bytes read

    # -- files -------------------------------------------------------------

    def discover(self) -> list[Path]:
        """Submission files under the raw folder, sorted by relative path."""
        if not self.raw_dir.is_dir():
            raise InputError("找不到实际完成数据文件夹", file=str(self.raw_dir))
        found = []
        for path in sorted(self.raw_dir.rglob("*"), key=lambda p: p.relative_to(self.raw_dir).as_posix()):
            rel = path.relative_to(self.raw_dir)
            if not path.is_file() or any(part.startswith((".", "~$")) for part in rel.parts):
                continue
            suffix = path.suffix.lower()
            if suffix in SPREADSHEET_EXTENSIONS + CSV_EXTENSIONS + UNSUPPORTED_EXTENSIONS:
                found.append(path)
            else:
                self.ignored.append(rel.as_posix())
        return found

    def file_error(self, file: str, sheet: str, row: int | None, reason: str, detail: str = "", column: str = "", raw: str = "") -> None:
        """Record a file-level error with its Chinese message."""
        message = describe(file, sheet, row, column, raw, reason, detail) if row else (
            f"文件「{file}」" + (f"工作表「{sheet}」" if sheet else "") + f"：{FILE_ERRORS[reason]}" + (f"（{detail}）" if detail else "")
        )
        self.file_errors.append(FileError(file, sheet, row, reason, message))

    def read_file(self, path: Path) -> None:
        """Read one file and feed its sheets to :meth:`read_sheet`; file problems are recorded."""
        rel = _rel(path, self.raw_dir)
        suffix = path.suffix.lower()
        try:
            if suffix in UNSUPPORTED_EXTENSIONS:
                raise FileProblem("unsupported_format", suffix)
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FileProblem("file_too_large", f"{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB")
            if suffix in CSV_EXTENSIONS:
                data = path.read_bytes()
                self.digests[rel] = hashlib.sha256(data).digest()  # for input_fingerprint: what was read
                sheets, encoding = read_csv_bytes(data)
                del data
                info = FileInfo(rel, "csv", encoding)
            else:
                sheets = read_xlsx_file(path)
                info = FileInfo(rel, "xlsx")
        except FileProblem as problem:
            self.files_failed += 1
            self.file_error(rel, "", None, problem.reason, problem.detail)
            return
        except OSError as exc:
            self.files_failed += 1
            self.file_error(rel, "", None, "corrupt_file", type(exc).__name__)
            return
        self.files.append(info)
        errors_before = len(self.file_errors)
        for sheet in sheets:
            info.rows_read += self.read_sheet(rel, sheet, info, texts_only=self.texts_in_bulk and info.format == "csv")
        if not info.sheets and len(self.file_errors) == errors_before:
            self.file_error(rel, "", None, "no_header", "文件中没有任何内容")

    def read_sheet(self, rel: str, sheet: Sheet, info: FileInfo, *, texts_only: bool = False) -> int:
        """Parse one sheet's data rows; returns the number of data rows read.

        ``texts_only``: every cell is text or None and there are no formulas (CSV), so
        the rows go through :class:`TextSheetParser`, which applies the same rules.
        """
        if sheet.name.strip().lower() in INSTRUCTION_SHEET_NAMES:
            return 0
        if all(_is_blank(v) for row in sheet.rows for v in row) and not sheet.formulas:
            return 0
        header = detect_header(sheet.rows, sheet.found, scanned=sheet.scanned)
        if header is None:
            self.file_error(rel, sheet.name, None, "no_header", f"已检查前{HEADER_SCAN_ROWS}行")
            return 0
        info.sheets.append(sheet.name)
        above = [cell_text(v) for row in sheet.rows[: header.row - 1] for v in row]
        info.sample = info.sample or SAMPLE_MARKER in rel or any(SAMPLE_MARKER in text for text in above)
        parser = RowParser(self.index, self.year, header, rel, sheet)
        used_columns = set(header.columns.values())
        formula_rows = {row for row, col in sheet.formulas if col in used_columns}
        last = next((i for i in range(len(sheet.rows), 0, -1)
                     if i in formula_rows or any(not _is_blank(v) for v in sheet.rows[i - 1])), 0)
        if texts_only and not sheet.formulas:
            signature = TextSheetParser.signature(parser)
            fast = self.text_parsers.get(signature)
            if fast is None:
                fast = self.text_parsers[signature] = TextSheetParser(parser, self.interned)
            return fast.read(self, rel, sheet, header.row + 1, last, info)
        count = 0
        for row_number in range(header.row + 1, last + 1):
            row = sheet.rows[row_number - 1] if row_number <= len(sheet.rows) else []
            skip = classify_row(row, row_number in formula_rows, header)
            if skip:
                self.skipped[skip] += 1
                if skip == "footer" and any(SAMPLE_MARKER in cell_text(v) for v in row):
                    info.sample = True
                continue
            count += 1
            try:
                self.batch.add_candidate(parser.parse(row_number, row))
            except RowReject as rejected:
                self.reject(rel, sheet.name, row_number, rejected)
        return count

    def reject(self, file: str, sheet: str, row: int, rejected: RowReject) -> None:
        """Record a rejected row (formula problems also go to file_errors)."""
        raw = cell_text(rejected.raw)
        message = describe(file, sheet, row, rejected.column, raw, rejected.reason, rejected.detail)
        self.rejects.append(Reject(file, sheet, row, rejected.column, raw, rejected.reason, message))
        if rejected.reason == "formula_without_value":
            self.file_errors.append(FileError(file, sheet, row, rejected.reason, message))

    # -- resolution ----------------------------------------------------------

    def drop_duplicates_in_files(self, kpi_c: np.ndarray, quarter_c: np.ndarray) -> np.ndarray:
        """Keep the first row per (file, KPI, quarter); reject the later ones. Returns the kept rows.

        ``kpi_c``, ``quarter_c``: codes of every row's KPI and quarter.
        """
        batch = self.batch
        n = len(batch)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        file = np.asarray(batch.file, dtype=np.int64)
        key = (file * (int(kpi_c.max()) + 1) + kpi_c) * (int(quarter_c.max()) + 1) + quarter_c
        _, first_index, inverse = np.unique(key, return_index=True, return_inverse=True)
        first = first_index[inverse.reshape(-1)]
        duplicate = first != np.arange(n)
        for i in np.flatnonzero(duplicate).tolist():
            j = int(first[i])
            where = f"{batch.sheet[j]}第{batch.row[j]}行" if batch.sheet[j] else f"第{batch.row[j]}行"
            self.reject(batch.files[batch.file[i]], batch.sheet[i], batch.row[i], RowReject(
                "duplicate_in_file", FIELD_LABELS["kpi_id"], batch.kpi_id[i], f"已采用{where}，本行未采用"))
        return np.flatnonzero(~duplicate)

    def resolve(self) -> dict[str, Any]:
        """Derive figures, mark superseded rows and flag checks, per KPI in quarter order.

        Works on whole columns: rows of one KPI and quarter are sorted by precedence
        (:meth:`Candidate.precedence`: 填报日期, file name, path, sheet, row); figures
        are derived from the previous quarter's effective (winning) row, checks compare
        with the latest earlier quarter's; the last row that survives wins and the
        others are superseded. Returns the columns of the actuals table (survivors).
        """
        batch = self.batch

        def codes(values: list) -> np.ndarray:
            """Codes that sort like the values (Python string order)."""
            if not values:
                return np.zeros(0, dtype=np.int64)
            found, _ = pd.factorize(np.asarray(values, dtype=object), sort=True)
            return found.astype(np.int64)

        def file_ranks(key) -> np.ndarray:
            order = sorted(range(len(batch.files)), key=lambda i: key(batch.files[i]))
            ranks = np.empty(len(batch.files), dtype=np.int64)
            ranks[order] = np.arange(len(order))
            return ranks

        all_kpi_c, all_quarter_c = codes(batch.kpi_id), codes(batch.quarter)
        kept = self.drop_duplicates_in_files(all_kpi_c, all_quarter_c)
        n = len(kept)
        cumulative = np.asarray(batch.cumulative, dtype=np.float64).copy()
        increment = np.asarray(batch.increment, dtype=np.float64).copy()
        flags = np.asarray(batch.flags, dtype=np.int64).copy()
        file = np.asarray(batch.file, dtype=np.int64)
        rows = np.asarray(batch.row, dtype=np.int64)
        kpi_c, quarter_c = all_kpi_c[kept], all_quarter_c[kept]
        date_c, sheet_c = codes(batch.report_date)[kept], codes(batch.sheet)[kept]
        name_rank = file_ranks(lambda f: (PurePosixPath(f).name, f)) if batch.files else np.zeros(0, np.int64)
        path_rank = file_ranks(lambda f: f) if batch.files else np.zeros(0, np.int64)
        kept_file = file[kept]
        order = kept[np.lexsort((rows[kept], sheet_c, path_rank[kept_file] if n else kept_file,
                                 name_rank[kept_file] if n else kept_file, date_c, quarter_c, kpi_c))]
        position = np.empty(len(batch), dtype=np.int64)
        position[kept] = np.arange(n)
        group_key = kpi_c[position[order]] * (int(quarter_c.max()) + 1 if n else 1) + quarter_c[position[order]]
        starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]]) if n else np.zeros(0, np.int64)
        ends = np.r_[starts[1:], n]

        superseded = np.zeros(len(batch), dtype=bool)
        alive_all: list[np.ndarray] = []
        bits = {name: flag_mask([name]) for name in (
            "rate_from_increment", "derived_cumulative", "derived_increment", "increment_inconsistent",
            "cumulative_fell", "state_regressed")}
        effective: dict[str, tuple[float, str]] = {}
        current_kpi = None
        for start, end in zip(starts.tolist(), ends.tolist()):
            group = order[start:end]
            first = int(group[0])
            kpi_id, quarter = batch.kpi_id[first], batch.quarter[first]
            if kpi_id != current_kpi:
                current_kpi, effective = kpi_id, {}
                kpi = self.index.by_id[kpi_id]
                kind = str(kpi.get("kind") or "")
                point_in_time = is_point_in_time(kind, plan_unit(kpi))
            alive = group
            if kind != MILESTONE_KIND:
                cum, inc = cumulative[group], increment[group]
                missing = np.isnan(cum)
                if point_in_time:
                    if missing.any():
                        cumulative[group[missing]] = inc[missing]
                        flags[group[missing]] |= bits["rate_from_increment"]
                else:
                    prior = effective.get(previous_quarter(quarter))
                    prior_value = 0.0 if quarter_index(quarter) == 1 else (prior[0] if prior is not None else None)
                    if prior_value is None:
                        for i in group[missing].tolist():
                            self.reject(batch.files[batch.file[i]], batch.sheet[i], batch.row[i], RowReject(
                                "missing_prior_quarter", batch.increment_column[i] or FIELD_LABELS["increment"],
                                batch.increment_raw[i], f"缺少{quarter_label(previous_quarter(quarter))}的数据"))
                        alive = group[~missing]
                    else:
                        if missing.any():
                            cumulative[group[missing]] = prior_value + inc[missing]
                            flags[group[missing]] |= bits["derived_cumulative"]
                        no_increment = ~missing & np.isnan(inc)
                        if no_increment.any():
                            increment[group[no_increment]] = cum[no_increment] - prior_value
                            flags[group[no_increment]] |= bits["derived_increment"]
                        both = ~missing & ~np.isnan(inc)
                        if both.any():
                            expected = cum[both] - prior_value
                            off = np.abs(expected - inc[both]) > INCREMENT_TOLERANCE * np.maximum(1.0, np.abs(cum[both]))
                            flags[group[both][off]] |= bits["increment_inconsistent"]
            if len(alive) == 0:
                continue
            if effective:
                before_cumulative, before_state = effective[max(effective)]
                if kind == MILESTONE_KIND:
                    floor = STATE_ORDER.get(before_state, 0)
                    fell = np.fromiter((STATE_ORDER.get(batch.state[i], 0) < floor for i in alive.tolist()), dtype=bool, count=len(alive))
                    flags[alive[fell]] |= bits["state_regressed"]
                elif not point_in_time and not math.isnan(before_cumulative):
                    values = cumulative[alive]
                    fell = ~np.isnan(values) & (values < before_cumulative)
                    flags[alive[fell]] |= bits["cumulative_fell"]
            superseded[alive[:-1]] = True
            last = int(alive[-1])
            effective[quarter] = (float(cumulative[last]), batch.state[last])
            alive_all.append(alive)
        survivors = np.concatenate(alive_all) if alive_all else np.zeros(0, dtype=np.int64)
        # in the table's order: kpi_id, quarter, source_file, source_sheet, source_row
        at = position[survivors]
        survivors = survivors[np.lexsort((rows[survivors], sheet_c[at], path_rank[file[survivors]] if len(at) else at,
                                          quarter_c[at], kpi_c[at]))]

        def take(values: list) -> np.ndarray:
            return np.asarray(values, dtype=object)[survivors] if values else np.zeros(0, dtype=object)

        return {
            "kpi_id": take(batch.kpi_id),
            "quarter": take(batch.quarter),
            "cumulative": cumulative[survivors],
            "increment": increment[survivors],
            "state": take(batch.state),
            "approximate": np.frombuffer(bytes(batch.approximate), dtype=np.uint8)[survivors].astype(bool) if len(batch) else np.zeros(0, bool),
            "note": take(batch.note),
            "reporting_unit": take(batch.reporting_unit),
            "reporter": take(batch.reporter),
            "report_date": take(batch.report_date),
            "source_file": np.asarray(batch.files + [""], dtype=object)[file[survivors]],
            "source_sheet": take(batch.sheet),
            "source_row": rows[survivors],
            "superseded": superseded[survivors],
            "flags": _flag_texts(flags[survivors]),
        }

    # -- run -----------------------------------------------------------------

    def run(self) -> IngestResult:
        """Read every file, resolve, and build the output tables and summary."""
        for path in self.discover():
            self.read_file(path)
        self.rows_read = sum(info.rows_read for info in self.files)
        final = self.resolve()
        self.batch = Batch()  # the columns are in ``final`` now
        actuals = actuals_frame(final, presorted=True)
        del final
        rejects = rejects_frame([vars(rej) for rej in self.rejects])
        superseded = int(actuals["superseded"].sum())
        summary = {
            "files_read": len(self.files),
            "files_failed": self.files_failed,
            "rows_read": self.rows_read,
            "accepted": len(actuals) - superseded,
            "superseded": superseded,
            "rejected": len(rejects),
            "skipped": sum(self.skipped.values()),
            "skipped_by_kind": dict(sorted(self.skipped.items())),
            "by_reason": dict(sorted(Counter(rejects["reason"]).items())),
            "file_errors": [err.as_dict() for err in sorted(self.file_errors, key=lambda e: (e.file, e.sheet, e.row or 0, e.reason))],
            "sample_data": any(info.sample for info in self.files),
            "files": [vars(info) for info in self.files],
            "ignored_files": self.ignored,
        }
        return IngestResult(actuals, rejects, summary)


# --------------------------------------------------------------------------- tables


_NUMERIC_ACTUALS_COLUMNS = ("cumulative", "increment", "approximate", "superseded", "source_row")


def actuals_frame(records: list[dict] | dict[str, Any], *, presorted: bool = False) -> pd.DataFrame:
    """The actuals table with contract columns, dtypes and the deterministic order.

    ``records``: row dicts, or a dict of columns as :meth:`Ingest.resolve` returns them
    (texts already ``str``, never missing); ``presorted``: the columns are already in
    the table's order (kpi_id, quarter, source_file, source_sheet, source_row).
    """
    if isinstance(records, dict):
        frame = pd.DataFrame(
            {column: records[column] if column in _NUMERIC_ACTUALS_COLUMNS else pd.array(records[column], dtype=str)
             for column in ACTUALS_COLUMNS},
            columns=ACTUALS_COLUMNS,
        )
        text_columns = []  # already what the conversion below gives
    else:
        frame = pd.DataFrame.from_records(records, columns=ACTUALS_COLUMNS)
        text_columns = set(ACTUALS_COLUMNS) - set(_NUMERIC_ACTUALS_COLUMNS)
    for column in ("cumulative", "increment"):
        frame[column] = frame[column].astype("float64")
    for column in ("approximate", "superseded"):
        frame[column] = frame[column].astype("bool")
    frame["source_row"] = frame["source_row"].astype("int64")
    for column in text_columns:
        frame[column] = frame[column].astype("object").fillna("").astype(str)
    if not presorted:
        frame = frame.sort_values(["kpi_id", "quarter", "source_file", "source_sheet", "source_row"], kind="mergesort")
    return frame.reset_index(drop=True)


def rejects_frame(records: list[dict]) -> pd.DataFrame:
    """The rejects table, sorted by file, sheet, row."""
    frame = pd.DataFrame.from_records(records, columns=REJECT_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    for column in set(REJECT_COLUMNS) - {"row"}:
        frame[column] = frame[column].astype("object").fillna("").astype(str)
    frame = frame.sort_values(["file", "sheet", "row", "reason"], kind="mergesort")
    return frame.reset_index(drop=True)


def _neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of a frame with every text column passed through :func:`neutralize`."""
    out = frame.copy(deep=False)
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.StringDtype):  # str or missing: the same rule, a column at a time
            risky = series.str.startswith(FORMULA_INJECTION_PREFIXES).fillna(False).astype(bool)
            if risky.any():
                out[column] = series.where(~risky, "'" + series)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralize)
    return out


def write_files_atomic(files: dict[Path, Any]) -> None:
    """Write each file to a temp file beside it, then ``os.replace`` them all into place, in order.

    ``files``: path -> bytes, or a function writing to a binary handle (large tables
    are streamed rather than held in memory twice). Nothing is replaced unless every
    file was written.
    """
    written: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            written.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                if callable(data):
                    data(handle)
                else:
                    handle.write(data)
            os.chmod(tmp, OUTPUT_FILE_MODE)
        for tmp, path in written:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temp file beside ``path`` then ``os.replace`` it into place."""
    write_files_atomic({path: data})


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet bytes of a frame (no index; deterministic for the same pyarrow version)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def _write_csv(frame: pd.DataFrame, handle) -> None:
    """CSV (UTF-8 with BOM so Excel shows Chinese), text neutralised, LF line ends, to a binary handle."""
    handle.write(codecs.BOM_UTF8)  # = encoding "utf-8-sig", whose Python-level encoder costs seconds per million rows
    _neutralized(frame).to_csv(handle, index=False, lineterminator="\n", encoding="utf-8")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """The bytes :func:`_write_csv` writes."""
    buffer = io.BytesIO()
    _write_csv(frame, buffer)
    return buffer.getvalue()


def write_outputs(result: IngestResult, out_dir: Path) -> list[Path]:
    """Write the five output files atomically; returns their paths."""
    out_dir = Path(out_dir)
    files = {
        out_dir / f"{ACTUALS_FILE}.parquet": _parquet_bytes(result.actuals),
        out_dir / f"{ACTUALS_FILE}.csv": lambda handle: _write_csv(result.actuals, handle),
        out_dir / f"{REJECTS_FILE}.parquet": _parquet_bytes(result.rejects),
        out_dir / f"{REJECTS_FILE}.csv": lambda handle: _write_csv(result.rejects, handle),
        out_dir / SUMMARY_FILE: (json.dumps(result.summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }
    write_files_atomic(files)
    return list(files)


# --------------------------------------------------------------------------- public API


def _load_plan(plan_path: Path | None):
    """Load the plan through reportlib.plan (imported lazily)."""
    from reportlib.plan import load_plan

    return load_plan(plan_path) if plan_path else load_plan()


def input_fingerprint(raw_dir: Path, plan: Any, known: dict[str, bytes] | None = None) -> str:
    """sha256 of everything an ingest's output depends on: raw files, plan, ingest code.

    Stored as ``inputs_sha256`` in ingest_summary.json; no timestamps are involved.
    ``known``: sha256 digests of files already read (relative path -> digest).
    """
    digest = hashlib.sha256(f"format {INGEST_FORMAT_VERSION}\n".encode())
    raw_dir = Path(raw_dir)
    known = known or {}
    if raw_dir.is_dir():
        for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(raw_dir).as_posix()
            digest.update(rel.encode() + b"\0")
            digest.update(known.get(rel) or hashlib.sha256(path.read_bytes()).digest())
    plan_hash = getattr(plan, "sha256", None) or pd.util.hash_pandas_object(plan.kpis.astype(str), index=False).sum()
    digest.update(f"plan {plan_hash} year {plan.year}\n".encode())
    package = Path(__file__).resolve().parent
    for name in INGEST_CODE_MODULES:
        if (package / name).exists():
            digest.update(name.encode() + (package / name).read_bytes())
    return digest.hexdigest()


def ingest(raw_dir: Path | None = None, out_dir: Path | None = None, plan: Any = None, *, write: bool = True) -> IngestResult:
    """Ingest every submission under ``raw_dir`` against ``plan``; write outputs to ``out_dir``.

    ``plan`` is a :class:`reportlib.plan.Plan` (anything with ``year`` and a ``kpis``
    frame will do); by default the plan file is loaded.
    """
    plan = plan if plan is not None else _load_plan(None)
    raw_dir = Path(raw_dir or paths.ACTUALS_RAW)
    run = Ingest(raw_dir, plan)
    result = run.run()
    result.summary["inputs_sha256"] = input_fingerprint(raw_dir, plan, run.digests)
    if write:
        write_outputs(result, Path(out_dir or paths.DATA_PROCESSED))
    return result


def ensure_ingested(plan: Any = None, raw_dir: Path | None = None, out_dir: Path | None = None) -> IngestResult | None:
    """Ingest unless ``out_dir`` already holds the output of exactly these inputs.

    Returns the new :class:`IngestResult`, or None when the outputs were up to date.
    Rejects do not stop it (that is ``reportlib ingest --strict``'s job).
    """
    plan = plan if plan is not None else _load_plan(None)
    raw_dir = Path(raw_dir or paths.ACTUALS_RAW)
    out_dir = Path(out_dir or paths.DATA_PROCESSED)
    outputs = [out_dir / f"{ACTUALS_FILE}.parquet", out_dir / f"{REJECTS_FILE}.parquet", out_dir / SUMMARY_FILE]
    if all(path.exists() for path in outputs):
        if load_summary(out_dir).get("inputs_sha256") == input_fingerprint(raw_dir, plan):
            return None
    return ingest(raw_dir, out_dir, plan)


def load_rejects(processed_dir: Path | None = None) -> pd.DataFrame:
    """Read ``rejects.parquet`` back (an empty table when there is none)."""
    path = Path(processed_dir or paths.DATA_PROCESSED) / f"{REJECTS_FILE}.parquet"
    if not path.exists():
        return rejects_frame([])
    return pd.read_parquet(path)


def load_summary(processed_dir: Path | None = None) -> dict:
    """Read ``ingest_summary.json`` back ({} when there is none)."""
    path = Path(processed_dir or paths.DATA_PROCESSED) / SUMMARY_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"无法读取导入摘要：{exc}", file=str(path)) from None


def load_actuals(processed_dir: Path | None = None, include_superseded: bool = False) -> pd.DataFrame:
    """Read ``actuals.parquet`` back; superseded rows only when ``include_superseded``."""
    path = Path(processed_dir or paths.DATA_PROCESSED) / f"{ACTUALS_FILE}.parquet"
    if not path.exists():
        raise InputError("还没有实际完成数据，请先运行 reportlib ingest", file=str(path))
    frame = pd.read_parquet(path)
    missing = [column for column in ACTUALS_COLUMNS if column not in frame.columns]
    if missing:
        raise InputError(f"实际完成数据缺少列：{', '.join(missing)}", file=str(path))
    frame = frame[ACTUALS_COLUMNS]
    if not include_superseded:
        frame = frame[~frame["superseded"]]
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- CLI


def summary_text(summary: dict) -> str:
    """Human-readable summary counts (Chinese), printed by ``reportlib ingest``."""
    lines = [
        f"读取文件 {summary['files_read']} 个（无法读取 {summary['files_failed']} 个），数据行 {summary['rows_read']} 行：",
        f"  采用 {summary['accepted']}，被更正替代 {summary['superseded']}，拒收 {summary['rejected']}，跳过 {summary['skipped']}（空行/表尾/未填写）",
    ]
    if summary["by_reason"]:
        lines.append("  拒收原因：" + "，".join(f"{code} {n}" for code, n in summary["by_reason"].items()))
    for error in summary["file_errors"]:
        lines.append(f"  文件问题：{error['message']}")
    return "\n".join(lines)


def run_ingest(args) -> int:
    """``reportlib ingest``: returns EXIT_BAD_INPUT under --strict when anything was rejected."""
    plan = _load_plan(Path(args.plan) if args.plan else None)
    result = ingest(Path(args.raw), Path(args.out), plan)
    print(summary_text(result.summary))
    print(f"输出：{Path(args.out) / (ACTUALS_FILE + '.parquet')}，拒收明细：{Path(args.out) / (REJECTS_FILE + '.csv')}")
    if args.strict and not result.clean:
        print("reportlib: --strict：存在拒收行或文件问题", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``reportlib ingest``."""
    parser = subparsers.add_parser(
        "ingest",
        help="读取各单位季度填报（xlsx/csv）→ data/processed/actuals.parquet",
        description="Read quarterly submissions, validate against the plan, write actuals/rejects/summary.",
    )
    parser.add_argument("--raw", default=str(paths.ACTUALS_RAW), help="submissions folder (read recursively)")
    parser.add_argument("--out", default=str(paths.DATA_PROCESSED), help="output folder")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plan/plan_2025.yaml)")
    parser.add_argument("--strict", action="store_true", help=f"exit {EXIT_BAD_INPUT} on any reject or file error")
    parser.set_defaults(func=run_ingest)
