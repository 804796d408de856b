"""Delimited text submissions (CSV, TSV, Excel's UTF-16 "Unicode 文本"): decoded, the delimiter
chosen by the header it yields, parsed within the reading limits, and refused when a stray quote
swallowed whole records (never merged silently)."""
from __future__ import annotations

import csv
import io
import itertools
from collections import Counter
from pathlib import Path

from reportlib.actuals import limits
from reportlib.actuals.headers import find_header
from reportlib.actuals.rules import CSV_DELIMITERS, HEADER_SCAN_ROWS, MAX_FIELD_CHARS, MIN_HEADER_FIELDS
from reportlib.actuals.sheets import FileProblem, Sheet
from reportlib.encoding import UndecodableError, decode as decode_text



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
    """:func:`read_csv_file` of a file's bytes (UTF-16 "Unicode 文本" exports included)."""
    text, encoding = decode_bytes(data)
    if "\x00" in text:
        raise FileProblem("corrupt_file", "不是文本文件，也不是可识别的表格文件")
    best_delimiter, best_score, best_header = CSV_DELIMITERS[0], -1, None
    for delimiter in CSV_DELIMITERS:
        if delimiter not in text:
            header = None  # one cell per row: no header can be found (it needs MIN_HEADER_FIELDS cells)
        else:
            # find_header looks at the first HEADER_SCAN_ROWS rows and the one below them
            csv.field_size_limit(MAX_FIELD_CHARS)
            try:
                head = list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_SCAN_ROWS + 1))
            except csv.Error:
                head = []  # a cell past the limit among the first rows: parse_csv says where
            header = find_header(head)
        score = len(header[1]) if header else 0
        if score > best_score:
            best_delimiter, best_score, best_header = delimiter, score, header
    rows = parse_csv(text, best_delimiter)
    return [Sheet("", rows, scanned=True, found=best_header)], encoding


def parse_csv(text: str, delimiter: str) -> list[list[str]]:
    """The records of delimited text, within the reading limits (:mod:`~reportlib.actuals.limits`:
    cells, one cell's length). A record that spans lines is normal (a remark with line breaks in
    quotes); one whose quoted cell holds lines that are records themselves is a stray ``"`` that
    swallowed them, and the file is refused naming the lines (:func:`swallowed_lines`)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limits.LimitPassed("field_too_long", f"第{reader.line_num}行有一格超过 {MAX_FIELD_CHARS:,} 个字符的上限"
                                                       "（Excel 一格最多能放这么多；也可能是一个英文双引号没有配对，把其后的内容都并进了这一格）；"
                                                       "请检查这一行后重新提交") from None
        raise FileProblem("corrupt_file", f"第{reader.line_num}行无法按文本表格读取") from None
    limits.count_cells(sum(len(row) for row in rows))
    if reader.line_num > len(rows):  # some record spans lines: look closer
        swallowed = swallowed_lines(text, delimiter, rows)
        if swallowed:
            raise FileProblem("quote_swallow", swallowed)
    return rows


def swallowed_lines(text: str, delimiter: str, rows: list[list[str]]) -> str:
    """Where a quoted cell swallowed whole records: "第12行…第13—21行…", or "" when none did.

    A line inside a multi-line cell is taken for a swallowed record when it holds as many delimiters
    as the file's usual record has (at least MIN_HEADER_FIELDS - 1): a remark's own line breaks do
    not come with a row's worth of commas."""
    widths = Counter(len(row) for row in rows if len(row) >= MIN_HEADER_FIELDS)
    if not widths:
        return ""
    usual = widths.most_common(1)[0][0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found = []
    start = 1
    for row in reader:
        end = reader.line_num
        if end > start:
            for column, cell in enumerate(row):
                inner = cell.split("\n")[1:]
                if sum(line.count(delimiter) >= usual - 1 for line in inner):
                    found.append((start, end, column))
        start = end + 1
    if not found:
        return ""
    first, last, column = found[0]
    more = f"；另有 {len(found) - 1} 处相同的问题" if len(found) > 1 else ""
    return (f"第{first}行第{column + 1}列的内容以英文双引号开头却没有配对，第{first + 1}—{last}行被并进了这一格，"
            f"这些行的数据会被漏读{more}；请删去这个引号或改用中文引号“”后重新提交")


def read_text_file(path: Path) -> list[Sheet]:
    """CSV/TSV/"Unicode 文本" (.txt) through :func:`read_csv_bytes` (see :func:`read_file`)."""
    return read_csv_bytes(path.read_bytes())[0]
