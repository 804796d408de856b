"""Quarterly actuals: read department submissions into ``data/processed/<year>/actuals.*``.

The stage in modules, each readable alone: :mod:`~reportlib.actuals.rules` (aliases, reasons,
limits as data), :mod:`~reportlib.actuals.readers` (one reader per file format),
:mod:`~reportlib.actuals.headers` (header detection), :mod:`~reportlib.actuals.normalize`
(one row into a candidate), :mod:`~reportlib.actuals.records` (rejects, errors, flags, the two
tables), :mod:`~reportlib.actuals.ledger` (every row accepted, superseded or rejected),
:mod:`~reportlib.actuals.store` (writing and reading the processed tables; :func:`ingest`,
:func:`ensure_ingested`) and :mod:`~reportlib.actuals.commands` (``reportlib ingest``).

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
row by row (:class:`~reportlib.actuals.normalize.RowParser`); CSV sheets, whose cells are all text, go through
:class:`~reportlib.actuals.ledger.TextSheetParser`, which applies the same RowParser rules once per distinct cell
value (or KPI/name pair) and memoises the answer; accepted rows are kept column by
column (:class:`~reportlib.actuals.ledger.Batch`) and resolved with numpy per KPI and quarter (:meth:`~reportlib.actuals.ledger.Ingest.resolve`).
``tests/test_fast_paths.py`` checks that both paths give the same tables.
"""
from __future__ import annotations

from reportlib.actuals.cells import neutralize
from reportlib.actuals.headers import match_header
from reportlib.actuals.ledger import Ingest, IngestResult
from reportlib.actuals.normalize import plan_unit
from reportlib.actuals.readers import decode_bytes
from reportlib.actuals.records import in_quarter_folder, quarters_in_rejects, rejects_for
from reportlib.actuals.rules import (
    ACTUALS_COLUMNS,
    ACTUALS_FILE,
    FILE_ERRORS,
    MILESTONE_KIND,
    REASONS,
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
    write_bytes_atomic,
)
from reportlib.actuals.commands import register

__all__ = [
    "ACTUALS_COLUMNS", "ACTUALS_FILE", "FILE_ERRORS", "MILESTONE_KIND", "REASONS", "REJECT_COLUMNS",
    "REJECTS_FILE", "STATE_LABELS", "STATE_ORDER", "SUMMARY_FILE", "Ingest", "IngestResult", "csv_bytes",
    "decode_bytes", "ensure_ingested", "ingest", "load_actuals", "load_details", "load_rejects", "load_summary",
    "in_quarter_folder", "match_header", "neutralize", "quarters_in_rejects", "rejects_for", "parquet_bytes", "plan_unit", "register", "write_bytes_atomic",
]
