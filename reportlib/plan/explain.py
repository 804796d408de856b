"""``plan extract --explain``: every number of a document, what it was taken for and why.

The review aid an analyst reads beside the document: one line per number, in
document order, in Chinese, with the clause it stands in.
"""
from __future__ import annotations

from collections import defaultdict, deque

import pandas as pd

from reportlib.plan.draft import COMPARATOR_SYMBOLS, KIND_LABELS, fmt_number
from reportlib.plan.model import Extraction

STATUS_LABELS = {"target": "目标", "result": "已完成结果", "ignored": "非目标"}
# Why a number is not a target, as the analyst reads it.
REASON_LABELS = {
    "year_or_date": "年份或日期",
    "ordinal": "序数(第…、二期、二届)",
    "quoted_name": "引号或书名号内的名称、口号",
    "name_or_code": "名称或编号(如 1+24+365、A4)",
    "no_unit": "没有计量单位",
    "article": "“一个/一批”式的量词,不是数量",
    "duration": "时长或办理时限(如 10分钟内、7天内)",
    "context_stock": "现有存量(原有/现有/辖区内…),是背景",
    "describes_plan": "描述计划本身(如 17项具体工作)",
    "outside_task": "在任务正文之外",
    "scope_context": "工作范围或受益对象(惠及/受益/占地…),是背景",
    "qualifier": "修饰名词的门槛(如 500万元以上…投资),指标在后面",
    "place_name": "地名或地块名的一部分(如 801台地块)",
    "past_result": "已完成的结果(工作回顾、上年数据),不是今年目标",
    "past_section": "在工作回顾/总结部分,是已完成的结果,不是目标",
    "past_year": "句首是以往年份(如“2024年,完成…”),是已完成的结果,不是目标",
    "past_verb": "写的是“已完成/已建成…”,是已完成的结果,不是目标",
    "past_summary": "文档是年度工作总结,数字是已完成的结果,不是目标",
}


def _where(row) -> str:
    """"篇章2 任务2.1" / "开篇" for the preface."""
    if not row.task and int(row.pillar) == 0:
        return "开篇/篇章外"
    return f"篇章{int(row.pillar)} 任务{row.task}" if row.task else f"篇章{int(row.pillar)}"


def _unit(unit) -> str:
    return "" if unit is None or (isinstance(unit, float) and pd.isna(unit)) else str(unit)


def explain_line(row, candidate=None) -> str:
    """One number as a line: status, the number as written, what and why, the clause."""
    status = STATUS_LABELS.get(row.status, row.status)
    if row.status == "ignored":
        why = REASON_LABELS.get(row.reason, row.reason)
    elif row.status == "result":
        why = REASON_LABELS.get(row.reason) or REASON_LABELS["past_result"]
    else:
        kind = KIND_LABELS.get(row.kind, row.kind)
        why = f"{kind} {fmt_number(row.value)}{_unit(row.unit)}"
        if candidate is not None:
            why = f"{kind} {COMPARATOR_SYMBOLS.get(candidate.comparator, '')}{fmt_number(candidate.value)}{_unit(candidate.unit)}"
            if candidate.approximate:
                why += " 约"
            if candidate.range_high is not None and not pd.isna(candidate.range_high):
                why += f" (区间上限 {fmt_number(candidate.range_high)})"
            if candidate.owner:
                why += f" 责任:{candidate.owner}"
            if candidate.due_quarter is not None and not pd.isna(candidate.due_quarter):
                why += f" 时限:第{int(candidate.due_quarter)}季度"
            why += f" 可信度{candidate.confidence:.2f}"
    clause = str(row.source_text or "")
    if len(clause) > 60:
        clause = clause[:58] + "…"
    return f"[{status}] {row.raw} — {why} — 「{clause}」 ({_where(row)})"


def explain_lines(extraction: Extraction) -> list[str]:
    """Every number of the extraction, in document order, one Chinese line each."""
    pending: dict[tuple, deque] = defaultdict(deque)  # candidates by (task, raw, clause), in order
    for cand in extraction.candidates.itertuples(index=False):
        pending[(cand.task, cand.raw, cand.source_text)].append(cand)
    lines = []
    for row in extraction.numbers.itertuples(index=False):
        queue = pending.get((row.task, row.raw, row.source_text)) if row.status == "target" else None
        lines.append(explain_line(row, queue.popleft() if queue else None))
    if extraction.document_kind == "summary":
        lines.append("该文档被判断为年度工作总结,未提出候选指标。")
    return lines
