"""The judgement of figures (reportlib.actuals.judge): one submission story per rule, the slip set
scored (no slip used silently, no control held), confirmations, and nothing lost.

The submissions are made by tests/fixtures/make_slips.py (deterministic, openpyxl and CSV).
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from reportlib import actuals
from reportlib.actuals import confirmations
from reportlib.actuals.judge_rules import CONFIRMED, HELD, MARK, RULES
from reportlib.actuals.readings import slip_for
from reportlib.errors import InputError

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_slips as slips  # noqa: E402

PLAN = slips.plan()
CASES = {case.name: case for case in slips.CASES}


def judged(tmp_path: Path, case: slips.Case) -> tuple[dict | None, actuals.IngestResult]:
    """Ingest one case; returns (its figure's actuals row or None, the result)."""
    slips.write_case(case, tmp_path)
    result = actuals.ingest(tmp_path / case.name, plan=PLAN, write=False)
    rows = result.actuals[~result.actuals["superseded"] & (result.actuals["kpi_id"] == case.kpi_id)
                          & (result.actuals["quarter"] == slips.quarter(case.q))]
    return (rows.iloc[0].to_dict() if len(rows) else None), result


def used_value(row: dict):
    return row["state"] or row["cumulative"]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_fires_on_a_submission_of_its_kind(tmp_path, code):
    cases = [case for case in slips.CASES if case.rule == code]
    assert cases, f"no submission story for rule {code}"
    for case in cases:
        row, result = judged(tmp_path, case)
        assert row is not None, (case.name, result.rejects["message"].tolist())
        assert code in row["reasons"].split(";"), (case.name, row["reasons"], row["judgement_message"])
        assert row["judgement"] == case.outcome, (case.name, row["judgement_message"])
        if case.value is not None:
            assert used_value(row) == case.value, case.name
        message = row["judgement_message"]
        assert message and RULES[code].action.split("；")[0].split("{")[0][:6] in message  # says what to do
        assert code not in message and "Error" not in message  # Chinese words, no codes


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_row_is_lost_and_the_outcome_is_as_expected(tmp_path, name):
    case = CASES[name]
    row, result = judged(tmp_path, case)
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["superseded"] + s["held"] + s["rejected"] + s["details"]
    assert row is not None and row["judgement"] == case.outcome, (name, row and row["judgement_message"])
    if case.outcome == HELD:  # a held figure is listed by KPI in the summary with where it came from
        entry = next(j for j in s["judged"] if j["kpi_id"] == case.kpi_id and j["quarter"] == slips.quarter(case.q))
        assert entry["outcome"] == HELD and entry["file"].startswith(slips.quarter(case.q)) and entry["row"] == 2


def test_slip_set_score_no_slip_used_silently_and_no_control_held(tmp_path):
    """My own slip set: at least 15 slips of at least 10 kinds and 5 controls."""
    slip_cases = [c for c in slips.CASES if c.slip]
    controls = [c for c in slips.CASES if not c.slip]
    assert len(slip_cases) >= 15 and len({c.kind for c in slip_cases}) >= 10 and len(controls) >= 5
    silent, held_controls, table = [], [], Counter()
    for case in slips.CASES:
        row, _ = judged(tmp_path, case)
        outcome = "rejected" if row is None else row["judgement"]
        table[("slip" if case.slip else "control", outcome)] += 1
        if case.slip and outcome == "accepted":
            silent.append(case.name)
        if not case.slip and outcome == HELD:
            held_controls.append(case.name)
    assert silent == [] and held_controls == [], (silent, held_controls, table)


def test_held_figure_is_no_basis_for_the_next_quarter(tmp_path):
    """Q2 typed ten times too large is held; Q3 is compared with Q1, the last trusted figure."""
    case = slips.Case("next_quarter", "", "K1.1.01", 3, {
        1: [slips.r("K1.1.01", 40, 40, "家")], 2: [slips.r("K1.1.01", 870, 830, "家")],
        3: [slips.r("K1.1.01", 128, None, "家")]}, True, None, "accepted")
    row, result = judged(tmp_path, case)
    frame = result.actuals.set_index("quarter")
    assert frame.loc["2025Q2", "judgement"] == HELD and row["judgement"] == "accepted"
    assert row["cumulative"] == 128 and row["reasons"] == ""  # no fall against the held 870


def test_proposals_name_the_likely_figure_in_the_unit_of_the_plan(tmp_path):
    row, _ = judged(tmp_path, CASES["wan_typed_in_base_unit"])
    assert "是否为1.08万平方米？" in row["judgement_message"]
    row, _ = judged(tmp_path, CASES["extra_zero_cumulative"])
    assert "是否为128家？" in row["judgement_message"]
    row, _ = judged(tmp_path, CASES["ambiguous_comma"])
    assert "可理解为2.15或215" in row["judgement_message"]
    assert slip_for(10_000 * 1.3, "平方米").undo(13_000) == 1.3 and slip_for(0.1, "家").factor == 10


def test_percent_readings_by_kind(tmp_path):
    """A growth rate's bare 0.8 is 0.8 % as typed; a share's 0.95 is 95 % (the only reading the
    target allows); a cap's 0.03 is held (0.03 % and 3 % both plausible); -2.5% and 下降2.5% read."""
    for name, value in (("real_small_growth", 0.8), ("fraction_share_unambiguous", 95.0),
                        ("negative_growth", -2.5), ("negative_growth_in_words", -2.5), ("growth_typed_as_fraction", 8.5)):
        row, _ = judged(tmp_path, CASES[name])
        assert row["cumulative"] == value and row["judgement"] != HELD, name
    row, _ = judged(tmp_path, CASES["share_typed_as_fraction_ambiguous"])
    assert row["judgement"] == HELD and "0.03%" in row["judgement_message"] and "3%" in row["judgement_message"]


# --------------------------------------------------------------------------- confirmations


def _confirm(tmp_path: Path, case: slips.Case, value, who="张伟（电话核实）", why="核对台账无误") -> Path:
    slips.write_case(case, tmp_path)
    return confirmations.append(tmp_path / case.name / slips.quarter(case.q), case.kpi_id, slips.quarter(case.q),
                                value, who, why)


@pytest.mark.parametrize("value", [128, 1280])
def test_a_confirmation_of_the_figure_or_a_proposed_reading_uses_it(tmp_path, value):
    case = CASES["extra_zero_cumulative"]
    _confirm(tmp_path, case, value)
    row, result = judged(tmp_path, case)
    assert row["judgement"] == CONFIRMED and row["cumulative"] == value and "confirmed" in row["flags"]
    assert "经核实确认（张伟（电话核实）：核对台账无误）" in row["judgement_message"]
    assert result.summary["confirmed"] == 1 and result.summary["confirmations_unused"] == []
    assert result.summary["files_not_read"] == []  # the confirmations file is no submission left unread


def test_a_confirmation_of_another_value_is_not_used_and_says_why(tmp_path):
    case = CASES["extra_zero_cumulative"]
    _confirm(tmp_path, case, 500)
    row, result = judged(tmp_path, case)
    assert row["judgement"] == HELD
    [unused] = result.summary["confirmations_unused"]
    assert unused["line"] == 6 and "既不是报送数" in unused["message"] and unused["file"] == "2025Q3/confirmations.yaml"


def test_confirming_a_warning_clears_it_and_a_milestone_confirms_by_state(tmp_path):
    _confirm(tmp_path, CASES["far_above_target"], 25)
    row, _ = judged(tmp_path, CASES["far_above_target"])
    assert row["judgement"] == CONFIRMED
    _confirm(tmp_path, CASES["milestone_went_back"], "未启动", why="手册因上级要求重新修订")
    row, _ = judged(tmp_path, CASES["milestone_went_back"])
    assert row["judgement"] == CONFIRMED and row["state"] == "not_started"


def test_a_malformed_confirmations_file_names_file_and_line(tmp_path):
    case = CASES["extra_zero_cumulative"]
    slips.write_case(case, tmp_path)
    (tmp_path / case.name / "2025Q3" / confirmations.FILE_NAME).write_text(
        "confirmations:\n  - kpi: K9.9.99\n    value: 1\n    who: 张伟\n    why: 核对\n"
        "  - kpi: K1.1.01\n    value: 一百二十八\n    who: 张伟\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        actuals.ingest(tmp_path / case.name, plan=PLAN, write=False)
    text = str(raised.value)
    assert "2025Q3/confirmations.yaml:2: 计划中没有指标 K9.9.99" in text
    assert "2025Q3/confirmations.yaml:6: 缺少 why" in text and "value 应为数字" in text


def test_confirmations_are_part_of_the_ingest_fingerprint(tmp_path):
    case = CASES["extra_zero_cumulative"]
    slips.write_case(case, tmp_path)
    raw, out = tmp_path / case.name, tmp_path / "processed"
    assert actuals.ensure_ingested(plan=PLAN, raw_dir=raw, out_dir=out) is not None
    assert actuals.ensure_ingested(plan=PLAN, raw_dir=raw, out_dir=out) is None  # unchanged: not again
    confirmations.append(raw / "2025Q3", "K1.1.01", "2025Q3", 128, "张伟", "核对台账")
    again = actuals.ensure_ingested(plan=PLAN, raw_dir=raw, out_dir=out)
    assert again is not None and again.summary["confirmed"] == 1


# --------------------------------------------------------------------------- the console


def test_ingest_console_prints_chinese_reasons_not_codes(tmp_path, capsys, monkeypatch):
    from reportlib import cli
    import reportlib.actuals.commands as commands

    case = CASES["negative_count"]
    slips.write_case(case, tmp_path)
    (tmp_path / case.name / "2025Q2" / "extra.csv").write_bytes(
        ",".join(slips.HEADER).encode() + "\nK9.9.99,无此指标,2025Q2,1,,,,,,,\n".encode())
    monkeypatch.setattr(commands, "load_plan_file", lambda path: PLAN)
    code = cli.main(["ingest", "--raw", str(tmp_path / case.name), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "拒收原因：工作计划中没有这个指标 1 行" in printed and "unknown_kpi" not in printed
    assert "暂缓采用（待核实），请填报单位核实（1项）：" in printed
    assert "K1.1.02「增设网格驿站」2025年第二季度" in printed and "完成数不应为负数" in printed
    assert "negative_quantity" not in printed and f"{MARK}" not in printed


def test_rejects_name_the_kpi_by_id_and_name(tmp_path):
    case = slips.Case("bad", "", "K1.1.02", 2, {2: [slips.r("K1.1.02", "见附件", None, "处")]}, True, None, "rejected")
    row, result = judged(tmp_path, case)
    assert row is None
    reject = result.rejects.iloc[0]
    assert (reject["kpi_id"], reject["kpi_name"], reject["quarter"]) == ("K1.1.02", "增设网格驿站", "2025Q2")
    assert "（K1.1.02「增设网格驿站」）" in reject["message"]
    assert actuals.reject_reason(reject.to_dict()) == "不是可识别的数字"


def test_confirm_command_writes_a_checked_entry(tmp_path, monkeypatch, capsys):
    from reportlib import cli, workspace
    import reportlib.actuals.commands as commands

    case = CASES["extra_zero_cumulative"]
    slips.write_case(case, tmp_path / "data" / "raw")
    raw = tmp_path / "data" / "raw" / case.name
    monkeypatch.setattr(commands, "load_plan_file", lambda path: PLAN)
    monkeypatch.setattr(workspace, "current", lambda: workspace.Workspace(tmp_path))
    monkeypatch.setattr(workspace.Workspace, "actuals_raw", property(lambda ws: raw))
    assert cli.main(["confirm", "--quarter", "2025年第三季度", "--kpi", "K1.1.01", "--value", "128",
                     "--who", "张伟（电话核实）", "--why", "核对台账"]) == 0
    assert "已写入" in capsys.readouterr().out
    row, _ = judged(tmp_path / "data" / "raw", case)
    assert row["judgement"] == CONFIRMED and row["cumulative"] == 128
    assert cli.main(["confirm", "--quarter", "2025Q3", "--kpi", "K9.9.99", "--value", "1", "--who", "a", "--why", "b"]) == 3
