"""Next year's plan: the draft proposes ``previous_id`` links to last year's KPIs.

A KPI of the new draft is linked to last year's KPI of the same name — names compared without
their figures, so 培育规上企业8家以上 and 新培育规上企业10家以上 are one KPI — or, failing that, of
a near name (the closest above :data:`NEAR_NAME_RATIO`, and only when it is the one such KPI),
and always of a comparable kind and the same unit. Each proposal is written with a comment
saying so: a person confirms it (``plan check`` then checks kind and unit).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

import pandas as pd

from reportlib.units import find_quantities, fold_width

NEAR_NAME_RATIO = 0.8
_PUNCTUATION_RE = re.compile(r"[\s\W_]+")
# Words that frame a figure, not the measure (左右, 以上 …), and verbs that only say "new".
_FRAME_WORDS_RE = re.compile(r"以上|以下|以内|左右|不少于|不低于|力争|争取|确保|全年|年内|新")
_COMPARABLE_KINDS = ({"count", "zero_target"}, {"area"}, {"length"}, {"rate"}, {"growth_rate"}, {"recurring"},
                     {"milestone"})


def name_key(name: str) -> str:
    """A KPI name without its figures, framing words and punctuation: the key names are compared by."""
    text = fold_width(name or "")
    for match in reversed(find_quantities(text)):
        if match.special:
            continue
        text = text[: match.start] + text[match.end :]
    text = re.sub(r"\d+(?:\.\d+)?", "", text)
    return _PUNCTUATION_RE.sub("", _FRAME_WORDS_RE.sub("", text))


def _unit(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def comparable(kind: str, unit, other_kind: str, other_unit) -> bool:
    """Two KPIs whose figures may be compared across years: kinds of one family, the same unit."""
    family = any(kind in f and other_kind in f for f in _COMPARABLE_KINDS)
    return family and _unit(unit) == _unit(other_unit)


def propose_links(kpis: list[dict], previous_plan) -> None:
    """Add ``previous_id`` (and a ``_previous_note`` comment) to draft KPIs that continue a KPI of
    ``previous_plan`` (a :class:`~reportlib.plan.model.Plan`); each old KPI is proposed once."""
    if previous_plan is None or previous_plan.kpis.empty:
        return
    old = [(row.kpi_id, row.name, name_key(row.name), row.kind, row.unit) for row in previous_plan.kpis.itertuples(index=False)]
    taken: set[str] = set()
    for kpi in kpis:
        key = name_key(kpi["name"])
        usable = [o for o in old if o[0] not in taken and comparable(kpi["kind"], kpi["unit"], o[3], o[4])]
        same = [o for o in usable if o[2] == key and key]
        how = "同名"
        if len(same) != 1:
            ratios = sorted(((SequenceMatcher(None, key, o[2]).ratio(), o) for o in usable if key and o[2]),
                            key=lambda item: -item[0])
            near = [item for item in ratios if item[0] >= NEAR_NAME_RATIO]
            same = [near[0][1]] if len(near) == 1 or (len(near) > 1 and near[0][0] > near[1][0]) else []
            how = "名称相近"
        if len(same) == 1:
            kpi["previous_id"] = same[0][0]
            kpi["_previous_note"] = f"建议:与{previous_plan.year}年「{same[0][1]}」{how},请核对后保留或删去"
            taken.add(same[0][0])
