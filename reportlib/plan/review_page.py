"""``reportlib plan review``: one self-contained HTML page for reviewing a plan file against its document.

The document's text, line by line, with every number marked by what became of it — the KPI
(its id, a link to it), a reviewed non-target or context (and why), a past result, or still to
review — beside the plan's pillars, tasks and KPIs (each KPI linking back to its number), with
the problems of ``plan check`` on top. CSS inline, no script, nothing fetched; the marks carry
text labels as well as colours, so the page reads in greyscale and prints on A4.
"""
from __future__ import annotations

import html
from collections import defaultdict

import pandas as pd

from reportlib.plan.accounting import (
    ACCOUNT_LABELS, CONTEXT, KPI, NOT_TARGET, PAST, TO_REVIEW, UNACCOUNTED, UNCOVERED, accounting_summary,
)
from reportlib.plan.draft import COMPARATOR_SYMBOLS, KIND_LABELS, PERIOD_LABELS
from reportlib.plan.structure import cn_numeral

REVIEW_FOLDER = "plan"
# The short label written after each mark (read without colour, and in print).
MARK_LABELS = {KPI: None, NOT_TARGET: "已核", CONTEXT: "非", PAST: "已完成", TO_REVIEW: "待核", UNCOVERED: "漏",
               UNACCOUNTED: "待核"}
_NEEDS_ACTION = (TO_REVIEW, UNCOVERED, UNACCOUNTED)

