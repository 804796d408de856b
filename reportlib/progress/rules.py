"""Progress rules as data: statuses, thresholds, kinds, periods, flags and the rule texts
printed in every report's 说明 (built from the same constants, so notes cannot drift from code)."""
from __future__ import annotations

import math
from typing import Any, Iterable

import pandas as pd

NAN = float("nan")

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


