"""Quantities as Chinese work plans write them.

``8.5万平方米``, ``2.5万余平方米``, ``30支以上``, ``百分之九十五``, ``９５％``,
``一百零三项``, ``全覆盖``, ``清零``, ``零的突破`` ... become a :class:`Quantity`
with the value multiplied out, the canonical unit (no 万/亿 prefix), a
comparator and an "approximate" flag.

Public API (see docs/data-contracts.md, "reportlib.units"):

* :func:`parse_number` - a bare number: Arabic, Chinese or mixed (``8.5万``).
* :func:`parse_quantity` - the first quantity in a short text, with the
  comparator words around it.
* :func:`find_quantities` - every quantity in a longer text, with its span
  (used by :mod:`reportlib.plan`).
* :func:`canonical_unit` - ``"万平方米" -> ("平方米", 10000.0)``.
* :func:`convert` - between units of one dimension; :class:`UnitError` otherwise.

Numbers are computed with :class:`decimal.Decimal` so that ``1.36万`` is
exactly ``13600.0``.

Comparator rules
----------------
* at least: 以上, 及以上, 不少于, 不低于, 至少, 力争, 争取, 突破, 超过, 达到,
  逾, and 余/多 (``500余盏`` is "500 or a little more").
* at most: 以内, 之内, 以下, 不超过, 不高于, 不多于, 至多, 最多, 控制在, 低于,
  and 内 after a duration (``10分钟内``).
* 全覆盖 is 100 % at least; 清零 is 0 at most; 零的突破 is 1 at least.
* approximate: 约, 大约, 近, 将近, 接近, 左右, 上下, 余, 多, 逾.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from reportlib.errors import InputError

AT_LEAST = "at_least"
AT_MOST = "at_most"
EXACTLY = "exactly"
COMPARATORS = (AT_LEAST, AT_MOST, EXACTLY)


class UnitError(InputError):
    """An unknown unit, or a conversion between units of different dimensions."""


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, read from text."""

    value: float  # multiplied out: 8.5万平方米 -> 85000.0
    unit: str | None  # canonical unit without 万/亿: "平方米", "元", "家", "%", ...
    comparator: str  # "at_least" | "at_most" | "exactly"
    approximate: bool  # 约/余/近/左右 ...
    raw: str  # the text it was read from
    range_high: float | None = None  # 2~3个, 3至5家: the upper bound; value is the lower


@dataclass(frozen=True)
class QuantityMatch:
    """A quantity found inside a longer text; offsets index that text.

    ``start``/``end`` span ``quantity.raw`` (comparator words included);
    ``number_start``/``number_end`` span the digits alone.
    """

    quantity: Quantity
    start: int
    end: int
    number_start: int
    number_end: int
    number_text: str  # the digits as written: "8.5万", "一百零三", "" for 全覆盖 ...
    unit_text: str  # the unit as written: "平方米", "%", "" when none
    special: str  # "" for numbers; "full_coverage" | "clear_to_zero" | "first_one"


# --------------------------------------------------------------------------
# Units: one table. dimension, factor to the dimension's base unit.
# Count words each get their own dimension: 家 and 个 do not convert.
# --------------------------------------------------------------------------
# To add a count unit, add its word to this line; other units get one line in UNITS.
_COUNT_WORDS = (
    "家 个 处 支 盏 户 项 次 场 套 期 届 条 座 所 件 轮 类 张 台 辆 间 批 棵 株 块 人次 户次"
    " 栋 幢 头 羽 只 眼 宗 篇 册 床 艘 架 场次 批次 课时 学时 家次 车次"
    " 部 组 根 口 面 份 本 例 笔 段 层 种 款 枚 具 杆 封 起 台次 件次 个次 班次 架次 辆次 例次"
).split()

