"""The heading structure of a work-plan document: metadata lines, pillars, tasks, tables.

Every piece of text is filed with its line and column, so that each number found later
can be shown where it stands in the document (``Block.segments``).
"""
from __future__ import annotations


import re
from dataclasses import dataclass


from reportlib.plan.model import Block
from reportlib.plan.tables import Table, table_blocks
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
# Headings of sections that review past work (工作回顾, 2025年度目标任务完成情况, 存在的问题),
# and words that make a heading announce plans after all (2026年工作打算).
_REVIEW_HEADING_RE = re.compile(
    r"回顾|工作总结|年度总结|总结|主要成效|工作成效|主要成绩|取得的成绩|工作成绩|完成情况|进展情况|落实情况|执行情况"
    r"|开展情况|推进情况|实施情况|工作情况|基本情况"
    r"|存在的?问题|问题和不足|问题与不足|不足之处"
)
_PLAN_HEADING_RE = re.compile(r"计划|安排|打算|思路|谋划|要点|展望")
# Without a 情况/回顾 word, these words make a heading a plan's (主要目标任务, 重点举措).
_PLAN_WORDS_RE = re.compile(r"目标|任务|举措|措施")
_REVIEW_STRONG_RE = re.compile(r"(?:完成|进展|落实|执行|开展|推进|实施|工作|基本)情况|回顾|存在的?问题|问题和不足|问题与不足|不足之处")
SUBITEM_RE = re.compile(rf"(?:^|(?<=[。;；!?！？\n]))\s*([{CN_NUMERALS}]{{1,2}})是")
_META_KEYS = ("标题", "索引号", "文号", "发文日期", "成文日期", "发布日期", "发布机构", "主题分类", "信息来源", "来源", "发布时间")
_META_LINE_RE = re.compile(rf"^(?:{'|'.join(_META_KEYS)})\s*[:：]")
_PAGE_NUMBER_RE = re.compile(
    r"^[\s\-—–_·]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4})?(?:\s*共\s*\d{1,4}\s*页)?[\s\-—–_·]*$"
)
_MAX_TITLE_LENGTH = 40  # longer pillar "titles" have swallowed their intro
_TRAILING_PAGE_RE = re.compile(r"\s+[-—–]\s*\d{1,4}\s*[-—–]\s*$")
_SEPARATOR_ROW_RE = re.compile(r"[-|:：\s—–=+]+")
_LEADING_RE = re.compile(r"[\s\ufeff]*")


@dataclass(frozen=True)
class Line:
    """One content line (or a heading split off a flattened line) of the document.

    ``number``: 1-based line of the document text; ``column``: where ``text`` starts in it;
    ``inline``: split off a longer line after 。 because it looks like a heading;
    ``cells``: for a table row written with ``|``, (column, text) of each cell.
    """

    number: int
    text: str
    inline: bool = False
    column: int = 0
    cells: tuple = ()


# --------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------
def _split_cells(line: str, column: int) -> list[tuple[int, str]]:
    """(column, text) of the cells of a ``|`` row; the empty ends of ``| a | b |`` left out."""
    cells, position = [], 0
    parts = line.split("|")
    for index, part in enumerate(parts):
        stripped = part.strip()
        lead = len(part) - len(part.lstrip())
        if not ((index == 0 or index == len(parts) - 1) and not stripped):
            cells.append((column + position + lead, stripped))
        position += len(part) + 1
    return cells


def _meta_row(cells: list[tuple[int, str]], meta: dict) -> bool:
    """Add ``标题: | 城东… | 发文日期: | …`` pairs to ``meta``; True when the row is such a header row."""
    texts = [text for _, text in cells]
    keys = [i for i, text in enumerate(texts) if text.endswith((":", "：")) and text.rstrip(":：").strip() in _META_KEYS]
    for i in keys:
        if i + 1 < len(texts) and texts[i + 1] and texts[i + 1].rstrip(":：").strip() not in _META_KEYS:
            meta[texts[i].rstrip(":：").strip()] = texts[i + 1]
    return bool(keys)


def _pieces(line: str, column: int) -> list[tuple[int, str, bool]]:
    """(column, text, inline) of the pieces of a line split before headings run into it."""
    pieces, start = [], 0
    for match in _INLINE_SPLIT_RE.finditer(line):
        pieces.append((start, line[start:match.start()]))
        start = match.end()
    pieces.append((start, line[start:]))
    out = []
    for index, (offset, piece) in enumerate(pieces):
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            out.append((column + offset + lead, piece.strip(), index > 0))
    return out


