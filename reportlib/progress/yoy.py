"""Last year's figure of a KPI that recurs (上年同期)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from reportlib.actuals.cells import normalize_name
from reportlib.progress.kpi import compute_progress
from reportlib.progress.rules import _text
from reportlib.quarters import make_quarter, quarter_index

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


