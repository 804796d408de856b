"""Presentation of a plan: the indented tree, and the first draft of a plan file from an extraction."""
from __future__ import annotations


import json
import re

import pandas as pd
import yaml

from reportlib.plan.model import Extraction, KPI_KEYS, NOT_TARGET_COLUMNS, Plan
from reportlib.plan.structure import cn_numeral
from reportlib.units import (
    AT_LEAST,
    AT_MOST,
    EXACTLY,
)

# --------------------------------------------------------------------------
# Presentation: tree, draft YAML
# --------------------------------------------------------------------------
KIND_LABELS = {
    "count": "数量", "area": "面积", "length": "长度", "growth_rate": "增速", "rate": "比率",
    "recurring": "常态", "milestone": "节点", "zero_target": "清零",
}
COMPARATOR_SYMBOLS = {AT_LEAST: "≥", AT_MOST: "≤", EXACTLY: "="}
PERIOD_LABELS = {"year": "全年", "half_year": "每半年", "quarter": "每季度", "month": "每月", "week": "每周", "day": "每天"}


def fmt_number(value) -> str:
    """85000.0 -> "85000", 1.5 -> "1.5", NaN -> ""."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def unit_text(unit) -> str:
    """Unit for display: "%" glued to the number, others after a space."""
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        return ""
    return unit if unit == "%" else f" {unit}"


def _kpi_line(kpi) -> str:
    """One KPI as a line of the plan tree."""
    label = KIND_LABELS.get(kpi.kind, kpi.kind)
    if kpi.kind == "milestone":
        quarter = kpi.due_quarter if kpi.due_quarter is not None else 4
        target = f"— 第{quarter}季度末前完成"
    else:
        symbol = COMPARATOR_SYMBOLS.get(kpi.comparator, kpi.comparator)
        period = PERIOD_LABELS.get(kpi.period, kpi.period) + " " if kpi.kind == "recurring" else ""
        target = f"{period}{symbol} {fmt_number(kpi.target)}{unit_text(kpi.unit)}"
    schedule = f"  计划 {'/'.join(fmt_number(v) for v in kpi.schedule)}" if kpi.schedule else ""
    owner = f"  [{kpi.owner}]" if kpi.owner else ""
    return f"{kpi.kpi_id}  {label}  {kpi.name}  {target}{schedule}{owner}"


def format_plan_tree(plan: Plan) -> str:
    """The plan as an indented tree: pillars, tasks, KPIs with targets."""
    lines = [
        f"{plan.title} ({plan.year}年; {len(plan.pillars)} 个篇章, {len(plan.tasks)} 项任务, {len(plan.kpis)} 个指标)"
    ]
    listed: set[str] = set()
    for pillar in plan.pillars.itertuples(index=False):
        lines.append(f"({cn_numeral(pillar.pillar)}) {pillar.title}")
        for task in plan.tasks[plan.tasks["pillar"] == pillar.pillar].itertuples(index=False):
            lines.append(f"  {task.task} {task.title}")
            for kpi in plan.kpis[plan.kpis["task"] == task.task].itertuples(index=False):
                lines.append(f"    {_kpi_line(kpi)}")
                listed.add(kpi.kpi_id)
    orphans = [k for k in plan.kpis.itertuples(index=False) if k.kpi_id not in listed]
    if orphans:
        lines.append("(未归属任务的指标 / KPIs without a known task)")
        lines.extend(f"    {_kpi_line(k)}" for k in orphans)
    return "\n".join(lines)


def draft_plan(extraction: Extraction, *, source: str = "", year: int | None = None) -> dict:
    """A first plan-file mapping from an extraction, to be corrected by hand.

    KPI ids are numbered in document order within each task; names are the
    source clauses; owners are left empty.
    """
    title = extraction.title
    if year is None:
        found = re.search(r"(20\d\d)", title + " " + str(extraction.meta.get("发文日期", "")))
        year = int(found.group(1)) if found else 0
    pillars = []
    for pillar in extraction.pillars.itertuples(index=False):
        tasks = extraction.tasks[extraction.tasks["pillar"] == pillar.pillar]
        pillars.append({
            "pillar": int(pillar.pillar),
            "title": pillar.title,
            "tasks": [{"task": t.task, "title": t.title} for t in tasks.itertuples(index=False)],
        })
    kpis, counters = [], {}
    for cand in extraction.candidates.itertuples(index=False):
        counters[cand.task] = counters.get(cand.task, 0) + 1
        milestone = cand.kind == "milestone"
        unit = None if (cand.unit is None or (isinstance(cand.unit, float) and pd.isna(cand.unit))) else cand.unit
        due = cand.due_quarter if milestone and not pd.isna(cand.due_quarter) else None
        kpis.append({
            "id": f"K{cand.task}.{counters[cand.task]:02d}",
            "pillar": int(cand.pillar),
            "task": cand.task,
            "name": cand.name,
            "kind": cand.kind,
            "target": None if milestone else _plain_number(cand.value),
            "unit": unit,
            "comparator": cand.comparator,
            "period": cand.period,
            "schedule": None,
            "due_quarter": int(due) if due is not None else None,
            "owner": cand.owner or None,
            "source_text": cand.source_text,
        })
    return {"year": year, "title": title, "source": source, "pillars": pillars, "kpis": kpis, "not_targets": []}


def _plain_number(value):
    """85000.0 -> 85000 (int) so the YAML reads naturally; 1.5 stays 1.5."""
    value = float(value)
    return int(value) if value.is_integer() else value


def _yaml_scalar(value) -> str:
    """One scalar in YAML flow form (quoted only when YAML needs it)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    text = text.strip().removesuffix("...").strip()
    if isinstance(value, str) and text.startswith("'"):
        text = json.dumps(value, ensure_ascii=False)  # "1.1" as in the contract
    return text


def dump_plan_yaml(data: dict, header: str = "") -> str:
    """The plan mapping as diff-friendly YAML: one KPI per block, contract key order.

    ``header`` lines are written as ``#`` comments at the top.
    """
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    for key in ("year", "title", "source"):
        out.append(f"{key}: {_yaml_scalar(data.get(key))}")
    out.append("pillars:")
    for pillar in data.get("pillars", []):
        out.append(f"  - pillar: {_yaml_scalar(pillar['pillar'])}")
        out.append(f"    title: {_yaml_scalar(pillar['title'])}")
        out.append("    tasks:")
        for task in pillar.get("tasks", []):
            out.append(f"      - task: {_yaml_scalar(task['task'])}")
            out.append(f"        title: {_yaml_scalar(task['title'])}")
    out.append("kpis:")
    for kpi in data.get("kpis", []):
        out.append("")
        for i, key in enumerate(KPI_KEYS):
            prefix = "  - " if i == 0 else "    "
            out.append(f"{prefix}{key}: {_yaml_scalar(kpi.get(key))}")
    if "not_targets" in data:
        out.append("")
        out.append(f"not_targets:{'' if data['not_targets'] else ' []'}")
        for entry in data["not_targets"]:
            keys = [k for k in NOT_TARGET_COLUMNS if entry.get(k) is not None]
            for i, key in enumerate(keys):
                out.append(f"{'  - ' if i == 0 else '    '}{key}: {_yaml_scalar(entry[key])}")
    return "\n".join(out) + "\n"