UNITS: dict[str, tuple[str, Decimal]] = {
    "平方米": ("area", Decimal(1)),
    "平方公里": ("area", Decimal(1_000_000)),
    "公顷": ("area", Decimal(10_000)),
    "亩": ("area", Decimal(2000) / Decimal(3)),  # 1 亩 = 2000/3 平方米 (exact)
    "米": ("length", Decimal(1)),
    "公里": ("length", Decimal(1000)),
    "元": ("money", Decimal(1)),
    "%": ("percent", Decimal(1)),
    "百分点": ("percentage_point", Decimal(1)),
    "吨": ("mass", Decimal(1000)),
    "公斤": ("mass", Decimal(1)),
    "分钟": ("time", Decimal(60)),
    "小时": ("time", Decimal(3600)),
    "天": ("time", Decimal(86400)),
    "个工作日": ("workday", Decimal(1)),
    "个月": ("month", Decimal(1)),
    "立方米": ("volume", Decimal(1)),
    "微克/立方米": ("concentration", Decimal(1)),  # PM2.5 浓度控制在35微克/立方米以内
    "千瓦": ("power", Decimal(1)),
    "兆瓦": ("power", Decimal(1000)),
    "千瓦时": ("energy", Decimal(1)),
    "美元": ("money:USD", Decimal(1)),  # never converts to 元
    "‰": ("permille", Decimal(1)),
    "分": ("score", Decimal(1)),  # 考核得分95分; only after Arabic digits in running text
    "名": ("person", Decimal(1)),
    "人": ("person", Decimal(1)),
    "位": ("person", Decimal(1)),
    **{word: (f"count:{word}", Decimal(1)) for word in _COUNT_WORDS},
}

# Other spellings of a canonical unit.
UNIT_ALIASES: dict[str, str] = {
    "平米": "平方米",
    "㎡": "平方米",
    "m2": "平方米",
    "m²": "平方米",
    "平方千米": "平方公里",
    "km2": "平方公里",
    "km²": "平方公里",
    "延米": "米",
    "m": "米",
    "千米": "公里",
    "km": "公里",
    "元钱": "元",
    "％": "%",
    "个百分点": "百分点",
    "千克": "公斤",
    "kg": "公斤",
    "日": "天",
    "m3": "立方米",
    "μg/m³": "微克/立方米",
    "μg/m3": "微克/立方米",
    "ug/m3": "微克/立方米",
    "m³": "立方米",
    "kW": "千瓦",
    "kw": "千瓦",
    "度": "千瓦时",
}

# Multiplier prefixes written before a unit (万平方米, 亿元, 千元).
UNIT_PREFIXES: dict[str, Decimal] = {
    "千万": Decimal(10_000_000),
    "百万": Decimal(1_000_000),
    "亿": Decimal(100_000_000),
    "万": Decimal(10_000),
    "千": Decimal(1000),
}

# Units recognised after a number in running text. 日 is left out: "5日" is a
# date far more often than a duration; 度 (kWh) is an angle or a degree too.
# 分 is a score only after Arabic digits (十分重要 is "very important").
_TEXT_UNITS = sorted(
    (u for u in list(UNITS) + list(UNIT_ALIASES) if u not in {"m", "日", "度", "kw"}),
    key=len,
    reverse=True,
)

# --------------------------------------------------------------------------
# Numerals
# --------------------------------------------------------------------------
CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}

_CN_DIGIT_CHARS = "".join(CN_DIGITS)
_CN_ALL_CHARS = _CN_DIGIT_CHARS + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)
# In running text the formal (banker's) numerals are left out: 伍 is in 队伍,
# 陆 in 大陆. parse_number still reads them.
_TEXT_DIGIT_CHARS = "零〇一二两三四五六七八九"
_TEXT_ALL_CHARS = _TEXT_DIGIT_CHARS + "十百千" + "万亿"

# Arabic number, with optional thousands separators and decimals.
_AR_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?|\d+(?:\.\d+)?)"
# Chinese number: starts with a digit or 十; may contain 点 followed by digits.
_CN_NUMBER = rf"(?:[{_TEXT_DIGIT_CHARS}十][{_TEXT_ALL_CHARS}]*(?:点[{_TEXT_DIGIT_CHARS}]+[万亿]?)?)"
_MULTIPLIER = r"(?:千万|百万|万亿|万|亿)"
_MULTIPLIER_VALUES = {"千万": Decimal(10**7), "百万": Decimal(10**6), "万亿": Decimal(10**12), "万": Decimal(10**4),
                      "亿": Decimal(10**8)}

_AT_LEAST_BEFORE = ("不少于", "不低于", "至少", "力争", "争取", "突破", "超过", "超出", "高于", "多于", "达到", "达", "逾")
_AT_MOST_BEFORE = ("不超过", "不高于", "不多于", "至多", "最多", "控制在", "低于", "少于", "压减至", "降至")
_APPROX_BEFORE = ("大约", "约", "将近", "接近", "近", "逾")
_AT_LEAST_AFTER = ("及以上", "以上")
_AT_MOST_AFTER = ("及以下", "以下", "以内", "之内")
_APPROX_AFTER = ("左右", "上下")

