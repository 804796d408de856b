"""reportlib.plan on the whole genre of work plans: prefaces, any heading nesting, units,
ranges and qualifiers, past results, owners and deadlines, target tables, --explain.

The complete documents are invented (tests/fixtures/plans/: literal .txt files, and
make_plans.py for Word, web page and PDF) with a hand-made answer key each; recall and false
targets are computed against the key, and every number of each document must be accounted for
(a row in ``Extraction.numbers``, found by a counter of its own, and a draft that passes its
own check except for its ``to_review`` list).
"""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from reportlib import cli
from reportlib.plan import draft_plan, dump_plan_yaml, extract, extract_file, load_document
from reportlib.plan.check import check_plan
from reportlib.units import find_quantities

PLANS = Path(__file__).parent / "fixtures" / "plans"
DOCUMENTS = [
    "shifan_2025.txt", "qingshi_2025.docx", "hexi_2025.html", "nanhu_2025.pdf", "shiyan_2024_summary.txt",
    # one document per kind of issue 22 (each kind's rule is in reportlib.plan; see the key's "kind")
    "xiqu_2025_minsheng.txt",  # 民生实事: targets inside 一、 headings, a ceiling in a heading
    "donghu_2025_yaodian.txt",  # （一） items full of targets, 1. items; ordinals, attendance, progress lines
    "beiyuan_2025_qingdan.txt",  # 任务清单 as a table written with |, group rows
    "qinghe_2025_renwu.docx",  # 县政府工作报告任务清单: a Word table, the title names 工作报告
    "nanling_2025_zongjie.txt",  # year-end summary: 完成情况 heading, 工作打算 section to review
    "jinshan_2026_jihua.txt",  # 工作总结和工作计划: results, then next year's targets
    "hexin_2025_yaodian.txt",  # text tasks and a 任务清单 attachment repeating some of them
    "yunling_2025.txt", "yunling_2025.docx", "yunling_2025.pdf",  # one plan, three formats
    # variants
    "qingshan_2025_shishi.txt",  # 为民办实事 sent with a notice (关于印发《…》的通知), 责任单位 lines
    "nanhe_2025_xiangmu.txt",  # a project table: 建设内容及规模 beside 年度目标
    "dongpo_2026_silu.txt",  # 工作总结暨工作思路: 开展情况 results, next year's 思路 targets
]


def _targets(extraction) -> list[tuple]:
    return [(c.value, c.unit, c.comparator) for c in extraction.candidates.itertuples(index=False)]


def _reasons(extraction, raw: str) -> list[str]:
    """Why ``raw`` was ignored (the blanket "outside_task" rows of untitled text left out)."""
    ignored = extraction.ignored
    return ignored.loc[(ignored["raw"] == raw) & (ignored["reason"] != "outside_task"), "reason"].tolist()


def score(extraction, key: list[dict]) -> tuple[int, int, list]:
    """(expected targets found, false targets, the false candidates) against an answer key.

    A key entry matches one candidate of the same value, unit and comparator; a milestone
    entry (value None) matches a milestone whose clause contains its ``text``.
    """
    unused = list(extraction.candidates.itertuples(index=False))
    found = 0
    for entry in key:
        for cand in unused:
            if entry["value"] is None:
                hit = cand.kind == "milestone" and entry["text"] in cand.source_text
            else:
                hit = (cand.kind != "milestone" and math.isclose(cand.value, entry["value"]) and cand.unit == entry["unit"]
                       and cand.comparator == entry["comparator"])
            if hit:
                unused.remove(cand)
                found += 1
                break
    return found, len(unused), [(c.value, c.unit, c.raw) for c in unused]


