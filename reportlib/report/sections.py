"""The sections of the reports, one function each, so that a notebook cell is one call.

Each function displays its block (HTML, markdown, charts) in the running notebook.
"""
from __future__ import annotations

from html import escape

import pandas as pd

from reportlib import progress as prog, quarters
from reportlib.actuals.judge_rules import MARK
from reportlib.report import charts, narrative, navigation, owners, present, quality

MISSING_COLUMNS = {"kpi_id": "编号", "name": "指标", "owner": "责任单位", "previous_quarter": "上次报送季度"}
def _paragraphs(sentences: list[str]) -> None:
    present.show_html("".join(f"<p>{escape(s)}</p>" for s in sentences))


def _title(data, pillar: int | None = None) -> str:
    base = f"{data.plan.organization}{present.quarter_title(data.year, data.quarter_index)}重点工作进展报告"
    if pillar is None:
        return base
    return f"{base}——{present.pillar_heading(pillar, pillar_title(data, pillar))}"


def pillar_title(data, pillar: int) -> str:
    """The pillar's title in the plan; 总体目标 for the plan's own KPIs (pillar 0)."""
    titles = dict(zip(data.plan.pillars["pillar"], data.plan.pillars["title"]))
    return titles.get(pillar, present.PLAN_LEVEL_HEADING)


def report_pillars(data) -> list[int]:
    """The pillars the quarter report goes through: 总体目标 (when the plan has KPIs of its own)
    first, then the plan's pillars in order."""
    own = [0] if (data.progress["pillar"] == 0).any() else []
    return own + [int(p) for p in data.plan.pillars["pillar"]]


def cover(data, pillar: int | None = None) -> None:
    """Title, the dates the data runs to, the source document, and 示例数据 when sample data."""
    end = quarters.quarter_end_date(data.quarter)
    lines = [
        f"数据截至：{end.year}年{end.month}月{end.day}日（最近一次填报：{data.data_until}）",
        f"依据：《{data.plan.title}》，共{len(data.plan.pillars)}个领域、{len(data.plan.tasks)}项工作、{len(data.plan.kpis)}项指标",
    ]
    present.show_html(present.cover_html(_title(data, pillar), lines, data.sample))


# --------------------------------------------------------------------------- quarter report


def overview(data) -> None:
    """总体情况: headline sentences, status counts, completion by pillar."""
    _paragraphs(narrative.overall(data))
    counts = prog.status_counts(data.progress)
    table = pd.DataFrame({"状态": counts["status_label"], "指标数": counts["count"],
                          "占比": [present.fmt_percent(c / max(len(data.progress), 1)) for c in counts["count"]]})
    present.show_html(present.table_html(table, numeric=("指标数", "占比")))
    charts.show(charts.status_counts_chart(dict(zip(counts["status"], counts["count"])), prog.STATUS_LABELS,
                                           title="各状态指标数"))
    pillars = prog.rollup(data.progress, by="pillar")
    labels = [present.pillar_heading(p, narrative._short(pillar_title(data, p))) for p in pillars["pillar"]]
    charts.show(charts.completion_by_group(labels, pillars["avg_completion"] * 100, data.expected_share * 100,
                                           title="各领域平均完成率", status_labels=[f"滞后{b + s}项" for b, s in zip(pillars["behind"], pillars["severely_behind"])]),
                note=present.unreported_note(data.progress))


