"""Past results versus targets: the plan's year, review sentences, summaries.

A work plan often opens by reviewing last year ("2024年,完成地区生产总值670.7亿元,
同比增长6%"), and a year-end summary (工作总结) is nothing but results. These
figures are reported separately (``Extraction.results``), never as targets.
"""
from __future__ import annotations

import re

# A sentence that starts by naming a year before the plan's, or the past in words.
_PAST_SENTENCE_RE = re.compile(r"^\s*(?:(?P<year>20\d{2})\s*年(?:以来|度)?\s*[,，、:：]?|去年|上年|过去一年|过去的一年|一年来|今年以来)")
# Verbs in the past: 已完成, 累计已建成, 顺利完成了 ...
_PAST_VERB_RE = re.compile(r"(?:已|已经|均已|顺利)(?:完成|建成|实现|达到|落地|开工|投用|竣工|签约|引进|培育|新增)|完成了|实现了|达到了|建成了")
# Words of a plan: a sentence with these looks forward, whatever else it says.
_FUTURE_RE = re.compile(r"力争|确保|计划|拟|将|预计|目标|争取|谋划|2\d{3}年底前|年底前")
# Progress so far, in a plan: 目前已累计开展73场次, 现已完成选址, 截至目前已签约3个.
_PROGRESS_RE = re.compile(r"目前已|现已|当前已|已累计|累计已|截至目前|截止目前|截至\d{1,2}月底?|截止\d{1,2}月底?|已先后|已陆续")
# Words of an announcement even in a progress clause (目前已完成选址，计划6月底前投用 is split in clauses).
_PLAN_WORD_RE = re.compile(r"力争|确保|计划|拟|争取|预计|将于|年底前|月底前")
# Titles of a year-end summary, and words that make a title a plan after all (任务清单, 工作打算).
# 工作报告 alone decides nothing: a 政府工作报告 reviews last year and sets this year's targets.
_SUMMARY_TITLE_RE = re.compile(r"总结|述职|完成情况")
_PLAN_TITLE_RE = re.compile(r"计划|谋划|要点|安排|打算|方案|思路|清单|分解|台账")
_WEAK_PLAN_TITLE_RE = re.compile(r"任务|实事|目标")  # 目标任务完成情况 is still a summary
_PLAN_YEAR_RE = re.compile(r"(20\d{2})\s*年")
# The year a plan part of a title names: 2025年工作总结和2026年工作计划 -> 2026.
_PLAN_PART_YEAR_RE = re.compile(r"(20\d{2})\s*年(?:度)?[^0-9，,。]{0,12}?(?:计划|谋划|要点|安排|打算|思路|任务|清单|实事)")

# Why a figure is a past result (Extraction.numbers["reason"] of status "result").
PAST_SECTION = "past_section"  # in a 工作回顾 / 2024年工作总结 section
PAST_YEAR = "past_year"  # the sentence opens with a year before the plan's (2024年,完成…)
PAST_VERB = "past_verb"  # 已完成 / 已建成 …
PAST_SUMMARY = "past_summary"  # the whole document is a year-end summary
PAST_PROGRESS = "past_progress"  # 目前已… / 已累计…: the progress so far

SUMMARY_PROBLEM = (
    "文档看起来是年度工作总结(回顾已完成的工作),不是工作计划:其中的数字是已完成的结果,"
    "未作为候选指标提出;请改用该年度的工作计划(工作谋划/工作要点)"
)


def plan_year(title: str, first_lines: list[str]) -> int | None:
    """The year the plan is for: the year of the title's plan part (2025年工作总结和2026年工作计划
    -> 2026), else the year in its title, else the latest year in its opening lines (a plan
    reviews 2024 before it plans 2025)."""
    match = _PLAN_PART_YEAR_RE.search(title or "") or _PLAN_YEAR_RE.search(title or "")
    if match:
        return int(match.group(1))
    years = [int(y) for text in first_lines for y in _PLAN_YEAR_RE.findall(text or "")]
    return max(years) if years else None


def starts_in_past(sentence: str, year: int | None) -> bool:
    """True when a sentence opens by naming the past: ``2024年,完成…`` (a year before the
    plan's), 去年, 一年来 … and announces nothing (力争, 确保, 计划 …)."""
    match = _PAST_SENTENCE_RE.match(sentence)
    if not match or _FUTURE_RE.search(sentence):
        return False
    return match.group("year") is None or (year is not None and int(match.group("year")) < year)


def reports_done(clause: str) -> bool:
    """True when a clause says the work is done already: 已建成3处, 完成了…"""
    return bool(_PAST_VERB_RE.search(clause)) and not _FUTURE_RE.search(clause)


def reports_progress(clause: str) -> bool:
    """True when a clause gives the progress so far: 目前已累计开展73场次, 截至目前已签约3个."""
    return bool(_PROGRESS_RE.search(clause)) and not _PLAN_WORD_RE.search(clause)


def title_kind(title: str) -> str:
    """"summary" (总结, 述职, 完成情况 and no plan word), "plan" (计划, 要点, 任务清单 …) or "" (says neither)."""
    if not title:
        return ""
    if _PLAN_TITLE_RE.search(title):
        return "plan"
    if _SUMMARY_TITLE_RE.search(title):
        return "summary"
    return "plan" if _WEAK_PLAN_TITLE_RE.search(title) else ""


def looks_like_summary(title: str, n_results: int, n_targets: int, has_plan_sections: bool = False) -> bool:
    """A year-end summary: its title says so (总结, not 计划/清单), or — when the title says neither
    and no section announces plans — its results far outnumber its targets."""
    kind = title_kind(title)
    if kind:
        return kind == "summary"
    if has_plan_sections:
        return False
    return n_results >= 5 and n_results >= 3 * max(n_targets, 1)