# --------------------------------------------------------------------------
# Complete documents of the genre, one per structure and format
# --------------------------------------------------------------------------
def _key(name: str) -> list[dict]:
    return json.loads((PLANS / (name.rsplit(".", 1)[0] + ".key.json")).read_text(encoding="utf-8"))["targets"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_recall_and_false_targets(name):
    key = _key(name)
    extraction = extract_file(PLANS / name)
    found, false, false_rows = score(extraction, key)
    assert found == len(key), f"recall {found}/{len(key)}"
    assert false == 0, false_rows


# A counter of the document's quantities of its own: every line of the text the extractor reads,
# without metadata lines and heading labels, cell by cell in rows written with |.
_META_RE = re.compile(r"^\s*(?:标题|索引号|文号|发文日期|成文日期|发布日期|发布机构|主题分类|信息来源|来源|发布时间)\s*[:：]")
_LABEL_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*、|[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]"
                       r"|\d{1,2}\s*[.、．](?!\d)|[（(]\s*\d{1,2}\s*[)）])")


def document_quantities(text: str) -> list[tuple[int, int, int, str]]:
    """(line, start, end, words) of every quantity with digits, a unit, or standing for one."""
    found = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        cells, position = [], 0
        for part in line.split("|") if "|" in line else [line]:
            cells.append((position, part))
            position += len(part) + 1
        if any(_META_RE.match(cell) for _, cell in cells):
            continue
        for offset, cell in cells:
            label = _LABEL_RE.match(cell)
            start = label.end() if label else 0
            for match in find_quantities(cell[start:]):
                if match.special or re.search(r"\d", match.number_text) or match.quantity.unit:
                    begin = offset + start + match.start
                    found.append((number, begin, begin + len(match.quantity.raw), match.quantity.raw))
    return found


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_number_of_the_document_is_accounted_for(name):
    document = load_document(PLANS / name)
    extraction = extract_file(PLANS / name)
    numbers = extraction.numbers[extraction.numbers["column"].notna()]
    placed = {}
    for row in numbers.itertuples(index=False):
        placed.setdefault(int(row.line), []).append((int(row.start), int(row.end), row.status))
    missing = [q for q in document_quantities(document.text)
               if not any(start < q[2] and q[1] < end for start, end, _ in placed.get(q[0], []))]
    assert missing == []
    assert set(numbers["status"]) <= {"target", "ignored", "result", "review"}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_draft_passes_its_own_check_but_for_to_review(tmp_path, name):
    """0 numbers unaccounted for: the draft's KPIs and to_review list hold every doubtful number."""
    extraction = extract_file(PLANS / name)
    folder = tmp_path / "data" / "raw" / "plans" / "2025"
    folder.mkdir(parents=True)
    shutil.copyfile(PLANS / name, folder / name)
    data = draft_plan(extraction, source=name, year=2025, text=load_document(PLANS / name).text)
    data["organization"] = data["organization"] or "某某街道"
    (folder / "plan.yaml").write_text(dump_plan_yaml(data), encoding="utf-8")
    result = check_plan(folder / "plan.yaml")
    assert [e for e in result.errors if "to_review:" not in e] == []
    assert len([e for e in result.errors if "to_review:" in e]) == len(data["to_review"])
    assert set(result.accounts["account"]) <= {"kpi", "context", "result", "to_review"}
    # a KPI accounts for its own number, and for the same target restated (an attachment row), no other
    # (a 序号 "1" is no KPI's, whatever its value)
    kpi_numbers = result.accounts[result.accounts["account"] == "kpi"]
    assert set(kpi_numbers.loc[kpi_numbers["status"] != "target", "reason"]) <= {"repeat"}


def test_three_formats_of_one_document_give_one_draft():
    drafts = []
    for suffix in ("txt", "docx", "pdf"):
        path = PLANS / f"yunling_2025.{suffix}"
        drafts.append(dump_plan_yaml(draft_plan(extract_file(path), source="yunling_2025", text=load_document(path).text)))
    assert drafts[0] == drafts[1] == drafts[2]
    assert "organization: 云岭镇" in drafts[0] and "year: 2025" in drafts[0]


