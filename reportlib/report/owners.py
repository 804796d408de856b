"""Responsible units (责任单位, the plan KPIs' ``owner``): who holds which KPIs, how each
unit stands, the ranking of units, and what each has not submitted.

The progress table carries no owner (it lives in the plan); :func:`with_owners` adds it,
blank owners becoming :data:`NO_OWNER`, which is listed but never ranked and gets no
report of its own.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from reportlib import progress as prog

NO_OWNER = "未明确责任单位"
RANKING_RULE = (
    "责任单位排名：按该单位已报送指标的平均完成率（每项最高按100%计、负数按0计，节点类已完成按100%、"
    "推进中按50%、未启动按0计）从高到低排列；相同时滞后指标（欠进度、严重滞后）少者在前，"
    "再相同时未报送指标少者在前；没有已报送指标的单位列在最后；计划中未明确责任单位的指标单独列出，不参与排名。"
)
LAGGARD_COUNT = "laggard_count"


def owner_name(value: Any) -> str:
    """The owner as written in the plan, or NO_OWNER when blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_OWNER
    return str(value).strip() or NO_OWNER


def with_owners(progress: pd.DataFrame, kpis: pd.DataFrame) -> pd.DataFrame:
    """``progress`` with an ``owner`` column from the plan's KPIs (NO_OWNER when blank)."""
    owners = dict(zip(kpis["kpi_id"], kpis["owner"])) if "owner" in kpis.columns else {}
    return progress.assign(owner=[owner_name(owners.get(k)) for k in progress["kpi_id"]])


def plan_owners(kpis: pd.DataFrame) -> list[str]:
    """The plan's responsible units that have KPIs, in name order (NO_OWNER not included)."""
    names = {owner_name(v) for v in (kpis["owner"] if "owner" in kpis.columns else [])}
    return sorted(names - {NO_OWNER})


def for_owner(progress: pd.DataFrame, kpis: pd.DataFrame, owner: str) -> pd.DataFrame:
    """The progress rows of ``owner``'s KPIs, in KPI order."""
    frame = with_owners(progress, kpis)
    return frame[frame["owner"] == owner].reset_index(drop=True)


def ranking(progress: pd.DataFrame, kpis: pd.DataFrame) -> pd.DataFrame:
    """Per responsible unit: the roll-up (KPI and status counts, capped average completion,
    worst status), ``laggard_count`` and ``rank`` (1 = best, by RANKING_RULE), ranked order.

    NO_OWNER's row, when there is one, comes last with rank 0 (not ranked).
    """
    frame = with_owners(progress, kpis)
    table = prog.rollup(frame, by="owner")
    table[LAGGARD_COUNT] = sum(table[code] for code in prog.LAGGARD_STATUSES).astype(int)
    ranked = table[table["owner"] != NO_OWNER].copy()
    ranked["_no_data"] = ranked["avg_completion"].isna()
    ranked["_avg"] = ranked["avg_completion"].fillna(-1.0)
    ranked = ranked.sort_values(["_no_data", "_avg", LAGGARD_COUNT, prog.MISSING, "owner"],
                                ascending=[True, False, True, True, True], kind="mergesort")
    ranked = ranked.drop(columns=["_no_data", "_avg"]).reset_index(drop=True)
    ranked["rank"] = range(1, len(ranked) + 1)
    unowned = table[table["owner"] == NO_OWNER].assign(rank=0)
    return pd.concat([ranked, unowned], ignore_index=True)


def missing_by_owner(progress: pd.DataFrame, kpis: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """owner -> its KPIs with no submission for the quarter (owners with none left out), owners in
    name order and NO_OWNER last."""
    frame = with_owners(progress, kpis)
    missing = frame[frame["status"] == prog.MISSING]
    names = sorted(set(missing["owner"]) - {NO_OWNER}) + ([NO_OWNER] if (missing["owner"] == NO_OWNER).any() else [])
    return {name: missing[missing["owner"] == name].reset_index(drop=True) for name in names}
