"""Presentation of a plan: the indented tree, and the first draft of a plan file from an extraction."""
from __future__ import annotations


import json
import re

import pandas as pd
import yaml

from reportlib.plan.links import propose_links
from reportlib.plan.model import KPI_KEYS, NOT_TARGET_COLUMNS, OPTIONAL_KPI_KEYS, PLAN_KEYS, TO_REVIEW_COLUMNS, Extraction, Plan
from reportlib.plan.naming import unique_names
from reportlib.plan.reasons import reason_label
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


# Words that end an office's name in a title or a 发布机构 cell, and those that end its parents'.
_OFFICE_SUFFIXES = ("街道", "镇", "乡", "管委会", "开发区")
# A county's or district's own plan (清河县2025年…) names no 街道/镇: the office is the county.
_COUNTY_SUFFIXES = ("县", "区", "市", "旗")
_PARENT_SUFFIXES = "省市区县旗"
_TITLE_WORDS = ("谋划", "要点", "计划", "安排", "方案", "思路", "任务")
_MAX_TITLE_LINE = 60


def guess_title(text: str) -> str:
    """The document's title line when it has no 标题 metadata: the first short line naming a plan."""
    for line in (text or "").splitlines()[:30]:
        line = line.strip().strip("\ufeff\u3000 ")
        if line and len(line) <= _MAX_TITLE_LINE and any(w in line for w in _TITLE_WORDS) and "|" not in line:
            return line
    return ""


def _cut_name(text: str, suffix_length: int, least: int = 1) -> tuple[str, str]:
    """(office, parents) of a name ending in an office suffix: the office is the part after the
    last 省/市/区/县/旗 that leaves it a name of its own (``least`` characters before the suffix);
    西区街道 and 城区街道 stay whole, 博山区城东街道 is 城东街道 of 博山区."""
    end = len(text) - suffix_length
    cut = end
    while True:
        cut = max(text.rfind(p, 0, cut) for p in _PARENT_SUFFIXES)
        if cut < 0:
            return text, ""
        if end - (cut + 1) >= least:
            return text[cut + 1:], text[: cut + 1]


def split_office(text: str) -> tuple[str, str]:
    """("城东街道", "博山区") from "淄博市博山区城东街道办事处"; ("西区街道", "") from "西区街道";
    ("", "") when no office is named. The parent is the nearest 区/县/市 named before the office,
    itself a name of at least two characters (市北区, not 北区)."""
    text = re.sub(r"(?:办事处|人民政府)$", "", re.sub(r"\s+", "", text or ""))
    for suffix in _OFFICE_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            office, parents = _cut_name(text, len(suffix))
            if not parents:
                return office, ""
            parent, _ = _cut_name(parents, 1, least=2)
            return office, parent
    for suffix in _COUNTY_SUFFIXES:
        if text.endswith(suffix) and len(text) >= 3:
            office, parents = _cut_name(text, 1, least=2)
            parent, _ = _cut_name(parents, 1, least=2) if parents else ("", "")
            return office, parent
    return "", ""


def document_identity(extraction: Extraction, text: str = "") -> dict:
    """Office, parent office, year and title read from a document's title line or metadata.

    Empty values (year 0) where the document does not say; ``plan check`` then asks for them.
    """
    title = extraction.title or guess_title(text)
    before_year = re.match(r"^(.*?)(20\d\d)\s*年", title)
    organization, parent = split_office(before_year.group(1)) if before_year else ("", "")
    if not organization:
        organization, parent = split_office(str(extraction.meta.get("发布机构", "")))
    elif not parent:
        _, parent = split_office(str(extraction.meta.get("发布机构", "")))
    found = re.search(r"(20\d\d)\s*年", title) or re.search(
        r"(20\d\d)", " ".join(str(extraction.meta.get(k, "")) for k in ("发文日期", "成文日期", "发布日期")))
    return {"organization": organization, "parent_organization": parent,
            "year": int(found.group(1)) if found else 0, "title": title}


def kpi_id(pillar: int, task: str, number: int) -> str:
    """K2.3.01 for a task's KPI, K2.0.01 for a pillar's own, K0.0.01 for the plan's."""
    return f"K{task}.{number:02d}" if task else f"K{int(pillar)}.0.{number:02d}"


