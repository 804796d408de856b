"""数据质量: what the judgement and the ingest made of a quarter's submissions, by KPI, for the
quarter report (every unit) and for a unit's own report.

Each figure warned, held or confirmed is named by KPI (id and name) with its file, sheet, row,
what was done with it, the reason and what to do; each rejected row likewise (a row whose KPI
is unknown is named as typed and shown in the reports of the units whose file it came from).
"""
from __future__ import annotations

from html import escape
from pathlib import PurePosixPath

import pandas as pd

from reportlib import actuals
from reportlib.actuals.judge_rules import CONFIRMED, HELD, MARK, OUTCOME_SHORT, WARNED
from reportlib.report import owners, present

JUDGED = (WARNED, HELD, CONFIRMED)
JUDGED_ORDER = {HELD: 0, WARNED: 1, CONFIRMED: 2}
FLAG_LABELS = {
    "approximate": "约数（填报为约/余/近等）",
    "derived_cumulative": "累计数由本季度完成数推算",
    "derived_increment": "本季度完成数由累计数推算",
    "percent_as_fraction": "百分数按小数填报（已换算）",
    "cumulative_from_increment": "累计完成列填的是本季度完成数（已按上季度累计推算）",
    "confirmed": "经汇总人员核实确认",
    "rate_from_increment": "比率按“本季度完成”列填报",
    "unit_converted": "单位已换算为计划单位",
    "name_mismatch": "指标名称与编号不一致（以编号为准）",
    "quarter_from_folder": "季度未填，按所在文件夹确定",
    "quarter_differs_from_folder": "季度与所在文件夹不一致",
    "formula_value": "公式单元格（取其缓存值，未重新计算）",
    "superseded": "被后续更正报送替代",
    "conflict": "同一填报日期有数值不同的报送（冲突，见下表）",
    "community_sum_mismatch": "汇总数与各村（社区）分表合计不一致",
    "bad_date": "填报日期无法识别（按未填处理，数据已采用）",
    "date_same_as_above": "填报日期填写为“同上”（沿用上一行日期）",
    "date_year_from_quarter": "填报日期未写年份（按季度推定）",
    "id_normalized": "指标编号写法不规范（如 K2.2.2，已按 K2.2.02 识别）",
    "figure_with_remark": "数值后附有说明（取开头的数，原文见进展说明）",
    "state_from_figure_column": "完成情况填写在累计完成列",
    "unit_synonym": "计量单位为同义量词（如 家/个），已按计划单位采用",
    "ambiguous_number": "数字写法有歧义（待核实）",
}


def source_text(file: str, sheet: str, row: int) -> str:
    """``城市管理办_2025Q3.xlsx（三季度）第7行``: where a row came from (the quarter is the report's)."""
    return f"{PurePosixPath(str(file)).name}{f'（{sheet}）' if sheet else ''}第{int(row)}行"


def quarter_rows(data, kpi_ids: set[str] | None = None) -> pd.DataFrame:
    """The quarter's actuals rows in use or held (not superseded), optionally of ``kpi_ids`` only."""
    frame = data.actuals[data.actuals["quarter"] == data.quarter]
    return frame if kpi_ids is None else frame[frame["kpi_id"].isin(kpi_ids)]


def judged_table(data, kpi_ids: set[str] | None = None) -> pd.DataFrame:
    """编号 / 指标 / 处理 / 原因及处理办法（来源） of every figure of the quarter warned, held or
    confirmed; held first, then warned, then confirmed, in KPI order. The source (file, sheet,
    row) closes the reason, so that the reason has the table's width."""
    rows = quarter_rows(data, kpi_ids)
    rows = rows[rows["judgement"].isin(JUDGED)]
    names = dict(zip(data.plan.kpis["kpi_id"], data.plan.kpis["name"])) if len(rows) else {}
    rows = rows.assign(_order=rows["judgement"].map(JUDGED_ORDER)).sort_values(["_order", "kpi_id"], kind="mergesort")
    return pd.DataFrame({
        "编号": rows["kpi_id"],
        "指标": [names.get(k, "") for k in rows["kpi_id"]],
        "处理": [OUTCOME_SHORT[j] + (MARK if j in (WARNED, HELD) else "") for j in rows["judgement"]],
        "原因及处理办法": [f"{message}（来源：{source_text(f, s, r)}）" for message, f, s, r in zip(
            rows["judgement_message"], rows["source_file"], rows["source_sheet"], rows["source_row"])],
    })


