"""reportlib.plan: extraction from work-plan documents, the plan file, drift, CLI."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportlib import cli, workspace
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK, InputError
from reportlib.plan import (
    CANDIDATE_COLUMNS,
    KINDS,
    KPI_COLUMNS,
    KPI_KEYS,
    Plan,
    check_drift,
    draft_plan,
    dump_plan_yaml,
    extract,
    extract_file,
    format_plan_tree,
    load_plan,
    validate_plan,
)

SEED = workspace.current().plan_dir(2025) / "000_01bc2443607d363b.txt"
FIXTURES = Path(__file__).parent / "fixtures" / "plan"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text):
    return extract(seed_text)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan()


# --------------------------------------------------------------------------
# Seed document: structure
# --------------------------------------------------------------------------
PILLAR_TITLES = [
    "聚力做好党建文章,推动高质量党建突破攀升",
    "聚力增强产业质效,加快绿色低碳高质量发展",
    "聚力提升城市品质,增强城市美誉度吸引力",
    "聚力保障和改善民生,提升高品质生活成色",
    "聚力统筹发展和安全,巩固高质量发展环境",
]
TASK_TITLES = [
    ("1.1", "抓好基层党建,提升服务水平"),
    ("1.2", "抓好文明实践,推进文明集聚"),
    ("1.3", "抓好廉政建设,从严正风肃纪"),
    ("2.1", "推动重大项目扩容提质"),
    ("2.2", "深耕企业质效提升"),
    ("2.3", "开展全产业链招商攻坚"),
    ("2.4", "推动“一村一业”加快发展"),
    ("2.5", "持续加快文旅融合步伐"),
    ("3.1", "推动城市更新提质"),
    ("3.2", "提升城市宜居水平"),
    ("3.3", "探索物业长效管理"),
    ("4.1", "高质量办好民生实事"),
    ("4.2", "提升热线服务效能"),
    ("4.3", "提升公共服务效能"),
    ("5.1", "筑牢基层平安建设防线"),
    ("5.2", "提升基层社会治理效能"),
    ("5.3", "守牢环保安全工作底线"),
]


def test_seed_pillars(seed):
    assert seed.pillars["pillar"].tolist() == [1, 2, 3, 4, 5]
    assert seed.pillars["title"].tolist() == PILLAR_TITLES


def test_seed_tasks(seed):
    assert list(zip(seed.tasks["task"], seed.tasks["title"])) == TASK_TITLES
    assert seed.tasks["pillar"].tolist() == [1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]


def test_seed_subitems(seed):
    first = seed.subitems[seed.subitems["task"] == "1.1"]
    assert first["title"].tolist() == ["提升村级规范化建设", "实施“城东合伙人”优化提质工程", "推进睦邻社区建设"]
    assert first["subitem"].tolist() == [1, 2, 3]
    assert seed.subitems[seed.subitems["task"] == "2.2"]["subitem"].tolist() == [1, 2, 3, 4]
    assert len(seed.subitems) == 32


def test_seed_header_table_is_metadata_not_text(seed):
    assert seed.problems == []
    assert seed.title == "城东街道2025年工作谋划"
    assert seed.meta["发文日期"] == "2025-02-11"
    assert not seed.ignored["raw"].astype(str).str.contains("5506661").any()


def test_candidate_columns(seed):
    assert list(seed.candidates.columns) == CANDIDATE_COLUMNS
    assert set(seed.candidates["kind"]) <= set(KINDS)
    assert seed.candidates["confidence"].between(0, 1).all()
    assert seed.candidates["task"].str.fullmatch(r"[1-5]\.\d").all()


# --------------------------------------------------------------------------
# Seed document: targets
# --------------------------------------------------------------------------
L, M = "at_least", "at_most"
EXPECTED_TARGETS = [  # (task, value, unit, comparator): every numeric target of the document
    ("1.1", 170, "家", L), ("1.1", 85, "家", L), ("1.1", 10, "类", L), ("1.1", 10, "处", L),
    ("1.1", 100, "%", L),  # 全覆盖打造便民服务阵地
    ("1.2", 6, "个", L), ("1.2", 30, "支", L), ("1.2", 11, "个", L), ("1.2", 17, "个", L),
    ("2.1", 1, "个", L), ("2.1", 1, "个", L), ("2.1", 12, "个", L),
    ("2.2", 2, "家", L), ("2.2", 1, "家", L), ("2.2", 8, "%", L), ("2.2", 20, "%", L),
    ("2.2", 15, "家", L), ("2.2", 1, "家", L), ("2.2", 20, "%", L), ("2.2", 6, "家", L),
    ("2.5", 1, "家", L),  # 零的突破
    ("3.1", 100, "%", L), ("3.1", 3, "个", L), ("3.1", 85000, "平方米", L), ("3.1", 100, "户", L),
    ("3.1", 7000, "平方米", L), ("3.1", 13600, "平方米", L), ("3.1", 25000, "平方米", L), ("3.1", 10000, "平方米", L),
    ("3.2", 15000, "平方米", L), ("3.2", 30000, "平方米", L), ("3.2", 500, "盏", L), ("3.2", 12000, "平方米", L),
    ("3.3", 46, "个", L), ("3.3", 0, "家", M), ("3.3", 10, "个", L), ("3.3", 5, "个", L),
    ("4.1", 103, "项", L), ("4.1", 4, "次", L),
    ("4.3", 2000, "平方米", L), ("4.3", 3, "处", L), ("4.3", 1, "处", L), ("4.3", 100, "套", L),
    ("4.3", 4, "场", L), ("4.3", 300, "场", L), ("4.3", 17, "个", L),
    ("5.1", 95, "%", L), ("5.1", 100, "%", L), ("5.1", 90, "%", L),
    ("5.3", 12, "个", L), ("5.3", 12, "个", L),
]
EXPECTED_KINDS = {  # (task, value, unit) -> kind, where the kind is the point
    ("2.2", 8, "%"): "growth_rate", ("2.2", 20, "%"): "growth_rate", ("5.1", 95, "%"): "rate",
    ("3.3", 0, "家"): "zero_target", ("3.1", 85000, "平方米"): "area", ("2.5", 1, "家"): "count",
    ("1.1", 100, "%"): "rate",
}
EXPECTED_RECURRING = [  # (task, period, value, unit)
    ("1.1", "quarter", 1, "次"), ("1.1", "quarter", 1, "次"), ("1.3", "quarter", 1, "次"),
    ("2.1", "week", 1, "次"), ("3.2", "week", 1, "次"), ("3.2", "month", 1, "次"),
    ("3.2", "month", 1, "次"), ("3.2", "month", 1, "次"), ("4.2", "month", 1, "次"),
    ("5.2", "month", 1, "次"), ("5.3", "quarter", 1, "次"), ("5.3", "year", 1, "次"),
    ("5.3", "month", 1, "次"), ("5.3", "quarter", 1, "轮"),
]


def _numeric(candidates: pd.DataFrame) -> pd.DataFrame:
    return candidates[~candidates["kind"].isin(["recurring", "milestone"])]


def _matched(expected, rows) -> list:
    """Expected items found among rows (each row used once)."""
    pool, hits = list(rows), []
    for item in expected:
        if item in pool:
            pool.remove(item)
            hits.append(item)
    return hits


def test_numeric_targets_extracted(seed):
    rows = [(r.task, r.value, r.unit, r.comparator) for r in _numeric(seed.candidates).itertuples()]
    hits = _matched(EXPECTED_TARGETS, rows)
    assert len(EXPECTED_TARGETS) == 51
    assert len(hits) / len(EXPECTED_TARGETS) >= 0.95, sorted(set(EXPECTED_TARGETS) - set(hits))
    # and nothing numeric beyond the expected list
    assert len(rows) == len(EXPECTED_TARGETS)


def test_target_kinds(seed):
    numeric = _numeric(seed.candidates)
    for (task, value, unit), kind in EXPECTED_KINDS.items():
        rows = numeric[(numeric.task == task) & (numeric.value == value) & (numeric.unit == unit)]
        assert kind in set(rows["kind"]), (task, value, unit)


def test_recurring_targets(seed):
    recurring = seed.candidates[seed.candidates["kind"] == "recurring"]
    rows = [(r.task, r.period, r.value, r.unit) for r in recurring.itertuples()]
    assert sorted(rows) == sorted(EXPECTED_RECURRING)
    check = recurring[recurring["source_text"] == "每季度完成一轮全覆盖检查闭环"]
    assert check[["value", "unit", "period"]].values.tolist() == [[1.0, "轮", "quarter"]]


def test_milestones(seed):
    milestones = seed.candidates[seed.candidates["kind"] == "milestone"]
    sources = set(milestones["source_text"])
    assert "梳理制定《城东街道村级规范化手册》" in sources
    assert "列出2025年“问题攻坚清单”" in sources
    assert milestones["value"].isna().all()


def test_zero_and_first_one(seed):
    c = seed.candidates
    zero = c[c["source_text"] == "实现辖区范围内黑榜物业企业全清零"].iloc[0]
    assert (zero.kind, zero.value, zero.unit, zero.comparator) == ("zero_target", 0, "家", "at_most")
    first = c[c["source_text"] == "实现博山琉璃行业规上企业零的突破"].iloc[0]
    assert (first.kind, first.value, first.comparator) == ("count", 1, "at_least")


def test_growth_and_rate(seed):
    c = seed.candidates
    growth = c[c["source_text"] == "争取全年规上工业总产值同比增长8%以上"].iloc[0]
    assert (growth.kind, growth.value, growth.unit, growth.comparator) == ("growth_rate", 8, "%", "at_least")
    rate = c[c["source_text"] == "实现初信初访化解率95%以上"].iloc[0]
    assert (rate.kind, rate.value, rate.unit, rate.comparator) == ("rate", 95, "%", "at_least")


def test_source_text_is_the_verbatim_clause(seed, seed_text):
    for source in seed.candidates["source_text"]:
        assert source in seed_text
        assert not re.search(r"[,，;；。]", source.replace("”", "")) or "“" in source
    row = seed.candidates[(seed.candidates.value == 170)].iloc[0]
    assert row.source_text == "拟新发展第4期“城东合伙人”170家、调整85家"


# Numbers that are context, names, ordinals or slogans: never candidates.
CONTEXT_NUMBERS = [  # (text that must not be a candidate's source/raw, value)
    ("2025", 2025), ("第4期", 4), ("17项具体工作", 17), ("五个聚力", 5), ("三大提升", 3),
    ("原有119支", 119), ("1522名", 1522), ("12349共享文化坊", 12349), ("1+24+365", 1),
    ("1+24+365", 24), ("1+24+365", 365), ("2+3+N", 2), ("2+3+N", 3), ("十条禁令", 10),
    ("七个一", 7), ("四议两公开", 4), ("一网三联", 3), ("10分钟内", 10), ("105亩", 105),
    ("159家", 159), ("107个", 107), ("8个村居应急救援站点", 8), ("第二届", 2), ("二期", 2),
    ("7天", 7), ("四个一", 4), ("五个一", 5), ("三八", 38), ("一盘棋", 1),
]


@pytest.mark.parametrize("text, value", CONTEXT_NUMBERS)
def test_context_numbers_are_not_candidates(seed, text, value):
    c = seed.candidates
    wrong = c[(c["value"] == value) & (c["source_text"].str.contains(text, regex=False) | c["raw"].str.contains(text, regex=False))]
    assert wrong.empty, wrong[["task", "value", "unit", "source_text"]].to_dict("records")


def test_context_values_never_appear(seed):
    assert not seed.candidates["value"].isin([2025, 119, 1522, 12349, 105, 159, 107, 365, 24]).any()
    assert not (seed.candidates["unit"] == "分钟").any()
    assert not (seed.candidates["unit"] == "天").any()


@pytest.mark.parametrize(
    "raw, reason",
    [("119支", "context_stock"), ("1522名", "context_stock"), ("105亩", "context_stock"), ("159家", "object_scope"),
     ("107个", "context_stock"), ("8个", "context_stock"), ("10分钟内", "duration"), ("4期", "ordinal"),
     ("二届", "ordinal"), ("二期", "ordinal"), ("12349", "name_or_code"), ("2025", "year_or_date"),
     ("17项", "describes_plan")],
)
def test_ignored_numbers_have_reasons(seed, raw, reason):
    """Context has its reason; what the extractor cannot decide (对…159家) is to review."""
    numbers = seed.numbers
    reasons = set(numbers.loc[numbers["raw"] == raw, "reason"])
    assert reason in reasons


# --------------------------------------------------------------------------
# Other documents of the genre
# --------------------------------------------------------------------------
def test_other_document(tmp_path):
    extraction = extract_file(FIXTURES / "xiguan_2024.txt")
    assert extraction.problems == []
    assert extraction.title == "西关街道2024年重点工作安排"
    assert extraction.pillars["title"].tolist() == ["聚焦产业升级,培育发展新动能", "聚焦城市更新,提升宜居品质", "聚焦民生保障,增进群众福祉"]
    assert extraction.tasks["title"].tolist() == ["扩大有效投资", "壮大市场主体", "完善基础设施", "改善人居环境", "办好民生实事", "提升公共服务"]
    rows = {(r.task, r.kind, r.value, r.unit, r.comparator, r.period) for r in extraction.candidates.itertuples()}
    expected = {
        ("1.1", "count", 230_000_000, "元", L, "year"),
        ("1.1", "growth_rate", 12, "%", L, "year"),
        ("1.1", "count", 8, "个", L, "year"),
        ("1.1", "count", 3, "个", L, "year"),
        ("1.1", "area", 45000, "平方米", L, "year"),
        ("1.2", "count", 600, "户", L, "year"),
        ("1.2", "count", 3, "家", L, "year"),
        ("1.2", "count", 5, "家", L, "year"),
        ("1.2", "recurring", 1, "次", L, "half_year"),
        ("2.1", "length", 3.2, "公里", L, "year"),
        ("2.1", "length", 1800, "米", L, "year"),
        ("2.1", "count", 200, "个", L, "year"),
        ("2.1", "count", 12, "条", L, "year"),
        ("2.1", "rate", 95, "%", L, "year"),
        ("2.2", "rate", 100, "%", L, "year"),
        ("2.2", "recurring", 1, "次", L, "week"),
        ("2.2", "area", 20, "亩", L, "year"),
        ("3.1", "count", 8_000_000, "元", L, "year"),
        ("3.1", "count", 1200, "人", L, "year"),
        ("3.1", "rate", 3, "%", M, "year"),
        ("3.2", "count", 40, "期", L, "year"),
        ("3.2", "count", 20000, "人次", L, "year"),
        ("3.2", "count", 2, "处", L, "year"),
    }
    assert expected <= rows
    zero = extraction.candidates[extraction.candidates["kind"] == "zero_target"]
    assert zero["source_text"].tolist() == ["违法建设存量清零"]
    assert len(extraction.candidates) == len(expected) + 1
    # context: existing 3 处, 15天以内 (a duration), the year, 6项重点工作 (the plan itself)
    assert not extraction.candidates["value"].isin([2024, 15, 6]).any()
    assert ("3处", "context_stock") in set(zip(extraction.ignored["raw"], extraction.ignored["reason"]))
    # the page number "- 2 -" between two lines is dropped; the wrapped line joins its task
    assert "实施背街小巷整治十二条" in set(extraction.candidates["source_text"])


COMMA_STYLE = """关于2023年重点工作的安排
一、坚持创新驱动,做强实体经济
1.培育创新主体。新增国家高新技术企业十家,研发投入同比增长15%。
2.优化营商环境。每月召开一次政企恳谈会;企业开办时间压缩至1个工作日以内。
二、坚持民生优先,共享发展成果
1.稳定就业。新增城镇就业2000人以上。
"""


def test_comma_style_headings():
    extraction = extract(COMMA_STYLE)
    assert extraction.pillars["title"].tolist() == ["坚持创新驱动,做强实体经济", "坚持民生优先,共享发展成果"]
    assert extraction.tasks["task"].tolist() == ["1.1", "1.2", "2.1"]
    rows = {(r.task, r.kind, r.value, r.unit, r.period) for r in extraction.candidates.itertuples()}
    assert rows == {
        ("1.1", "count", 10, "家", "year"),
        ("1.1", "growth_rate", 15, "%", "year"),
        ("1.2", "recurring", 1, "次", "month"),
        ("2.1", "count", 2000, "人", "year"),
    }


@pytest.mark.parametrize(
    "sentence, quarter",
    [("6月底前制定《实施方案》", 2), ("上半年建立工作机制", 2), ("三季度列出问题清单", 3), ("编制年度规划", None)],
)
def test_milestone_due_quarter(sentence, quarter):
    extraction = extract(f"(一)甲\n1.乙。{sentence}。")
    milestone = extraction.candidates[extraction.candidates["kind"] == "milestone"].iloc[0]
    assert (None if pd.isna(milestone.due_quarter) else milestone.due_quarter) == quarter


def test_task_title_is_not_a_milestone():
    extraction = extract("(一)甲\n1.建立机制。新建项目3个。")
    assert extraction.candidates["kind"].tolist() == ["count"]


def test_decline_is_a_negative_growth_rate():
    extraction = extract("(一)节能降耗\n1.降低能耗。单位产值能耗同比下降5%以上,空气优良率提高到80%。")
    rows = {(r.kind, r.value, r.comparator) for r in extraction.candidates.itertuples()}
    assert rows == {("growth_rate", -5, "at_most"), ("rate", 80, "at_least")}


def test_flattened_document_still_parses(seed_text):
    flat = extract(seed_text.replace("\n", ""))
    assert flat.tasks["title"].tolist() == [t for _, t in TASK_TITLES]
    assert len(flat.candidates) == len(extract(seed_text).candidates)
    assert any("标题过长" in p for p in flat.problems)


def test_page_numbers_and_stuck_header(seed_text):
    lines = seed_text.split("\n")
    lines.insert(8, "3")
    lines.insert(12, "- 4 -")
    lines.insert(15, "第5页")
    lines.insert(20, "6/12")
    extraction = extract("\n".join(lines))
    assert extraction.problems == []
    assert extraction.tasks["title"].tolist() == [t for _, t in TASK_TITLES]
    assert len(extraction.candidates) == len(extract(seed_text).candidates)


# --------------------------------------------------------------------------
# Odd input never crashes
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, problem",
    [
        ("", "empty"),
        ("  \n\n\u3000\n", "empty"),
        ("标题: | 只有表头 | ||\n---|---|---|---|\n", "empty"),
        ("今年新建3个公园,完成道路改造5公里。", "no pillar headings"),
        ("(一)只有篇章\n没有编号任务的正文,新建3个公园。", "pillar without tasks"),
        ("(一)甲\n1.乙。\n3.丙。新增5家。", "task numbering"),
        ("(一)甲\n1.乙。\n(三)丙\n1.丁。", "pillar numbering"),
        ("“未闭合的引号 1.2.3. ((( 新建3个", "no pillar headings"),
        ("\x00\x01\x02", "no pillar headings"),
        (None, "not text"),
    ],
)
def test_odd_input_reports_problems(text, problem):
    extraction = extract(text)
    assert any(problem in p for p in extraction.problems), extraction.problems
    assert list(extraction.candidates.columns) == CANDIDATE_COLUMNS


def test_document_without_headings_is_scanned_whole():
    extraction = extract("今年新建3个公园,完成道路改造5公里。")
    assert extraction.candidates[["value", "unit"]].values.tolist() == [[3.0, "个"], [5.0, "公里"]]
    assert set(extraction.candidates["pillar"]) == {0}


@given(st.text(alphabet=st.sampled_from(list("(一)二三1.2.、。,;“”《》%万亿元家个以上以内每月季度全覆盖清零零的突破第年\n 0123456789聚力|:")), max_size=300))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_extract_never_raises(text):
    extraction = extract(text)
    assert isinstance(extraction.problems, list)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_extract_file_encodings(tmp_path, seed_text, encoding):
    path = tmp_path / f"plan-{encoding}.txt"
    path.write_bytes(seed_text.encode(encoding))
    extraction = extract_file(path)
    assert extraction.pillars["title"].tolist() == PILLAR_TITLES
    assert len(extraction.tasks) == 17


def test_extract_file_undecodable_bytes(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 20)
    extraction = extract_file(path)  # must not raise
    assert extraction.problems


def test_extract_file_missing_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="无法读取文档"):
        extract_file(tmp_path / "missing.txt")


# --------------------------------------------------------------------------
# The committed plan file
# --------------------------------------------------------------------------
def test_committed_plan_loads(plan):
    assert plan.year == 2025
    assert plan.title == "城东街道2025年工作谋划"
    assert list(plan.kpis.columns) == KPI_COLUMNS
    assert plan.pillars["title"].tolist() == PILLAR_TITLES
    assert list(zip(plan.tasks["task"], plan.tasks["title"])) == TASK_TITLES
    assert plan.source_path == workspace.current().plan_dir(2025) / "000_01bc2443607d363b.txt"
    assert re.fullmatch(r"[0-9a-f]{64}", plan.sha256)
    assert plan.kpis["kpi_id"].is_unique
    assert plan.kpis["kpi_id"].str.fullmatch(r"K[1-5]\.\d\.\d{2}").all()


def test_committed_plan_passes_check(plan):
    assert validate_plan() == []
    assert validate_plan(plan) == []
    assert check_drift(plan, SEED.read_text(encoding="utf-8")) == []


def test_committed_plan_content(plan):
    kpis = plan.kpis
    assert len(kpis) >= 80
    assert set(kpis["kind"]) == set(KINDS) - {"length"}  # the document has no length target
    by_kind = kpis["kind"].value_counts().to_dict()
    assert by_kind["milestone"] >= 10 and by_kind["recurring"] == 14 and by_kind["zero_target"] == 1
    # every task has at least one KPI
    assert set(kpis["task"]) == {t for t, _ in TASK_TITLES}
    # the two distinct "17个村(社区)" KPIs
    seventeen = kpis[(kpis["target"] == 17) & (kpis["unit"] == "个")]
    assert sorted(seventeen["task"]) == ["1.2", "4.3"]
    assert seventeen["source_text"].nunique() == 2
    # the contract's example KPI
    example = kpis[kpis["kpi_id"] == "K1.1.03"].iloc[0]
    assert (example.target, example.unit, example.comparator, example.schedule) == (170, "家", "at_least", (40.0, 85.0, 130.0, 170.0))
    assert kpis["owner"].str.len().gt(0).all()
    milestone = kpis[kpis["kind"] == "milestone"]
    assert milestone["target"].isna().all()
    assert kpis.loc[kpis["kind"] != "milestone", "target"].notna().all()
    assert all(q is None or q in (1, 2, 3, 4) for q in kpis["due_quarter"])
    assert all(s is None or isinstance(s, tuple) for s in kpis["schedule"])


def test_committed_plan_is_human_editable():
    text = workspace.current().plan_file(2025).read_text(encoding="utf-8")
    assert "pending confirmation" in text.lower()
    assert "\\u" not in text  # allow_unicode
    assert not re.search(r":\s*[&*]\w", text)  # no anchors or aliases
    blocks = re.split(r"\n(?=  - id: )", text.split("\nkpis:\n", 1)[1].split("\nnot_targets:\n", 1)[0])
    kpi_blocks = [b for b in blocks if b.strip()]
    assert len(kpi_blocks) == len(load_plan().kpis)
    for block in kpi_blocks:
        keys = re.findall(r"^(?:  - |    )(\w+):", block, flags=re.M)
        assert keys == KPI_KEYS


def test_committed_plan_covers_every_candidate(plan, seed):
    # check_drift's coverage rule, spelled out: each numeric candidate has a KPI with its value and unit
    kpis = plan.kpis
    for cand in _numeric(seed.candidates).itertuples():
        same = kpis[(kpis["task"] == cand.task) & (kpis["target"] == cand.value)]
        assert not same.empty, cand


# --------------------------------------------------------------------------
# Validation errors, one small bad plan each
# --------------------------------------------------------------------------
SMALL_DOC = """(一)聚力发展经济,推动高质量发展
1.扩大投资。新建项目12个,完成投资2亿元。
2.建立机制。每月开展一次调度,制定《投资手册》。
"""


def _small_plan() -> dict:
    """A valid plan for SMALL_DOC."""
    def kpi(kid, task, name, kind, target, unit, period, source, **extra):
        data = {"id": kid, "pillar": 1, "task": task, "name": name, "kind": kind, "target": target,
                "unit": unit, "comparator": "at_least", "period": period, "schedule": None,
                "due_quarter": None, "owner": "经济发展办", "source_text": source}
        data.update(extra)
        return data

    return {
        "organization": "测试街道", "year": 2025, "title": "测试计划", "source": "doc.txt",
        "pillars": [{"pillar": 1, "title": "聚力发展经济,推动高质量发展",
                     "tasks": [{"task": "1.1", "title": "扩大投资"}, {"task": "1.2", "title": "建立机制"}]}],
        "kpis": [
            kpi("K1.1.01", "1.1", "新建项目", "count", 12, "个", "year", "新建项目12个", schedule=[3, 6, 9, 12]),
            kpi("K1.1.02", "1.1", "完成投资", "count", 200000000, "元", "year", "完成投资2亿元"),
            kpi("K1.2.01", "1.2", "每月调度", "recurring", 1, "次", "month", "每月开展一次调度"),
            kpi("K1.2.02", "1.2", "制定《投资手册》", "milestone", None, None, "year", "制定《投资手册》", due_quarter=2),
        ],
    }


def _write(tmp_path, data: dict, doc: str = SMALL_DOC) -> Path:
    (tmp_path / "doc.txt").write_text(doc, encoding="utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan_yaml(data), encoding="utf-8")
    return path


def test_small_plan_is_valid(tmp_path):
    path = _write(tmp_path, _small_plan())
    assert validate_plan(path) == []
    plan = load_plan(path, validate=True)
    assert check_drift(plan, SMALL_DOC) == []
    assert plan.kpis["due_quarter"].tolist() == [None, None, None, 2]
    assert plan.kpis["schedule"].tolist()[0] == (3.0, 6.0, 9.0, 12.0)


def _edit(data, index, **changes):
    data["kpis"][index].update(changes)
    return data


BAD_PLANS = [
    ("duplicate id", lambda d: _edit(d, 1, id="K1.1.01"), "duplicate KPI id"),
    ("unknown kind", lambda d: _edit(d, 0, kind="amount"), "unknown kind"),
    ("unknown unit", lambda d: _edit(d, 0, unit="斤斤"), "unknown unit"),
    ("non-canonical unit", lambda d: _edit(d, 1, unit="万元", target=20000), "canonical"),
    ("kind/unit mismatch", lambda d: _edit(d, 0, kind="area"), "kind/unit mismatch"),
    ("no target", lambda d: _edit(d, 0, target=None, schedule=None), "needs a target"),
    ("milestone target", lambda d: _edit(d, 3, target=1), "milestone target must be null"),
    ("schedule length", lambda d: _edit(d, 0, schedule=[6, 12]), "4 quarterly values"),
    ("schedule decreases", lambda d: _edit(d, 0, schedule=[3, 8, 6, 12]), "decreases"),
    ("schedule last", lambda d: _edit(d, 0, schedule=[3, 6, 9, 11]), "must equal target"),
    ("schedule text", lambda d: _edit(d, 0, schedule=["Q1", 6, 9, 12]), "list of 4 numbers"),
    ("milestone schedule", lambda d: _edit(d, 3, schedule=[0, 0, 1, 1]), "no schedule"),
    ("task missing", lambda d: _edit(d, 0, task="1.9", id="K1.9.01"), "task does not exist"),
    ("pillar/task", lambda d: _edit(d, 0, pillar=2), "pillar/task mismatch"),
    ("id/task", lambda d: _edit(d, 0, id="K1.2.09"), "id does not match task"),
    ("id format", lambda d: _edit(d, 0, id="KPI-1"), "bad id format"),
    ("comparator", lambda d: _edit(d, 0, comparator=">="), "unknown comparator"),
    ("period", lambda d: _edit(d, 2, period="fortnight"), "unknown period"),
    ("due quarter", lambda d: _edit(d, 3, due_quarter=5), "due_quarter outside 1-4"),
    ("rate range", lambda d: _edit(d, 0, kind="rate", unit="%", target=120, schedule=None), "rate outside 0-100"),
    ("zero target", lambda d: _edit(d, 0, kind="zero_target", target=3, schedule=None), "target must be 0"),
    ("source text", lambda d: _edit(d, 0, source_text=""), "missing source_text"),
    ("source text null", lambda d: _edit(d, 0, source_text=None), "missing source_text"),
    ("name null", lambda d: _edit(d, 0, name=None), "missing name"),
    ("count target 0 at least", lambda d: _edit(d, 0, target=0, schedule=None), "target 0 with at_least"),
    ("task unquoted", lambda d: _edit(d, 0, task=1.1), "quoted string"),
    ("target text", lambda d: _edit(d, 0, target="十二", schedule=None), "target must be a number"),
    ("task under wrong pillar", lambda d: d["pillars"][0]["tasks"].append({"task": "2.1", "title": "x"}) or d, "task/pillar mismatch"),
    ("duplicate task", lambda d: d["pillars"][0]["tasks"].append({"task": "1.1", "title": "x"}) or d, "duplicate task"),
    ("source missing", lambda d: d.update(source="nowhere.txt") or d, "source document not found"),
    ("source empty", lambda d: d.update(source="") or d, "missing source document name"),
    ("year", lambda d: d.update(year="2025年") or d, "year must be an integer"),
    ("kpis missing", lambda d: d.pop("kpis") and d, "missing 'kpis' list"),
    ("not_target without reason", lambda d: d.update(not_targets=[{"source_text": "新建项目12个"}]) or d, "needs a reason"),
    ("not_target without clause", lambda d: d.update(not_targets=[{"value": 3, "reason": "背景"}]) or d, "needs the clause"),
    ("not_target value text", lambda d: d.update(not_targets=[{"source_text": "新建项目12个", "value": "十二", "reason": "x"}]) or d,
     "value must be a number"),
    ("not_target unit", lambda d: d.update(not_targets=[{"source_text": "完成投资2亿元", "value": 2, "unit": "亿元", "reason": "x"}]) or d,
     "unit must be canonical"),
    ("not_target is a KPI", lambda d: d.update(not_targets=[{"source_text": "新建项目12个", "value": 12, "unit": "个", "reason": "x"}]) or d,
     "both a KPI and listed as not a target"),
]


@pytest.mark.parametrize("label, mutate, message", BAD_PLANS, ids=[b[0] for b in BAD_PLANS])
def test_validation_errors(tmp_path, label, mutate, message):
    path = _write(tmp_path, mutate(_small_plan()))
    problems = validate_plan(path)
    assert any(message in p for p in problems), problems
    # messages name the file and, for KPI problems, its line
    assert all(p.startswith("plan.yaml") for p in problems)


def test_unknown_kpi_key(tmp_path):
    path = _write(tmp_path, _small_plan())
    text = path.read_text(encoding="utf-8").replace("    owner: 经济发展办\n", "    owner: 经济发展办\n    deadline: Q3\n", 1)
    path.write_text(text, encoding="utf-8")
    assert any("unknown keys" in p and "deadline" in p for p in validate_plan(path))


def test_not_targets_must_be_a_list_and_problems_name_their_line(tmp_path):
    path = _write(tmp_path, _small_plan())
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "not_targets: 盘活厂房5处\n", encoding="utf-8")
    assert any("not_targets must be a list" in p for p in validate_plan(path))
    path.write_text(text + "not_targets:\n  - source_text: 新建项目12个\n", encoding="utf-8")
    problem = next(p for p in validate_plan(path) if "needs a reason" in p)
    line = int(re.match(r"plan\.yaml:(\d+):", problem).group(1))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == "  - source_text: 新建项目12个"


def test_kpi_problem_names_its_line(tmp_path):
    path = _write(tmp_path, _edit(_small_plan(), 1, kind="amount"))
    problem = next(p for p in validate_plan(path) if "unknown kind" in p)
    line = int(re.match(r"plan\.yaml:(\d+): K1\.1\.02", problem).group(1))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "- id: K1.1.02"


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2025\nkpis: [\n", encoding="utf-8")
    assert "invalid YAML" in validate_plan(bad)[0]
    with pytest.raises(InputError, match="invalid YAML"):
        load_plan(bad)
    assert "cannot read plan file" in validate_plan(tmp_path / "missing.yaml")[0]
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("just text\n", encoding="utf-8")
    assert "top level must be a mapping" in validate_plan(scalar)[0]


def test_load_plan_raises_on_type_errors_and_optionally_on_rules(tmp_path):
    with pytest.raises(InputError, match="quoted string"):
        load_plan(_write(tmp_path, _edit(_small_plan(), 0, task=1.1)))
    path = _write(tmp_path, _edit(_small_plan(), 1, id="K1.1.01"))
    assert load_plan(path).kpis["kpi_id"].tolist()[:2] == ["K1.1.01", "K1.1.01"]
    with pytest.raises(InputError, match="duplicate KPI id"):
        load_plan(path, validate=True)


def test_dump_plan_yaml_round_trips():
    data = _small_plan()
    assert yaml.safe_load(dump_plan_yaml(data, "comment line")) == data


# --------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------
def test_drift_changed_number(plan, seed_text):
    changed = seed_text.replace("170家", "180家")
    problems = check_drift(plan, changed)
    assert any("K1.1.03" in p and "no longer in document" in p for p in problems)
    assert any("180" in p and "not covered" in p for p in problems)
    assert len(problems) == 2


def test_drift_removed_clause(plan, seed_text):
    problems = check_drift(plan, seed_text.replace("新装健身设施100套,", ""))
    assert problems == [p for p in problems if "K4.3.05" in p]
    assert len(problems) == 1


def test_drift_new_target(plan, seed_text):
    added = seed_text.replace("新装健身设施100套,", "新装健身设施100套,新建口袋公园5处,")
    problems = check_drift(plan, added)
    assert len(problems) == 1 and "新建口袋公园5处" in problems[0] and "4.3" in problems[0]


def test_drift_new_recurring_and_milestone(tmp_path):
    path = _write(tmp_path, _small_plan())
    plan = load_plan(path)
    doc = SMALL_DOC + "3.加强督导。每季度通报一次进展;编制《督导方案》。\n"
    problems = check_drift(plan, doc)
    assert any("3 not in plan" in p or "任务 1.3 未写入计划文件" in p for p in problems)
    assert any("recurring" in p and "每季度通报一次进展" in p for p in problems)
    assert any("里程碑" in p and "编制《督导方案》" in p for p in problems)


def test_drift_skips_reviewed_not_targets_and_reports_stale_ones(tmp_path):
    doc = SMALL_DOC.replace("完成投资2亿元。", "完成投资2亿元,盘活闲置厂房5处。")
    data = _small_plan()
    assert any("not covered" in p and "盘活闲置厂房5处" in p for p in check_drift(load_plan(_write(tmp_path, data, doc)), doc))

    reviewed = {"source_text": "盘活闲置厂房5处", "value": 5, "unit": "处", "reason": "现有厂房数量，是背景"}
    data["not_targets"] = [reviewed]
    plan = load_plan(_write(tmp_path, data, doc), validate=True)
    assert plan.not_targets.drop(columns="line").to_dict("records") == [{**reviewed, "value": 5.0}]
    assert check_drift(plan, doc) == []

    data["not_targets"] = [{**reviewed, "value": 6}]  # a different number in the same clause is still drift
    assert any("not covered" in p and "5" in p for p in check_drift(load_plan(_write(tmp_path, data, doc)), doc))

    data["not_targets"] = [{"source_text": "盘活闲置厂房5处", "reason": "整句都不是目标"}]  # no value: the whole clause
    assert check_drift(load_plan(_write(tmp_path, data, doc)), doc) == []
    problems = check_drift(load_plan(_write(tmp_path, data)), SMALL_DOC)  # the clause left the document
    assert len(problems) == 1 and "not_targets clause no longer in document" in problems[0]


def test_committed_plan_records_its_reviewed_non_targets(plan, seed_text):
    assert len(plan.not_targets) >= 8 and plan.not_targets["reason"].str.len().gt(0).all()
    assert {119.0, 1522.0, 107.0, 12349.0} <= set(plan.not_targets["value"])


def test_drift_changed_title(plan, seed_text):
    problems = check_drift(plan, seed_text.replace("深耕企业质效提升", "深耕企业质量提升"))
    assert len(problems) == 1 and "title differs" in problems[0] and "2.2" in problems[0]


# --------------------------------------------------------------------------
# Tree and draft
# --------------------------------------------------------------------------
def test_format_plan_tree(plan):
    tree = format_plan_tree(plan)
    lines = tree.splitlines()
    assert lines[0].startswith("城东街道2025年工作谋划")
    assert "(一) 聚力做好党建文章,推动高质量党建突破攀升" in lines
    assert "  1.1 抓好基层党建,提升服务水平" in lines
    assert any(line.strip().startswith("K1.1.03") and "≥ 170 家" in line for line in lines)
    assert any(line.strip().startswith("K3.3.04") and "≤ 0 家" in line for line in lines)
    assert sum(1 for line in lines if line.startswith("    K")) == len(plan.kpis)


def test_draft_plan_from_extraction_is_valid(tmp_path, seed):
    data = draft_plan(seed, source=SEED.name)
    assert data["year"] == 2025 and data["title"] == "城东街道2025年工作谋划"
    path = tmp_path / "draft.yaml"
    path.write_text(dump_plan_yaml(data), encoding="utf-8")
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    assert validate_plan(path) == []
    assert check_drift(load_plan(path), SEED.read_text(encoding="utf-8")) == []


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
@pytest.fixture
def run(monkeypatch, capsys):
    """Run ``reportlib ...`` with only the plan commands registered."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ["reportlib.plan"])

    def _run(*argv):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_plan_is_registered():
    assert "reportlib.plan" in cli.COMMAND_MODULES


