"""Work-plan documents (工作谋划) and the reviewed plan file.

Two halves:

**Extraction** - :func:`extract` reads a plain-text work plan of the
城东街道 genre::

    (一)聚力做好党建文章,推动高质量党建突破攀升        <- pillar
    以构建“大党建”工作格局为重心,…                      <- pillar intro (context)
    1.抓好基层党建,提升服务水平。一是…。二是…           <- task, sub-items

and returns an :class:`Extraction`: pillars, tasks, sub-items and *candidate
targets* (value, canonical unit, comparator, period, kind, verbatim source
clause, confidence). Numbers that are not targets are listed in
``Extraction.ignored`` with the reason (year, ordinal, quoted name, context
stock, duration, ...). Nothing in a document makes :func:`extract` raise;
what could not be parsed is described in ``Extraction.problems``.

**Plan file** - :func:`load_plan` reads ``data/raw/plan/plan_2025.yaml``
(see docs/data-contracts.md, "Plan file"), :func:`validate_plan` lists its
errors, :func:`check_drift` compares it with the source document, and
:func:`format_plan_tree` prints it. :func:`register` adds the
``reportlib plan extract|check|show`` commands.

Judgment calls (documented here, tested in tests/test_plan.py):

* Only task bodies are scanned for targets; the preamble (``初步谋划17项具体工作``)
  and pillar intros are context. A pillar without numbered tasks is scanned
  as a whole (task ``""``) and reported in ``problems``.
* A target with no comparator word is a floor: ``at_least``
  (:data:`DEFAULT_TARGET_COMPARATOR`), as in the contract's example.
* Numbers inside quotes or book-title marks (“七个一”, “1+24+365”, 《…》) are
  names, never targets.
* A number after 原有/现有/已有/共有/辖区内/围绕/依托 (with no target verb in
  between) describes existing stock: ``整合街道原有119支``, ``围绕窝疃105亩地块``,
  ``依托…8个村居应急救援站点``, ``对辖区内159家工业企业``. ``优化107个网格服务团组``
  is treated the same way (the 107 groups exist; optimising them is not a
  count to reach), by the rule "优化 directly before a number".
* Durations (``10分钟内``, ``7天`` - a hotel brand here) are never targets.
* ``二期`` (Chinese numeral + 期 without 第) is a project phase, not a count;
  a lone ``一`` before a measure word (一个, 一批, 一张) is an article.
* Money targets have kind ``count`` (the contract has no money kind).
* Recurring items: ``每周/每月/每季度/每年…`` anywhere in a clause, or
  ``周巡查/月点评/季度培训/年度演练``; the value is the per-period count
  written in the clause (``每季度完成一轮`` -> 1 轮), else 1 次.
* Milestones: at most one per sentence, a clause without numbers where a verb
  such as 制定/列出/建立/构建/绘制/搭建 governs 《…》 or a word ending in
  清单/手册/方案/制度/机制/地图/平台/图 (task titles excluded).
* Drift: a candidate is covered by a KPI whose ``source_text`` and the
  candidate's clause contain one another and whose target and unit equal the
  candidate's (same kind and period for recurring items; same kind for
  milestones). Candidates below :data:`DRIFT_MIN_CONFIDENCE` are not drift.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from reportlib import encoding, paths
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, InputError
from reportlib.units import (
    AT_LEAST,
    AT_MOST,
    COMPARATORS,
    EXACTLY,
    UNITS,
    UnitError,
    canonical_unit,
    comparator_in_context,
    find_quantities,
    fold_width,
    is_canonical_unit,
    parse_number,
)

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------
DEFAULT_PLAN_PATH = paths.PLAN_DIR / "plan_2025.yaml"

KINDS = ("count", "area", "length", "growth_rate", "rate", "recurring", "milestone", "zero_target")
CUMULATIVE_KINDS = ("count", "area", "length")  # schedules must not decrease
PERIODS = ("year", "half_year", "quarter", "month", "week", "day")
DEFAULT_TARGET_COMPARATOR = AT_LEAST
DEFAULT_RECURRING_UNIT = "次"
# Candidates below this confidence are shown by ``plan extract`` but not
# reported as drift when no KPI covers them.
DRIFT_MIN_CONFIDENCE = 0.5
QUARTERS = (1, 2, 3, 4)

PILLAR_COLUMNS = ["pillar", "title"]
TASK_COLUMNS = ["pillar", "task", "title"]
SUBITEM_COLUMNS = ["pillar", "task", "subitem", "title"]
CANDIDATE_COLUMNS = [
    "pillar", "task", "subitem", "kind", "value", "unit", "comparator", "period", "due_quarter",
    "approximate", "confidence", "name", "source_text", "raw",
]
IGNORED_COLUMNS = ["pillar", "task", "value", "raw", "reason", "source_text"]
KPI_COLUMNS = [
    "kpi_id", "pillar", "task", "name", "kind", "target", "unit", "comparator",
    "period", "schedule", "due_quarter", "owner", "source_text",
]
# Keys of one KPI block in the YAML file, in the contract's order.
KPI_KEYS = [
    "id", "pillar", "task", "name", "kind", "target", "unit", "comparator",
    "period", "schedule", "due_quarter", "owner", "source_text",
]
# A number in the document that a reviewer decided is not a target (plan file
# ``not_targets``): its clause, optionally its value and unit, and why.
NOT_TARGET_COLUMNS = ["source_text", "value", "unit", "reason"]

# Reasons a number is not a target (Extraction.ignored["reason"]).
REASON_YEAR = "year_or_date"
REASON_ORDINAL = "ordinal"
REASON_QUOTED = "quoted_name"
REASON_NAME = "name_or_code"
REASON_NO_UNIT = "no_unit"
REASON_ARTICLE = "article"
REASON_DURATION = "duration"
REASON_CONTEXT = "context_stock"
REASON_PLAN_SELF = "describes_plan"
REASON_OUTSIDE = "outside_task"

# --------------------------------------------------------------------------
# Document patterns
# --------------------------------------------------------------------------
_CN_NUMERALS = "一二三四五六七八九十"
_PAREN_PILLAR_RE = re.compile(rf"^[（(]\s*([{_CN_NUMERALS}]{{1,3}})\s*[)）]\s*(.*)$")
_COMMA_PILLAR_RE = re.compile(rf"^([{_CN_NUMERALS}]{{1,3}})\s*、\s*(.*)$")
_TASK_RE = re.compile(r"^(\d{1,2})\s*[.、](?!\d)\s*(.+)$")
_INLINE_SPLIT_RE = re.compile(
    rf"(?<=[。!?！？])\s*(?=(?:\d{{1,2}}[.、](?!\d)|[（(][{_CN_NUMERALS}]{{1,3}}[)）]))"
)
_SUBITEM_RE = re.compile(rf"(?:^|(?<=[。;；!?！？]))\s*([{_CN_NUMERALS}]{{1,2}})是")
_META_KEYS = ("标题", "索引号", "文号", "发文日期", "成文日期", "发布日期", "发布机构", "主题分类", "信息来源", "来源", "发布时间")
_META_LINE_RE = re.compile(rf"^(?:{'|'.join(_META_KEYS)})\s*[:：]")
_PAGE_NUMBER_RE = re.compile(
    r"^[\s\-—–_·]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4})?(?:\s*共\s*\d{1,4}\s*页)?[\s\-—–_·]*$"
)
_TRAILING_PAGE_RE = re.compile(r"\s+[-—–]\s*\d{1,4}\s*[-—–]\s*$")

_CLAUSE_DELIMITERS = ",，;；。!！?？:：\n"
_SENTENCE_DELIMITERS = "。!！?？;；\n"
_QUOTE_PAIRS = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』", "〈": "〉", "【": "】"}
_MAX_QUOTE_LENGTH = 80
_MAX_TITLE_LENGTH = 40  # longer pillar "titles" have swallowed their intro
_THOUSANDS_COMMA_RE = re.compile(r"\d,\d{3}(?!\d)")
_MASK = "□"

# Words after which a number describes existing stock, not a target.
_CONTEXT_CUES = ("原有", "现有", "已有", "既有", "共有", "现存", "辖区内", "围绕", "依托")
_STOCK_VERBS_BEFORE_NUMBER = ("优化",)  # only when directly before the number
_TARGET_VERBS = (
    "新增", "新建", "建成", "建设", "完成", "实现", "打造", "培育", "孵化", "增设", "改造",
    "新装", "开展", "组织", "拆迁", "发展", "认定", "举办", "创建", "确定", "划分", "推进",
    "推动", "提升", "提供", "调整", "谋划", "达到", "突破", "争取", "力争", "实施", "维护",
    "更换", "整治", "找补", "硬化", "绿化", "招引", "引进", "签约", "培训", "安置", "新发展",
)
_PLAN_SELF_RE = re.compile(r"^(?:项|个|条)?(?:具体|重点|主要)?(?:工作|任务|举措)")
_GROWTH_RE = re.compile(r"(增长|增速|增幅|同比|环比|提高|下降|降低|减少)")
_DECLINE_WORDS = ("下降", "降低", "减少")
_LEVEL_CUES = ("提高",) + _DECLINE_WORDS  # followed by 至/到 they name a level
_EVERY_RE = re.compile(r"每(?:个)?(季度|半年|周|月|季|年|天|日)")
_PERIOD_WORDS = {"周": "week", "月": "month", "月度": "month", "季度": "quarter", "季": "quarter",
                 "半年": "half_year", "年": "year", "年度": "year", "天": "day", "日": "day"}
_RECURRING_NOUN_RE = re.compile(
    r"(?<![每本今上下当全这该\d])(周|月度|月|季度|年度)"
    r"(巡查|点评|培训|演练|调度|例会|督导|考核|评比|通报|讲评|检查|会商|研判|观摩)"
)
_MILESTONE_RE = re.compile(
    r"(?:梳理制定|制定|出台|编制|印发|修订|列出|建立|构建|创建|绘制|搭建|编印)"
    r"[^,，;；。]*?(?:《[^》]+》|清单|手册|方案|制度|机制|地图|平台|台账|图|办法|细则|指南|规划)”?"
)
_STRONG_MILESTONE_RE = re.compile(r"《[^》]+》|清单|手册|方案")
# Nouns near 清零 / 零的突破 and the unit they are counted in.
_NOUN_UNITS = (
    ("企业", "家"), ("公司", "家"), ("商户", "家"), ("门店", "家"), ("物业", "家"),
    ("项目", "个"), ("小区", "个"), ("社区", "个"), ("网格", "个"), ("村", "个"),
    ("积案", "件"), ("案件", "件"), ("问题", "个"), ("户", "户"), ("人员", "人"),
)
_DUE_QUARTER_RE = re.compile(r"(上半年|下半年|[一二三四1-4]季度|(?:\d{1,2}|[一二三四五六七八九十]{1,3})月底?前)")


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found in a work-plan document.

    ``pillars``: pillar (int), title. ``tasks``: pillar, task ("2.2"), title.
    ``subitems``: pillar, task, subitem (1 for 一是 ...), title.
    ``candidates``: see :data:`CANDIDATE_COLUMNS`; ``subitem`` is 0 outside
    sub-items, ``value`` is multiplied out, ``unit`` canonical,
    ``source_text`` the verbatim clause, ``confidence`` 0-1.
    ``ignored``: numbers deliberately not reported, with the reason.
    ``problems``: what could not be parsed, one sentence each.
    """

    title: str
    meta: dict
    pillars: pd.DataFrame
    tasks: pd.DataFrame
    subitems: pd.DataFrame
    candidates: pd.DataFrame
    ignored: pd.DataFrame
    problems: list[str]


