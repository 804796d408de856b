"""Candidate targets in a work-plan document: clauses, quantities, classification."""
from __future__ import annotations


import re
from dataclasses import replace


from reportlib.plan.documents import Document, load_document
from reportlib.plan.model import Block, CANDIDATE_COLUMNS, DEFAULT_RECURRING_UNIT, DEFAULT_TARGET_COMPARATOR, DOCUMENT_PLAN, DOCUMENT_SUMMARY, Extraction, IGNORED_COLUMNS, NUMBER_COLUMNS, PILLAR_COLUMNS, REASON_ARTICLE, REASON_CONTEXT, REASON_DURATION, REASON_NAME, REASON_NO_UNIT, REASON_ORDINAL, REASON_OUTSIDE, REASON_PLACE, REASON_PLAN_SELF, REASON_QUALIFIER, REASON_QUOTED, REASON_SCOPE, REASON_YEAR, SUBITEM_COLUMNS, TASK_COLUMNS, frame_of
from reportlib.plan.owners import block_deadline, block_owner, owner_spans, quarter_of
from reportlib.plan.review import PAST_SECTION, PAST_SUMMARY, PAST_VERB, PAST_YEAR, SUMMARY_PROBLEM, looks_like_summary, plan_year, reports_done, starts_in_past
from reportlib.plan.tables import TABLE_PILLAR_TITLE, table_blocks
from reportlib.plan.structure import CN_NUMERALS, SUBITEM_RE, clean_lines, cn_numeral, parse_structure
from reportlib.units import (
    AT_LEAST,
    AT_MOST,
    EXACTLY,
    UNITS,
    comparator_in_context,
    find_quantities,
    fold_width,
    parse_number,
)

_CLAUSE_DELIMITERS = ",，;；。!！?？:：\n"
_SENTENCE_DELIMITERS = "。!！?？;；\n"
_QUOTE_PAIRS = {"“": "”", "‘": "’", "《": "》", "「": "」", "『": "』", "〈": "〉", "【": "】"}
_MAX_QUOTE_LENGTH = 80
_THOUSANDS_COMMA_RE = re.compile(r"\d,\d{3}(?!\d)")
MASK = "□"