def test_summary_proposes_no_targets_and_says_why():
    extraction = extract_file(PLANS / "shiyan_2024_summary.txt")
    assert extraction.document_kind == "summary"
    assert extraction.candidates.empty
    assert len(extraction.results) == 12 and set(extraction.results["kind"]) == {"result"}
    assert any("年度工作总结" in p for p in extraction.problems)


def test_saved_page_metadata_and_review_preface():
    extraction = extract_file(PLANS / "hexi_2025.html")
    assert extraction.meta["发文日期"] == "2025-02-20" and extraction.meta["发布机构"] == "示例区河西街道"
    assert extraction.title == "河西街道2025年工作谋划"
    assert extraction.results["raw"].tolist() == ["86.5亿元", "5.8%", "620户"]
    assert not extraction.candidates["raw"].str.contains("88888|1234567").any()  # footer, nav, script dropped
    assert extraction.problems == []


def test_word_document_numbering_table_owners_and_deadlines():
    extraction = extract_file(PLANS / "qingshi_2025.docx")
    # the attachment table is a pillar titled by its caption line (附件：重点任务目标表)
    assert extraction.pillars["title"].tolist() == ["经济发展", "城市管理", "民生服务", "重点任务目标表"]
    assert extraction.tasks["task"].tolist() == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2"]
    c = extraction.candidates.set_index("raw")
    assert c.loc["12个以上", "owner"] == "经济发展办" and c.loc["12个以上", "due_quarter"] == 4  # from the table row
    assert c.loc["15条", "owner"] == "城管办" and c.loc["15条", "due_quarter"] == 4
    assert c.loc["24次", "owner"] == "应急办" and c.loc["24次", "due_quarter"] == 2
    assert (extraction.candidates["value"] == 12).sum() == 1  # the table repeats the text: reported once
    kpis = {k["source_text"]: k for k in draft_plan(extraction)["kpis"]}
    assert kpis["开展消防演练24次"]["owner"] == "应急办"


def test_pdf_review_section_is_results_and_goal_section_is_scanned():
    extraction = extract_file(PLANS / "nanhu_2025.pdf")
    assert extraction.pillars["title"].tolist() == ["2025年工作目标", "2025年重点任务"]
    goals = extraction.candidates[extraction.candidates["pillar"] == 1]
    assert goals[["value", "kind", "task"]].values.tolist() == [[6.5, "growth_rate", ""], [7.0, "growth_rate", ""]]
    assert extraction.results["raw"].tolist() == ["12.6亿元", "4.2%", "1.2万亩", "900个"]


# --------------------------------------------------------------------------
# 1. Targets outside numbered tasks: prefaces and 主要预期目标
# --------------------------------------------------------------------------
def test_preface_targets_are_plan_level_candidates():
    text = ("主要预期目标：地区生产总值增长6%以上；一般公共预算收入增长3%以上；城镇新增就业1200人。\n"
            "(一)产业\n1.新建厂房2栋。\n")
    c = extract(text).candidates
    head = c[c["pillar"] == 0]
    assert head[["task", "kind", "value", "unit", "comparator"]].values.tolist() == [
        ["", "growth_rate", 6.0, "%", "at_least"], ["", "growth_rate", 3.0, "%", "at_least"],
        ["", "count", 1200.0, "人", "at_least"]]
    assert c[c["pillar"] == 1]["value"].tolist() == [2.0]


