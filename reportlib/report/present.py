"""Display helpers for the report notebooks: formatted values, escaped HTML
tables and the recurring blocks (cover, notes, provenance).

Every text shown here may come from a submission, so everything is
HTML-escaped; markdown is only ever built from plan and template text.
"""
from __future__ import annotations

import math
import unicodedata
import re
from html import escape

import pandas as pd

from reportlib.report import style
from reportlib.actuals.judge_rules import HELD, MARK, WARNED
from reportlib.progress import STATUS_LABELS, STATUS_ORDER
from reportlib.plan.model import PLAN_LEVEL_PILLAR
from reportlib.plan.structure import cn_numeral

STATE_LABELS = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成", "": "—"}
PERIOD_WORDS = {"week": "每周", "month": "每月", "quarter": "每季度", "year": "全年"}
COMPARATOR_SIGNS = {"at_least": "≥", "at_most": "≤", "exactly": ""}
CN_QUARTERS = "一二三四"
# The heading of KPIs of the plan as a whole (pillar 0: a preface's 主要预期目标) and of a
# pillar's KPIs outside any numbered task (task "").
PLAN_LEVEL_HEADING = "总体目标"
PILLAR_LEVEL_TASK = "本领域指标"


# --------------------------------------------------------------------------- values


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_number(value) -> str:
    """1234.5 -> "1,234.5"; 85000 -> "8.5万"; 18750 -> "1.875万"; 2e8 -> "2亿"; NaN -> "—".

    From 10 000 up a whole number is written in 万 (from 10^8 in 亿), exactly (so that a target, an
    actual and an expected figure in one table row are all in the same form).
    """
    if is_missing(value):
        return "—"
    value = float(value)
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size and (value / size) == round(value / size, 4):
            return f"{value / size:,.4f}".rstrip("0").rstrip(".") + word
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def short_label(text: str, limit: int = 14) -> str:
    """``text`` cut to ``limit`` characters for a chart axis, with "…" when cut
    (trailing punctuation dropped, so that no label ends in "、")."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip("、，,；;：:（(“\"") + "…"


def fmt_quantity(value, unit: str) -> str:
    if is_missing(value):
        return "—"
    return f"{fmt_number(value)}{unit or ''}"


def fmt_percent(share) -> str:
    """0.753 -> "75.3%"."""
    return "—" if is_missing(share) else f"{float(share) * 100:.1f}%"


def fmt_target(kpi) -> str:
    """The target as a reader expects it: "≥170家", "每季度1次", "完成（第四季度）"."""
    if kpi["kind"] == "milestone":
        due = kpi.get("due_quarter")
        due = 4 if is_missing(due) else int(due)
        return f"完成（第{CN_QUARTERS[due - 1]}季度前）"
    if kpi["kind"] == "recurring":
        per_period = kpi.get("plan_target", kpi["target"])  # progress tables carry the year total in target
        return f"{PERIOD_WORDS.get(kpi.get('period'), '')}{fmt_quantity(per_period, kpi['unit'])}"
    sign = COMPARATOR_SIGNS.get(kpi.get("comparator", ""), "")
    return f"{sign}{fmt_quantity(kpi['target'], kpi['unit'])}"


def fmt_actual(row) -> str:
    """The figure of a progress row as tables show it: 约 for an approximate figure, the mark ※
    for a figure accepted with a warning; a held figure (待核实) shows the last usable figure
    with its quarter, or —, marked ※ (the 说明 says so)."""
    if row["status"] == HELD:
        return f"{previous_figure(row, with_quarter=False)}{MARK}"
    if row["kind"] == "milestone":
        text = STATE_LABELS.get(row.get("state") or "", "—") if row["status"] != "missing" else "—"
    else:
        text = fmt_quantity(row["actual"], row["unit"])
        text = f"约{text}" if row.get("approximate") is True and text != "—" else text
    return f"{text}{MARK}" if row.get("judgement") == WARNED else text


def previous_figure(row, *, with_quarter: bool = True) -> str:
    """The last usable figure before this quarter, with its quarter (``87家（二季度）``), or —."""
    if row["kind"] == "milestone":
        text = STATE_LABELS.get(row.get("previous_state") or "", "—")
    else:
        text = fmt_quantity(row.get("previous_actual"), row["unit"])
    quarter = row.get("previous_quarter") or ""
    if text == "—" or not quarter:
        return "—"
    return f"{text}（{CN_QUARTERS[int(quarter[-1]) - 1]}季度）" if with_quarter else text


def marked(label: str, row) -> str:
    """A chart or list label with the mark ※ when the row's figure is warned or held."""
    return f"{label}{MARK}" if row.get("judgement") in (WARNED, HELD) else label


