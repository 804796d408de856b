"""Reading submission files into sheets of plain rows: one small reader per format.

The format is decided by the file's CONTENT (:func:`sniff_format`: zip with
``xl/workbook.xml`` → xlsx, OLE2 compound file → xls (also WPS ``.et``), zip with an
OpenDocument spreadsheet mimetype → ods, otherwise delimited text), never by its
extension; a file whose extension says otherwise is read by its content and noted
(``这是 .xls 文件，扩展名写成了 .xlsx``). The readers are registered in one table,
:data:`READERS`, at the bottom of this module; each returns the same plain
:class:`~reportlib.actuals.sheets.Sheet` rows (delimited text: :mod:`~reportlib.actuals.textfiles`),
within the reading limits of :mod:`~reportlib.actuals.limits`.

Reading costs what the data costs: the xlsx reader streams the sheet XML, skips
styled empty cells without building them, never trusts the declared ``<dimension>``
and drops trailing empty rows, so a sheet formatted down to row 1 048 576 costs what
its data rows cost.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from reportlib.actuals import limits
from reportlib.actuals.rules import EXTENSION_FORMATS, FORMAT_LABELS
from reportlib.actuals.sheets import FileInfo, FileProblem, Sheet  # noqa: F401 (part of this module's API)
from reportlib.actuals.textfiles import decode_bytes, read_csv_bytes, read_csv_file, read_text_file  # noqa: F401

# --------------------------------------------------------------------------- format by content

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def sniff_format(path: Path) -> str:
    """The real format of a file from its first bytes: ``xlsx``, ``xlsb``, ``xls``, ``ods`` or ``text``.

    Raises :class:`FileProblem` for a zip archive that is no spreadsheet.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "xl/workbook.bin" in names:
                    return "xlsb"
                if "mimetype" in names and archive.read("mimetype").strip().startswith(ODS_MIMETYPE):
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            raise FileProblem("corrupt_file", "压缩包已损坏，请重新导出或重新下载后提交") from None
        raise FileProblem("corrupt_file", "是压缩包而不是表格文件，请另存为 .xlsx 后提交")
    return "text"


def extension_note(path: Path, real: str) -> str:
    """``这是 .xls 文件，扩展名写成了 .xlsx`` when the extension names another format, else ""."""
    suffix = path.suffix.lower()
    expected = EXTENSION_FORMATS.get(suffix)
    if expected is None or expected == real or (real == "xls" and suffix == ".et"):
        return ""
    return f"这是{FORMAT_LABELS[real]}文件，扩展名写成了 {suffix}"


# --------------------------------------------------------------------------- shared helpers


def fill_merged_down(rows: list[list[Any]], ranges: Iterable[tuple[int, int, int, int]]) -> None:
    """Copy each merged range's value down its first column (a 季度 or 填报单位 cell merged
    over many rows applies to each of them). Horizontal spans keep only their first cell.

    ``ranges``: ``(min_row, max_row, min_col, max_col)``, 1-based and inclusive.
    """
    for min_row, max_row, min_col, _ in ranges:
        col, top = min_col - 1, min_row - 1
        if top >= len(rows) or col >= len(rows[top]):
            continue
        for index in range(top + 1, min(max_row, len(rows))):
            row = rows[index]
            if col >= len(row):
                row.extend([None] * (col + 1 - len(row)))
            row[col] = rows[top][col]


def percent_text(value: float) -> str:
    """A %-formatted cell as the text it shows: 1.283 → ``128.3%`` (exact decimal arithmetic)."""
    shown = (Decimal(repr(float(value))) * 100).normalize()
    return f"{shown:f}%"


def is_percent_format(number_format: str) -> bool:
    """Whether an Excel number format shows a percent (``0.0%``; a quoted "%" is literal text)."""
    unquoted = "".join(part for index, part in enumerate(str(number_format).split('"')) if index % 2 == 0)
    return "%" in unquoted.replace("\\%", "")