@dataclass(frozen=True)
class Plan:
    """The reviewed plan file, as plain tables (docs/data-contracts.md)."""

    year: int
    title: str
    pillars: pd.DataFrame  # pillar:int, title:str
    tasks: pd.DataFrame  # pillar:int, task:str, title:str
    kpis: pd.DataFrame  # KPI_COLUMNS
    source_path: Path
    sha256: str
    # Not in the contract: line of each KPI block in the file, for messages.
    kpi_lines: dict = field(default_factory=dict, compare=False, repr=False)
    # Not in the contract: the ``source`` value as written (a file name).
    source: str = field(default="", compare=False, repr=False)
    # Not in the contract: the plan file itself.
    path: Path | None = field(default=None, compare=False, repr=False)
    # Reviewed numbers that are deliberately not KPIs (NOT_TARGET_COLUMNS); drift skips them.
    not_targets: pd.DataFrame = field(
        default_factory=lambda: _frame([], NOT_TARGET_COLUMNS), compare=False, repr=False
    )


@dataclass
class _Block:
    """A task (or a pillar body scanned as one) while the document is parsed."""

    pillar: int
    task: str
    title: str
    text: str
    line: int


# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------
def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding name and problems for the bytes of a document.

    Detection is reportlib.encoding's; when nothing decodes cleanly the text is
    read as UTF-8 with replacement characters, and the problems say so.
    """
    try:
        decoded = encoding.decode(data)
    except encoding.UndecodableError:
        return data.decode("utf-8", errors="replace"), "utf-8", ["无法识别文件编码,无法解码的字节已替换为 � (undecodable bytes replaced)"]
    problems = [f"编码不确定,按 {decoded.encoding} 读取 (encoding guessed)"] if decoded.guessed else []
    return decoded.text, decoded.encoding, problems


def read_document(path) -> tuple[str, list[str]]:
    """The text of a document file and encoding problems; InputError if unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文档 (cannot read document): {exc.strerror or exc}", file=str(path)) from exc
    text, _, problems = decode_bytes(data)
    return text, problems


def extract_file(path) -> Extraction:
    """:func:`extract` on a file in UTF-8, UTF-8-BOM or GBK/GB18030."""
    text, problems = read_document(path)
    extraction = extract(text)
    return replace(extraction, problems=problems + extraction.problems)


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


def _clean_lines(text: str) -> tuple[list[tuple[int, str, bool]], dict]:
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