# --------------------------------------------------------------------------
# 2. Any nesting of 一、 > （一） > 1. > （1） > 一是
# --------------------------------------------------------------------------
NESTINGS = {
    "section > paren > arabic > paren arabic": (
        "一、产业发展\n（一）项目建设\n1.重点项目。新建厂房2栋。\n（1）新开工项目5个。\n（2）竣工项目3个。\n"
        "（二）农业\n1.新建大棚20个。\n二、民生\n（一）教育\n1.新建学校1所。\n",
        [(1, "产业发展"), (2, "民生")], ["1.1", "1.2", "2.1"]),
    "section > arabic": (
        "一、产业发展\n1.新建厂房2栋。\n2.引进项目5个。\n二、民生\n1.新建学校1所。\n2.新增就业500人。\n",
        [(1, "产业发展"), (2, "民生")], ["1.1", "1.2", "2.1", "2.2"]),
    "section > paren with inline 一是": (
        "一、产业发展\n（一）抓项目。一是新建厂房2栋；二是引进项目5个。\n（二）抓招商。签约项目8个。\n二、民生\n（一）抓教育。新建学校1所。\n",
        [(1, "产业发展"), (2, "民生")], ["1.1", "1.2", "2.1"]),
    "paren > arabic (the seed's)": (
        "(一)产业发展\n1.抓项目。新建厂房2栋。\n2.抓招商。引进项目5个。\n(二)民生\n1.抓教育。新建学校1所。\n",
        [(1, "产业发展"), (2, "民生")], ["1.1", "1.2", "2.1"]),
}


@pytest.mark.parametrize("name", NESTINGS)
def test_heading_nesting(name):
    text, pillars, tasks = NESTINGS[name]
    extraction = extract(text)
    assert [tuple(r) for r in extraction.pillars.values.tolist()] == pillars
    assert extraction.tasks["task"].tolist() == tasks
    values = extraction.candidates["value"].tolist()
    assert len(values) == len(set(values)), "a target reported twice"
    assert extraction.problems == []


def test_deeper_levels_and_yishi_are_subitems():
    extraction = extract(NESTINGS["section > paren > arabic > paren arabic"][0])
    sub = extraction.subitems[extraction.subitems["task"] == "1.1"]
    assert sub["title"].tolist() == ["重点项目", "新开工项目5个", "竣工项目3个"]
    c = extraction.candidates
    assert c.loc[c["value"] == 5, "subitem"].tolist() == [2]
    inline = extract(NESTINGS["section > paren with inline 一是"][0])
    assert inline.subitems[["task", "subitem", "title"]].values.tolist() == [["1.1", 1, "新建厂房2栋"], ["1.1", 2, "引进项目5个"]]


def test_pillar_with_inline_yishi_and_no_tasks_is_split():
    extraction = extract("（一）产业发展。一是新建厂房2栋；二是引进项目10个。\n（二）民生保障。新建学校1所。\n")
    c = extraction.candidates
    assert c[["pillar", "task", "subitem", "value"]].values.tolist() == [[1, "", 1, 2.0], [1, "", 2, 10.0], [2, "", 0, 1.0]]


def test_restarted_section_numbering_never_duplicates_pillars():
    extraction = extract("一、产业\n1.新建厂房2栋。\n一、民生\n1.新建学校1所。\n")
    assert extraction.pillars["pillar"].tolist() == [1, 2]
    assert extraction.tasks["task"].tolist() == ["1.1", "2.1"]
    assert any("duplicate pillar" in p for p in extraction.problems)


# --------------------------------------------------------------------------
# 3. Units of the genre
# --------------------------------------------------------------------------
UNIT_CLAUSES = [
    ("新建安置房12栋", 12, "栋"), ("改造危房3幢", 3, "幢"), ("实际利用外资500万美元", 5_000_000, "美元"),
    ("进出口总额1.2亿美元", 120_000_000, "美元"), ("清淤3万立方米", 30_000, "立方米"), ("新增生猪存栏3000头", 3000, "头"),
    ("蛋鸡存栏5万羽", 50_000, "羽"), ("新建光伏1.5万千瓦", 15_000, "千瓦"), ("新打机井12眼", 12, "眼"),
    ("化解信访积案15宗", 15, "宗"), ("发表调研文章8篇", 8, "篇"), ("测评得分达到95分以上", 95, "分"),
    ("人口自然增长率控制在4‰以内", 4, "‰"), ("优良天数达到300天", 300, "天"),
]


