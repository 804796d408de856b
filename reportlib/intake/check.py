"""The check of an upload: what a full ingest says about its rows, said at once to the unit.

:func:`check_upload` ingests the workspace's raw submissions WITH the uploaded file, under the
very name it will be stored as (the ingest's own code and rules; nothing re-implemented), and
keeps what that ingest says about the upload's rows: accepted, superseded, rejected or detail,
with flags. :func:`judge` turns an accepted row into the outcome the unit is shown — the one
place where the judgement of figures (held, accepted with a warning) plugs in. Whole-file
problems (no header, unreadable, another unit's KPIs, nothing filled in) refuse the upload:
nothing of it is stored.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportlib.actuals import REASONS, STATE_LABELS, Ingest, IngestResult, plan_unit
from reportlib.actuals import files as actual_files
from reportlib.actuals.cells import cell_text, folder_quarter
from reportlib.actuals.headers import detect_header
from reportlib.actuals.normalize import is_point_in_time
from reportlib.actuals.readers import FileProblem
from reportlib.actuals.records import KpiIndex, RowReject
from reportlib.intake.rules import DEFAULT_ADVICE, OUTCOMES, REJECT_ADVICE, SUPERSEDED_ADVICE, WARNING_FLAGS
from reportlib.intake.screen import Refusal
from reportlib.quarters import quarter_index
from reportlib.template import unit_of
from reportlib.workspace import Workspace

MAX_LISTED = 5  # rows named in a refusal message before "等 N 行"


@dataclass
class RowOutcome:
    """What the ingest says about one row of the upload, in the unit's words."""

    sheet: str
    row: int
    kpi_id: str  # "" when the row names no KPI of the plan
    kpi_name: str  # the plan's name, else the text written in the row
    outcome: str  # a key of rules.OUTCOMES
    value: str  # the figure as read (or the cell that was refused)
    reason: str
    change: str  # what to change; "" when nothing

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome][0]

    @property
    def css(self) -> str:
        return OUTCOMES[self.outcome][1]


