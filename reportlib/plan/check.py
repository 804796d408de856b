"""The whole of ``reportlib plan check``, as one function a build can call: :func:`check_plan`.

It runs, on a plan file and its source document:

* the rule checks (:mod:`~reportlib.plan.validation`: ids, kinds, units, targets, schedules);
* drift against the document (:mod:`~reportlib.plan.drift`: titles, clauses, uncovered targets);
* the accounting of every number (:mod:`~reportlib.plan.accounting`: ``to_review`` must be empty,
  no number of the document may be in no place);
* ``previous_id`` links against last year's plan of the same workspace (exists, same kind and unit);
* warnings that never fail a check: what the extractor could not parse, KPIs sharing a name, a
  ``previous_id`` whose year has no plan file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportlib.errors import InputError
from reportlib.plan.accounting import ACCOUNT_COLUMNS, account_numbers, accounting_problems
from reportlib.plan.documents import Document, load_document
from reportlib.plan.drift import check_drift
from reportlib.plan.links import comparable
from reportlib.plan.model import Extraction, Plan
from reportlib.plan.planfile import default_plan_path, read_plan, validate_plan
from reportlib.plan.targets import extract_document, normalise_text

PLAN_FILE_NAME = "plan.yaml"


@dataclass
class PlanCheck:
    """What ``plan check`` found: ``errors`` fail it (exit 3), ``warnings`` never do.

    ``accounts``: every number of the document and what accounts for it
    (:data:`~reportlib.plan.accounting.ACCOUNT_COLUMNS`), empty when the document is missing.
    """

    path: Path
    errors: list[str]
    warnings: list[str]
    plan: Plan | None = None
    document: Document | None = None
    extraction: Extraction | None = None
    accounts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACCOUNT_COLUMNS))

    @property
    def ok(self) -> bool:
        return not self.errors


def line_word(document: Document | None) -> str:
    """How a place in the document is named in messages: a text file's line, a paragraph otherwise."""
    return "行" if document is None or document.format == "text" else "段"


def check_plan(path=None, workspace=None) -> PlanCheck:
    """Run the whole of ``plan check`` on a plan file (default: the workspace's latest year) and
    return its errors and warnings; never raises for a bad plan file or document."""
    path = Path(path) if path is not None else default_plan_path(workspace=workspace)
    errors = validate_plan(path)
    result = PlanCheck(path, errors, [])
    try:
        plan, _ = read_plan(path)
    except InputError:
        return result
    result.plan = plan
    if plan.source and Path(plan.source_path).is_file():
        try:
            document = load_document(plan.source_path)
        except InputError as exc:
            errors.append(str(exc))
            return result
        extraction = extract_document(document)
        result.document, result.extraction = document, extraction
        result.warnings += list(extraction.problems)
        errors += check_drift(plan, document.text, extraction, line_word(document))
        result.accounts = account_numbers(plan, extraction)
        errors += accounting_problems(plan, result.accounts, line_word(document))
    errors += previous_id_problems(plan, result.warnings)
    result.warnings += duplicate_name_warnings(plan)
    return result


def previous_plan_path(plan: Plan) -> Path | None:
    """Last year's plan file in the same workspace (…/plans/<year-1>/plan.yaml), or None."""
    if plan.path is None or not plan.year:
        return None
    candidate = Path(plan.path).parent.parent / str(plan.year - 1) / PLAN_FILE_NAME
    return candidate if candidate.is_file() else None


def previous_id_problems(plan: Plan, warnings: list[str]) -> list[str]:
    """``previous_id`` links must name a KPI of last year's plan of the same kind and unit
    (a growth rate is never shown as last year's figure of a count)."""
    if not plan.previous_ids:
        return []
    name = plan.path.name if plan.path else "plan"
    path = previous_plan_path(plan)
    if path is None:
        warnings.append(f"{name}: 找不到上一年({plan.year - 1}年)的计划文件,无法核对 previous_id "
                        f"({len(plan.previous_ids)} 个指标);上年同期数据不会显示")
        return []
    try:
        previous, _ = read_plan(path)
    except InputError as exc:
        return [f"{name}: 上一年的计划文件读不出,无法核对 previous_id: {exc}"]
    by_id = {row.kpi_id: row for row in previous.kpis.itertuples(index=False)}
    kpis = {row.kpi_id: row for row in plan.kpis.itertuples(index=False)}
    problems = []
    for kpi_id, previous_id in plan.previous_ids.items():
        where = f"{name}:{plan.kpi_lines.get(kpi_id)}" if plan.kpi_lines.get(kpi_id) else name
        old = by_id.get(previous_id)
        if old is None:
            problems.append(f"{where}: {kpi_id}: previous_id {previous_id} 在{previous.year}年的计划文件中不存在 "
                            f"(previous_id not in last year's plan {path.parent.name}/{path.name})")
            continue
        kpi = kpis.get(kpi_id)
        if kpi is not None and not comparable(kpi.kind, kpi.unit, old.kind, old.unit):
            problems.append(
                f"{where}: {kpi_id}: previous_id {previous_id} 是{previous.year}年的「{old.name}」"
                f"({old.kind}, {old.unit or '无单位'}),本指标是 {kpi.kind}, {kpi.unit or '无单位'};"
                "类型或单位不同,不能作上年同期对比 (previous_id of another kind or unit); 请改正或删去 previous_id")
    return problems


def duplicate_name_warnings(plan: Plan) -> list[str]:
    """KPIs that share a name (a report could not tell them apart)."""
    name = plan.path.name if plan.path else "plan"
    groups: dict[str, list[str]] = {}
    for row in plan.kpis.itertuples(index=False):
        if row.name:
            groups.setdefault(normalise_text(row.name), []).append(row.kpi_id)
    return [f"{name}: 指标名称重复 (duplicate KPI name) {'、'.join(ids)}: 「{plan.kpis.loc[plan.kpis['kpi_id'] == ids[0], 'name'].iloc[0]}」;"
            "报告中无法区分,请改成各自的简短名称" for ids in groups.values() if len(ids) > 1]


def check_problems(path=None, workspace=None) -> list[str]:
    """The errors of :func:`check_plan` (empty when the plan passes ``plan check``)."""
    return check_plan(path, workspace).errors
