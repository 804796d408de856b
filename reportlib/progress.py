"""Progress: expected progress (序时进度), status, roll-ups and a year-end forecast.

Leadership asks two questions of every target: *is it where it should be by now*
(status against the expected progress of the quarter) and *will it be met by year
end* (forecast at the run rate). This module answers both for every KPI, and rolls
the answers up to tasks and pillars.

Public API (docs/data-contracts.md, "Progress table"; rules in docs/progress-rules.md):

* :func:`compute_progress` - one row per plan KPI for one quarter.
* :func:`progress_over_year` - all four quarters of a year, concatenated (trends).
* :func:`rollup` - per task or per pillar: counts by status, capped average
  completion, worst status.
* :func:`laggards`, :func:`missing_submissions`, :func:`status_counts`.
* :func:`status_rules_table` / :func:`status_rules_text` - the rules in Chinese,
  for the notes of every report.
* ``reportlib progress --quarter 2025Q3`` - the KPI table as CSV.

Every threshold and label is defined once, below; the rule texts are built from
the same constants so the notes cannot drift from the code.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from reportlib import workspace
from reportlib.actuals.cells import normalize_name
from reportlib.errors import EXIT_OK, InputError
from reportlib.quarters import (
    QUARTER_PATTERN,
    make_quarter,
    parse_quarter,
    quarter_index,
    quarter_label,
    quarter_year,
    quarters_of_year,
)

# --------------------------------------------------------------------------- statuses

DONE = "done"
AHEAD = "ahead"
ON_TRACK = "on_track"
BEHIND = "behind"
SEVERELY_BEHIND = "severely_behind"
MISSING = "missing"

# Worst -> best. "Worst status" of a group is the first of these present. 未报送 is
# the worst: an unknown figure must never make a group look better than it is.
STATUS_ORDER: tuple[str, ...] = (MISSING, SEVERELY_BEHIND, BEHIND, ON_TRACK, AHEAD, DONE)
STATUS_RANK: dict[str, int] = {code: rank for rank, code in enumerate(STATUS_ORDER)}
# Best -> worst, the order in which reports list the statuses.
STATUS_DISPLAY_ORDER: tuple[str, ...] = tuple(reversed(STATUS_ORDER))
STATUS_LABELS: dict[str, str] = {
    DONE: "已完成",
    AHEAD: "超进度",
    ON_TRACK: "达进度",
    BEHIND: "欠进度",
    SEVERELY_BEHIND: "严重滞后",
    MISSING: "未报送",
}
LAGGARD_STATUSES: tuple[str, ...] = (SEVERELY_BEHIND, BEHIND)

# --------------------------------------------------------------------------- thresholds

# progress_ratio = actual / expected (序时进度完成比)
AHEAD_RATIO = 1.10  # >= : 超进度
ON_TRACK_RATIO = 0.95  # >= : 达进度
BEHIND_RATIO = 0.70  # >= : 欠进度; below: 严重滞后
# completion = actual / target; at least this -> 已完成 (at-least targets)
DONE_COMPLETION = 1.0
# Ratios are rounded to this many decimals before comparison, so 127.5/127.5 or
# 0.95 computed through floats is not misread as 0.9499999.
RATIO_DECIMALS = 9
# A not-started milestone is 欠进度 when its due quarter is at most this many
# quarters ahead, and 达进度 when further away.
MILESTONE_WARNING_QUARTERS = 1
DEFAULT_DUE_QUARTER = 4
# Milestone completion used for roll-up averages.
MILESTONE_COMPLETION: dict[str, float] = {"done": 1.0, "in_progress": 0.5, "not_started": 0.0}
MILESTONE_STATE_LABELS: dict[str, str] = {"done": "已完成", "in_progress": "推进中", "not_started": "未启动"}
# A forecast above this multiple of the target is flagged as implausible.
FORECAST_IMPLAUSIBLE_MULTIPLE = 3.0

QUARTERS_PER_YEAR = 4

# --------------------------------------------------------------------------- kinds

CUMULATIVE_KINDS = ("count", "area", "length")
POINT_IN_TIME_KINDS = ("rate", "growth_rate")
RECURRING = "recurring"
MILESTONE = "milestone"
ZERO_TARGET = "zero_target"
KINDS = (*CUMULATIVE_KINDS, *POINT_IN_TIME_KINDS, RECURRING, MILESTONE, ZERO_TARGET)
PERCENT_UNIT = "%"

AT_LEAST = "at_least"
AT_MOST = "at_most"
EXACTLY = "exactly"

# Recurring targets: periods of the plan's frequency in one quarter.
# A year is 4 quarters, 52 weeks, 12 months, 365 days; "year" on a recurring KPI means
# "value times a year", so a quarter is a quarter of one period.
PERIODS_PER_QUARTER: dict[str, float] = {
    "day": 365 / 4, "week": 13, "month": 3, "quarter": 1, "half_year": 0.5, "year": 0.25,
}
PERIOD_LABELS: dict[str, str] = {
    "day": "日", "week": "周", "month": "月", "quarter": "季度", "half_year": "半年", "year": "年",
}

# --------------------------------------------------------------------------- flags

FLAG_MILESTONE_REOPENED = "milestone_reopened"  # done earlier, not done now
FLAG_NOTHING_DUE = "nothing_due_yet"  # expected progress is 0 this quarter (schedule)
FLAG_NONPOSITIVE_TARGET = "nonpositive_target"  # at-least target <= 0: met / not met
FORECAST_SINGLE_QUARTER = "single_quarter"
FORECAST_NEGATIVE = "negative"
FORECAST_OVER_MULTIPLE = "over_3x_target"
FORECAST_FROM_EARLIER = "from_earlier_quarter"
FORECAST_FLAG_LABELS: dict[str, str] = {
    FORECAST_SINGLE_QUARTER: "仅依据一个季度的数据",
    FORECAST_NEGATIVE: "预测值为负",
    FORECAST_OVER_MULTIPLE: f"预测值超过目标{FORECAST_IMPLAUSIBLE_MULTIPLE:g}倍",
    FORECAST_FROM_EARLIER: "本季度未报送，依据此前季度的数据",
}

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
ROLLUP_KEYS = {"task": ["pillar", "task"], "pillar": ["pillar"], "owner": ["owner"]}  # owner: see reportlib.owners
ACTUALS_REQUIRED = ("kpi_id", "quarter", "cumulative", "state")
PLAN_REQUIRED = ("kpi_id", "kind", "target")
NAN = float("nan")


# --------------------------------------------------------------------------- small helpers


def _is_number(value: Any) -> bool:
    """True for a finite int/float (not bool, not NaN/None)."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _float(value: Any) -> float:
    """``value`` as float, NaN when missing or not a number."""
    return float(value) if _is_number(value) else NAN


