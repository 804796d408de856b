"""Candidate targets in a work-plan document, and what became of every other number.

:func:`extract` parses the structure (:mod:`~reportlib.plan.structure`), scans each block
(:mod:`~reportlib.plan.scanner`), merges a target table that repeats the text, decides whether
the document is a plan or a year-end summary, and names each candidate
(:mod:`~reportlib.plan.naming`). Every quantity of the document body ends in exactly one row
of ``Extraction.numbers``.
"""
from __future__ import annotations


import re
from dataclasses import replace
from difflib import SequenceMatcher


from reportlib.plan.documents import Document, load_document
from reportlib.plan.model import (
    CANDIDATE_COLUMNS, DOCUMENT_PLAN, DOCUMENT_SUMMARY, IGNORED_COLUMNS, NUMBER_COLUMNS, PILLAR_COLUMNS,
    SUBITEM_COLUMNS, TASK_COLUMNS, Block, Extraction, frame_of,
)
from reportlib.plan.naming import short_name, tidy_name
from reportlib.plan.owners import block_deadline, block_owner
from reportlib.plan.reasons import IGNORED, RESULT, REVIEW, TARGET
from reportlib.plan.review import PAST_SUMMARY, SUMMARY_PROBLEM, looks_like_summary, plan_year
from reportlib.plan.clauses import mask_quotes, subitem_markers
from reportlib.plan.finds import role_finds, sweep
from reportlib.plan.scanner import Scanner
from reportlib.plan.structure import CN_NUMERALS, clean_lines, cn_numeral, parse_structure
from reportlib.plan.tables import table_text
from reportlib.units import find_quantities, fold_width

_MIN_SHARED_NAME = 3  # characters a table row's target shares with the text's to be the same target
_SPECIAL_RAWS = ("全覆盖", "全面覆盖", "全域覆盖", "清零", "全清零", "动态清零", "全部清零", "零的突破", "零突破")


def normalise_text(text: str) -> str:
    """Text for comparisons: full-width folded, all whitespace removed."""
    return re.sub(r"\s+", "", fold_width(text or ""))


# A plan sent out with a notice: 关于印发《青山镇2025年为民办实事项目》的通知 — the plan is the quoted title.
_NOTICE_TITLE_RE = re.compile(r"^关于(?:印发|下发|转发|公布|做好)?[《“](?P<title>[^》”]{4,60})[》”](?:的)?(?:通知|通报|函)$")


def _document_title(meta: dict, lines) -> str:
    """The 标题 field, else a short first line that reads like a title; the plan's own title when
    the document is a notice sending it out (关于印发《…》的通知)."""
    title = meta.get("标题") or ""
    if not title:
        for line in lines[:2]:
            if not line.cells and len(line.text) <= 60 and not re.search(r"[。,，;；]", line.text):
                title = line.text
                break
    notice = _NOTICE_TITLE_RE.match(title)
    return notice.group("title") if notice else title


def _scan_block(block: Block, year: int | None, problems: list[str], subitem_rows: list[dict]) -> list[dict]:
    """The finds of one block: its numbers, milestones and recurring duties, each with its status."""
    scanner = Scanner(block, [], year)
    subs = block.subitems or ([] if block.past or block.headed or block.role else subitem_markers(block, scanner.masked))
    if subs != scanner.subitem_spans:
        scanner = Scanner(block, subs, year)
    if (block.task or block.pillar) and not block.headed and not block.role:
        for span in subs:
            title = block.text[span[1] : span[2]]
            title = re.sub(rf"^[{CN_NUMERALS}]{{1,2}}是", "", title).strip()
            subitem_rows.append({"pillar": block.pillar, "task": block.task, "subitem": span[0], "title": title})
    try:
        scanner.scan()
    except Exception as exc:  # noqa: BLE001 - never crash on a document
        problems.append(f"任务 {block.task or block.pillar} 无法完全解析 (could not parse): {exc!r}")
    owner = block.owner or block_owner(scanner.owner_spans)
    due = block.due_quarter or block_deadline(scanner.owner_spans)
    finds = role_finds(block, scanner.finds)
    for find in finds:
        find["_block"] = block
        if find["status"] in (TARGET, RESULT) and "confidence" in find:
            find["owner"] = owner
            if find.get("due_quarter") is None and due is not None:
                find["due_quarter"] = due
    finds += [{**find, "_block": block} for find in sweep(block, finds)]
    return finds


def _targets(finds: list[dict]) -> list[dict]:
    return [f for f in finds if f["status"] == TARGET]


