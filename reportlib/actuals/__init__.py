"""Quarterly actuals: read department submissions into ``data/processed/<year>/actuals.*``.

The stage in modules, each readable alone: :mod:`~reportlib.actuals.rules` (aliases, reasons,
limits, synonyms as data), :mod:`~reportlib.actuals.files` (which files are read, links,
year folders), :mod:`~reportlib.actuals.readers` (one reader per format, chosen by content,
registered in ``READERS``), :mod:`~reportlib.actuals.headers` (header detection, two columns
for one field), :mod:`~reportlib.actuals.normalize` (one row into a candidate),
:mod:`~reportlib.actuals.records` (rejects, errors, flags, the two tables),
:mod:`~reportlib.actuals.communities` (汇总 sheets and per-community detail),
:mod:`~reportlib.actuals.bulk` (candidate columns; the row rules applied to text sheets in bulk),
:mod:`~reportlib.actuals.judge_rules`, :mod:`~reportlib.actuals.readings`, :mod:`~reportlib.actuals.verdict`,
:mod:`~reportlib.actuals.numeric`, :mod:`~reportlib.actuals.judge` and :mod:`~reportlib.actuals.confirmations` (the
judgement of every accepted figure),
:mod:`~reportlib.actuals.ledger` (every row accepted, superseded, held, rejected or detail; conflicts),
:mod:`~reportlib.actuals.store` (writing and reading the processed tables; :func:`ingest`,
:func:`ensure_ingested`) and :mod:`~reportlib.actuals.commands` (``reportlib ingest``).

``reportlib ingest`` reads every submission under ``data/raw/actuals`` (recursively),
checks each row against the plan and writes, atomically and deterministically:

* ``actuals.parquet`` / ``actuals.csv`` – accepted and superseded rows (columns in
  docs/data-contracts.md, "Actuals table");
* ``details.parquet`` / ``details.csv`` – per-community detail rows (the actuals columns
  plus ``community``), never part of the actuals and never summed into progress;
* ``rejects.parquet`` / ``rejects.csv`` – file, sheet, row, column, raw_value, reason, message;
* ``ingest_summary.json`` – the contract's files_read, rows_read, accepted, superseded,
  rejected, details, skipped, by_reason, file_errors (each with a ``reason`` code too), plus
  files_failed, skipped_by_kind, sample_data (any file says 示例数据), files (format,
  detected encoding, sheets, rows per file, ``note`` such as 这是 .xls 文件，扩展名写成了 .xlsx),
  files_not_read (file, reason, message: every file or hidden sheet that was not read),
  ignored_files (the other file types among them), hidden_rows, conflicts,
  community_mismatches, row_warnings (problems with rows that were kept, e.g. a bad
  填报日期) and inputs_sha256;
* ``derived.json`` – inputs_sha256 and the sha256 of every table above that reports read:
  :func:`ensure_ingested` skips an unchanged re-ingest only when both match (a table edited
  by hand is rebuilt from ``data/raw`` with a log line).

Every non-blank data row read ends up exactly once as accepted, superseded, rejected or
detail: ``rows_read == accepted + superseded + held + rejected + details`` (accepted counts
the figures used: accepted, warned and confirmed by the judgement). Blank rows, footer rows
(填表人/审核人/制表/备注 …), repeated header rows, hidden rows and template rows left
entirely unfilled are counted in ``skipped`` and are not data rows.

Rules (README-ready):

Files
    The reader is chosen by the file's CONTENT, not its extension
    (:func:`~reportlib.actuals.readers.sniff_format`): zip with ``xl/workbook.xml`` →
    ``.xlsx``/``.xlsm`` (openpyxl, streamed), OLE2 compound file → ``.xls`` and WPS ``.et``
    (xlrd with formatting; python-calamine when xlrd cannot), OpenDocument zip → ``.ods``
    (python-calamine, plus hidden rows and percentage cells from content.xml), ``.xlsb``
    (python-calamine), anything else → delimited text. A file whose extension names
    another format is read by its content and noted (这是 .xls 文件，扩展名写成了 .xlsx);
    one that is no readable spreadsheet is a file error saying what to do, never a Python
    exception name. Files read: ``.xlsx .xlsm .xls .et .ods .xlsb .csv .txt .tsv``; every
    worksheet except an instructions sheet named 填报说明/说明. Text (CSV, TSV and Excel's
    "Unicode 文本" ``.txt`` export, UTF-16 tab-separated): encoding detected, never assumed
    (BOM (UTF-8 / UTF-16) → strict UTF-8 → strict GB18030 → charset-normalizer), delimiter
    chosen by the header it yields. A ``.txt`` without a submission header is listed as not
    read. Files over ``MAX_FILE_BYTES``, corrupt files and sheets without a recognisable
    header are ``file_errors``; the other files still ingest.
Files not read
    Listed in ``files_not_read`` with the reason (``NOT_READ_REASONS``) and shown in the
    report's 数据质量: names starting with ``.`` or ``..`` (on any part of the path),
    Office lock files ``~$…``, other file types, hidden sheets, anything that is not a
    regular file (a FIFO, device or socket: ``not_a_file``, never opened), and files inside another
    year's quarter folder. Year folders: ingest for plan year Y reads files in quarter
    folders of Y (``2026Q1/``, ``2026-Q2/``) and files in no quarter folder; a file in
    ``2025Q4/`` when ingesting 2026 is "属于 2025 年度（按该年度计划导入）" – never a reject.
Links
    Nothing outside the raw folder is read: paths are resolved, a link (file or folder)
    leading outside is the file error ``link_outside``; folders are not walked through links.
Size
    Reading costs what the data costs: the xlsx reader makes one byte-level pass over the
    sheet XML to find the last row holding a value (and the merged ranges), then parses
    only up to it, skipping styled empty cells; the declared ``<dimension>`` is never
    trusted and trailing empty rows are dropped (all readers). Every file is read within
    limits (:mod:`~reportlib.actuals.limits`, values in ``rules``): unpacked size of an
    .xlsx/.ods/.xlsb (256 MB; 32 MB a part other than an .xlsx worksheet), cells holding a
    value (2 000 000), one cell's characters (32 767, Excel's own limit) and seconds (60);
    a file past one is a file error naming the file and the limit, and the ingest goes on.
Stray quotes
    A CSV record may span lines (a remark with line breaks, quoted as Excel writes it); a
    quoted cell whose inner lines are whole records (an unpaired ``"`` at the start of a
    remark swallowed the rows after it) refuses the file, naming the lines — never merged.
Hidden rows and sheets
    Not read. Hidden rows are counted in ``skipped_by_kind["hidden_row"]`` and listed in
    ``hidden_rows``; hidden sheets are listed in ``files_not_read``. So the visible row
    wins over an old row hidden above its correction, and last quarter's hidden sheet
    is not this quarter's data. (.xlsb through calamine: hidden rows cannot be seen.)
Per-village workbooks
    In a workbook with several data sheets, a sheet named 汇总/合计/总表/总计 (or whose
    formulas refer to the other sheets) is the unit's figure; the other sheets are each
    a community's detail: stored in ``details`` with ``community`` = the sheet name,
    never actuals. Their total per KPI and quarter is checked against the summary row:
    a difference flags ``community_sum_mismatch`` and is listed in
    ``community_mismatches``. Sheets all named like villages (…村, …社区) without a
    summary sheet: detail only, file error ``no_summary_sheet``.
Header
    The first ``HEADER_SCAN_ROWS`` rows are scanned; the row matching the most known
    headers (``HEADER_ALIASES``: Chinese, English, with spaces, full-width or
    parenthesised variants such as 累计完成值 or 本季度完成(增量)) is the header, so
    title rows and merged title cells above it are passed over; a two-row header
    (完成值 over 累计完成 | 本季度完成) is combined. A unit in the header's brackets, e.g.
    累计完成(万平方米), is used for cells without a unit of their own.
Two columns for one field
    Headers naming a plan or last year (本年计划, 年度目标, 上年同期: ``NOT_FIGURE_HEADER_WORDS``)
    are never figures. When two columns still match 累计完成, 本季度完成 or 完成情况: each
    naming a different quarter (累计完成（二季度末） | 累计完成（三季度末）, 截至9月底) → the
    folder's quarter, else the latest, is used, and a row of another quarter is rejected
    ``column_quarter_mismatch``; otherwise the sheet is refused with the file error
    ``ambiguous_columns`` naming both columns. The formula check covers every matching column.
KPI
    By 指标编号 when given (``1.1.02`` is read as ``K1.1.02``, full-width ``Ｋ１.１.０５`` as
    ``K1.1.05``; an unpadded ``K2.2.2`` as ``K2.2.02`` when that id exists, flag
    ``id_normalized``); otherwise by 指标名称, first exactly, then normalised (spaces,
    punctuation and quote styles removed). An unknown or ambiguous name is a reject,
    never a guess; a close name (difflib ratio ≥ ``CLOSE_NAME_RATIO``) is proposed in the
    message ("是否为 K1.1.02「增设网格驿站」？"), never accepted. When both are given the id
    wins and a differing name is flagged ``name_mismatch``.
Numbers
    Through :mod:`reportlib.units`: full-width digits, thousands separators, Chinese
    numerals, 万/亿, units (in the cell, the 单位 column or the header) converted to the
    plan's unit (万平方米 → 平方米); an incompatible unit is a reject. 约/余/近/左右/以上
    (any comparator word) set ``approximate``. A figure with a remark – ``9（含续建3个）``,
    ``9个（东坪、西冶等9个村居）``, ``共39次``, ``同比增长8.2%`` (``同比下降3%`` → -3) – takes
    the leading quantity, keeps the cell's text in 进展说明 and is flagged
    ``figure_with_remark``; ``见附件3`` is still no number.
Count units
    Units naming the same thing (``COUNT_UNIT_SYNONYMS``: 家/个/处/所…, 次/场/期…, 户/家)
    are accepted for one another with the flag ``unit_synonym`` (8家 where the plan
    counts 个); units of another dimension (次 for 个, 米 for 个, 人 for 家) are rejected.
Percent rule
    A cell formatted as percent (Excel/LibreOffice number format with %, .ods percentage
    cells) holds a fraction and is read as the percent it shows (1.283 shown as 128.3 % →
    128.3 %). For a KPI whose plan unit is ``%``: a figure written with a percent sign is
    taken as percent points ("95%" → 95, ``-2.5%`` → −2.5); a bare number above 1 is
    taken as percent points (95 → 95); a bare number whose absolute value is ≤ 1.0 is kept
    as typed and read by the judgement (:mod:`~reportlib.actuals.judge`): a growth rate's
    ``0.8`` is 0.8 %, a share's ``0.95`` is 95 % (flagged ``percent_as_fraction`` and
    warned) where that is the one reading plausible against the target, and a figure with
    two plausible readings is held. A % figure for a non-% KPI is an incompatible unit.
Numbers written ambiguously
    ``2,15``, ``2、15``, ``1,2345`` (a separator that is no thousands separator) are kept
    as their first reading, flagged ``ambiguous_number`` and held by the judgement.
Milestones
    完成情况: 已完成/完成/完工 → ``done``; 推进中/进行中/正在推进 → ``in_progress``;
    未启动/未开始 → ``not_started`` (``STATE_WORDS``). A state typed in the 累计完成 column
    (no 完成情况 given) is used, flag ``state_from_figure_column``. Other KPIs keep
    ``state`` = "".
Quarter
    Any form :func:`reportlib.quarters.parse_quarter` reads, including periods ending at
    a quarter's end (2025年1-9月, 1-6月, 2025-09, 9月, 截至9月底, 三季度末; 8月 is no
    quarter); a blank 季度 falls back to a folder named like ``2025Q3`` (flag
    ``quarter_from_folder``); a quarter of another year than the plan's is
    ``quarter_mismatch``; a quarter differing from its folder is accepted and flagged
    ``quarter_differs_from_folder``.
填报日期
    An Excel date, an Excel serial number or text (2025-10-09, 2025.10.9, 2025年10月9日).
    ``10月9日`` takes the quarter's year (the next year when that would fall before the
    quarter began), flag ``date_year_from_quarter``. ``同上`` is the date of the data row
    above, flag ``date_same_as_above`` (with no date above: "把「同上」改为具体日期").
    A bad 填报日期 never vetoes a good figure: the row is kept with a blank date, flagged
    ``bad_date`` and listed in ``row_warnings``.
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
Supersession and conflicts
    Several accepted rows for one KPI and quarter: the latest 填报日期 wins (a blank
    date counts as earliest). Rows with the winner's 填报日期 but another value are a
    **conflict**: no rule settles it, so – as a last resort, and said so – the file
    modified last wins (then the later file name, then path); both rows are flagged
    ``conflict`` and the case is listed in ``conflicts`` (and in the report's 数据质量).
    The others stay in the table with ``superseded=True``. The same KPI and quarter twice
    in one file: with the same figures the first row is kept and later ones are rejected
    ``duplicate_in_file``; with different figures every one of them is rejected (which
    is right cannot be known).
Judgement
    After supersession, the winning figure of each KPI and quarter is judged, in quarter
    order, against the plan and the KPI's trusted earlier quarters (:mod:`~reportlib.actuals.judge`,
    rules as data in :mod:`~reportlib.actuals.judge_rules`, docs/judgement.md): a figure
    ends ``accepted``, ``warned`` or ``held`` (``judgement``, ``reasons`` and
    ``judgement_message`` columns; ``cumulative_fell``, ``state_regressed`` and
    ``increment_inconsistent`` are among its rules), or ``confirmed`` by the analyst's
    ``confirmations.yaml`` in the quarter folder (:mod:`~reportlib.actuals.confirmations`).
    A held figure is never the basis of a later quarter: a row of increments only after a
    held quarter is held (``prior_held``), not rejected.
Formulas
    Never evaluated. A formula with a cached value is used and flagged
    ``formula_value``; one without a cached value (in any column matching a field) is
    rejected (``formula_without_value``) and listed in ``file_errors``. (.xls, .ods and
    .xlsb files are read as cached values.)
Rows
    A row is skipped (counted in ``skipped``, not in ``rows_read``) when it is blank, a
    footer (first cell starts with 填表人/审核人/制表/备注/合计 …, ``FOOTER_PREFIXES``), a
    repeated header, hidden, or a template row left unfilled (累计完成, 本季度完成, 完成情况
    and 进展说明 all blank: the KPI was not reported). Every other row is a data row. One
    reject per row: the first problem found, in the order KPI, quarter, figures or
    state; a reject names the KPI (``kpi_id``, ``kpi_name``: as typed when unknown) and the
    row's ``quarter``. Other flags: ``unit_converted`` (the 单位 column or header held a multiple such
    as 万平方米, or the figure was converted from another unit), ``name_mismatch`` (id
    and name disagree; the id wins).
Untrusted text
    进展说明 and every other submitted text is untrusted: stored as given in the parquet
    table, neutralised with :func:`neutralize` in every CSV written, and must be
    HTML-escaped by anything that renders it.

Implementation (for 1 000 000 rows in seconds and well under 1 GB): workbooks are parsed
row by row (:class:`~reportlib.actuals.normalize.RowParser`); CSV sheets, whose cells are all text, go through
:class:`~reportlib.actuals.bulk.TextSheetParser`, which applies the same RowParser rules once per distinct cell
value (or KPI/name pair) and memoises the answer; accepted rows are kept column by
column (:class:`~reportlib.actuals.bulk.Batch`) and resolved with numpy per KPI and quarter (:meth:`~reportlib.actuals.ledger.Ingest.resolve`).
``tests/test_fast_paths.py`` checks that both paths give the same tables.
"""
from __future__ import annotations

