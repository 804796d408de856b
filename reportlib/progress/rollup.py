"""Roll-ups per task, pillar or owner, laggards, missing submissions and status counts."""
from __future__ import annotations

from typing import Any, Iterable

import pandas as pd

from reportlib.progress.rules import (
    LAGGARD_STATUSES,
    MISSING,
    NAN,
    STATUS_DISPLAY_ORDER,
    STATUS_LABELS,
    STATUS_RANK,
    _is_number,
    _text,
)

ROLLUP_KEYS = {"task": ["pillar", "task"], "pillar": ["pillar"], "owner": ["owner"]}  # owner: see reportlib.report.owners

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
    if absent:  # the progress table has no owner: reportlib.report.owners.with_owners adds it from the plan
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


