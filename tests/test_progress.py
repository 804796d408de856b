"""Tests for reportlib.progress: expected progress, status, roll-ups, forecast, CLI."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportlib import cli
from reportlib.errors import EXIT_BAD_INPUT, InputError
from reportlib.progress import (
    AHEAD,
    BEHIND,
    DONE,
    MISSING,
    ON_TRACK,
    PROGRESS_COLUMNS,
    SEVERELY_BEHIND,
    STATUS_LABELS,
    STATUS_ORDER,
    STATUS_RANK,
    compute_progress,
    laggards,
    milestone_status,
    missing_submissions,
    progress_over_year,
    rollup,
    status_counts,
    status_rules_table,
    status_rules_text,
)

NAN = float("nan")
CONTRACT_COLUMNS = [
    "kpi_id", "pillar", "task", "name", "kind", "unit", "quarter", "actual", "target", "expected",
    "completion", "progress_ratio", "gap", "status", "status_label", "previous_actual", "change",
    "forecast", "forecast_flag", "forecast_meets", "state", "note", "approximate",
]
ACTUALS_COLUMNS = [
    "kpi_id", "quarter", "cumulative", "increment", "state", "approximate", "note",
    "reporting_unit", "reporter", "report_date", "source_file", "source_sheet",
    "source_row", "superseded", "flags", "judgement", "reasons", "judgement_message",
]


# --------------------------------------------------------------------------- builders


def kpi(kpi_id="K1.1.01", kind="count", target=100.0, **extra) -> dict:
    """One plan KPI row (Plan.kpis columns)."""
    row = {
        "kpi_id": kpi_id, "pillar": 1, "task": "1.1", "name": f"指标{kpi_id}", "kind": kind,
        "target": None if kind == "milestone" else target,
        "unit": "%" if kind in ("rate", "growth_rate") else "个",
        "comparator": "at_most" if kind == "zero_target" else "at_least",
        "period": "year", "schedule": None, "due_quarter": None, "owner": "党建办", "source_text": "",
    }
    row.update(extra)
    return row


def plan_of(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def sub(kpi_id, quarter, cumulative=NAN, state="", **extra) -> dict:
    """One actuals row (contract columns)."""
    row = {
        "kpi_id": kpi_id, "quarter": quarter, "cumulative": float(cumulative), "increment": NAN,
        "state": state, "approximate": False, "note": "", "reporting_unit": "党建办", "reporter": "张三",
        "report_date": "", "source_file": f"{quarter}/a.csv", "source_sheet": "", "source_row": 2,
        "superseded": False, "flags": "", "judgement": "accepted", "reasons": "", "judgement_message": "",
    }
    row.update(extra)
    return row


def actuals_of(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=ACTUALS_COLUMNS)


def one(plan_row: dict, subs: list[dict], quarter: str) -> dict:
    """The progress row of a one-KPI plan."""
    table = compute_progress(plan_of(plan_row), actuals_of(*subs), quarter)
    assert len(table) == 1
    return table.iloc[0].to_dict()


# --------------------------------------------------------------------------- table shape


def test_columns_follow_the_contract_and_plan_object_is_accepted():
    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi("K1.1.01"), kpi("K1.1.02")))
    table = compute_progress(plan, actuals_of(sub("K1.1.01", "2025Q2", 50)), "2025Q2")
    assert list(table.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert list(table.columns) == PROGRESS_COLUMNS
    assert list(table["kpi_id"]) == ["K1.1.01", "K1.1.02"]
    assert table["status_label"].tolist() == ["达进度", "未报送"]
    assert table["quarter"].unique().tolist() == ["2025Q2"]


def test_quarter_written_in_chinese_is_read():
    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi()))
    table = compute_progress(plan, actuals_of(sub("K1.1.01", "2025Q3", 75)), "2025年第三季度")
    assert table.loc[0, "quarter"] == "2025Q3"
    assert table.loc[0, "status"] == ON_TRACK


def test_quarter_outside_plan_year_is_an_input_error():
    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi()))
    with pytest.raises(InputError):
        compute_progress(plan, actuals_of(), "2026Q1")


def test_unknown_kind_is_an_input_error_naming_the_kpi():
    with pytest.raises(InputError, match="K9.9.99"):
        compute_progress(plan_of(kpi("K9.9.99", kind="banana")), actuals_of(), "2025Q1")


# --------------------------------------------------------------------------- expected progress


def test_cumulative_expected_is_linear():
    row = one(kpi(target=170), [sub("K1.1.01", "2025Q3", 127.5)], "2025Q3")
    assert row["expected"] == pytest.approx(127.5)
    assert row["progress_ratio"] == pytest.approx(1.0)
    assert row["completion"] == pytest.approx(0.75)
    assert row["gap"] == pytest.approx(0.0)
    assert row["status"] == ON_TRACK


def test_schedule_overrides_linear_expected():
    plan_row = kpi(target=170, schedule=(40, 85, 130, 170))
    row = one(plan_row, [sub("K1.1.01", "2025Q1", 40)], "2025Q1")
    assert row["expected"] == 40
    assert row["status"] == ON_TRACK
    # Forecast follows the planned pace: 40 of 40 planned -> the full 170.
    assert row["forecast"] == pytest.approx(170)
    assert row["forecast_meets"] is True


def test_schedule_with_nothing_due_yet():
    plan_row = kpi(target=100, schedule=[0, 50, 80, 100])
    assert one(plan_row, [sub("K1.1.01", "2025Q1", 0)], "2025Q1")["status"] == ON_TRACK
    row = one(plan_row, [sub("K1.1.01", "2025Q1", 5)], "2025Q1")
    assert row["status"] == AHEAD
    assert "nothing_due_yet" in row["flags"]
    assert math.isnan(row["progress_ratio"])


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (55.0, AHEAD),  # ratio 1.10 exactly
        (54.9, ON_TRACK),
        (47.5, ON_TRACK),  # 0.95 exactly
        (47.4, BEHIND),
        (35.0, BEHIND),  # 0.70 exactly
        (34.9, SEVERELY_BEHIND),
        (0.0, SEVERELY_BEHIND),
        (99.9, AHEAD),
        (100.0, DONE),
        (250.0, DONE),
    ],
)
def test_status_thresholds_at_half_year(actual, status):
    row = one(kpi(target=100), [sub("K1.1.01", "2025Q2", actual)], "2025Q2")
    assert row["expected"] == 50
    assert row["status"] == status
    assert row["status_label"] == STATUS_LABELS[status]


def test_rate_is_point_in_time():
    plan_row = kpi(kind="rate", target=95)
    row = one(plan_row, [sub("K1.1.01", "2025Q1", 93)], "2025Q1")
    assert row["expected"] == 95
    assert row["status"] == ON_TRACK  # 93 / 95 = 0.979
    assert one(plan_row, [sub("K1.1.01", "2025Q1", 90)], "2025Q1")["status"] == BEHIND
    assert one(plan_row, [sub("K1.1.01", "2025Q1", 96)], "2025Q1")["status"] == DONE


def test_percent_is_taken_from_the_actuals_table_as_percent_points():
    """Ingest owns 0.95 -> 95; progress reads the 95 the actuals table holds."""
    row = one(kpi(kind="rate", target=95), [sub("K1.1.01", "2025Q2", 95, flags="percent_as_fraction")], "2025Q2")
    assert row["actual"] == 95
    assert row["completion"] == pytest.approx(1.0)
    assert row["status"] == DONE
    assert row["actual_flags"] == "percent_as_fraction"


def test_percent_fraction_through_ingest(tmp_path):
    """A submission of 0.95 against a 95 % target ends up done (ingest + progress)."""
    from reportlib import actuals as actuals_module

    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi("K1.1.01", kind="rate", target=95, name="群众满意率")))
    raw = tmp_path / "raw" / "2025Q2"
    raw.mkdir(parents=True)
    (raw / "a.csv").write_text(
        "指标编号,指标名称,季度,累计完成,填报单位,填报日期\nK1.1.01,群众满意率,2025Q2,0.95,党建办,2025-06-30\n",
        encoding="utf-8",
    )
    result = actuals_module.ingest(tmp_path / "raw", tmp_path / "out", plan, write=False)
    row = compute_progress(plan, result.actuals, "2025Q2").iloc[0]
    assert row["actual"] == pytest.approx(95)
    assert row["status"] == DONE


def test_negative_growth_is_severely_behind_with_a_forecast_flag():
    row = one(kpi(kind="growth_rate", target=8), [sub("K1.1.01", "2025Q2", -3)], "2025Q2")
    assert row["status"] == SEVERELY_BEHIND
    assert row["completion"] == pytest.approx(-3 / 8)
    assert row["forecast"] == -3
    assert set(row["forecast_flag"].split(";")) == {"single_quarter", "negative"}
    assert row["forecast_meets"] is False
    # The roll-up caps it at 0, never below.
    table = compute_progress(plan_of(kpi(kind="growth_rate", target=8)), actuals_of(sub("K1.1.01", "2025Q2", -3)), "2025Q2")
    assert rollup(table).loc[0, "avg_completion"] == 0.0


@pytest.mark.parametrize(
    ("period", "per_period", "quarter", "expected", "target"),
    [
        ("week", 1, "2025Q2", 26, 52),
        ("month", 1, "2025Q3", 9, 12),
        ("quarter", 1, "2025Q1", 1, 4),
        ("half_year", 1, "2025Q2", 1, 2),
        ("year", 2, "2025Q2", 1, 2),
    ],
)
def test_recurring_expects_value_times_periods_elapsed(period, per_period, quarter, expected, target):
    row = one(kpi(kind="recurring", target=per_period, period=period), [sub("K1.1.01", quarter, expected)], quarter)
    assert row["expected"] == pytest.approx(expected)
    assert row["target"] == pytest.approx(target)
    assert row["plan_target"] == per_period
    assert row["completion"] == pytest.approx(expected / target)
    assert row["status"] in (ON_TRACK, DONE)


def test_recurring_behind_and_forecast_at_run_rate():
    row = one(kpi(kind="recurring", target=1, period="week"), [sub("K1.1.01", "2025Q2", 20)], "2025Q2")
    assert row["status"] == BEHIND  # 20 / 26 = 0.77
    assert row["forecast"] == pytest.approx(40)
    assert row["forecast_meets"] is False


# --------------------------------------------------------------------------- milestones


@pytest.mark.parametrize(
    ("state", "q", "due", "status"),
    [
        ("not_started", 1, 3, ON_TRACK),  # due two quarters ahead
        ("not_started", 2, 3, BEHIND),  # due next quarter
        ("in_progress", 2, 3, ON_TRACK),
        ("in_progress", 3, 3, SEVERELY_BEHIND),  # due quarter ended undone
        ("not_started", 3, 3, SEVERELY_BEHIND),
        ("done", 3, 3, DONE),
        ("done", 4, 3, DONE),  # late, but done
        ("in_progress", 4, 3, SEVERELY_BEHIND),
        ("not_started", 3, 4, BEHIND),
        ("in_progress", 3, 4, ON_TRACK),
    ],
)
def test_milestone_status(state, q, due, status):
    assert milestone_status(state, q, due) == status


def test_milestone_defaults_to_q4_and_completion_weights():
    plan_row = kpi("K2.1.01", kind="milestone", unit="")
    subs = [sub("K2.1.01", "2025Q3", state="not_started")]
    row = one(plan_row, subs, "2025Q3")
    assert row["status"] == BEHIND  # due Q4 by default, not started at the end of Q3
    assert row["completion"] == 0.0
    assert row["state_label"] == "未启动"
    assert math.isnan(row["target"]) and math.isnan(row["expected"])
    assert row["forecast_meets"] is None
    assert one(plan_row, [sub("K2.1.01", "2025Q3", state="in_progress")], "2025Q3")["completion"] == 0.5
    done = one(plan_row, [sub("K2.1.01", "2025Q3", state="done")], "2025Q3")
    assert (done["completion"], done["status"], done["forecast_meets"]) == (1.0, DONE, True)


def test_milestone_done_then_undone_is_flagged_reopened():
    plan_row = kpi("K2.1.01", kind="milestone", due_quarter=4)
    subs = [sub("K2.1.01", "2025Q2", state="done"), sub("K2.1.01", "2025Q3", state="in_progress")]
    q2 = one(plan_row, subs, "2025Q2")
    assert q2["status"] == DONE and q2["flags"] == ""
    q3 = one(plan_row, subs, "2025Q3")
    assert q3["status"] == ON_TRACK
    assert q3["state"] == "in_progress"
    assert q3["previous_state"] == "done"
    assert "milestone_reopened" in q3["flags"].split(";")
    assert q3["completion"] == 0.5


def test_milestone_past_due_will_not_be_met():
    row = one(kpi("K2.1.01", kind="milestone", due_quarter=2), [sub("K2.1.01", "2025Q3", state="in_progress")], "2025Q3")
    assert row["status"] == SEVERELY_BEHIND
    assert row["forecast_meets"] is False


# --------------------------------------------------------------------------- caps


def test_zero_target_met_while_actual_at_most_zero():
    plan_row = kpi(kind="zero_target", target=0, unit="起")
    q2 = one(plan_row, [sub("K1.1.01", "2025Q2", 0)], "2025Q2")
    assert (q2["status"], q2["completion"], q2["gap"]) == (ON_TRACK, 1.0, 0.0)
    assert q2["forecast_meets"] is True
    q4 = one(plan_row, [sub("K1.1.01", "2025Q4", 0)], "2025Q4")
    assert q4["status"] == DONE
    breached = one(plan_row, [sub("K1.1.01", "2025Q2", 2)], "2025Q2")
    assert (breached["status"], breached["completion"], breached["gap"]) == (SEVERELY_BEHIND, 0.0, 2.0)
    assert breached["relative_gap"] == 1.0
    assert breached["forecast_meets"] is False


@pytest.mark.parametrize(("actual", "status"), [(40, ON_TRACK), (50, ON_TRACK), (60, BEHIND), (100, BEHIND), (120, SEVERELY_BEHIND)])
def test_at_most_cumulative_is_paced(actual, status):
    row = one(kpi(target=100, comparator="at_most"), [sub("K1.1.01", "2025Q2", actual)], "2025Q2")
    assert row["status"] == status
    assert row["gap"] == actual - 100
    assert row["completion"] == (1.0 if actual <= 100 else 0.0)


def test_at_most_rate_compares_with_the_target_itself():
    plan_row = kpi(kind="rate", target=5, comparator="at_most")
    assert one(plan_row, [sub("K1.1.01", "2025Q1", 4.9)], "2025Q1")["status"] == ON_TRACK
    assert one(plan_row, [sub("K1.1.01", "2025Q1", 5.1)], "2025Q1")["status"] == SEVERELY_BEHIND
    assert one(plan_row, [sub("K1.1.01", "2025Q4", 5)], "2025Q4")["status"] == DONE


def test_exactly_is_read_as_at_least():
    row = one(kpi(target=10, comparator="exactly"), [sub("K1.1.01", "2025Q4", 10)], "2025Q4")
    assert row["status"] == DONE
    assert one(kpi(target=10, comparator="exactly"), [sub("K1.1.01", "2025Q4", 12)], "2025Q4")["status"] == DONE


# --------------------------------------------------------------------------- submissions over time


def test_missing_quarter_shows_previous_actual_and_stale_forecast():
    row = one(kpi(target=100), [sub("K1.1.01", "2025Q1", 30)], "2025Q2")
    assert row["status"] == MISSING
    assert math.isnan(row["actual"]) and math.isnan(row["completion"])
    assert row["previous_actual"] == 30
    assert row["previous_quarter"] == "2025Q1"
    assert row["expected"] == 50
    assert row["forecast"] == pytest.approx(120)
    assert row["forecast_flag"] == "single_quarter;from_earlier_quarter"


def test_quarter_before_any_submission_is_all_missing():
    plan = plan_of(kpi("K1.1.01"), kpi("K1.1.02", kind="rate", target=90), kpi("K1.1.03", kind="milestone"))
    table = compute_progress(plan, actuals_of(sub("K1.1.01", "2025Q2", 50)), "2025Q1")
    assert set(table["status"]) == {MISSING}
    assert table["forecast"].isna().all()
    assert table["forecast_meets"].isna().all()
    assert table["previous_actual"].isna().all()


def test_quarter_beyond_the_data_is_all_missing():
    plan = plan_of(kpi("K1.1.01"), kpi("K1.1.02", kind="milestone"))
    acts = actuals_of(sub("K1.1.01", "2025Q3", 80), sub("K1.1.02", "2025Q3", state="done"))
    table = compute_progress(plan, acts, "2025Q4")
    assert table["status"].tolist() == [MISSING, MISSING]
    assert table["previous_actual"].iloc[0] == 80
    assert table["previous_state"].iloc[1] == "done"
    assert missing_submissions(table)["kpi_id"].tolist() == ["K1.1.01", "K1.1.02"]


def test_no_actuals_at_all():
    table = compute_progress(plan_of(kpi()), actuals_of(), "2025Q3")
    assert table["status"].tolist() == [MISSING]


def test_change_since_previous_quarter():
    subs = [sub("K1.1.01", "2025Q1", 30), sub("K1.1.01", "2025Q2", 55)]
    row = one(kpi(target=100), subs, "2025Q2")
    assert row["previous_actual"] == 30
    assert row["change"] == 25
    assert "single_quarter" not in row["forecast_flag"]
    assert row["forecast"] == pytest.approx(110)
    assert math.isnan(one(kpi(target=100), subs, "2025Q1")["change"])


def test_superseded_rows_are_ignored():
    subs = [
        sub("K1.1.01", "2025Q2", 90, superseded=True, report_date="2025-06-01"),
        sub("K1.1.01", "2025Q2", 50, report_date="2025-07-01"),
    ]
    row = one(kpi(target=100), subs, "2025Q2")
    assert row["actual"] == 50


def test_other_years_and_unknown_kpis_are_ignored():
    subs = [sub("K1.1.01", "2024Q4", 100), sub("K9.9.99", "2025Q2", 5), sub("K1.1.01", "2025Q2", 50)]
    row = one(kpi(target=100), subs, "2025Q2")
    assert row["actual"] == 50
    assert math.isnan(row["previous_actual"])


def test_approximate_and_note_are_carried():
    row = one(kpi(target=100), [sub("K1.1.01", "2025Q2", 50, approximate=True, note="约50个")], "2025Q2")
    assert row["approximate"] is True or row["approximate"] == True  # noqa: E712 (numpy bool)
    assert row["note"] == "约50个"


# --------------------------------------------------------------------------- forecast


def test_forecast_flags_implausible_run_rate_without_clamping():
    row = one(kpi(target=10), [sub("K1.1.01", "2025Q1", 9)], "2025Q1")
    assert row["forecast"] == pytest.approx(36)  # not clamped
    assert set(row["forecast_flag"].split(";")) == {"single_quarter", "over_3x_target"}
    assert row["forecast_meets"] is True


def test_forecast_meets_for_cumulative():
    subs = [sub("K1.1.01", "2025Q2", 40), sub("K1.1.01", "2025Q3", 60)]
    row = one(kpi(target=100), subs, "2025Q3")
    assert row["forecast"] == pytest.approx(80)
    assert row["forecast_meets"] is False
    assert row["forecast_flag"] == ""


def test_rate_forecast_is_latest_value():
    subs = [sub("K1.1.01", "2025Q1", 80), sub("K1.1.01", "2025Q2", 92)]
    row = one(kpi(kind="rate", target=90), subs, "2025Q2")
    assert row["forecast"] == 92 and row["forecast_meets"] is True and row["forecast_flag"] == ""


# --------------------------------------------------------------------------- roll-ups


def _sample_progress() -> pd.DataFrame:
    plan = plan_of(
        kpi("K1.1.01", target=100),  # 200 % -> capped at 100 %
        kpi("K1.1.02", target=100),  # 0 % -> severely behind
        kpi("K1.2.01", task="1.2", target=100),  # missing
        kpi("K1.10.01", task="1.10", kind="milestone"),  # in progress
        kpi("K2.1.01", pillar=2, task="2.1", target=100),  # behind
    )
    acts = actuals_of(
        sub("K1.1.01", "2025Q2", 200),
        sub("K1.1.02", "2025Q2", 0),
        sub("K1.10.01", "2025Q2", state="in_progress"),
        sub("K2.1.01", "2025Q2", 40),
    )
    return compute_progress(plan, acts, "2025Q2")


def test_rollup_by_task():
    table = rollup(_sample_progress(), by="task")
    assert table["task"].tolist() == ["1.1", "1.2", "1.10", "2.1"]
    first = table.iloc[0]
    assert first["kpis"] == 2 and first["done"] == 1 and first["severely_behind"] == 1
    assert first["avg_completion"] == pytest.approx(0.5)  # one overshoot cannot hide a laggard
    assert first["worst_status"] == SEVERELY_BEHIND and first["worst_status_label"] == "严重滞后"
    missing_only = table.iloc[1]
    assert missing_only["missing"] == 1 and math.isnan(missing_only["avg_completion"])
    assert missing_only["worst_status"] == MISSING
    assert table.iloc[2]["avg_completion"] == 0.5


def test_rollup_by_pillar():
    table = rollup(_sample_progress(), by="pillar")
    assert list(table.columns) == [
        "pillar", "kpis", "done", "ahead", "on_track", "behind", "severely_behind", "held", "missing",
        "avg_completion", "worst_status", "worst_status_label",
    ]
    assert table["pillar"].tolist() == [1, 2]
    assert table["kpis"].tolist() == [4, 1]
    assert table.iloc[0]["avg_completion"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert table.iloc[0]["worst_status"] == MISSING
    with pytest.raises(ValueError):
        rollup(_sample_progress(), by="owner")


def test_laggards_ordered_by_status_then_relative_gap():
    table = laggards(_sample_progress())
    assert table["kpi_id"].tolist() == ["K1.1.02", "K2.1.01"]
    assert table["relative_gap"].tolist() == pytest.approx([1.0, 0.2])
    assert laggards(_sample_progress(), limit=1)["kpi_id"].tolist() == ["K1.1.02"]


def test_missing_submissions_and_status_counts():
    progress_table = _sample_progress()
    assert missing_submissions(progress_table)["kpi_id"].tolist() == ["K1.2.01"]
    counts = status_counts(progress_table)
    assert counts["status"].tolist() == ["done", "ahead", "on_track", "behind", "severely_behind", "held", "missing"]
    assert counts["status_label"].tolist() == ["已完成", "超进度", "达进度", "欠进度", "严重滞后", "待核实", "未报送"]
    assert counts["count"].tolist() == [1, 0, 1, 1, 1, 0, 1]


def test_progress_over_year_concatenates_four_quarters():
    plan = plan_of(kpi("K1.1.01"), kpi("K1.1.02"))
    acts = actuals_of(sub("K1.1.01", "2025Q1", 25), sub("K1.1.01", "2025Q2", 50))
    table = progress_over_year(plan, acts, 2025)
    assert len(table) == 8
    assert table["quarter"].unique().tolist() == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    first = table[table["kpi_id"] == "K1.1.01"]["status"].tolist()
    assert first == [ON_TRACK, ON_TRACK, MISSING, MISSING]


def test_progress_through_a_quarter_reuses_the_table_at_hand_and_matches_the_whole_year():
    plan = plan_of(kpi("K1.1.01"), kpi("K1.1.02"))
    acts = actuals_of(sub("K1.1.01", "2025Q1", 25), sub("K1.1.01", "2025Q2", 50))
    whole = progress_over_year(plan, acts, 2025)
    current = compute_progress(plan, acts, "2025Q2")
    through = progress_over_year(plan, acts, 2025, through="2025Q2", known={"2025Q2": current})
    pd.testing.assert_frame_equal(through, whole[whole["quarter"] <= "2025Q2"].reset_index(drop=True))
    marked = current.assign(name="（已算好的表）")
    reused = progress_over_year(plan, acts, 2025, through="2025Q2", known={"2025Q2": marked})
    assert reused["name"].tolist()[-2:] == ["（已算好的表）"] * 2


# --------------------------------------------------------------------------- rules text


def test_status_rules_state_the_thresholds_and_every_label():
    text = status_rules_text()
    for needle in ("110%", "95%", "70%", "序时进度", "50%", *STATUS_LABELS.values()):
        assert needle in text
    table = status_rules_table()
    assert table["状态"].tolist() == ["已完成", "超进度", "达进度", "欠进度", "严重滞后", "待核实", "未报送"]


def test_status_order_is_worst_to_best():
    assert STATUS_ORDER[0] == MISSING and STATUS_ORDER[-1] == DONE
    assert STATUS_RANK[SEVERELY_BEHIND] < STATUS_RANK[BEHIND] < STATUS_RANK[ON_TRACK] < STATUS_RANK[AHEAD]


# --------------------------------------------------------------------------- properties

AT_LEAST_KINDS = st.sampled_from(["count", "area", "length", "recurring", "rate", "growth_rate"])
FIGURES = st.floats(min_value=-1e6, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def schedules(draw):
    if not draw(st.booleans()):
        return None
    steps = draw(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=4, max_size=4))
    total, out = 0.0, []
    for step in steps:
        total += step
        out.append(total)
    return tuple(out)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=AT_LEAST_KINDS,
    target=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    schedule=schedules(),
    q=st.integers(min_value=1, max_value=4),
    figures=st.lists(FIGURES, min_size=2, max_size=8),
)
def test_status_never_gets_worse_as_the_actual_grows(kind, target, schedule, q, figures):
    """Same KPI spec, growing actuals: the STATUS_ORDER rank never falls."""
    figures = sorted(figures)
    if kind in ("rate", "growth_rate"):
        schedule = None
    ids = [f"K1.1.{i:02d}" for i in range(len(figures))]
    plan = plan_of(*(kpi(kpi_id, kind=kind, target=target, schedule=schedule, period="month") for kpi_id in ids))
    quarter = f"2025Q{q}"
    table = compute_progress(plan, actuals_of(*(sub(k, quarter, f) for k, f in zip(ids, figures))), quarter)
    ranks = [STATUS_RANK[status] for status in table["status"]]
    assert MISSING not in set(table["status"])
    assert ranks == sorted(ranks)


STATUS_CODES = st.sampled_from(list(STATUS_ORDER))


@st.composite
def progress_tables(draw):
    n = draw(st.integers(min_value=0, max_value=30))
    rows = []
    for i in range(n):
        status = draw(STATUS_CODES)
        completion = NAN if status == MISSING else draw(st.floats(min_value=-5, max_value=50, allow_nan=False))
        rows.append({
            "kpi_id": f"K{i}", "pillar": draw(st.integers(1, 3)), "task": draw(st.sampled_from(["1.1", "1.2", "2.1", "1.10"])),
            "status": status, "completion": completion, "relative_gap": 0.0,
        })
    return pd.DataFrame(rows, columns=["kpi_id", "pillar", "task", "status", "completion", "relative_gap"])


@settings(max_examples=100, deadline=None)
@given(table=progress_tables(), by=st.sampled_from(["task", "pillar"]))
def test_rollup_counts_add_up_and_average_is_capped(table, by):
    result = rollup(table, by=by)
    assert result["kpis"].sum() == len(table)
    status_sum = result[list(STATUS_ORDER)].sum(axis=1)
    assert (status_sum == result["kpis"]).all()
    for _, row in result.iterrows():
        if row["missing"] == row["kpis"]:
            assert math.isnan(row["avg_completion"])
        else:
            assert 0.0 <= row["avg_completion"] <= 1.0
    assert status_counts(table)["count"].sum() == len(table)


@settings(max_examples=60, deadline=None)
@given(
    figures=st.lists(st.one_of(st.none(), FIGURES), min_size=1, max_size=8),
    kinds=st.lists(st.sampled_from(["count", "rate", "growth_rate", "recurring", "zero_target", "milestone"]), min_size=8, max_size=8),
    states=st.lists(st.sampled_from(["not_started", "in_progress", "done"]), min_size=8, max_size=8),
    q=st.integers(min_value=1, max_value=4),
)
def test_real_progress_rolls_up_consistently(figures, kinds, states, q):
    quarter = f"2025Q{q}"
    plan_rows, subs = [], []
    for i, figure in enumerate(figures):
        kind = kinds[i]
        kpi_id = f"K1.{i % 3 + 1}.{i:02d}"
        plan_rows.append(kpi(kpi_id, kind=kind, task=f"1.{i % 3 + 1}", target=0 if kind == "zero_target" else 50))
        if figure is not None:
            subs.append(sub(kpi_id, quarter, state=states[i]) if kind == "milestone" else sub(kpi_id, quarter, figure))
    table = compute_progress(plan_of(*plan_rows), actuals_of(*subs), quarter)
    assert len(table) == len(figures)
    assert (table["status"] == MISSING).sum() == sum(figure is None for figure in figures)
    for by in ("task", "pillar"):
        result = rollup(table, by=by)
        assert result["kpis"].sum() == len(table)
        assert ((result["avg_completion"] >= 0) & (result["avg_completion"] <= 1) | result["avg_completion"].isna()).all()


# --------------------------------------------------------------------------- CLI


def test_cli_without_actuals_tells_to_run_ingest(tmp_path, capsys):
    code = cli.main(["progress", "--quarter", "2025Q3", "--processed", str(tmp_path)])
    assert code == EXIT_BAD_INPUT
    assert "reportlib ingest" in capsys.readouterr().err


def test_cli_writes_csv_with_bom_and_prints_counts(tmp_path, capsys, monkeypatch):
    import reportlib.plan

    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi("K1.1.01"), kpi("K1.1.02", kind="rate", target=90)))
    monkeypatch.setattr(reportlib.plan, "load_plan", lambda path=None: plan)
    acts = actuals_of(sub("K1.1.01", "2025Q3", 85, note="=HYPERLINK(\"x\")"))
    acts.to_parquet(tmp_path / "actuals.parquet", index=False)
    out = tmp_path / "out" / "progress.csv"
    code = cli.main(["progress", "--quarter", "2025Q3", "--processed", str(tmp_path), "--out", str(out)])
    assert code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out, encoding="utf-8-sig")
    for column in ("kpi_id", "quarter", "actual", "expected", "target", "completion", "status"):
        assert column in table.columns
    assert table["status"].tolist() == [AHEAD, MISSING]
    assert table["note"].iloc[0].startswith("'=")  # formula injection neutralised
    err = capsys.readouterr().err
    assert "超进度 1" in err and "未报送 1" in err


def test_cli_default_output_beside_actuals(tmp_path, monkeypatch):
    import reportlib.plan

    plan = SimpleNamespace(year=2025, kpis=plan_of(kpi("K1.1.01")))
    monkeypatch.setattr(reportlib.plan, "load_plan", lambda path=None: plan)
    actuals_of(sub("K1.1.01", "2025Q1", 25)).to_parquet(tmp_path / "actuals.parquet", index=False)
    assert cli.main(["progress", "--quarter", "2025年一季度", "--processed", str(tmp_path)]) == 0
    assert (tmp_path / "progress_2025Q1.csv").exists()


def test_actuals_read_back_from_csv_text_flags():
    """approximate / superseded as CSV text ("True"/"False") are read as booleans."""
    subs = [
        sub("K1.1.01", "2025Q2", 90, superseded="True"),
        sub("K1.1.01", "2025Q2", 50, superseded="False", approximate="False"),
    ]
    row = one(kpi(target=100), subs, "2025Q2")
    assert row["actual"] == 50
    assert not row["approximate"]