@pytest.mark.parametrize("clause, value, unit", UNIT_CLAUSES)
def test_units_of_the_genre(clause, value, unit):
    c = extract(clause + "。").candidates
    assert c[["value", "unit"]].values.tolist() == [[value, unit]]


@pytest.mark.parametrize("clause", ["群众10分钟内可达服务点", "7天内办结", "这项工作十分重要"])
def test_durations_and_words_stay_out(clause):
    assert extract(clause + "。").candidates.empty


# --------------------------------------------------------------------------
# 4. Ranges, qualifiers, place names, scope
# --------------------------------------------------------------------------
@pytest.mark.parametrize("clause, low, high, unit", [
    ("新建口袋公园2~3个", 2, 3, "个"), ("培育规上企业2-3家", 2, 3, "家"), ("新开工项目3至5个", 3, 5, "个"),
    ("增长5%-6%", 5, 6, "%"),
])
def test_ranges_are_at_least_the_lower_bound(clause, low, high, unit):
    c = extract(clause + "。").candidates
    assert c[["value", "range_high", "unit", "comparator"]].values.tolist() == [[low, high, unit, "at_least"]]


def test_qualifier_before_the_noun_is_not_the_target():
    extraction = extract("500万元以上固定资产投资增长8.5%左右。")
    assert extraction.candidates[["kind", "value", "unit", "approximate"]].values.tolist() == [
        ["growth_rate", 8.5, "%", True]]
    assert _reasons(extraction, "500万元以上") == ["qualifier"]


@pytest.mark.parametrize("clause, raw, reason", [
    ("盘活801台地块", "801台", "place_name"), ("实施饮水工程,惠及17个乡镇", "17个", "scope_context"),
    ("受益群众5万人", "5万人", "scope_context"), ("建设占地300亩的产业园", "300亩", "scope_context"),
])
def test_place_names_and_scope_are_not_targets(clause, raw, reason):
    extraction = extract(clause + "。")
    assert extraction.candidates.empty
    assert _reasons(extraction, raw) == [reason]


# --------------------------------------------------------------------------
# 5. Past results are not targets
# --------------------------------------------------------------------------
def test_review_sentence_of_a_past_year_is_a_result():
    text = ("示例镇2025年工作计划\n2024年，完成地区生产总值670.7亿元，同比增长6.1%。2025年，力争地区生产总值增长6%。\n"
            "一、产业\n1.新建厂房2栋；已建成标准厂房5栋。\n")
    extraction = extract(text)
    assert extraction.results[["value", "unit", "kind"]].values.tolist() == [
        [67_070_000_000.0, "元", "result"], [6.1, "%", "result"], [5.0, "栋", "result"]]
    assert extraction.candidates["value"].tolist() == [6.0, 2.0]
    assert extraction.document_kind == "plan"


def test_review_heading_section_is_results_not_a_pillar():
    text = "一、2024年工作回顾\n（一）经济。新增就业1500人，同比增长5%。\n二、2025年工作安排\n（一）就业。新增就业1600人。\n"
    extraction = extract(text)
    assert extraction.pillars["title"].tolist() == ["2025年工作安排"]
    assert extraction.candidates["value"].tolist() == [1600.0]
    assert sorted(extraction.results["value"].tolist()) == [5.0, 1500.0]


def test_summary_by_its_figures_without_a_title():
    text = "\n".join(f"{y}年，完成投资{n}亿元。" for y, n in [(2023, 3), (2024, 4)]) + "\n去年新增就业800人，建成养老站2处，完成改造5个，新增企业9家。\n"
    extraction = extract(text)
    assert extraction.document_kind == "summary" and extraction.candidates.empty


