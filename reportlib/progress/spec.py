"""What the plan asks of one KPI (:class:`KpiSpec`) and one accepted figure (:class:`Submission`)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from reportlib.errors import InputError
from reportlib.progress.rules import (
    AT_LEAST,
    AT_MOST,
    DEFAULT_DUE_QUARTER,
    EXACTLY,
    KINDS,
    MILESTONE,
    NAN,
    PERCENT_UNIT,
    PERIODS_PER_QUARTER,
    POINT_IN_TIME_KINDS,
    QUARTERS_PER_YEAR,
    RECURRING,
    ZERO_TARGET,
    _float,
    _is_number,
    _text,
)

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