def _text(value: Any) -> str:
    """``value`` as text, "" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _bool(value: Any) -> bool:
    """A flag cell as bool: True/False, 1/0, or text such as "True" / "false" (CSV)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "是")
    return bool(value) if _is_number(value) or isinstance(value, bool) else False


def _round(value: float) -> float:
    """Round a ratio for threshold comparisons (see RATIO_DECIMALS)."""
    return round(value, RATIO_DECIMALS)


def _join(flags: Iterable[str]) -> str:
    """';'-joined flag codes, in the given order, without repeats or blanks."""
    return ";".join(dict.fromkeys(flag for flag in flags if flag))


def status_label(code: str) -> str:
    """Chinese label of a status code."""
    return STATUS_LABELS[code]


def status_rank(code: str) -> int:
    """Rank of a status in STATUS_ORDER: 0 is the worst (未报送)."""
    return STATUS_RANK[code]


# --------------------------------------------------------------------------- KPI spec


@dataclass(frozen=True)
class KpiSpec:
    """What the plan asks of one KPI, normalised for the progress rules."""

    kpi_id: str
    kind: str
    target: float  # the year's target; recurring: per-period value x periods a year; NaN for milestones
    plan_target: float  # the plan's figure as written (recurring: per period)
    comparator: str  # at_least | at_most (exactly is read as at_least)
    unit: str
    schedule: tuple[float, float, float, float] | None  # cumulative targets Q1..Q4
    due_quarter: int  # milestones (default 4)

    @property
    def is_cap(self) -> bool:
        """At-most targets and zero targets: met while the actual stays at or below the target."""
        return self.kind == ZERO_TARGET or self.comparator == AT_MOST

    @property
    def is_point_in_time(self) -> bool:
        """Rates (and zero targets in %) are compared as they stand, not accumulated."""
        return self.kind in POINT_IN_TIME_KINDS or (self.kind == ZERO_TARGET and self.unit == PERCENT_UNIT)

    def expected(self, q: int) -> float:
        """Expected value (序时进度) at the end of quarter ``q`` (1..4)."""
        if self.kind == MILESTONE:
            return NAN
        if self.schedule is not None:
            return self.schedule[q - 1]
        if self.is_point_in_time or self.kind == ZERO_TARGET:
            return self.target
        return self.target * q / QUARTERS_PER_YEAR

    @classmethod
    def from_row(cls, row: dict) -> "KpiSpec":
        """Build from one row of ``Plan.kpis``; InputError names the KPI when the row is unusable."""
        kpi_id = _text(row.get("kpi_id"))
        kind = _text(row.get("kind"))
        if kind not in KINDS:
            raise InputError(f"指标 {kpi_id} 的类型无法识别：{kind!r}（应为 {' / '.join(KINDS)}）")
        comparator = _text(row.get("comparator")) or AT_LEAST
        if comparator not in (AT_LEAST, AT_MOST, EXACTLY):
            raise InputError(f"指标 {kpi_id} 的比较方式无法识别：{comparator!r}")
        if comparator == EXACTLY:
            comparator = AT_LEAST
        unit = _text(row.get("unit"))
        if kind == MILESTONE:
            return cls(kpi_id, kind, NAN, NAN, AT_LEAST, unit, None, _due_quarter(kpi_id, row.get("due_quarter")))
        target = plan_target = _float(row.get("target"))
        if math.isnan(target):
            raise InputError(f"指标 {kpi_id} 缺少目标值（只有 milestone 类指标可以没有目标值）")
        if kind == RECURRING:
            period = _text(row.get("period")) or "year"
            if period not in PERIODS_PER_QUARTER:
                raise InputError(f"指标 {kpi_id} 的频次无法识别：{period!r}")
            target = target * PERIODS_PER_QUARTER[period] * QUARTERS_PER_YEAR
        if kind == ZERO_TARGET:
            comparator = AT_MOST
        schedule = _schedule(kpi_id, row.get("schedule"))
        return cls(kpi_id, kind, target, plan_target, comparator, unit, schedule, DEFAULT_DUE_QUARTER)


