"""One consistent state per build: every published figure comes from one data state that the build
checked, whatever options, concurrent commands or edited files it meets.

Each test reproduces a fault of issue 24 on a workspace of its own (the bundled 2025 plan and
submissions, copied): a subset of --formats after a data change, ingest during a build, a plan that
fails plan check, a hand-edited processed table.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportlib import workspace as wsmod
from reportlib.build import lock
from reportlib.cli import main
from reportlib.errors import EXIT_BAD_INPUT, EXIT_LOCK_HELD, EXIT_OK

REPORTLIB = str(Path(sys.executable).with_name("reportlib"))


def _workspace(root: Path) -> Path:
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", root / "data" / "raw")
    return root


def _build(ws: Path, *args: str) -> int:
    """``reportlib -C ws build --quarter 2025Q1 --pillar 5 ARGS`` in this process (log to a file)."""
    return main(["-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--jobs", "1",
                 "--log-file", str(ws / "build.log"), *args])


@pytest.fixture
def ws(tmp_path, monkeypatch):
    root = _workspace(tmp_path / "ws")
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(root))  # (reportlib -C sets it; restored after the test)
    yield root


def _set_figure(ws: Path, kpi_id: str, old: str, new: str) -> None:
    """Change one figure of the Q1 submissions (a department's corrected file)."""
    for path in (ws / "data" / "raw" / "actuals" / "2025Q1").iterdir():
        if path.suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            if kpi_id in text:
                lines = [re.sub(rf"^({re.escape(kpi_id)},[^,]*,[^,]*,){re.escape(old)},", rf"\g<1>{new},", line)
                         for line in text.splitlines(keepends=True)]
                path.write_text("".join(lines), encoding="utf-8-sig")
                return
    raise AssertionError(f"{kpi_id} not in a Q1 CSV")


# --------------------------------------------------------------------------- item 4: the whole plan check


def test_build_runs_the_whole_plan_check_a_target_that_drifted_from_the_document_fails_it(ws, capsys):
    """K1.1.03's target edited away from the document's 170 (its schedule taken out, so that only the
    comparison with the document, not the rule checks, can see it)."""
    plan_file = ws / "data" / "raw" / "plans" / "2025" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    at = text.index("  - id: K1.1.03")
    edited = text[at:].replace("    target: 170\n", "    target: 150\n", 1).replace("    schedule: [40, 85, 130, 170]\n", "", 1)
    plan_file.write_text(text[:at] + edited, encoding="utf-8")
    assert main(["-C", str(ws), "plan", "check"]) == EXIT_BAD_INPUT
    capsys.readouterr()
    assert _build(ws) == EXIT_BAD_INPUT  # (before: built, K1.1.03 已完成)
    err = capsys.readouterr().err
    assert "计划文件检查未通过" in err and "170" in err and "城东合伙人" in err  # what plan check says of it
    assert not (ws / "reports" / "2025-Q1").exists()


# --------------------------------------------------------------------------- item 1: --formats after a data change


def _correct(ws: Path, kpi_id: str, value: int, day: str = "2025/12/31") -> None:
    """A corrected submission for Q1 (a later 填报日期 supersedes the first one)."""
    from reportlib.plan import load_plan

    kpi = load_plan(ws / "data" / "raw" / "plans" / "2025" / "plan.yaml").kpis.set_index("kpi_id").loc[kpi_id]
    folder = ws / "data" / "raw" / "actuals" / "2025Q1"
    (folder / f"更正_{kpi_id}_{value}.csv").write_text(
        "指标编号,指标名称,季度,累计完成,单位,进展说明,填报单位,填报日期\n"
        f"{kpi_id},{kpi['name']},2025Q1,{value},{kpi['unit']},更正,{kpi['owner']},{day}\n", encoding="utf-8")


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "2025-Q1").iterdir()) if p.stem == "pillar-5"}