# Between the two bounds of a range: 2~3个, 2-3家, 3至5个, 5%-6%.
_RANGE_SEPARATORS = "~～〜\\-—–至到"
_UNIT_ALT = "|".join(re.escape(u) for u in _TEXT_UNITS)
_QUANTITY_RE = re.compile(
    rf"(?P<approx>大约|约|将近|接近|近|逾)?"
    rf"(?:百分之(?P<pct>{_AR_NUMBER}|{_CN_NUMBER})"
    rf"|(?<![\d.])(?P<num>{_AR_NUMBER}\s*{_MULTIPLIER}?|{_CN_NUMBER})"
    rf"(?:%?\s*[{_RANGE_SEPARATORS}]\s*(?P<high>{_AR_NUMBER}\s*{_MULTIPLIER}?|{_CN_NUMBER})"
    rf"(?=\s*(?:余|多)?\s*(?:{_UNIT_ALT})))?"
    rf"(?:(?P<mid>余|多)(?P<mid_multiplier>{_MULTIPLIER})?)?\s*(?P<unit>{_UNIT_ALT})?)"
    rf"(?P<suffix>及以上|以上|及以下|以下|以内|之内|左右|上下|内)?"
)

# Phrases that stand for a number (checked before numerals: 零 is a numeral).
_SPECIAL_RE = re.compile(
    r"(?P<first_one>零的突破|零突破)"
    r"|(?P<clear_to_zero>(?:全|动态|全部)?清零)"
    r"|(?P<full_coverage>全覆盖|全面覆盖|全域覆盖)"
)

_FULLWIDTH_OFFSET = 0xFEE0
# One character for one character (str.translate), so lengths never change.
_FOLD_TABLE = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def fold_width(text: str) -> str:
    """Full-width ASCII (１２３％，．) to ASCII, keeping the text's length.

    Unlike NFKC this never changes the number of characters, so offsets into
    the folded text are offsets into the original.
    """
    return text.translate(_FOLD_TABLE)