def _due_quarter(kpi_id: str, value: Any) -> int:
    """A milestone's due quarter, 1..4 (default 4)."""
    if not _is_number(value):
        return DEFAULT_DUE_QUARTER
    due = int(float(value))
    if due not in (1, 2, 3, 4):
        raise InputError(f"指标 {kpi_id} 的完成季度应为1到4，而不是 {value!r}")
    return due


def _schedule(kpi_id: str, value: Any) -> tuple[float, float, float, float] | None:
    """A quarterly schedule (cumulative targets Q1..Q4) or None."""
    if value is None or isinstance(value, str) or (isinstance(value, float) and math.isnan(value)):
        return None
    items = list(value)
    if len(items) != QUARTERS_PER_YEAR or not all(_is_number(item) for item in items):
        raise InputError(f"指标 {kpi_id} 的季度计划应为4个数字（一至四季度累计目标），而不是 {value!r}")
    return tuple(float(item) for item in items)  # type: ignore[return-value]


# --------------------------------------------------------------------------- submissions


@dataclass(frozen=True)
class Submission:
    """One KPI's accepted figure for one quarter of the year."""

    q: int  # quarter index 1..4
    value: float  # year-to-date figure (NaN for milestones)
    state: str  # milestones: not_started / in_progress / done
    approximate: bool
    note: str
    flags: str


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


