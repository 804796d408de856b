"""Clauses of a plan's text: quotes masked, sentences and clauses split, deadlines, 一是/二是 markers.

The text helpers :mod:`~reportlib.plan.scanner` reads a block with; offsets are kept (masking
replaces characters one for one), so every number keeps its place in the document.
"""
from __future__ import annotations

import re

from reportlib.plan.model import Block
from reportlib.plan.owners import quarter_of
from reportlib.plan.structure import CN_NUMERALS
from reportlib.units import parse_number

CLAUSE_DELIMITERS = ",，;；。!！?？:：\n"
SENTENCE_DELIMITERS = "。!！?？;；\n"
FULL_SENTENCE_DELIMITERS = "。!！?？\n"
_QUOTE_PAIRS = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』", "〈": "〉", "【": "】", '"': '"'}
_MAX_QUOTE_LENGTH = 80
_THOUSANDS_COMMA_RE = re.compile(r"\d,\d{3}(?!\d)")
MASK = "□"

# A deadline in a sentence (6月底前, 年底前, 上半年): the quarter of its candidates.
_SENTENCE_DEADLINE_RE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末)?前|年底前|年内完成")
# Nouns near 清零 / 零的突破 and the unit they are counted in.
_NOUN_UNITS = (
    ("企业", "家"), ("公司", "家"), ("商户", "家"), ("门店", "家"), ("物业", "家"),
    ("项目", "个"), ("小区", "个"), ("社区", "个"), ("网格", "个"), ("村", "个"),
    ("积案", "件"), ("案件", "件"), ("问题", "个"), ("户", "户"), ("家庭", "户"), ("人员", "人"),
)
_DUE_QUARTER_RE = re.compile(r"(上半年|下半年|[一二三四1-4]季度|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月底?前)")

# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------
def mask_quotes(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with the inside of quotes replaced by □ (same length), and the quoted spans.

    Only spans that close within one sentence and are at most
    :data:`_MAX_QUOTE_LENGTH` long are masked, so an unbalanced quote never
    hides the rest of a task.
    """
    chars = list(text)
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack and i - start <= _MAX_QUOTE_LENGTH and "。" not in text[start:i]:
                spans.append((start + 1, i))
        elif ch in _QUOTE_PAIRS:
            stack.append((ch, i))
        elif ch in "。\n":
            stack.clear()
    for start, end in spans:
        for i in range(start, end):
            chars[i] = MASK
    return "".join(chars), spans


def spans_between(text: str, delimiters: str) -> list[tuple[int, int]]:
    """(start, end) of the non-empty pieces of ``text`` between delimiter characters.

    A comma that is a thousands separator (``1,800米``) does not split.
    """
    spans, start = [], 0
    for i, ch in enumerate(text + delimiters[0]):
        if ch == "," and _THOUSANDS_COMMA_RE.match(text, max(0, i - 1)):
            continue
        if ch in delimiters:
            if text[start:i].strip():
                spans.append((start, i))
            start = i + 1
    return spans


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace and a leading 一是/二是 marker."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    marker = re.match(rf"[{CN_NUMERALS}]{{1,2}}是", text[start:end])
    if marker and end - start > len(marker.group()) + 1:
        start += len(marker.group())
    return start, end


def is_accountable(match) -> bool:
    """A quantity every plan check accounts for: a number in digits, a number with a unit, or
    a phrase standing for one (全覆盖, 清零). A bare Chinese numeral (一体化, 两级) is a word."""
    return bool(match.special) or bool(re.search(r"\d", match.number_text)) or match.quantity.unit is not None


def infer_unit(text: str) -> str | None:
    """The unit a 清零/零的突破 target counts in, from the nearest noun before it."""
    best: tuple[int, str] | None = None
    for noun, unit in _NOUN_UNITS:
        pos = text.rfind(noun)
        if pos >= 0 and (best is None or pos > best[0]):
            best = (pos, unit)
    return best[1] if best else None


def due_quarter(text: str) -> int | None:
    """Quarter a deadline in the text falls in (上半年 -> 2, 三季度 -> 3, 6月底前 -> 2)."""
    match = _DUE_QUARTER_RE.search(text)
    if not match:
        return None
    word = match.group(1)
    if word == "上半年":
        return 2
    if word == "下半年":
        return 4
    if "季度" in word:
        return int(parse_number(word[0]))
    month = parse_number(re.sub(r"月.*$", "", word))
    return int((month - 1) // 3 + 1) if month and 1 <= month <= 12 else None


def deadline(text: str) -> int | None:
    """Quarter of a deadline written in ``text`` (6月底前 -> 2, 年底前 -> 4), or None."""
    match = _SENTENCE_DEADLINE_RE.search(text)
    return quarter_of(match.group()) if match else None


def subitem_markers(block: Block, masked: str) -> list[tuple[int, int, int]]:
    """(number, start, title_end) of 一是/二是… markers in numbering order."""
    from reportlib.plan.structure import SUBITEM_RE

    found, expected = [], 1
    for match in SUBITEM_RE.finditer(masked):
        number = parse_number(match.group(1))
        if number != expected:
            continue
        start = match.start(1)
        ends = [pos for pos in (block.text.find(ch, start) for ch in "。;；\n") if pos >= 0]
        found.append((expected, start, min(ends) if ends else len(block.text)))
        expected += 1
    return found
