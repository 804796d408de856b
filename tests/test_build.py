"""reportlib build: reports, index, atomic publish, lock, incremental and reproducible output."""
from __future__ import annotations

import datetime as dt
import shutil

import nbformat
import pytest

from reportlib import build, workspace
from reportlib.report import index
from reportlib.build import lock, render
from reportlib.cli import main
from reportlib.errors import EXIT_LOCK_HELD, InputError, RenderError

QUARTER = "2025Q3"
JOBS = build.jobs_for_quarter(QUARTER, [2], with_quarter_report=False)


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One pillar report of 2025Q3, built once for the module."""
    out = tmp_path_factory.mktemp("reports")
    outcome = build.build(JOBS, out, ("html", "pdf"))
    return out, outcome


def test_build_writes_report_files_manifest_and_index(built):
    out, outcome = built
    assert [r.job.name for r in outcome.rendered] == ["2025-Q3/pillar-2"]
    for suffix in (".html", ".pdf", ".ipynb"):
        assert (out / "2025-Q3" / f"pillar-2{suffix}").is_file()
    manifest = (out / "2025-Q3" / "manifest.json").read_text(encoding="utf-8")
    assert '"2025-Q3/pillar-2"' in manifest and '"sha256"' in manifest and "data/raw/plans/2025/plan.yaml" in manifest
    listing = (out / "index.html").read_text(encoding="utf-8")
    assert "城东街道2025年第三季度重点工作进展报告——（二）聚力增强产业质效" in listing
    assert 'href="2025-Q3/pillar-2.pdf"' in listing


def test_report_html_is_chinese_marked_sample_and_has_no_code(built):
    out, _ = built
    html = (out / "2025-Q3" / "pillar-2.html").read_text(encoding="utf-8")
    assert "<title>城东街道2025年第三季度重点工作进展报告——（二）" in html
    assert "示例数据" in html
    for code in ("load_report_data", "sections.", "import ", "pillar = 2"):
        assert code not in html
    assert "<script" not in html


def test_executed_notebook_has_no_run_specific_metadata(built):
    out, _ = built
    nb = nbformat.read(out / "2025-Q3" / "pillar-2.ipynb", as_version=4)
    assert set(nb.metadata["papermill"]) == {"parameters"}
    assert all("papermill" not in cell.metadata for cell in nb.cells)


def test_second_build_with_nothing_changed_renders_nothing(built):
    out, _ = built
    before = _snapshot(out)
    outcome = build.build(JOBS, out, ("html", "pdf"))
    assert outcome.rendered == [] and [j.name for j in outcome.skipped] == ["2025-Q3/pillar-2"]
    assert _snapshot(out) == before


def test_two_forced_builds_give_byte_identical_reports(built, tmp_path):
    out, _ = built
    again = tmp_path / "again"
    build.build(JOBS, again, ("html", "pdf"), force=True)
    for name in ("pillar-2.html", "pillar-2.pdf", "pillar-2.ipynb"):
        assert (again / "2025-Q3" / name).read_bytes() == (out / "2025-Q3" / name).read_bytes(), name


def _broken_notebook(folder):
    nb = nbformat.read(workspace.NOTEBOOKS / build.PILLAR_NOTEBOOK, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('模拟失败')"))
    path = folder / "broken.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_failing_notebook_leaves_reports_exactly_as_they_were(built, tmp_path):
    out, _ = built
    before = _snapshot(out)
    broken = build.ReportJob(_broken_notebook(tmp_path), "2025-Q3/pillar-3", {"year": 2025, "quarter": 3, "pillar": 3}, QUARTER)
    with pytest.raises(RenderError) as info:
        build.build([*JOBS, broken], out, ("html", "pdf"), force=True, workers=2)
    assert "broken.ipynb" in str(info.value) and "模拟失败" in str(info.value)
    assert _snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_a_hung_cell_times_out_with_a_clear_message(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(120)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "hang.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RenderError) as info:
        render.execute_notebook(path, tmp_path / "out.ipynb", {}, cell_timeout=2)
    assert "hang.ipynb" in str(info.value) and "Timeout" in str(info.value)


def test_a_second_build_exits_at_once_while_the_lock_is_held(tmp_path, capsys):
    with lock.build_lock(tmp_path):
        code = main(["build", "--quarter", QUARTER, "--out", str(tmp_path)])
    assert code == EXIT_LOCK_HELD
    assert "另一个报告生成任务正在运行" in capsys.readouterr().err
    assert not list(tmp_path.glob("2025-Q*"))


def test_latest_quarter_is_the_last_ended_one_with_data():
    available = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert build.latest_quarter(available, dt.date(2025, 11, 2)) == "2025Q3"
    assert build.latest_quarter(available, dt.date(2026, 11, 26)) == "2025Q4"
    with pytest.raises(InputError):
        build.latest_quarter(available, dt.date(2025, 3, 1))


def test_jobs_cover_the_quarter_report_and_every_pillar():
    names = [job.name for job in build.jobs_for_quarter("2025Q1", [1, 2, 3, 4, 5])]
    units = ["党建办", "城市管理办", "平安建设办", "社会事务办", "经济发展办"]
    assert names == (["2025-Q1/quarter"] + [f"2025-Q1/pillar-{n}" for n in range(1, 6)]
                     + [f"2025-Q1/unit-{build.unit_key(u)}" for u in units])


def test_unknown_pillar_and_quarter_without_data_are_input_errors(tmp_path):
    assert main(["build", "--quarter", "2024Q1", "--out", str(tmp_path)]) == InputError.exit_code
    assert main(["build", "--quarter", QUARTER, "--pillar", "9", "--out", str(tmp_path)]) == InputError.exit_code


def test_index_lists_quarters_newest_first(tmp_path):
    for folder in ("2025-Q1", "2025-Q2"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "quarter.html").write_text(f"<title>{folder} 报告</title>", encoding="utf-8")
    page = index.index_html(tmp_path)
    assert page.index("2025年第二季度") < page.index("2025年第一季度")
    shutil.rmtree(tmp_path / "2025-Q1")


def test_cold_kernels_give_the_same_report_as_warm_ones(built, tmp_path, monkeypatch):
    out, _ = built
    monkeypatch.setenv("REPORTLIB_COLD_KERNELS", "1")
    cold = tmp_path / "cold"
    build.build(JOBS, cold, ("html",), force=True)
    assert (cold / "2025-Q3" / "pillar-2.html").read_bytes() == (out / "2025-Q3" / "pillar-2.html").read_bytes()


def test_a_fresh_checkout_builds_without_a_separate_ingest(tmp_path, monkeypatch):
    """build() ingests the data its jobs read when there is none yet (CI starts from an empty data/processed)."""
    fresh = workspace.Workspace(tmp_path / "ws")
    shutil.copytree(workspace.current().raw, fresh.raw)
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(fresh.root))
    job = build.jobs_for_quarter("2025Q1", [5], with_quarter_report=False)[0]
    assert job.processed_dir == fresh.processed(2025)
    outcome = build.build([job], tmp_path / "out", ("html",))
    assert [r.job.name for r in outcome.rendered] == ["2025-Q1/pillar-5"]
    assert (fresh.processed(2025) / "actuals.parquet").is_file()
    assert "示例数据" in (tmp_path / "out" / "2025-Q1" / "pillar-5.html").read_text(encoding="utf-8")
