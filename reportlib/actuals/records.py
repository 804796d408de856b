"""What an ingest records: rejects, file errors, candidate rows, flags as bits, the plan's KPI index."""
from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterable

import numpy as np
import pandas as pd

from reportlib.actuals.rules import ACTUALS_COLUMNS, REJECT_COLUMNS
from reportlib import quarters
from reportlib.actuals.cells import normalize_kpi_id, normalize_name
from reportlib.actuals.rules import CLOSE_NAME_RATIO, FIELD_LABELS, FILE_ERRORS, REASONS

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
    kpi_id: str = ""  # the KPI as resolved (as typed when unknown)
    kpi_name: str = ""
    quarter: str = ""  # the row's quarter, else its folder's


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
    cumulative_raw: str = ""  # the 累计完成 cell as typed (for the judgement: 2,15 / 0.8 / 9.30)

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
        self.kpi: tuple[str, str] | None = None  # (id, name) the row parser attaches once the KPI is known
        self.quarter = ""


def where_text(file: str, sheet: str, row: int | None, column: str, raw: str, kpi: str = "") -> str:
    """The part of a message naming file, sheet, row, KPI, column and value."""
    where = f"文件「{file}」"
    if sheet:
        where += f"工作表「{sheet}」"
    if row:
        where += f"第{row}行"
    if kpi:
        where += f"（{kpi}）"
    if column:
        where += f"「{column}」列"
    return where + (f"的值「{raw}」" if raw != "" else "为空")


def describe(file: str, sheet: str, row: int | None, column: str, raw: str, reason: str, detail: str = "",
             kpi: str = "") -> str:
    """Chinese message naming file, sheet, row, the KPI (``kpi``: K1.1.03「name」), column and value."""
    explanation = REASONS.get(reason) or FILE_ERRORS.get(reason) or reason
    return f"{where_text(file, sheet, row, column, raw, kpi)}：{explanation}" + (f"（{detail}）" if detail else "")


def kpi_text(kpi_id: str, name: str) -> str:
    """How a message names a KPI: K1.1.03「新发展…」 (only what is known)."""
    return f"{kpi_id}「{name}」" if kpi_id and name else kpi_id or (f"「{name}」" if name else "")


def reject_reason(reject: dict) -> str:
    """A reject's message without the file, row, KPI and value it begins with (the reason alone)."""
    prefix = where_text(reject["file"], reject["sheet"], int(reject["row"]), reject["column"], reject["raw_value"],
                        kpi_text(reject.get("kpi_id", ""), reject.get("kpi_name", ""))) + "："
    message = str(reject["message"])
    return message[len(prefix):] if message.startswith(prefix) else message


# --------------------------------------------------------------------------- the plan's KPIs


class KpiIndex:
    """Look KPIs up by id or name; holds kind and unit per KPI."""

    def __init__(self, kpis: pd.DataFrame):
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_key: dict[str, list[str]] = defaultdict(list)
        self.proposals: dict[str, str] = {}  # normalised name -> proposal text (memo)
        for record in kpis.to_dict("records"):
            kpi_id = str(record["kpi_id"])
            self.by_id[kpi_id] = record
            name = str(record.get("name") or "")
            self.by_name[name.strip()].append(kpi_id)
            self.by_key[normalize_name(name)].append(kpi_id)

    def name(self, kpi_id: str) -> str:
        """The plan's name of a KPI ("" when unknown)."""
        record = self.by_id.get(kpi_id)
        return str(record.get("name") or "") if record else ""

    def resolve(self, kpi_id_text: str, name_text: str, labels: dict[str, str] | None = None) -> tuple[str, set[str]]:
        """Return ``(kpi_id, flags)`` or raise :class:`RowReject` (``labels``: column names as written)."""
        labels = {**FIELD_LABELS, **(labels or {})}
        if kpi_id_text:
            kpi_id = normalize_kpi_id(kpi_id_text)
            flags = set()
            if kpi_id not in self.by_id:
                padded = padded_kpi_id(kpi_id)
                if padded not in self.by_id:
                    raise RowReject("unknown_kpi", labels["kpi_id"], kpi_id_text, self.proposal(name_text))
                kpi_id = padded
                flags.add("id_normalized")
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
        raise RowReject("unknown_kpi", labels["name"], name_text, self.proposal(name_text))

    def proposal(self, name_text: str) -> str:
        """``是否为 K3.3.02「…」？`` for the plan KPI whose name is closest to ``name_text``
        (difflib ratio ≥ ``CLOSE_NAME_RATIO``), else "". Only proposed, never accepted."""
        key = normalize_name(name_text or "")
        if not key:
            return ""
        if key not in self.proposals:
            self.proposals[key] = self.closest(key)
        return self.proposals[key]

    def closest(self, key: str) -> str:
        """:meth:`proposal` of a normalised name (uncached)."""
        close = difflib.get_close_matches(key, list(self.by_key), n=1, cutoff=CLOSE_NAME_RATIO)
        if not close or len(set(self.by_key[close[0]])) != 1:
            return ""
        kpi_id = self.by_key[close[0]][0]
        return f"是否为 {kpi_id}「{self.by_id[kpi_id].get('name')}」？请核对指标名称，或填写指标编号"