# Words after which a number describes existing stock, not a target.
_CONTEXT_CUES = ("原有", "现有", "已有", "既有", "共有", "现存", "辖区内", "围绕", "依托")
_STOCK_VERBS_BEFORE_NUMBER = ("优化",)  # only when directly before the number
# Words after which a number is the scope or the beneficiaries of the work, not its target.
_SCOPE_CUES = ("惠及", "受益", "占地", "涉及", "辐射", "总投资", "计划总投资", "服务人口", "覆盖人口", "总面积", "总长")
# A quantity directly followed by these is part of a place name (801台地块).
_PLACE_SUFFIXES = ("地块", "宿舍", "大院", "厂区", "号院", "号楼")
# Between a qualifying 500万元以上 and its noun; other characters end the qualifier.
_QUALIFIER_NOUN_RE = re.compile(r"[\u4e00-\u9fff]")
_FULL_SENTENCE_DELIMITERS = "。!！?？\n"
# A deadline in a sentence (6月底前, 年底前, 上半年): the quarter of its candidates.
_SENTENCE_DEADLINE_RE = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})月(?:底|末)?前|年底前|年内完成")
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
            chars[i] = MASK
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
    marker = re.match(rf"[{CN_NUMERALS}]{{1,2}}是", text[start:end])
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

    def __init__(self, block: Block, subitem_spans: list[tuple], year: int | None = None):
        self.block = block
        self.text = block.text
        self.masked, self.quoted = mask_quotes(block.text)
        for span in subitem_spans:  # hide 一是/二是 markers
            start, marker_end = span[1], (span[3] if len(span) > 3 else self.text.index("是", span[1]) + 1)
            self.masked = self.masked[:start] + MASK * (marker_end - start) + self.masked[marker_end:]
        self.owner_spans = owner_spans(self.text)
        for start, end, _, _ in self.owner_spans:  # 责任单位: … is no target
            self.masked = self.masked[:start] + MASK * (end - start) + self.masked[end:]
        self.subitem_spans = subitem_spans
        self.year = year
        self.past = block.past
        self.past_reason = PAST_SECTION if block.past else ""
        self.sentence_due: int | None = None
        self.clause_due: int | None = None
        self.candidates: list[dict] = []
        self.ignored: list[dict] = []
        self.numbers: list[dict] = []  # every number, in order, for --explain

    # -- helpers -------------------------------------------------------
    def _subitem(self, offset: int) -> int:
        number = 0
        for span in self.subitem_spans:
            if offset >= span[1]:
                number = span[0]
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
            "owner": "",
            "range_high": None,
            "due_quarter": self.clause_due if self.clause_due is not None else self.sentence_due,
        }
        row.update(values)
        row["_past"] = self.past
        self.candidates.append(row)
        self.numbers.append({
            "pillar": row["pillar"], "task": row["task"], "status": "result" if self.past else "target",
            "kind": row["kind"], "value": row["value"], "unit": row["unit"], "raw": row["raw"],
            "reason": self.past_reason, "source_text": source,
        })

    def _ignore(self, value, raw: str, reason: str, source: str) -> None:
        row = {"pillar": self.block.pillar, "task": self.block.task, "value": value, "raw": raw, "reason": reason, "source_text": source}
        self.ignored.append(row)
        self.numbers.append({**row, "status": "ignored", "kind": "", "unit": None})

    # -- scanning -------------------------------------------------------
    def scan(self) -> None:
        """Scan every sentence and clause of the block."""
        for start, end in self.quoted:
            inner = self.text[start:end]
            for match in find_quantities(inner):
                self._ignore(match.quantity.value, match.quantity.raw, REASON_QUOTED, inner)
        title_length = len(self.block.title) if self.text.startswith(self.block.title) else 0
        full = _spans(self.masked, _FULL_SENTENCE_DELIMITERS)
        past = {span: self.block.past or starts_in_past(self.text[span[0]:span[1]], self.year) for span in full}
        for s_start, s_end in _spans(self.masked, _SENTENCE_DELIMITERS):
            enclosing = next((span for span in full if span[0] <= s_start < span[1]), None)
            self.past_reason = (PAST_SECTION if self.block.past else PAST_YEAR if past.get(enclosing)
                                else PAST_VERB if reports_done(self.text[s_start:s_end]) else "")
            self.past = bool(self.past_reason)
            self.sentence_due = _deadline(self.masked[s_start:s_end])
            milestone_done = s_start < title_length  # a task title is a heading, not a deliverable
            for c_start, c_end in _spans(self.masked[s_start:s_end], _CLAUSE_DELIMITERS):
                found = self._scan_clause(s_start + c_start, s_start + c_end)
                if not found and not milestone_done:
                    milestone_done = self._milestone(s_start + c_start, s_start + c_end)

    def _scan_clause(self, start: int, end: int) -> bool:
        """Candidates in one clause; True when the clause yielded any."""
        masked = self.masked[start:end]
        text = self.text[start:end]
        self.clause_due = _deadline(masked)
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
                later = any(m.quantity.unit for m in matches[index + 1 :] if not m.special)
                self._numeric(match, start, end, masked, text, recurring, later)
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

    def _skip_reason(self, match, masked: str, recurring: bool, later: bool = False) -> str | None:
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
        if UNITS[q.unit][0] in ("time", "workday", "month") and not _is_day_count(q, before):
            return REASON_DURATION
        if _PLAN_SELF_RE.match(after):
            return REASON_PLAN_SELF
        if before.endswith(_STOCK_VERBS_BEFORE_NUMBER):
            return REASON_CONTEXT
        cue_end = max((before.rfind(c) + len(c) for c in _CONTEXT_CUES if c in before), default=-1)
        if cue_end >= 0 and not any(v in before[cue_end:] for v in _TARGET_VERBS):
            return REASON_CONTEXT
        scope_end = max((before.rfind(c) + len(c) for c in _SCOPE_CUES if c in before), default=-1)
        if scope_end >= 0 and not any(v in before[scope_end:] for v in _TARGET_VERBS):
            return REASON_SCOPE
        if later and q.raw.endswith(("以上", "以下")) and _QUALIFIER_NOUN_RE.match(after[:1]):
            return REASON_QUALIFIER  # 500万元以上固定资产投资增长8.5%
        if after.startswith(_PLACE_SUFFIXES) and UNITS[q.unit][0].startswith("count:"):
            return REASON_PLACE  # 801台地块: a counted unit glued to a place word
        return None

    def _numeric(self, match, start, end, masked, text, recurring, later=False) -> None:
        """A number with a unit: count / area / length / rate / growth_rate."""
        q = match.quantity
        reason = self._skip_reason(match, masked, recurring, later)
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
        if dim in ("percent", "percentage_point", "permille"):
            kind, confidence = "rate", 0.9
            growth = list(_GROWTH_RE.finditer(before))
            level = growth and growth[-1].group() in _LEVEL_CUES and re.match(r"[至到]|.*率", before[growth[-1].end() :])
            if growth and before[growth[-1].end() :].startswith("率"):
                growth = []  # 增长率控制在4‰: the level of a rate
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
                  approximate=q.approximate, confidence=round(min(confidence, 1.0), 2), raw=q.raw,
                  range_high=q.range_high)

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