def fmt_expected(row) -> str:
    if row["kind"] == "milestone":
        return "—"
    return fmt_quantity(row["expected"], row["unit"])


def quarter_title(year: int, quarter_index: int) -> str:
    return f"{year}年第{CN_QUARTERS[quarter_index - 1]}季度"


def pillar_heading(pillar: int, title: str) -> str:
    """（三）title, at any number of pillars; pillar 0 (the plan's own targets): 总体目标."""
    if int(pillar) == PLAN_LEVEL_PILLAR:
        return PLAN_LEVEL_HEADING
    return f"（{cn_numeral(int(pillar))}）{title}"


def task_heading(task: str, title: str) -> str:
    """"2.3 title"; a pillar's KPIs outside numbered tasks: 本领域指标."""
    return f"{task} {title}".strip() if task else PILLAR_LEVEL_TASK


# --------------------------------------------------------------------------- tables


# Column widths of report tables (table-layout: fixed, so WeasyPrint need not measure every
# cell): in em of the table's font, for the A4 text width (178 mm at 12.5 px ≈ 54 em).
TABLE_WIDTH_EM = 54.0
CELL_PADDING_EM = 1.6  # 8 px each side plus the borders (1.4 em at 12.5 px, 1.5 at 11.5 px) and a margin for rounding
WRAP_COLUMN_MAX_EM = 16.0  # a column of long text wraps at about this width
WRAP_COLUMN_MIN_EM = 7.0  # … and never gets narrower (or its content's width, when less)
# A text column whose longest cell is this short holds labels (a unit's name 社会事务办公室, 年度目标):
# it gets its whole width, as a label broken in two reads wrong (城市管理/办)
LABEL_COLUMN_MAX_EM = 8.0
TEXT_COLUMN_LEAST_EM = 4.5  # when even the floors do not fit, a text column keeps this much (3 characters)
NARROW_ASCII_EM = 0.56  # width of a Latin letter or digit; CJK characters are 1 em
# A table whose one-line columns, labels and text columns at WRAP_COLUMN_MIN_EM do not fit the page
# is set a size smaller (class "dense": 11.5 px instead of 12.5 px, report.css; Word 8 pt instead of
# 9 pt), which gives it 8 % more em across: an 8-column KPI table with 责任单位 keeps its names readable
DENSE_TABLE_SCALE = 11.5 / 12.5
WIDE_ASCII_EM = {"%": 0.85, "M": 0.85, "W": 0.95, "m": 0.85, "w": 0.75, "@": 0.9}
NOWRAP_COLUMNS = ("编号", "行", "列")  # ids and row numbers: never broken across lines (as numbers and 状态)
# Phones: a table of more than PHONE_TABLE_COLUMNS columns, or one that does not fit PHONE_TABLE_EM
# (a 390 px screen's text width, 366 px at 12.5 px) with each text column at WRAP_COLUMN_MIN_EM,
# reads as a card per row (report.css; a fourth column leaves a text column 3–4 characters): its
# LEAD_COLUMNS cell (what the row is about) first as the card's title, then its KEY_COLUMNS (what a
# leader reads next), then every other cell as "列名：值". Narrower tables stay tables.
PHONE_TABLE_EM = 29.0
PHONE_TABLE_COLUMNS = 3
LEAD_COLUMNS = ("指标", "工作", "领域", "责任单位", "文件")
KEY_COLUMNS = ("状态", "完成率", "平均完成率")


