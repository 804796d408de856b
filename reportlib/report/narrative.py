"""Headline sentences generated from the data, in Chinese.

Each function returns a list of sentences (plain text built from plan names and
numbers; no submitted free text), which the notebooks show as paragraphs.
"""
from __future__ import annotations

import pandas as pd

from reportlib.report import owners
from reportlib import progress as prog
from reportlib.report.present import fmt_percent, quarter_title

TOP_N = 3


def _counts_sentence(frame: pd.DataFrame, scope: str) -> str:
    counts = prog.status_counts(frame)
    parts = "，".join(f"{label}{count}项" for label, count in zip(counts["status_label"], counts["count"]) if count)
    return f"{scope}共{len(frame)}项指标，其中{parts}。" if parts else f"{scope}没有量化指标。"


def _named(frame: pd.DataFrame) -> str:
    return "、".join(f"“{name}”（完成率{fmt_percent(c)}）" for name, c in zip(frame["name"], frame["completion"]))


def overall(data) -> list[str]:
    """总体情况: status counts, pillar extremes, movers, forecast."""
    frame = data.progress
    when = f"截至{quarter_title(data.year, data.quarter_index)}末"
    sentences = [_counts_sentence(frame, f"{when}，全年重点工作")]
    pillars = prog.rollup(frame[frame["pillar"] != 0], by="pillar").dropna(subset=["avg_completion"])
    overall_avg = prog.capped_completion(frame).mean()
    if overall_avg == overall_avg:  # some KPI has a completion
        sentence = (f"已报送指标的平均完成率为{fmt_percent(overall_avg)}（单项按最高100%计），"
                    f"序时进度为{fmt_percent(data.expected_share)}")
        titles = dict(zip(data.plan.pillars["pillar"], data.plan.pillars["title"]))
        best = pillars.loc[pillars["avg_completion"].idxmax()] if len(pillars) > 1 else None
        worst = pillars.loc[pillars["avg_completion"].idxmin()] if len(pillars) > 1 else None
        if best is not None and best["avg_completion"] != worst["avg_completion"]:
            sentence += (f"；分领域看，“{_short(titles[best['pillar']])}”最高（{fmt_percent(best['avg_completion'])}），"
                         f"“{_short(titles[worst['pillar']])}”最低（{fmt_percent(worst['avg_completion'])}）")
        sentences.append(sentence + "。")
    sentences.extend(_carry_over(data))
    sentences.extend(_movers(frame))
    sentences.extend(_forecast(frame))
    return sentences


def _carry_over(data) -> list[str]:
    """How many of this year's KPIs carry over from last year's plan (compared in the pillar reports)."""
    last = getattr(data, "last_year", None)
    if getattr(data, "previous_year", None) is None or last is None:
        return []
    return [f"本年{len(data.progress)}项指标中，{len(last)}项延续{data.previous_year}年的指标，"
            "分领域报告列出其上年同期完成数。"]


def for_pillar(data, pillar: int) -> list[str]:
    """The pillar report's opening sentences."""
    frame = data.progress[data.progress["pillar"] == pillar]
    when = f"截至{quarter_title(data.year, data.quarter_index)}末"
    sentences = [_counts_sentence(frame, f"{when}，{'总体目标' if pillar == 0 else '本领域'}")]
    avg = prog.capped_completion(frame).mean()
    if avg == avg:
        sentences.append(f"已报送指标平均完成率为{fmt_percent(avg)}，序时进度为{fmt_percent(data.expected_share)}。")
    sentences.extend(_movers(frame))
    sentences.extend(_forecast(frame))
    return sentences


def _short(title: str) -> str:
    """Pillar title up to its first comma: "聚力做好党建文章"."""
    return title.replace("，", ",").split(",")[0]


def _movers(frame: pd.DataFrame) -> list[str]:
    sentences = []
    measurable = frame[(frame["kind"] != "milestone") & frame["status"].isin(["ahead", "done"])]
    ahead = measurable.sort_values(["completion", "kpi_id"], ascending=[False, True]).head(TOP_N)
    if not ahead.empty:
        sentences.append(f"进展较快的有{_named(ahead)}。")
    behind = prog.laggards(frame, limit=TOP_N)
    if not behind.empty:
        sentences.append(f"进展滞后、需重点关注的有{_named(behind)}。")
    missing = int((frame["status"] == "missing").sum())
    if missing:
        sentences.append(f"另有{missing}项指标本季度未报送数据。")
    return sentences


def _forecast(frame: pd.DataFrame) -> list[str]:
    known = frame[frame["forecast_meets"].map(lambda v: v is True or v is False)]
    if known.empty:
        return []
    meets = int(known["forecast_meets"].map(lambda v: v is True).sum())
    return [f"按当前进度推算，{len(known)}项可预测的指标中，预计年底能完成目标的{meets}项，难以完成的{len(known) - meets}项。"]


def for_units(data, table: pd.DataFrame) -> list[str]:
    """各责任单位推进情况: the best and the last unit, units with 严重滞后 and with 未报送.

    ``table``: owners.ranking of the quarter.
    """
    ranked = table[(table["rank"] > 0)]
    with_data = ranked.dropna(subset=["avg_completion"])
    sentences = [f"计划{len(data.progress)}项指标分属{len(ranked)}个责任单位。"] if len(ranked) else []
    if len(with_data) > 1:
        best, last = with_data.iloc[0], with_data.iloc[-1]
        sentences.append(f"按平均完成率排序（规则见说明），{best['owner']}最高（{fmt_percent(best['avg_completion'])}），"
                         f"{last['owner']}最低（{fmt_percent(last['avg_completion'])}）。")
    severe = ranked[ranked[prog.SEVERELY_BEHIND] > 0]
    if not severe.empty:
        sentences.append("有严重滞后指标的单位：" + "、".join(
            f"{o}（{n}项）" for o, n in zip(severe["owner"], severe[prog.SEVERELY_BEHIND])) + "。")
    missing = table[table[prog.MISSING] > 0]
    if not missing.empty:
        sentences.append("本季度尚有指标未报送的单位：" + "、".join(
            f"{o}（{n}项）" for o, n in zip(missing["owner"], missing[prog.MISSING])) + "。")
    return sentences


def for_unit(data, unit: str, table: pd.DataFrame) -> list[str]:
    """The unit report's opening sentences: counts, average completion, place in the ranking, movers."""
    frame = owners.for_owner(data.progress, data.plan.kpis, unit)
    when = f"截至{quarter_title(data.year, data.quarter_index)}末"
    sentences = [_counts_sentence(frame, f"{when}，{unit}负责的重点工作")]
    avg = prog.capped_completion(frame).mean()
    if avg == avg:
        sentences.append(f"已报送指标平均完成率为{fmt_percent(avg)}（单项按最高100%计），"
                         f"序时进度为{fmt_percent(data.expected_share)}。")
    row = table[table["owner"] == unit]
    ranked = table[table["rank"] > 0]
    if not row.empty and int(row.iloc[0]["rank"]) > 0 and len(ranked) > 1:
        sentences.append(f"在{len(ranked)}个责任单位中排第{int(row.iloc[0]['rank'])}位（排名规则见说明）。")
    sentences.extend(_movers(frame))
    return sentences