from reportlib.actuals.cells import neutralize
from reportlib.actuals.headers import match_header
from reportlib.actuals.ledger import Ingest, IngestResult
from reportlib.actuals.normalize import plan_unit
from reportlib.actuals.readers import decode_bytes
from reportlib.actuals.records import in_quarter_folder, quarter_notes, quarters_in_rejects, reject_reason, rejects_for
from reportlib.actuals.rules import (
    ACTUALS_COLUMNS,
    ACTUALS_FILE,
    FILE_ERRORS,
    MILESTONE_KIND,
    REASONS,
    REJECT_ACTIONS,
    REJECT_COLUMNS,
    REJECTS_FILE,
    STATE_LABELS,
    STATE_ORDER,
    SUMMARY_FILE,
)
from reportlib.actuals.store import (
    csv_bytes,
    ensure_ingested,
    ingest,
    load_actuals,
    load_rejects,
    load_details,
    load_summary,
    parquet_bytes,
)
from reportlib.atomic import write_bytes_atomic
from reportlib.actuals.commands import register

__all__ = [
    "ACTUALS_COLUMNS", "ACTUALS_FILE", "FILE_ERRORS", "MILESTONE_KIND", "REASONS", "REJECT_ACTIONS", "REJECT_COLUMNS",
    "REJECTS_FILE", "STATE_LABELS", "STATE_ORDER", "SUMMARY_FILE", "Ingest", "IngestResult", "csv_bytes",
    "decode_bytes", "ensure_ingested", "ingest", "load_actuals", "load_details", "load_rejects", "load_summary",
    "in_quarter_folder", "match_header", "neutralize", "quarter_notes", "quarters_in_rejects", "reject_reason", "rejects_for", "parquet_bytes", "plan_unit", "register", "write_bytes_atomic",
]