def draft_plan(extraction: Extraction, *, source: str = "", year: int | None = None, text: str = "",
               organization: str | None = None, title: str | None = None, previous_plan=None) -> dict:
    """A first plan-file mapping from an extraction, to be corrected by hand.

    Office, year and title come from the arguments, else from the document
    (:func:`document_identity`). KPI ids are numbered in document order within each
    task (or pillar, or the plan as a whole); names are short names from the clause
    (unique within the plan); owners are the document's 责任单位 where the extractor found
    one. Numbers the extractor could not decide are listed under ``to_review``; with
    ``previous_plan`` (last year's), KPIs that continue one of its KPIs get a proposed
    ``previous_id`` (:func:`~reportlib.plan.links.propose_links`).
    """
    identity = document_identity(extraction, text)
    if organization:
        identity["organization"] = organization.strip()
    if title:
        identity["title"] = title
    if year is not None:
        identity["year"] = int(year)
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
        key = (int(cand.pillar), cand.task)
        counters[key] = counters.get(key, 0) + 1
        milestone = cand.kind == "milestone"
        unit = None if (cand.unit is None or (isinstance(cand.unit, float) and pd.isna(cand.unit))) else cand.unit
        due = cand.due_quarter if milestone and not pd.isna(cand.due_quarter) else None
        kpis.append({
            "id": kpi_id(cand.pillar, cand.task, counters[key]),
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
    for kpi, name in zip(kpis, unique_names([k["name"] for k in kpis], [k["unit"] for k in kpis])):
        kpi["name"] = name
    propose_links(kpis, previous_plan)
    return {**identity, "source": source, "pillars": pillars, "kpis": kpis, "not_targets": [],
            "to_review": review_entries(extraction)}


def _where_text(row) -> str:
    if row.task:
        return f"任务 {row.task}"
    return f"篇章 {int(row.pillar)}" if int(row.pillar) else "开篇"


def review_entries(extraction: Extraction) -> list[dict]:
    """The draft's ``to_review`` list: each number the extractor could not decide, with its clause,
    where it stands and why (:mod:`~reportlib.plan.reasons`)."""
    entries = []
    numbers = extraction.numbers
    for row in numbers[numbers["status"] == "review"].itertuples(index=False):
        unit = None if row.unit is None or (isinstance(row.unit, float) and pd.isna(row.unit)) else row.unit
        entries.append({"source_text": row.source_text, "value": _plain_number(row.value), "unit": unit,
                        "raw": row.raw, "where": _where_text(row), "reason": reason_label(row.reason)})
    return entries


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
    for key in PLAN_KEYS:
        if key in data and (data.get(key) or key != "parent_organization"):
            out.append(f"{key}: {_yaml_scalar(data.get(key))}")
    out.append("pillars: []" if "pillars" in data and not data["pillars"] else "pillars:")
    for pillar in data.get("pillars", []):
        out.append(f"  - pillar: {_yaml_scalar(pillar['pillar'])}")
        out.append(f"    title: {_yaml_scalar(pillar['title'])}")
        out.append("    tasks:")
        for task in pillar.get("tasks", []):
            out.append(f"      - task: {_yaml_scalar(task['task'])}")
            out.append(f"        title: {_yaml_scalar(task['title'])}")
    out.append("kpis: []" if "kpis" in data and not data["kpis"] else "kpis:")
    for kpi in data.get("kpis", []):
        out.append("")
        for i, key in enumerate(KPI_KEYS):
            prefix = "  - " if i == 0 else "    "
            out.append(f"{prefix}{key}: {_yaml_scalar(kpi.get(key))}")
        for key in OPTIONAL_KPI_KEYS:
            if kpi.get(key):
                note = f"  # {kpi['_previous_note']}" if key == "previous_id" and kpi.get("_previous_note") else ""
                out.append(f"    {key}: {_yaml_scalar(kpi[key])}{note}")
    for section, columns in (("not_targets", NOT_TARGET_COLUMNS), ("to_review", TO_REVIEW_COLUMNS)):
        if section not in data:
            continue
        out.append("")
        if section == "to_review" and data[section]:
            out.extend(f"# {line}" for line in TO_REVIEW_HEADER.splitlines())
        out.append(f"{section}:{'' if data[section] else ' []'}")
        for entry in data[section]:
            keys = [k for k in columns if entry.get(k) is not None]
            for i, key in enumerate(keys):
                out.append(f"{'  - ' if i == 0 else '    '}{key}: {_yaml_scalar(entry[key])}")
    return "\n".join(out) + "\n"


TO_REVIEW_HEADER = """待核实的数字 (to_review): 程序不能确定它们是不是目标。请逐条决定:
是目标的写成指标 (kpis);不是目标的移入 not_targets 并写明原因;然后删去这一条。
本列表不为空时 plan check 不通过。reportlib plan review 生成的网页标出了每个数字的位置。"""


