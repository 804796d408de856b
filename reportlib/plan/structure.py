"""The heading structure of a work-plan document: metadata lines, pillars, tasks."""
from __future__ import annotations


import re


from reportlib.plan.model import Block
from reportlib.units import (
    fold_width,
    parse_number,
)

# --------------------------------------------------------------------------
# Document patterns
# --------------------------------------------------------------------------
CN_NUMERALS = "一二三四五六七八九十"
# The genre's heading levels, outermost first: 一、 > （一） > 1. > （1）; any may be missing.
# Patterns run on width-folded text (（ -> (, ． -> .).
HEADING_LEVELS = {
    "section": re.compile(rf"^([{CN_NUMERALS}]{{1,3}})\s*、\s*(.*)$"),
    "paren_cn": re.compile(rf"^[(]\s*([{CN_NUMERALS}]{{1,3}})\s*[)]\s*(.*)$"),
    "arabic": re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.+)$"),
    "paren_ar": re.compile(r"^[(]\s*(\d{1,2})\s*[)]\s*(.+)$"),
}
_INLINE_SPLIT_RE = re.compile(
    rf"(?<=[。!?！？])\s*(?=(?:\d{{1,2}}[.、](?!\d)|[（(][{CN_NUMERALS}]{{1,3}}[)）]|[（(]\d{{1,2}}[)）]))"
)
# Headings of sections that review past work, unless they also announce plans.
_REVIEW_HEADING_RE = re.compile(r"回顾|工作总结|年度总结|总结|主要成效|工作成效|主要成绩|取得的成绩|工作成绩|完成情况|进展情况")
_PLAN_HEADING_RE = re.compile(r"计划|安排|打算|思路|谋划|要点|目标|任务|举措|措施")
SUBITEM_RE = re.compile(rf"(?:^|(?<=[。;；!?！？]))\s*([{CN_NUMERALS}]{{1,2}})是")
_META_KEYS = ("标题", "索引号", "文号", "发文日期", "成文日期", "发布日期", "发布机构", "主题分类", "信息来源", "来源", "发布时间")
_META_LINE_RE = re.compile(rf"^(?:{'|'.join(_META_KEYS)})\s*[:：]")
_PAGE_NUMBER_RE = re.compile(
    r"^[\s\-—–_·]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4})?(?:\s*共\s*\d{1,4}\s*页)?[\s\-—–_·]*$"
)
_MAX_TITLE_LENGTH = 40  # longer pillar "titles" have swallowed their intro
_TRAILING_PAGE_RE = re.compile(r"\s+[-—–]\s*\d{1,4}\s*[-—–]\s*$")

