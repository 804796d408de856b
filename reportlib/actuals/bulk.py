"""The ingest's bulk path: candidate rows column by column (:class:`Batch`) and the row rules
applied to sheets of texts (CSV, TSV, .txt) once per distinct cell value (:class:`TextSheetParser`)."""
from __future__ import annotations

import math
from array import array
from collections import Counter
from typing import Any, Protocol

from reportlib.actuals.cells import cell_text, parse_state
from reportlib.actuals.normalize import RowParser, classify_text_row, is_same_as_above, parse_figure, plan_unit, remark_note
from reportlib.actuals.readers import FileInfo, Sheet
from reportlib.actuals.records import Candidate, RowReject, flag_mask
from reportlib.actuals.rules import MILESTONE_KIND, SAMPLE_MARKER


class RowSink(Protocol):
    """Where :meth:`TextSheetParser.read` puts what it finds (the ingest's ledger,
    :class:`reportlib.actuals.ledger.Ingest`): candidates, skipped rows, rejects and warnings."""

    batch: "Batch"
    skipped: Counter

    def reject(self, file: str, sheet: str, row: int, rejected: RowReject) -> None: ...

    def warn(self, file: str, sheet: str, row: int, problem: RowReject) -> None: ...


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


SAME = object()  # memo entry of a 填报日期 cell saying 同上


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

    def report_date(self, raw: Any, quarter: str):
        iso, flags, problem = self.p.report_date_of(raw, quarter)
        return iso, flag_mask(flags), None if problem is None else self.kept(problem)

    def date_entry(self, raw: Any, quarter: str, year_bit: int):
        """The memo entry of a 填报日期 cell: SAME (同上), (iso, mask, problem), or for dates
        whose year comes from the quarter (10月9日) a dict quarter -> (iso, mask, problem)."""
        if is_same_as_above(raw):
            self.date_memo[raw] = SAME
            return SAME
        found = self.report_date(raw, quarter)
        entry = self.date_memo[raw] = {quarter: found} if found[1] & year_bit else found
        return entry

    @staticmethod
    def date_above(rows: list, row_number: int, first: int, c_date: int, inputs: list[int]) -> Any:
        """The 填报日期 of the nearest data row above ``row_number`` that is not itself 同上
        (None when there is none): what 同上 refers to."""
        for number in range(row_number - 1, first - 1, -1):
            row = rows[number - 1]
            if classify_text_row(row, inputs):
                continue
            value = row[c_date] if c_date < len(row) else None
            if not is_same_as_above(value):
                return value
        return None

    def read(self, ingest: RowSink, rel: str, sheet: Sheet, first: int, last: int, info: FileInfo) -> int:
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
        same_bit, bad_date_bit = flag_mask(["date_same_as_above"]), flag_mask(["bad_date"])
        year_bit = flag_mask(["date_year_from_quarter"])  # the date's year came from the row's quarter
        state_column_bit, remark_bit = flag_mask(["state_from_figure_column"]), flag_mask(["figure_with_remark"])
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
            remarks = None
            if kind == MILESTONE_KIND:
                raw = row[c_state]
                if (raw is None or not raw.strip()) and row[c_cum] is not None and parse_state(row[c_cum]):
                    raw = row[c_cum]
                    mask |= state_column_bit
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
                    if parsed[1] & remark_bit:
                        remarks = (remarks or []) + [(label, value)]
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
            date_raw = row[c_date]
            found = date_memo.get(date_raw)  # (iso, mask, problem); SAME for 同上; a dict by quarter for 10月9日
            if found is None:
                found = self.date_entry(date_raw, quarter, year_bit)
            if found is SAME:  # rare: the 填报日期 of the data row above
                mask |= same_bit
                date_raw = self.date_above(rows, row_number, first, c_date, inputs)
                found = date_memo.get(date_raw) if date_raw is not None else None
                if found is None:
                    found = self.date_entry(date_raw, quarter, year_bit) if date_raw is not None else (
                        "", bad_date_bit, RowReject("bad_date", self.p.label("report_date"), "同上",
                                                    "上面没有可沿用的日期，请把「同上」改为具体日期"))
            if found.__class__ is dict:
                by_quarter = found
                found = by_quarter.get(quarter)
                if found is None:
                    found = by_quarter[quarter] = self.report_date(date_raw, quarter)
            date, date_mask, problem = found
            mask |= date_mask
            if problem is not None:
                ingest.warn(rel, sheet_name, row_number, problem)
            value = row[c_note]
            note = value.strip() if value is not None else ""
            if remarks:
                for label, raw in remarks:
                    note = remark_note(note, label, raw.strip())
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
