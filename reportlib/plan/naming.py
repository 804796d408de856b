"""Short KPI names taken from the clause: 维护更新小区信报箱200户 -> 维护更新小区信报箱.

A draft KPI's name is the clause it was found in, without its figure, the figures of the
other targets of the clause, deadlines and the words that only frame a target (力争, 全年,
确保 …). When one clause lists several targets separated by 、 (提升改造篮球场3处、足球场1处),
each target takes its own part and the part's verb is carried over (提升改造足球场).
"""
from __future__ import annotations

import re

from reportlib.plan.scanner import TARGET_VERBS

# Words that frame a target at the start of a clause, not part of what is measured.
_LEADING_FILLERS = re.compile(
    r"^(?:全年|年内|今年|当年|力争|争取|确保|计划|拟|预计|力求|全力|持续|继续|进一步|积极|加快|同时|其中|并|再|另|实现|"
    r"努力|着力|扎实|年底前|上半年|下半年|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末)?前|[，,、\s])+"
)
_TRAILING_WORDS = re.compile(
    r"(?:(?:提高|提升|降低|下降|增加|减少)(?:到|至)|的|等|达到|达|实现|为|在|至|到|共|累计|以上|以下|以内|左右|稳定|保持|控制|不少于|不低于|不超过|[，,、：:\s（(])+$")
# A part that only names a measure of the first part's object (新建口袋公园2处、面积不少于3000平方米).
_MEASURE_NOUNS = ("面积", "长度", "总长", "里程", "投资", "资金", "规模", "数量", "人数", "户数", "金额", "总额")
_DEADLINE_WORDS = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末)?前|年底前")
_MORE_VERBS = ("修缮", "修建", "改建", "扩建", "新开工", "开工", "竣工", "化解", "办理", "救助", "走访", "排查", "清理",
               "治理", "整改", "争创", "创成", "提质", "升级", "新培育", "新引进", "新签约", "新认定")
_VERB_RUN = re.compile("^(?:" + "|".join(sorted(set(TARGET_VERBS + _MORE_VERBS), key=len, reverse=True)) + ")+")
_MIN_LENGTH = 2


def short_name(clause: str, spans: list[tuple[int, int]], index: int) -> str:
    """The name of the ``index``-th quantity of ``clause``; ``spans`` are (start, end) of every
    quantity of the clause, in order, as offsets into it."""
    start, end = spans[index]
    cut_start, cut_end = 0, len(clause)
    if len(spans) > 1:  # the part between the 、 around this figure (a clause listing several)
        if index > 0:
            between = clause.rfind("、", spans[index - 1][1], start)
            cut_start = between + 1 if between >= 0 else 0
        if index + 1 < len(spans):
            after = clause.find("、", end, spans[index + 1][0])
            cut_end = after if after >= 0 else len(clause)
    part = clause[cut_start:start] + clause[end:cut_end]
    for other_start, other_end in spans:  # the other figures of the same part
        if cut_start <= other_start < cut_end and (other_start, other_end) != (start, end):
            part = part.replace(clause[other_start:other_end], "")
    name = tidy_name(part)
    if cut_start > 0 and name in _MEASURE_NOUNS:
        return tidy_name(clause[:spans[0][0]]) + name
    if cut_start > 0 and not _VERB_RUN.match(name):
        verb = _VERB_RUN.match(tidy_name(clause[:spans[0][0]]) or "")
        if verb:
            name = verb.group() + name
    return name if len(name) >= _MIN_LENGTH else tidy_name(clause) or clause


def tidy_name(text: str) -> str:
    """A clause without framing words, deadlines and trailing particles."""
    name = _DEADLINE_WORDS.sub("", text or "")
    previous = None
    while previous != name:
        previous = name
        name = _LEADING_FILLERS.sub("", name).strip()
        name = _TRAILING_WORDS.sub("", name).strip()
    return name


def unique_names(names: list[str], units: list) -> list[str]:
    """Names made unique within a plan: a repeated name gets its unit, then a number, appended."""
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    out, used = [], set()
    for name, unit in zip(names, units):
        candidate = name
        if seen[name] > 1 and unit:
            candidate = f"{name}（{unit}）"
        number = 2
        base = candidate
        while candidate in used:
            candidate = f"{base}（{number}）"
            number += 1
        used.add(candidate)
        out.append(candidate)
    return out