# --------------------------------------------------------------------------
# 6. Owners and deadlines
# --------------------------------------------------------------------------
def test_owner_and_deadline_notes_of_a_task():
    text = ("(一)民生\n1.养老服务。新建养老服务站3处（牵头单位：民政办；责任单位：各社区；完成时限：2025年6月底前）。\n"
            "2.道路。年底前完成道路硬化5公里，9月底前新建公厕2座。责任单位：城建办\n")
    c = extract(text).candidates.set_index("raw")
    assert (c.loc["3处", "owner"], c.loc["3处", "due_quarter"]) == ("民政办", 2)
    assert (c.loc["5公里", "owner"], c.loc["5公里", "due_quarter"]) == ("城建办", 4)
    assert c.loc["2座", "due_quarter"] == 3
    assert "2025" not in c.index  # the deadline's year is not a candidate


def test_target_table_alone_makes_tasks():
    extraction = extract("", tables=[[["序号", "重点任务", "目标", "责任单位", "完成时限"],
                                      ["1", "改造老旧小区", "改造老旧小区6个", "城建办", "三季度"],
                                      ["2", "就业", "新增就业300人", "社保所", "年底前"]]])
    assert extraction.tasks[["task", "title"]].values.tolist() == [["1.1", "改造老旧小区"], ["1.2", "就业"]]
    assert extraction.candidates[["value", "owner", "due_quarter"]].values.tolist() == [[6.0, "城建办", 3], [300.0, "社保所", 4]]


