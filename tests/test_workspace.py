"""Workspaces: any office, any year — init, plan import, check, template, ingest, build — and
several years side by side. Every test builds its own workspace in a temporary folder."""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

from reportlib import template, workspace
from reportlib.cli import main
from reportlib.errors import EXIT_BAD_INPUT, EXIT_OK
from reportlib.plan import load_plan
from reportlib.plan.draft import document_identity, split_office
from reportlib.plan.targets import extract

EXAMPLE = workspace.PROJECT_ROOT / "examples" / "shili-zhen"
EXAMPLE_DOC = "示例镇2026年工作要点.txt"

# A plan of the genre written for this test (in no folder of the repository): 一、 sections with
# 1. tasks, no office named in its title line, and a pillar with milestones only.
NEW_OFFICE_PLAN = """2026年重点工作计划

一、抓好经济发展，提升发展质效
1.推进项目建设。全年新开工项目8个，新增规模以上企业2家。
2.优化营商环境。走访服务企业120家次。
二、抓好社会治理，守牢安全底线
1.深化网格治理。制定《网格化服务管理工作手册》。
2.化解矛盾纠纷。建立矛盾纠纷多元调处机制。
"""


@pytest.fixture()
def run(monkeypatch, capsys):
    """Run the CLI in this process; the workspace chosen by -C does not leak into other tests."""
    monkeypatch.delenv(workspace.WORKSPACE_ENV, raising=False)

    def call(*argv):
        code = main([str(a) for a in argv])
        out = capsys.readouterr()
        return code, out.out, out.err

    yield call
    os.environ.pop(workspace.WORKSPACE_ENV, None)  # set by -C (not through monkeypatch, which would restore it)


def _example_generator():
    spec = importlib.util.spec_from_file_location("make_example_actuals", workspace.PROJECT_ROOT / "scripts" / "make_example_actuals.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- layout and identity


def test_init_makes_an_empty_workspace_and_refuses_a_used_folder(tmp_path, run):
    code, out, _ = run("init", tmp_path / "ws", "--organization", "青石街道")
    ws = workspace.Workspace(tmp_path / "ws")
    assert code == EXIT_OK and "青石街道" in out
    for folder in (ws.plans, ws.actuals_raw, ws.processed_root, ws.reports, ws.logs):
        assert folder.is_dir()
    assert "data/raw/plans/<年份>/" in (ws.root / "README.md").read_text(encoding="utf-8")
    assert ws.organization() == "青石街道"
    code, _, err = run("init", tmp_path / "ws", "--organization", "青石街道")
    assert code == EXIT_BAD_INPUT and "不是空的" in err


def test_paths_of_a_year_and_the_latest_year(tmp_path):
    ws = workspace.Workspace(tmp_path)
    with pytest.raises(Exception, match="还没有任何年度的计划文件"):
        ws.latest_year()
    for year in (2025, 2026):
        ws.plan_dir(year).mkdir(parents=True)
        ws.plan_file(year).write_text("year: 0\n", encoding="utf-8")
    (ws.plans / "notes").mkdir()
    assert ws.plan_years() == [2025, 2026] and ws.latest_year() == 2026
    assert ws.year(quarter="2025Q3") == 2025 and ws.year(quarter="Q3") == 2026 and ws.year(2024) == 2024
    assert ws.processed(2025) == tmp_path / "data" / "processed" / "2025"


@pytest.mark.parametrize("text, expected", [
    ("博山区城东街道", ("城东街道", "博山区")),
    ("淄博市博山区城东街道办事处", ("城东街道", "博山区")),
    ("青石镇人民政府", ("青石镇", "")),
    ("2026年重点工作计划", ("", "")),
])
def test_office_names_are_split_from_their_parents(text, expected):
    assert split_office(text) == expected


def test_office_year_and_title_come_from_the_title_line_or_the_metadata():
    identity = document_identity(extract("标题: 城东街道2025年工作谋划\n发布机构: 博山区城东街道\n"))
    assert identity == {"organization": "城东街道", "parent_organization": "博山区", "year": 2025,
                        "title": "城东街道2025年工作谋划"}
    text = "示例镇2026年工作要点\n\n一、聚焦产业发展\n1.新增市场主体200户。\n"
    assert document_identity(extract(text), text)["organization"] == "示例镇"
    assert document_identity(extract(NEW_OFFICE_PLAN), NEW_OFFICE_PLAN)["organization"] == ""


# --------------------------------------------------------------------------- a new office, end to end


def test_a_new_office_goes_from_document_to_reports(tmp_path, run):
    ws_dir = tmp_path / "新单位"
    assert run("init", ws_dir, "--organization", "青石街道")[0] == EXIT_OK
    (ws_dir / "workspace.yaml").unlink()  # the office is known only from the command line or the review
    document = tmp_path / "2026年重点工作计划.txt"
    document.write_bytes(NEW_OFFICE_PLAN.encode("gbk"))

    code, out, err = run("-C", ws_dir, "plan", "import", document)
    ws = workspace.Workspace(ws_dir)
    assert code == EXIT_BAD_INPUT, out + err  # the draft needs its office
    assert "organization" in out and (ws.plan_dir(2026) / document.name).read_bytes() == document.read_bytes()
    plan_file = ws.plan_file(2026)
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace('organization: ""', "organization: 青石街道", 1),
                         encoding="utf-8")
    code, out, err = run("-C", ws_dir, "plan", "check")
    assert code == EXIT_OK, out + err
    assert "青石街道2026年" in out

    code, out, _ = run("-C", ws_dir, "template", "--quarter", "2026Q1", "--out", tmp_path / "templates")
    assert code == EXIT_OK
    templates = sorted((tmp_path / "templates").glob("*.xlsx"))
    book = openpyxl.load_workbook(templates[0])
    assert "青石街道" in book["填报说明"]["A2"].value
    sheet = book["指标填报"]
    header = [c.value for c in sheet[template.HEADER_ROW]]
    assert "上季度累计完成（第一季度，无上季度）" in header
    column = {name: index + 1 for index, name in enumerate(header)}
    for row, value in zip(range(template.FIRST_DATA_ROW, template.FIRST_DATA_ROW + 3), (3, 1, 40)):
        sheet.cell(row=row, column=column["累计完成"], value=value)
        sheet.cell(row=row, column=column["填报日期"], value="2026-04-08")
    (ws.quarter_raw("2026Q1")).mkdir(parents=True)
    book.save(ws.quarter_raw("2026Q1") / templates[0].name)

    code, out, _ = run("-C", ws_dir, "ingest")
    assert code == EXIT_OK and "采用 3" in out and "拒收 0" in out
    code, out, err = run("-C", ws_dir, "build", "--latest", "--today", "2026-04-20", "--formats", "html", "--jobs", "1")
    assert code == EXIT_OK, err
    html = (ws.reports / "2026-Q1" / "quarter.html").read_text(encoding="utf-8")
    assert "<title>青石街道2026年第一季度重点工作进展报告</title>" in html
    assert "城东" not in html and "示例数据" not in html  # real data of another office
    index = (ws.reports / "index.html").read_text(encoding="utf-8")
    assert "<h1>青石街道重点工作进展报告目录</h1>" in index and "城东" not in index
    assert '<p class="quarter-counts">' in index  # the quarter's status counts, also after the run's status is shown
    assert sorted(p.name for p in (ws.reports / "2026-Q1").glob("*.html")) == ["pillar-1.html", "pillar-2.html", "quarter.html"]