def text_width_em(text: str) -> float:
    """Approximate width of ``text`` in em: wide, full-width and ambiguous (≥, —: full width in the
    CJK font) characters 1, % and a few wide letters about 0.85, the rest 0.56."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else WIDE_ASCII_EM.get(ch, NARROW_ASCII_EM)
               for ch in text)


def column_widths(header: list[str], body: list[list[str]], nowrap: set[int],
                  table_em: float = TABLE_WIDTH_EM) -> list[float]:
    """Percent widths of the columns, from the data's shape: a column that must not wrap
    (numbers, status, ids) gets its widest cell; each other column at least WRAP_COLUMN_MIN_EM
    (or its widest cell, when less; a column of short labels, LABEL_COLUMN_MAX_EM, its widest
    cell), and the rest of the width goes to the long ones, up to WRAP_COLUMN_MAX_EM each, then
    what is left to those cut there — so no column collapses to one character and a name gets
    the room the table has. When even that does not fit, the text columns give way (down to
    TEXT_COLUMN_LEAST_EM), never the one-line ones. ``table_em``: the table's width in em of its
    font (the Word document's differs from the HTML's)."""
    need = _needs(header, body)
    fixed = sum(need[i] for i in nowrap)
    flexible = [i for i in range(len(header)) if i not in nowrap]
    want = {i: min(need[i], WRAP_COLUMN_MAX_EM) for i in flexible}
    floor = {i: need[i] if need[i] <= LABEL_COLUMN_MAX_EM + CELL_PADDING_EM else min(need[i], WRAP_COLUMN_MIN_EM)
             for i in flexible}
    room = table_em - fixed
    if sum(floor.values()) > room:  # long texts give way first, then labels
        labels = [i for i in flexible if need[i] <= LABEL_COLUMN_MAX_EM + CELL_PADDING_EM]
        for group in ([i for i in flexible if i not in labels], labels):
            others = sum(floor[i] for i in flexible if i not in group)
            share = min(max(room - others, 0.0) / (sum(floor[i] for i in group) or 1.0), 1.0)
            floor.update({i: max(floor[i] * share, min(need[i], TEXT_COLUMN_LEAST_EM)) for i in group})
    if sum(want.values()) > room:
        # every text column gets its floor (a short one, e.g. a unit's name, all of its width);
        # what is left goes to the columns above their floor, in proportion to what they lack
        spare = max(room - sum(floor.values()), 0.0)
        lack = sum(want[i] - floor[i] for i in flexible) or 1.0
        want = {i: floor[i] + (want[i] - floor[i]) * min(spare / lack, 1.0) for i in flexible}
    else:
        # room to spare: first to the long texts cut at WRAP_COLUMN_MAX_EM, in proportion to
        # what they lack of their whole width (a short table's names then fit on one line)
        spare = room - sum(want.values())
        lack = {i: need[i] - want[i] for i in flexible if need[i] > want[i]}
        total_lack = sum(lack.values())
        for i, missing in lack.items():
            want[i] += missing * min(spare / total_lack, 1.0)
    widths = [need[i] if i in nowrap else want[i] for i in range(len(header))]
    total = sum(widths) or 1.0
    return [round(100 * w / total, 1) for w in widths]


def _needs(header: list[str], body: list[list[str]]) -> list[float]:
    """Each column's widest cell (header included) in em, with the cell padding."""
    need = [text_width_em(h) for h in header]
    for record in body:
        for index, text in enumerate(record):
            width = text_width_em(text)
            if width > need[index]:
                need[index] = width
    return [n + CELL_PADDING_EM for n in need]


