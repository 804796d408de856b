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
_PAREN_PILLAR_RE = re.compile(rf"^[（(]\s*([{CN_NUMERALS}]{{1,3}})\s*[)）]\s*(.*)$")
_COMMA_PILLAR_RE = re.compile(rf"^([{CN_NUMERALS}]{{1,3}})\s*、\s*(.*)$")
_TASK_RE = re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.+)$")
_INLINE_SPLIT_RE = re.compile(
    rf"(?<=[。!?！？])\s*(?=(?:\d{{1,2}}[.、](?!\d)|[（(][{CN_NUMERALS}]{{1,3}}[)）]))"
)
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


def _pillar_match(line: str, paren_style: bool):
    """(number, rest) when ``line`` is a pillar heading of the document's style."""
    match = (_PAREN_PILLAR_RE if paren_style else _COMMA_PILLAR_RE).match(fold_width(line))
    if not match:
        return None
    number = parse_number(match.group(1))
    return (int(number), line[len(line) - len(match.group(2)) :]) if number else None


def _task_match(line: str):
    """(number, rest) when ``line`` starts with ``1.`` / ``1、``."""
    match = _TASK_RE.match(fold_width(line))
    if not match:
        return None
    return int(match.group(1)), line[len(line) - len(match.group(2)) :]


def parse_structure(lines, problems):
    """Pillars, task blocks, pillar bodies and the preamble from content lines."""
    paren_style = any(_PAREN_PILLAR_RE.match(fold_width(l)) for _, l, _ in lines)
    pillars: list[dict] = []
    blocks: list[Block] = []
    pillar_bodies: dict[int, list[str]] = {}
    outside: list[str] = []
    current_pillar: int | None = None
    current: Block | None = None
    for number, line, inline in lines:
        pillar = _pillar_match(line, paren_style)
        expected = (pillars[-1]["pillar"] + 1) if pillars else 1
        if pillar and (not inline or pillar[0] == expected):
            p_number, rest = pillar
            if p_number != expected:
                problems.append(f"第{number}行: 篇章编号应为({cn_numeral(expected)}),实为({cn_numeral(p_number)}) (pillar numbering)")
            if any(p["pillar"] == p_number for p in pillars):
                problems.append(f"第{number}行: 篇章({cn_numeral(p_number)})重复出现 (duplicate pillar)")
            title, remainder = _heading_title(rest)
            if not title:
                problems.append(f"第{number}行: 篇章({cn_numeral(p_number)})没有标题 (pillar without title)")
            elif len(title) > _MAX_TITLE_LENGTH:
                problems.append(
                    f"第{number}行: 篇章({cn_numeral(p_number)})标题过长,可能与导语连在一起 (pillar title may include its intro)"
                )
            pillars.append({"pillar": p_number, "title": title, "line": number})
            current_pillar, current = p_number, None
            pillar_bodies.setdefault(p_number, [])
            if remainder:
                pillar_bodies[p_number].append(remainder)
            continue
        if paren_style and _COMMA_PILLAR_RE.match(fold_width(line)):
            outside.append(line)  # 一、二、 section headings above the pillars
            current = None
            continue
        task = _task_match(line)
        pillar_number = current_pillar if current_pillar is not None else 0
        previous = [b for b in blocks if b.pillar == pillar_number]
        expected = int(previous[-1].task.split(".")[1]) + 1 if previous else 1
        if task and (not inline or task[0] == expected):
            t_number, rest = task
            if t_number != expected:
                problems.append(
                    f"第{number}行: 任务编号应为{pillar_number}.{expected},实为{pillar_number}.{t_number} (task numbering)"
                )
            title, _ = _heading_title(rest)
            current = Block(pillar_number, f"{pillar_number}.{t_number}", title, rest, number)
            blocks.append(current)
            continue
        if current is not None:
            current.text += line
        elif current_pillar is not None:
            pillar_bodies[current_pillar].append(line)
        else:
            outside.append(line)
    return pillars, blocks, pillar_bodies, outside


def cn_numeral(number: int) -> str:
    """1 -> 一 ... 19 -> 十九 (for messages about pillar headings)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")