def test_cli_extract_to_csv(run, tmp_path):
    out_file = tmp_path / "candidates.csv"
    code, out, err = run("plan", "extract", str(SEED), "--out", str(out_file))
    assert code == EXIT_OK
    assert "篇章 5, 任务 17" in err and "问题 0" in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert {"pillar", "task", "kind", "value", "unit", "comparator", "period", "source_text", "confidence"} <= set(rows[0])
    assert {int(r["pillar"]) for r in rows} == {1, 2, 3, 4, 5}
    assert all(re.fullmatch(r"[1-5]\.\d", r["task"]) for r in rows)
    area = next(r for r in rows if r["source_text"] == "新增3个片区、8.5万平方米老旧小区改造提升任务" and r["kind"] == "area")
    assert (area["value"], area["unit"]) == ("85000", "平方米")


def test_cli_extract_to_stdout_and_draft(run, tmp_path):
    draft = tmp_path / "draft.yaml"
    code, out, err = run("plan", "extract", str(SEED), "--draft", str(draft))
    assert code == EXIT_OK
    assert out.startswith("pillar,task,")
    assert yaml.safe_load(draft.read_text(encoding="utf-8"))["source"] == SEED.name


def test_cli_extract_missing_document(run, tmp_path):
    code, out, err = run("plan", "extract", str(tmp_path / "nope.txt"))
    assert code == EXIT_BAD_INPUT
    assert "nope.txt" in err


