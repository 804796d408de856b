"""One KPI at one quarter: what the plan asks (:class:`KpiSpec`), what was submitted
(:class:`Submission`), its status and the progress table (:func:`compute_progress`)."""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reportlib.errors import InputError
from reportlib.progress.forecast import forecast as _forecast
from reportlib.progress.rules import (
    AHEAD,
    AHEAD_RATIO,
    BEHIND,
    BEHIND_RATIO,
    DONE,
    DONE_COMPLETION,
    FLAG_MILESTONE_REOPENED,
    FLAG_NONPOSITIVE_TARGET,
    FLAG_NOTHING_DUE,
    LAGGARD_STATUSES,
    MILESTONE,
    MILESTONE_COMPLETION,
    MILESTONE_STATE_LABELS,
    MILESTONE_WARNING_QUARTERS,
    MISSING,
    NAN,
    ON_TRACK,
    ON_TRACK_RATIO,
    QUARTERS_PER_YEAR,
    SEVERELY_BEHIND,
    STATUS_LABELS,
    _bool,
    _float,
    _join,
    _round,
    _text,
)
from reportlib.progress.spec import KpiSpec, Submission
from reportlib.quarters import (
    QUARTER_PATTERN,
    make_quarter,
    parse_quarter,
    quarter_index,
    quarter_year,
    quarters_of_year,
)

# --------------------------------------------------------------------------- columns

# The contract columns (docs/data-contracts.md) first, then the extras.
PROGRESS_COLUMNS: list[str] = [
    "kpi_id", "pillar", "task", "name", "kind", "unit", "quarter",
    "actual", "target", "expected", "completion", "progress_ratio", "gap",
    "status", "status_label", "previous_actual", "change",
    "forecast", "forecast_flag", "forecast_meets", "state", "note", "approximate",
    # extras (none of them repeats a plan column other than the contract's, so the
    # table can be merged with Plan.kpis without suffixes)
    "plan_target", "relative_gap", "previous_quarter", "previous_state", "state_label",
    "flags", "actual_flags",
]
FLOAT_COLUMNS = (
    "actual", "target", "expected", "completion", "progress_ratio", "gap",
    "previous_actual", "change", "forecast", "relative_gap", "plan_target",
)
ACTUALS_REQUIRED = ("kpi_id", "quarter", "cumulative", "state")
PLAN_REQUIRED = ("kpi_id", "kind", "target")


def _plan_parts(plan: Any) -> tuple[pd.DataFrame, int | None]:
    """``(kpis frame, plan year or None)`` from a Plan or its kpis DataFrame."""
    if isinstance(plan, pd.DataFrame):
        kpis, year = plan, None
    elif hasattr(plan, "kpis"):
        kpis, year = plan.kpis, getattr(plan, "year", None)
    else:
        raise TypeError("plan must be a reportlib.plan.Plan or its kpis DataFrame")
    missing = [column for column in PLAN_REQUIRED if column not in kpis.columns]
    if missing:
        raise InputError(f"工作计划指标表缺少列：{', '.join(missing)}")
    return kpis, (int(year) if year is not None else None)


def _usable(kind: str, value: float, state: str) -> bool:
    """A submission counts only with a state (milestones) or a finite figure (others)."""
    return state in MILESTONE_COMPLETION if kind == MILESTONE else not math.isnan(value)


def _histories(actuals: pd.DataFrame, year: int, q: int, kinds: dict[str, str]) -> dict[str, list[Submission]]:
    """Per KPI, its usable submissions of ``year`` up to quarter ``q``, oldest first.

    Superseded rows are dropped when the column is present; if two rows remain for one
    KPI and quarter, the one with the later report_date (then the later row) wins.
    """
    missing = [column for column in ACTUALS_REQUIRED if column not in actuals.columns]
    if missing:
        raise InputError(f"实际完成数据缺少列：{', '.join(missing)}")
    frame = actuals
    if "superseded" in frame.columns:
        frame = frame[~frame["superseded"].map(_bool).astype(bool)]
    quarters = frame["quarter"].astype(str)
    valid = quarters.str.fullmatch(QUARTER_PATTERN.pattern)
    frame = frame[valid]
    quarters = quarters[valid]
    frame = frame.assign(_year=quarters.str[:4].astype(int), _q=quarters.str[-1].astype(int))
    frame = frame[(frame["_year"] == year) & (frame["_q"] <= q) & frame["kpi_id"].isin(list(kinds))]
    order = ["kpi_id", "_q"] + (["report_date"] if "report_date" in frame.columns else [])
    frame = frame.sort_values(order, kind="mergesort")
    latest: dict[tuple[str, int], Submission] = {}
    for row in frame.to_dict("records"):
        kpi_id = str(row["kpi_id"])
        value, state = _float(row.get("cumulative")), _text(row.get("state"))
        if not _usable(kinds[kpi_id], value, state):
            continue
        latest[(kpi_id, int(row["_q"]))] = Submission(
            q=int(row["_q"]),
            value=NAN if kinds[kpi_id] == MILESTONE else value,
            state=state if kinds[kpi_id] == MILESTONE else "",
            approximate=_bool(row.get("approximate")),
            note=_text(row.get("note")),
            flags=_text(row.get("flags")),
        )
    histories: dict[str, list[Submission]] = {}
    for (kpi_id, _), submission in sorted(latest.items()):
        histories.setdefault(kpi_id, []).append(submission)
    return histories