def file_units(data) -> dict[str, set[str]]:
    """Submission file -> the responsible units whose KPIs it reports (from its accepted and
    rejected rows): a rejected row of an unknown KPI belongs to its file's units."""
    owner_of = dict(zip(data.plan.kpis["kpi_id"], (owners.owner_name(o) for o in data.plan.kpis["owner"])))
    found: dict[str, set[str]] = {}
    for file, kpi_id in list(zip(data.actuals["source_file"], data.actuals["kpi_id"])) + list(
            zip(data.rejects.get("file", []), data.rejects.get("kpi_id", []))):
        if kpi_id in owner_of:
            found.setdefault(str(file), set()).add(owner_of[kpi_id])
    return found


def rejects_of(data, unit: str | None = None) -> pd.DataFrame:
    """The quarter's rejected rows, all or those of ``unit`` (its KPIs, or rows of an unknown KPI
    in its files)."""
    rejects = data.rejects
    if unit is None or rejects.empty:
        return rejects
    owned = set(owners.for_owner(data.progress, data.plan.kpis, unit)["kpi_id"])
    units = file_units(data)
    known = set(data.plan.kpis["kpi_id"])
    keep = [k in owned or (k not in known and unit in units.get(str(f), set()))
            for k, f in zip(rejects.get("kpi_id", [""] * len(rejects)), rejects["file"])]
    return rejects[keep].reset_index(drop=True)


def returned_ids(data) -> set[str]:
    """KPIs with a row of this quarter that was rejected (已报送但被退回 when nothing else was used)."""
    rejects = getattr(data, "rejects", None)
    if rejects is None or rejects.empty or "kpi_id" not in rejects.columns:
        return set()
    return set(rejects.loc[rejects["quarter"] == data.quarter, "kpi_id"])


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    """编号 / 指标 / 来源 / 原值 / 原因 of rejected rows (the KPI as typed when unknown)."""
    records = rejects.to_dict("records")
    return pd.DataFrame({
        "编号": [r.get("kpi_id") or "—" for r in records],
        "指标": [r.get("kpi_name") or "—" for r in records],
        "来源": [source_text(r["file"], r["sheet"], r["row"]) + (f"「{r['column']}」" if r["column"] else "")
               for r in records],
        "原值": [r["raw_value"] or "（空）" for r in records],
        "原因": [actuals.reject_reason(r) for r in records],
    }, columns=["编号", "指标", "来源", "原值", "原因"])


def counts_sentence(rows: pd.DataFrame, rejected: int, file_errors: int | None) -> str:
    """本季度采用…行（其中…），暂缓采用…行，拒收…行 (, 无法读取的文件…个)."""
    used = rows[~rows["judgement"].isin((HELD,))]
    warned, confirmed = int((rows["judgement"] == WARNED).sum()), int((rows["judgement"] == CONFIRMED).sum())
    inner = "，".join(part for part in (f"{warned}行有提示" if warned else "", f"{confirmed}行经核实确认" if confirmed else "") if part)
    text = (f"本季度采用填报数据{len(used)}行{f'（其中{inner}）' if inner else ''}，"
            f"暂缓采用（待核实）{int((rows['judgement'] == HELD).sum())}行，拒收{rejected}行")
    return text + (f"，无法读取的文件{file_errors}个。" if file_errors is not None else "。")


GUIDE = (f"有提示的数据已采用，表中标{MARK}，但不计入平均完成率、排名和“进展较快/滞后”名单；待核实的数据暂不采用，"
         "表中为此前最近一次可用的数值；拒收行未计入进度。请填报单位按下列原因核实，更正后重新报送（填写更晚的填报日期）；"
         "数据确实无误的，经汇总人员核实确认（写明核实人和依据）后采用。")