def padded_kpi_id(kpi_id: str) -> str:
    """``K2.2.2`` → ``K2.2.02`` (the plan's two-digit last part); other texts unchanged."""
    match = re.fullmatch(r"K(\d+)\.(\d+)\.(\d+)", kpi_id)
    return f"K{int(match.group(1))}.{int(match.group(2))}.{int(match.group(3)):02d}" if match else kpi_id


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


def flag_texts(masks: np.ndarray) -> np.ndarray:
    """:func:`flag_text` of each mask (computed once per distinct mask)."""
    distinct, inverse = np.unique(masks, return_inverse=True)
    return np.asarray([flag_text(int(m)) for m in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


# --------------------------------------------------------------------------- the two tables


NUMERIC_ACTUALS_COLUMNS = ("cumulative", "increment", "approximate", "superseded", "source_row")


def actuals_frame(records: list[dict] | dict[str, Any], *, presorted: bool = False) -> pd.DataFrame:
    """The actuals table with contract columns, dtypes and the deterministic order.

    ``records``: row dicts, or a dict of columns as :meth:`Ingest.resolve` returns them
    (texts already ``str``, never missing); ``presorted``: the columns are already in
    the table's order (kpi_id, quarter, source_file, source_sheet, source_row).
    """
    if isinstance(records, dict):
        frame = pd.DataFrame(
            {column: records[column] if column in NUMERIC_ACTUALS_COLUMNS else pd.array(records[column], dtype=str)
             for column in ACTUALS_COLUMNS},
            columns=ACTUALS_COLUMNS,
        )
        text_columns = []  # already what the conversion below gives
    else:
        frame = pd.DataFrame.from_records(records, columns=ACTUALS_COLUMNS)
        text_columns = set(ACTUALS_COLUMNS) - set(NUMERIC_ACTUALS_COLUMNS)
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


# --------------------------------------------------------------------------- by quarter folder


def in_quarter_folder(file: str, quarter: str) -> bool:
    """Whether a submission path (relative to data/raw/actuals) lies in ``quarter``'s folder
    (``2025Q3/…`` or ``2025-Q3/…``)."""
    first = str(file).replace("\\", "/").split("/", 1)[0]
    return first.upper().replace("-", "") == quarter


def quarters_in_rejects(rejects: pd.DataFrame) -> list[str]:
    """Quarter folders that rejected rows come from."""
    folders = {str(f).replace("\\", "/").split("/", 1)[0].upper().replace("-", "") for f in rejects.get("file", [])}
    return sorted(f for f in folders if quarters.is_quarter(f))


def rejects_for(rejects: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Rejected rows of the submissions filed under ``quarter``."""
    if rejects.empty:
        return rejects
    mask = rejects["file"].map(lambda f: in_quarter_folder(f, quarter))
    return rejects[mask].reset_index(drop=True)


def quarter_notes(summary: dict, quarter: str) -> dict[str, list]:
    """What a report of ``quarter`` shows from the ingest summary: its judged figures and unused
    confirmations, its conflicts, community
    mismatches and file errors, and the files not read in its own folder or outside any
    quarter folder. Files of another year's folders (reason ``other_year``) are that year's:
    its own ingest reads them, so they never change this year's reports."""
    def ours(entry: dict) -> bool:
        file = str(entry.get("file", ""))
        folder = file.replace("\\", "/").split("/", 1)[0] if "/" in file.replace("\\", "/") else ""
        return in_quarter_folder(file, quarter) or not quarters.is_quarter(folder.upper().replace("-", ""))

    return {
        "judged": [j for j in summary.get("judged", []) if j.get("quarter") == quarter],
        "confirmations_unused": [c for c in summary.get("confirmations_unused", []) if c.get("quarter") == quarter],
        "conflicts": [c for c in summary.get("conflicts", []) if c.get("quarter") == quarter],
        "community_mismatches": [m for m in summary.get("community_mismatches", []) if m.get("quarter") == quarter],
        "file_errors": [e for e in summary.get("file_errors", []) if in_quarter_folder(e.get("file", ""), quarter)],
        "files_not_read": [e for e in summary.get("files_not_read", [])
                           if e.get("reason") != "other_year" and ours(e)],
    }
