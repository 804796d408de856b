"""reportlib.units: numerals, units, comparators and special phrases."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportlib.errors import InputError
from reportlib.units import (
    AT_LEAST,
    AT_MOST,
    EXACTLY,
    Quantity,
    UnitError,
    canonical_unit,
    convert,
    find_quantities,
    parse_number,
    parse_quantity,
)

# --------------------------------------------------------------------------
# parse_number
# --------------------------------------------------------------------------
NUMBERS = [
    ("0", 0), ("7", 7), ("170", 170), ("1522", 1522),
    ("１２３", 123), ("１２.５", 12.5), ("２０２５", 2025),
    ("1.36", 1.36), ("0.7", 0.7),
    ("1,234", 1234), ("1,234.5", 1234.5), ("12,345,678", 12345678), ("１，２３４", 1234),
    ("8.5万", 85000), ("1.36万", 13600), ("2亿", 200_000_000), ("1.2千万", 12_000_000), ("3百万", 3_000_000),
    ("1亿2000万", 120_000_000),
    ("一", 1), ("两", 2), ("二", 2), ("十", 10), ("十二", 12), ("二十", 20), ("二十五", 25),
    ("一百零三", 103), ("一百", 100), ("一百五", 150), ("一千二百", 1200), ("一千二", 1200),
    ("两千", 2000), ("一千零五", 1005), ("三万五千", 35000), ("三万五", 35000), ("八点五万", 85000),
    ("一亿二千万", 120_000_000), ("十万", 100_000), ("〇", 0), ("零", 0), ("二〇二五", 2025),
    ("壹佰", 100), ("伍", 5),
    ("-3", -3), ("负3", -3), (" 12 ", 12),
]


@pytest.mark.parametrize("text, expected", NUMBERS)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "12abc", "万", "百千", "1.2.3", "十十", None, 12, "一是"])
def test_parse_number_rejects(text):
    assert parse_number(text) is None


def test_decimal_multiplication_is_exact():
    # 1.36 * 10000 in binary floating point is 13600.000000000002
    assert parse_number("1.36万") == 13600.0
    assert parse_quantity("1.36万平方米").value == 13600.0


_CN_DIGITS = "零一二三四五六七八九"


def _to_chinese(n: int) -> str:
    """Reference writer for Chinese numerals below 10^12 (test helper)."""
    if n == 0:
        return "零"

    def section(value: int) -> str:
        out, zero = "", False
        for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = value // unit_value % 10
            if digit:
                if zero and out:
                    out += "零"
                out += _CN_DIGITS[digit] + unit
                zero = False
            else:
                zero = True
        return out

    parts, out = [], ""
    for big_value, big in ((10**8, "亿"), (10**4, "万"), (1, "")):
        parts.append((n // big_value % 10**4 if big_value < 10**8 else n // big_value, big))
    started = False
    for i, (value, big) in enumerate(parts):
        if value:
            if started and value < 1000:
                out += "零"
            out += section(value) + big
            started = True
    return out


@given(st.integers(min_value=0, max_value=999_999_999_999))
@settings(max_examples=200, deadline=None)
def test_chinese_numerals_round_trip(n):
    assert parse_number(_to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
@settings(max_examples=100, deadline=None)
def test_arabic_with_thousands_separators_round_trip(n):
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=10**9))
@settings(max_examples=100, deadline=None)
def test_full_width_digits_round_trip(n):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    assert parse_number(full_width) == n


# --------------------------------------------------------------------------
# canonical units, convert
# --------------------------------------------------------------------------
UNIT_WORDS = ["平方米", "亩", "米", "公里", "元", "家", "个", "处", "支", "盏", "户", "项", "次", "场",
              "套", "名", "人", "期", "条", "座", "所", "件", "轮", "%", "类", "人次"]


@pytest.mark.parametrize("unit", UNIT_WORDS)
def test_canonical_units_are_themselves(unit):
    assert canonical_unit(unit) == (unit, 1.0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("万平方米", ("平方米", 10000.0)), ("万元", ("元", 10000.0)), ("亿元", ("元", 1e8)),
        ("千元", ("元", 1000.0)), ("万亩", ("亩", 10000.0)), ("平米", ("平方米", 1.0)),
        ("㎡", ("平方米", 1.0)), ("千米", ("公里", 1.0)), ("km", ("公里", 1.0)), ("％", ("%", 1.0)),
        ("个百分点", ("百分点", 1.0)), ("万人", ("人", 10000.0)), (" 家 ", ("家", 1.0)),
    ],
)
def test_canonical_unit_prefixes_and_aliases(text, expected):
    assert canonical_unit(text) == expected


@pytest.mark.parametrize("text", ["", "斤斤", "万", "abc", None, "平方"])
def test_unknown_unit_raises_unit_error(text):
    with pytest.raises(UnitError) as info:
        canonical_unit(text)
    assert isinstance(info.value, InputError)
    assert "未知单位" in str(info.value)


@pytest.mark.parametrize(
    "value, source, target, expected",
    [
        (8.5, "万平方米", "平方米", 85000), (85000, "平方米", "万平方米", 8.5), (1, "公里", "米", 1000),
        (2.5, "千米", "米", 2500), (3, "万元", "元", 30000), (2, "亿元", "万元", 20000),
        (1, "亩", "平方米", 2000 / 3), (1, "平方公里", "平方米", 1_000_000), (5, "家", "家", 5),
        (3, "名", "人", 3), (1.5, "小时", "分钟", 90),
    ],
)
def test_convert(value, source, target, expected):
    assert convert(value, source, target) == pytest.approx(expected)


@pytest.mark.parametrize("source, target", [("家", "平方米"), ("家", "个"), ("%", "元"), ("米", "平方米"), ("亩", "公里")])
def test_convert_refuses_incompatible_units(source, target):
    with pytest.raises(UnitError, match="不能换算"):
        convert(1, source, target)


# --------------------------------------------------------------------------
# parse_quantity
# --------------------------------------------------------------------------
@pytest.mark.parametrize("unit", [u for u in UNIT_WORDS if u != "%"])
def test_every_unit_is_read_after_a_number(unit):
    quantity = parse_quantity(f"新增12{unit}")
    assert (quantity.value, quantity.unit) == (12.0, unit)


QUANTITIES = [
    # text, value, unit, comparator, approximate
    ("8.5万平方米", 85000, "平方米", EXACTLY, False),
    ("2亿元", 200_000_000, "元", EXACTLY, False),
    ("1.36万平方米", 13600, "平方米", EXACTLY, False),
    ("投入资金800万元", 8_000_000, "元", EXACTLY, False),
    ("1,234.5平方米", 1234.5, "平方米", EXACTLY, False),
    ("铺设管网1,800米", 1800, "米", EXACTLY, False),
    ("道路3.2公里", 3.2, "公里", EXACTLY, False),
    ("新增绿地20亩", 20, "亩", EXACTLY, False),
    ("一百零三项", 103, "项", EXACTLY, False),
    ("两个", 2, "个", EXACTLY, False),
    ("十二条", 12, "条", EXACTLY, False),
    ("二十五家", 25, "家", EXACTLY, False),
    ("一千二百户", 1200, "户", EXACTLY, False),
    ("１２３家", 123, "家", EXACTLY, False),
    ("〇次", 0, "次", EXACTLY, False),
    # percents
    ("95%", 95, "%", EXACTLY, False),
    ("９５％", 95, "%", EXACTLY, False),
    ("百分之九十五", 95, "%", EXACTLY, False),
    ("百分之95", 95, "%", EXACTLY, False),
    ("初信初访化解率95%以上", 95, "%", AT_LEAST, False),
    ("同比增长8%以上", 8, "%", AT_LEAST, False),
    ("提高2个百分点", 2, "百分点", EXACTLY, False),
    # at least
    ("30支以上", 30, "支", AT_LEAST, False),
    ("30支及以上", 30, "支", AT_LEAST, False),
    ("不少于20家", 20, "家", AT_LEAST, False),
    ("不低于3个", 3, "个", AT_LEAST, False),
    ("至少5场", 5, "场", AT_LEAST, False),
    ("力争新增省级创新型中小企业2家", 2, "家", AT_LEAST, False),
    ("争取认定15家", 15, "家", AT_LEAST, False),
    ("突破100家", 100, "家", AT_LEAST, False),
    ("超过50名", 50, "名", AT_LEAST, False),
    ("工业技改投资增速达到20%以上", 20, "%", AT_LEAST, False),
    ("达到90%", 90, "%", AT_LEAST, False),
    ("2.5万余平方米", 25000, "平方米", AT_LEAST, True),
    ("维护更换路灯500余盏", 500, "盏", AT_LEAST, True),
    ("100多家", 100, "家", AT_LEAST, True),
    ("逾100家", 100, "家", AT_LEAST, True),
    # at most
    ("10分钟内", 10, "分钟", AT_MOST, False),
    ("控制在3%以内", 3, "%", AT_MOST, False),
    ("不超过5%", 5, "%", AT_MOST, False),
    ("5%以下", 5, "%", AT_MOST, False),
    ("不高于2次", 2, "次", AT_MOST, False),
    ("至多3轮", 3, "轮", AT_MOST, False),
    ("15天以内", 15, "天", AT_MOST, False),
    # approximate
    ("约100户", 100, "户", EXACTLY, True),
    ("近50家", 50, "家", EXACTLY, True),
    ("100户左右", 100, "户", EXACTLY, True),
    ("大约3座", 3, "座", EXACTLY, True),
]


@pytest.mark.parametrize("text, value, unit, comparator, approximate", QUANTITIES)
def test_parse_quantity(text, value, unit, comparator, approximate):
    quantity = parse_quantity(text)
    assert quantity is not None
    assert quantity.value == pytest.approx(value)
    assert (quantity.unit, quantity.comparator, quantity.approximate) == (unit, comparator, approximate)


@pytest.mark.parametrize(
    "text, value, unit, comparator",
    [
        ("全覆盖打造便民服务阵地", 100, "%", AT_LEAST),
        ("实施老旧小区改造全覆盖", 100, "%", AT_LEAST),
        ("黑榜物业企业全清零", 0, None, AT_MOST),
        ("存量清零", 0, None, AT_MOST),
        ("实现博山琉璃行业规上企业零的突破", 1, None, AT_LEAST),
    ],
)
def test_special_phrases(text, value, unit, comparator):
    quantity = parse_quantity(text)
    assert (quantity.value, quantity.unit, quantity.comparator) == (value, unit, comparator)


def test_quantity_is_frozen_and_keeps_raw_text():
    quantity = parse_quantity("不少于20家企业")
    assert isinstance(quantity, Quantity)
    assert quantity.raw == "不少于20家"
    with pytest.raises(AttributeError):
        quantity.value = 3  # type: ignore[misc]


def test_number_without_unit_has_unit_none():
    assert parse_quantity("2025年").unit is None


@pytest.mark.parametrize("text", ["", "没有数字", None, "统筹推进"])
def test_no_quantity(text):
    assert parse_quantity(text) is None


def test_not_less_than_is_not_read_as_less_than():
    assert parse_quantity("不少于8个").comparator == AT_LEAST
    assert parse_quantity("少于8个").comparator == AT_MOST
    assert parse_quantity("不超过8个").comparator == AT_MOST


def test_inside_word_after_count_is_not_at_most():
    # 内 belongs to 内容 here, not a limit
    assert parse_quantity("5个内容").comparator == EXACTLY


def test_find_quantities_spans_index_the_original_text():
    text = "新增３个片区、8.5万平方米老旧小区改造,实现全覆盖"
    matches = find_quantities(text)
    assert [m.quantity.value for m in matches] == [3, 85000, 100]
    for match in matches:
        assert text[match.start:match.end] == match.quantity.raw
    assert matches[-1].special == "full_coverage"


def test_find_quantities_span_includes_comparator_words():
    text = "城镇新增就业不少于1200人,约30家企业"
    first, second = find_quantities(text)
    assert text[first.start:first.end] == "不少于1200人" == first.quantity.raw
    assert text[first.number_start:first.number_end] == "1200"
    assert text[second.start:second.end] == "约30家"
    assert (first.number_text, first.unit_text, first.special) == ("1200", "人", "")


def test_formal_numerals_in_words_are_not_numbers():
    # 伍 is a banker's numeral but here it is part of 队伍
    assert find_quantities("整合志愿服务队伍") == []