def fits_phone(header: list[str], body: list[list[str]], nowrap: set[int]) -> bool:
    """Whether the table fits a phone's width (:data:`PHONE_TABLE_EM`) with its one-line columns
    whole and each other column at most :data:`WRAP_COLUMN_MIN_EM` wide, in at most
    :data:`PHONE_TABLE_COLUMNS` columns."""
    if len(header) > PHONE_TABLE_COLUMNS:
        return False
    need = _needs(header, body)
    return sum(n if i in nowrap else min(n, WRAP_COLUMN_MIN_EM) for i, n in enumerate(need)) <= PHONE_TABLE_EM


def table_html(frame: pd.DataFrame, *, numeric: tuple[str, ...] = (), status_column: str | None = None,
               nowrap: tuple[str, ...] = (), row_ids: list[str] | None = None,
               links: dict[str, list[str | None]] | None = None) -> str:
    """An HTML table of ``frame`` (escaped, no index); ``numeric`` columns right-aligned,
    ``nowrap`` columns (and ids, row numbers) kept on one line (short names such as a unit's).

    Column widths come from the data (:func:`column_widths`) in a ``<colgroup>``, and the
    table is laid out with ``table-layout: fixed`` (report.css): the PDF engine then sizes
    columns without measuring every cell of a long table. Each cell carries its column's name
    (``data-label``) and a table too wide for a phone the class ``cards`` (:func:`fits_phone`):
    on a phone each row then reads as a card, name, 状态 and 完成率 first.
    ``row_ids``: an anchor per row (a link's target, see :mod:`reportlib.report.navigation`);
    ``links``: column -> one href (or None) per row, the cell's text linked to it."""
    columns = list(frame.columns)
    lead = next((c for c in LEAD_COLUMNS if c in columns), None)
    classes, card_classes = [], []
    for column in columns:
        names = ((["num"] if column in numeric else []) + (["status"] if column == status_column else [])
                 + (["nowrap"] if column in NOWRAP_COLUMNS or column in nowrap else []))
        classes.append(" ".join(names))
        card_classes.append(" ".join(names + (["lead"] if column == lead else []) + (["key"] if column in KEY_COLUMNS else [])
                                     + (["card-id"] if column == "编号" else [])))
    body, widths, dense = _cells_and_widths(frame, numeric, status_column, nowrap)
    one_line = {i for i, c in enumerate(columns) if c in numeric or c == status_column or c in NOWRAP_COLUMNS or c in nowrap}
    links = links or {}
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    head = "".join(f"<th{_class(a)}>{escape(str(c))}</th>" for a, c in zip(classes, columns))
    rows = []
    for number, record in enumerate(body):
        anchor = f' id="{escape(row_ids[number])}"' if row_ids and row_ids[number] else ""
        cells = "".join(f'<td{_class(a)} data-label="{escape(str(c))}">{_cell(text, links.get(c), number)}</td>'
                        for a, c, text in zip(card_classes, columns, record))
        rows.append(f"<tr{anchor}>{cells}</tr>")
    kind = "report-table" + ("" if fits_phone([str(c) for c in columns], body, one_line) else " cards") + (
        " dense" if dense else "")
    return (f'<table class="{kind}"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _class(names: str) -> str:
    return f' class="{names}"' if names else ""


def _cell(text: str, hrefs: list[str | None] | None, row: int) -> str:
    """A cell's escaped text, linked when ``hrefs`` has an address for the row."""
    href = hrefs[row] if hrefs else None
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)


def is_dense(header: list[str], body: list[list[str]], nowrap: set[int], table_em: float = TABLE_WIDTH_EM) -> bool:
    """Whether the table needs the smaller type (:data:`DENSE_TABLE_SCALE`): its one-line columns
    and labels whole and its text columns at WRAP_COLUMN_MIN_EM are wider than ``table_em``."""
    need = _needs(header, body)
    comfortable = sum(n if i in nowrap or n <= LABEL_COLUMN_MAX_EM + CELL_PADDING_EM else min(n, WRAP_COLUMN_MIN_EM)
                      for i, n in enumerate(need))
    return comfortable > table_em