@dataclass
class CheckResult:
    """The answer to one upload: its rows (sorted by sheet and row) and notes on the file."""

    rel: str
    rows: list[RowOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """outcome -> rows, in the order of OUTCOMES, outcomes with none left out."""
        found = {code: sum(1 for row in self.rows if row.outcome == code) for code in OUTCOMES}
        return {code: n for code, n in found.items() if n}


class UploadIngest(Ingest):
    """An ingest of the raw folder that also reads one file from elsewhere, as if it were at ``rel``."""

    def __init__(self, raw_dir: Path, plan, rel: str, path: Path):
        super().__init__(raw_dir, plan)
        self.upload = (rel, Path(path))

    def discover(self) -> list[tuple[str, Path]]:
        found = [item for item in super().discover() if item[0] != self.upload[0]]
        return sorted(found + [self.upload])


def check_upload(ws: Workspace, plan, unit: str, path: Path, rel: str) -> CheckResult:
    """Ingest the raw tree with the file at ``path`` placed at ``rel`` (relative to
    ``data/raw/actuals``); the outcome of each of its rows, or :class:`Refusal` for the file."""
    ws.actuals_raw.mkdir(parents=True, exist_ok=True)
    result = UploadIngest(ws.actuals_raw, plan, rel, path).run()
    return outcomes(result, plan, unit, Path(path), rel)


def outcomes(result: IngestResult, plan, unit: str, path: Path, rel: str) -> CheckResult:
    """The rows of ``rel`` in an ingest ``result`` as :class:`RowOutcome`; :class:`Refusal` when the
    file cannot be taken (a file error, another unit's KPIs, no data row)."""
    summary = result.summary
    errors = [e for e in summary["file_errors"] if e["file"] == rel and e["reason"] != "formula_without_value"]
    if errors:
        raise Refusal("file_error", detail="；".join(_without_file(e["message"], rel) for e in errors))
    info = next((f for f in summary["files"] if f["file"] == rel), None)
    kpis = {str(k["kpi_id"]): k for k in plan.kpis.to_dict("records")}
    actual = result.actuals[result.actuals["source_file"] == rel]
    details = result.details[result.details["source_file"] == rel] if result.details is not None else actual.iloc[0:0]
    rejects = result.rejects[result.rejects["file"] == rel]
    written = row_kpis(path, rel, plan) if len(rejects) else {}
    owners = {(r["source_sheet"], int(r["source_row"])): r["kpi_id"] for r in actual.to_dict("records")}
    owners.update({(r["source_sheet"], int(r["source_row"])): r["kpi_id"] for r in details.to_dict("records")})
    owners.update({key: kpi_id for key, (kpi_id, _) in written.items() if kpi_id})
    foreign = sorted((key, kpi_id) for key, kpi_id in owners.items() if unit_of(kpis[kpi_id].get("owner")) != unit)
    if foreign:
        listed = [f"{_where(sheet, row)} {kpi_id}「{kpis[kpi_id]['name']}」属于{unit_of(kpis[kpi_id].get('owner'))}"
                  for (sheet, row), kpi_id in foreign[:MAX_LISTED]]
        more = f"等 {len(foreign)} 行" if len(foreign) > MAX_LISTED else ""
        raise Refusal("other_units", detail="；".join(listed) + more)
    if not (info and info["rows_read"]) and rejects.empty:
        raise Refusal("no_rows")
    labels = flag_labels()
    rows = [_accepted_row(r, kpis, labels) for r in actual.to_dict("records")]
    rows += [RowOutcome(r["source_sheet"], int(r["source_row"]), r["kpi_id"], str(kpis[r["kpi_id"]]["name"]), "detail",
                        figure_text(r, kpis[r["kpi_id"]]), f"村（社区）分表「{r.get('community', '')}」的明细", "")
             for r in details.to_dict("records")]
    rows += [_rejected_row(r, kpis, written.get((r["sheet"], int(r["row"])), ("", ""))) for r in rejects.to_dict("records")]
    rows.sort(key=lambda r: (r.sheet, r.row))
    notes = [entry["message"] + (f"（工作表「{entry['sheet']}」）" if entry.get("sheet") else "")
             for entry in summary["files_not_read"] if entry["file"] == rel]
    if info and info.get("note"):
        notes.append(info["note"])
    return CheckResult(rel, rows, notes)


def judge(record: dict) -> tuple[str, list[str]]:
    """(outcome, flags explaining it) of one row of the actuals table.

    Today a row is accepted, superseded, or accepted with a warning when a flag in
    ``rules.WARNING_FLAGS`` says a person should look. This is the single place where the
    judgement of figures plugs in: a row the judgement holds becomes "held", one it accepts
    with a warning "warned", with its reason."""
    flags = [f for f in str(record.get("flags") or "").split(";") if f]
    if record.get("superseded"):
        return "superseded", flags
    warnings = [f for f in flags if f in WARNING_FLAGS]
    return ("warned", warnings) if warnings else ("accepted", flags)


def _accepted_row(record: dict, kpis: dict, flag_labels: dict[str, str]) -> RowOutcome:
    kpi = kpis[record["kpi_id"]]
    outcome, flags = judge(record)
    reason = "；".join(flag_labels.get(f, f) for f in flags)
    if outcome == "warned":
        change = "；".join(WARNING_FLAGS[f] for f in flags)
    elif outcome == "superseded":
        change = SUPERSEDED_ADVICE
        reason = f"本指标本季度另有填报日期更晚（或同日更晚上传）的报送，以那份为准（本行填报日期：{record['report_date'] or '未填'}）"
    else:
        change = ""
    return RowOutcome(record["source_sheet"], int(record["source_row"]), record["kpi_id"], str(kpi["name"]),
                      outcome, figure_text(record, kpi), reason, change)


def _rejected_row(record: dict, kpis: dict, written: tuple[str, str]) -> RowOutcome:
    kpi_id, text = written
    name = str(kpis[kpi_id]["name"]) if kpi_id else text
    explanation = REASONS.get(record["reason"], "")
    message = record["message"]
    start = message.find("：" + explanation) if explanation else -1
    reason = message[start + 1:] if start >= 0 else message
    where = f"「{record['column']}」列" if record["column"] else ""
    return RowOutcome(record["sheet"], int(record["row"]), kpi_id, name, "rejected",
                      f"{where}{record['raw_value']}" if record["raw_value"] else f"{where}（空白）",
                      reason, REJECT_ADVICE.get(record["reason"], DEFAULT_ADVICE))


def figure_text(record: dict, kpi: dict) -> str:
    """The figure of a row as the unit should recognise it: 累计 120个, 93% (a rate is no sum), 已完成."""
    if record.get("state"):
        return STATE_LABELS.get(record["state"], record["state"])
    value = record.get("cumulative")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    unit = plan_unit(kpi)
    return f"{text}{unit}" if is_point_in_time(str(kpi.get("kind") or ""), unit) else f"累计 {text}{unit}"


def _where(sheet: str, row: int) -> str:
    return f"工作表「{sheet}」第{row}行" if sheet else f"第{row}行"


def _without_file(message: str, rel: str) -> str:
    """A file error's message without the stored file's name (the unit never saw that name)."""
    prefix = f"文件「{rel}」"
    return message[len(prefix):].lstrip("：") if message.startswith(prefix) else message


def flag_labels() -> dict[str, str]:
    from reportlib.report.quality import FLAG_LABELS  # (the report's wording of each flag)

    return FLAG_LABELS


def row_kpis(path: Path, rel: str, plan) -> dict[tuple[str, int], tuple[str, str]]:
    """(sheet, row) -> (plan KPI id or "", the id and name as written) for every row under a
    header of the file: names the KPI of a rejected row (the rejects table does not)."""
    try:
        sheets, _ = actual_files.open_file(path, rel, {})
    except (FileProblem, OSError):
        return {}
    index = KpiIndex(plan.kpis)
    folder = folder_quarter(rel)
    found: dict[tuple[str, int], tuple[str, str]] = {}
    for sheet in sheets:
        header = detect_header(sheet.rows, sheet.found, scanned=sheet.scanned,
                               prefer_quarter=quarter_index(folder) if folder else None)
        if header is None:
            continue
        for number in range(header.row + 1, len(sheet.rows) + 1):
            cells = sheet.rows[number - 1]

            def text(field_name: str) -> str:
                column = header.columns.get(field_name)
                return cell_text(cells[column]).strip() if column is not None and column < len(cells) else ""

            id_text, name_text = text("kpi_id"), text("name")
            try:
                kpi_id, _ = index.resolve(id_text, name_text)
            except RowReject:
                kpi_id = ""
            found[(sheet.name, number)] = (kpi_id, " ".join(t for t in (id_text, name_text) if t))
    return found


class YearIngest:
    """The year's ingest in memory, recomputed only when a raw file or the plan changed
    (pages and the board read it; ``data/processed`` is left to the build)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[tuple, IngestResult]] = {}

    def get(self, ws: Workspace, plan) -> IngestResult:
        ws.actuals_raw.mkdir(parents=True, exist_ok=True)
        with self._lock:
            signature = (plan.sha256, _tree_signature(ws.actuals_raw))
            cached = self._cache.get(int(plan.year))
            if cached is None or cached[0] != signature:
                cached = (signature, Ingest(ws.actuals_raw, plan).run())
                self._cache[int(plan.year)] = cached
            return cached[1]


def _tree_signature(raw_dir: Path) -> tuple:
    entries = []
    for rel, path in actual_files.walk(raw_dir):
        try:
            stat = path.lstat()
        except FileNotFoundError:
            continue
        entries.append((rel, stat.st_size, stat.st_mtime_ns, stat.st_ino))
    return tuple(entries)


def accepted_in(result: IngestResult, quarter: str) -> pd.DataFrame:
    """The accepted (not superseded) rows of ``quarter``."""
    table = result.actuals
    return table[(table["quarter"] == quarter) & ~table["superseded"]]