def clean_lines(text: str) -> tuple[list[Line], dict]:
    """Content lines without the header table, page numbers and blanks, with line and column.

    A header table (``标题: | 城东… |``) is read as metadata — and text stuck behind it
    (``… | 博山区城东街道 |2025年,…``) kept; other rows written with ``|`` are table rows
    (``Line.cells``); separator rows (``---|---``) are dropped.
    """
    meta: dict = {}
    lines: list[Line] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"), 1):
        column = _LEADING_RE.match(raw).end()
        line = raw[column:].rstrip()
        if "|" in line and (line.count("|") >= 2 or _SEPARATOR_ROW_RE.fullmatch(line)):
            if _SEPARATOR_ROW_RE.fullmatch(line):
                continue
            cells = _split_cells(line, column)
            if _meta_row(cells, meta):
                if line.endswith("|") or not cells:
                    continue
                column, line = cells[-1]  # text stuck behind the header table
            else:
                if any(text for _, text in cells):
                    lines.append(Line(number, line, False, column, tuple(cells)))
                continue
        elif _META_LINE_RE.match(line):
            key, value = re.split(r"[:：]", line, maxsplit=1)
            if value.strip():
                meta[key.strip()] = value.strip()
            continue
        if not line or _PAGE_NUMBER_RE.match(line):
            continue
        line = _TRAILING_PAGE_RE.sub("", line)
        lines.extend(Line(number, piece, inline, col) for col, piece, inline in _pieces(line, column))
    return lines, meta


# --------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------
def _heading_title(rest: str) -> tuple[str, str]:
    """Heading text up to the first 。 and the remainder after it."""
    title, sep, remainder = rest.partition("。")
    return title.strip(), remainder.strip() if sep else ""


_FIRST_CLAUSE_RE = re.compile(r"^[^，,；;：:]+")
_QUANTITY_IN_TITLE_RE = re.compile(r"\d")


def _sentence_heading_title(title: str) -> str:
    """A heading that is itself a sentence of targets (一、实施老旧小区综合整治3个；维护更新小区信报箱260户；…,
    the genre's 民生实事 lists) is titled by its first clause; the whole heading is still read for targets."""
    if len(title) <= _MAX_TITLE_LENGTH or not _QUANTITY_IN_TITLE_RE.search(title):
        return title
    first = _FIRST_CLAUSE_RE.match(title)
    return first.group().strip() if first and len(first.group().strip()) >= 4 else title


def _level_match(line: str, level: str):
    """(number, rest, offset of rest) when ``line`` starts with a heading number of ``level``."""
    match = HEADING_LEVELS[level].match(fold_width(line))
    if not match:
        return None
    number = parse_number(match.group(1))
    if not number:
        return None
    return int(number), line[match.start(2):], match.start(2)


def strip_heading_label(text: str) -> str:
    """``一、经济发展`` / ``（一）经济发展`` / ``1.经济发展`` -> ``经济发展``; other text unchanged."""
    for level in HEADING_LEVELS:
        found = _level_match(text, level)
        if found:
            return found[1].strip()
    return text.strip()


def heading_levels(lines) -> list[str]:
    """The genre's heading levels this document uses, outermost first.

    Only whole lines count (not pieces split off a flattened line), so a
    ``1.`` inside running text never creates a level.
    """
    texts = [line for line in lines if not line.cells]
    used = [name for name, pattern in HEADING_LEVELS.items()
            if any(not line.inline and pattern.match(fold_width(line.text)) for line in texts)]
    if not used:  # a flattened document: fall back to pieces
        used = [name for name, pattern in HEADING_LEVELS.items()
                if any(pattern.match(fold_width(line.text)) for line in texts)]
    return used


def is_review_heading(title: str) -> bool:
    """True for a heading of a section reviewing past work (2024年工作回顾, 主要成效,
    2025年度目标任务完成情况, 存在的问题); not for one announcing plans (2026年工作打算)."""
    if not _REVIEW_HEADING_RE.search(title) or _PLAN_HEADING_RE.search(title):
        return False
    return bool(_REVIEW_STRONG_RE.search(title)) or not _PLAN_WORDS_RE.search(title)


def is_outlook_heading(title: str) -> bool:
    """True for a heading announcing next steps (2026年工作打算, 下一步工作计划)."""
    return bool(_PLAN_HEADING_RE.search(title)) and not _REVIEW_HEADING_RE.search(title)