def _cells_and_widths(frame: pd.DataFrame, numeric: tuple[str, ...], status_column: str | None,
                      nowrap: tuple[str, ...]) -> tuple[list[list[str]], list[float], bool]:
    """The table's cell texts, its column widths in percent (see :func:`column_widths`) and
    whether it is set in the smaller type (:func:`is_dense`)."""
    columns = list(frame.columns)
    body = [[_fmt(value) for value in record] for record in frame.itertuples(index=False)]
    one_line = {i for i, c in enumerate(columns) if c in numeric or c == status_column or c in NOWRAP_COLUMNS or c in nowrap}
    header = [str(c) for c in columns]
    dense = is_dense(header, body, one_line)
    return body, column_widths(header, body, one_line, TABLE_WIDTH_EM / DENSE_TABLE_SCALE if dense else TABLE_WIDTH_EM), dense


def ids_fit_unbroken(frame: pd.DataFrame, id_columns: tuple[str, ...], *, numeric: tuple[str, ...] = (),
                     nowrap: tuple[str, ...] = ()) -> bool:
    """Whether each column of 、-joined KPI ids in ``frame`` comes out at least one id wide in
    :func:`table_html`, so that lists break between ids, never inside one (K1.22.0 / 5)."""
    body, widths, dense = _cells_and_widths(frame, numeric, None, nowrap)
    table_em = TABLE_WIDTH_EM / DENSE_TABLE_SCALE if dense else TABLE_WIDTH_EM
    for column in id_columns:
        index = list(frame.columns).index(column)
        longest = max((text_width_em(i + "、") for row in body for i in row[index].split("、")), default=0.0)
        if widths[index] / 100 * table_em < longest + CELL_PADDING_EM:
            return False
    return True


def _fmt(value) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, float):
        return fmt_number(value)
    return str(value)


def kpi_table(progress: pd.DataFrame, kpis: pd.DataFrame, quarter_index: int, *, with_owner: bool = False,
              last_year: pd.DataFrame | None = None, anchors: bool = False, drill: bool = False) -> str:
    """指标 / 目标 / 累计完成 / 序时进度 / 完成率 / 状态 (/ 责任单位) for the given progress rows.

    ``last_year`` (progress.year_over_year rows): adds 上年同期, last year's figure of the
    same quarter for the KPIs that recur (— for the others). ``anchors``: each row is a link's
    target (a pillar's or a unit's report); ``drill`` (the quarter report): each KPI id links to
    its row in its pillar's report, each 责任单位 to the KPI's row in the unit's report.
    """
    from reportlib.report import navigation

    previous = {} if last_year is None or last_year.empty else {
        r["kpi_id"]: r for r in last_year.to_dict("records")}
    with_last_year = any(k in previous for k in progress["kpi_id"])
    merged = progress.merge(kpis[["kpi_id", "comparator", "period", "due_quarter", "owner"]], on="kpi_id", how="left")
    rows = []
    for row in merged.to_dict("records"):
        record = {
            "编号": row["kpi_id"],
            "指标": row["name"],
            "目标": fmt_target(row),
            "累计完成": fmt_actual(row),
            "序时进度": fmt_expected(row),
            "完成率": "—" if row["kind"] == "milestone" else fmt_percent(row["completion"]),
            "状态": row["status_label"],
        }
        if with_last_year:
            record["上年同期"] = _last_year_figure(previous.get(row["kpi_id"]), row)
        if with_owner:
            record["责任单位"] = row.get("owner") or "—"
        rows.append(record)
    columns = (["编号", "指标", "目标", "累计完成"] + (["上年同期"] if with_last_year else [])
               + ["序时进度", "完成率", "状态"] + (["责任单位"] if with_owner else []))
    records = merged.to_dict("records")
    links = {}
    if drill:
        # (the plan's own KPIs, pillar 0, have no pillar report)
        links["编号"] = [navigation.pillar_href(r["pillar"], r["kpi_id"]) if r.get("pillar", PLAN_LEVEL_PILLAR) != PLAN_LEVEL_PILLAR
                       else None for r in records]
        links["责任单位"] = [navigation.unit_href(r["owner"], r["kpi_id"]) if isinstance(r.get("owner"), str) and r["owner"]
                         else None for r in records]
    # targets are figures and short phrases (≥1.36万平方米, 完成（第四季度前）): never broken
    return table_html(pd.DataFrame(rows, columns=columns), numeric=("累计完成", "上年同期", "序时进度", "完成率"),
                      status_column="状态", nowrap=("目标",), links=links,
                      row_ids=[navigation.kpi_anchor(r["kpi_id"]) for r in records] if anchors else None)