def _same_target(a: dict, b: dict) -> bool:
    """Two candidates for one target (a table row repeating the text): same kind, value and
    unit, and the clauses, without their figures, share a run of characters."""
    if a["kind"] == "milestone" or (a["value"], a["unit"], a["kind"]) != (b["value"], b["unit"], b["kind"]):
        return False
    left, right = (normalise_text(x["source_text"]).replace(normalise_text(x["raw"]), "") for x in (a, b))
    match = SequenceMatcher(None, left, right, autojunk=False).find_longest_match(0, len(left), 0, len(right))
    return match.size >= min(_MIN_SHARED_NAME, len(left), len(right))


def _merge_tables(finds: list[dict]) -> None:
    """A table's candidate that repeats a candidate of the running text (or of its own row) is
    not a second target: it is marked as a repeat and lends the first its owner and deadline."""
    text_targets = [f for f in _targets(finds) if not f["_block"].table]
    for find in _targets(finds):
        block = find["_block"]
        if not block.table:
            continue
        same_row = [f for f in _targets(finds) if f["_block"] is block and f is not find and f["number_start"] is not None
                    and find["number_start"] is not None and f["number_start"] < find["number_start"]]
        twin = next((f for f in text_targets + same_row if _same_target(f, find)), None)
        if twin is None:
            continue
        find["status"], find["reason"] = IGNORED, "repeat"
        twin["owner"] = twin["owner"] or find["owner"]
        if twin.get("due_quarter") is None:
            twin["due_quarter"] = find.get("due_quarter")


def _drop_repeating_rows(parser, finds: list[dict]) -> None:
    """Rows of a table that only repeat the text's targets are not tasks of their own; the
    other rows of that table's pillar are numbered again in order, and a table pillar left
    empty at the end of the document is dropped (its numbers stay accounted for)."""
    dropped = set()
    for block in [b for b in parser.blocks if b.table and b.task]:
        own = [f for f in finds if f["_block"] is block and "confidence" in f]
        if own and all(f["reason"] == "repeat" for f in own if f["number_start"] is not None) \
                and not any(f["status"] == TARGET for f in own):
            dropped.add(id(block))
    if not dropped:
        return
    renumber: dict[str, str] = {}
    for pillar in {b.pillar for b in parser.blocks if id(b) in dropped}:
        kept = [b for b in parser.blocks if b.pillar == pillar and b.task and not b.past and id(b) not in dropped]
        for number, block in enumerate(kept, 1):
            renumber[block.task] = f"{pillar}.{number}"
        for block in parser.blocks:
            if id(block) in dropped and block.pillar == pillar:
                renumber[block.task] = ""
    for block in parser.blocks:
        if block.task in renumber and not block.past:
            block.task = renumber[block.task]
    parser.blocks = [b for b in parser.blocks if id(b) not in dropped]
    for find in finds:
        if find["task"] in renumber and find["_block"].pillar == int(find["pillar"]):
            find["task"] = renumber[find["task"]]
    last = parser.pillars[-1] if parser.pillars else None
    if last and last.get("table") and not any(b.pillar == last["pillar"] and b.task for b in parser.blocks) \
            and not any(f["status"] == TARGET and f["pillar"] == last["pillar"] for f in finds):
        parser.pillars.pop()
        for find in finds:
            if find["pillar"] == last["pillar"]:
                find["pillar"], find["task"] = 0, ""


def _decide_kind(title: str, finds: list[dict], problems: list[str]) -> str:
    """Plan or year-end summary, from the title and the content; a summary's figures become
    results, and the targets of its 工作打算 section go to review."""
    results = sum(1 for f in finds if f["status"] == RESULT)
    targets = len(_targets(finds))
    outlook = any(f["_block"].outlook for f in finds)
    if not looks_like_summary(title, results, targets, outlook):
        return DOCUMENT_PLAN
    problems.append(SUMMARY_PROBLEM)
    for find in finds:
        if find["status"] == TARGET and find["_block"].outlook:
            find["status"], find["reason"] = REVIEW, "outlook"
        elif find["status"] == TARGET or (find["status"] == REVIEW and not find["_block"].outlook):
            find["status"], find["reason"] = RESULT, PAST_SUMMARY
    return DOCUMENT_SUMMARY


def _name_candidates(finds: list[dict]) -> None:
    """Short names from the clause (:func:`~reportlib.plan.naming.short_name`), every figure of
    the clause left out (a quoted name keeps its figures: “15分钟便民生活圈”)."""
    spans_of: dict[str, list[tuple[int, int]]] = {}
    for find in finds:
        if "confidence" not in find:
            continue
        clause, clause_start = find["source_text"], find["clause_start"]
        if find["number_start"] is None or find["raw"] in _SPECIAL_RAWS:
            find["name"] = tidy_name(clause) or clause
            continue
        if clause not in spans_of:
            masked, _ = mask_quotes(clause)
            spans_of[clause] = [(m.start, m.end) for m in find_quantities(masked) if m.special or m.quantity.unit is not None]
        spans = spans_of[clause]
        at = find["number_start"] - clause_start
        index = next((i for i, (s, e) in enumerate(spans) if s <= at < e), None)
        if index is None:
            spans = sorted(spans + [(at, at + len(find["raw"]))])
            index = spans.index((at, at + len(find["raw"])))
        find["name"] = short_name(clause, spans, index)


