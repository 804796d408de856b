"""``plan extract --explain``: every number of a document, what it was taken for and why.

The review aid an analyst reads beside the document: one line per number, in
document order, in Chinese, with the clause it stands in and its line.
"""
from __future__ import annotations

import pandas as pd

from reportlib.plan.draft import COMPARATOR_SYMBOLS, KIND_LABELS, fmt_number
from reportlib.plan.model import Extraction
from reportlib.plan.reasons import REASONS, STATUS_LABELS, TARGET, reason_label

# Why a number is not a target, as the analyst reads it (code -> text; see plan.reasons).
REASON_LABELS = {code: reason.label for code, reason in REASONS.items()}


def _where(row) -> str:
    """"篇章2 任务2.1" / "开篇" for the preface."""
    if not row.task and int(row.pillar) == 0:
        return "开篇/篇章外"
    return f"篇章{int(row.pillar)} 任务{row.task}" if row.task else f"篇章{int(row.pillar)}"


def _unit(unit) -> str:
    return "" if unit is None or (isinstance(unit, float) and pd.isna(unit)) else str(unit)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def explain_line(row) -> str:
    """One number as a line: status, the number as written, what and why, the clause, the line."""
    status = STATUS_LABELS.get(row.status, row.status)
    if row.status != TARGET:
        why = reason_label(row.reason) if row.reason else REASON_LABELS["past_result"]
    else:
        kind = KIND_LABELS.get(row.kind, row.kind)
        why = f"{kind} {COMPARATOR_SYMBOLS.get(row.comparator, '')}{fmt_number(row.value)}{_unit(row.unit)}"
        if row.approximate is True:
            why += " 约"
        if _present(row.range_high):
            why += f" (区间上限 {fmt_number(row.range_high)})"
        if row.owner:
            why += f" 责任:{row.owner}"
        if _present(row.due_quarter):
            why += f" 时限:第{int(row.due_quarter)}季度"
        if _present(row.confidence):
            why += f" 可信度{row.confidence:.2f}"
        why += f" 名称:{row.name}"
    clause = str(row.source_text or "")
    if len(clause) > 60:
        clause = clause[:58] + "…"
    line = f" 第{int(row.line)}行" if _present(row.line) else ""
    return f"[{status}] {row.raw} — {why} — 「{clause}」 ({_where(row)}{line})"


def explain_lines(extraction: Extraction) -> list[str]:
    """Every number of the extraction, in document order, one Chinese line each."""
    lines = [explain_line(row) for row in extraction.numbers.itertuples(index=False)]
    if extraction.document_kind == "summary":
        lines.append("该文档被判断为年度工作总结,未提出候选指标。")
    return lines