def _deadline(text: str) -> int | None:
    """Quarter of a deadline written in ``text`` (6月底前 -> 2, 年底前 -> 4), or None."""
    match = _SENTENCE_DEADLINE_RE.search(text)
    return quarter_of(match.group()) if match else None


def _is_day_count(quantity, before: str) -> bool:
    """True for 天 counted as days of something (优良天数达到300天), not a deadline (7天内)."""
    return quantity.unit == "天" and "天数" in before and quantity.comparator != AT_MOST


def _subitems(block: Block, masked: str) -> list[tuple[int, int, int]]:
    """(number, start, title_end) of 一是/二是… markers in numbering order."""
    found, expected = [], 1
    for match in SUBITEM_RE.finditer(masked):
        number = parse_number(match.group(1))
        if number != expected:
            continue
        start = match.start(1)
        ends = [pos for pos in (block.text.find(ch, start) for ch in "。;；") if pos >= 0]
        found.append((expected, start, min(ends) if ends else len(block.text)))
        expected += 1
    return found



def _scan(blocks: list[Block], year: int | None, problems: list[str]):
    """Candidates, ignored numbers, every-number rows and sub-item rows of ``blocks``."""
    candidates, ignored, numbers, subitem_rows = [], [], [], []
    for block in blocks:
        masked, _ = mask_quotes(block.text)
        subs = block.subitems or ([] if block.past else _subitems(block, masked))
        if block.task or block.pillar:
            for span in subs:
                title = block.text[span[1] : span[2]]
                title = re.sub(rf"^[{CN_NUMERALS}]{{1,2}}是", "", title).strip()
                subitem_rows.append({"pillar": block.pillar, "task": block.task, "subitem": span[0], "title": title})
        scanner = _Scanner(block, subs, year)
        try:
            scanner.scan()
        except Exception as exc:  # noqa: BLE001 - never crash on a document
            problems.append(f"任务 {block.task or block.pillar} 无法完全解析 (could not parse): {exc!r}")
        owner = block.owner or block_owner(scanner.owner_spans)
        due = block.due_quarter or block_deadline(scanner.owner_spans)
        for row in scanner.candidates:
            row["owner"] = owner
            if row.get("due_quarter") is None and due is not None:
                row["due_quarter"] = due
        candidates.extend(scanner.candidates)
        ignored.extend(scanner.ignored)
        numbers.extend(scanner.numbers)
    return candidates, ignored, numbers, subitem_rows


def _same_target(a: dict, b: dict) -> bool:
    """Two candidates for one target (a table row repeating the text)."""
    return a["value"] == b["value"] and a["unit"] == b["unit"] and a["kind"] == b["kind"]


def _merge_table(candidates: list[dict], table_candidates: list[dict]) -> list[dict]:
    """Table candidates not already found in the text; a repeated one lends the text's
    candidate its owner and deadline instead (a target is never reported twice)."""
    new = []
    for row in table_candidates:
        twin = next((c for c in candidates if _same_target(c, row) and c["kind"] != "milestone"), None)
        if twin is None:
            new.append(row)
            continue
        twin["owner"] = twin["owner"] or row["owner"]
        if twin.get("due_quarter") is None:
            twin["due_quarter"] = row.get("due_quarter")
    return new


def _document_title(meta: dict, lines) -> str:
    """The 标题 field, else a short first line that reads like a title."""
    if meta.get("标题"):
        return meta["标题"]
    for _, line, _ in lines[:2]:
        if len(line) <= 40 and not re.search(r"[。,，;；]", line):
            return line
    return ""