CSS = """
:root { --ink: #1a1a1a; --muted: #5a5a5a; --line: #d8d8d8; --kpi: #0b6b3a; --kpi-bg: #e3f4ea;
  --ctx: #6b6b6b; --ctx-bg: #f0f0f0; --past: #1f4e8c; --past-bg: #e6eef9; --todo: #a4281b; --todo-bg: #fde7e3; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.7; font-size: 15px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
h1 { font-size: 22px; margin: 20px 0 4px; line-height: 1.4; }
h2 { font-size: 17px; margin: 18px 0 8px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; }
h3 { font-size: 15px; margin: 12px 0 4px; }
.sub { color: var(--muted); margin: 0 0 8px; }
.verdict { padding: 8px 12px; border-left: 6px solid var(--kpi); background: var(--kpi-bg); margin: 10px 0; font-weight: bold; }
.verdict.fail { border-color: var(--todo); background: var(--todo-bg); }
.counts { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 0; margin: 6px 0; list-style: none; }
.problems li, .warnings li { margin: 2px 0; overflow-wrap: anywhere; }
.warnings { color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 8px 0 0; padding: 0; list-style: none; font-size: 14px; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 28px; align-items: start; }
.doc ol { list-style: none; margin: 0; padding: 0; }
.doc li { display: grid; grid-template-columns: 3.2em minmax(0, 1fr); gap: 8px; padding: 1px 0; border-bottom: 1px solid #f2f2f2; }
.ln { color: var(--muted); text-align: right; font-size: 12px; padding-top: 3px; font-variant-numeric: tabular-nums; }
.tx { overflow-wrap: anywhere; }
a.n, span.n { text-decoration: none; color: inherit; border-radius: 3px; padding: 0 2px; white-space: nowrap; }
.n b { font-weight: normal; font-size: 11px; margin-left: 2px; padding: 0 3px; border-radius: 2px; vertical-align: 1px; white-space: nowrap; }
.n.not_target b, .n.context b, .n.result b { font-size: 9px; padding: 0 1px; margin-left: 1px; vertical-align: super; line-height: 1; }
.n.kpi { background: var(--kpi-bg); border-bottom: 2px solid var(--kpi); }
.n.kpi b { background: var(--kpi); color: #fff; }
.n.not_target, .n.context { background: var(--ctx-bg); border-bottom: 1px dotted var(--ctx); }
.n.not_target b, .n.context b { color: var(--ctx); }
.n.result { background: var(--past-bg); border-bottom: 1px dashed var(--past); }
.n.result b { color: var(--past); }
.n.to_review, .n.unaccounted, .n.target_uncovered { background: var(--todo-bg); border: 2px solid var(--todo); font-weight: bold; }
.n.to_review b, .n.unaccounted b, .n.target_uncovered b { background: var(--todo); color: #fff; }
.tree { position: sticky; top: 0; max-height: 100vh; overflow: auto; padding-bottom: 20px; }
.tree ul { list-style: none; margin: 0; padding: 0 0 0 10px; }
.tree > ul { padding: 0; }
.pillar > .t { font-weight: bold; margin-top: 10px; }
.task > .t { margin-top: 6px; color: #333; }
.kpi-item { margin: 3px 0 3px 6px; padding: 3px 6px; border-left: 3px solid var(--kpi); background: #fafafa; overflow-wrap: anywhere; }
.kpi-item:target { background: #fff4c2; outline: 2px solid #c99a00; }
.kpi-item .id { font-weight: bold; font-variant-numeric: tabular-nums; }
.kpi-item .goal { white-space: nowrap; }
.kpi-item .meta { color: var(--muted); font-size: 13px; }
.todo table { border-collapse: collapse; width: 100%; font-size: 14px; }
.todo th, .todo td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.todo th { background: #f4f4f4; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 30px; }
@media (max-width: 800px) {
  body { font-size: 15px; }
  header, main, footer { padding: 0 12px; }
  .layout { display: block; }
  .tree { position: static; max-height: none; }
  .doc li { grid-template-columns: 2.4em minmax(0, 1fr); gap: 5px; }
  .todo td:nth-child(4), .todo th:nth-child(4) { display: none; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; line-height: 1.55; }
  header, main, footer { max-width: none; padding: 0; }
  .layout { display: block; }
  .tree { position: static; max-height: none; overflow: visible; break-before: page; }
  .doc li, .kpi-item, .todo tr { break-inside: avoid; }
  a { color: inherit; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(text) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def _anchor(line: int, column: int) -> str:
    return f"n{line}-{column}"


def _mark(row, words: str) -> str:
    """One number as a mark: its ``words`` as they stand in the line, a label saying what it is,
    a title saying why."""
    label = row.kpi_id if row.account == KPI else MARK_LABELS[row.account]
    why = f"{ACCOUNT_LABELS[row.account]}：{row.note}" if row.note else ACCOUNT_LABELS[row.account]
    if row.account == KPI:
        why = f"指标 {row.kpi_id}：{row.note}"
    inner = f"{_e(words)}<b>{_e(label)}</b>"
    attributes = f'class="n {row.account}" id="{_anchor(row.line, row.start)}" title="{_e(why)}"'
    if row.account == KPI:
        return f'<a {attributes} href="#{_e(row.kpi_id)}">{inner}</a>'
    return f"<span {attributes}>{inner}</span>"


def _document_lines(text: str, accounts: pd.DataFrame) -> str:
    """The document line by line, every number marked (blank lines left out, numbers kept)."""
    by_line: dict[int, list] = defaultdict(list)
    for row in accounts.itertuples(index=False):
        by_line[int(row.line)].append(row)
    items = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n"), 1):
        if not line.strip():
            continue
        parts, position = [], 0
        for row in sorted(by_line.get(number, []), key=lambda r: r.start):
            start, end = max(int(row.start), position), max(int(row.end), position)
            if start >= len(line) or start >= end:
                continue
            parts.append(_e(line[position:start]))
            parts.append(_mark(row, line[start:end]))
            position = end
        parts.append(_e(line[position:]))
        items.append(f'<li id="L{number}"><span class="ln">{number}</span><span class="tx">{"".join(parts)}</span></li>')
    return "<ol>" + "\n".join(items) + "</ol>"


def _goal(kpi) -> str:
    from reportlib.report.present import fmt_quantity  # reportlib.report imports the plan package

    if kpi.kind == "milestone":
        quarter = kpi.due_quarter if kpi.due_quarter is not None and not pd.isna(kpi.due_quarter) else 4
        return f"第{int(quarter)}季度末前完成"
    period = PERIOD_LABELS.get(kpi.period, "") + " " if kpi.kind == "recurring" else ""
    unit = "" if kpi.unit is None or (isinstance(kpi.unit, float) and pd.isna(kpi.unit)) else kpi.unit
    return f"{period}{COMPARATOR_SYMBOLS.get(kpi.comparator, kpi.comparator)} {fmt_quantity(kpi.target, unit)}"


def _kpi_item(kpi, marks: list) -> str:
    where = "、".join(f'<a href="#{_anchor(m.line, m.start)}">第{m.line}行 {_e(m.raw)}</a>' for m in marks)
    owner = f"责任单位：{_e(kpi.owner)}" if kpi.owner else "责任单位：未明确"
    return (f'<li class="kpi-item" id="{_e(kpi.kpi_id)}"><span class="id">{_e(kpi.kpi_id)}</span> '
            f'{_e(kpi.name)}　<span class="goal">{_e(KIND_LABELS.get(kpi.kind, kpi.kind))} {_e(_goal(kpi))}</span>'
            f'<div class="meta">{owner}{"　原文：" + where if where else ""}</div></li>')


def _tree(plan, accounts: pd.DataFrame) -> str:
    marks = defaultdict(list)
    for row in accounts[accounts["account"] == KPI].itertuples(index=False):
        marks[row.kpi_id].append(row)
    kpis = plan.kpis
    out = ["<ul>"]
    plan_level = kpis[(kpis["pillar"] == 0) & (kpis["task"] == "")]
    if not plan_level.empty:
        out.append('<li class="pillar"><div class="t">全局指标</div><ul>'
                   + "".join(_kpi_item(k, marks[k.kpi_id]) for k in plan_level.itertuples(index=False)) + "</ul></li>")
    for pillar in plan.pillars.itertuples(index=False):
        out.append(f'<li class="pillar"><div class="t">({cn_numeral(int(pillar.pillar))}) {_e(pillar.title)}</div><ul>')
        own = kpis[(kpis["pillar"] == pillar.pillar) & (kpis["task"] == "")]
        out.extend(_kpi_item(k, marks[k.kpi_id]) for k in own.itertuples(index=False))
        for task in plan.tasks[plan.tasks["pillar"] == pillar.pillar].itertuples(index=False):
            items = "".join(_kpi_item(k, marks[k.kpi_id]) for k in kpis[kpis["task"] == task.task].itertuples(index=False))
            out.append(f'<li class="task"><div class="t">{_e(task.task)} {_e(task.title)}</div><ul>{items}</ul></li>')
        out.append("</ul></li>")
    out.append("</ul>")
    return "".join(out)


def _todo(accounts: pd.DataFrame) -> str:
    todo = accounts[accounts["account"].isin(_NEEDS_ACTION)]
    if todo.empty:
        return ""
    rows = "".join(
        f'<tr><td><a href="#{_anchor(r.line, r.start)}">第{r.line}行</a></td><td>{_e(r.raw)}</td>'
        f"<td>{_e(ACCOUNT_LABELS[r.account])}：{_e(r.note)}</td><td>{_e(r.sentence)}</td></tr>"
        for r in todo.itertuples(index=False))
    return (f'<section class="todo"><h2>需要决定的数字（{len(todo)} 个）</h2>'
            "<p class=\"sub\">每个数字请在计划文件中写成指标（kpis），或列入 not_targets 并写明原因，"
            "然后从 to_review 中删去。</p><table><thead><tr><th>位置</th><th>数字</th><th>为什么</th><th>原句</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></section>")


def review_page(result) -> str:
    """The review page of a :class:`~reportlib.plan.check.PlanCheck` (plan and document read)."""
    plan, document, accounts = result.plan, result.document, result.accounts
    counts = accounting_summary(accounts)
    verdict = ('<p class="verdict">plan check 通过：文档中每个数字都有归属。</p>' if result.ok else
               f'<p class="verdict fail">plan check 未通过：{len(result.errors)} 个问题（见下）。</p>')
    problems = "".join(f"<li>{_e(p)}</li>" for p in result.errors)
    warnings = "".join(f"<li>{_e(w)}</li>" for w in result.warnings)
    count_items = "".join(f"<li>{_e(ACCOUNT_LABELS[a])} {n}</li>" for a, n in counts.items() if n or a == TO_REVIEW)
    legend = "".join(
        f'<li><span class="n {a}">数字<b>{_e(MARK_LABELS[a] or "K1.1.01")}</b></span> {_e(ACCOUNT_LABELS[a])}</li>'
        for a in (KPI, NOT_TARGET, CONTEXT, PAST, TO_REVIEW, UNCOVERED))
    name = plan.title if plan.organization in plan.title and str(plan.year) in plan.title \
        else f"{plan.organization}{plan.year}年 {plan.title}"
    title = f"计划校对：{name}"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{_e(title)}</h1>
<p class="sub">源文档 {_e(plan.source)} · 计划文件 {_e(plan.path.name if plan.path else "")} · {len(plan.kpis)} 个指标 · 文档中 {len(accounts)} 个数字</p>
{verdict}
<ul class="counts">{count_items}</ul>
{"<section class='problems'><h2>检查发现的问题</h2><ol>" + problems + "</ol></section>" if problems else ""}
{"<section class='warnings'><h3>提示（不影响检查结果）</h3><ul>" + warnings + "</ul></section>" if warnings else ""}
<ul class="legend">{legend}</ul>
</header>
<main>
{_todo(accounts)}
<div class="layout">
<section class="doc"><h2>文档原文（每个数字已标注）</h2>
{_document_lines(document.text, accounts)}
</section>
<aside class="tree"><h2>篇章、任务与指标</h2>
{_tree(plan, accounts)}
</aside>
</div>
</main>
<footer><p>由 reportlib plan review 生成。点击绿色标注的数字可跳到对应指标；每个指标下的“原文”链接回到文档中的位置。</p></footer>
</body>
</html>
"""