def _parse_structure(lines, problems):
    """Pillars, task blocks, pillar bodies and the preamble from content lines."""
    paren_style = any(_PAREN_PILLAR_RE.match(fold_width(l)) for _, l, _ in lines)
    pillars: list[dict] = []
    blocks: list[_Block] = []
    pillar_bodies: dict[int, list[str]] = {}
    outside: list[str] = []
    current_pillar: int | None = None
    current: _Block | None = None
    for number, line, inline in lines:
        pillar = _pillar_match(line, paren_style)
        expected = (pillars[-1]["pillar"] + 1) if pillars else 1
        if pillar and (not inline or pillar[0] == expected):
            p_number, rest = pillar
            if p_number != expected:
                problems.append(f"第{number}行: 篇章编号应为({_to_cn(expected)}),实为({_to_cn(p_number)}) (pillar numbering)")
            if any(p["pillar"] == p_number for p in pillars):
                problems.append(f"第{number}行: 篇章({_to_cn(p_number)})重复出现 (duplicate pillar)")
            title, remainder = _heading_title(rest)
            if not title:
                problems.append(f"第{number}行: 篇章({_to_cn(p_number)})没有标题 (pillar without title)")
            elif len(title) > _MAX_TITLE_LENGTH:
                problems.append(
                    f"第{number}行: 篇章({_to_cn(p_number)})标题过长,可能与导语连在一起 (pillar title may include its intro)"
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
            current = _Block(pillar_number, f"{pillar_number}.{t_number}", title, rest, number)
            blocks.append(current)
            continue
        if current is not None:
            current.text += line
        elif current_pillar is not None:
            pillar_bodies[current_pillar].append(line)
        else:
            outside.append(line)
    return pillars, blocks, pillar_bodies, outside


def _to_cn(number: int) -> str:
    """1 -> 一 ... 19 -> 十九 (for messages about pillar headings)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------
def _mask_quotes(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with the inside of quotes replaced by □ (same length), and the quoted spans.

    Only spans that close within one sentence and are at most
    :data:`_MAX_QUOTE_LENGTH` long are masked, so an unbalanced quote never
    hides the rest of a task.
    """
    chars = list(text)
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in _QUOTE_PAIRS:
            stack.append((ch, i))
        elif stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack and i - start <= _MAX_QUOTE_LENGTH and "。" not in text[start:i]:
                spans.append((start + 1, i))
        elif ch == "。":
            stack.clear()
    for start, end in spans:
        for i in range(start, end):
            chars[i] = _MASK
    return "".join(chars), spans


def _spans(text: str, delimiters: str) -> list[tuple[int, int]]:
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


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace and a leading 一是/二是 marker."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    marker = re.match(rf"[{_CN_NUMERALS}]{{1,2}}是", text[start:end])
    if marker and end - start > len(marker.group()) + 1:
        start += len(marker.group())
    return start, end


def normalise_text(text: str) -> str:
    """Text for comparisons: full-width folded, all whitespace removed."""
    return re.sub(r"\s+", "", fold_width(text or ""))


def _infer_unit(text: str) -> str | None:
    """The unit a 清零/零的突破 target counts in, from the nearest noun before it."""
    best: tuple[int, str] | None = None
    for noun, unit in _NOUN_UNITS:
        pos = text.rfind(noun)
        if pos >= 0 and (best is None or pos > best[0]):
            best = (pos, unit)
    return best[1] if best else None


def _due_quarter(text: str) -> int | None:
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


# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------
class _Scanner:
    """Finds candidate targets in one block (task or pillar body)."""

    def __init__(self, block: _Block, subitem_spans: list[tuple[int, int, int]]):
        self.block = block
        self.text = block.text
        self.masked, self.quoted = _mask_quotes(block.text)
        for _, start, _ in subitem_spans:  # hide 一是/二是 markers
            marker_end = self.text.index("是", start) + 1
            self.masked = self.masked[:start] + _MASK * (marker_end - start) + self.masked[marker_end:]
        self.subitem_spans = subitem_spans
        self.candidates: list[dict] = []
        self.ignored: list[dict] = []

    # -- helpers -------------------------------------------------------
    def _subitem(self, offset: int) -> int:
        number = 0
        for sub, start, _ in self.subitem_spans:
            if offset >= start:
                number = sub
        return number

    def _add(self, start: int, end: int, offset: int, **values) -> None:
        source_start, source_end = _strip_span(self.text, start, end)
        source = self.text[source_start:source_end]
        row = {
            "pillar": self.block.pillar,
            "task": self.block.task,
            "subitem": self._subitem(offset),
            "period": "year",
            "approximate": False,
            "name": source,
            "source_text": source,
        }
        row.update(values)
        self.candidates.append(row)

    def _ignore(self, value, raw: str, reason: str, source: str) -> None:
        self.ignored.append(
            {"pillar": self.block.pillar, "task": self.block.task, "value": value, "raw": raw, "reason": reason, "source_text": source}
        )

    # -- scanning -------------------------------------------------------
    def scan(self) -> None:
        """Scan every sentence and clause of the block."""
        for start, end in self.quoted:
            inner = self.text[start:end]
            for match in find_quantities(inner):
                self._ignore(match.quantity.value, match.quantity.raw, REASON_QUOTED, inner)
        title_length = len(self.block.title)
        for s_start, s_end in _spans(self.masked, _SENTENCE_DELIMITERS):
            milestone_done = s_start < title_length  # a task title is a heading, not a deliverable
            for c_start, c_end in _spans(self.masked[s_start:s_end], _CLAUSE_DELIMITERS):
                found = self._scan_clause(s_start + c_start, s_start + c_end)
                if not found and not milestone_done:
                    milestone_done = self._milestone(s_start + c_start, s_start + c_end)

    def _scan_clause(self, start: int, end: int) -> bool:
        """Candidates in one clause; True when the clause yielded any."""
        masked = self.masked[start:end]
        text = self.text[start:end]
        before_count = len(self.candidates)
        matches = find_quantities(masked)
        every = _EVERY_RE.search(masked)
        used: set[int] = set()
        if every:
            used = self._recurring(start, end, _PERIOD_WORDS[every.group(1)], every.start(), matches, 0.8)
        else:
            for noun in _RECURRING_NOUN_RE.finditer(masked):
                self._recurring(start, end, _PERIOD_WORDS[noun.group(1)], noun.start(), [], 0.6, noun.group())
        recurring = len(self.candidates) > before_count
        for index, match in enumerate(matches):
            if recurring and (match.special or index in used):
                continue
            if match.special:
                self._special(match, start, end, masked)
            else:
                self._numeric(match, start, end, masked, text, recurring)
        return len(self.candidates) > before_count

    def _recurring(self, start, end, period, at, matches, confidence, raw=None) -> set[int]:
        """A recurring candidate (每季度…, 月点评): value per period, 1 次 by default.

        Returns the indexes of ``matches`` used as the per-period value.
        """
        value, unit, used = 1.0, DEFAULT_RECURRING_UNIT, set()
        for index, match in enumerate(matches):
            q = match.quantity
            if match.special or q.unit is None or match.start < at:
                continue
            dim = UNITS[q.unit][0]
            if dim.startswith("count:") or dim == "person":
                value, unit, used = q.value, q.unit, {index}
                break
        self._add(start, end, start + at, kind="recurring", value=value, unit=unit,
                  comparator=AT_LEAST, period=period, confidence=confidence, raw=raw or self.text[start + at : end])
        return used

    def _special(self, match, start, end, masked) -> None:
        """全覆盖 -> rate 100 %, 清零 -> zero target, 零的突破 -> count 1."""
        q = match.quantity
        if match.special == "full_coverage":
            self._add(start, end, start + match.start, kind="rate", value=100.0, unit="%",
                      comparator=AT_LEAST, confidence=0.7, raw=q.raw)
        elif match.special == "clear_to_zero":
            self._add(start, end, start + match.start, kind="zero_target", value=0.0,
                      unit=_infer_unit(masked[: match.start]), comparator=AT_MOST, confidence=0.8, raw=q.raw)
        else:
            self._add(start, end, start + match.start, kind="count", value=1.0,
                      unit=_infer_unit(masked[: match.start]), comparator=AT_LEAST, confidence=0.8, raw=q.raw)

    def _skip_reason(self, match, masked: str, recurring: bool) -> str | None:
        """Why a number in a clause is not a target, or None when it is one."""
        q = match.quantity
        before, after = masked[: match.start], masked[match.end :]
        just_before, following = masked[: match.number_start][-1:], masked[match.number_end :]
        if just_before == "第":
            return REASON_ORDINAL
        if q.unit is None and re.match(r"\s*(年|年度|月|日|号|-\d)", following):
            return REASON_YEAR
        if re.match(r"[+\-/#A-Za-z0-9.]", just_before) or re.match(r"[+\-/#A-Za-z]", following[:1]):
            return REASON_NAME  # 1+24+365, A4, 2025-02-11
        if q.unit is None:
            if q.value == 0 and match.number_text in ("零", "〇") and re.search(r"(实现|确保|保持|做到)$", before):
                return None
            return REASON_NO_UNIT
        if match.number_text in ("一", "壹") and not recurring:
            return REASON_ARTICLE
        if q.unit == "期" and parse_number(match.number_text) is not None and not re.search(r"\d", match.number_text):
            return REASON_ORDINAL  # 二期: a project phase
        if UNITS[q.unit][0] in ("time", "workday", "month"):
            return REASON_DURATION
        if _PLAN_SELF_RE.match(after):
            return REASON_PLAN_SELF
        if before.endswith(_STOCK_VERBS_BEFORE_NUMBER):
            return REASON_CONTEXT
        cue_end = max((before.rfind(c) + len(c) for c in _CONTEXT_CUES if c in before), default=-1)
        if cue_end >= 0 and not any(v in before[cue_end:] for v in _TARGET_VERBS):
            return REASON_CONTEXT
        return None

    def _numeric(self, match, start, end, masked, text, recurring) -> None:
        """A number with a unit: count / area / length / rate / growth_rate."""
        q = match.quantity
        reason = self._skip_reason(match, masked, recurring)
        if reason:
            self._ignore(q.value, q.raw, reason, text)
            return
        before = masked[: match.start]
        if q.unit is None:  # 实现零事故
            self._add(start, end, start + match.start, kind="zero_target", value=0.0, unit=None,
                      comparator=AT_MOST, confidence=0.6, raw=q.raw)
            return
        comparator = q.comparator
        if comparator == EXACTLY:
            comparator = comparator_in_context(before) or DEFAULT_TARGET_COMPARATOR
        value, kind, confidence = q.value, "count", 0.85
        dim = UNITS[q.unit][0]
        if dim in ("percent", "percentage_point"):
            kind, confidence = "rate", 0.9
            growth = list(_GROWTH_RE.finditer(before))
            level = growth and growth[-1].group() in _LEVEL_CUES and re.match(r"[至到]|.*率", before[growth[-1].end() :])
            if growth and not level:  # 提高到90% / 下降至5% are levels, not changes
                kind = "growth_rate"
                if growth[-1].group() in _DECLINE_WORDS:
                    value = -value
                    comparator = {AT_LEAST: AT_MOST, AT_MOST: AT_LEAST}.get(comparator, comparator)
        elif dim == "area":
            kind = "area"
        elif dim == "length":
            kind = "length"
        if not re.search(r"\d", match.number_text):
            confidence -= 0.15
        if any(v in before for v in _TARGET_VERBS):
            confidence += 0.05
        if q.approximate:
            confidence -= 0.05
        self._add(start, end, start + match.start, kind=kind, value=value, unit=q.unit, comparator=comparator,
                  approximate=q.approximate, confidence=round(min(confidence, 1.0), 2), raw=q.raw)

    def _milestone(self, start: int, end: int) -> bool:
        """A milestone (制定《…》, 列出“…清单”, 建立…机制) in a clause without numbers."""
        text = self.text[start:end]
        match = _MILESTONE_RE.search(text)
        if not match or _EVERY_RE.search(text):
            return False
        confidence = 0.6 if _STRONG_MILESTONE_RE.search(match.group()) else 0.5
        self._add(start, end, start + match.start(), kind="milestone", value=float("nan"), unit=None,
                  comparator=AT_LEAST, confidence=confidence, raw=match.group(),
                  due_quarter=_due_quarter(text))
        return True


def _subitems(block: _Block, masked: str) -> list[tuple[int, int, int]]:
    """(number, start, title_end) of 一是/二是… markers in numbering order."""
    found, expected = [], 1
    for match in _SUBITEM_RE.finditer(masked):
        number = parse_number(match.group(1))
        if number != expected:
            continue
        start = match.start(1)
        ends = [pos for pos in (block.text.find(ch, start) for ch in "。;；") if pos >= 0]
        found.append((expected, start, min(ends) if ends else len(block.text)))
        expected += 1
    return found


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns``, also when ``rows`` is empty."""
    frame = pd.DataFrame(rows, columns=columns)
    return frame.reset_index(drop=True)


def extract(text) -> Extraction:
    """Pillars, tasks, sub-items and candidate targets of a work-plan document.

    Never raises for odd content; see ``Extraction.problems``.
    """
    problems: list[str] = []
    if not isinstance(text, str):
        problems.append(f"文档不是文本 (document is not text): {type(text).__name__}")
        text = ""
    lines, meta = _clean_lines(text)
    if not lines:
        problems.append("文档为空或只有表头 (document is empty)")
    pillars, blocks, pillar_bodies, outside = _parse_structure(lines, problems)
    if lines and not pillars:
        problems.append("未找到(一)(二)…形式的篇章标题 (no pillar headings); 任务归入篇章 0")
    if lines and not blocks:
        problems.append("未找到 1. 2. …形式的任务标题 (no task headings)")
    scan_blocks = list(blocks)
    for pillar in pillars:
        if not any(b.pillar == pillar["pillar"] for b in blocks):
            problems.append(
                f"篇章({_to_cn(pillar['pillar'])})下没有编号任务 (pillar without tasks); 其正文按整体扫描, task 为空"
            )
            scan_blocks.append(_Block(pillar["pillar"], "", "", "".join(pillar_bodies.get(pillar["pillar"], [])), pillar["line"]))
    if lines and not pillars and not blocks:
        scan_blocks.append(_Block(0, "", "", "".join(l for _, l, _ in lines), 1))
    candidates, ignored, subitem_rows = [], [], []
    for block in scan_blocks:
        masked, _ = _mask_quotes(block.text)
        subs = _subitems(block, masked) if block.task else []
        for number, start, title_end in subs:
            title = block.text[start:title_end]
            title = re.sub(rf"^[{_CN_NUMERALS}]{{1,2}}是", "", title).strip()
            subitem_rows.append({"pillar": block.pillar, "task": block.task, "subitem": number, "title": title})
        scanner = _Scanner(block, subs)
        try:
            scanner.scan()
        except Exception as exc:  # noqa: BLE001 - never crash on a document
            problems.append(f"任务 {block.task or block.pillar} 无法完全解析 (could not parse): {exc!r}")
        candidates.extend(scanner.candidates)
        ignored.extend(scanner.ignored)
    context_text = "".join(outside) + "".join(
        "".join(body) for p, body in pillar_bodies.items() if any(b.pillar == p for b in blocks)
    )
    for match in find_quantities(context_text):
        ignored.append({"pillar": 0, "task": "", "value": match.quantity.value, "raw": match.quantity.raw,
                        "reason": REASON_OUTSIDE, "source_text": ""})
    title = meta.get("标题", "")
    return Extraction(
        title=title,
        meta=meta,
        pillars=_frame([{"pillar": p["pillar"], "title": p["title"]} for p in pillars], PILLAR_COLUMNS),
        tasks=_frame([{"pillar": b.pillar, "task": b.task, "title": b.title} for b in blocks], TASK_COLUMNS),
        subitems=_frame(subitem_rows, SUBITEM_COLUMNS),
        candidates=_frame(candidates, CANDIDATE_COLUMNS),
        ignored=_frame(ignored, IGNORED_COLUMNS),
        problems=problems,
    )


# --------------------------------------------------------------------------
# Plan file: reading
# --------------------------------------------------------------------------
def _item_lines(text: str, section: str = "kpis") -> list[int]:
    """1-based line of each item of the top-level list ``section`` in the YAML text."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == section and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _is_number(value) -> bool:
    """True for int/float values (YAML booleans excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Reader:
    """Turns the YAML mapping into the Plan tables, collecting type problems."""

    def __init__(self, path: Path, data: dict, lines: list[int]):
        self.path, self.data, self.lines = path, data, lines
        self.problems: list[str] = []

    def problem(self, message: str, line: int | None = None, kpi: str | None = None) -> None:
        where = f"{self.path.name}:{line}" if line else self.path.name
        self.problems.append(f"{where}: {kpi + ': ' if kpi else ''}{message}")

    def pillars_and_tasks(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        pillar_rows, task_rows = [], []
        pillars = self.data.get("pillars")
        if not isinstance(pillars, list):
            self.problem("缺少 pillars 列表 (missing 'pillars' list)")
            pillars = []
        for index, item in enumerate(pillars, 1):
            if not isinstance(item, dict) or not _is_number(item.get("pillar")):
                self.problem(f"第{index}个篇章应有整数 pillar 和 title (pillar entry needs an integer 'pillar')")
                continue
            pillar = int(item["pillar"])
            pillar_rows.append({"pillar": pillar, "title": str(item.get("title") or "")})
            for task in item.get("tasks") or []:
                if not isinstance(task, dict) or not isinstance(task.get("task"), str):
                    self.problem(f"篇章{pillar}的任务编号应写成带引号的字符串, 如 \"{pillar}.1\" (task id must be a quoted string): {task!r}")
                    continue
                task_rows.append({"pillar": pillar, "task": task["task"], "title": str(task.get("title") or "")})
        return _frame(pillar_rows, PILLAR_COLUMNS), _frame(task_rows, TASK_COLUMNS)

    def kpi_row(self, index: int, item) -> dict | None:
        line = self.lines[index] if index < len(self.lines) else None
        if not isinstance(item, dict):
            self.problem("指标条目应为映射 (KPI entry must be a mapping)", line)
            return None
        kpi_id = str(item.get("id") or "")
        if not kpi_id:
            self.problem("指标缺少 id (KPI without id)", line)
        unknown = sorted(set(item) - set(KPI_KEYS))
        if unknown:
            self.problem(f"未知字段 (unknown keys): {', '.join(map(str, unknown))}", line, kpi_id)
        row = {"kpi_id": kpi_id, "line": line}
        pillar = item.get("pillar")
        row["pillar"] = int(pillar) if _is_number(pillar) else None
        if row["pillar"] is None:
            self.problem(f"pillar 应为整数 (pillar must be an integer): {pillar!r}", line, kpi_id)
        task = item.get("task")
        row["task"] = task if isinstance(task, str) else ("" if task is None else str(task))
        if not isinstance(task, str):
            self.problem(f"task 应写成带引号的字符串, 如 \"1.1\" (task must be a quoted string): {task!r}", line, kpi_id)
        for key in ("name", "kind", "unit", "comparator", "period", "source_text"):
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                self.problem(f"{key} 应为文本 (must be text): {value!r}", line, kpi_id)
                value = str(value)
            row[key] = value
        owner = item.get("owner")
        row["owner"] = "" if owner is None else str(owner)
        target = item.get("target")
        row["target"] = float(target) if _is_number(target) else float("nan")
        if target is not None and not _is_number(target):
            self.problem(f"target 应为数字或 null (target must be a number): {target!r}", line, kpi_id)
        row["schedule"] = self.schedule(item.get("schedule"), line, kpi_id)
        due = item.get("due_quarter")
        row["due_quarter"] = int(due) if _is_number(due) and float(due).is_integer() else None
        if due is not None and row["due_quarter"] is None:
            self.problem(f"due_quarter 应为 1-4 的整数 (must be an integer 1-4): {due!r}", line, kpi_id)
        return row

    def not_targets(self, items, lines: list[int]) -> pd.DataFrame:
        """The ``not_targets`` list (optional) as a table; malformed entries noted and dropped."""
        if items is None:
            return _frame([], NOT_TARGET_COLUMNS)
        if not isinstance(items, list):
            self.problem("not_targets 应为列表 (not_targets must be a list)")
            return _frame([], NOT_TARGET_COLUMNS)
        rows = []
        for index, item in enumerate(items):
            line = lines[index] if index < len(lines) else None
            if not isinstance(item, dict):
                self.problem("not_targets 条目应为映射 (not_targets entry must be a mapping)", line)
                continue
            unknown = sorted(set(item) - set(NOT_TARGET_COLUMNS))
            if unknown:
                self.problem(f"not_targets 未知字段 (unknown keys): {', '.join(map(str, unknown))}", line)
            source_text, reason, value, unit = (item.get(k) for k in ("source_text", "reason", "value", "unit"))
            if not isinstance(source_text, str) or not source_text.strip():
                self.problem("not_targets 条目需要 source_text: 文档中的原句 (entry needs the clause)", line)
                continue
            if not isinstance(reason, str) or not reason.strip():
                self.problem(f"not_targets 条目需要 reason: 为什么不是指标 (entry needs a reason): {source_text}", line)
            if value is not None and not _is_number(value):
                self.problem(f"not_targets 的 value 应为数字或省略 (value must be a number): {value!r}", line)
                value = None
            if unit is not None and not isinstance(unit, str):
                self.problem(f"not_targets 的 unit 应为文本 (unit must be text): {unit!r}", line)
                unit = None
            rows.append({"source_text": source_text, "value": float("nan") if value is None else float(value),
                         "unit": unit or "", "reason": reason if isinstance(reason, str) else ""})
        return _frame(rows, NOT_TARGET_COLUMNS)

    def schedule(self, value, line, kpi_id):
        """Schedule as a tuple of floats, or None (problems noted)."""
        if value is None:
            return None
        if not isinstance(value, list) or not all(_is_number(v) for v in value):
            self.problem(f"schedule 应为 4 个数字的列表 (must be a list of 4 numbers): {value!r}", line, kpi_id)
            return None
        return tuple(float(v) for v in value)


def _read_plan(path) -> tuple[Plan, list[str]]:
    """The plan and its type problems; InputError when it cannot be read at all."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取计划文件 (cannot read plan file): {exc.strerror or exc}", file=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("计划文件应为 UTF-8 编码 (plan file must be UTF-8)", file=str(path)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"计划文件不是合法的 YAML (invalid YAML): {problem}", file=str(path),
                         row=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise InputError("计划文件顶层应为映射 (top level must be a mapping with year, pillars, kpis)", file=str(path))
    reader = _Reader(path, data, _item_lines(text, "kpis"))
    year = data.get("year")
    if not _is_number(year):
        reader.problem(f"year 应为整数 (year must be an integer): {year!r}")
    pillars, tasks = reader.pillars_and_tasks()
    items = data.get("kpis")
    if not isinstance(items, list):
        reader.problem("缺少 kpis 列表 (missing 'kpis' list)")
        items = []
    rows = [row for index, item in enumerate(items) if (row := reader.kpi_row(index, item)) is not None]
    kpis = pd.DataFrame([{c: r[c] for c in KPI_COLUMNS} for r in rows], columns=KPI_COLUMNS)
    kpis["schedule"] = pd.Series([r["schedule"] for r in rows], dtype=object)
    kpis["due_quarter"] = pd.Series([r["due_quarter"] for r in rows], dtype=object)
    kpis["target"] = kpis["target"].astype(float)
    not_targets = reader.not_targets(data.get("not_targets"), _item_lines(text, "not_targets"))
    source = str(data.get("source") or "")
    plan = Plan(
        year=int(year) if _is_number(year) else 0,
        title=str(data.get("title") or ""),
        pillars=pillars,
        tasks=tasks,
        kpis=kpis,
        source_path=(path.parent / source) if source else path.parent,
        sha256=hashlib.sha256(raw).hexdigest(),
        kpi_lines={r["kpi_id"]: r["line"] for r in rows if r["line"]},
        source=source,
        path=path,
        not_targets=not_targets,
    )
    return plan, reader.problems


def load_plan(path=None, *, validate: bool = False) -> Plan:
    """Read the plan file (default: data/raw/plan/plan_2025.yaml).

    Raises :class:`InputError` when the file cannot be read or a field has
    the wrong type. With ``validate=True`` every :func:`validate_plan` error
    raises too. ``Plan.source_path`` is the source document named by
    ``source:`` (beside the plan file); ``Plan.path`` is the plan file.
    """
    path = Path(path) if path is not None else DEFAULT_PLAN_PATH
    plan, problems = _read_plan(path)
    if validate:
        problems = problems + _semantic_problems(plan)
    if problems:
        raise InputError("计划文件有错误 (plan file has errors):\n  " + "\n  ".join(problems), file=str(path))
    return plan


# --------------------------------------------------------------------------
# Plan file: validation
# --------------------------------------------------------------------------
_KPI_ID_RE = re.compile(r"^K(\d+)\.(\d+)\.(\d{2,})$")
_TASK_ID_RE = re.compile(r"^(\d+)\.(\d+)$")


def validate_plan(plan_or_path=None) -> list[str]:
    """Every error in a plan (a :class:`Plan` or a path); empty when it is valid.

    Checks: duplicate ids, pillars and tasks; task/pillar mismatch; a KPI's
    task that does not exist; unknown kind, unit, comparator or period; a
    numeric kind without a target; bad schedule (not 4 numbers,
    decreasing for cumulative kinds, last != target); due_quarter outside
    1-4; missing name or source_text; the source document missing.
    """
    if isinstance(plan_or_path, Plan):
        return _semantic_problems(plan_or_path)
    path = Path(plan_or_path) if plan_or_path is not None else DEFAULT_PLAN_PATH
    try:
        plan, problems = _read_plan(path)
    except InputError as exc:
        return [str(exc)]
    return problems + _semantic_problems(plan)


def _semantic_problems(plan: Plan) -> list[str]:
    """Rule checks on an already-read plan."""
    name = plan.path.name if plan.path else "plan"
    problems: list[str] = []

    def add(message: str, kpi_id: str | None = None) -> None:
        line = plan.kpi_lines.get(kpi_id) if kpi_id else None
        where = f"{name}:{line}" if line else name
        problems.append(f"{where}: {kpi_id + ': ' if kpi_id else ''}{message}")

    if not 2000 <= plan.year <= 2100:
        add(f"year 不合理 (implausible year): {plan.year}")
    if not plan.source:
        add("缺少 source: 源文档文件名 (missing source document name)")
    elif not Path(plan.source_path).is_file():
        add(f"找不到 source 指向的文档 (source document not found): {plan.source}")
    _structure_problems(plan, add)
    known_tasks = set(plan.tasks["task"])
    seen: set[str] = set()
    for row in plan.kpis.itertuples(index=False):
        kpi_id = row.kpi_id
        if kpi_id in seen:
            add("指标 id 重复 (duplicate KPI id)", kpi_id)
        seen.add(kpi_id)
        _check_kpi_identity(row, known_tasks, lambda m, k=kpi_id: add(m, k))
        _check_kpi_values(row, lambda m, k=kpi_id: add(m, k))
    _not_target_problems(plan, add)
    return problems


def _not_target_problems(plan: Plan, add) -> None:
    """A ``not_targets`` entry has a known canonical unit and does not contradict a KPI."""
    for entry in plan.not_targets.itertuples(index=False):
        if entry.unit and not is_canonical_unit(entry.unit):
            add(f"not_targets: 单位应为规范单位 (unit must be canonical): {entry.unit!r} — {entry.source_text}")
        if pd.isna(entry.value):
            continue
        for kpi in plan.kpis.itertuples(index=False):
            if _same_clause(kpi.source_text, entry.source_text) and _same_number(kpi.target, entry.value) \
                    and (not entry.unit or entry.unit == kpi.unit):
                add(f"not_targets: 与指标 {kpi.kpi_id} 矛盾 (both a KPI and listed as not a target): "
                    f"{_fmt(entry.value)}{entry.unit} — {entry.source_text}")


def _structure_problems(plan: Plan, add) -> None:
    """Duplicate pillars/tasks and tasks filed under the wrong pillar."""
    for pillar, count in plan.pillars["pillar"].value_counts().items():
        if count > 1:
            add(f"篇章编号重复 (duplicate pillar): {pillar}")
    for task, count in plan.tasks["task"].value_counts().items():
        if count > 1:
            add(f"任务编号重复 (duplicate task): {task}")
    for row in plan.tasks.itertuples(index=False):
        match = _TASK_ID_RE.match(row.task)
        if not match or int(match.group(1)) != row.pillar:
            add(f"任务 {row.task} 不属于篇章 {row.pillar} (task/pillar mismatch)")


def _check_kpi_identity(row, known_tasks: set, add) -> None:
    """id format, task existence and pillar/task agreement of one KPI."""
    match = _KPI_ID_RE.match(row.kpi_id or "")
    if not match:
        add("id 应写成 K<篇章>.<任务>.<序号>, 如 K1.1.02 (bad id format)")
    elif f"{match.group(1)}.{match.group(2)}" != row.task:
        add(f"id 与 task 不一致 (id does not match task {row.task!r})")
    if row.task not in known_tasks:
        add(f"任务不存在 (task does not exist): {row.task!r}")
    task_match = _TASK_ID_RE.match(row.task or "")
    if task_match and row.pillar is not None and not pd.isna(row.pillar) and int(task_match.group(1)) != int(row.pillar):
        add(f"pillar {row.pillar} 与 task {row.task} 不一致 (pillar/task mismatch)")
    if not (row.name or "").strip():
        add("缺少 name (missing name)")
    if not (row.source_text or "").strip():
        add("缺少 source_text (missing source_text)")


def _check_unit(row, add) -> None:
    """Unit known, canonical, and of the dimension the kind needs."""
    kind, unit = row.kind, row.unit
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        if kind not in ("milestone", "zero_target"):
            add(f"缺少 unit (kind {kind} needs a unit)")
        return
    try:
        canonical, factor = canonical_unit(unit)
    except UnitError:
        add(f"未知单位 (unknown unit): {unit!r}")
        return
    if not is_canonical_unit(unit):
        add(f"单位应写成规范单位 {canonical} (unit must be canonical; {unit} = {factor:g} {canonical})")
        return
    dim = UNITS[canonical][0]
    expected = {"area": ("area",), "length": ("length",), "rate": ("percent",), "growth_rate": ("percent", "percentage_point")}
    if kind in expected and dim not in expected[kind]:
        add(f"kind {kind} 与单位 {unit} 不匹配 (kind/unit mismatch)")
    if kind in ("count", "recurring") and dim in ("area", "length", "percent", "percentage_point"):
        add(f"kind {kind} 与单位 {unit} 不匹配 (kind/unit mismatch; use area/length/rate)")


def _check_kpi_values(row, add) -> None:
    """kind, unit, comparator, period, target, schedule and due_quarter of one KPI."""
    kind = row.kind
    if kind not in KINDS:
        add(f"未知指标类型 (unknown kind): {kind!r}; 可选 {', '.join(KINDS)}")
        return
    _check_unit(row, add)
    if row.comparator not in COMPARATORS:
        add(f"未知比较方式 (unknown comparator): {row.comparator!r}; 可选 {', '.join(COMPARATORS)}")
    if row.period not in PERIODS:
        add(f"未知周期 (unknown period): {row.period!r}; 可选 {', '.join(PERIODS)}")
    target = row.target
    has_target = not pd.isna(target)
    if kind == "milestone":
        if has_target:
            add("里程碑的 target 应为 null (milestone target must be null)")
    elif not has_target:
        add(f"数值类指标缺少 target (kind {kind} needs a target)")
    elif kind == "zero_target" and target != 0:
        add(f"清零类指标的 target 应为 0 (zero_target target must be 0): {target:g}")
    elif kind == "rate" and not 0 <= target <= 100:
        add(f"比率应在 0-100 之间 (rate outside 0-100): {target:g}")
    elif kind in CUMULATIVE_KINDS + ("recurring",) and target < 0:
        add(f"target 不能为负 (negative target): {target:g}")
    if row.due_quarter is not None and row.due_quarter not in QUARTERS:
        add(f"due_quarter 应为 1-4 (due_quarter outside 1-4): {row.due_quarter!r}")
    _check_schedule(row, has_target, add)


def _check_schedule(row, has_target: bool, add) -> None:
    """A schedule is 4 cumulative quarterly numbers ending at the target."""
    schedule = row.schedule
    if schedule is None:
        return
    if row.kind == "milestone":
        add("里程碑不能有 schedule (milestones have no schedule; use due_quarter)")
        return
    if len(schedule) != 4:
        add(f"schedule 应有 4 个季度值 (schedule needs 4 quarterly values): {list(schedule)}")
        return
    if row.kind in CUMULATIVE_KINDS and any(b < a for a, b in zip(schedule, schedule[1:])):
        add(f"累计类 schedule 不能下降 (cumulative schedule decreases): {list(schedule)}")
    if has_target and abs(schedule[-1] - row.target) > 1e-9 * max(1.0, abs(row.target)):
        add(f"schedule 末值 {schedule[-1]:g} 应等于 target {row.target:g} (last quarter must equal target)")


# --------------------------------------------------------------------------
# Drift between the plan and its document
# --------------------------------------------------------------------------
def _document_body(text: str) -> str:
    """The document's content lines, normalised for substring comparisons."""
    lines, _ = _clean_lines(text if isinstance(text, str) else "")
    return normalise_text("".join(line for _, line, _ in lines))


def _same_clause(reviewed: str, found: str) -> bool:
    """A reviewed clause (KPI or not_targets entry) names the place of a clause found in the
    document: the reviewed one is not empty and one contains the other (normalised)."""
    reviewed, found = normalise_text(reviewed or ""), normalise_text(found or "")
    return bool(reviewed) and (reviewed in found or found in reviewed)


def _same_number(value, reference) -> bool:
    """Both are numbers and equal within a millionth of ``reference``."""
    if pd.isna(value) or pd.isna(reference):
        return False
    return abs(float(value) - float(reference)) <= 1e-6 * max(1.0, abs(float(reference)))


def _same_value(kpi, candidate) -> bool:
    """Target and unit of a KPI equal a numeric candidate's (a unit-less candidate matches any unit)."""
    if not _same_number(kpi.target, candidate.value):
        return False
    unit = candidate.unit
    return unit is None or (isinstance(unit, float) and pd.isna(unit)) or unit == kpi.unit


def _covers(kpi, candidate) -> bool:
    """True when a KPI accounts for a candidate: same clause, and same value or kind."""
    if not _same_clause(kpi.source_text, candidate.source_text):
        return False
    if candidate.kind == "milestone":
        return kpi.kind == "milestone"
    if candidate.kind == "recurring":
        return kpi.kind == "recurring" and kpi.period == candidate.period
    return kpi.kind not in ("milestone", "recurring") and _same_value(kpi, candidate)


def _dismisses(entry, candidate) -> bool:
    """True when a ``not_targets`` entry names this candidate: same clause, and the same
    value and unit where the entry gives them (an entry without a value covers the clause)."""
    if not _same_clause(entry.source_text, candidate.source_text):
        return False
    if not pd.isna(entry.value) and not _same_number(candidate.value, entry.value):
        return False
    return not entry.unit or entry.unit == candidate.unit


def check_drift(plan: Plan, document_text: str) -> list[str]:
    """Differences between the plan and its source document, one message each.

    * a pillar or task title that differs, or exists on one side only;
    * a candidate target (confidence >= :data:`DRIFT_MIN_CONFIDENCE`) that no
      KPI covers (same source clause and same value+unit, or same kind for
      milestones/recurring items);
    * a KPI whose ``source_text`` is no longer in the document.

    A candidate that a ``not_targets`` entry names is a reviewed decision, not drift;
    an entry whose clause is no longer in the document is drift.
    """
    extraction = extract(document_text)
    problems = [f"文档解析 (document): {p}" for p in extraction.problems]
    _compare_titles(plan.pillars, extraction.pillars, "pillar", "篇章", problems)
    _compare_titles(plan.tasks, extraction.tasks, "task", "任务", problems)
    body = _document_body(document_text)
    for kpi in plan.kpis.itertuples(index=False):
        if kpi.source_text and normalise_text(kpi.source_text) not in body:
            problems.append(f"{kpi.kpi_id}: source_text 在文档中找不到 (source_text no longer in document): {kpi.source_text}")
    for entry in plan.not_targets.itertuples(index=False):
        if normalise_text(entry.source_text) not in body:
            problems.append(f"not_targets: 已确认不是指标的原句在文档中找不到 (not_targets clause no longer in document): "
                            f"{entry.source_text}")
    kpis = list(plan.kpis.itertuples(index=False))
    dismissed = list(plan.not_targets.itertuples(index=False))
    for cand in extraction.candidates.itertuples(index=False):
        if cand.confidence < DRIFT_MIN_CONFIDENCE or any(_covers(k, cand) for k in kpis):
            continue
        if any(_dismisses(entry, cand) for entry in dismissed):
            continue
        what = "里程碑" if cand.kind == "milestone" else f"{cand.kind} {_fmt(cand.value)}{_unit_text(cand.unit)}"
        problems.append(
            f"任务 {cand.task or cand.pillar}: 文档中的目标没有对应指标 (target not covered by any KPI): "
            f"{what} — {cand.source_text}"
        )
    return problems


def _compare_titles(plan_frame, doc_frame, key: str, label: str, problems: list[str]) -> None:
    """Report titles that differ between the plan and the document."""
    plan_titles = {row[key]: row["title"] for _, row in plan_frame.iterrows()}
    doc_titles = {row[key]: row["title"] for _, row in doc_frame.iterrows()}
    for item in sorted(set(plan_titles) | set(doc_titles), key=str):
        if item not in doc_titles:
            problems.append(f"{label} {item} 在文档中不存在 (not in document): {plan_titles[item]}")
        elif item not in plan_titles:
            problems.append(f"{label} {item} 未写入计划文件 (not in plan): {doc_titles[item]}")
        elif normalise_text(plan_titles[item]) != normalise_text(doc_titles[item]):
            problems.append(f"{label} {item} 标题不一致 (title differs): 计划 {plan_titles[item]!r} / 文档 {doc_titles[item]!r}")


# --------------------------------------------------------------------------
# Presentation: tree, draft YAML
# --------------------------------------------------------------------------
KIND_LABELS = {
    "count": "数量", "area": "面积", "length": "长度", "growth_rate": "增速", "rate": "比率",
    "recurring": "常态", "milestone": "节点", "zero_target": "清零",
}
COMPARATOR_SYMBOLS = {AT_LEAST: "≥", AT_MOST: "≤", EXACTLY: "="}
PERIOD_LABELS = {"year": "全年", "half_year": "每半年", "quarter": "每季度", "month": "每月", "week": "每周", "day": "每天"}


def _fmt(value) -> str:
    """85000.0 -> "85000", 1.5 -> "1.5", NaN -> ""."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _unit_text(unit) -> str:
    """Unit for display: "%" glued to the number, others after a space."""
    if unit is None or (isinstance(unit, float) and pd.isna(unit)):
        return ""
    return unit if unit == "%" else f" {unit}"


def _kpi_line(kpi) -> str:
    """One KPI as a line of the plan tree."""
    label = KIND_LABELS.get(kpi.kind, kpi.kind)
    if kpi.kind == "milestone":
        quarter = kpi.due_quarter if kpi.due_quarter is not None else 4
        target = f"— 第{quarter}季度末前完成"
    else:
        symbol = COMPARATOR_SYMBOLS.get(kpi.comparator, kpi.comparator)
        period = PERIOD_LABELS.get(kpi.period, kpi.period) + " " if kpi.kind == "recurring" else ""
        target = f"{period}{symbol} {_fmt(kpi.target)}{_unit_text(kpi.unit)}"
    schedule = f"  计划 {'/'.join(_fmt(v) for v in kpi.schedule)}" if kpi.schedule else ""
    owner = f"  [{kpi.owner}]" if kpi.owner else ""
    return f"{kpi.kpi_id}  {label}  {kpi.name}  {target}{schedule}{owner}"


def format_plan_tree(plan: Plan) -> str:
    """The plan as an indented tree: pillars, tasks, KPIs with targets."""
    lines = [
        f"{plan.title} ({plan.year}年; {len(plan.pillars)} 个篇章, {len(plan.tasks)} 项任务, {len(plan.kpis)} 个指标)"
    ]
    listed: set[str] = set()
    for pillar in plan.pillars.itertuples(index=False):
        lines.append(f"({_to_cn(pillar.pillar)}) {pillar.title}")
        for task in plan.tasks[plan.tasks["pillar"] == pillar.pillar].itertuples(index=False):
            lines.append(f"  {task.task} {task.title}")
            for kpi in plan.kpis[plan.kpis["task"] == task.task].itertuples(index=False):
                lines.append(f"    {_kpi_line(kpi)}")
                listed.add(kpi.kpi_id)
    orphans = [k for k in plan.kpis.itertuples(index=False) if k.kpi_id not in listed]
    if orphans:
        lines.append("(未归属任务的指标 / KPIs without a known task)")
        lines.extend(f"    {_kpi_line(k)}" for k in orphans)
    return "\n".join(lines)


def draft_plan(extraction: Extraction, *, source: str = "", year: int | None = None) -> dict:
    """A first plan-file mapping from an extraction, to be corrected by hand.

    KPI ids are numbered in document order within each task; names are the
    source clauses; owners are left empty.
    """
    title = extraction.title
    if year is None:
        found = re.search(r"(20\d\d)", title + " " + str(extraction.meta.get("发文日期", "")))
        year = int(found.group(1)) if found else 0
    pillars = []
    for pillar in extraction.pillars.itertuples(index=False):
        tasks = extraction.tasks[extraction.tasks["pillar"] == pillar.pillar]
        pillars.append({
            "pillar": int(pillar.pillar),
            "title": pillar.title,
            "tasks": [{"task": t.task, "title": t.title} for t in tasks.itertuples(index=False)],
        })
    kpis, counters = [], {}
    for cand in extraction.candidates.itertuples(index=False):
        counters[cand.task] = counters.get(cand.task, 0) + 1
        milestone = cand.kind == "milestone"
        unit = None if (cand.unit is None or (isinstance(cand.unit, float) and pd.isna(cand.unit))) else cand.unit
        due = cand.due_quarter if milestone and not pd.isna(cand.due_quarter) else None
        kpis.append({
            "id": f"K{cand.task}.{counters[cand.task]:02d}",
            "pillar": int(cand.pillar),
            "task": cand.task,
            "name": cand.name,
            "kind": cand.kind,
            "target": None if milestone else _plain_number(cand.value),
            "unit": unit,
            "comparator": cand.comparator,
            "period": cand.period,
            "schedule": None,
            "due_quarter": int(due) if due is not None else None,
            "owner": None,
            "source_text": cand.source_text,
        })
    return {"year": year, "title": title, "source": source, "pillars": pillars, "kpis": kpis, "not_targets": []}


def _plain_number(value):
    """85000.0 -> 85000 (int) so the YAML reads naturally; 1.5 stays 1.5."""
    value = float(value)
    return int(value) if value.is_integer() else value


def _yaml_scalar(value) -> str:
    """One scalar in YAML flow form (quoted only when YAML needs it)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    text = text.strip().removesuffix("...").strip()
    if isinstance(value, str) and text.startswith("'"):
        text = json.dumps(value, ensure_ascii=False)  # "1.1" as in the contract
    return text


def dump_plan_yaml(data: dict, header: str = "") -> str:
    """The plan mapping as diff-friendly YAML: one KPI per block, contract key order.

    ``header`` lines are written as ``#`` comments at the top.
    """
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    for key in ("year", "title", "source"):
        out.append(f"{key}: {_yaml_scalar(data.get(key))}")
    out.append("pillars:")
    for pillar in data.get("pillars", []):
        out.append(f"  - pillar: {_yaml_scalar(pillar['pillar'])}")
        out.append(f"    title: {_yaml_scalar(pillar['title'])}")
        out.append("    tasks:")
        for task in pillar.get("tasks", []):
            out.append(f"      - task: {_yaml_scalar(task['task'])}")
            out.append(f"        title: {_yaml_scalar(task['title'])}")
    out.append("kpis:")
    for kpi in data.get("kpis", []):
        out.append("")
        for i, key in enumerate(KPI_KEYS):
            prefix = "  - " if i == 0 else "    "
            out.append(f"{prefix}{key}: {_yaml_scalar(kpi.get(key))}")
    if "not_targets" in data:
        out.append("")
        out.append(f"not_targets:{'' if data['not_targets'] else ' []'}")
        for entry in data["not_targets"]:
            keys = [k for k in NOT_TARGET_COLUMNS if entry.get(k) is not None]
            for i, key in enumerate(keys):
                out.append(f"{'  - ' if i == 0 else '    '}{key}: {_yaml_scalar(entry[key])}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Command line: reportlib plan extract | check | show
# --------------------------------------------------------------------------
def _candidates_csv(candidates: pd.DataFrame) -> str:
    """Candidates as CSV text, whole numbers written without ".0"."""
    frame = candidates.copy()
    frame["value"] = [_fmt(v) for v in frame["value"]]
    frame["due_quarter"] = [_fmt(v) for v in frame["due_quarter"]]
    return frame.to_csv(index=False, lineterminator="\n")


def cmd_extract(args: argparse.Namespace) -> int:
    """``reportlib plan extract DOCUMENT [--out FILE.csv] [--draft FILE.yaml]``."""
    extraction = extract_file(args.document)
    csv_text = _candidates_csv(extraction.candidates)
    if args.out:
        Path(args.out).write_text(csv_text, encoding="utf-8")
    else:
        sys.stdout.write(csv_text)
    if args.draft:
        data = draft_plan(extraction, source=Path(args.document).name)
        Path(args.draft).write_text(dump_plan_yaml(data, "由 reportlib plan extract 生成的草稿,需人工校对"), encoding="utf-8")
    print(
        f"篇章 {len(extraction.pillars)}, 任务 {len(extraction.tasks)}, 子项 {len(extraction.subitems)}, "
        f"候选指标 {len(extraction.candidates)}, 问题 {len(extraction.problems)} "
        f"(pillars, tasks, sub-items, candidates, problems)",
        file=sys.stderr,
    )
    for problem in extraction.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``reportlib plan check [--plan FILE]``: validation and drift; exit 3 on any problem."""
    path = Path(args.plan) if args.plan else DEFAULT_PLAN_PATH
    problems = validate_plan(path)
    plan = None
    try:
        plan, _ = _read_plan(path)
    except InputError:
        pass
    if plan is not None and plan.source and Path(plan.source_path).is_file():
        text, read_problems = read_document(plan.source_path)
        problems += read_problems + check_drift(plan, text)
    for problem in problems:
        print(problem)
    if problems:
        print(f"计划文件检查未通过: {len(problems)} 个问题 (plan check failed)", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"计划文件检查通过: {path.name}, {len(plan.kpis)} 个指标, 与 {plan.source} 一致 (plan OK)")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """``reportlib plan show [--plan FILE]``: the plan as a tree."""
    print(format_plan_tree(load_plan(args.plan)))
    return EXIT_OK


def register(subparsers) -> None:
    """Add ``plan extract|check|show`` to the reportlib command line."""
    parser = subparsers.add_parser(
        "plan",
        help="工作谋划: 抽取候选指标、检查计划文件、显示指标树 (work plan)",
        description="工作谋划文档与计划文件 plan_2025.yaml (work-plan document and plan file).",
    )
    parser.set_defaults(func=lambda args: (parser.print_help(), EXIT_USAGE)[1])
    sub = parser.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")

    extract_parser = sub.add_parser("extract", help="从文档抽取候选指标,写 CSV (extract candidate targets)")
    extract_parser.add_argument("document", help="工作谋划文本文件 (UTF-8 / GBK)")
    extract_parser.add_argument("--out", help="CSV 输出文件;省略时写到标准输出")
    extract_parser.add_argument("--draft", help="另写一份计划文件草稿 (YAML),供人工校对")
    extract_parser.set_defaults(func=cmd_extract)

    check_parser = sub.add_parser("check", help="校验计划文件并与源文档比对 (validate plan, report drift)")
    check_parser.add_argument("--plan", help=f"计划文件,默认 {DEFAULT_PLAN_PATH.name}")
    check_parser.set_defaults(func=cmd_check)

    show_parser = sub.add_parser("show", help="以树形显示计划 (print the plan as a tree)")
    show_parser.add_argument("--plan", help=f"计划文件,默认 {DEFAULT_PLAN_PATH.name}")
    show_parser.set_defaults(func=cmd_show)
