"""Rule checks on a reviewed plan file: ids, structure, kinds, units, targets, schedules."""
from __future__ import annotations


import re
from pathlib import Path

import pandas as pd

from reportlib.plan.draft import fmt_number
from reportlib.plan.drift import same_clause, same_number
from reportlib.plan.model import CUMULATIVE_KINDS, KINDS, PERIODS, PLAN_LEVEL_PILLAR, Plan, QUARTERS
from reportlib.units import (
    AT_MOST,
    COMPARATORS,
    UNITS,
    UnitError,
    canonical_unit,
    is_canonical_unit,
)

# --------------------------------------------------------------------------
# Plan file: validation
# --------------------------------------------------------------------------
_KPI_ID_RE = re.compile(r"^K(\d+)\.(\d+)\.(\d{2,})$")
_TASK_ID_RE = re.compile(r"^(\d+)\.(\d+)$")



def semantic_problems(plan: Plan) -> list[str]:
    """Rule checks on an already-read plan."""
    name = plan.path.name if plan.path else "plan"
    problems: list[str] = []

    def add(message: str, kpi_id: str | None = None) -> None:
        line = plan.kpi_lines.get(kpi_id) if kpi_id else None
        where = f"{name}:{line}" if line else name
        problems.append(f"{where}: {kpi_id + ': ' if kpi_id else ''}{message}")

    if not 2000 <= plan.year <= 2100:
        add(f"year 不合理 (implausible year): {plan.year}; 请填写计划年度, 如 year: 2026")
    if not plan.organization:
        add("缺少 organization: 请填写单位名称, 如 organization: 某某街道 (missing office name)")
    if not plan.title:
        add("缺少 title: 请填写文档标题 (missing title)")
    if not plan.source:
        add("缺少 source: 源文档文件名 (missing source document name)")
    elif not Path(plan.source_path).is_file():
        add(f"找不到 source 指向的文档 (source document not found): {plan.source}")
    _structure_problems(plan, add)
    known_tasks = set(plan.tasks["task"])
    known_pillars = {int(p) for p in plan.pillars["pillar"]}
    seen: set[str] = set()
    for row in plan.kpis.itertuples(index=False):
        kpi_id = row.kpi_id
        if kpi_id in seen:
            add("指标 id 重复 (duplicate KPI id)", kpi_id)
        seen.add(kpi_id)
        _check_kpi_identity(row, known_tasks, known_pillars, lambda m, k=kpi_id: add(m, k))
        _check_kpi_values(row, lambda m, k=kpi_id: add(m, k))
    _not_target_problems(plan, add)
    return problems


def _not_target_problems(plan: Plan, add) -> None:
    """A ``not_targets`` entry has a known canonical unit and does not contradict a KPI."""
    for entry in plan.not_targets.itertuples(index=False):
        if entry.unit and not is_canonical_unit(entry.unit):
            add(f"not_targets: 单位应为规范单位 (unit must be canonical): {entry.unit!r} — {entry.source_text}")
        if pd.isna(entry.value):
            continue
        for kpi in plan.kpis.itertuples(index=False):
            if same_clause(kpi.source_text, entry.source_text) and same_number(kpi.target, entry.value) \
                    and (not entry.unit or entry.unit == kpi.unit):
                add(f"not_targets: 与指标 {kpi.kpi_id} 矛盾 (both a KPI and listed as not a target): "
                    f"{fmt_number(entry.value)}{entry.unit} — {entry.source_text}")


def _structure_problems(plan: Plan, add) -> None:
    """Duplicate pillars/tasks and tasks filed under the wrong pillar."""
    for pillar, count in plan.pillars["pillar"].value_counts().items():
        if count > 1:
            add(f"篇章编号重复 (duplicate pillar): {pillar}")
    for task, count in plan.tasks["task"].value_counts().items():
        if count > 1:
            add(f"任务编号重复 (duplicate task): {task}")
    for row in plan.tasks.itertuples(index=False):
        match = _TASK_ID_RE.match(row.task)
        if not match or int(match.group(1)) != row.pillar:
            add(f"任务 {row.task} 不属于篇章 {row.pillar} (task/pillar mismatch)")