# --------------------------------------------------------------------------- status rules


def ratio_status(ratio: float) -> str:
    """Status of an at-least KPI not yet done, from its progress ratio (actual / expected)."""
    ratio = _round(ratio)
    if ratio >= AHEAD_RATIO:
        return AHEAD
    if ratio >= ON_TRACK_RATIO:
        return ON_TRACK
    if ratio >= BEHIND_RATIO:
        return BEHIND
    return SEVERELY_BEHIND


def _evaluate_at_least(spec: KpiSpec, actual: float, q: int) -> dict:
    """Completion, ratio, gap and status of an at-least (or exactly) numeric KPI."""
    expected = spec.expected(q)
    flags = []
    if spec.target > 0:
        completion = actual / spec.target
        done = _round(completion) >= DONE_COMPLETION
    else:
        flags.append(FLAG_NONPOSITIVE_TARGET)
        done = actual >= spec.target
        completion = 1.0 if done else 0.0
    if expected > 0:
        ratio = actual / expected
        status = DONE if done else ratio_status(ratio)
        relative_gap = 1.0 - ratio
    else:  # nothing expected yet (schedule 0) or a non-positive target
        ratio = NAN
        if spec.target > 0:
            flags.append(FLAG_NOTHING_DUE)
        if done:
            status = DONE
        elif actual > expected:
            status = AHEAD
        elif actual == expected:
            status = ON_TRACK
        else:
            status = SEVERELY_BEHIND
        relative_gap = 1.0 if status == SEVERELY_BEHIND else 0.0
    return {
        "expected": expected, "completion": completion, "progress_ratio": ratio,
        "gap": expected - actual, "relative_gap": relative_gap, "status": status, "flags": flags,
    }


def _evaluate_cap(spec: KpiSpec, actual: float, q: int) -> dict:
    """At-most and zero targets: met while actual <= target; pacing against the expected value."""
    expected = spec.expected(q)
    met = actual <= spec.target
    if not met:
        status = SEVERELY_BEHIND
    elif actual > expected:
        status = BEHIND  # within the cap, but used faster than its share of the year
    elif q == QUARTERS_PER_YEAR:
        status = DONE
    else:
        status = ON_TRACK
    ratio = 1.0 if actual <= expected else (expected / actual if expected > 0 else 0.0)
    return {
        "expected": expected, "completion": 1.0 if met else 0.0, "progress_ratio": ratio,
        "gap": actual - spec.target, "relative_gap": 1.0 - ratio, "status": status, "flags": [],
    }


def milestone_status(state: str, q: int, due_quarter: int) -> str:
    """Status of a milestone with ``state`` at the end of quarter ``q``."""
    if state == "done":
        return DONE
    if q >= due_quarter:
        return SEVERELY_BEHIND  # the due quarter has ended without completion
    if state == "in_progress":
        return ON_TRACK
    return BEHIND if due_quarter - q <= MILESTONE_WARNING_QUARTERS else ON_TRACK


def _evaluate_milestone(spec: KpiSpec, current: Submission, earlier: list[Submission], q: int) -> dict:
    """Status, completion and flags of a milestone."""
    status = milestone_status(current.state, q, spec.due_quarter)
    completion = MILESTONE_COMPLETION[current.state]
    reopened = current.state != "done" and any(item.state == "done" for item in earlier)
    return {
        "expected": NAN, "completion": completion, "progress_ratio": NAN, "gap": NAN,
        "relative_gap": 1.0 - completion if status in LAGGARD_STATUSES else 0.0,
        "status": status, "flags": [FLAG_MILESTONE_REOPENED] if reopened else [],
    }


# --------------------------------------------------------------------------- one KPI