def pillar_blocks(data) -> None:
    """分领域进展: per pillar, its sentences and a table by task. A big plan
    (present.is_big_plan) gets one table by pillar instead: its tasks are in the pillar reports."""
    tasks = prog.rollup(data.progress, by="task")
    task_titles = dict(zip(data.plan.tasks["task"], data.plan.tasks["title"]))
    big = present.is_big_plan(data.progress)
    if big:
        _pillars_table(data, tasks)
    for pillar in report_pillars(data):
        present.show_html(present.linked_heading_html(3, present.pillar_heading(pillar, pillar_title(data, pillar)),
                                                      navigation.pillar_href(pillar) if pillar else None))
        _paragraphs(narrative.for_pillar(data, pillar)[:2])
        if big:
            continue
        rows = tasks[tasks["pillar"] == pillar]
        if rows.empty:
            present.show_html('<p class="note">本领域没有量化指标。</p>')
            continue
        table = pd.DataFrame({
            "工作": [present.task_heading(t, task_titles.get(t, "")) if pillar else present.PLAN_LEVEL_HEADING
                   for t in rows["task"]],
            "指标数": rows["kpis"],
            **{prog.STATUS_LABELS[c]: rows[c] for c in prog.STATUS_DISPLAY_ORDER},
            "平均完成率": [present.fmt_percent(v) for v in rows["avg_completion"]],
        })
        present.show_html(present.table_html(table, numeric=tuple(table.columns[1:])))


def _pillars_table(data, tasks: pd.DataFrame) -> None:
    """领域 / 工作数 / 指标数 / statuses / 平均完成率, one row per pillar of the report."""
    pillars = prog.rollup(data.progress, by="pillar")
    pillars = pillars[pillars["pillar"].isin(report_pillars(data))]
    table = pd.DataFrame({
        "领域": [present.pillar_heading(p, pillar_title(data, p)) for p in pillars["pillar"]],
        "工作数": [int((tasks["pillar"] == p).sum()) for p in pillars["pillar"]],
        "指标数": pillars["kpis"],
        **{prog.STATUS_LABELS[c]: pillars[c] for c in prog.STATUS_DISPLAY_ORDER},
        "平均完成率": [present.fmt_percent(v) for v in pillars["avg_completion"]],
    })
    present.show_html(f'<p class="note">本计划共 {len(data.progress)} 项指标、{len(tasks)} 项工作，'
                      '下表按领域汇总；各项工作的进展见各领域报告。</p>')
    present.show_html(present.table_html(table, numeric=tuple(table.columns[1:]), links={
        "领域": [navigation.pillar_href(p) if p else None for p in pillars["pillar"]]}))


def attention(data, pillar: int | None = None) -> None:
    """重点关注: laggards by gap, then KPIs with no submission. In a big plan's quarter report
    (present.is_big_plan) each list gives its first present.BIG_PLAN_LIST_ROWS in full and
    the others by id."""
    frame = data.progress if pillar is None else data.progress[data.progress["pillar"] == pillar]
    shorten = pillar is None and present.is_big_plan(data.progress)
    lag = prog.laggards(prog.trusted(frame))
    present.show_markdown(f"**滞后指标**（{len(lag)}项，按与序时进度的相对差距排序）")
    if lag.empty:
        present.show_html('<p class="note">无欠进度或严重滞后的指标。</p>')
    else:
        shown, rest = _split_list(lag, shorten)
        present.show_html(present.kpi_table(shown, data.plan.kpis, data.quarter_index, with_owner=True,
                                            drill=pillar is None))
        _rest_by_id(rest, "其余滞后指标")
    doubtful = prog.laggards(frame)
    doubtful = doubtful[~doubtful["kpi_id"].isin(lag["kpi_id"])]
    if not doubtful.empty:
        present.show_html(present.ids_paragraph_html(f"数据有提示（{MARK}）、未列入的滞后指标", doubtful["kpi_id"].tolist())
                          + '<p class="note">其数据存疑，原因见“数据质量”。</p>')
    held = frame[frame["status"] == prog.HELD]
    if not held.empty:
        present.show_markdown(f"**数据待核实指标**（{len(held)}项，本季度数据暂缓采用，原因见“数据质量”）")
        held = held.merge(data.plan.kpis[["kpi_id", "owner"]], on="kpi_id", how="left")
        present.show_html(present.table_html(pd.DataFrame({
            "编号": held["kpi_id"], "指标": held["name"], "责任单位": held["owner"].fillna("—"),
            "此前可用数值": [present.previous_figure(r) for r in held.to_dict("records")]})))
    missing = prog.missing_submissions(frame)
    returned = missing[missing["kpi_id"].isin(quality.returned_ids(data))]
    missing = missing[~missing["kpi_id"].isin(returned["kpi_id"])]
    present.show_markdown(f"**未报送指标**（{len(missing)}项）")
    if missing.empty:
        present.show_html('<p class="note">本季度所有指标均已报送。</p>')
    else:
        _missing_table(data, missing, shorten, "其余未报送指标")
    if not returned.empty:
        present.show_markdown(f"**已报送但被退回的指标**（{len(returned)}项，拒收原因见“数据质量”）")
        _missing_table(data, returned, shorten, "其余被退回的指标")