def _check_kpi_identity(row, known_tasks: set, known_pillars: set, add) -> None:
    """id format, task or pillar existence and their agreement of one KPI.

    A KPI hangs off a task ("2.3", id K2.3.nn), off a pillar without numbered tasks
    (task "", id K2.0.nn) or off the plan as a whole (pillar 0, task "", id K0.0.nn).
    """
    match = _KPI_ID_RE.match(row.kpi_id or "")
    pillar = None if row.pillar is None or pd.isna(row.pillar) else int(row.pillar)
    if not match:
        add("id 应写成 K<篇章>.<任务>.<序号>, 如 K1.1.02; 不属于任务的写 0, 如 K2.0.01、K0.0.01 (bad id format)")
    elif row.task:
        if f"{match.group(1)}.{match.group(2)}" != row.task:
            add(f"id 与 task 不一致 (id does not match task {row.task!r})")
    elif match.group(2) != "0" or (pillar is not None and int(match.group(1)) != pillar):
        add(f"不属于任务的指标, id 应写成 K{pillar if pillar is not None else 0}.0.<序号> (id of a KPI without task)")
    if row.task and row.task not in known_tasks:
        add(f"任务不存在 (task does not exist): {row.task!r}")
    if not row.task and pillar not in known_pillars | {PLAN_LEVEL_PILLAR}:
        add(f"篇章不存在 (pillar does not exist): {pillar!r}")
    if row.task and pillar == PLAN_LEVEL_PILLAR:
        add("pillar 为 0 (全局指标) 时 task 应为空 (plan-level KPIs have no task)")
    task_match = _TASK_ID_RE.match(row.task or "")
    if task_match and pillar is not None and int(task_match.group(1)) != pillar:
        add(f"pillar {row.pillar} 与 task {row.task} 不一致 (pillar/task mismatch)")
    if not (row.name or "").strip():
        add("缺少 name (missing name)")
    if not (row.source_text or "").strip():
        add("缺少 source_text (missing source_text)")


def _check_unit(row, add) -> None:
    """Unit known, canonical, and of the dimension the kind needs."""
    kind, unit = row.kind, row.unit
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        if kind not in ("milestone", "zero_target"):
            add(f"缺少 unit (kind {kind} needs a unit)")
        return
    try:
        canonical, factor = canonical_unit(unit)
    except UnitError:
        add(f"未知单位 (unknown unit): {unit!r}")
        return
    if not is_canonical_unit(unit):
        add(f"单位应写成规范单位 {canonical} (unit must be canonical; {unit} = {factor:g} {canonical})")
        return
    dim = UNITS[canonical][0]
    expected = {"area": ("area",), "length": ("length",), "rate": ("percent", "permille"),
                "growth_rate": ("percent", "percentage_point", "permille")}
    if kind in expected and dim not in expected[kind]:
        add(f"kind {kind} 与单位 {unit} 不匹配 (kind/unit mismatch)")
    if kind in ("count", "recurring") and dim in ("area", "length", "percent", "percentage_point"):
        add(f"kind {kind} 与单位 {unit} 不匹配 (kind/unit mismatch; use area/length/rate)")


def _check_kpi_values(row, add) -> None:
    """kind, unit, comparator, period, target, schedule and due_quarter of one KPI."""
    kind = row.kind
    if kind not in KINDS:
        add(f"未知指标类型 (unknown kind): {kind!r}; 可选 {', '.join(KINDS)}")
        return
    _check_unit(row, add)
    if row.comparator not in COMPARATORS:
        add(f"未知比较方式 (unknown comparator): {row.comparator!r}; 可选 {', '.join(COMPARATORS)}")
    if row.period not in PERIODS:
        add(f"未知周期 (unknown period): {row.period!r}; 可选 {', '.join(PERIODS)}")
    target = row.target
    has_target = not pd.isna(target)
    if kind == "milestone":
        if has_target:
            add("里程碑的 target 应为 null (milestone target must be null)")
    elif not has_target:
        add(f"数值类指标缺少 target (kind {kind} needs a target)")
    elif kind == "zero_target" and target != 0:
        add(f"清零类指标的 target 应为 0 (zero_target target must be 0): {target:g}")
    elif target == 0 and kind in CUMULATIVE_KINDS + ("recurring", "rate") and row.comparator != AT_MOST:
        add("目标为 0 又要求“不少于”(at_least),一开始就算完成,报告会显示已完成;要求为零的请写 kind: zero_target "
            "或 comparator: at_most,否则请填写真实目标 (target 0 with at_least: use zero_target or at_most)")
    elif kind == "rate" and not 0 <= target <= 100:
        add(f"比率应在 0-100 之间 (rate outside 0-100): {target:g}")
    elif kind in CUMULATIVE_KINDS + ("recurring",) and target < 0:
        add(f"target 不能为负 (negative target): {target:g}")
    if row.due_quarter is not None and row.due_quarter not in QUARTERS:
        add(f"due_quarter 应为 1-4 (due_quarter outside 1-4): {row.due_quarter!r}")
    _check_schedule(row, has_target, add)


def _check_schedule(row, has_target: bool, add) -> None:
    """A schedule is 4 cumulative quarterly numbers ending at the target."""
    schedule = row.schedule
    if schedule is None:
        return
    if row.kind == "milestone":
        add("里程碑不能有 schedule (milestones have no schedule; use due_quarter)")
        return
    if len(schedule) != 4:
        add(f"schedule 应有 4 个季度值 (schedule needs 4 quarterly values): {list(schedule)}")
        return
    if row.kind in CUMULATIVE_KINDS and any(b < a for a, b in zip(schedule, schedule[1:])):
        add(f"累计类 schedule 不能下降 (cumulative schedule decreases): {list(schedule)}")
    if has_target and abs(schedule[-1] - row.target) > 1e-9 * max(1.0, abs(row.target)):
        add(f"schedule 末值 {schedule[-1]:g} 应等于 target {row.target:g} (last quarter must equal target)")


