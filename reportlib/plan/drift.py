"""Drift between the reviewed plan file and its source document."""
from __future__ import annotations



import pandas as pd

from reportlib.plan.draft import fmt_number, unit_text
from reportlib.plan.model import DRIFT_MIN_CONFIDENCE, Extraction, Plan
from reportlib.plan.structure import clean_lines
from reportlib.plan.targets import extract, normalise_text

# --------------------------------------------------------------------------
# Drift between the plan and its document
# --------------------------------------------------------------------------
def document_body(text: str) -> str:
    """The document's content lines (table rows cell by cell), normalised for substring comparisons."""
    lines, _ = clean_lines(text if isinstance(text, str) else "")
    pieces: list[str] = []
    for line in lines:
        pieces.extend([cell for _, cell in line.cells] if line.cells else [line.text])
    return normalise_text("".join(pieces))


def same_clause(reviewed: str, found: str) -> bool:
    """A reviewed clause (KPI or not_targets entry) names the place of a clause found in the
    document: the reviewed one is not empty and one contains the other (normalised)."""
    reviewed, found = normalise_text(reviewed or ""), normalise_text(found or "")
    return bool(reviewed) and (reviewed in found or found in reviewed)


def same_number(value, reference) -> bool:
    """Both are numbers and equal within a millionth of ``reference``."""
    if pd.isna(value) or pd.isna(reference):
        return False
    return abs(float(value) - float(reference)) <= 1e-6 * max(1.0, abs(float(reference)))


def _same_value(kpi, candidate) -> bool:
    """Target and unit of a KPI equal a numeric candidate's (a unit-less candidate matches any unit)."""
    if not same_number(kpi.target, candidate.value):
        return False
    unit = candidate.unit
    return unit is None or (isinstance(unit, float) and pd.isna(unit)) or unit == kpi.unit


def _covers(kpi, candidate) -> bool:
    """True when a KPI accounts for a candidate: same clause, and same value or kind."""
    if not same_clause(kpi.source_text, candidate.source_text):
        return False
    if candidate.kind == "milestone":
        return kpi.kind == "milestone"
    if candidate.kind == "recurring":
        return kpi.kind == "recurring" and kpi.period == candidate.period
    return kpi.kind not in ("milestone", "recurring") and _same_value(kpi, candidate)


def _dismisses(entry, candidate) -> bool:
    """True when a ``not_targets`` entry names this candidate: same clause, and the same
    value and unit where the entry gives them (an entry without a value covers the clause)."""
    if not same_clause(entry.source_text, candidate.source_text):
        return False
    if not pd.isna(entry.value) and not same_number(candidate.value, entry.value):
        return False
    return not entry.unit or entry.unit == candidate.unit


def check_drift(plan: Plan, document_text: str, extraction: Extraction | None = None, line_word: str = "行") -> list[str]:
    """Differences between the plan and its source document, one message each.

    * a pillar or task title that differs, or exists on one side only;
    * a candidate target (confidence >= :data:`DRIFT_MIN_CONFIDENCE`) that no
      KPI covers (same source clause and same value+unit, or same kind for
      milestones/recurring items);
    * a KPI whose ``source_text`` is no longer in the document.

    A candidate that a ``not_targets`` entry names is a reviewed decision, not drift;
    an entry whose clause is no longer in the document is drift.

    What the extractor could not parse (``extraction.problems``) is not drift: a layout
    the extractor reads imperfectly must not stop a reviewed plan from passing; ``plan
    check`` prints those notes as warnings. Titles are compared at the same place
    (pillar number, task id), whatever heading level the document used for them.
    ``extraction``: the document's extraction when the caller already has it.
    """
    extraction = extraction if extraction is not None else extract(document_text)
    problems: list[str] = []
    _compare_titles(plan.pillars, extraction.pillars, "pillar", "篇章", problems)
    _compare_titles(plan.tasks, extraction.tasks, "task", "任务", problems)
    body = document_body(document_text)
    for kpi in plan.kpis.itertuples(index=False):
        if kpi.source_text and normalise_text(kpi.source_text) not in body:
            problems.append(f"{kpi.kpi_id}: source_text 在文档中找不到 (source_text no longer in document): {kpi.source_text}")
    for entry in plan.not_targets.itertuples(index=False):
        if normalise_text(entry.source_text) not in body:
            problems.append(f"not_targets: 已确认不是指标的原句在文档中找不到 (not_targets clause no longer in document): "
                            f"{entry.source_text}")
    kpis = list(plan.kpis.itertuples(index=False))
    dismissed = list(plan.not_targets.itertuples(index=False))
    for cand in extraction.candidates.itertuples(index=False):
        if cand.confidence < DRIFT_MIN_CONFIDENCE or any(_covers(k, cand) for k in kpis):
            continue
        if any(_dismisses(entry, cand) for entry in dismissed):
            continue
        what = "里程碑" if cand.kind == "milestone" else f"{cand.kind} {fmt_number(cand.value)}{unit_text(cand.unit)}"
        line = f"第{int(cand.line)}{line_word} " if not pd.isna(cand.line) else ""
        problems.append(
            f"{line}任务 {cand.task or cand.pillar}: 文档中的目标没有对应指标 (target not covered by any KPI): "
            f"{what} — {cand.source_text}; 请写成指标,或列入 not_targets 并写明原因"
        )
    return problems


def _compare_titles(plan_frame, doc_frame, key: str, label: str, problems: list[str]) -> None:
    """Report titles that differ between the plan and the document."""
    plan_titles = {row[key]: row["title"] for _, row in plan_frame.iterrows()}
    doc_titles = {row[key]: row["title"] for _, row in doc_frame.iterrows()}
    for item in sorted(set(plan_titles) | set(doc_titles), key=str):
        if item not in doc_titles:
            problems.append(f"{label} {item} 在文档中不存在 (not in document): {plan_titles[item]}")
        elif item not in plan_titles:
            problems.append(f"{label} {item} 未写入计划文件 (not in plan): {doc_titles[item]}")
        elif normalise_text(plan_titles[item]) != normalise_text(doc_titles[item]):
            problems.append(f"{label} {item} 标题不一致 (title differs): 计划 {plan_titles[item]!r} / 文档 {doc_titles[item]!r}")