def _frame_rows(finds: list[dict]) -> list[dict]:
    """Finds in document order, without the scanning-only keys."""
    ordered = sorted(finds, key=lambda f: (f["line"] or 0, -1 if f["column"] is None else f["column"]))
    for find in ordered:
        for key in ("_block", "number_start", "clause_start", "clause_end"):
            find.pop(key, None)
    return ordered


def extract(text, tables=None, meta=None) -> Extraction:
    """Pillars, tasks, sub-items, candidate targets and every number of a work-plan document.

    ``tables`` (rows of cell texts) are read as tables written with ``|`` after the text;
    ``meta`` adds header fields read by the document reader.
    Never raises for odd content; see ``Extraction.problems``.
    """
    problems: list[str] = []
    if not isinstance(text, str):
        problems.append(f"文档不是文本 (document is not text): {type(text).__name__}")
        text = ""
    if tables:
        text = "\n".join([text] + [line for table in tables for line in table_text(table)])
    lines, meta_lines = clean_lines(text)
    meta = {**(meta or {}), **meta_lines}
    if not lines:
        problems.append("文档为空或只有表头 (document is empty)")
    parser = parse_structure(lines, problems)
    title = _document_title(meta, lines)
    year = plan_year(title, [line.text for line in lines[:3]])
    tasks = [b for b in parser.blocks if b.task and not b.past]
    if lines and not parser.pillars:
        problems.append("未找到(一)(二)…形式的篇章标题 (no pillar headings); 任务归入篇章 0")
    if lines and not tasks:
        problems.append("未找到 1. 2. …形式的任务标题 (no task headings)")
    without_tasks = []
    for pillar in parser.pillars:
        own = parser.pillar_blocks[pillar["pillar"]]
        own.headed = any(b.pillar == pillar["pillar"] for b in tasks)
        if not own.headed and not pillar.get("table"):
            without_tasks.append(f"({cn_numeral(pillar['pillar'])})")
    if without_tasks:
        problems.append(f"篇章{''.join(without_tasks)}下没有编号任务 (pillar without tasks); 其正文按整体扫描, task 为空")
    subitem_rows: list[dict] = []
    finds: list[dict] = []
    parser.outside.headed = bool(parser.pillars)  # a preface: its targets are read, no milestone is taken from it
    for block in [parser.outside, *parser.pillar_blocks.values(), *parser.blocks, *parser.cells]:
        finds += _scan_block(block, year, problems, subitem_rows)
    _merge_tables(finds)
    _drop_repeating_rows(parser, finds)
    document_kind = _decide_kind(title, finds, problems)
    _name_candidates(finds)
    rows = _frame_rows(finds)
    candidates = [r for r in rows if r["status"] == TARGET]
    results = [{**r, "kind": "result"} for r in rows if r["status"] == RESULT and "confidence" in r]
    plan_tasks = [b for b in parser.blocks if b.task and not b.past]
    task_ids = {b.task for b in plan_tasks}
    return Extraction(
        title=title,
        meta=meta,
        pillars=frame_of([{"pillar": p["pillar"], "title": p["title"]} for p in parser.pillars], PILLAR_COLUMNS),
        tasks=frame_of(sorted(({"pillar": b.pillar, "task": b.task, "title": b.title} for b in plan_tasks),
                              key=lambda t: (t["pillar"], int(t["task"].split(".")[1]))), TASK_COLUMNS),
        subitems=frame_of([s for s in subitem_rows if s["task"] in task_ids or not s["task"]],
                          SUBITEM_COLUMNS),
        candidates=frame_of(candidates, CANDIDATE_COLUMNS),
        ignored=frame_of([r for r in rows if r["status"] == IGNORED], IGNORED_COLUMNS),
        problems=problems,
        results=frame_of(results, CANDIDATE_COLUMNS),
        document_kind=document_kind,
        numbers=frame_of(rows, NUMBER_COLUMNS),
    )


def extract_document(document: Document) -> Extraction:
    """:func:`extract` on a document read by :func:`~reportlib.plan.documents.load_document`
    (its tables are already in its text, written with ``|``)."""
    extraction = extract(document.text, None, document.meta)
    return replace(extraction, problems=document.problems + extraction.problems)


def extract_file(path) -> Extraction:
    """:func:`extract` on a file: .docx, saved .html page, PDF with text, or text in UTF-8/GBK."""
    return extract_document(load_document(path))
