"""Reading one block of a plan document: sentences, clauses, quantities, and what each number is.

:class:`Scanner` walks a block (a task, a pillar's heading and intro, the preface, table cells)
and records one *find* per number — and per milestone or recurring duty without a number —
with its status and reason (:mod:`~reportlib.plan.reasons`), its place in the document (line,
column) and, for targets, the candidate's fields. The rules that decide a number is not a
target are :meth:`Scanner._skip_reason`'s, each naming the genre's wording it stands for.
"""
from __future__ import annotations

import re
from dataclasses import replace

from reportlib.plan.clauses import (
    CLAUSE_DELIMITERS, FULL_SENTENCE_DELIMITERS, MASK, SENTENCE_DELIMITERS, deadline, due_quarter, infer_unit,
    is_accountable, mask_quotes, spans_between, strip_span,
)
from reportlib.plan.model import Block, DEFAULT_RECURRING_UNIT, DEFAULT_TARGET_COMPARATOR
from reportlib.plan.owners import owner_spans
from reportlib.plan.reasons import IGNORED, REASONS, RESULT, REVIEW, TARGET
from reportlib.plan.review import PAST_PROGRESS, PAST_SECTION, PAST_VERB, PAST_YEAR, reports_done, reports_progress, starts_in_past
from reportlib.plan.structure import CN_NUMERALS
from reportlib.units import (
    AT_LEAST, AT_MOST, EXACTLY, UNITS, canonical_unit, comparator_in_context, find_quantities, parse_number,
)

# Words after which a number describes existing stock, not a target (原有119支队伍, 依托8个站点).
_CONTEXT_CUES = ("原有", "现有", "已有", "既有", "共有", "现存", "存量", "围绕", "依托")
_STOCK_VERBS_BEFORE_NUMBER = ("优化",)  # only when directly before the number
# Words after which a number is the scope or the beneficiaries of the work, not its target.
# (总长, 总面积 of what is built are measures of the target itself: 新建道路12条、总长18.6公里.)
_SCOPE_CUES = ("惠及", "受益", "占地", "涉及", "辐射", "总投资", "计划总投资", "服务人口", "覆盖人口")
# A quantity directly followed by these is part of a place name (801台地块).
_PLACE_SUFFIXES = ("地块", "宿舍", "大院", "厂区", "号院", "号楼")
# A 支 directly followed by these is a road or canal's name (三支路, 二支渠).
_BRANCH_NAME_SUFFIXES = ("路", "渠", "沟", "巷", "线")
# Before a number: the capacity of a project named by it (年产5万吨再生铝项目).
_SCALE_WORDS = ("年产", "年处理", "日处理", "日供水", "年加工", "设计产能", "产能", "年出栏", "装机容量")
# After a person count: representatives or members (46名代表), who attend or propose, not a target.
_ATTENDANCE_NOUNS = ("代表", "人大代表", "党代表", "委员", "政协委员")
# Before a number: work received from others (代表提出的31件建议, 上级交办的12件事项) — scope or target?
_RECEIVED_WORDS = ("提出的", "交办的", "承办的", "收到的", "受理的", "转办的")
# 解决3个村、4200余人饮水不稳定问题: the figures say whose problem is solved — scope, or the target?
_SOLVES_RE = re.compile(r"(?:解决|惠及|帮助)[^，,；;。]*$")
_PROBLEM_END_RE = re.compile(r"^[^，,；;。]*问题\s*$")
# A clause opening with 其中 continues these of the clause before it (共有企业320家，其中规上企业45家).
_INHERITED_REASONS = ("context_stock", "scope_context", "attendance")
# After a count of meetings: a session's ordinal (十五届八次全会).
_SESSION_NOUNS = ("全会", "全体会议", "全体（扩大）会议", "常委会议")
# Between a qualifying 500万元以上 and its noun; other characters end the qualifier.
_QUALIFIER_NOUN_RE = re.compile(r"[\u4e00-\u9fff]")
TARGET_VERBS = (
    "新增", "新建", "建成", "建设", "完成", "实现", "打造", "培育", "孵化", "增设", "改造",
    "新装", "开展", "组织", "拆迁", "发展", "认定", "举办", "创建", "确定", "划分", "推进",
    "推动", "提升", "提供", "调整", "谋划", "达到", "突破", "争取", "力争", "实施", "维护",
    "更换", "整治", "找补", "硬化", "绿化", "招引", "引进", "签约", "培训", "安置", "新发展",
    "加装", "补植", "栽植", "施划", "铺设", "新铺", "疏通", "排危", "修剪", "安装", "更新",
)
_PLAN_SELF_RE = re.compile(r"^(?:项|个|条|件)?(?:具体|重点|主要)?(?:工作|任务|举措)")
_PLAN_SELF_BEFORE = ("以下", "下列", "如下")  # 办好以下8件民生实事
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
# 每人每月163元: a standard paid per person and month (a level), not a recurring duty.
_PER_CAPITA_RE = re.compile(r"每(?:人|户|位|名)(?:每)?(?:月|年|天|日)")
# A recurring duty of reporting on the plan itself (每月5日前报送上月进展) is how the plan is
# tracked, not one of its targets.
_REPORTING_DUTY_RE = re.compile(r"(?:报送|上报|汇报|报告|反馈)[^，,。；;]{0,6}(?:进展|进度|情况|信息|数据|台账)")
assert all(code in REASONS for code in ("unknown_unit", "object_scope", "ordinal", "age", "attendance"))