def test_a_build_of_some_formats_after_a_data_change_leaves_no_other_format_of_the_old_data(ws):
    assert _build(ws) == EXIT_OK
    out = ws / "reports"
    before = _files(out)
    assert set(before) == {"pillar-5.html", "pillar-5.pdf", "pillar-5.docx", "pillar-5.ipynb"}
    _correct(ws, "K5.3.01", 11)
    assert _build(ws, "--formats", "html") == EXIT_OK
    after = _files(out)
    stale = [name for name in after if after[name] == before.get(name)]
    assert not stale, f"{stale} still show the data before the correction beside the new HTML"
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in after:
        if not name.endswith(".ipynb"):
            assert f'href="2025-Q1/{name}"' in index
    # nothing changed since: a build of some formats keeps every file as it is
    assert _build(ws, "--formats", "html") == EXIT_OK and _files(out) == after


# --------------------------------------------------------------------------- item 3: ingest during a build


def _rendering(ws: Path) -> list[str]:
    """Names of the reports the build is rendering now (its staging folder's markers)."""
    names = []
    for marker in (ws / "reports").glob(".staging-*/.running/*"):
        try:
            names.append(marker.read_text(encoding="utf-8"))
        except OSError:
            pass
    return names


# The corrected figure as a report shows it (7个, not 17个 or 0.7个; no Q1 report of the sample shows 7个 before)
CORRECTED = re.compile(r"(?<![\d.,])7个")


def test_ingest_during_a_build_is_refused_and_the_build_publishes_one_data_state(ws):
    build = subprocess.Popen([REPORTLIB, "-C", str(ws), "build", "--quarter", "2025Q1", "--jobs", "1",
                              "--formats", "html", "--log-file", str(ws / "build.log")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(6000):  # the quarter report rendered, the pillar reports not yet
            if "2025-Q1/pillar-1" in _rendering(ws):
                break
            assert build.poll() is None, build.communicate()
            time.sleep(0.02)
        else:
            raise AssertionError("the build never reached pillar-1")
        _correct(ws, "K5.3.01", 7)  # a plausible correction (3 -> 7 of 12) arrives while the build runs ...
        ingest = subprocess.run([REPORTLIB, "-C", str(ws), "ingest"], capture_output=True, text=True, timeout=300)
    finally:
        _, err = build.communicate(timeout=900)
    assert ingest.returncode == EXIT_LOCK_HELD, ingest.stdout + ingest.stderr  # ... and someone ingests it
    assert "另一个报告生成任务正在运行" in ingest.stderr and lock.LOCK_FILE in ingest.stderr
    assert build.returncode == EXIT_OK, err.decode()
    shown = {path.name: path.read_text(encoding="utf-8") for path in (ws / "reports" / "2025-Q1").glob("*.ipynb")}
    assert len(shown) > 3
    assert [name for name, text in shown.items() if CORRECTED.search(text)] == []  # every report: the state the build began with
    # the next build publishes the correction, in every report that shows K5.3.01
    assert main(["-C", str(ws), "build", "--quarter", "2025Q1", "--jobs", "1", "--formats", "html",
                 "--log-file", str(ws / "build2.log")]) == EXIT_OK
    assert CORRECTED.search((ws / "reports" / "2025-Q1" / "pillar-5.ipynb").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- item 5: derived data checked


def test_a_hand_edited_processed_table_is_not_trusted_it_is_rebuilt_from_the_raw_data_with_a_log_line(ws):
    import pandas as pd

    assert _build(ws, "--formats", "html") == EXIT_OK
    parquet = ws / "data" / "processed" / "2025" / "actuals.parquet"
    good = parquet.read_bytes()
    table = pd.read_parquet(parquet)
    table.loc[(table["kpi_id"] == "K5.3.01") & (table["quarter"] == "2025Q1"), "cumulative"] = 999
    table.to_parquet(parquet, index=False)  # a readable table, edited by hand
    assert _build(ws, "--formats", "html", "--force") == EXIT_OK
    assert parquet.read_bytes() == good
    assert "999个" not in (ws / "reports" / "2025-Q1" / "pillar-5.ipynb").read_text(encoding="utf-8")
    log = (ws / "build.log").read_text(encoding="utf-8")
    assert "actuals.parquet 与导入时写入的内容不一致" in log and "重新导入" in log