def _arabic(text: str) -> Decimal | None:
    """``"1,234.5"`` -> Decimal; None when not an Arabic number."""
    text = text.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text) else text
    if not re.fullmatch(r"\d+(?:\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - guarded by the regex
        return None


def _tokens(section: str) -> list[str] | None:
    """Split a section (no 万/亿) into Arabic runs, digits, 十百千 and 点."""
    tokens = re.findall(rf"\d+(?:\.\d+)?|[{_CN_DIGIT_CHARS}]|[十拾百佰千仟]|点", section)
    return tokens if "".join(tokens) == section else None


def _parse_section(section: str) -> Decimal | None:
    """A number below 10000 written with 千百十 (or a plain digit string)."""
    if section == "":
        return Decimal(0)
    value = _arabic(section)
    if value is not None:
        return value
    tokens = _tokens(section)
    if not tokens:
        return None
    if "点" in tokens:
        index = tokens.index("点")
        whole, frac = tokens[:index], tokens[index + 1 :]
        if not frac or any(t not in CN_DIGITS for t in frac):
            return None
        whole_value = _parse_section("".join(whole)) if whole else Decimal(0)
        if whole_value is None:
            return None
        return whole_value + Decimal("0." + "".join(str(CN_DIGITS[t]) for t in frac))
    if all(t in CN_DIGITS for t in tokens) and len(tokens) > 1:
        # 二〇二五: digits read one by one.
        return Decimal("".join(str(CN_DIGITS[t]) for t in tokens))
    total = Decimal(0)
    current: Decimal | None = None
    last_unit: int | None = None
    zero_after_unit = False
    for token in tokens:
        if token in CN_SMALL_UNITS:
            unit = CN_SMALL_UNITS[token]
            if last_unit is not None and unit >= last_unit:
                return None  # 百千, 十十: not a number
            total += (current if current is not None else Decimal(1)) * unit
            current, last_unit, zero_after_unit = None, unit, False
        elif token in ("零", "〇"):
            if current is not None and current != 0:
                return None  # 三零: not a number
            zero_after_unit, current = True, None
        else:
            digit = Decimal(CN_DIGITS[token]) if token in CN_DIGITS else _arabic(token)
            if digit is None or current is not None:
                return None
            current = digit
    if current is not None:
        if last_unit is not None and last_unit > 10 and not zero_after_unit:
            total += current * last_unit // 10  # 一百五 = 150, 一千二 = 1200
        else:
            total += current
    return total


def _parse_decimal(text: str) -> Decimal | None:
    """Parse a whole number string into a Decimal (handles 亿 and 万)."""
    for big_char, big_value in CN_BIG_UNITS.items():
        if big_char in text:
            head, _, tail = text.partition(big_char)
            head_value = _parse_decimal(head) if head else None
            if head_value is None:
                return None
            if tail and tail in CN_DIGITS and tail not in ("零", "〇"):
                tail_value = Decimal(CN_DIGITS[tail]) * big_value / 10  # 三万五 = 35000
            else:
                tail_value = _parse_decimal(tail) if tail else Decimal(0)
            if tail_value is None or tail_value >= big_value:
                return None
            return head_value * big_value + tail_value
    return _parse_section(text)


def _normalise_number_text(text: str) -> str:
    """Fold width and drop spaces."""
    return fold_width(text).strip().replace(" ", "")


@lru_cache(maxsize=8192)  # a plan repeats its figures; a pure function of its text
def _parse_number_cached(text: str) -> float | None:
    return _parse_number(text)


def parse_number(text) -> float | None:
    """A bare number in Arabic, Chinese or mixed writing, or None (see :func:`_parse_number`)."""
    return _parse_number_cached(text) if isinstance(text, str) else None


def _parse_number(text) -> float | None:
    """A bare number in Arabic, Chinese or mixed writing, or None.

    ``"一百零三"`` -> 103.0, ``"１２"`` -> 12.0, ``"1,234.5"`` -> 1234.5,
    ``"8.5万"`` -> 85000.0, ``"两"`` -> 2.0, ``"二〇二五"`` -> 2025.0,
    ``"-3"``/``"负3"`` -> -3.0. Anything with other characters -> None.
    """
    if not isinstance(text, str):
        return None
    text = _normalise_number_text(text)
    sign = Decimal(1)
    if text[:1] in ("-", "负"):
        sign, text = Decimal(-1), text[1:]
    if not text or not re.fullmatch(rf"[\d.,{_CN_ALL_CHARS}点]+", text):
        return None
    # 千万/百万 after Arabic digits: 1.2千万 = 12000000.
    match = re.fullmatch(rf"({_AR_NUMBER})(千万|百万)", text)
    if match:
        base = _arabic(match.group(1))
        return float(sign * base * UNIT_PREFIXES[match.group(2)]) if base is not None else None
    value = _parse_decimal(text)
    return None if value is None else float(sign * value)


def _strip_unit_prefix(text: str) -> tuple[str, Decimal]:
    """``"万平方米"`` -> ("平方米", 10000); unknown -> (text, 1)."""
    for prefix, factor in UNIT_PREFIXES.items():
        if text.startswith(prefix) and len(text) > len(prefix):
            rest = text[len(prefix) :]
            rest = UNIT_ALIASES.get(rest, rest)
            if rest in UNITS:
                return rest, factor
    return text, Decimal(1)


def _canonical(text: str) -> tuple[str, Decimal]:
    """Canonical unit and multiplier as Decimal; UnitError when unknown."""
    if not isinstance(text, str) or not text.strip():
        raise UnitError("未知单位 (unknown unit)", value=text)
    cleaned = fold_width(text).strip()
    cleaned = UNIT_ALIASES.get(cleaned, cleaned)
    if cleaned in UNITS:
        return cleaned, Decimal(1)
    unit, factor = _strip_unit_prefix(cleaned)
    if unit in UNITS:
        return unit, factor
    raise UnitError("未知单位 (unknown unit)", value=text)


def canonical_unit(text: str) -> tuple[str, float]:
    """``"万平方米"`` -> ("平方米", 10000.0); ``"千米"`` -> ("公里", 1.0).

    Raises :class:`UnitError` for a unit not in :data:`UNITS`.
    """
    unit, factor = _canonical(text)
    return unit, float(factor)


def is_canonical_unit(text) -> bool:
    """True when ``text`` is itself a canonical unit (no prefix, no alias)."""
    return isinstance(text, str) and text in UNITS


def dimension(unit: str) -> str:
    """The dimension of a unit: "area", "length", "percent", "count:家" ..."""
    return UNITS[_canonical(unit)[0]][0]


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``convert(8.5, "万平方米", "平方米")`` -> 85000.0.

    Raises :class:`UnitError` when the units measure different things
    (家 vs 平方米, 家 vs 个).
    """
    from_canonical, from_factor = _canonical(from_unit)
    to_canonical, to_factor = _canonical(to_unit)
    from_dim, from_base = UNITS[from_canonical]
    to_dim, to_base = UNITS[to_canonical]
    if from_dim != to_dim:
        raise UnitError(f"单位不能换算 (incompatible units): {from_unit} → {to_unit}", value=value)
    result = Decimal(str(value)) * from_factor * from_base / (to_factor * to_base)
    return float(result)


# Words before a number, longest first so that 不少于 is not read as 少于.
_BEFORE_WORDS = sorted(
    [(w, AT_LEAST) for w in _AT_LEAST_BEFORE] + [(w, AT_MOST) for w in _AT_MOST_BEFORE],
    key=lambda item: len(item[0]),
    reverse=True,
)
# Clause-level words (not touching the number); one-character words excluded.
_CONTEXT_RE = re.compile("|".join(re.escape(w) for w, _ in _BEFORE_WORDS if len(w) > 1))
_CONTEXT_COMPARATOR = dict(_BEFORE_WORDS)


def _comparator_words(before: str, after: str) -> tuple[str, bool, int]:
    """Comparator, approximate flag and length of the comparator word just before a number.

    ``before`` ends where the number (or its 约/近 prefix) starts; ``after`` is
    the suffix word (以上, 以内, 左右 ...).
    """
    comparator, approximate, word_length = EXACTLY, False, 0
    if after.startswith(_AT_LEAST_AFTER):
        comparator = AT_LEAST
    elif after.startswith(_AT_MOST_AFTER):
        comparator = AT_MOST
    elif after.startswith(_APPROX_AFTER):
        approximate = True
    for word in sorted(_APPROX_BEFORE, key=len, reverse=True):
        if before.endswith(word):
            approximate = True
            before = before[: -len(word)]
            break
    for word, word_comparator in _BEFORE_WORDS:
        if before.endswith(word):
            word_length = len(word)
            if comparator == EXACTLY:
                comparator = word_comparator
            break
    return comparator, approximate, word_length


def comparator_in_context(before: str) -> str | None:
    """The comparator a word anywhere in ``before`` implies (力争..., 不超过...), or None.

    Used for clause-level words that do not touch the number:
    ``力争新增省级创新型中小企业2家``. The word nearest the number wins.
    """
    matches = list(_CONTEXT_RE.finditer(before))
    return _CONTEXT_COMPARATOR[matches[-1].group()] if matches else None


def _special_quantity(kind: str, raw: str) -> Quantity:
    """The quantity a phrase like 全覆盖 stands for."""
    if kind == "full_coverage":
        return Quantity(100.0, "%", AT_LEAST, False, raw)
    if kind == "clear_to_zero":
        return Quantity(0.0, None, AT_MOST, False, raw)
    return Quantity(1.0, None, AT_LEAST, False, raw)  # first_one: 零的突破


def find_quantities(text: str) -> list[QuantityMatch]:
    """Every quantity in ``text``, left to right, with spans into ``text``.

    Special phrases (全覆盖, 清零, 零的突破) are reported too. Numbers without
    a unit are reported with ``unit=None``: the caller decides what they are.
    """
    if not isinstance(text, str) or not text:
        return []
    folded = fold_width(text)
    found: list[QuantityMatch] = []
    covered = [False] * len(folded)
    for match in _SPECIAL_RE.finditer(folded):
        start, end = match.span()
        quantity = _special_quantity(match.lastgroup, text[start:end])
        found.append(QuantityMatch(quantity, start, end, start, end, "", "", match.lastgroup))
        covered[start:end] = [True] * (end - start)
    for match in _QUANTITY_RE.finditer(folded):
        group = "pct" if match.group("pct") else "num"
        if not match.group(group):
            continue
        number_start = match.start(group) - (3 if group == "pct" else 0)  # 百分之
        if any(covered[number_start : match.end()]):
            continue
        found_match = _quantity_from_match(match, folded, text)
        if found_match is not None:
            found.append(found_match)
    found.sort(key=lambda m: m.start)
    return found


# Units read only after Arabic digits: 十分 is "very", 一起 "together", 一面 "one side", 一口气 "at once",
# 这一根本 "this root"; written in Chinese numerals these words are seldom a count.
_ARABIC_ONLY_UNITS = ("分", "起", "面", "口", "层", "种", "本", "部", "组", "根", "段", "款", "具", "杆", "枚", "封", "笔", "例", "份")


def _range_bounds(low_text: str, high_text: str | None) -> tuple[float | None, float | None]:
    """Lower and upper bound of ``2~3`` / ``2-3万``; the upper is None when not a range.

    A multiplier written only on the upper bound applies to both (2-3万 = 2万-3万).
    """
    low = parse_number(low_text.replace(" ", ""))
    if not high_text:
        return low, None
    high_text = high_text.replace(" ", "")
    multiplier = re.search(rf"{_MULTIPLIER}$", high_text)
    if multiplier and not re.search(rf"{_MULTIPLIER}$", low_text) and re.fullmatch(_AR_NUMBER, low_text.strip()):
        low = parse_number(low_text.strip() + multiplier.group())
    high = parse_number(high_text)
    if low is None or high is None or high <= low:
        return low, None
    return low, high


def _quantity_from_match(match: re.Match, folded: str, original: str) -> QuantityMatch | None:
    """Build a QuantityMatch from one regex match of :data:`_QUANTITY_RE`."""
    group = "pct" if match.group("pct") else "num"
    value, high = _range_bounds(match.group(group), match.group("high") if group == "num" else None)
    if value is None:
        return None
    unit_text = "%" if group == "pct" else match.group("unit")
    if unit_text in _ARABIC_ONLY_UNITS and not re.fullmatch(r"[\d.,]+", match.group(group)):
        return None  # 十分重要: not a score
    unit, factor = (None, Decimal(1))
    if unit_text:
        unit, factor = _canonical(unit_text)
    if match.group("mid_multiplier"):  # 1200余万元: the multiplier after 余 still counts
        factor *= _MULTIPLIER_VALUES[match.group("mid_multiplier")]
    suffix = match.group("suffix") or ""
    if suffix == "内" and (unit is None or UNITS[unit][0] not in ("time", "workday", "month")):
        suffix = ""  # "5个内容": 内 belongs to the next word
    end = match.end() - (len(match.group("suffix") or "") - len(suffix))
    approx_word = match.group("approx") or ""
    before = folded[max(0, match.start() - 6) : match.start()] + approx_word
    comparator, approximate, word_length = _comparator_words(before, suffix)
    if suffix == "内":
        comparator = AT_MOST
    if match.group("mid"):  # 500余盏, 100多家
        approximate = True
        if comparator == EXACTLY:
            comparator = AT_LEAST
    if approx_word == "逾" and comparator == EXACTLY:
        comparator = AT_LEAST
    start = max(0, match.start() - word_length)
    range_high = None
    if high is not None:
        range_high = float(Decimal(str(high)) * factor)
        if comparator == EXACTLY:
            comparator = AT_LEAST  # a range promises at least its lower bound
    quantity = Quantity(float(Decimal(str(value)) * factor), unit, comparator, approximate, original[start:end], range_high)
    number_start = match.start(group) - (3 if group == "pct" else 0)
    number_end = match.end("high") if match.group("high") else match.end(group)
    number_text = folded[match.start(group) : number_end]
    return QuantityMatch(
        quantity, start, end, number_start, number_end, number_text, unit_text or "", ""
    )


def parse_quantity(text) -> Quantity | None:
    """The first quantity in a short text, with the comparator words around it.

    ``"8.5万平方米"`` -> Quantity(85000.0, "平方米", "exactly", False, ...);
    ``"力争新增2家"`` -> at_least; ``"2.5万余平方米"`` -> at_least, approximate;
    ``"百分之九十五"`` -> 95 %; ``"全覆盖"`` -> 100 % at_least; ``"清零"`` -> 0 at_most.
    A number without a unit gives ``unit=None``. No number at all -> None.
    """
    matches = find_quantities(text) if isinstance(text, str) else []
    if not matches:
        return None
    first = matches[0]
    quantity = first.quantity
    if quantity.comparator == EXACTLY and not first.special:
        context = comparator_in_context(fold_width(text[: first.start]))
        if context:
            quantity = Quantity(quantity.value, quantity.unit, context, quantity.approximate, quantity.raw)
    return quantity
