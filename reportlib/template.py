"""Excel submission templates: ``reportlib template --quarter 2025Q3 --out DIR``.

Layout (one decision, documented here and in the 填报说明 sheet):

* **One workbook per reporting unit** (the plan's ``owner``; KPIs without one go to
  ``UNASSIGNED_OWNER``), named ``2025Q3_<单位>_填报模板.xlsx``. Each unit fills and
  returns only its own file, and nobody can overwrite another unit's figures.
* Sheet ``填报说明``: instructions in Chinese (ingest skips a sheet of that name).
* Sheet ``指标填报``: a merged title row, a hint row, the header row, then one row per
  KPI pre-filled with 指标编号, 指标名称, 单位, 年度目标, the previous quarter's
  cumulative figure (or milestone state) from ``data/processed/actuals.parquet`` when
  present, 季度 and 填报单位.
* Grey cells (编号, 名称, 单位, 目标, 上季度累计, 季度, and the figure or state cells that
  do not apply to a KPI's kind) are locked by sheet protection (no password: it guards
  against slips, not people); white input cells are unlocked.
* Data validation: decimal numbers in 累计完成/本季度完成, a dropdown 已完成/推进中/未启动
  in 完成情况, a date in 填报日期.
* No formulas anywhere (ingest never evaluates them), every text cell passes through
  :func:`reportlib.actuals.neutralize`, and the header spellings are the ones
  :mod:`reportlib.actuals` reads, so a filled template ingests with no manual step.

:func:`save_workbook` writes any openpyxl workbook byte-for-byte reproducibly (fixed
document properties and zip timestamps); the sample-data generator uses it too.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reportlib import workspace
from reportlib.actuals import (
    ACTUALS_FILE,
    MILESTONE_KIND,
    STATE_LABELS,
    load_actuals,
    neutralize,
    plan_unit,
    write_bytes_atomic,
)
from reportlib.errors import InputError
from reportlib.progress import PERIOD_LABELS, PERIODS_PER_QUARTER, QUARTERS_PER_YEAR
from reportlib.quarters import (
    QuarterError,
    parse_quarter,
    previous_quarter,
    quarter_end_date,
    quarter_index,
    quarter_label,
    quarter_start_date,
    quarter_year,
)

INSTRUCTIONS_SHEET = "填报说明"
DATA_SHEET = "指标填报"
UNASSIGNED_OWNER = "未指定单位"
RECURRING_KIND = "recurring"
FILE_NAME_PATTERN = "{quarter}_{owner}_填报模板.xlsx"
# Document properties and zip entry times of every workbook written by save_workbook.
FIXED_TIMESTAMP = dt.datetime(1980, 1, 1, 0, 0, 0)  # (the earliest a zip entry can carry)
STATE_CHOICES = ("已完成", "推进中", "未启动")
NUMBER_LIMIT = 1_000_000_000_000  # decimal validation bound (either sign)
TITLE_ROW, HINT_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1

LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
# The workbook names a Chinese font (宋体/SimSun: on every Chinese Windows and in WPS; LibreOffice
# maps it to an installed CJK font) with the GB2312 charset, so a program without it substitutes a
# Chinese font rather than a Latin one (Calibri has no Chinese: boxes or a random fallback).
FONT_NAME = "宋体"
GB2312_CHARSET = 134
BODY_PT = 11  # printed at ≥ 10 pt (see PRINT_WIDTH_UNITS)
BODY_FONT = Font(name=FONT_NAME, charset=GB2312_CHARSET, size=BODY_PT)
HEADER_FONT = Font(name=FONT_NAME, charset=GB2312_CHARSET, size=BODY_PT, bold=True, color="FFFFFF")
TITLE_FONT = Font(name=FONT_NAME, charset=GB2312_CHARSET, bold=True, size=14)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Column:
    """One column of the data sheet."""

    key: str  # internal key
    header: str  # header text (read back by reportlib.actuals)
    width: int
    input: bool  # unlocked for the reporting unit


# Widths add up to PRINT_WIDTH_UNITS, so that the data sheet, printed one A4 landscape page wide,
# shows 11 pt text at 10 pt or more: LibreOffice lays a width unit out at WIDTH_UNIT_PX
# (1/96 in) with a Chinese default font (measured: 154 units printed at 8.1 pt; 218 at about 7 pt).
COLUMNS = (
    Column("kpi_id", "指标编号", 9, False),
    Column("name", "指标名称", 16, False),
    Column("unit", "单位", 5, False),
    Column("target", "年度目标", 11, False),
    Column("previous", "上季度累计完成", 8, False),
    Column("quarter", "季度", 7, False),
    Column("cumulative", "累计完成", 9, True),
    Column("increment", "本季度完成", 9, True),
    Column("state", "完成情况", 8, True),
    Column("note", "进展说明", 18, True),
    Column("reporting_unit", "填报单位", 8, True),
    Column("reporter", "填报人", 5, True),
    Column("report_date", "填报日期", 11, True),
)
PRINT_WIDTH_UNITS = 124
WIDTH_UNIT_PX = 9.36  # calibrated: LibreOffice prints these 124 units one page wide with 11 pt at 10.09 pt
PRINT_MARGIN_IN = 0.3  # left and right
MIN_DATA_ROW_HEIGHT_PT = 26  # about 9 mm: room to write a figure by hand
COLUMN_INDEX = {column.key: position for position, column in enumerate(COLUMNS, start=1)}
WRAPPED_COLUMNS = ("name", "target", "note")
INSTRUCTIONS_WIDTH = 70  # the 填报说明 column: fits an A4 portrait page at 100 % in Excel and LibreOffice
LINE_HEIGHT_PT = 15  # one line of 11 pt text
TITLE_ROW_HEIGHT_PT = 24

INSTRUCTIONS = (
    "填报说明",
    "1. 本表用于填报{organization}{label}重点工作指标完成情况，每个指标一行，请勿增删行列、改动表头。",
    "2. 灰色单元格（指标编号、指标名称、单位、年度目标、上季度累计完成、季度）为计划信息，已锁定，不能修改；如有错误请联系{organization}汇总人员。",
    "3. 累计完成：填写截至本季度末的全年累计数，只填数字，单位以“单位”列为准（如单位为平方米，8.5万平方米填 85000）。",
    "4. 本季度完成：填写本季度新增数。两项都填最好；只填本季度完成时，系统按上一季度累计数自动推算累计完成（上一季度未报送时无法推算，该行将被退回）。",
    "5. 单位为 % 的指标：填写百分数本身，如 95% 填 95，增长0.8%填 0.8，下降2.5%填 -2.5。不要填 0.95 之类的小数：只有一种理解与目标相符时系统才按 95% 换算并标记，两种理解都说得通时暂缓采用、退回核实。",
    "6. 里程碑类指标（无数字目标）：只需在“完成情况”中选择 已完成 / 推进中 / 未启动。",
    "7. 进展说明：简要写明进展、存在问题和下一步打算；内容将原样显示在报告中，请勿以 = + - @ 开头。",
    "8. 填报日期：填写报送日期，如 {example_date}。如需更正，请重新提交一份并填写更晚的填报日期，后报的数据自动替代先前数据（先前数据保留备查）。",
    "9. 请勿使用公式（系统不计算公式，公式单元格将被退回）；请保存为 .xlsx 格式，不要另存为 .xls。",
    "10. 本季度没有进展的指标可以不填，保持该行空白即可。",
    "11. 系统会核对每个数：个数应为整数、累计数不应下降、数量级与序时进度相符（防止万与平方米、小数点错位）等。明显异常的数暂缓采用，"
    "报告中标“待核实”并通知本单位；数据确实无误的（如集中完工），请在进展说明中写明原因和数量，由{organization}汇总人员核实确认后采用。",
)
# Added when the office takes submissions on its web page (reportlib intake links).
LINK_INSTRUCTION = ("11. 网上报送：用浏览器打开本单位专用链接 {link} ，上传填好的本表，页面立即显示每个指标的检查结果和回执号；"
                    "有退回的，按提示改正后重新上传。此链接只供本单位使用，请勿转发，{deadline}后失效。")


# --------------------------------------------------------------------------- deterministic save


def workbook_bytes(workbook: Workbook, timestamp: dt.datetime = FIXED_TIMESTAMP) -> bytes:
    """Serialise a workbook so that the same content always gives the same bytes.

    openpyxl stamps the save time into ``docProps/core.xml`` and every zip entry; both
    are replaced by ``timestamp``.
    """
    workbook.properties.creator = "reportlib"
    workbook.properties.lastModifiedBy = "reportlib"
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=timestamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return out.getvalue()


def save_workbook(workbook: Workbook, path: Path, timestamp: dt.datetime = FIXED_TIMESTAMP) -> Path:
    """Write a workbook reproducibly and atomically; returns the path."""
    write_bytes_atomic(Path(path), workbook_bytes(workbook, timestamp))
    return Path(path)


# --------------------------------------------------------------------------- content


def unit_of(value: Any) -> str:
    """Reporting unit of a KPI (``UNASSIGNED_OWNER`` when blank)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text or UNASSIGNED_OWNER