def trim_trailing(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows (whatever the declared dimension said)."""
    end = len(rows)
    while end and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[end - 1]):
        end -= 1
    del rows[end:]
    return rows


# --------------------------------------------------------------------------- xlsx (openpyxl, streamed)


def _xlsx_parser_class():
    """A WorkSheetParser that keeps cached values AND notes formulas, reads the row ``hidden``
    attribute, and skips styled empty cells without building them (one pass over the XML)."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    formula_tag = f"{{{SHEET_MAIN_NS}}}f"

    class StreamingParser(WorkSheetParser):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, data_only=True, **kwargs)
            self.hidden_rows: set[int] = set()
            self.formulas: dict[tuple[int, int], str] = {}

        def parse_row(self, row):
            number = row.get("r")
            self.row_counter = int(float(number)) if number else self.row_counter + 1
            self.col_counter = 0
            if row.get("hidden") in ("1", "true"):
                self.hidden_rows.add(self.row_counter)
            cells = []
            for element in row:
                if len(element) == 0:  # no <v>, <f> or <is>: a styled empty cell
                    self.col_counter += 1
                    continue
                cell = self.parse_cell(element)
                formula = element.find(formula_tag)
                if formula is not None:
                    self.formulas[(cell["row"], cell["column"] - 1)] = "=" + (formula.text or "")
                cells.append(cell)
            return self.row_counter, cells

    return StreamingParser


_ROOT_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NUMBER = re.compile(rb"[^>]*?\br=\"(\d+)\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)\"")
_SCAN_CHUNK = 1 << 20
_SCAN_OVERLAP = 512


def scan_sheet_xml(stream) -> tuple[int | None, list[str]]:
    """One fast pass over a worksheet's XML bytes: the number of the last row holding a value,
    formula or inline string (0 when no cell has one; None when that cannot be told, e.g.
    rows without numbers), and the merged ranges. Lets the parser stop at the data instead
    of the declared dimension or the last styled row. Byte searches only (C speed)."""
    last_value_row, last_row, merges = 0, 0, set()
    prefix = None
    tail = b""
    while True:
        chunk = stream.read(_SCAN_CHUNK)
        if not chunk:
            break
        limits.check_time()
        data = tail + chunk
        if prefix is None:
            match = _ROOT_PREFIX.search(data)
            if match is None:
                return None, []
            prefix = match.group(1) or b""
            values = re.compile(b"<" + re.escape(prefix) + rb"(?:v[ >]|is[ >]|f[ >])")
            row_tag = b"<" + prefix + b"row"
        position = -1
        first = values.search(data)  # most chunks of a styled tail hold none
        if first is not None:
            for found in values.finditer(data, first.start()):
                position = found.start()
        if position >= 0:
            row_at = data.rfind(row_tag, 0, position)
            while row_at >= 0 and data[row_at + len(row_tag):row_at + len(row_tag) + 1] not in (b" ", b">", b"\t", b"\n", b"\r"):
                row_at = data.rfind(row_tag, 0, row_at)  # <rowBreaks> …
            number = _ROW_NUMBER.match(data, row_at + len(row_tag)) if row_at >= 0 else None
            if number is not None:
                last_value_row = max(last_value_row, int(number.group(1)))
            elif row_at < 0 and last_row:
                last_value_row = max(last_value_row, last_row)  # the row began in an earlier chunk
            else:
                return None, []
        row_at = data.rfind(row_tag)
        number = _ROW_NUMBER.match(data, row_at + len(row_tag)) if row_at >= 0 else None
        if number is not None:
            last_row = int(number.group(1))
        if b"mergeCell" in data:
            merges.update(m.group(1).decode() for m in _MERGE.finditer(data))
        tail = data[-_SCAN_OVERLAP:]
    return last_value_row, sorted(merges)


