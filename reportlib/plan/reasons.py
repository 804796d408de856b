"""What became of each number of a plan document, and why: the reasons as data, in one place.

Every quantity of a document ends in exactly one of four states (``Extraction.numbers["status"]``):

* ``target`` — a candidate target (a KPI of the draft);
* ``ignored`` — context the extractor classified with a stated reason (a date, an ordinal, a
  name, stock, scope …);
* ``result`` — a past result or the progress so far (工作回顾, 已完成…, 目前已累计…);
* ``review`` — the extractor could not decide: the draft lists it under ``to_review`` and
  ``plan check`` fails until a person has made it a KPI or a reviewed ``not_targets`` entry.

Each reason below has the text a clerk reads (in ``plan extract --explain``, the review page and
``plan check``). Codes are stable: they are written into draft plan files.
"""
from __future__ import annotations

from dataclasses import dataclass

TARGET, IGNORED, RESULT, REVIEW = "target", "ignored", "result", "review"
STATUSES = (TARGET, IGNORED, RESULT, REVIEW)
STATUS_LABELS = {TARGET: "目标", RESULT: "已完成结果", IGNORED: "非目标", REVIEW: "待核实"}


@dataclass(frozen=True)
class Reason:
    status: str
    label: str  # what a clerk reads


REASONS: dict[str, Reason] = {
    # context: classified, with the reason
    "year_or_date": Reason(IGNORED, "年份或日期"),
    "ordinal": Reason(IGNORED, "序数（第…、二期、二届、十三届四次会议）"),
    "quoted_name": Reason(IGNORED, "引号或书名号内的名称、口号"),
    "name_or_code": Reason(IGNORED, "名称或编号的一部分（如 1+24+365、5G、3号楼、附件1、一二三支路）"),
    "no_unit": Reason(IGNORED, "汉字数词，没有计量单位（如 一体化、两级）"),
    "article": Reason(IGNORED, "“一个/一批”式的量词，不是数量"),
    "duration": Reason(IGNORED, "时长或办理时限（如 10分钟内、7天内）"),
    "context_stock": Reason(IGNORED, "现有存量（原有/现有/依托/围绕…），是背景"),
    "describes_plan": Reason(IGNORED, "描述计划本身（如 17项具体工作、以下8件民生实事、（共5项））"),
    "scope_context": Reason(IGNORED, "工作范围或受益对象（惠及/受益/涉及/占地/总投资…），是背景"),
    "qualifier": Reason(IGNORED, "修饰名词的门槛（如 500万元以上…投资），指标在后面"),
    "place_name": Reason(IGNORED, "地名或地块名的一部分（如 801台地块、三支路）"),
    "age": Reason(IGNORED, "年龄（如 60周岁以上），是服务对象的条件"),
    "attendance": Reason(IGNORED, "代表、委员的人数（出席会议或提出建议的人），不是目标"),
    "project_scale": Reason(IGNORED, "项目的规模或产能（年产…、日处理…），是项目的说明"),
    "owner_note": Reason(IGNORED, "责任单位、完成时限说明中的数字"),
    "row_number": Reason(IGNORED, "表格中的序号"),
    "table_header": Reason(IGNORED, "表头或表名中的数字"),
    "deadline": Reason(IGNORED, "完成时限栏中的日期"),
    "owner_cell": Reason(IGNORED, "责任单位栏中的数字"),
    "repeat": Reason(IGNORED, "重复前文已提出的目标（附表或同一行重复正文），不重复计为指标"),
    "in_recurring": Reason(IGNORED, "常态化工作（每季度…）的一部分，已计入该常态化指标"),
    "outside_task": Reason(IGNORED, "在任务正文之外"),
    # past results and progress
    "past_result": Reason(RESULT, "已完成的结果（工作回顾、上年数据），不是今年目标"),
    "past_section": Reason(RESULT, "在工作回顾/总结/完成情况部分，是已完成的结果，不是目标"),
    "past_year": Reason(RESULT, "句首是以往年份（如“2024年，完成…”），是已完成的结果，不是目标"),
    "past_verb": Reason(RESULT, "写的是“已完成/已建成…”，是已完成的结果，不是目标"),
    "past_progress": Reason(RESULT, "写的是目前的进展（目前已…、已累计…、截至目前…），不是目标"),
    "past_summary": Reason(RESULT, "文档是年度工作总结，数字是已完成的结果，不是目标"),
    # the extractor could not decide: to review
    "unknown_unit": Reason(REVIEW, "数字后面没有认得出的计量单位：可能是新的量词（请定为指标），也可能是名称或编号中的数字"),
    "object_scope": Reason(REVIEW, "“对…”引出的或交办、提出的事项数：可能是工作对象的范围（背景），也可能是要完成的目标"),
    "beneficiaries": Reason(REVIEW, "受益的对象（解决…问题）：可能是受益范围（背景），也可能是要完成的目标"),
    "table_other": Reason(REVIEW, "表格中不明含义的一栏里的数字：可能是目标（如年度计划投资），也可能是说明"),
    "table_unknown": Reason(REVIEW, "表格的表头不像目标任务表（任务/目标/责任单位/完成时限）：表中数字是否为目标需人工确认"),
    "outlook": Reason(REVIEW, "年度总结中对下一年的打算：若这份文档要作为下一年的计划，请定为指标；否则列为非目标"),
    "unread": Reason(REVIEW, "程序未能判断这个数字（所在句子的写法少见）"),
}


def reason_label(code: str) -> str:
    """The Chinese text of a reason code (the code itself when unknown)."""
    reason = REASONS.get(code)
    return reason.label if reason else code


def reason_status(code: str) -> str:
    """The status a reason puts a number in."""
    reason = REASONS.get(code)
    return reason.status if reason else IGNORED