# --------------------------------------------------------------------------
# Document structure
# --------------------------------------------------------------------------
def _parse_meta_row(line: str, meta: dict) -> None:
    """Add ``key: | value | key2: | value2 |`` pairs of a header table row to ``meta``."""
    cells = [c.strip() for c in line.split("|")]
    if len(cells) == 1:  # 标题: 城东街道2025年工作谋划
        parts = re.split(r"[:：]", line, maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            meta[parts[0].strip()] = parts[1].strip()
        return
    for i, cell in enumerate(cells[:-1]):
        if cell.endswith((":", "：")) and cells[i + 1]:
            meta[cell.rstrip(":：").strip()] = cells[i + 1]


def clean_lines(text: str) -> tuple[list[tuple[int, str, bool]], dict]:
    """Content lines without the header table, page numbers and blanks.

    Each item is (line number, text, inline); ``inline`` pieces were split off
    a longer line after 。 because they look like a heading (flattened text).
    A header table stuck in front of the text (``… | 博山区城东街道 |2025年,…``)
    is read as metadata and the rest kept.
    """
    meta: dict = {}
    lines: list[tuple[int, str, bool]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"), 1):
        line = raw.replace("\ufeff", "").strip().strip("\u3000").strip()
        if line.count("|") >= 2 or re.fullmatch(r"[-|:\s]+", line or "-"):
            head, _, line = line.rpartition("|")
            _parse_meta_row(head + "|", meta)
            line = line.strip()
        elif _META_LINE_RE.match(line):
            _parse_meta_row(line, meta)
            continue
        if not line or _PAGE_NUMBER_RE.match(line):
            continue
        line = _TRAILING_PAGE_RE.sub("", line)
        pieces = [piece.strip() for piece in _INLINE_SPLIT_RE.split(line) if piece.strip()]
        lines.extend((number, piece, index > 0) for index, piece in enumerate(pieces))
    return lines, meta


def _heading_title(rest: str) -> tuple[str, str]:
    """Heading text up to the first 。 and the remainder after it."""
    title, sep, remainder = rest.partition("。")
    return title.strip(), remainder.strip() if sep else ""


def _level_match(line: str, level: str):
    """(number, rest) when ``line`` starts with a heading number of ``level``."""
    match = HEADING_LEVELS[level].match(fold_width(line))
    if not match:
        return None
    number = parse_number(match.group(1))
    if not number:
        return None
    return int(number), line[len(line) - len(match.group(2)) :]


def heading_levels(lines) -> list[str]:
    """The genre's heading levels this document uses, outermost first.

    Only whole lines count (not pieces split off a flattened line), so a
    ``1.`` inside running text never creates a level.
    """
    used = [name for name, pattern in HEADING_LEVELS.items()
            if any(not inline and pattern.match(fold_width(line)) for _, line, inline in lines)]
    if not used:  # a flattened document: fall back to pieces
        used = [name for name, pattern in HEADING_LEVELS.items()
                if any(pattern.match(fold_width(line)) for _, line, _ in lines)]
    return used


def is_review_heading(title: str) -> bool:
    """True for a heading of a section reviewing past work (2024年工作回顾, 主要成效)."""
    return bool(_REVIEW_HEADING_RE.search(title)) and not _PLAN_HEADING_RE.search(title)


class _Parser:
    """State while content lines are walked: current pillar, task, sub-item."""

    def __init__(self, levels: list[str], problems: list[str]):
        self.pillar_level = levels[0] if levels else None
        self.task_level = levels[1] if len(levels) > 1 else None
        self.deeper = levels[2:]
        self.problems = problems
        self.pillars: list[dict] = []
        self.blocks: list[Block] = []
        self.pillar_bodies: dict[int, list[str]] = {}
        self.outside: list[str] = []
        self.review_text: list[str] = []
        self.current_pillar: int | None = None
        self.current: Block | None = None
        self.in_review = False  # inside a pillar that reviews past work
        self._last_seen = 0  # number of the last pillar heading as written

    def _expected(self, level: str) -> int:
        if level == self.pillar_level:
            return self._last_seen + 1
        if level == self.task_level:
            previous = self._pillar_blocks()
            return int(previous[-1].task.split(".")[1]) + 1 if previous else 1
        return len(self.current.subitems) + 1 if self.current is not None else 1

    def _pillar_blocks(self) -> list[Block]:
        number = self.current_pillar if self.current_pillar is not None else 0
        return [b for b in self.blocks if b.pillar == number and not b.past]

    def feed(self, number: int, line: str, inline: bool) -> None:
        """One content line."""
        for level in [self.pillar_level, self.task_level, *self.deeper]:
            if level is None:
                continue
            found = _level_match(line, level)
            if found and (not inline or found[0] == self._expected(level)):
                getattr(self, "_pillar" if level == self.pillar_level else "_task" if level == self.task_level else "_subitem")(
                    number, found[0], found[1]
                )
                return
        self._text(line)

    def _pillar(self, number: int, doc_number: int, rest: str) -> None:
        expected = self._expected(self.pillar_level)
        self._last_seen = doc_number
        title, remainder = _heading_title(rest)
        self.current = None
        if is_review_heading(title):  # 一、2024年工作回顾: past results, not a pillar
            self.in_review, self.current_pillar = True, None
            self.current = Block(0, "", title, rest, number, past=True)
            self.blocks.append(self.current)
            return
        self.in_review = False
        if doc_number != expected:
            self.problems.append(f"第{number}行: 篇章编号应为({cn_numeral(expected)}),实为({cn_numeral(doc_number)}) (pillar numbering)")
        if any(p["title"] == title for p in self.pillars) or doc_number < expected:
            self.problems.append(f"第{number}行: 篇章({cn_numeral(doc_number)})重复出现 (duplicate pillar); 按顺序编号")
        p_number = len(self.pillars) + 1  # pillars are numbered in order, never twice
        if not title:
            self.problems.append(f"第{number}行: 篇章({cn_numeral(doc_number)})没有标题 (pillar without title)")
        elif len(title) > _MAX_TITLE_LENGTH:
            self.problems.append(
                f"第{number}行: 篇章({cn_numeral(doc_number)})标题过长,可能与导语连在一起 (pillar title may include its intro)"
            )
        self.pillars.append({"pillar": p_number, "title": title, "line": number})
        self.current_pillar = p_number
        self.pillar_bodies.setdefault(p_number, [])
        if remainder:
            self.pillar_bodies[p_number].append(remainder)

    def _task(self, number: int, t_number: int, rest: str) -> None:
        title, _ = _heading_title(rest)
        if self.in_review or is_review_heading(title):
            self.current = Block(0, "", title, rest, number, past=True)
            self.blocks.append(self.current)
            return
        pillar_number = self.current_pillar if self.current_pillar is not None else 0
        expected = self._expected(self.task_level)
        if t_number != expected:
            self.problems.append(
                f"第{number}行: 任务编号应为{pillar_number}.{expected},实为{pillar_number}.{t_number} (task numbering)"
            )
            if any(b.task == f"{pillar_number}.{t_number}" for b in self._pillar_blocks()):
                t_number = expected  # never two tasks with one number
        self.current = Block(pillar_number, f"{pillar_number}.{t_number}", title, rest, number)
        self.blocks.append(self.current)

    def _subitem(self, number: int, s_number: int, rest: str) -> None:
        if self.current is None or not self.current.task:
            self._text(rest)
            return
        start = len(self.current.text)
        self.current.text += rest
        title, _ = _heading_title(rest)
        self.current.subitems.append((len(self.current.subitems) + 1, start, start + len(title), start))

    def _text(self, line: str) -> None:
        if self.current is not None:
            self.current.text += line
        elif self.in_review:
            self.review_text.append(line)
        elif self.current_pillar is not None:
            self.pillar_bodies[self.current_pillar].append(line)
        else:
            self.outside.append(line)


def parse_structure(lines, problems):
    """Pillars, task blocks, pillar bodies and the preamble from content lines.

    The top two heading levels the document uses become pillars and tasks
    (一、 > （一）, or （一） > 1., or 一、 > 1.); deeper levels become sub-items of
    the task (``Block.subitems``). Sections that review past work (工作回顾,
    2024年工作总结) are returned as blocks with ``past=True`` and pillar 0.
    """
    parser = _Parser(heading_levels(lines), problems)
    for number, line, inline in lines:
        parser.feed(number, line, inline)
    if parser.review_text:
        parser.blocks.append(Block(0, "", "", "".join(parser.review_text), 0, past=True))
    return parser.pillars, parser.blocks, parser.pillar_bodies, parser.outside


def cn_numeral(number: int) -> str:
    """1 -> 一 ... 19 -> 十九 (for messages about pillar headings)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")


