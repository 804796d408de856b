"""Responsible units: owners from the plan, roll-up, ranking rule, KPIs without owner, 未报送 per unit."""
from __future__ import annotations

import pandas as pd

from reportlib.report import owners
from reportlib import progress as prog

# kpi_id, owner, status, completion
ROWS = [
    ("K1.1.01", "党建办", "done", 1.2),       # capped at 100 %
    ("K1.1.02", "党建办", "behind", 0.5),
    ("K2.1.01", "城建办", "on_track", 0.75),
    ("K2.1.02", "城建办", "on_track", 0.75),
    ("K3.1.01", "经发办", "severely_behind", 0.75),
    ("K3.1.02", "经发办", "missing", float("nan")),
    ("K4.1.01", "应急办", "missing", float("nan")),
    ("K5.1.01", None, "on_track", 0.9),
    ("K5.1.02", "  ", "missing", float("nan")),
]
KPIS = pd.DataFrame([{"kpi_id": k, "owner": o} for k, o, _, _ in ROWS])
PROGRESS = pd.DataFrame([
    {"kpi_id": k, "pillar": int(k[1]), "task": k[1:4], "name": f"指标{k}", "status": s,
     "status_label": prog.STATUS_LABELS[s], "completion": c, "relative_gap": 0.1, "quarter": "2025Q3",
     "previous_quarter": "", "previous_actual": float("nan"), "previous_state": ""}
    for k, _, s, c in ROWS
])


def test_units_are_ranked_by_capped_average_then_laggards_then_missing():
    table = owners.ranking(PROGRESS, KPIS)
    ranked = table[table["rank"] > 0]
    # 党建办 (1.0 + 0.5) / 2 = 0.75 with 1 laggard; 城建办 0.75 with none; 经发办 0.75, 1 laggard, 1 missing
    assert list(ranked["owner"]) == ["城建办", "党建办", "经发办", "应急办"]
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    assert ranked.set_index("owner").at["党建办", "avg_completion"] == 0.75
    assert ranked.set_index("owner").at["经发办", owners.LAGGARD_COUNT] == 1
    assert pd.isna(ranked.set_index("owner").at["应急办", "avg_completion"])  # nothing reported: last


def test_kpis_without_owner_are_listed_apart_and_not_ranked():
    table = owners.ranking(PROGRESS, KPIS)
    unowned = table[table["owner"] == owners.NO_OWNER]
    assert list(unowned["rank"]) == [0] and int(unowned["kpis"].iloc[0]) == 2
    assert owners.NO_OWNER not in owners.plan_owners(KPIS)
    assert owners.plan_owners(KPIS) == sorted(["党建办", "城建办", "经发办", "应急办"])


def test_missing_submissions_per_unit():
    missing = owners.missing_by_owner(PROGRESS, KPIS)
    assert list(missing) == sorted(["经发办", "应急办"]) + [owners.NO_OWNER]
    assert list(missing["经发办"]["kpi_id"]) == ["K3.1.02"]
    assert list(owners.for_owner(PROGRESS, KPIS, "党建办")["kpi_id"]) == ["K1.1.01", "K1.1.02"]