# --------------------------------------------------------------------------- several years, the bundled example


def _example_workspace(root: Path, years: dict[int, int]) -> workspace.Workspace:
    """The bundled example's plan for each year (year -> quarters reported), its sample data generated."""
    ws = workspace.init(root, "示例镇")
    generator = _example_generator()
    for year, quarters_reported in years.items():
        ws.plan_dir(year).mkdir(parents=True)
        shutil.copyfile(EXAMPLE / "data" / "raw" / "plans" / "2026" / EXAMPLE_DOC, ws.plan_dir(year) / EXAMPLE_DOC)
        text = (EXAMPLE / "data" / "raw" / "plans" / "2026" / "plan.yaml").read_text(encoding="utf-8")
        text = text.replace("year: 2026", f"year: {year}").replace("title: 示例镇2026年", f"title: 示例镇{year}年")
        ws.plan_file(year).write_text(text, encoding="utf-8")
        assert generator.main(["--workspace", str(ws.root), "--year", str(year), "--quarters", str(quarters_reported)]) == 0
    return ws


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_bundled_example_checks_and_ingests(run):
    code, out, err = run("-C", EXAMPLE, "plan", "check", "--year", "2026")
    assert code == EXIT_OK, out + err
    plan = load_plan(EXAMPLE / "data" / "raw" / "plans" / "2026" / "plan.yaml")
    assert plan.organization == "示例镇" and (plan.kpis["pillar"] == 0).sum() == 4


