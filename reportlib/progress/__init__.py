"""Progress: expected progress (序时进度), status, roll-ups and a year-end forecast.

Leadership asks two questions of every target: *is it where it should be by now*
(status against the expected progress of the quarter) and *will it be met by year
end* (forecast at the run rate). This package answers both for every KPI, and rolls
the answers up to tasks and pillars.

Modules: :mod:`~reportlib.progress.rules` (statuses, thresholds, kinds, rule texts),
:mod:`~reportlib.progress.spec` (what the plan asks of a KPI), :mod:`~reportlib.progress.kpi` (one KPI at one
quarter; the progress table),
:mod:`~reportlib.progress.forecast`, :mod:`~reportlib.progress.rollup`, :mod:`~reportlib.progress.yoy`
(上年同期) and :mod:`~reportlib.progress.commands` (``reportlib progress``).

Public API (docs/data-contracts.md, "Progress table"; rules in docs/progress-rules.md):

* :func:`compute_progress` - one row per plan KPI for one quarter.
* :func:`progress_over_year` - all four quarters of a year, concatenated (trends).
* :func:`rollup` - per task or per pillar: counts by status, capped average
  completion, worst status.
* :func:`laggards`, :func:`missing_submissions`, :func:`status_counts`.
* :func:`status_rules_table` / :func:`status_rules_text` - the rules in Chinese,
  for the notes of every report.
* ``reportlib progress --quarter 2025Q3`` - the KPI table as CSV.

Every threshold and label is defined once, in :mod:`~reportlib.progress.rules`; the rule texts are built from
the same constants so the notes cannot drift from the code.
"""
from __future__ import annotations

from reportlib.progress.commands import (  # noqa: F401
    progress_csv_bytes,
    register,
    run_progress,
)
from reportlib.progress.kpi import (  # noqa: F401
    ACTUALS_REQUIRED,
    FLOAT_COLUMNS,
    PLAN_REQUIRED,
    PROGRESS_COLUMNS,
    compute_progress,
    evaluate_kpi,
    milestone_status,
    progress_over_year,
    ratio_status,
)
from reportlib.progress.rollup import (  # noqa: F401
    ROLLUP_KEYS,
    capped_completion,
    laggards,
    missing_submissions,
    rollup,
    status_counts,
    worst_status,
)
from reportlib.progress.rules import (  # noqa: F401
    AHEAD,
    AHEAD_RATIO,
    AT_LEAST,
    AT_MOST,
    BEHIND,
    BEHIND_RATIO,
    CUMULATIVE_KINDS,
    DEFAULT_DUE_QUARTER,
    DONE,
    DONE_COMPLETION,
    EXACTLY,
    FLAG_MILESTONE_REOPENED,
    FLAG_NONPOSITIVE_TARGET,
    FLAG_NOTHING_DUE,
    FORECAST_FLAG_LABELS,
    FORECAST_FROM_EARLIER,
    FORECAST_IMPLAUSIBLE_MULTIPLE,
    FORECAST_NEGATIVE,
    FORECAST_OVER_MULTIPLE,
    FORECAST_SINGLE_QUARTER,
    KINDS,
    LAGGARD_STATUSES,
    MILESTONE,
    MILESTONE_COMPLETION,
    MILESTONE_STATE_LABELS,
    MILESTONE_WARNING_QUARTERS,
    MISSING,
    NAN,
    ON_TRACK,
    ON_TRACK_RATIO,
    PERCENT_UNIT,
    PERIOD_LABELS,
    PERIODS_PER_QUARTER,
    POINT_IN_TIME_KINDS,
    QUARTERS_PER_YEAR,
    RATIO_DECIMALS,
    RECURRING,
    SEVERELY_BEHIND,
    STATUS_DISPLAY_ORDER,
    STATUS_LABELS,
    STATUS_ORDER,
    STATUS_RANK,
    ZERO_TARGET,
    expected_rules_text,
    status_label,
    status_rank,
    status_rules_table,
    status_rules_text,
)
from reportlib.progress.spec import KpiSpec, Submission  # noqa: F401
from reportlib.progress.yoy import (  # noqa: F401
    YEAR_OVER_YEAR_COLUMNS,
    recurring_kpis,
    year_over_year,
)