# A plan of more than BIG_PLAN_KPIS KPIs (a county's, a merged district's) is a "big plan".
# Its quarter report stays a digest leaders can read: the appendix names every KPI by its id
# under its status (kpi_ids_by_status_html), and the 重点关注 lists give the worst
# BIG_PLAN_LIST_ROWS in full and every other one by id, in the same order. Each pillar report
# keeps the figures of all its KPIs. (A thousand-KPI plan's quarter report: 87 pages before.)
BIG_PLAN_KPIS = 200
BIG_PLAN_LIST_ROWS = 40
# A table cell lists at most this many KPI ids (各责任单位推进情况); longer lists go below the table.
IDS_IN_TABLE_MAX = 8


def is_big_plan(progress: pd.DataFrame) -> bool:
    """Whether the report covers more than :data:`BIG_PLAN_KPIS` KPIs."""
    return len(progress) > BIG_PLAN_KPIS


def ids_paragraph_html(label: str, ids: list[str]) -> str:
    """``<p>label（n项）：K1.1.01、K1.1.02…</p>``: KPIs named by id only, every one of them."""
    return f'<p class="id-list"><strong>{escape(label)}（{len(ids)}项）</strong>：{escape("、".join(ids))}</p>'


def kpi_ids_by_status_html(progress: pd.DataFrame) -> str:
    """Every KPI's id under its status, worst status first (未报送, 严重滞后 … 已完成), ids in
    plan order; statuses no KPI has are left out."""
    parts = []
    for status in STATUS_ORDER:
        ids = progress.loc[progress["status"] == status, "kpi_id"].tolist()
        if ids:
            parts.append(ids_paragraph_html(STATUS_LABELS[status], ids))
    others = progress.loc[~progress["status"].isin(STATUS_ORDER), "kpi_id"].tolist()
    if others:  # never lose a KPI, whatever its status
        parts.append(ids_paragraph_html("其他", others))
    return "".join(parts)


def _last_year_figure(previous: dict | None, row: dict) -> str:
    """Last year's figure of the same quarter, in this year's unit, or —."""
    if previous is None:
        return "—"
    if row["kind"] == "milestone":
        return STATE_LABELS.get(previous.get("previous_year_state") or "", "—")
    value = previous.get("previous_year_actual")
    return "—" if is_missing(value) else fmt_quantity(value, row["unit"])


# What a chart leaves out, said under it (charts.show's note)
CHART_IDS_NAMED_MAX = 12  # KPI ids named in a chart's note; more: "等N项"


def _ids_text(ids: list[str]) -> str:
    shown = "、".join(ids[:CHART_IDS_NAMED_MAX])
    return shown if len(ids) <= CHART_IDS_NAMED_MAX else f"{shown}等"


