"""Every number of a plan's document accounted for: KPI, reviewed non-target, context, or to review.

A reviewed plan can no longer lose a target unseen: each quantity of the document body (a number
in digits, a number with a unit, 全覆盖/清零) must be covered by a KPI (same clause, same value),
by a ``not_targets`` entry, or be context or a past result the extractor classified with a
stated reason. A number the extractor could not decide stays in the draft's ``to_review`` list
until a person decides it, and ``plan check`` fails meanwhile; a number in none of these places
fails it too, named by its line and sentence. :func:`account_numbers` gives the disposition of
every number (the review page shows it); :func:`accounting_problems` the messages.
"""
from __future__ import annotations

import pandas as pd

from reportlib.plan.draft import fmt_number
from reportlib.plan.drift import same_number
from reportlib.plan.targets import normalise_text
from reportlib.plan.model import Extraction, Plan
from reportlib.plan.reasons import IGNORED, RESULT, TARGET, reason_label

# What accounts for a number (column ``account``).
KPI, NOT_TARGET, CONTEXT, PAST, TO_REVIEW, UNCOVERED, UNACCOUNTED = (
    "kpi", "not_target", "context", "result", "to_review", "target_uncovered", "unaccounted")
ACCOUNT_LABELS = {
    KPI: "指标", NOT_TARGET: "已确认非目标", CONTEXT: "非目标(背景)", PAST: "已完成结果",
    TO_REVIEW: "待核实", UNCOVERED: "目标未列入指标", UNACCOUNTED: "未归属",
}
ACCOUNT_COLUMNS = ["line", "column", "start", "end", "pillar", "task", "raw", "value", "unit", "status", "reason",
                   "source_text", "sentence", "account", "kpi_id", "note"]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


_MIN_OWN_WORDS = 4  # characters a number's clause needs besides the number to be named by a longer text


def names_clause(reviewed: str, row) -> bool:
    """A reviewed clause (a KPI's or an entry's ``source_text``) names the clause a number stands in:
    it lies within that clause (调整85家 in 拟新发展…170家、调整85家), or contains it when that clause
    says more than the number (a 序号 cell "1" is never named by 新建服务中心1处)."""
    reviewed, found = normalise_text(reviewed or ""), normalise_text(row.source_text or "")
    if not reviewed or not found:
        return False
    if reviewed in found:
        return True
    return found in reviewed and len(found) - len(normalise_text(row.raw or "")) >= _MIN_OWN_WORDS


def kpi_covers(kpi, row) -> bool:
    """A KPI accounts for a number: its clause names the number's clause and its target is the
    number (a decline's target is negative; a range's upper bound counts too), in the same unit."""
    if kpi.kind == "milestone" or not names_clause(kpi.source_text, row):
        return False
    target = kpi.target
    if pd.isna(target) or pd.isna(row.value):
        return False
    values = [abs(float(row.value))]
    if "range_high" in row._fields and not _blank(row.range_high):
        values.append(abs(float(row.range_high)))
    if not any(same_number(abs(float(target)), value) for value in values):
        return False
    return _blank(row.unit) or _blank(kpi.unit) or row.unit == kpi.unit


def entry_covers(entry, row) -> bool:
    """A ``not_targets`` or ``to_review`` entry names this number: same clause, and the same value
    and unit where the entry gives them (an entry without a value covers its clause)."""
    if not names_clause(entry.source_text, row):
        return False
    if not pd.isna(entry.value) and (pd.isna(row.value) or not same_number(abs(float(row.value)), abs(float(entry.value)))):
        return False
    return not entry.unit or _blank(row.unit) or entry.unit == row.unit


def account_numbers(plan: Plan, extraction: Extraction) -> pd.DataFrame:
    """Every quantity of the document (``extraction.numbers`` with a place) and what accounts
    for it (:data:`ACCOUNT_COLUMNS`; ``account`` one of :data:`ACCOUNT_LABELS`)."""
    numbers = extraction.numbers
    numbers = numbers[numbers["column"].notna() & numbers["counted"].fillna(False).astype(bool)]
    kpis = list(plan.kpis.itertuples(index=False))
    dismissed = list(plan.not_targets.itertuples(index=False))
    pending = list(plan.to_review.itertuples(index=False))
    rows = []
    for row in numbers.itertuples(index=False):
        kpi = next((k for k in kpis if kpi_covers(k, row)), None)
        entry = next((e for e in dismissed if entry_covers(e, row)), None) if kpi is None else None
        if kpi is not None:
            account, kpi_id, note = KPI, kpi.kpi_id, f"{kpi.name}"
        elif entry is not None:
            account, kpi_id, note = NOT_TARGET, "", entry.reason
        elif row.status == IGNORED:
            account, kpi_id, note = CONTEXT, "", reason_label(row.reason)
        elif row.status == RESULT:
            account, kpi_id, note = PAST, "", reason_label(row.reason)
        elif any(entry_covers(e, row) for e in pending):
            account, kpi_id, note = TO_REVIEW, "", reason_label(row.reason)
        elif row.status == TARGET:
            account, kpi_id, note = UNCOVERED, "", "文档中的目标没有对应指标"
        else:
            account, kpi_id, note = UNACCOUNTED, "", reason_label(row.reason)
        rows.append({"line": int(row.line), "column": int(row.column), "start": int(row.start), "end": int(row.end),
                     "pillar": row.pillar, "task": row.task, "raw": row.raw, "value": row.value, "unit": row.unit,
                     "status": row.status, "reason": row.reason, "source_text": row.source_text,
                     "sentence": row.sentence, "account": account, "kpi_id": kpi_id, "note": note})
    return pd.DataFrame(rows, columns=ACCOUNT_COLUMNS)


def _where(row) -> str:
    if row.task:
        return f"任务 {row.task}"
    return f"篇章 {int(row.pillar)}" if int(row.pillar) else "开篇"


def accounting_problems(plan: Plan, accounts: pd.DataFrame, line_word: str = "行") -> list[str]:
    """One message per ``to_review`` entry still in the plan file and per number in no place.

    (A candidate target no KPI covers is reported by :func:`~reportlib.plan.drift.check_drift`.)
    """
    name = plan.path.name if plan.path else "plan"
    problems = []
    for entry in plan.to_review.itertuples(index=False):
        where = f"{name}:{int(entry.line)}" if not pd.isna(entry.line) else name
        value = f"{entry.raw or fmt_number(entry.value)}"
        problems.append(
            f"{where}: to_review: 数字「{value}」尚待核实 (number still to review) — {entry.reason} — "
            f"「{entry.source_text}」{'(' + entry.where + ')' if entry.where else ''}; "
            "请把它写成指标 (kpis),或移入 not_targets 并写明原因,然后删去这一条")
    for row in accounts[accounts["account"] == UNACCOUNTED].itertuples(index=False):
        problems.append(
            f"第{row.line}{line_word}: 数字「{row.raw}」没有归属 (number not accounted for) — {row.note} — "
            f"「{row.sentence}」({_where(row)}); 请把它写成指标,或列入 not_targets 并写明原因")
    return problems


def accounting_summary(accounts: pd.DataFrame) -> dict[str, int]:
    """How many numbers each account holds (for the check's last line and the review page)."""
    counts = accounts["account"].value_counts().to_dict() if not accounts.empty else {}
    return {account: int(counts.get(account, 0)) for account in ACCOUNT_LABELS}