# --------------------------------------------------------------------------- forecast


def _forecast(spec: KpiSpec, basis: Submission | None, history: list[Submission], q: int) -> tuple[float, str, Any]:
    """Year-end forecast, its flags and whether it meets the target.

    Cumulative, recurring and non-percent zero targets: the run rate of the latest
    figure (``actual / quarter x 4``, or against the schedule when there is one).
    Rates: the latest value. Milestones: no figure; met when done, not met once the
    due quarter has ended, otherwise unknown (None).
    """
    if basis is None:
        return NAN, "", None
    if spec.kind == MILESTONE:
        if basis.state == "done":
            return NAN, "", True
        return NAN, "", (False if q >= spec.due_quarter else None)
    flags = []
    if spec.is_point_in_time:
        forecast = basis.value
        if len(history) == 1:
            flags.append(FORECAST_SINGLE_QUARTER)
    else:
        planned = spec.schedule[basis.q - 1] if spec.schedule is not None else NAN
        if planned > 0:
            forecast = basis.value * spec.target / planned
        else:
            forecast = basis.value / basis.q * QUARTERS_PER_YEAR
        if basis.q == 1:
            flags.append(FORECAST_SINGLE_QUARTER)
    if basis.q != q:
        flags.append(FORECAST_FROM_EARLIER)
    if forecast < 0:
        flags.append(FORECAST_NEGATIVE)
    if spec.target > 0 and forecast > FORECAST_IMPLAUSIBLE_MULTIPLE * spec.target:
        flags.append(FORECAST_OVER_MULTIPLE)
    meets = forecast <= spec.target if spec.is_cap else _round(forecast) >= _round(spec.target)
    return forecast, _join(flags), bool(meets)


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


YEAR_OVER_YEAR_COLUMNS = ["kpi_id", "previous_kpi_id", "previous_year_actual", "previous_year_state", "linked_by"]


def recurring_kpis(plan: Any, previous_plan: Any) -> dict[str, tuple[str, str]]:
    """This year's kpi_id -> (last year's kpi_id, how they are linked).

    Linked by the plan file's ``previous_id`` when given ("previous_id"), otherwise by the
    same name (ignoring spaces and punctuation) and the same unit and kind ("name"), where
    exactly one KPI of last year matches. A KPI whose name or unit changed is not linked
    unless the plan file says so: a figure is never compared with another measure.
    """
    if previous_plan is None:
        return {}
    previous = previous_plan.kpis
    known = set(previous["kpi_id"])
    by_key: dict[tuple, list[str]] = {}
    for row in previous.itertuples(index=False):
        by_key.setdefault((normalize_name(_text(row.name)), _text(row.unit), row.kind), []).append(row.kpi_id)
    links = {}
    for row in plan.kpis.itertuples(index=False):
        linked = getattr(plan, "previous_ids", {}).get(row.kpi_id)
        if linked:
            if linked in known:
                links[row.kpi_id] = (linked, "previous_id")
            continue
        matches = by_key.get((normalize_name(_text(row.name)), _text(row.unit), row.kind), [])
        if len(matches) == 1:
            links[row.kpi_id] = (matches[0], "name")
    return links