def milestones_note(progress: pd.DataFrame) -> str:
    """Under a chart of completion rates: the milestones it leaves out (they have no rate), by id."""
    ids = progress.loc[progress["kind"] == "milestone", "kpi_id"].tolist()
    if not ids:
        return ""
    return (f"节点类指标{len(ids)}项（{_ids_text(ids)}）按是否完成考核、没有完成率，未列入本图，"
            "其进展见下文各表。")


def unreported_note(progress: pd.DataFrame) -> str:
    """Under a chart of average completion: the KPIs not reported this quarter, which the averages leave out."""
    ids = progress.loc[progress["status"] == "missing", "kpi_id"].tolist()
    if not ids:
        return ""
    return f"本季度未报送的{len(ids)}项指标（{_ids_text(ids)}）未计入图中的平均完成率。"


def notes_html(progress: pd.DataFrame) -> str:
    """进展说明 quoted from the submissions (untrusted text, escaped)."""
    items = [
        f"<li><strong>{escape(str(r['name']))}</strong>：{escape(str(r['note']))}</li>"
        for r in progress.to_dict("records") if isinstance(r.get("note"), str) and r["note"].strip()
    ]
    if not items:
        return '<p class="note">本期各指标未填写进展说明。</p>'
    return '<blockquote class="notes"><ul>' + "".join(items) + "</ul></blockquote>"


# --------------------------------------------------------------------------- blocks


def sample_badge_html() -> str:
    """The visible 示例数据 marker for reports built from sample data."""
    return f'<div class="sample-badge">{style.SAMPLE_DATA_LABEL}：本报告由示例数据生成，不代表实际工作进展</div>'


TITLE_PART_MARK = "——"  # 报告——（二）领域 / 报告——单位: the part after it starts a line of its own


def cover_html(title: str, subtitle_lines: list[str], sample: bool) -> str:
    """The cover: the title (a pillar's or unit's name after —— on a line of its own, so that the
    title never wraps a lone character or two onto its second line), the subtitle lines, 示例数据."""
    lines = "".join(f'<div class="subtitle">{escape(line)}</div>' for line in subtitle_lines)
    badge = sample_badge_html() if sample else ""
    main, mark, part = title.partition(TITLE_PART_MARK)
    heading = escape(main) + (f'<span class="title-part">{escape(mark + part)}</span>' if mark else "")
    return f'<header class="cover"><h1>{heading}</h1>{lines}{badge}</header>'


def provenance_html(items: dict) -> str:
    parts = "；".join(f"{escape(k)}：{escape(str(v))}" for k, v in items.items())
    return f'<footer class="provenance">数据来源与版本 —— {parts}</footer>'


def linked_heading_html(level: int, text: str, href: str | None) -> str:
    """A heading whose text links to ``href`` when given (the quarter report's pillar headings: to
    the pillar's report)."""
    inner = f'<a href="{escape(href)}">{escape(text)}</a>' if href else escape(text)
    return f"<h{level}>{inner}</h{level}>"


def show_html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def show_table(frame: pd.DataFrame, *, numeric: tuple[str, ...] = ()) -> None:
    """Display ``frame`` as a report table."""
    show_html(table_html(frame, numeric=numeric))


def show_sample_badge() -> None:
    """Display the 示例数据 badge."""
    show_html(sample_badge_html())


_MARKDOWN_SYNTAX = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def markdown_text(text) -> str:
    """``text`` (a plan's title, a unit's name) as markdown that shows exactly that text: every
    ASCII punctuation character backslash-escaped, so that no HTML tag, link (``javascript:``),
    emphasis or heading mark in it becomes markup in the report or the Word file; one line."""
    return _MARKDOWN_SYNTAX.sub(r"\\\1", " ".join(str(text).split()))


def show_markdown(text: str) -> None:
    """Display markdown built from template text; text from a plan or a submission in it must
    have gone through :func:`markdown_text`."""
    from IPython.display import Markdown, display

    display(Markdown(text))