def test_cli_check_committed_plan(run):
    code, out, err = run("plan", "check")
    assert code == EXIT_OK
    assert "plan OK" in out


def test_cli_check_reports_each_problem_on_its_line(run, tmp_path):
    data = _edit(_edit(_small_plan(), 0, kind="amount"), 1, id="K1.1.01")
    path = _write(tmp_path, data, SMALL_DOC.replace("12个", "13个"))
    code, out, err = run("plan", "check", "--plan", str(path))
    assert code == EXIT_BAD_INPUT
    lines = out.strip().splitlines()
    assert any("unknown kind" in line for line in lines)
    assert any("duplicate KPI id" in line for line in lines)
    assert any("no longer in document" in line for line in lines)
    assert any("not covered" in line and "13" in line for line in lines)


def test_cli_check_bad_yaml(run, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("kpis: [\n", encoding="utf-8")
    code, out, err = run("plan", "check", "--plan", str(path))
    assert code == EXIT_BAD_INPUT and "invalid YAML" in out


def test_cli_show(run):
    code, out, err = run("plan", "show")
    assert code == EXIT_OK
    assert "K5.3.07" in out and "(五) 聚力统筹发展和安全,巩固高质量发展环境" in out


def test_cli_plan_without_subcommand(run):
    code, out, err = run("plan")
    assert code == 2
    assert "extract" in out