def read_xlsx_file(path: Path) -> list[Sheet]:
    """Every worksheet's cached values, formulas (never evaluated), hidden rows and sheets.

    A %-formatted number becomes the text it shows (``128.3%``); vertically merged
    cells are filled down (:func:`fill_merged_down`).
    """
    import openpyxl
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    parser_class = _xlsx_parser_class()
    try:
        limits.check_archive(path, streamed_parts=("xl/worksheets/",))  # (worksheets are streamed, styled empty rows skipped)
    except (zipfile.BadZipFile, OSError):
        raise FileProblem("corrupt_file", "压缩包已损坏，请重新导出或重新下载后提交") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # untrusted file: any parser failure means "corrupt"
            raise FileProblem("corrupt_file", "Excel 无法识别其内容，请在 Excel 中打开后另存为 .xlsx 再提交") from None
        try:
            percent_styles = set()
            for style_id, style in enumerate(book._cell_styles):
                number_id = style.numFmtId
                fmt = (BUILTIN_FORMATS.get(number_id, "General") if number_id < BUILTIN_FORMATS_MAX_SIZE
                       else book._number_formats[number_id - BUILTIN_FORMATS_MAX_SIZE])
                if is_percent_format(fmt):
                    percent_styles.add(style_id)
            sheets = []
            for worksheet in book.worksheets:
                if not hasattr(worksheet, "_get_source"):
                    continue  # a chart sheet
                with worksheet._get_source() as source:
                    stop, merge_refs = scan_sheet_xml(source)
                with worksheet._get_source() as source:
                    parser = parser_class(source, worksheet._shared_strings, epoch=book.epoch,
                                          date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
                    rows: list[list[Any]] = []
                    for number, cells in parser.parse():
                        if stop is not None and number > stop:
                            break  # only styled empty rows follow
                        if not cells:
                            continue
                        limits.count_cells(len(cells))
                        while len(rows) < number - 1:
                            rows.append([])
                        values: list[Any] = []
                        for cell in cells:
                            value = cell["value"]
                            limits.check_text(value, f"工作表「{worksheet.title}」第{number}行")
                            if cell["style_id"] in percent_styles and isinstance(value, (int, float)) and not isinstance(value, bool):
                                value = percent_text(value)
                            column = cell["column"] - 1
                            if column >= len(values):
                                values.extend([None] * (column + 1 - len(values)))
                            values[column] = value
                        rows.append(values)
                    trim_trailing(rows)
                    ranges = [_range(ref if ":" in ref else f"{ref}:{ref}") for ref in merge_refs]
                    merged = [(r.min_row, r.max_row, r.min_col, r.max_col) for r in ranges]
                    fill_merged_down(rows, merged)
                sheets.append(Sheet(worksheet.title, rows, parser.formulas,
                                    hidden=getattr(worksheet, "sheet_state", "visible") != "visible",
                                    hidden_rows=parser.hidden_rows))
        except FileProblem:
            raise
        except Exception:
            raise FileProblem("corrupt_file", "工作簿内容不完整，请在 Excel 中打开后另存为 .xlsx 再提交") from None
        finally:
            book.close()
    return sheets


def _range(ref: str):
    from openpyxl.worksheet.cell_range import CellRange

    return CellRange(ref)


# --------------------------------------------------------------------------- xls (xlrd), other formats (calamine)


def read_xls_file(path: Path) -> list[Sheet]:
    """Excel 97–2003 (and WPS .et saved in that format) through xlrd, with formatting:
    hidden rows and sheets, % number formats, dates, merged cells. Files xlrd cannot
    read go to :func:`read_calamine_file`."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception:
        return read_calamine_file(path)
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows: list[list[Any]] = []
            for r in range(sheet.nrows):
                values: list[Any] = []
                row = sheet.row(r)
                limits.count_cells(sum(cell.ctype not in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) for cell in row))
                for c, cell in enumerate(row):
                    value: Any = cell.value
                    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        value = None
                    elif cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate_as_datetime(value, book.datemode)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        value = bool(value)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        value = xlrd.error_text_from_code.get(value, "#ERROR")
                    elif cell.ctype == xlrd.XL_CELL_TEXT:
                        limits.check_text(value, f"工作表「{sheet.name}」第{r + 1}行")
                    elif cell.ctype == xlrd.XL_CELL_NUMBER:
                        xf = book.xf_list[sheet.cell_xf_index(r, c)]
                        fmt = book.format_map.get(xf.format_key)
                        if fmt is not None and is_percent_format(fmt.format_str):
                            value = percent_text(value)
                    values.append(value)
                rows.append(values)
            trim_trailing(rows)
            fill_merged_down(rows, [(rlo + 1, rhi, clo + 1, chi) for rlo, rhi, clo, chi in sheet.merged_cells])
            hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
            sheets.append(Sheet(sheet.name, rows, hidden=sheet.visibility != 0, hidden_rows=hidden_rows))
            book.unload_sheet(index)
    except FileProblem:
        raise
    except Exception:
        raise FileProblem("corrupt_file", "无法读取这个 .xls 文件，请在 Excel 或 WPS 中打开后另存为 .xlsx 再提交") from None
    finally:
        book.release_resources()
    return sheets


def read_calamine_file(path: Path) -> list[Sheet]:
    """.xlsb and what xlrd cannot read, through python-calamine (values; hidden sheets
    from the workbook's metadata; hidden rows and number formats are not known)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    if zipfile.is_zipfile(path):
        limits.check_archive(path)  # (calamine unpacks a sheet whole)
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for meta in book.sheets_metadata:
            sheet = book.get_sheet_by_name(meta.name)
            limits.check_grid(sheet.height, sheet.width, meta.name)
            rows = []
            for number, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
                values = [None if v == "" else v for v in row]
                limits.count_cells(sum(v is not None for v in values))
                for value in values:
                    limits.check_text(value, f"工作表「{meta.name}」第{number}行")
                rows.append(values)
            sheets.append(Sheet(meta.name, trim_trailing(rows), hidden=meta.visible != SheetVisibleEnum.Visible))
    except FileProblem:
        raise
    except Exception:
        raise FileProblem("corrupt_file", "无法读取这个表格文件（可能已损坏或有密码保护），请另存为 .xlsx 后提交") from None
    return sheets


ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def ods_layout(path: Path) -> dict[str, tuple[set[int], set[tuple[int, int]]]]:
    """Per sheet of an .ods: hidden rows (1-based) and percentage cells ((1-based row, 0-based col)),
    from content.xml's ``table:visibility`` and ``office:value-type="percentage"`` (what calamine
    does not report). Repeated rows and cells are counted, never expanded."""
    import xml.etree.ElementTree as ElementTree

    layout: dict[str, tuple[set[int], set[tuple[int, int]]]] = {}
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        name, row_number = "", 0
        for event, element in ElementTree.iterparse(content, events=("start", "end")):
            if element.tag == ODS_TABLE + "table" and event == "start":
                name, row_number = element.get(ODS_TABLE + "name", ""), 0
                layout[name] = (set(), set())
            elif element.tag == ODS_TABLE + "table-row" and event == "end":
                repeat = int(element.get(ODS_TABLE + "number-rows-repeated", "1"))
                valued = sum(int(cell.get(ODS_TABLE + "number-columns-repeated", "1")) for cell in element
                             if cell.get(ODS_OFFICE + "value-type") or len(cell))
                limits.count_cells(valued * repeat)  # what calamine would unpack
                hidden_rows, percent_cells = layout[name]
                if element.get(ODS_TABLE + "visibility", "visible") != "visible" and len(element):
                    hidden_rows.update(range(row_number + 1, row_number + 1 + (repeat if repeat <= 10000 else 1)))
                col = 0
                for cell in element:
                    span = int(cell.get(ODS_TABLE + "number-columns-repeated", "1"))
                    if cell.get(ODS_OFFICE + "value-type") == "percentage" and repeat == 1:
                        percent_cells.update((row_number + 1, c) for c in range(col, col + min(span, 1024)))
                    col += span
                row_number += repeat
                element.clear()
    return layout


def read_ods_file(path: Path) -> list[Sheet]:
    """OpenDocument spreadsheets: values through python-calamine, hidden rows and
    percentage cells from :func:`ods_layout`."""
    if zipfile.is_zipfile(path):
        limits.check_archive(path)
    try:
        with limits.reading(limits.Budget(max_cells=limits.budget().max_cells)):  # (counted again as calamine reads)
            layout = ods_layout(path)
    except FileProblem:
        raise
    except Exception:
        raise FileProblem("corrupt_file", "无法读取这个 .ods 文件的内容，请另存为 .xlsx 后提交") from None
    sheets = read_calamine_file(path)
    for sheet in sheets:
        hidden_rows, percent_cells = layout.get(sheet.name, (set(), set()))
        sheet.hidden_rows = {r for r in hidden_rows if r <= len(sheet.rows)}
        for r, c in percent_cells:
            if r <= len(sheet.rows) and c < len(sheet.rows[r - 1]):
                value = sheet.rows[r - 1][c]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.rows[r - 1][c] = percent_text(value)
    return sheets


# --------------------------------------------------------------------------- the registry

Reader = Callable[[Path], list[Sheet]]

READERS: dict[str, Reader] = {
    "xlsx": read_xlsx_file,
    "xls": read_xls_file,
    "ods": read_ods_file,
    "xlsb": read_calamine_file,
    "text": read_text_file,
}