def _is_day_count(quantity, before: str) -> bool:
    """True for 天 counted as days of something (优良天数达到300天), not a deadline (7天内)."""
    return quantity.unit == "天" and "天数" in before and quantity.comparator != AT_MOST



# --------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------
class Scanner:
    """Finds what each number of one block is: target, context, past result or to review."""

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
        self.past_reason = PAST_SECTION if block.past else ""
        self.sentence = (0, len(self.text))
        self.sentence_due: int | None = None
        self.clause_due: int | None = None
        self.finds: list[dict] = []
        self.inherited: str | None = None  # the stock or scope a clause opening with 其中 continues

    # -- records ------------------------------------------------------
    def _subitem(self, offset: int) -> int:
        number = 0
        for span in self.subitem_spans:
            if offset >= span[1]:
                number = span[0]
        return number

    def _place(self, start: int | None, end: int | None) -> dict:
        """Where a number stands: its line and column, the span of its words, its sentence."""
        s_start, s_end = self.sentence
        sentence = self.text[s_start:s_end].strip()
        if start is None:
            return {"line": self.block.position(s_start)[0], "column": None, "start": None, "end": None,
                    "sentence": sentence}
        line, column = self.block.position(start)
        return {"line": line, "column": column, "start": column, "end": column + (end - start), "sentence": sentence}

    def _base(self, status: str, reason: str, raw: str, value, source: str, span, counted: bool = False) -> dict:
        return {"pillar": self.block.pillar, "task": self.block.task, "status": status, "reason": reason,
                "raw": raw, "value": value, "source_text": source, "kind": "", "unit": None, "counted": counted,
                "number_start": span[0] if span else None, **self._place(*(span or (None, None)))}

    def add(self, start: int, end: int, offset: int, span=None, counted: bool = False, **values) -> None:
        """A candidate target of the clause ``text[start:end]``; ``span`` is its number's (start, end),
        ``counted`` whether that number is one every check accounts for (:func:`is_accountable`)."""
        source_start, source_end = strip_span(self.text, start, end)
        source = self.text[source_start:source_end]
        row = {
            "subitem": self._subitem(offset), "period": "year", "approximate": False, "name": source,
            "owner": "", "range_high": None, "comparator": AT_LEAST, "confidence": 0.5,
            "due_quarter": self.clause_due if self.clause_due is not None else self.sentence_due,
            **self._base(RESULT if self.past_reason else TARGET, self.past_reason, "", None, source, span, counted),
        }
        row.update(values)
        row["clause_start"], row["clause_end"] = source_start, source_end
        self.finds.append(row)

    def ignore(self, match, offset: int, reason: str, source: str) -> None:
        """A number (``match`` in text starting at ``offset``) that is not a target, with the reason
        (status from :data:`REASONS`)."""
        q = match.quantity
        find = self._base(REASONS[reason].status, reason, q.raw, q.value, source,
                          (offset + match.start, offset + match.end), is_accountable(match))
        find["unit"] = q.unit
        self.finds.append(find)

    # -- scanning -------------------------------------------------------
    def scan(self) -> None:
        """Scan every sentence and clause of the block, then the quoted names and owner notes."""
        for start, end in self.quoted:
            inner = self.text[start:end]
            self.sentence = self._sentence_of(start)
            for match in find_quantities(inner):
                self.ignore(match, start, "quoted_name", inner)
        for start, end, _, _ in self.owner_spans:
            self.sentence = self._sentence_of(start)
            for match in find_quantities(self.text[start:end]):
                self.ignore(match, start, "owner_note", self.text[start:end])
        title_end = self.block.title_end
        full = spans_between(self.masked, FULL_SENTENCE_DELIMITERS)
        past = {span: self.block.past or starts_in_past(self.text[span[0]:span[1]], self.year) for span in full}
        for s_start, s_end in spans_between(self.masked, SENTENCE_DELIMITERS):
            enclosing = next((span for span in full if span[0] <= s_start < span[1]), (s_start, s_end))
            self.sentence = enclosing
            self.sentence_due = deadline(self.masked[s_start:s_end])
            milestone_done = s_start < title_end  # a heading is not a deliverable
            self.inherited = None
            for c_start, c_end in spans_between(self.masked[s_start:s_end], CLAUSE_DELIMITERS):
                if not self.masked[s_start + c_start:s_start + c_end].lstrip().startswith("其中"):
                    self.inherited = None
                self.past_reason = (PAST_SECTION if self.block.past else PAST_YEAR if past.get(enclosing)
                                    else PAST_PROGRESS if reports_progress(self.text[s_start:s_start + c_end])
                                    else PAST_VERB if reports_done(self.text[s_start:s_end]) else "")
                before = len(self.finds)
                found = self._scan_clause(s_start + c_start, s_start + c_end)
                numbers = [f for f in self.finds[before:] if f["number_start"] is not None and f.get("unit")]
                if numbers and numbers[-1]["reason"] in _INHERITED_REASONS:
                    self.inherited = numbers[-1]["reason"]  # 辖区共有企业320家，其中规上企业45家: both stock
                if not found and not milestone_done and not self.block.headed:
                    milestone_done = self._milestone(s_start + c_start, s_start + c_end)

    def _sentence_of(self, offset: int) -> tuple[int, int]:
        for start, end in spans_between(self.masked, FULL_SENTENCE_DELIMITERS):
            if start <= offset < end:
                return start, end
        return 0, len(self.text)

    def _scan_clause(self, start: int, end: int) -> bool:
        """Finds of one clause; True when the clause yielded a candidate."""
        masked = self.masked[start:end]
        self.clause_due = deadline(masked)
        before_count = sum(1 for f in self.finds if f["status"] != IGNORED)
        matches = find_quantities(masked)
        every = _EVERY_RE.search(masked)
        if every and (_REPORTING_DUTY_RE.search(masked) or _PER_CAPITA_RE.search(masked)):
            every = None  # 每月5日前报送上月进展: tracking the plan; 每人每月163元: a standard, not a duty
        used: set[int] = set()
        finds_before = len(self.finds)
        if every:
            used = self._recurring(start, end, _PERIOD_WORDS[every.group(1)], every.start(), matches, 0.8)
        elif not _REPORTING_DUTY_RE.search(masked) and not _PER_CAPITA_RE.search(masked):
            for noun in _RECURRING_NOUN_RE.finditer(masked):
                self._recurring(start, end, _PERIOD_WORDS[noun.group(1)], noun.start(), [], 0.6, noun.group())
        recurring = len(self.finds) > finds_before
        for index, match in enumerate(matches):
            if index in used:
                continue
            if recurring and match.special:
                self.ignore(match, start, "in_recurring", self.text[start:end])
            elif match.special:
                self._special(match, start, end, masked)
            else:
                later = any(m.quantity.unit for m in matches[index + 1 :] if not m.special)
                self._numeric(match, start, end, masked, recurring, later)
        return sum(1 for f in self.finds if f["status"] != IGNORED) > before_count

    def _recurring(self, start, end, period, at, matches, confidence, raw=None) -> set[int]:
        """A recurring candidate (每季度…, 月点评): value per period, 1 次 by default.

        Returns the indexes of ``matches`` used as the per-period value.
        """
        value, unit, used, span = 1.0, DEFAULT_RECURRING_UNIT, set(), None
        for index, match in enumerate(matches):
            q = match.quantity
            if match.special or q.unit is None or match.start < at:
                continue
            dim = UNITS[q.unit][0]
            if dim.startswith("count:") or dim == "person":
                value, unit, used, span = q.value, q.unit, {index}, (start + match.start, start + match.end)
                break
        self.add(start, end, start + at, span, span is not None, kind="recurring", value=value, unit=unit,
                 comparator=AT_LEAST, period=period, confidence=confidence,
                 raw=raw or (self.text[span[0]:span[1]] if span else self.text[start + at:end]))
        return used

    def _special(self, match, start, end, masked) -> None:
        """全覆盖 -> rate 100 %, 清零 -> zero target, 零的突破 -> count 1."""
        q = match.quantity
        span = (start + match.start, start + match.end)
        if match.special == "full_coverage":
            self.add(start, end, span[0], span, True, kind="rate", value=100.0, unit="%",
                     comparator=AT_LEAST, confidence=0.7, raw=q.raw)
        elif match.special == "clear_to_zero":
            self.add(start, end, span[0], span, True, kind="zero_target", value=0.0,
                     unit=infer_unit(masked[: match.start]), comparator=AT_MOST, confidence=0.8, raw=q.raw)
        else:
            self.add(start, end, span[0], span, True, kind="count", value=1.0,
                     unit=infer_unit(masked[: match.start]), comparator=AT_LEAST, confidence=0.8, raw=q.raw)

    def _skip_reason(self, match, masked: str, recurring: bool, later: bool = False) -> str | None:
        """Why a number in a clause is not a target (a reason code of :data:`REASONS`), or None."""
        q = match.quantity
        before, after = masked[: match.start], masked[match.end :]
        just_before, following = masked[: match.number_start][-1:], masked[match.number_end :]
        digits = bool(re.search(r"\d", match.number_text))
        if just_before == "第" or (q.unit == "次" and before.endswith("届")) or \
                (q.unit == "次" and after.startswith(_SESSION_NOUNS)) or \
                (q.unit == "次" and after.startswith("会议") and "届" in before[-6:]):
            return "ordinal"  # 第4期; 十三届四次会议; 十五届八次全会; 十八届人大三次会议
        if q.unit == "届" and not re.search(r"(?:举办|举行|承办)$", before):
            return "ordinal"  # 十三届人大, 二届
        if q.unit is None and re.match(r"\s*号", following) and not before.endswith("月"):
            return "name_or_code"  # 3号楼, 12号线
        if q.unit is None and re.match(r"\s*(年|年度|月|日|号|-\d)", following):
            return "year_or_date"
        if q.unit is None and re.match(r"\s*周?岁", following):
            return "age"  # 60周岁以上老年人
        if re.match(r"[+\-/#A-Za-z0-9.]", just_before) or re.match(r"[+\-/#A-Za-z]", following[:1]):
            return "name_or_code"  # 1+24+365, A4, 5G, 2025-02-11
        if re.search(r"(?:附件|附表|表|图)$", before) and q.unit is None:
            return "name_or_code"  # 附件1
        if q.unit is None and re.fullmatch(r"12\d{3}", match.number_text):
            return "name_or_code"  # 12345 政务服务便民热线, 12349: service numbers
        if just_before == "、" and re.search(rf"[{CN_NUMERALS}\d]、$", before):
            return "name_or_code"  # 一、二、三支路: numbers of names listed
        if q.unit is None:
            if q.value == 0 and match.number_text in ("零", "〇") and re.search(r"(实现|确保|保持|做到)$", before):
                return None
            return "unknown_unit" if digits else "no_unit"
        if match.number_text in ("一", "壹") and not recurring:
            return "article"
        if q.unit == "期" and parse_number(match.number_text) is not None and not digits:
            return "ordinal"  # 二期: a project phase
        if UNITS[q.unit][0] in ("time", "workday", "month") and not _is_day_count(q, before):
            return "duration"
        if _PLAN_SELF_RE.match(after) or before.endswith(_PLAN_SELF_BEFORE) or \
                (before.endswith(("（", "(", "（共", "(共")) and re.match(r"\s*[)）]", after)):
            return "describes_plan"  # 17项具体工作; 以下8件民生实事; 经济发展（5项）
        if UNITS[q.unit][0] == "person" and after.startswith(_ATTENDANCE_NOUNS):
            return "attendance"  # 46名代表
        if before.endswith(_SCALE_WORDS):
            return "project_scale"  # 年产5万吨再生铝项目
        if q.unit == "支" and after.startswith(_BRANCH_NAME_SUFFIXES):
            return "place_name"  # 三支路
        if before.endswith(_STOCK_VERBS_BEFORE_NUMBER):
            return "context_stock"
        cue_end = max((before.rfind(c) + len(c) for c in _CONTEXT_CUES if c in before), default=-1)
        if cue_end >= 0 and not any(v in before[cue_end:] for v in TARGET_VERBS):
            return "context_stock"
        scope_end = max((before.rfind(c) + len(c) for c in _SCOPE_CUES if c in before), default=-1)
        if scope_end >= 0 and not any(v in before[scope_end:] for v in TARGET_VERBS):
            return "scope_context"
        if self.inherited and masked.lstrip().startswith("其中"):
            return self.inherited  # 辖区共有企业320家，其中规上企业45家
        if later and q.raw.endswith(("以上", "以下")) and _QUALIFIER_NOUN_RE.match(after[:1]) \
                and UNITS[q.unit][0] not in ("percent", "permille"):
            return "qualifier"  # 500万元以上固定资产投资增长8.5% (but 50%以上的村… is a share: the target)
        if after.startswith(_PLACE_SUFFIXES) and UNITS[q.unit][0].startswith("count:"):
            return "place_name"  # 801台地块: a counted unit glued to a place word
        to = before.rfind("对")
        if (to >= 0 and not any(v in before[to:] for v in TARGET_VERBS)) or before.endswith(_RECEIVED_WORDS):
            return "object_scope"  # 对辖区内159家企业逐一摸排, 代表提出的31件建议: the scope, or the target?
        if _SOLVES_RE.search(before) and _PROBLEM_END_RE.search(after):
            return "beneficiaries"  # 解决3个村、4200余人饮水不稳定问题
        return None

    def _numeric(self, match, start, end, masked, recurring, later=False) -> None:
        """A number with a unit: count / area / length / rate / growth_rate."""
        match = self._with_header_unit(match, masked)
        q = match.quantity
        span = (start + match.start, start + match.end)
        reason = self._skip_reason(match, masked, recurring, later)
        if reason:
            if REASONS[reason].status == REVIEW and self.past_reason:
                reason = self.past_reason  # a past figure is a result, whatever its unit
            self.ignore(match, start, reason, self.text[start:end])
            return
        before = masked[: match.start]
        if q.unit is None:  # 实现零事故
            self.add(start, end, span[0], span, is_accountable(match), kind="zero_target", value=0.0, unit=None,
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
        if any(v in before for v in TARGET_VERBS):
            confidence += 0.05
        if q.approximate:
            confidence -= 0.05
        self.add(start, end, span[0], span, True, kind=kind, value=value, unit=q.unit, comparator=comparator,
                 approximate=q.approximate, confidence=round(min(confidence, 1.0), 2), raw=q.raw,
                 range_high=q.range_high)

    def _with_header_unit(self, match, masked: str):
        """A bare figure in a table column whose header names its unit (年度计划投资（万元） | 1200)."""
        q = match.quantity
        if q.unit is not None or not self.block.unit_hint or not re.search(r"\d", match.number_text) \
                or re.match(r"\s*[\u4e00-\u9fffA-Za-z%]", masked[match.number_end:]):
            return match
        unit, factor = canonical_unit(self.block.unit_hint)
        quantity = replace(q, value=q.value * factor, unit=unit,
                           range_high=None if q.range_high is None else q.range_high * factor)
        return replace(match, quantity=quantity)

    def _milestone(self, start: int, end: int) -> bool:
        """A milestone (制定《…》, 列出“…清单”, 建立…机制) in a clause without numbers."""
        text = self.text[start:end]
        match = _MILESTONE_RE.search(text)
        if not match or _EVERY_RE.search(text):
            return False
        confidence = 0.6 if _STRONG_MILESTONE_RE.search(match.group()) else 0.5
        self.add(start, end, start + match.start(), None, kind="milestone", value=float("nan"), unit=None,
                 comparator=AT_LEAST, confidence=confidence, raw=match.group(),
                 due_quarter=due_quarter(text))
        return True