def safe_file_part(text: str) -> str:
    """Text usable in a file name on Windows and Unix."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._") or UNASSIGNED_OWNER


def previous_figures(quarter: str, processed_dir: Path | None) -> dict[str, Any]:
    """kpi_id -> previous quarter's cumulative figure (milestones: state label) from actuals.parquet;
    held figures are left out.

    Empty for Q1 (a new year starts from zero) or when no processed actuals exist.
    """
    directory = Path(processed_dir) if processed_dir else workspace.current().processed(quarter_year(quarter))
    if quarter_index(quarter) == 1 or not (directory / f"{ACTUALS_FILE}.parquet").exists():
        return {}
    actuals = load_actuals(directory)
    # a held figure (待核实) is no figure to build on: its cell stays blank
    rows = actuals[(actuals["quarter"] == previous_quarter(quarter)) & (actuals["judgement"] != "held")]
    figures: dict[str, Any] = {}
    for record in rows.to_dict("records"):
        if record["state"]:
            figures[record["kpi_id"]] = STATE_LABELS.get(record["state"], record["state"])
        elif pd.notna(record["cumulative"]):
            figures[record["kpi_id"]] = float(record["cumulative"])
    return figures


def target_cell(kpi: dict) -> tuple[Any, str | None]:
    """Value and number format of the 年度目标 cell."""
    if kpi.get("kind") == MILESTONE_KIND or kpi.get("target") is None or pd.isna(kpi.get("target")):
        due = kpi.get("due_quarter")
        due = int(due) if due is not None and not pd.isna(due) else 4
        return f"第{due}季度前完成", None
    target = float(kpi["target"])
    value = int(target) if target.is_integer() else target
    if kpi.get("kind") == RECURRING_KIND:
        period = str(kpi.get("period") or "year")
        per_year = target * PERIODS_PER_QUARTER.get(period, 0.25) * QUARTERS_PER_YEAR
        unit = plan_unit(kpi)
        return f"每{PERIOD_LABELS.get(period, period)}{value}{unit}（全年{per_year:g}{unit}）", None
    prefix = {"at_most": "不超过", "at_least": ""}.get(str(kpi.get("comparator") or ""), "")
    return value, (f'"{prefix}"General' if prefix else None)


def _row_values(kpi: dict, quarter: str, owner: str, previous: dict[str, Any]) -> dict[str, Any]:
    """Pre-filled values of one KPI row."""
    return {
        "kpi_id": kpi["kpi_id"],
        "name": kpi.get("name") or "",
        "unit": plan_unit(kpi),
        "previous": previous.get(kpi["kpi_id"]),
        "quarter": quarter,
        "reporting_unit": owner if owner != UNASSIGNED_OWNER else "",
    }


def _locked(column: Column, is_milestone: bool) -> bool:
    """Whether a cell is locked: plan columns always; figure/state cells not used by the kind."""
    if not column.input:
        return True
    if column.key in ("cumulative", "increment"):
        return is_milestone
    if column.key == "state":
        return not is_milestone
    return False


def _add_validations(sheet, last_row: int, year: int) -> None:
    """Decimal, list and date validation on the input columns."""
    def span(key: str) -> str:
        letter = get_column_letter(COLUMN_INDEX[key])
        return f"{letter}{FIRST_DATA_ROW}:{letter}{max(last_row, FIRST_DATA_ROW)}"

    numbers = DataValidation(
        type="decimal", operator="between", formula1=str(-NUMBER_LIMIT), formula2=str(NUMBER_LIMIT), allow_blank=True,
        showErrorMessage=True, errorTitle="请填写数字", error="累计完成、本季度完成只能填写数字（百分比指标填写如 95）。",
        showInputMessage=True, promptTitle="填写数字", prompt="单位以“单位”列为准，只填数字。",
    )
    numbers.add(span('cumulative'))
    numbers.add(span('increment'))
    states = DataValidation(
        type="list", formula1='"' + ",".join(STATE_CHOICES) + '"', allow_blank=True, showErrorMessage=True,
        errorTitle="请从列表中选择", error="完成情况请选择：" + "、".join(STATE_CHOICES) + "。",
    )
    states.add(span("state"))
    start = (dt.date(year, 1, 1) - dt.date(1899, 12, 30)).days
    end = (dt.date(year + 1, 12, 31) - dt.date(1899, 12, 30)).days
    dates = DataValidation(
        type="date", operator="between", formula1=str(start), formula2=str(end), allow_blank=True,
        showErrorMessage=True, errorTitle="请填写日期", error=f"填报日期请填写 {year}-01-01 至 {year + 1}-12-31 之间的日期，如 {year}-10-08。",
    )
    dates.add(span("report_date"))
    for validation in (numbers, states, dates):
        sheet.add_data_validation(validation)


def _write_instructions(workbook: Workbook, quarter: str, organization: str = "", link: str = "", deadline: str = "") -> None:
    """The 填报说明 sheet (first sheet); with ``link``, the unit's upload page and its ``deadline``."""
    sheet = workbook.active
    sheet.title = INSTRUCTIONS_SHEET
    example = (quarter_end_date(quarter) + dt.timedelta(days=8)).isoformat()
    lines = INSTRUCTIONS + ((LINK_INSTRUCTION,) if link else ())
    for row, line in enumerate(lines, start=1):
        text = line.format(label=quarter_label(quarter), example_date=example, organization=organization,
                           link=link, deadline=deadline)
        cell = sheet.cell(row=row, column=1, value=neutralize(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = BODY_FONT
        sheet.row_dimensions[row].height = _row_height(_wrapped_lines(text, INSTRUCTIONS_WIDTH))
    sheet["A1"].font = TITLE_FONT
    sheet.row_dimensions[1].height = TITLE_ROW_HEIGHT_PT
    sheet.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    _fit_page_width(sheet, landscape=False)


def _wrapped_lines(text: Any, width: float) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` characters wide.

    Spreadsheet programs do not all size rows to wrapped text when they open a file
    (LibreOffice keeps one line), so the template sets row heights itself. A Chinese
    character is two width units, as in a column width.
    """
    if text is None or text == "":
        return 1
    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
    return max(1, math.ceil(units / (width - 2)))


def _row_height(lines: int) -> float:
    return LINE_HEIGHT_PT * lines + 2


def _use_body_font_by_default(workbook: Workbook) -> None:
    """Make BODY_FONT the workbook's default (the Normal style's font, font 0): empty cells and
    the column-width unit, which spreadsheet programs measure in the default font, use it."""
    workbook._fonts[0] = BODY_FONT  # openpyxl has no public setter for the default font
    workbook._named_styles["Normal"].font = BODY_FONT


def _data_row_height(lines: int) -> float:
    """A data row: its wrapped text, and never less than room to write in by hand."""
    return max(_row_height(lines), MIN_DATA_ROW_HEIGHT_PT)


def _fit_page_width(sheet, *, landscape: bool) -> None:
    """Print on A4, scaled to the page's width (a printout is how many units check their figures)."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.page_margins.left = sheet.page_margins.right = PRINT_MARGIN_IN


def _write_data_sheet(workbook: Workbook, kpis: list[dict], quarter: str, owner: str, previous: dict[str, Any], title: str) -> None:
    """The 指标填报 sheet: title, hint, header and one row per KPI, protected."""
    sheet = workbook.create_sheet(DATA_SHEET)
    last_col = get_column_letter(len(COLUMNS))
    sheet.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    sheet.cell(row=TITLE_ROW, column=1, value=neutralize(f"{title} {quarter_label(quarter)}重点指标完成情况填报表（{owner}）")).font = TITLE_FONT
    sheet.merge_cells(f"A{HINT_ROW}:{last_col}{HINT_ROW}")
    sheet.cell(row=HINT_ROW, column=1, value="白色单元格为填报内容，灰色单元格为计划信息（已锁定）。详见“填报说明”工作表。").font = BODY_FONT
    previous_header = (f"上季度（{previous_quarter(quarter)}）累计完成" if quarter_index(quarter) > 1
                       else "上季度累计完成（第一季度，无上季度）")
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=position, value=previous_header if column.key == "previous" else column.header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    for offset, kpi in enumerate(kpis):
        row = FIRST_DATA_ROW + offset
        values = _row_values(kpi, quarter, owner, previous)
        is_milestone = kpi.get("kind") == MILESTONE_KIND
        lines = 1
        for position, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=row, column=position)
            if column.key == "target":
                cell.value, number_format = target_cell(kpi)
                if number_format:
                    cell.number_format = number_format
            else:
                cell.value = neutralize(values.get(column.key))
            if column.key in WRAPPED_COLUMNS:
                lines = max(lines, _wrapped_lines(cell.value, column.width))
            locked = _locked(column, is_milestone)
            cell.protection = Protection(locked=locked)
            cell.font = BODY_FONT
            cell.border = BORDER
            if locked:
                cell.fill = LOCKED_FILL
            cell.alignment = Alignment(wrap_text=column.key in WRAPPED_COLUMNS, vertical="center")
            if column.key == "report_date":
                cell.number_format = "yyyy-mm-dd"
        sheet.row_dimensions[row].height = _data_row_height(lines)
    _add_validations(sheet, FIRST_DATA_ROW + len(kpis) - 1, quarter_year(quarter))
    sheet.freeze_panes = f"C{FIRST_DATA_ROW}"
    sheet.row_dimensions[TITLE_ROW].height = TITLE_ROW_HEIGHT_PT
    sheet.row_dimensions[HEADER_ROW].height = _row_height(3)  # up to three lines of wrapped header text
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _fit_page_width(sheet, landscape=True)
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # allow resizing columns and rows
    sheet.protection.formatRows = False
    workbook.active = workbook.sheetnames.index(DATA_SHEET)


def build_workbook(kpis: list[dict], quarter: str, owner: str, previous: dict[str, Any], title: str = "",
                   organization: str = "", link: str = "", deadline: str = "") -> Workbook:
    """One unit's template workbook (instructions + data sheet); ``link``: its upload page."""
    workbook = Workbook()
    _use_body_font_by_default(workbook)
    _write_instructions(workbook, quarter, organization, link, deadline)
    _write_data_sheet(workbook, kpis, quarter, owner, previous, title)
    return workbook


def write_templates(plan: Any, quarter: str, out_dir: Path, processed_dir: Path | None = None,
                    links: dict[str, str] | None = None, deadline: str = "") -> list[Path]:
    """Write one template workbook per reporting unit; returns the paths (sorted by unit).

    ``plan`` is a :class:`reportlib.plan.Plan` (anything with ``year``, ``title`` and a
    ``kpis`` frame will do). ``links``: unit -> its upload page (``reportlib intake links``),
    written into the 填报说明 sheet with the ``deadline``.
    """
    if quarter_year(quarter) != int(plan.year):
        raise InputError(f"季度 {quarter} 不属于计划年度 {plan.year}")
    previous = previous_figures(quarter, processed_dir)
    by_owner: dict[str, list[dict]] = {}
    for kpi in plan.kpis.to_dict("records"):
        by_owner.setdefault(unit_of(kpi.get("owner")), []).append(kpi)
    out_dir = Path(out_dir)
    written = []
    for owner in sorted(by_owner):
        workbook = build_workbook(by_owner[owner], quarter, owner, previous, str(getattr(plan, "title", "") or ""),
                                  str(getattr(plan, "organization", "") or ""), (links or {}).get(owner, ""), deadline)
        name = FILE_NAME_PATTERN.format(quarter=quarter, owner=safe_file_part(owner))
        written.append(save_workbook(workbook, out_dir / name, dt.datetime.combine(quarter_start_date(quarter), dt.time())))
    return written


# --------------------------------------------------------------------------- CLI


def run_template(args) -> int:
    """``reportlib template``: write the workbooks and list them."""
    from reportlib.plan import load_plan

    ws = workspace.current()
    try:
        quarter = parse_quarter(args.quarter, default_year=args.year or ws.year())
    except QuarterError as exc:
        raise InputError(f"--quarter 无法识别：{exc}") from None
    plan = load_plan(Path(args.plan) if args.plan else ws.plan_file(ws.year(args.year, quarter)))
    written = write_templates(plan, quarter, Path(args.out), Path(args.processed) if args.processed else None)
    for path in written:
        print(path)
    print(f"已生成 {len(written)} 个填报模板（{quarter_label(quarter)}）")
    return 0


def register(subparsers) -> None:
    """Add ``reportlib template``."""
    parser = subparsers.add_parser(
        "template",
        help="生成各单位季度填报 Excel 模板",
        description="Write one Excel submission template per reporting unit for a quarter.",
    )
    parser.add_argument("--quarter", required=True, help="e.g. 2026Q1, 2026年第一季度, or Q1 with --year")
    parser.add_argument("--year", type=int, help="plan year (default: the quarter's year, else the latest plan year)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plans/<year>/plan.yaml)")
    parser.add_argument("--processed", default=None, help="folder with actuals.parquet for last quarter's figures")
    parser.set_defaults(func=run_template)