def year_over_year(plan: Any, previous_plan: Any, previous_actuals: pd.DataFrame | None, quarter: str) -> pd.DataFrame:
    """Last year's figure for the same quarter of each KPI that recurs (columns YEAR_OVER_YEAR_COLUMNS).

    Empty when there is no plan of last year. The figure is last year's effective actual of
    that quarter (as its own report showed it); NaN when last year had none.
    """
    links = recurring_kpis(plan, previous_plan)
    if not links or previous_actuals is None:
        return pd.DataFrame(columns=YEAR_OVER_YEAR_COLUMNS)
    same_quarter = make_quarter(int(previous_plan.year), quarter_index(quarter))
    last = compute_progress(previous_plan, previous_actuals, same_quarter).set_index("kpi_id")
    rows = [{"kpi_id": kpi_id, "previous_kpi_id": old, "previous_year_actual": float(last.at[old, "actual"]),
             "previous_year_state": _text(last.at[old, "state"]), "linked_by": how}
            for kpi_id, (old, how) in links.items()]
    return pd.DataFrame(rows, columns=YEAR_OVER_YEAR_COLUMNS)


def capped_completion(progress: pd.DataFrame) -> pd.Series:
    """Completion clipped to [0, 1] per KPI (NaN for 未报送), for averages."""
    return progress["completion"].astype("float64").clip(lower=0.0, upper=1.0)


def _task_key(task: Any) -> tuple:
    """Sort key for task numbers: "1.10" after "1.9"."""
    parts = _text(task).split(".")
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


def worst_status(statuses: Iterable[str]) -> str | None:
    """The worst of ``statuses`` by STATUS_ORDER (None for none)."""
    present = [status for status in statuses if status in STATUS_RANK]
    return min(present, key=STATUS_RANK.__getitem__) if present else None


def rollup(progress: pd.DataFrame, by: str = "task") -> pd.DataFrame:
    """Per task, pillar or owner (a progress table with an owner column, see owners.with_owners):
    KPI count, count per status, capped average completion, worst status.

    ``avg_completion`` averages each reported KPI's completion clipped to [0, 1]
    (milestones 1 / 0.5 / 0), so one overshoot cannot hide a laggard; 未报送 KPIs are
    left out of the average (NaN when none reported) and counted in ``missing``.
    """
    if by not in ROLLUP_KEYS:
        raise ValueError(f"by must be one of {', '.join(ROLLUP_KEYS)}; got {by!r}")
    keys = ROLLUP_KEYS[by]
    absent = [key for key in keys if key not in progress.columns]
    if absent:  # the progress table has no owner: reportlib.owners.with_owners adds it from the plan
        raise ValueError(f"by={by!r} needs column(s) {', '.join(absent)} (for owner: owners.with_owners)")
    columns = [*keys, "kpis", *STATUS_DISPLAY_ORDER, "avg_completion", "worst_status", "worst_status_label"]
    frame = progress.assign(_capped=capped_completion(progress))
    rows = []
    for key, group in frame.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        counts = group["status"].value_counts()
        worst = worst_status(group["status"])
        rows.append({
            **dict(zip(keys, key)),
            "kpis": len(group),
            **{code: int(counts.get(code, 0)) for code in STATUS_DISPLAY_ORDER},
            "avg_completion": float(group["_capped"].mean()) if group["_capped"].notna().any() else NAN,
            "worst_status": worst,
            "worst_status_label": STATUS_LABELS.get(worst, ""),
        })
    rows.sort(key=lambda row: tuple(_task_key(row[k]) if k == "task" else _sortable(row[k]) for k in keys))
    result = pd.DataFrame.from_records(rows, columns=columns)
    result["avg_completion"] = result["avg_completion"].astype("float64")
    return result


def _sortable(value: Any) -> tuple:
    """Sort key for pillar numbers (ints first, then text)."""
    return (0, float(value)) if _is_number(value) else (1, _text(value))