class _Parser:
    """State while content lines are walked: current pillar, task, sub-item, table."""

    def __init__(self, levels: list[str], problems: list[str]):
        self.pillar_level = levels[0] if levels else None
        self.task_level = levels[1] if len(levels) > 1 else None
        self.deeper = levels[2:]
        self.problems = problems
        self.pillars: list[dict] = []
        self.blocks: list[Block] = []  # tasks and review sections
        self._tasks: dict[int, list[Block]] = {}  # pillar -> its task blocks, in order
        self.pillar_blocks: dict[int, Block] = {}  # a pillar's own text: heading, intro
        self.outside = Block(0, "", "", line=1)  # preface and text outside any pillar
        self.review: Block | None = None  # text of a review pillar outside its tasks
        self.cells: list[Block] = []  # table cells that are not targets (序号, 责任单位 …)
        self.current_pillar: int | None = None
        self.current: Block | None = None
        self.in_review = False  # inside a pillar that reviews past work
        self.outlook = False  # inside a section announcing next year's work (工作打算)
        self._last_seen = 0  # number of the last pillar heading as written
        self._rows: list[Line] = []  # table rows being collected
        self._last_text: tuple[Block, Line] | None = None  # the last running-text line and its block
        self._caption_line: tuple[Block, Line] | None = None  # the line naming the table being filed
        self.tables = 0

    def _expected(self, level: str) -> int:
        if level == self.pillar_level:
            return self._last_seen + 1
        if level == self.task_level:
            previous = self._tasks_of(self.current_pillar)
            return int(previous[-1].task.split(".")[1]) + 1 if previous else 1
        return len(self.current.subitems) + 1 if self.current is not None else 1

    def _tasks_of(self, pillar: int | None) -> list[Block]:
        return self._tasks.get(pillar if pillar is not None else 0, [])

    def _add_task(self, block: Block) -> None:
        self.blocks.append(block)
        self._tasks.setdefault(block.pillar, []).append(block)

    def feed(self, line: Line) -> None:
        """One content line."""
        if line.cells:
            self._rows.append(line)
            return
        self.flush_table()
        for level in [self.pillar_level, self.task_level, *self.deeper]:
            if level is None:
                continue
            found = _level_match(line.text, level)
            if found and (not line.inline or found[0] == self._expected(level)):
                handler = "_pillar" if level == self.pillar_level else "_task" if level == self.task_level else "_subitem"
                getattr(self, handler)(line, found[0], found[1], line.column + found[2])
                self._last_text = None
                return
        self._text(line.text, line.number, line.column)

    # -- headings ---------------------------------------------------------
    def _pillar(self, line: Line, doc_number: int, rest: str, column: int) -> None:
        expected = self._expected(self.pillar_level)
        self._last_seen = doc_number
        title, _ = _heading_title(rest)
        self.current = None
        if is_review_heading(title):  # 一、2024年工作回顾: past results, not a pillar
            self.in_review, self.outlook, self.current_pillar = True, False, None
            self.review = Block(0, "", title, line=line.number, past=True)
            self.review.append(rest, line.number, column)
            self.blocks.append(self.review)
            return
        self.in_review = False
        self.outlook = self.outlook or is_outlook_heading(title)
        if doc_number != expected:
            self.problems.append(f"第{line.number}行: 篇章编号应为({cn_numeral(expected)}),实为({cn_numeral(doc_number)}) (pillar numbering)")
        if any(p["title"] == title for p in self.pillars) or doc_number < expected:
            self.problems.append(f"第{line.number}行: 篇章({cn_numeral(doc_number)})重复出现 (duplicate pillar); 按顺序编号")
        title = _sentence_heading_title(title)
        if not title:
            self.problems.append(f"第{line.number}行: 篇章({cn_numeral(doc_number)})没有标题 (pillar without title)")
        elif len(title) > _MAX_TITLE_LENGTH:
            self.problems.append(
                f"第{line.number}行: 篇章({cn_numeral(doc_number)})标题过长,可能与导语连在一起 (pillar title may include its intro)"
            )
        self._open_pillar(title, line.number, rest, column)

    def _open_pillar(self, title: str, line: int, rest: str, column: int, table: int = 0, title_end: int | None = None) -> int:
        """A new pillar (numbered in order, never twice) whose own block starts with its heading."""
        number = len(self.pillars) + 1
        self.pillars.append({"pillar": number, "title": title, "line": line, "table": table})
        self.current_pillar, self.current = number, None
        block = Block(number, "", title, line=line, outlook=self.outlook)
        if rest:
            block.append(rest, line, column)
            block.title_end = title_end if title_end is not None else (len(title) if rest.startswith(title) else 0)
        self.pillar_blocks[number] = block
        return number

    def _task(self, line: Line, t_number: int, rest: str, column: int) -> None:
        title, _ = _heading_title(rest)
        if self.in_review or is_review_heading(title):
            self.current = Block(0, "", title, line=line.number, past=True)
            self.current.append(rest, line.number, column)
            self.blocks.append(self.current)
            return
        pillar_number = self.current_pillar if self.current_pillar is not None else 0
        expected = self._expected(self.task_level)
        if t_number != expected:
            self.problems.append(
                f"第{line.number}行: 任务编号应为{pillar_number}.{expected},实为{pillar_number}.{t_number} (task numbering)"
            )
            if any(b.task == f"{pillar_number}.{t_number}" for b in self._tasks_of(pillar_number)):
                t_number = expected  # never two tasks with one number
        self.current = Block(pillar_number, f"{pillar_number}.{t_number}", title, line=line.number,
                             outlook=self.outlook or is_outlook_heading(title))
        self.current.append(rest, line.number, column)
        self.current.title_end = len(title)
        self._add_task(self.current)

    def _subitem(self, line: Line, s_number: int, rest: str, column: int) -> None:
        if self.current is None or not self.current.task:
            self._text(rest, line.number, column)
            return
        start = self.current.append(rest, line.number, column)
        title, _ = _heading_title(rest)
        self.current.subitems.append((len(self.current.subitems) + 1, start, start + len(title), start))

    def _container(self) -> Block:
        if self.current is not None:
            return self.current
        if self.in_review and self.review is not None:
            return self.review
        if self.current_pillar is not None:
            return self.pillar_blocks[self.current_pillar]
        return self.outside

    def _text(self, text: str, number: int, column: int) -> None:
        block = self._container()
        block.append(text, number, column)
        self._last_text = (block, Line(number, text, False, column))

    # -- tables -----------------------------------------------------------
    def _caption(self) -> str:
        """The title of a table from the short line just before it (附件1：重点任务清单), or ""."""
        self._caption_line = None
        if self._last_text is None:
            return ""
        _, line = self._last_text
        text = re.sub(r"^附(?:件|表)\s*\d*\s*[:：]?\s*", "", line.text).strip()
        if not text or len(text) > _MAX_TITLE_LENGTH or re.search(r"[。；;，,]", text):
            return ""
        if not re.search(r"表|清单|任务|目标|分解|台账|计划|项目|实事", text):
            return ""
        self._caption_line = self._last_text
        return text

    def flush_table(self) -> None:
        """File the table rows collected so far (:func:`~reportlib.plan.tables.table_blocks`)."""
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        self.tables += 1
        table = Table(self.tables, rows, self._caption())
        self._last_text = None
        self.cells.extend(table_blocks(table, self))
        self._caption_line = None

    # Called by plan.tables while a target table's rows are filed.
    def table_pillar(self, title: str, table: int) -> int:
        """The pillar a target table's rows go under: the current one while it has no tasks,
        else a new one titled by the table's caption (whose line moves into the new pillar)."""
        if self.current_pillar is not None and not self._tasks_of(self.current_pillar) and not self.in_review:
            return self.current_pillar
        self.in_review = False
        if self._caption_line is not None:
            block, line = self._caption_line
            if block.segments and block.segments[-1][1] == line.number:
                block.drop_last_segment()
                return self._open_pillar(title, line.number, line.text, line.column, table=table, title_end=len(line.text))
        return self._open_pillar(title, 0, "", 0, table=table)

    def category_pillar(self, cell: tuple[int, str], line: int, table: int) -> int:
        """A table row that only names a group (一、经济发展) opens a pillar titled by it."""
        column, text = cell
        title = strip_heading_label(text)
        offset = text.find(title) if title else 0
        self.in_review = False
        number = self._open_pillar(_heading_title(title)[0], line, title, column + max(offset, 0), table=table)
        return number

    def add_task(self, pillar: int, title: str, line: int) -> Block:
        """A task block for a table row of ``pillar``."""
        number = len(self._tasks_of(pillar)) + 1
        block = Block(pillar, f"{pillar}.{number}", title, line=line, outlook=self.outlook)
        self._add_task(block)
        self.current, self.current_pillar = block, pillar
        return block


def parse_structure(lines, problems):
    """Pillars, task blocks, each pillar's own block, the preface block and table-cell blocks.

    The top two heading levels the document uses become pillars and tasks
    (一、 > （一）, or （一） > 1., or 一、 > 1.); deeper levels become sub-items of
    the task (``Block.subitems``). Sections that review past work (工作回顾,
    2024年工作总结) are returned as blocks with ``past=True`` and pillar 0. Tables
    written with ``|`` (or read from Word and web pages) are filed by
    :func:`~reportlib.plan.tables.table_blocks`.
    """
    parser = _Parser(heading_levels(lines), problems)
    for line in lines:
        parser.feed(line)
    parser.flush_table()
    return parser


def cn_numeral(number: int) -> str:
    """1 -> 一 ... 19 -> 十九 (for messages about pillar headings)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