def show(data, unit: str | None = None) -> None:
    """The 数据质量 section: the counts, the figures judged by KPI, the rejected rows by KPI, and
    (quarter report) file problems, flags, conflicts, unread files and unused confirmations."""
    kpi_ids = None if unit is None else set(owners.for_owner(data.progress, data.plan.kpis, unit)["kpi_id"])
    rows = quarter_rows(data, kpi_ids)
    rejects = rejects_of(data, unit)
    present.show_html(f"<p>{escape(counts_sentence(rows, len(rejects), len(data.file_errors) if unit is None else None))}"
                      f"{escape(GUIDE)}</p>")
    judged = judged_table(data, kpi_ids)
    if not judged.empty:
        present.show_markdown(f"**存疑数据**（{len(judged)}项，按指标）")
        present.show_html(present.table_html(judged, nowrap=("处理",)))
    if not rejects.empty and unit is None:
        present.show_markdown(f"**拒收的行**（{len(rejects)}行）")
        present.show_html(present.table_html(rejects_table(rejects)))
    elif not rejects.empty:
        present.show_html(f'<p class="note">拒收的{len(rejects)}行及其原因见上文“已报送但被退回”。</p>')
    unused = [c for c in actuals.quarter_notes(data.summary or {}, data.quarter)["confirmations_unused"]
              if kpi_ids is None or c["kpi_id"] in kpi_ids]
    for item in unused:
        present.show_html(f'<p class="note">未使用的核实确认：{escape(item["message"])}</p>')
    if unit is None:
        _ingest_notes(data, rows)


def _ingest_notes(data, rows: pd.DataFrame) -> None:
    """File problems, row flags, conflicts, summary-vs-villages mismatches and unread files."""
    for error in data.file_errors:
        present.show_html(f'<p class="note">文件问题：{escape(str(error.get("message", "")))}</p>')
    flags = pd.Series([f for text in rows["flags"] for f in str(text).split(";") if f])
    if not flags.empty:
        counts = flags.value_counts().sort_index()
        table = pd.DataFrame({"标记": [FLAG_LABELS.get(f, f) for f in counts.index], "行数": counts.values})
        present.show_html(present.table_html(table, numeric=("行数",)))
    notes = actuals.quarter_notes(data.summary or {}, data.quarter)
    if notes["conflicts"]:
        present.show_html("<p>以下指标同一填报日期有数值不同的报送，无规则可定，暂按文件修改时间（最后手段）采用，请填报单位确认：</p>")
        state = {"done": "已完成", "in_progress": "推进中", "not_started": "未启动"}

        def shown_value(entry: dict) -> str:
            value = entry["value"]
            text = f"{value:g}" if isinstance(value, float) else state.get(value, str(value))
            return f"{text}（{entry['file']}）"

        present.show_html(present.table_html(pd.DataFrame({
            "指标": [c["kpi_id"] for c in notes["conflicts"]],
            "采用": [shown_value(c["chosen"]) for c in notes["conflicts"]],
            "未采用": ["；".join(shown_value(o) for o in c["others"]) for c in notes["conflicts"]],
        })))
    for item in notes["community_mismatches"]:
        present.show_html(f'<p class="note">汇总与分表不一致：{escape(str(item["kpi_id"]))} 汇总数 {escape(str(item["summary_value"]))}，'
                          f'各村（社区）合计 {escape(str(item["communities_total"]))}（{escape(str(item["file"]))}）</p>')
    if notes["files_not_read"]:
        present.show_html(f"<p>未读取的文件{len(notes['files_not_read'])}个：</p>")
        present.show_html(present.table_html(pd.DataFrame({
            "文件": [e["file"] + (f"（工作表「{e['sheet']}」）" if e.get("sheet") else "") for e in notes["files_not_read"]],
            "原因": [e["message"] for e in notes["files_not_read"]],
        })))