def laggards(progress: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """KPIs 严重滞后 or 欠进度: worst status first, then the largest relative gap (1 − progress_ratio)."""
    frame = progress[progress["status"].isin(LAGGARD_STATUSES)]
    frame = frame.assign(_rank=frame["status"].map(STATUS_RANK))
    frame = frame.sort_values(["_rank", "relative_gap", "kpi_id"], ascending=[True, False, True], kind="mergesort")
    frame = frame.drop(columns="_rank").reset_index(drop=True)
    return frame if limit is None else frame.head(int(limit))


def missing_submissions(progress: pd.DataFrame) -> pd.DataFrame:
    """KPIs with no submission for the quarter, with the latest earlier figure if any."""
    columns = ["kpi_id", "pillar", "task", "name", "quarter", "previous_quarter", "previous_actual", "previous_state"]
    frame = progress[progress["status"] == MISSING]
    return frame[[column for column in columns if column in frame.columns]].reset_index(drop=True)


def status_counts(progress: pd.DataFrame) -> pd.DataFrame:
    """Number of KPIs per status, every status listed (best first): status, status_label, count."""
    counts = progress["status"].value_counts()
    return pd.DataFrame({
        "status": list(STATUS_DISPLAY_ORDER),
        "status_label": [STATUS_LABELS[code] for code in STATUS_DISPLAY_ORDER],
        "count": [int(counts.get(code, 0)) for code in STATUS_DISPLAY_ORDER],
    })


# --------------------------------------------------------------------------- rules as text


def _pct(value: float) -> str:
    """0.95 -> "95%"."""
    return f"{value * 100:g}%"


def status_rules_table() -> pd.DataFrame:
    """The status rules, in Chinese, one row per status (best first): 状态, 判定规则."""
    rules = {
        DONE: (
            f"累计类、频次类、比率类（不低于目标）：实际完成 ÷ 年度目标 ≥ {_pct(DONE_COMPLETION)}；"
            "节点类：已完成；不超过类/清零类：第四季度末仍未超出目标"
        ),
        AHEAD: f"实际完成 ÷ 序时进度 ≥ {_pct(AHEAD_RATIO)}（尚未完成全年目标）",
        ON_TRACK: (
            f"{_pct(ON_TRACK_RATIO)} ≤ 实际完成 ÷ 序时进度 < {_pct(AHEAD_RATIO)}；"
            "节点类：推进中且未到期，或未启动但距完成季度超过"
            f"{MILESTONE_WARNING_QUARTERS}个季度；不超过类/清零类：未超出序时控制数"
        ),
        BEHIND: (
            f"{_pct(BEHIND_RATIO)} ≤ 实际完成 ÷ 序时进度 < {_pct(ON_TRACK_RATIO)}；"
            "节点类：未启动且下一季度到期；不超过类：未超出全年目标但超出序时控制数"
        ),
        SEVERELY_BEHIND: (
            f"实际完成 ÷ 序时进度 < {_pct(BEHIND_RATIO)}（含负增长）；"
            "节点类：完成季度已过仍未完成；不超过类/清零类：已超出目标"
        ),
        MISSING: "本季度未报送（表中列出此前最近一次报送的数值）；在汇总中视为最差状态",
    }
    return pd.DataFrame({
        "状态": [STATUS_LABELS[code] for code in STATUS_DISPLAY_ORDER],
        "判定规则": [rules[code] for code in STATUS_DISPLAY_ORDER],
    })


def expected_rules_text() -> str:
    """How the expected progress (序时进度) is set, in Chinese."""
    periods = "、".join(f"{PERIOD_LABELS[p]} {n:g} 期" for p, n in PERIODS_PER_QUARTER.items())
    return "\n".join([
        "序时进度：",
        "· 累计类（数量、面积、长度）：年度目标 × 已过季度数 ÷ 4；计划列明季度目标的，按季度累计目标。",
        "· 比率类、增长率类：按时点比较，序时进度即目标值本身。",
        f"· 频次类：每期目标 × 已过期数（每季度折合：{periods}）；年度目标 = 每期目标 × 全年期数。",
        f"· 节点类：在完成季度（未注明的为第{DEFAULT_DUE_QUARTER}季度）末前完成。",
        "· 不超过类、清零类：实际不超过目标即为达标。",
    ])


def status_rules_text() -> str:
    """Expected-progress and status rules as Chinese text, for the notes of every report."""
    lines = [expected_rules_text(), "进度状态："]
    for label, rule in status_rules_table().itertuples(index=False):
        lines.append(f"· {label}：{rule}")
    lines.append(
        "完成率 = 实际完成 ÷ 年度目标；汇总平均完成率中每项指标最高按100%计、负数按0计，"
        "节点类已完成按100%、推进中按50%、未启动按0计，未报送指标不参与平均。"
    )
    lines.append(
        "全年预测按当前进度推算：累计类、频次类 = 累计完成 ÷ 已过季度数 × 4（有季度计划的按计划进度推算），"
        f"比率类取最新值；仅依据一个季度、预测为负或超过目标{FORECAST_IMPLAUSIBLE_MULTIPLE:g}倍的予以标注。"
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI


def _counts_text(progress: pd.DataFrame, quarter: str) -> str:
    """One line of status counts, e.g. "2025年第三季度 共 60 项：已完成 5，…"."""
    counts = status_counts(progress)
    parts = "，".join(f"{label} {count}" for label, count in zip(counts["status_label"], counts["count"]))
    return f"{quarter_label(quarter)}（{quarter}）共 {len(progress)} 项指标：{parts}"


def progress_csv_bytes(progress: pd.DataFrame) -> bytes:
    """CSV bytes: UTF-8 with BOM (Excel shows Chinese), LF line ends, text neutralised."""
    from reportlib.actuals import neutralize

    out = progress.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def run_progress(args) -> int:
    """``reportlib progress``: write the KPI table as CSV, print status counts to stderr."""
    from reportlib.actuals import ACTUALS_FILE, load_actuals, write_bytes_atomic
    from reportlib.plan import load_plan

    ws = workspace.current()
    year = ws.year(args.year, None if args.year else args.quarter)
    plan = load_plan(Path(args.plan) if args.plan else ws.plan_file(year))
    quarter = _canonical_quarter(args.quarter, plan.year)
    processed = Path(args.processed) if args.processed else ws.processed(plan.year)
    actuals_path = processed / f"{ACTUALS_FILE}.parquet"
    if not actuals_path.exists():
        raise InputError(f"找不到 {plan.year} 年的实际完成数据，请先运行 `reportlib ingest --year {plan.year}`",
                         file=str(actuals_path))
    progress = compute_progress(plan, load_actuals(processed), quarter)
    out = Path(args.out) if args.out else processed / f"progress_{quarter}.csv"
    write_bytes_atomic(out, progress_csv_bytes(progress))
    print(_counts_text(progress, quarter), file=sys.stderr)
    print(f"输出：{out}", file=sys.stderr)
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``reportlib progress``."""
    parser = subparsers.add_parser(
        "progress",
        help="各指标序时进度、状态与全年预测 → CSV",
        description="Compute expected progress, status and year-end forecast of every KPI for one quarter.",
    )
    parser.add_argument("--quarter", required=True, help="e.g. 2026Q3 (any form reportlib reads: 2026年三季度 …; Q3 with --year)")
    parser.add_argument("--year", type=int, help="plan year (default: the quarter's year)")
    parser.add_argument("--out", default=None, help="CSV file (default: <processed>/progress_<quarter>.csv)")
    parser.add_argument("--plan", default=None, help="plan YAML (default: data/raw/plans/<year>/plan.yaml)")
    parser.add_argument("--processed", default=None, help="folder with actuals.parquet (default: data/processed/<year>)")
    parser.set_defaults(func=run_progress)