def extract(text, tables=None, meta=None) -> Extraction:
    """Pillars, tasks, sub-items and candidate targets of a work-plan document.

    ``tables`` (rows of cell texts, from a .docx or .html) may hold a target
    table; ``meta`` adds header fields read by the document reader.
    Never raises for odd content; see ``Extraction.problems``.
    """
    problems: list[str] = []
    if not isinstance(text, str):
        problems.append(f"文档不是文本 (document is not text): {type(text).__name__}")
        text = ""
    lines, meta_lines = clean_lines(text)
    meta = {**(meta or {}), **meta_lines}
    tables = tables or []
    if not lines and not tables:
        problems.append("文档为空或只有表头 (document is empty)")
    pillars, blocks, pillar_bodies, outside = parse_structure(lines, problems)
    title = _document_title(meta, lines)
    year = plan_year(title, [l for _, l, _ in lines[:3]])
    plan_blocks = [b for b in blocks if not b.past]
    if lines and not pillars:
        problems.append("未找到(一)(二)…形式的篇章标题 (no pillar headings); 任务归入篇章 0")
    if lines and not plan_blocks and not tables:
        problems.append("未找到 1. 2. …形式的任务标题 (no task headings)")
    scan_blocks = list(blocks)
    if outside:  # preface, 主要预期目标: plan-level headline targets
        scan_blocks.insert(0, Block(0, "", "", "\n".join(outside), 1))
    for pillar in pillars:
        if not any(b.pillar == pillar["pillar"] for b in plan_blocks):
            problems.append(
                f"篇章({cn_numeral(pillar['pillar'])})下没有编号任务 (pillar without tasks); 其正文按整体扫描, task 为空"
            )
            scan_blocks.append(Block(pillar["pillar"], "", "", "".join(pillar_bodies.get(pillar["pillar"], [])), pillar["line"]))
    candidates, ignored, numbers, subitem_rows = _scan(scan_blocks, year, problems)
    table_pillar = max([p["pillar"] for p in pillars], default=0) + 1
    rows, other_rows = table_blocks(tables, table_pillar)
    table_candidates, table_ignored, table_numbers, _ = _scan(rows, year, problems)
    if other_rows:
        more = _scan([Block(0, "", "", "".join(other_rows), 0)], year, problems)
        candidates += more[0]
        ignored += more[1]
        numbers += more[2]
    table_candidates = _merge_table(candidates, table_candidates)
    used_tasks = {c["task"] for c in table_candidates}
    table_tasks = [b for b in rows if b.task in used_tasks]
    renumber = {b.task: f"{table_pillar}.{i}" for i, b in enumerate(table_tasks, 1)}
    for block in table_tasks:
        block.task = renumber[block.task]
    for row in table_candidates + table_numbers + table_ignored:
        row["task"] = renumber.get(row["task"], row["task"])
    if table_tasks:
        pillars.append({"pillar": table_pillar, "title": TABLE_PILLAR_TITLE, "line": 0})
    candidates += table_candidates
    ignored += table_ignored
    numbers += table_numbers
    context_text = "".join(outside) + "".join(
        "".join(body) for p, body in pillar_bodies.items() if any(b.pillar == p for b in plan_blocks)
    )
    for match in find_quantities(context_text):
        ignored.append({"pillar": 0, "task": "", "value": match.quantity.value, "raw": match.quantity.raw,
                        "reason": REASON_OUTSIDE, "source_text": ""})
    past = [c.pop("_past") for c in candidates]
    results = [c for c, is_past in zip(candidates, past) if is_past]
    candidates = [c for c, is_past in zip(candidates, past) if not is_past]
    document_kind = DOCUMENT_PLAN
    if looks_like_summary(title, len(results), len(candidates)):
        document_kind = DOCUMENT_SUMMARY
        problems.append(SUMMARY_PROBLEM)
        results, candidates = results + candidates, []
        for row in numbers:
            if row["status"] == "target":
                row["status"], row["reason"] = "result", PAST_SUMMARY
    for row in results:
        row["kind"] = "result"
    return Extraction(
        title=title,
        meta=meta,
        pillars=frame_of([{"pillar": p["pillar"], "title": p["title"]} for p in pillars], PILLAR_COLUMNS),
        tasks=frame_of([{"pillar": b.pillar, "task": b.task, "title": b.title} for b in plan_blocks + table_tasks], TASK_COLUMNS),
        subitems=frame_of(subitem_rows, SUBITEM_COLUMNS),
        candidates=frame_of(candidates, CANDIDATE_COLUMNS),
        ignored=frame_of(ignored, IGNORED_COLUMNS),
        problems=problems,
        results=frame_of(results, CANDIDATE_COLUMNS),
        document_kind=document_kind,
        numbers=frame_of(numbers, NUMBER_COLUMNS),
    )


def extract_document(document: Document) -> Extraction:
    """:func:`extract` on a document read by :func:`~reportlib.plan.documents.load_document`."""
    extraction = extract(document.text, document.tables, document.meta)
    return replace(extraction, problems=document.problems + extraction.problems)


def extract_file(path) -> Extraction:
    """:func:`extract` on a file: .docx, saved .html page, PDF with text, or text in UTF-8/GBK."""
    return extract_document(load_document(path))
