"""What the unit pages and the analyst's board show, computed from the year's ingest and the
intake log: each unit's KPIs and what is accepted for them, its uploads, and per unit whether
it has submitted, how many rows were rejected, held or need a look, and the 催报 list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath

from reportlib.actuals import IngestResult, in_quarter_folder
from reportlib.intake.check import accepted_in, figure_text, flag_labels, judge
from reportlib.intake.rules import OUTCOMES
from reportlib.template import target_cell, unit_of


@dataclass
class UnitStatus:
    """One row of the board."""

    unit: str
    kpis: int
    accepted: int
    missing: int
    rejected: int
    held: int
    warned: int
    submitted: bool
    last: dict | None  # the unit's last stored upload (time, receipt) or None


def cn_date(day: dt.date) -> str:
    """2026年4月15日"""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_time(moment: dt.datetime) -> str:
    """2026年4月5日 10:15"""
    return f"{cn_date(moment.date())} {moment:%H:%M}"


def units_of(plan) -> list[str]:
    """The plan's reporting units (as the templates name them), sorted."""
    return sorted({unit_of(owner) for owner in plan.kpis["owner"]}) if "owner" in plan.kpis else []


def unit_kpis(plan, unit: str) -> list[dict]:
    return [k for k in plan.kpis.to_dict("records") if unit_of(k.get("owner")) == unit]


def kpi_rows(plan, unit: str, result: IngestResult, quarter: str) -> list[dict]:
    """The unit's KPIs with their target and the figure accepted for ``quarter`` ("" if none)."""
    accepted = {r["kpi_id"]: r for r in accepted_in(result, quarter).to_dict("records")}
    rows = []
    for kpi in unit_kpis(plan, unit):
        target, _ = target_cell(kpi)
        unit_text = str(kpi.get("unit") or "") if not isinstance(target, str) else ""
        record = accepted.get(kpi["kpi_id"])
        rows.append({"kpi_id": kpi["kpi_id"], "name": kpi["name"], "target": f"{target}{unit_text}",
                     "figure": figure_text(record, kpi) if record else ""})
    return rows


def uploads_of(events: list[dict], quarter: str, unit: str | None = None) -> list[dict]:
    """Upload events (stored and refused) of ``quarter`` (and ``unit``), newest first, for display."""
    shown = []
    for event in reversed(events):
        if event.get("event") not in ("upload", "refused") or event.get("quarter") != quarter:
            continue
        if unit is not None and event.get("unit") != unit:
            continue
        counts = event.get("counts") or {}
        summary = ("未接收：" + event.get("message", "")) if event["event"] == "refused" else (
            "，".join(f"{OUTCOMES[c][0]}{counts[c]}行" for c in OUTCOMES if counts.get(c)) or "已保存")
        shown.append({"time": cn_time(dt.datetime.fromisoformat(event["time"])), "name": event.get("original_name", ""),
                      "receipt": event.get("receipt", ""), "summary": summary, "unit": event.get("unit", "")})
    return shown


def file_units(events: list[dict], units: list[str], files: list[str]) -> dict[str, str]:
    """Submission file (relative path) -> unit: from the log for uploaded files, else the unit
    whose name the file's name starts with (the templates' and e-mailed files' habit), else ""."""
    logged = {e["file"]: e["unit"] for e in events if e.get("event") == "upload" and e.get("file")}
    by_length = sorted(units, key=len, reverse=True)
    found = {}
    for rel in files:
        name = PurePosixPath(rel).name
        found[rel] = logged.get(rel) or next((u for u in by_length if name.startswith(u)), "")
    return found


def board_rows(plan, quarter: str, result: IngestResult, events: list[dict],
               row_kpis=lambda rel: {}) -> tuple[list[UnitStatus], list[dict]]:
    """(one status per unit, the rows that need someone: rejected, held, warned) for ``quarter``.

    ``row_kpis(rel)``: (sheet, row) -> (KPI id, text) of a file's rows (:func:`check.row_kpis`);
    a rejected row whose KPI has since been accepted for the quarter (a corrected re-upload)
    is settled and not counted."""
    units = units_of(plan)
    kpis = {k["kpi_id"]: k for k in plan.kpis.to_dict("records")}
    accepted = accepted_in(result, quarter).to_dict("records")
    quarter_files = sorted({f["file"] for f in result.summary["files"] if in_quarter_folder(f["file"], quarter)}
                           | {e["file"] for e in result.summary["file_errors"] if in_quarter_folder(e["file"], quarter)})
    owner_of_file = file_units(events, units, quarter_files)
    problems: list[dict] = []
    rejected: dict[str, int] = {}
    done = {r["kpi_id"] for r in accepted}
    for record in result.rejects.to_dict("records"):
        if not in_quarter_folder(record["file"], quarter):
            continue
        kpi_id, written = row_kpis(record["file"]).get((record["sheet"], int(record["row"])), ("", ""))
        if kpi_id in done:
            continue
        unit = owner_of_file.get(record["file"], "")
        rejected[unit] = rejected.get(unit, 0) + 1
        problems.append({"unit": unit or "（未识别单位）", "file": PurePosixPath(record["file"]).name,
                         "where": f"{record['sheet']} 第{record['row']}行".strip(),
                         "kpi": f"{kpi_id} {kpis[kpi_id]['name']}" if kpi_id else (written or "—"),
                         "outcome": "rejected", "reason": record["message"]})
    judged: dict[tuple[str, str], int] = {}
    for record in accepted:
        outcome, flags = judge(record)
        unit = unit_of(kpis[record["kpi_id"]].get("owner"))
        judged[(unit, outcome)] = judged.get((unit, outcome), 0) + 1
        if outcome in ("held", "warned"):
            labels = flag_labels()
            problems.append({"unit": unit, "file": PurePosixPath(record["source_file"]).name,
                             "where": f"{record['source_sheet']} 第{record['source_row']}行".strip(),
                             "kpi": f"{record['kpi_id']} {kpis[record['kpi_id']]['name']}", "outcome": outcome,
                             "reason": "；".join(labels.get(f, f) for f in flags)})
    reported = {}
    for record in accepted:
        unit = unit_of(kpis[record["kpi_id"]].get("owner"))
        reported.setdefault(unit, set()).add(record["kpi_id"])
    last = {}
    for event in events:
        if event.get("event") == "upload" and event.get("quarter") == quarter:
            last[event["unit"]] = {"time": cn_time(dt.datetime.fromisoformat(event["time"])), "receipt": event.get("receipt", "")}
    statuses = []
    for unit in units:
        count = len(unit_kpis(plan, unit))
        done = len(reported.get(unit, ()))
        statuses.append(UnitStatus(
            unit=unit, kpis=count, accepted=done, missing=count - done, rejected=rejected.get(unit, 0),
            held=judged.get((unit, "held"), 0), warned=judged.get((unit, "warned"), 0),
            submitted=unit in last or unit in owner_of_file.values() or done > 0, last=last.get(unit)))
    order = {code: i for i, code in enumerate(OUTCOMES)}
    problems.sort(key=lambda p: (p["unit"], order[p["outcome"]], p["file"], p["where"]))
    return statuses, problems


def remind_list(plan, quarter: str, result: IngestResult) -> list[tuple[str, list[dict]]]:
    """(unit, its KPIs with nothing accepted for ``quarter``) for every unit that has such KPIs."""
    done = set(accepted_in(result, quarter)["kpi_id"])
    found = []
    for unit in units_of(plan):
        missing = [k for k in unit_kpis(plan, unit) if k["kpi_id"] not in done]
        if missing:
            found.append((unit, missing))
    return found