# --------------------------------------------------------------------------
# plan extract --explain
# --------------------------------------------------------------------------
def test_explain_prints_every_number_with_its_reason(tmp_path, capsys):
    doc = tmp_path / "plan.txt"
    doc.write_text("示例镇2025年工作要点\n2024年，完成投资12亿元。\n(一)产业\n1.招商。500万元以上固定资产投资增长8.5%左右,"
                   "惠及17个乡镇,盘活801台地块,第3期培训。\n", encoding="gbk")
    assert cli.main(["plan", "extract", str(doc), "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = [("12亿元", "已完成结果"), ("500万元以上", "修饰名词的门槛"), ("8.5%左右", "[目标]"),
                ("17个", "受益对象"), ("801台", "地名"), ("3期", "序数")]
    for raw, label in expected:
        assert any(f"] {raw} —" in line and label in line for line in out), (raw, out)
    assert all("「" in line for line in out)


def test_new_units_convert_within_their_dimension_only():
    from reportlib.units import UnitError, canonical_unit, convert

    assert canonical_unit("万美元") == ("美元", 10000.0)
    assert canonical_unit("亿美元") == ("美元", 100_000_000.0)
    assert canonical_unit("万千瓦") == ("千瓦", 10000.0)
    assert convert(2, "兆瓦", "千瓦") == 2000
    with pytest.raises(UnitError):
        convert(1, "美元", "元")  # never converted at a guessed exchange rate
    with pytest.raises(UnitError):
        convert(1, "分", "分钟")  # a score is no duration


def test_explain_says_why_a_figure_is_past_and_details_every_target():
    from reportlib.plan.explain import explain_lines

    extraction = extract_file(PLANS / "nanhu_2025.pdf")
    lines = explain_lines(extraction)
    assert any("12.6亿元" in line and "工作回顾" in line for line in lines)
    targets = [line for line in lines if line.startswith("[目标]")]
    assert len(targets) == len(extraction.candidates) and all("可信度" in line for line in targets)
    summary = explain_lines(extract_file(PLANS / "shiyan_2024_summary.txt"))
    assert summary[-1] == "该文档被判断为年度工作总结,未提出候选指标。"
    assert not any(line.startswith("[目标]") for line in summary)


# --------------------------------------------------------------------------
# 7. What each number is: one line per rule of reportlib.plan.scanner (the genre's wordings)
# --------------------------------------------------------------------------
NUMBER_RULES = [
    # (text, the number's words, status, reason)
    ("贯彻落实县十三届人大四次会议精神。", "十三届", "ignored", "ordinal"),
    ("贯彻落实县十三届人大四次会议精神。", "四次", "ignored", "ordinal"),
    ("学习贯彻区委十二届七次全会精神。", "七次", "ignored", "ordinal"),
    ("全年召开党工委会议12次。", "12次", "target", ""),
    ("办理46名代表提出的建议。", "46名", "ignored", "attendance"),
    ("完成一、二、三支路改造。", "三支", "ignored", "name_or_code"),
    ("完成四支路改造。", "四支", "ignored", "place_name"),
    ("目前已累计开展73场次，计划全年开展120场次。", "73场次", "result", "past_progress"),
    ("目前已累计开展73场次，计划全年开展120场次。", "120场次", "target", ""),
    ("截至目前已完成500张，其中线上办理300张。", "300张", "result", "past_progress"),
    ("完成辖区内215棵树木排危。", "215棵", "target", ""),
    ("对辖区内159家企业逐一摸排。", "159家", "review", "object_scope"),
    ("依托现有8个站点开展服务。", "8个", "ignored", "context_stock"),
    ("辖区共有企业320家，其中规上企业45家。", "45家", "ignored", "context_stock"),
    ("为80周岁以上老人提供助餐。", "80", "ignored", "age"),
    ("年产5万吨再生铝项目完成设备安装。", "5万吨", "ignored", "project_scale"),
    ("集中办好以下8件民生实事。", "8件", "ignored", "describes_plan"),
    ("一、经济发展（5项）", "5项", "ignored", "describes_plan"),
    ("投入资金1200余万元。", "1200余万元", "target", ""),
    ("加装电梯6部，新增摄像头40组。", "6部", "target", ""),
    ("加装电梯6部，新增摄像头40组。", "40组", "target", ""),
    ("刑事案件发案数控制在40起以内。", "控制在40起以内", "target", ""),
    ("PM2.5平均浓度控制在35微克/立方米以内。", "控制在35微克/立方米以内", "target", ""),
    ("12345热线办件满意率达到95%。", "12345", "ignored", "name_or_code"),
    ("新建5G基站30座。", "5", "ignored", "name_or_code"),
    ("见附件1。", "1", "ignored", "name_or_code"),
    ("建设12349共享文化坊。", "12349", "ignored", "name_or_code"),
    ("安装智能门禁120樘。", "120", "review", "unknown_unit"),
    ("实现50%以上的村集体经济收入增长。", "50%以上", "target", ""),
    ("每月5日前报送工作进展。", "5", "ignored", "year_or_date"),
]


@pytest.mark.parametrize("text, raw, status, reason", NUMBER_RULES, ids=[f"{r[1]}@{r[0][:12]}" for r in NUMBER_RULES])
def test_each_number_rule(text, raw, status, reason):
    numbers = extract(text).numbers
    row = numbers[numbers["raw"] == raw]
    assert len(row) == 1, numbers[["raw", "status", "reason"]].to_dict("records")
    assert (row["status"].iloc[0], row["reason"].iloc[0] or "") == (status, reason)


def test_reporting_duties_and_per_person_standards_are_not_recurring_targets():
    assert extract("各单位每月5日前报送上月工作进展。").candidates.empty
    c = extract("将基础养老金最低标准提高至每人每月163元。").candidates
    assert c[["kind", "value", "unit"]].values.tolist() == [["count", 163.0, "元"]]


def test_a_table_column_naming_its_unit_gives_bare_figures_that_unit():
    text = ("某镇2025年重点项目计划\n| 序号 | 项目名称 | 年度计划投资（万元） | 责任单位 |\n"
            "| 1 | 镇区污水管网改造 | 1200 | 城建办 |\n| 2 | 敬老院扩建 | 350.5 | 社会事务办 |\n")
    c = extract(text).candidates
    assert c[["task", "value", "unit", "owner"]].values.tolist() == [
        ["1.1", 12_000_000.0, "元", "城建办"], ["1.2", 3_505_000.0, "元", "社会事务办"]]
