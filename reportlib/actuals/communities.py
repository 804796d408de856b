"""Per-village workbooks: which sheet is the unit's figure, which sheets are detail.

Rule: in a workbook with several data sheets, a sheet named 汇总/合计/总表/总计
(``SUMMARY_SHEET_WORDS``), or one whose formulas refer to the other sheets (it sums
them), is the unit's figure. Every other data sheet of that workbook is a
community's detail: its rows are stored in the ``details`` table with the sheet name
as ``community`` and are never actuals, so nothing downstream can sum them. Each
detail total (per KPI and quarter) is checked against the summary's figure: a
difference is flagged ``community_sum_mismatch`` on the summary row and listed in
``community_mismatches``. A workbook whose sheets are all named like villages or
communities (东坪村, 西冶社区: ``COMMUNITY_SHEET_SUFFIXES``) without a summary sheet
is detail only, with the file error ``no_summary_sheet``: the unit's figure is missing.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from reportlib.actuals.cells import is_blank
from reportlib.actuals.readers import Sheet
from reportlib.actuals.rules import COMMUNITY_SHEET_SUFFIXES, INCREMENT_TOLERANCE, INSTRUCTION_SHEET_NAMES, SUMMARY_SHEET_WORDS


@dataclass
class Roles:
    """What each sheet of a workbook is."""

    summaries: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # sheet names = community names
    missing_summary: bool = False


def data_sheets(sheets: list[Sheet]) -> list[Sheet]:
    """Visible, non-empty sheets that are not instructions."""
    return [s for s in sheets if not s.hidden and s.name.strip().lower() not in INSTRUCTION_SHEET_NAMES
            and (s.formulas or any(not is_blank(v) for row in s.rows for v in row))]


def refers_to_others(sheet: Sheet, names: list[str]) -> bool:
    """Whether any formula of ``sheet`` refers to another of the sheets ``names`` (=SUM(东坪村!D3,…))."""
    others = [n for n in names if n != sheet.name]
    return any(re.search(rf"(?:'{re.escape(n)}'|{re.escape(n)})!", formula) for formula in sheet.formulas.values() for n in others)


def is_community_name(name: str) -> bool:
    """A sheet named like a village or community."""
    return name.strip().endswith(COMMUNITY_SHEET_SUFFIXES)


def sheet_roles(sheets: list[Sheet]) -> Roles:
    """Summary and detail sheets of one workbook (see the module docstring)."""
    found = data_sheets(sheets)
    if len(found) < 2:
        return Roles()
    names = [s.name for s in found]
    summaries = [s.name for s in found if any(w in s.name for w in SUMMARY_SHEET_WORDS) or refers_to_others(s, names)]
    if summaries:
        return Roles(summaries, [n for n in names if n not in summaries])
    if all(is_community_name(n) for n in names):
        return Roles([], names, missing_summary=True)
    return Roles()


def details_frame(details: list, columns: list[str]) -> pd.DataFrame:
    """The details table: the actuals columns plus ``community``, in a deterministic order."""
    records = [{**candidate.as_row(), "community": community} for community, candidate in details]
    frame = pd.DataFrame.from_records(records, columns=columns + ["community"])
    for column in ("cumulative", "increment"):
        frame[column] = frame[column].astype("float64")
    for column in ("approximate", "superseded"):
        frame[column] = frame[column].astype("bool")
    frame["source_row"] = frame["source_row"].astype("int64")
    text = [c for c in frame.columns if c not in ("cumulative", "increment", "approximate", "superseded", "source_row")]
    for column in text:
        frame[column] = frame[column].astype("object").fillna("").astype(str)
    frame = frame.sort_values(["kpi_id", "quarter", "source_file", "source_sheet", "source_row"], kind="mergesort")
    return frame.reset_index(drop=True)


def check_against_summary(details: pd.DataFrame, actuals: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Compare each file's community totals with its summary rows; returns (actuals, mismatches).

    Per file, KPI and quarter: the sum of the communities' 累计完成 (and 本季度完成) against
    the summary row of the same file. Milestones are not summed. A summary row that
    differs gets the flag ``community_sum_mismatch``.
    """
    mismatches: list[dict] = []
    if details.empty:
        return actuals, mismatches
    sums = defaultdict(lambda: {"cumulative": 0.0, "increment": 0.0, "n_cum": 0, "n_inc": 0, "n": 0, "communities": []})
    for row in details.itertuples(index=False):
        if row.state:
            continue
        entry = sums[(row.source_file, row.kpi_id, row.quarter)]
        entry["n"] += 1
        entry["communities"].append(row.community)
        for name in ("cumulative", "increment"):
            value = getattr(row, name)
            if not math.isnan(value):
                entry[name] += value
                entry["n_" + name[:3]] += 1
    actuals = actuals.copy()
    index = {(f, k, q): i for i, (f, k, q) in enumerate(zip(actuals["source_file"], actuals["kpi_id"], actuals["quarter"]))}
    flags = actuals["flags"].tolist()
    summary_files = set(actuals["source_file"])
    for key in sorted(sums):
        entry = sums[key]
        if key[0] not in summary_files:
            continue  # a workbook without a summary sheet (file error no_summary_sheet)
        position = index.get(key)
        summary_value = None if position is None else float(actuals.at[position, "cumulative"])
        detail_value = entry["cumulative"] if entry["n_cum"] == entry["n"] else None
        if detail_value is None and entry["n_inc"] == entry["n"] and position is not None:
            detail_value, summary_value = entry["increment"], float(actuals.at[position, "increment"])
        if detail_value is None:
            continue
        same = summary_value is not None and not math.isnan(summary_value) and \
            abs(summary_value - detail_value) <= INCREMENT_TOLERANCE * max(1.0, abs(summary_value))
        if same:
            continue
        mismatches.append({"file": key[0], "kpi_id": key[1], "quarter": key[2], "summary_value": summary_value,
                           "communities_total": detail_value, "communities": sorted(set(entry["communities"]))})
        if position is not None:
            flags[position] = ";".join(sorted(set(filter(None, flags[position].split(";"))) | {"community_sum_mismatch"}))
    actuals["flags"] = pd.array(flags, dtype=object).astype(str) if len(flags) else actuals["flags"]
    return actuals, mismatches
