"""Reading submission files into sheets of plain rows, one reader per format."""
from __future__ import annotations

import csv
import io
import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable


from reportlib.actuals.headers import find_header
from reportlib.actuals.rules import CSV_DELIMITERS, HEADER_SCAN_ROWS
from reportlib.encoding import UndecodableError, decode as decode_text

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


