"""Who is responsible and by when: 责任单位 / 牵头单位 and 完成时限 in a plan's text."""
from __future__ import annotations

import re

# （牵头单位:区发改局;责任单位:各镇街） or 责任单位：经发办、财政所 at the end of a task.
_OWNER_RE = re.compile(
    r"[（(]?\s*(?P<role>牵头单位|责任单位|主责单位|责任部门|牵头部门|配合单位|责任人|责任科室)\s*[:：]\s*"
    r"(?P<who>[^）)\n。;；]*?)\s*(?=[）)\n。;；]|完成时限|$)[）)]?"
)
_DEADLINE_RE = re.compile(r"[（(]?\s*(?:完成时限|完成时间|时间节点)\s*[:：]\s*(?P<when>[^）)\n。;；]*)[）)]?")
# Roles in the order an owner is chosen: the lead unit first.
_ROLE_ORDER = ("牵头单位", "牵头部门", "主责单位", "责任单位", "责任部门", "责任科室", "责任人", "配合单位")
_DUE_RE = re.compile(r"(上半年|下半年|年底|年末|全年|[一二三四1-4]季度|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月)")
_CN_MONTHS = {w: i for i, w in enumerate("一二三四五六七八九十", 1)} | {"十一": 11, "十二": 12}


def owner_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, role, who) of every 责任单位/牵头单位/完成时限 note in ``text``."""
    spans = [(m.start(), m.end(), m.group("role"), m.group("who").strip(" ,，、")) for m in _OWNER_RE.finditer(text)]
    spans += [(m.start(), m.end(), "完成时限", m.group("when").strip()) for m in _DEADLINE_RE.finditer(text)]
    return sorted(spans)


def block_owner(spans) -> str:
    """The owner a block names: 牵头单位 before 责任单位; "" when none."""
    found = {role: who for _, _, role, who in spans if who and role != "完成时限"}
    return next((found[role] for role in _ROLE_ORDER if role in found), "")


def quarter_of(text: str) -> int | None:
    """The quarter a deadline falls in: 6月底前 -> 2, 年底前 -> 4, 三季度 -> 3, 上半年 -> 2."""
    match = _DUE_RE.search(text or "")
    if not match:
        return None
    word = match.group(1)
    if word in ("上半年",):
        return 2
    if word in ("下半年", "年底", "年末", "全年"):
        return 4
    if "季度" in word:
        return {"一": 1, "二": 2, "三": 3, "四": 4}.get(word[0]) or int(word[0])
    month_text = word[:-1]
    month = int(month_text) if month_text.isdigit() else _CN_MONTHS.get(month_text)
    return (month - 1) // 3 + 1 if month and 1 <= month <= 12 else None


def block_deadline(spans) -> int | None:
    """The quarter of a block's 完成时限, or None."""
    for _, _, role, when in spans:
        if role == "完成时限":
            return quarter_of(when)
    return None
