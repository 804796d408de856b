"""``plan check`` as one function (:func:`reportlib.plan.check_plan`): every number accounted for,
``to_review`` empty, ``previous_id`` links of the right kind, duplicate names warned; the draft's
short names, office names and ``previous_id`` proposals; ceilings wherever they stand.

Each test builds its workspace in tmp_path from a literal document or a genre fixture.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reportlib import cli, workspace
from reportlib.plan import check_plan, check_problems, draft_plan, dump_plan_yaml, extract, extract_file, load_document, load_plan
from reportlib.plan.draft import document_identity
from reportlib.progress import compute_progress

PLANS = Path(__file__).parent / "fixtures" / "plans"
BUNDLED = workspace.PROJECT_ROOT / "data" / "raw" / "plans" / "2025" / "plan.yaml"


@pytest.fixture
def run(monkeypatch, capsys):
    """The CLI in this process; the workspace chosen by -C does not leak into other tests."""
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)

    def call(*argv):
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    yield call
    os.environ.pop(workspace.WORKSPACE_ENV, None)


def _workspace(root: Path, name: str, year: int = 2025, text: str | None = None, **changes) -> tuple[Path, dict]:
    """A workspace whose ``year`` plan is the draft of a document (a fixture, or ``text``)."""
    folder = root / "data" / "raw" / "plans" / str(year)
    folder.mkdir(parents=True)
    if text is None:
        shutil.copyfile(PLANS / name, folder / name)
    else:
        (folder / name).write_text(text, encoding="utf-8")
    data = draft_plan(extract_file(folder / name), source=name, year=year, text=load_document(folder / name).text)
    data["organization"] = data["organization"] or "某某街道"
    data.update(changes)
    (folder / "plan.yaml").write_text(dump_plan_yaml(data), encoding="utf-8")
    return folder / "plan.yaml", data


def _rewrite(path: Path, data: dict) -> None:
    path.write_text(dump_plan_yaml(data), encoding="utf-8")


# --------------------------------------------------------------------------
# The bundled plans pass, with every number accounted for
# --------------------------------------------------------------------------
def test_bundled_plans_pass_with_every_number_accounted_for():
    result = check_plan(BUNDLED)
    assert result.ok, result.errors
    assert len(result.plan.kpis) == 83
    assert set(result.accounts["account"]) <= {"kpi", "not_target", "context", "result"}
    assert (result.accounts["account"] == "not_target").sum() >= 8
    assert result.plan.to_review.empty
    example = workspace.PROJECT_ROOT / "examples" / "shili-zhen" / "data" / "raw" / "plans" / "2026" / "plan.yaml"
    assert check_plan(example).ok
    assert check_problems(BUNDLED) == []


# --------------------------------------------------------------------------
# to_review and unaccounted numbers
# --------------------------------------------------------------------------
def test_check_fails_while_to_review_holds_anything(tmp_path, run):
    path, data = _workspace(tmp_path, "donghu_2025_yaodian.txt")
    assert [e["raw"] for e in data["to_review"]] == ["31件"]
    code, out, err = run("-C", tmp_path, "plan", "check", "--year", "2025")
    assert code == 3
    line = next(l for l in out.splitlines() if "to_review" in l)
    assert line.startswith("plan.yaml:") and "31件" in line and "认真办理镇十八届人大三次会议" in line
    assert "plan review" in err  # where to look


def test_a_number_in_no_place_fails_the_check_naming_line_and_sentence(tmp_path, run):
    path, data = _workspace(tmp_path, "donghu_2025_yaodian.txt")
    data["to_review"] = []  # the clerk deleted the entry without deciding
    _rewrite(path, data)
    code, out, _ = run("-C", tmp_path, "plan", "check", "--year", "2025")
    assert code == 3
    assert any(l.startswith("第10行") and "31件" in l and "not accounted for" in l and "46名代表提出的31件建议" in l
               for l in out.splitlines()), out
    # decided: not a target, with the reason — the check passes
    data["not_targets"] = [{"source_text": "认真办理镇十八届人大三次会议期间46名代表提出的31件建议", "value": 31, "unit": "件",
                            "reason": "代表建议的件数是办理的范围；指标是办复率"}]
    _rewrite(path, data)
    code, out, _ = run("-C", tmp_path, "plan", "check", "--year", "2025")
    assert code == 0, out
    assert "全部有归属" in out


def test_a_target_dropped_from_the_plan_is_named_by_its_line(tmp_path):
    path, data = _workspace(tmp_path, "xiqu_2025_minsheng.txt")
    data["kpis"] = [k for k in data["kpis"] if k["target"] != 215]
    _rewrite(path, data)
    errors = check_plan(path).errors
    assert any(e.startswith("第6行") and "not covered" in e and "215" in e for e in errors), errors


def test_source_text_null_is_exit_3_with_file_and_line(tmp_path, run):
    path, data = _workspace(tmp_path, "xiqu_2025_minsheng.txt")
    text = path.read_text(encoding="utf-8").replace("    source_text: 改造提升老旧小区5个", "    source_text: null", 1)
    path.write_text(text, encoding="utf-8")
    code, out, err = run("-C", tmp_path, "plan", "check", "--year", "2025")
    assert code == 3
    assert "Traceback" not in out + err and "AttributeError" not in out + err
    line = next(l for l in out.splitlines() if "missing source_text" in l)
    assert line.startswith("plan.yaml:") and "K1.0.01" in line


def test_count_target_zero_needs_zero_target_or_at_most(tmp_path):
    path, data = _workspace(tmp_path, "xiqu_2025_minsheng.txt")
    data["kpis"][0]["target"] = 0
    _rewrite(path, data)
    assert any("K1.0.01" in e and "target 0 with at_least" in e for e in check_plan(path).errors)
    data["kpis"][0]["comparator"] = "at_most"
    _rewrite(path, data)
    assert not any("target 0" in e for e in check_plan(path).errors)


def test_duplicate_names_are_warned(tmp_path):
    path, data = _workspace(tmp_path, "xiqu_2025_minsheng.txt")
    assert len({k["name"] for k in data["kpis"]}) == len(data["kpis"])  # the draft's names are unique
    data["kpis"][1]["name"] = data["kpis"][0]["name"]
    _rewrite(path, data)
    result = check_plan(path)
    assert result.ok
    assert any("duplicate KPI name" in w and "K1.0.01、K1.0.02" in w for w in result.warnings)


# --------------------------------------------------------------------------
# Short names, office names
# --------------------------------------------------------------------------
def test_kpis_of_one_heading_get_short_names_of_their_clause():
    extraction = extract("西区街道2025年民生实事项目\n一、实施老旧小区综合整治3个；维护更新小区信报箱260户；疏通明沟800米；"
                         "新增电动自行车充电桩50个、充电车棚4处。\n")
    assert extraction.candidates["name"].tolist() == [
        "实施老旧小区综合整治", "维护更新小区信报箱", "疏通明沟", "新增电动自行车充电桩", "新增充电车棚"]
    assert extraction.pillars["title"].tolist() == ["实施老旧小区综合整治3个"]  # a sentence-heading: its first clause


@pytest.mark.parametrize("title, meta, organization, parent", [
    ("西区街道2025年民生实事项目", {}, "西区街道", ""),
    ("城东街道2025年工作谋划", {"发布机构": "博山区城东街道"}, "城东街道", "博山区"),
    ("2025年工作要点", {"发布机构": "淄博市博山区城东街道办事处"}, "城东街道", "博山区"),
    ("青岛市市北区辽宁路街道2025年工作计划", {}, "辽宁路街道", "市北区"),
    ("清河县2025年《政府工作报告》重点任务分解清单", {}, "清河县", ""),
])
def test_office_names_are_kept_whole(title, meta, organization, parent):
    extraction = extract(title + "\n一、发展\n1.新建厂房2栋。\n", meta=meta)
    identity = document_identity(extraction)
    assert (identity["organization"], identity["parent_organization"]) == (organization, parent)


# --------------------------------------------------------------------------
# Ceilings wherever they stand
# --------------------------------------------------------------------------
def test_a_ceiling_in_a_heading_keeps_at_most_and_is_on_track_below_it(tmp_path):
    path, data = _workspace(tmp_path, "xiqu_2025_minsheng.txt")
    ceilings = {k["id"]: k for k in data["kpis"] if k["comparator"] == "at_most"}
    assert {(k["target"], k["unit"]) for k in ceilings.values()} == {(90, "%"), (3, "%")}
    assert all(k["task"] == "" for k in ceilings.values())  # in the 一、 headings themselves
    plan = load_plan(path)
    kpi_id = next(i for i, k in ceilings.items() if k["target"] == 3)
    actuals = pd.DataFrame([{"kpi_id": kpi_id, "quarter": "2025Q2", "cumulative": 2.6, "state": ""},])
    row = compute_progress(plan, actuals, "2025Q2").set_index("kpi_id").loc[kpi_id]
    assert row["status"] == "on_track"
    actuals.loc[0, "cumulative"] = 3.4
    assert compute_progress(plan, actuals, "2025Q2").set_index("kpi_id").loc[kpi_id, "status"] == "severely_behind"


# --------------------------------------------------------------------------
# Next year's plan: previous_id proposed, then checked
# --------------------------------------------------------------------------
LAST_YEAR = "示例街道2025年工作要点\n一、经济\n1.招商。新培育规上工业企业8家以上，城镇新增就业600人。\n2.统计。规上工业增加值增长6%。\n"
THIS_YEAR = "示例街道2026年工作要点\n一、经济\n1.招商。新培育规上工业企业10家以上，城镇新增就业700人。\n2.统计。规上工业增加值增长6.5%。\n"


def test_next_years_draft_proposes_previous_id_for_review(tmp_path, run):
    _workspace(tmp_path, "2025.txt", 2025, LAST_YEAR)
    document = tmp_path / "示例街道2026年工作要点.txt"
    document.write_text(THIS_YEAR, encoding="utf-8")
    code, out, _ = run("-C", tmp_path, "plan", "import", document)
    text = (tmp_path / "data" / "raw" / "plans" / "2026" / "plan.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    links = {k["id"]: k.get("previous_id") for k in data["kpis"]}
    assert links == {"K1.1.01": "K1.1.01", "K1.1.02": "K1.1.02", "K1.2.01": "K1.2.01"}
    assert text.count("# 建议:与2025年「") == 3  # marked for review
    assert code == 0, out


def test_previous_id_must_exist_and_be_of_the_same_kind_and_unit(tmp_path):
    _workspace(tmp_path, "2025.txt", 2025, LAST_YEAR)
    path, data = _workspace(tmp_path, "2026.txt", 2026, THIS_YEAR)
    data["kpis"][0]["previous_id"] = "K1.2.01"  # a count linked to a growth rate
    data["kpis"][1]["previous_id"] = "K9.9.09"
    _rewrite(path, data)
    errors = check_plan(path).errors
    assert any("K1.1.01" in e and "previous_id K1.2.01" in e and "another kind or unit" in e for e in errors), errors
    assert any("K1.1.02" in e and "K9.9.09" in e and "not in last year's plan" in e for e in errors), errors
    data["kpis"][0]["previous_id"], data["kpis"][1]["previous_id"] = "K1.1.01", "K1.1.02"
    _rewrite(path, data)
    assert check_plan(path).ok


def test_previous_id_without_last_years_plan_is_a_warning(tmp_path):
    path, data = _workspace(tmp_path, "2026.txt", 2026, THIS_YEAR)
    data["kpis"][0]["previous_id"] = "K1.1.01"
    _rewrite(path, data)
    result = check_plan(path)
    assert result.ok
    assert any("2025年" in w and "previous_id" in w for w in result.warnings)