def _missing_table(data, missing: pd.DataFrame, shorten: bool, rest_label: str) -> None:
    """编号 / 指标 / 责任单位 / 上次报送季度 of KPIs without a usable figure this quarter."""
    shown, rest = _split_list(missing, shorten)
    # progress tables carry no owner (it lives in the plan)
    shown = shown.merge(data.plan.kpis[["kpi_id", "owner"]], on="kpi_id", how="left")
    columns = [c for c in MISSING_COLUMNS if c in shown.columns]
    present.show_html(present.table_html(shown[columns].rename(columns=MISSING_COLUMNS).fillna("—")))
    _rest_by_id(rest, rest_label)


def _split_list(frame: pd.DataFrame, shorten: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows shown in full and the rest (none unless ``shorten``)."""
    if not shorten or len(frame) <= present.BIG_PLAN_LIST_ROWS:
        return frame, frame.iloc[0:0]
    return frame.iloc[:present.BIG_PLAN_LIST_ROWS], frame.iloc[present.BIG_PLAN_LIST_ROWS:]


def _rest_by_id(rest: pd.DataFrame, label: str) -> None:
    if not rest.empty:
        present.show_html(present.ids_paragraph_html(label, rest["kpi_id"].tolist())
                          + '<p class="note">以上按同样顺序只列编号；这些指标的目标、累计完成与责任单位见各领域报告。</p>')


def data_quality(data) -> None:
    """数据质量: every figure warned, held or confirmed and every rejected row, by KPI, with the
    reason and what to do; then file problems, flags, conflicts and unread files."""
    quality.show(data)


def unit_data_quality(data, unit: str) -> None:
    """The unit's 数据质量: its figures warned, held or confirmed and its rejected rows, by KPI."""
    quality.show(data, unit)


def appendix(data) -> None:
    """附表: every KPI of the plan, with its figures; for a big plan (present.is_big_plan)
    every KPI's id under its status, saying where the figures are."""
    if not present.is_big_plan(data.progress):
        present.show_html(present.kpi_table(data.progress, data.plan.kpis, data.quarter_index, with_owner=True, drill=True))
        return
    present.show_html(f'<p class="note">本计划共 {len(data.progress)} 项指标，附表按状态列出全部指标编号；'
                      '各指标的名称、目标、累计完成和序时进度见各领域报告。</p>')
    present.show_html(present.kpi_ids_by_status_html(data.progress))


JUDGEMENT_NOTES = (
    f"{MARK}：该项数据存疑。有提示的数据已采用，但不计入平均完成率、排名和“进展较快/滞后”名单；"
    "待核实的数据暂不采用，表中“累计完成”为此前最近一次可用的数值，没有的为“—”。"
    "原因和处理办法见“数据质量”。",
    "本季度没有可用数据的指标：未报送的，表中“累计完成”为此前最近一次报送的数值（括号内为其季度）或“—”，完成率为“—”；"
    "已报送但被拒收的行不计入进度，视同未报送，原因见“数据质量”。",
    "每项数据采用前均按其性质核对：个数应为整数且不为负，累计数全年不应下降，本季度完成应等于累计数之差，比率在0～100%之间，"
    "增长率不低于-100%，节点状态不应倒退；与序时进度或上季度相差约10倍、1万倍（万）、1亿倍（亿）的，或与进展说明中的数量级、"
    "单位不符的，疑为小数点或单位错位；百分数填成小数的，只在一种理解与目标相符时换算，两种都说得通时暂缓采用。",
)


def notes(data, extra_lines: tuple[str, ...] = ()) -> None:
    """说明: the expected-progress and status rules, how doubtful figures are marked and judged
    (then ``extra_lines``, e.g. the ranking rule), then the provenance footer."""
    lines = [*prog.status_rules_text().splitlines(), *JUDGEMENT_NOTES, *extra_lines]
    present.show_html("".join(f"<p class=\"note\">{escape(line)}</p>" for line in lines))
    present.show_html(present.provenance_html({
        "计划文件 sha256": data.provenance["plan_sha256"][:16],
        "实际数据 sha256": data.provenance["data_sha256"][:16],
        "reportlib": data.provenance["reportlib_version"],
    }))


# --------------------------------------------------------------------------- pillar report


def pillar_overview(data, pillar: int) -> None:
    """The pillar's sentences and a bullet chart of its KPIs against 序时进度, in page-sized parts
    (charts.BULLET_ROWS_PER_CHART rows each) so that every KPI reaches paper."""
    _paragraphs(narrative.for_pillar(data, pillar))
    frame = data.progress[(data.progress["pillar"] == pillar) & (data.progress["kind"] != "milestone")]
    left_out = present.milestones_note(data.progress[data.progress["pillar"] == pillar])
    if frame.empty:
        if left_out:
            present.show_html(f'<p class="note">{escape(left_out)}</p>')
        return
    completion = (frame["completion"].astype(float) * 100).tolist()
    expected = ((frame["expected"].astype(float) / frame["target"].astype(float)).where(frame["target"] != 0) * 100).tolist()
    names = [present.marked(f"{r['kpi_id']} {present.short_label(r['name'])}", r) for r in frame.to_dict("records")]
    codes, labels = frame["status"].tolist(), frame["status_label"].tolist()
    pieces = charts.parts(len(names), charts.BULLET_ROWS_PER_CHART)
    for number, rows in enumerate(pieces, start=1):
        title = "指标完成率与序时进度" + (f"（{number}/{len(pieces)}，{names[rows[0]].split()[0]}—{names[rows[-1]].split()[0]}）"
                                 if len(pieces) > 1 else "")
        charts.show(charts.bullet_chart(names[rows.start:rows.stop], completion[rows.start:rows.stop],
                                        expected[rows.start:rows.stop], codes[rows.start:rows.stop],
                                        labels[rows.start:rows.stop], title=title),
                    note=left_out if number == len(pieces) else "")


def pillar_tasks(data, pillar: int) -> None:
    """Each task of the pillar: its KPIs table and the submissions' 进展说明."""
    frame = data.progress[data.progress["pillar"] == pillar]
    task_titles = dict(zip(data.plan.tasks["task"], data.plan.tasks["title"]))
    if frame.empty:
        present.show_html('<p class="note">本领域没有量化指标。</p>')
    for task, rows in frame.groupby("task", sort=False):
        present.show_markdown(f"### {present.markdown_text(present.task_heading(task, task_titles.get(task, '')))}")
        present.show_html(present.kpi_table(rows, data.plan.kpis, data.quarter_index, last_year=data.last_year,
                                            anchors=True))
        present.show_html(present.notes_html(rows))
    if data.last_year is not None and not data.last_year.empty and frame["kpi_id"].isin(data.last_year["kpi_id"]).any():
        present.show_html(f'<p class="note">“上年同期”为{data.previous_year}年同一季度末的完成数（同名同单位的指标，'
                          "或计划文件中用 previous_id 指明的上年指标）。</p>")


def pillar_trend(data, pillar: int) -> None:
    """Average completion by task across the quarters so far, against 序时进度. With more than
    charts.TREND_MAX_SERIES tasks: the pillar's average and the tasks that moved most last quarter
    (every task's figures are in the tables above)."""
    history = data.history[data.history["pillar"] == pillar]
    quarters_so_far = sorted(history["quarter"].unique())
    history = history.assign(c=prog.capped_completion(history))
    series = {}
    for task, rows in history.groupby("task", sort=False):
        by_quarter = rows.groupby("quarter")["c"].mean()
        series[f"工作{task}" if task else present.PILLAR_LEVEL_TASK] = [float(by_quarter.get(q, float("nan"))) * 100 for q in quarters_so_far]
    expected = [quarters.quarter_index(q) / 4 * 100 for q in quarters_so_far]
    labels = [present.quarter_title(data.year, quarters.quarter_index(q)).replace(f"{data.year}年", "") for q in quarters_so_far]
    total, note = None, ""
    if len(series) > charts.TREND_MAX_SERIES:
        by_quarter = history.groupby("quarter")["c"].mean()
        total = ("本领域平均", [float(by_quarter.get(q, float("nan"))) * 100 for q in quarters_so_far])
        shown = charts.moved_most(series, charts.TREND_MAX_SERIES - 2)
        note = (f'<p class="note">本领域共{len(series)}项工作，图中为本领域平均完成率和上季度以来变化最大的'
                f'{len(shown)}项工作（{escape("、".join(shown))}）；各项工作的完成情况见第二部分各表。</p>')
        series = shown
    charts.show(charts.trend_chart(labels, series, expected, title="各项工作平均完成率走势", total=total))
    if note:  # after the chart, so that the section heading stays with the chart
        present.show_html(note)


# --------------------------------------------------------------------------- responsible units


def units_ranking(data) -> None:
    """各责任单位推进情况: per unit its KPIs, statuses, capped average completion, laggards and
    未报送, ranked by owners.RANKING_RULE (stated in the 说明); KPIs without owner listed apart."""
    table = owners.ranking(data.progress, data.plan.kpis)
    frame = owners.with_owners(data.progress, data.plan.kpis)
    _paragraphs(narrative.for_units(data, table))
    ranked = table[table["rank"] > 0]
    if ranked.empty:
        present.show_html('<p class="note">计划中的指标都没有明确责任单位。</p>')
    else:
        lists = {o: (prog.laggards(prog.trusted(frame[frame["owner"] == o]))["kpi_id"].tolist(),
                     prog.missing_submissions(frame[frame["owner"] == o])["kpi_id"].tolist()) for o in ranked["owner"]}
        rows = pd.DataFrame({
            "排名": ranked["rank"],
            "责任单位": ranked["owner"],
            "指标数": ranked["kpis"],
            # (待核实 is a column only in a quarter that has held figures: a column of zeros costs the ids room)
            **{prog.STATUS_LABELS[c]: ranked[c] for c in prog.STATUS_DISPLAY_ORDER
               if c != prog.HELD or ranked[c].any()},
            "平均完成率": [present.fmt_percent(v) for v in ranked["avg_completion"]],
        })
        count_columns = tuple(rows.columns[2:])
        with_ids = rows.assign(**{"滞后指标": ["、".join(lists[o][0]) or "—" for o in ranked["owner"]],
                                  "未报送指标": ["、".join(lists[o][1]) or "—" for o in ranked["owner"]]})
        in_table = (all(len(ids) <= present.IDS_IN_TABLE_MAX for pair in lists.values() for ids in pair)
                    and present.ids_fit_unbroken(with_ids, ("滞后指标", "未报送指标"), numeric=count_columns,
                                                 nowrap=("责任单位",)))
        present.show_html(present.table_html(with_ids if in_table else rows, numeric=count_columns, nowrap=("责任单位",),
                                             links={"责任单位": [navigation.unit_href(o) for o in ranked["owner"]]}))
        if not in_table:  # a long list would make its row pages tall, a narrow column break ids in two
            present.show_html('<p class="note">各单位的滞后指标（按差距排序）与未报送指标：</p>' + "".join(
                present.ids_paragraph_html(f"{owner}{label}", ids)
                for owner in ranked["owner"] for label, ids in zip(("滞后指标", "未报送指标"), lists[owner]) if ids))
        charts.show(charts.completion_by_group(
            list(ranked["owner"]), ranked["avg_completion"] * 100, data.expected_share * 100,
            title="各责任单位平均完成率", status_labels=[f"滞后{n}项" for n in ranked[owners.LAGGARD_COUNT]]),
            note=present.unreported_note(frame[frame["owner"] != owners.NO_OWNER]))
    unowned = frame[frame["owner"] == owners.NO_OWNER]
    if not unowned.empty:
        present.show_markdown(f"**{owners.NO_OWNER}的指标**（{len(unowned)}项，不参与排名，请在计划文件中补充责任单位）")
        present.show_html(present.kpi_table(unowned, data.plan.kpis, data.quarter_index))


def unit_title(data, unit: str) -> str:
    """The unit report's title."""
    return f"{_title(data)}——{unit}"


def unit_cover(data, unit: str) -> None:
    """Title, data date, source document and the unit's KPI count; 示例数据 when sample data."""
    end = quarters.quarter_end_date(data.quarter)
    count = len(owners.for_owner(data.progress, data.plan.kpis, unit))
    lines = [
        f"数据截至：{end.year}年{end.month}月{end.day}日（最近一次填报：{data.data_until}）",
        f"依据：《{data.plan.title}》，本单位为责任单位的指标{count}项",
    ]
    present.show_html(present.cover_html(unit_title(data, unit), lines, data.sample))


def unit_overview(data, unit: str) -> None:
    """The unit's headline sentences (with its place in the ranking) and status counts."""
    table = owners.ranking(data.progress, data.plan.kpis)
    _paragraphs(narrative.for_unit(data, unit, table))
    frame = owners.for_owner(data.progress, data.plan.kpis, unit)
    counts = prog.status_counts(frame)
    present.show_html(present.table_html(
        pd.DataFrame({"状态": counts["status_label"], "指标数": counts["count"]}), numeric=("指标数",)))


def unit_kpis(data, unit: str) -> None:
    """The unit's KPIs by pillar: target, actual, 序时进度, completion, status, then its 进展说明."""
    frame = owners.for_owner(data.progress, data.plan.kpis, unit)
    if frame.empty:
        present.show_html('<p class="note">计划中没有本单位负责的指标。</p>')
    for pillar in report_pillars(data):
        rows = frame[frame["pillar"] == pillar]
        if rows.empty:
            continue
        present.show_markdown(f"### {present.markdown_text(present.pillar_heading(pillar, pillar_title(data, pillar)))}")
        present.show_html(present.kpi_table(rows, data.plan.kpis, data.quarter_index, anchors=True))
        present.show_markdown("**进展说明**")
        present.show_html(present.notes_html(rows))


def unit_missing(data, unit: str) -> None:
    """What the unit has not submitted for the quarter (with the last earlier figure), and what it
    submitted that was rejected (with the reason and what to send)."""
    frame = owners.for_owner(data.progress, data.plan.kpis, unit)
    missing = prog.missing_submissions(frame)
    returned = quality.rejects_of(data, unit)
    returned_ids = set(returned.get("kpi_id", []))
    not_sent = missing[~missing["kpi_id"].isin(returned_ids)]
    if missing.empty and returned.empty:
        present.show_html('<p class="note">本季度本单位所有指标均已报送。</p>')
        return
    if not not_sent.empty:
        columns = [c for c in MISSING_COLUMNS if c in not_sent.columns]
        present.show_html(f"<p>本季度尚未报送{len(not_sent)}项指标，请尽快补报：</p>")
        present.show_html(present.table_html(not_sent[columns].rename(columns=MISSING_COLUMNS).fillna("—")))
    if not returned.empty:
        present.show_html(f"<p>已报送但被退回（拒收）{len(returned)}行，请按原因更正后重新报送：</p>")
        present.show_html(present.table_html(quality.rejects_table(returned)))