def evaluate_kpi(spec: KpiSpec, history: list[Submission], q: int, year: int) -> dict:
    """All computed fields of one KPI at quarter ``q`` of ``year``.

    ``history`` holds the KPI's submissions of the year up to ``q``, oldest first.
    No submission in quarter ``q`` -> 未报送, with the latest earlier figure shown as
    ``previous_actual``.
    """
    current = history[-1] if history and history[-1].q == q else None
    earlier = history[:-1] if current else history
    previous = earlier[-1] if earlier else None
    row: dict[str, Any] = {
        "target": spec.target,
        "plan_target": spec.plan_target,
        "expected": spec.expected(q),
        "previous_quarter": make_quarter(year, previous.q) if previous else "",
        "previous_actual": previous.value if previous else NAN,
        "previous_state": previous.state if previous else "",
    }
    if current is None:
        forecast, forecast_flag, meets = _forecast(spec, previous, history, q)
        row.update(
            actual=NAN, completion=NAN, progress_ratio=NAN, gap=NAN, relative_gap=NAN,
            status=MISSING, change=NAN, state="", note="", approximate=False, flags="", actual_flags="",
            forecast=forecast, forecast_flag=forecast_flag, forecast_meets=meets,
        )
        return row
    if spec.kind == MILESTONE:
        result = _evaluate_milestone(spec, current, earlier, q)
    elif spec.is_cap:
        result = _evaluate_cap(spec, current.value, q)
    else:
        result = _evaluate_at_least(spec, current.value, q)
    forecast, forecast_flag, meets = _forecast(spec, current, history, q)
    row.update(result)
    row.update(
        actual=current.value,
        change=current.value - previous.value if previous else NAN,
        state=current.state,
        note=current.note,
        approximate=current.approximate,
        flags=_join(result["flags"]),
        actual_flags=current.flags,
        forecast=forecast,
        forecast_flag=forecast_flag,
        forecast_meets=meets,
    )
    return row


# --------------------------------------------------------------------------- public API


def _canonical_quarter(quarter: Any, plan_year: int | None) -> str:
    """The quarter as "2025Q3"; InputError when unreadable or outside the plan's year."""
    text = parse_quarter(quarter, default_year=plan_year)
    if plan_year is not None and quarter_year(text) != plan_year:
        raise InputError(f"季度 {text} 不属于 {plan_year} 年的工作计划")
    return text


def _progress_frame(rows: list[dict]) -> pd.DataFrame:
    """The progress table with its columns in order and stable dtypes."""
    frame = pd.DataFrame.from_records(rows, columns=PROGRESS_COLUMNS)
    for column in FLOAT_COLUMNS:
        frame[column] = frame[column].astype("float64")
    frame["approximate"] = frame["approximate"].astype(bool)
    frame["forecast_meets"] = pd.Series(list(frame["forecast_meets"]), index=frame.index, dtype=object)
    return frame


def compute_progress(plan: Any, actuals: pd.DataFrame, quarter: Any) -> pd.DataFrame:
    """One row per plan KPI for ``quarter``: actual, expected, completion, status, forecast.

    ``plan`` is a :class:`reportlib.plan.Plan` or its ``kpis`` DataFrame; ``actuals`` is
    the actuals table (superseded rows, if present, are ignored). Columns: PROGRESS_COLUMNS.
    """
    kpis, plan_year = _plan_parts(plan)
    quarter = _canonical_quarter(quarter, plan_year)
    year, q = quarter_year(quarter), quarter_index(quarter)
    records = kpis.to_dict("records")
    specs = [KpiSpec.from_row(record) for record in records]
    histories = _histories(actuals, year, q, {spec.kpi_id: spec.kind for spec in specs})
    rows = []
    for record, spec in zip(records, specs):
        computed = evaluate_kpi(spec, histories.get(spec.kpi_id, []), q, year)
        rows.append({
            "kpi_id": spec.kpi_id,
            "pillar": record.get("pillar"),
            "task": _text(record.get("task")),
            "name": _text(record.get("name")),
            "kind": spec.kind,
            "unit": spec.unit,
            "quarter": quarter,
            **computed,
            "status_label": STATUS_LABELS[computed["status"]],
            "state_label": MILESTONE_STATE_LABELS.get(computed["state"], ""),
        })
    return _progress_frame(rows)


def progress_over_year(plan: Any, actuals: pd.DataFrame, year: int, *, through: str | None = None,
                       known: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """:func:`compute_progress` for Q1..Q4 of ``year`` (or Q1..``through``), concatenated (for trends).

    ``known``: quarter -> its compute_progress table already at hand (not computed again).
    """
    known = known or {}
    wanted = [q for q in quarters_of_year(int(year)) if through is None or q <= through]
    frames = [known[q] if q in known else compute_progress(plan, actuals, q) for q in wanted]
    return pd.concat(frames, ignore_index=True)


