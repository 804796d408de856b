"""One data row into a candidate: KPI, quarter, figures with units, state, date; and row classification."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any


from reportlib.actuals.cells import cell_text, fold, folder_quarter, is_blank, parse_state
from reportlib.actuals.headers import Header, _is_header_like, _map_row
from reportlib.actuals.readers import Sheet
from reportlib.actuals.records import Candidate, KpiIndex, RowReject
from reportlib.actuals.rules import AMBIGUOUS_GROUPING, NEGATIVE_SIGNS, THOUSANDS
from reportlib.actuals.rules import COUNT_UNIT_SYNONYMS, FIGURE_LEAD_WORDS, FIGURE_NEGATING_WORDS, REMARK_OPENERS, SAME_AS_ABOVE
from reportlib.actuals.rules import BLANK_UNIT_TEXTS, FIELD_LABELS, FIGURE_FILLER_WORDS, FOOTER_PREFIXES, MILESTONE_KIND, MIN_HEADER_FIELDS, PERCENT_UNIT, PERCENT_UNIT_WORDS, POINT_IN_TIME_KINDS, ZERO_TARGET_KIND
from reportlib.quarters import (
    QuarterError,
    parse_date,
    parse_quarter,
    parse_month_day,
    quarter_index,
    quarter_label,
    quarter_start_date,
    quarter_year,
)
from reportlib.units import UnitError, canonical_unit, convert, find_quantities, parse_number, parse_quantity

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
    if text[:1] in NEGATIVE_SIGNS and len(text) > 1:  # -2.5%, −3个: a signed quantity
        unsigned = read_number_text(text[1:].lstrip())
        return None if unsigned is None else (-unsigned[0], unsigned[1], unsigned[2])
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


def ambiguous_grouping(text: str) -> bool:
    """A number whose digits are grouped by a comma or 顿号 that is no thousands separator
    (``2,15``, ``1,2345``, ``2、15``): neither 2 nor 215, so never read as either."""
    return AMBIGUOUS_GROUPING.match(text) is not None and THOUSANDS.match(text) is None


def grouping_readings(text: str) -> tuple[float, float]:
    """The two readings of an ambiguously grouped number: the first separator as a decimal
    point and the separators dropped (``2,15`` → 2.15 and 215; ``-1,2345`` → -1.2345 and -12345)."""
    match = re.match(r"^([-+]?)(\d+(?:[,、]\d+)+)(\.\d+)?", text)
    sign = -1.0 if match.group(1) == "-" else 1.0
    parts = re.split("[,、]", match.group(2))
    return sign * float(f"{parts[0]}.{''.join(parts[1:])}"), sign * float("".join(parts) + (match.group(3) or ""))


def leading_quantity(text: str) -> tuple[float, str | None, bool] | None:
    """A figure followed by a remark, or after a lead word: ``9（含续建3个）`` → 9,
    ``9个（东坪、西冶等9个村居）`` → 9 个, ``同比增长8.2%`` → 8.2 %, ``同比下降3%`` → -3 %.

    Only the first quantity counts, only lead words (``FIGURE_LEAD_WORDS``,
    ``FIGURE_NEGATING_WORDS``) may stand before it, and what follows must open a remark
    (``REMARK_OPENERS``); otherwise None (``见附件3`` is still no number).
    """
    stripped = text.strip()
    sign = 1.0
    for word in FIGURE_NEGATING_WORDS + FIGURE_LEAD_WORDS:
        if stripped.startswith(word):
            sign = -1.0 if word in FIGURE_NEGATING_WORDS else 1.0
            stripped = stripped[len(word):].lstrip()
            break
    found = find_quantities(stripped)
    if not found or found[0].start != 0:
        return None
    first = found[0]
    rest = stripped[first.end:]
    if rest and not rest.lstrip().startswith(REMARK_OPENERS) and not rest.startswith(REMARK_OPENERS):
        return None
    head = read_number_text(stripped[:first.end])
    if head is None:
        return None
    value, unit, approximate = head
    return sign * value, unit, approximate


def parse_figure(value: Any, column: str, *, row_unit: str, kpi: dict) -> tuple[float, set[str], bool] | None:
    """Read one figure cell into the plan's unit.

    Returns ``(value, flags, approximate)`` or None when the cell is blank; raises
    :class:`RowReject` for unreadable numbers and incompatible units. The cell's own
    unit wins over ``row_unit`` (the 单位 column or the header's bracket); with neither
    the figure is taken to be in the plan's unit. See the module docstring for the
    percent rule.
    """
    if is_blank(value):
        return None
    raw = cell_text(value)
    if isinstance(value, bool) or hasattr(value, "isoformat"):
        raise RowReject("bad_number", column, raw)
    unit, approximate = None, False
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = fold(value)
        if ambiguous_grouping(text):  # kept as its first reading; the judgement holds it, naming both
            return grouping_readings(text)[0], {"ambiguous_number"}, False
        parsed = read_number_text(text)
        if parsed is None:
            parsed = leading_quantity(text)
            if parsed is None:
                raise RowReject("bad_number", column, raw)
            remark = True
        else:
            remark = False
        number, unit, approximate = parsed
    if not math.isfinite(number):
        raise RowReject("bad_number", column, raw)
    flags: set[str] = {"figure_with_remark"} if not isinstance(value, (int, float)) and remark else set()
    if unit is None and row_unit:
        unit, factor = _unit_of(row_unit, FIELD_LABELS["unit"])
        number = convert(number, row_unit, unit)  # decimal arithmetic: 0.69万 is exactly 6900
        if factor != 1:
            flags.add("unit_converted")
    target_unit = plan_unit(kpi)
    if target_unit == PERCENT_UNIT:
        if unit not in (None, PERCENT_UNIT):
            raise RowReject("incompatible_unit", column, raw, f"计划单位为%，填写的单位为{unit}")
        # a bare 0.95 is kept as typed: the judgement decides between 0.95 % and 95 %
        # (reportlib.actuals.judge), against the KPI's kind and target
        return number, flags, approximate
    if unit is not None and target_unit and unit != target_unit:
        try:
            number = convert(number, unit, target_unit)
            flags.add("unit_converted")
        except UnitError:
            if not same_thing(unit, target_unit):
                raise RowReject("incompatible_unit", column, raw, f"计划单位为{target_unit}，填写的单位为{unit}") from None
            flags.add("unit_synonym")
    return number, flags, approximate


def same_thing(unit: str, other: str) -> bool:
    """Whether two count units name the same thing (``COUNT_UNIT_SYNONYMS``: 家 and 个)."""
    return any(unit in group and other in group for group in COUNT_UNIT_SYNONYMS)


def remark_note(note: str, label: str, raw: str) -> str:
    """The 进展说明 with a figure's remark kept: ``…（累计完成填写为「9（含续建3个）」）``."""
    kept = f"（{label}填写为「{raw}」）"
    return note + kept if kept not in note else note


class RowParser:
    """Turns the data rows of one sheet into candidates and rejects."""

    def __init__(self, index: KpiIndex, year: int, header: Header, file: str, sheet: Sheet):
        self.index, self.year, self.header, self.file, self.sheet = index, year, header, file, sheet
        self.folder_quarter = folder_quarter(file)
        self.above_date: Any = None  # the 填报日期 of the data row above (for 同上)
        self.problems: list[RowReject] = []  # problems with accepted rows (bad 填报日期), reported as file notes

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
        used = [(name, col, True) for name, col in self.header.columns.items()]
        used += [(name, col, False) for name, cols in self.header.others.items() for col in cols]
        for name, col, in_use in sorted(used, key=lambda item: item[1]):
            formula = self.sheet.formulas.get((row_number, col))
            if formula is None:
                continue
            if is_blank(row[col] if col < len(row) else None):
                label = self.label(name) if in_use else cell_text(self.header_text(col)) or self.label(name)
                raise RowReject("formula_without_value", label, formula)
            if in_use:
                flags.add("formula_value")
        return flags

    def header_text(self, col: int) -> str:
        """The header text of a column (for messages about columns not in use)."""
        row = self.sheet.rows[self.header.row - 1] if self.header.row <= len(self.sheet.rows) else []
        return row[col] if col < len(row) and row[col] is not None else ""

    def quarter(self, row: list[Any]) -> tuple[str, set[str]]:
        """The row's quarter (or its folder's), validated against the plan year."""
        return self.quarter_of(self.get(row, "quarter"))

    def quarter_of(self, raw: Any) -> tuple[str, set[str]]:
        """:meth:`quarter` of a 季度 cell value."""
        flags = set()
        if is_blank(raw):
            if not self.folder_quarter:
                raise RowReject("missing_value", self.label("quarter"), "", "未填写季度")
            quarter = self.folder_quarter
            flags.add("quarter_from_folder")
        else:
            try:
                quarter = parse_quarter(raw, default_year=self.year)
            except QuarterError as exc:
                detail = str(exc) if str(exc).startswith("「") else ""
                raise RowReject("bad_quarter", self.label("quarter"), cell_text(raw), detail) from None
        if quarter_year(quarter) != self.year:
            raise RowReject(
                "quarter_mismatch", self.label("quarter") if not is_blank(raw) else "", cell_text(raw) or quarter,
                f"{quarter_label(quarter)}不属于计划年度{self.year}年",
            )
        if self.folder_quarter and quarter != self.folder_quarter:
            flags.add("quarter_differs_from_folder")
        for name, index in self.header.quarters.items():
            if quarter_index(quarter) != index:
                raise RowReject("column_quarter_mismatch", self.label("quarter") if not is_blank(raw) else self.label(name),
                                cell_text(raw) or quarter, f"本行为{quarter_label(quarter)}，「{self.label(name)}」列是第{index}季度的数")
        return quarter, flags

    def report_date(self, row: list[Any], quarter: str) -> tuple[str, set[str], RowReject | None]:
        """ISO 填报日期 ("" when blank), flags, and the problem to report (never a reject of the row).

        ``同上`` (``SAME_AS_ABOVE``) is the 填报日期 of the data row above (flag
        ``date_same_as_above``); the row above's own 同上 is followed.
        """
        raw = self.get(row, "report_date")
        flags: set[str] = set()
        if is_same_as_above(raw):
            flags.add("date_same_as_above")
            if self.above_date is None:
                self.above_date = raw
                return "", flags | {"bad_date"}, RowReject("bad_date", self.label("report_date"), cell_text(raw), "上面没有可沿用的日期，请把「同上」改为具体日期")
            raw = self.above_date
        else:
            self.above_date = raw
        date, more, problem = self.report_date_of(raw, quarter)
        return date, flags | more, problem

    def report_date_of(self, raw: Any, quarter: str) -> tuple[str, set[str], RowReject | None]:
        """:meth:`report_date` of a 填报日期 cell value (not 同上) for a row of ``quarter``.

        ``10月9日`` takes the quarter's year (the next year when that day would fall
        before the quarter began: a Q4 report dated 1月9日), flag
        ``date_year_from_quarter``. An unreadable date is flagged ``bad_date`` and left
        blank: a bad 填报日期 never vetoes a good figure.
        """
        if is_blank(raw):
            return "", set(), None
        try:
            return parse_date(raw).isoformat(), set(), None
        except QuarterError:
            pass
        year = quarter_year(quarter)
        day = parse_month_day(raw, year)
        if day is not None:
            if day < quarter_start_date(quarter):
                day = parse_month_day(raw, year + 1) or day
            return day.isoformat(), {"date_year_from_quarter"}, None
        return "", {"bad_date"}, RowReject("bad_date", self.label("report_date"), cell_text(raw), "请填写如 2025-10-09 的日期")

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
        return unit_text_of(row_unit or known_unit(self.header.units.get(name, "")))

    def state_of(self, raw_state: Any) -> str:
        """A milestone's state code from its 完成情况 cell, or :class:`RowReject`."""
        if is_blank(raw_state):
            raise RowReject("missing_value", self.label("state") if "state" in self.header.columns else FIELD_LABELS["state"], "", "里程碑类指标须填写完成情况")
        state = parse_state(raw_state) or ""
        if not state:
            raise RowReject("bad_state", self.label("state"), cell_text(raw_state))
        return state

    def no_figures(self) -> RowReject:
        """The reject of a non-milestone row with neither figure."""
        return RowReject("missing_value", self.label("cumulative") if "cumulative" in self.header.columns else FIELD_LABELS["cumulative"], "", "累计完成和本季度完成都未填写")

    def parse(self, row_number: int, row: list[Any]) -> Candidate:
        """Parse one data row or raise :class:`RowReject` (carrying the KPI, as resolved or as
        typed, and the quarter once read)."""
        self.current_kpi, self.current_quarter = "", ""
        try:
            return self.parse_row(row_number, row)
        except RowReject as rejected:
            rejected.kpi, rejected.quarter = self.kpi_of(row), self.current_quarter
            raise

    def kpi_of(self, row: list[Any]) -> tuple[str, str]:
        """(id, name) of a row's KPI: the plan's when it resolves, else as typed."""
        typed = (self.text(row, "kpi_id"), self.text(row, "name"))
        try:
            kpi_id = self.current_kpi or self.index.resolve(*typed, self.header.labels)[0]
        except RowReject:
            return typed
        return kpi_id, self.index.name(kpi_id)

    def parse_row(self, row_number: int, row: list[Any]) -> Candidate:
        """:meth:`parse` without the KPI attached to a reject."""
        raw_date = self.get(row, "report_date")
        above = self.above_date
        self.above_date = above if is_same_as_above(raw_date) else raw_date
        flags = self.check_formulas(row_number, row)
        kpi_id, id_flags = self.index.resolve(self.text(row, "kpi_id"), self.text(row, "name"), self.header.labels)
        self.current_kpi = kpi_id
        kpi = self.index.by_id[kpi_id]
        kind = str(kpi.get("kind") or "")
        quarter, quarter_flags = self.quarter(row)
        self.current_quarter = quarter
        state = ""
        figures: dict[str, float | None] = {"cumulative": None, "increment": None}
        approximate = False
        note = self.text(row, "note")
        if kind == MILESTONE_KIND:
            raw_state = self.get(row, "state")
            if is_blank(raw_state) and parse_state(self.get(row, "cumulative")):
                raw_state = self.get(row, "cumulative")
                flags.add("state_from_figure_column")
            state = self.state_of(raw_state)
        else:
            figures, figure_flags, approximate = self.figures(row, kpi)
            flags |= figure_flags
            if figures["cumulative"] is None and figures["increment"] is None:
                raise self.no_figures()
            if "figure_with_remark" in figure_flags:
                for name in ("cumulative", "increment"):
                    cell = self.get(row, name)
                    if isinstance(cell, str) and read_number_text(fold(cell)) is None and not is_blank(cell):
                        note = remark_note(note, self.label(name), cell_text(cell))
        if approximate:
            flags.add("approximate")
        self.above_date = above
        report_date, date_flags, problem = self.report_date(row, quarter)
        flags |= date_flags
        if problem is not None:
            self.problems.append((row_number, problem))
        return Candidate(
            kpi_id=kpi_id, kind=kind, point_in_time=is_point_in_time(kind, plan_unit(kpi)), quarter=quarter,
            cumulative=figures["cumulative"], increment=figures["increment"], state=state,
            approximate=approximate, note=note,
            reporting_unit=self.text(row, "reporting_unit"), reporter=self.text(row, "reporter"),
            report_date=report_date, source_file=self.file, source_sheet=self.sheet.name,
            source_row=row_number, flags=flags | id_flags | quarter_flags,
            increment_column=self.label("increment") if "increment" in self.header.columns else "",
            increment_raw=self.text(row, "increment"), cumulative_raw=self.text(row, "cumulative"),
        )


def is_same_as_above(value: Any) -> bool:
    """A 填报日期 cell saying "the same as above" (同上)."""
    return isinstance(value, str) and fold(value) in SAME_AS_ABOVE


def unit_text_of(text: str) -> str:
    """A unit cell's text: 'none' placeholders are blank, 百分比/百分率 mean %."""
    text = fold(text or "")
    if text in BLANK_UNIT_TEXTS:
        return ""
    return PERCENT_UNIT if text in PERCENT_UNIT_WORDS else text


# --------------------------------------------------------------------------- per-sheet classification


def classify_row(row: list[Any], formulas_in_row: bool, header: Header) -> str | None:
    """Why a row is skipped ('blank', 'footer', 'repeated_header', 'unfilled'), or None for data."""
    if not formulas_in_row and all(is_blank(value) for value in row):
        return "blank"
    first = next((cell_text(value) for value in row if not is_blank(value)), "")
    if fold(first).startswith(FOOTER_PREFIXES):
        return "footer"
    if _is_header_like(row) and len(_map_row(row)[0]) >= MIN_HEADER_FIELDS:
        return "repeated_header"
    inputs = [header.columns[name] for name in ("cumulative", "increment", "state", "note") if name in header.columns]
    if not formulas_in_row and inputs and all(is_blank(row[col] if col < len(row) else None) for col in inputs):
        return "unfilled"
    return None


def first_text(row: list[Any]) -> str | None:
    """The first non-blank cell of a row of texts (CSV), or None when the row is blank."""
    for value in row:
        if value is not None and value.strip():
            return value
    return None


@lru_cache(maxsize=1 << 16)
def is_footer_text(text: str) -> bool:
    """Whether a row whose first non-blank cell is ``text`` is a footer row."""
    return fold(text).startswith(FOOTER_PREFIXES)


def classify_text_row(row: list[Any], inputs: list[int]) -> str | None:
    """:func:`classify_row` for a row of texts or None (a CSV row, which holds no formulas)."""
    first = first_text(row)
    if first is None:
        return "blank"
    if is_footer_text(first.strip()):
        return "footer"
    if _is_header_like(row) and len(_map_row(row)[0]) >= MIN_HEADER_FIELDS:
        return "repeated_header"
    width = len(row)
    for col in inputs:
        value = row[col] if col < width else None
        if value is not None and value.strip():
            return None
    return "unfilled" if inputs else None