def test_a_new_year_leaves_last_years_reports_alone(tmp_path, run):
    ws = _example_workspace(tmp_path / "ws", {2025: 1})
    code, _, err = run("-C", ws.root, "build", "--all", "--formats", "html")
    assert code == EXIT_OK, err
    before = _snapshot(ws.reports / "2025-Q1")
    tables_2025 = {name: (ws.processed(2025) / name).read_bytes() for name in ("actuals.parquet", "rejects.parquet")}

    # next year's plan and submissions arrive
    text = ws.plan_file(2025).read_text(encoding="utf-8").replace("year: 2025", "year: 2026").replace("示例镇2025年", "示例镇2026年")
    ws.plan_dir(2026).mkdir(parents=True)
    shutil.copyfile(ws.plan_dir(2025) / EXAMPLE_DOC, ws.plan_dir(2026) / EXAMPLE_DOC)
    ws.plan_file(2026).write_text(text.replace("    name: 新建口袋公园\n", "    name: 新建口袋公园（含街头游园）\n    previous_id: K3.1.03\n", 1)
                                  .replace("    name: 新增养老床位\n", "    name: 新增养老床位（张）\n", 1), encoding="utf-8")
    assert _example_generator().main(["--workspace", str(ws.root), "--year", "2026", "--quarters", "1"]) == 0

    code, _, err = run("-C", ws.root, "build", "--all", "--formats", "html")
    assert code == EXIT_OK, err
    assert _snapshot(ws.reports / "2025-Q1") == before  # not re-rendered, byte-identical
    assert "unchanged, kept: 2025-Q1/quarter" in err and "rendered 2026-Q1/quarter" in err
    # 2026 files are not 2025 rejects: 2025's tables are what they were
    assert {name: (ws.processed(2025) / name).read_bytes() for name in tables_2025} == tables_2025
    index = (ws.reports / "index.html").read_text(encoding="utf-8")
    assert index.index("2026年第一季度") < index.index("2025年第一季度")  # one index, newest first

    pillar = (ws.reports / "2026-Q1" / "pillar-3.html").read_text(encoding="utf-8")
    assert "上年同期" in pillar and "2025年同一季度" in pillar
    quarter = (ws.reports / "2026-Q1" / "quarter.html").read_text(encoding="utf-8")
    # 23 KPIs: 22 recur by name and unit, 1 by previous_id; 新增养老床位（张） changed its name without a link
    assert "本年23项指标中，22项延续2025年的指标" in quarter


# --------------------------------------------------------------------------- plans of any shape


def test_headings_past_ten_pillars_and_for_the_plans_own_targets():
    from reportlib.report import present

    assert present.pillar_heading(12, "聚力") == "（十二）聚力" and present.pillar_heading(0, "") == "总体目标"
    assert present.task_heading("", "") == "本领域指标" and present.task_heading("2.3", "抓好") == "2.3 抓好"


def test_kpis_of_a_pillar_without_tasks_and_of_the_plan_itself_validate(tmp_path):
    from reportlib.plan import dump_plan_yaml, validate_plan

    (tmp_path / "doc.txt").write_text("示例\n", encoding="utf-8")
    kpi = {"pillar": 1, "task": "", "name": "新增就业", "kind": "count", "target": 10, "unit": "人",
           "comparator": "at_least", "period": "year", "source_text": "新增就业10人"}
    data = {"organization": "青石镇", "year": 2026, "title": "青石镇2026年工作要点", "source": "doc.txt",
            "pillars": [{"pillar": 1, "title": "发展", "tasks": []}],
            "kpis": [{**kpi, "id": "K1.0.01"}, {**kpi, "id": "K0.0.01", "pillar": 0}]}
    path = tmp_path / "plan.yaml"
    path.write_text(dump_plan_yaml(data), encoding="utf-8")
    assert validate_plan(path) == []
    data["kpis"][0]["id"] = "K1.1.01"
    data["kpis"][1]["pillar"] = 4
    path.write_text(dump_plan_yaml(data), encoding="utf-8")
    problems = " ".join(validate_plan(path))
    assert "K1.0.<序号>" in problems and "篇章不存在" in problems


def test_a_quarters_report_lists_only_its_own_files_not_read():
    from reportlib.actuals import quarter_notes

    summary = {"files_not_read": [{"file": "2026-Q2/.副本.xlsx", "reason": "dot_file"},
                                  {"file": "说明.docx", "reason": "other_type"},
                                  {"file": "2026Q3/.副本.xlsx", "reason": "dot_file"},
                                  {"file": "2025Q4/a.xlsx", "reason": "other_year"}],
               "conflicts": [{"quarter": "2026Q2", "kpi_id": "K1.1.01"}, {"quarter": "2026Q1", "kpi_id": "K1.1.02"}]}
    notes = quarter_notes(summary, "2026Q2")
    assert [e["file"] for e in notes["files_not_read"]] == ["2026-Q2/.副本.xlsx", "说明.docx"]
    assert [c["kpi_id"] for c in notes["conflicts"]] == ["K1.1.01"]
