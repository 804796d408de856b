"""Target tables of a plan document: 任务清单, 目标任务表, 民生实事项目表 …

Many plans list their targets in a table (序号 | 重点任务 | 具体目标 | 牵头单位 | 完成时限),
in the body, as an attachment (附件：重点工作任务清单) or as the whole document (a county's
政府工作报告重点任务清单). Word and web-page tables are read into the text as rows written
with ``|``, so a table typed as text and a real table are one case. Each row becomes a task
(its task cell the title, its target cell the text scanned); a row that only names a group
(一、经济发展) opens a pillar; the other cells are kept as blocks of their role, so that every
number in a table is accounted for (a 序号 is a row number, a 完成时限 a date, a number in
a column whose meaning is unknown goes to review).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reportlib.plan.model import Block
from reportlib.plan.owners import quarter_of
from reportlib.units import UnitError, canonical_unit

TABLE_PILLAR_TITLE = "目标任务表"

# What each column of a target table holds, from words in its header cell; the first rule
# that matches a header decides. Rules as data: (role, pattern).
COLUMN_RULES = (
    ("index", re.compile(r"^(?:序号|编号|序|No\.?|#)$", re.I)),
    ("owner", re.compile(r"责任|牵头|负责|主责|配合|承办|实施主体|主体")),
    ("deadline", re.compile(r"时限|时间|节点|期限|进度安排|完成日期")),
    ("target", re.compile(r"目标|指标|规模|计划|要求|标准|预期|任务量")),
    ("task", re.compile(r"任务|项目|事项|工作|内容|名称|举措|措施")),
)
# Roles of cells that are not the row's task text, as Block.role.
CELL_ROLES = ("index", "owner", "deadline", "header", "other")
# An owner column naming units is preferred to one naming leaders or persons.
_UNIT_OWNER_RE = re.compile(r"单位|部门|科室|办")
_HEADING_LABEL_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*、|[（(][一二三四五六七八九十]{1,3}[)）])")
_FIRST_CLAUSE_RE = re.compile(r"^[^，,；;。：:]+")


@dataclass
class Table:
    """Rows of one table (``structure.Line`` with cells), its number and caption line."""

    number: int
    rows: list
    caption: str = ""


def table_text(rows: list[list[str]]) -> list[str]:
    """A table as lines written with ``|`` (how the extractor reads every table)."""
    lines = []
    for row in rows:
        cells = [re.sub(r"\s+", " ", (cell or "").replace("|", "/")).strip() for cell in row]
        if any(cells):
            lines.append("| " + " | ".join(cells) + " |")
    return lines


_HEADER_UNIT_RE = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?([^（）()]{1,8}?)\s*[)）]\s*$")


def header_unit(header_cell: str) -> str:
    """The unit a header names for its column (年度计划投资（万元） -> 万元), "" when none it knows."""
    match = _HEADER_UNIT_RE.search(header_cell or "")
    if not match:
        return ""
    try:
        canonical_unit(match.group(1))
    except UnitError:
        return ""
    return match.group(1)


def column_role(header_cell: str) -> str:
    """The role of a column from its header cell (:data:`COLUMN_RULES`); "other" when none matches."""
    name = re.sub(r"\s+", "", header_cell or "")
    return next((role for role, pattern in COLUMN_RULES if name and pattern.search(name)), "other")


# Words of a target column, strongest first: a table may have a 建设规模 column beside its 年度目标.
_TARGET_RANKS = (re.compile(r"目标|指标"), re.compile(r"计划|任务量|预期"), re.compile(r"要求|标准|规模"))


def _target_rank(header_cell: str) -> int:
    return next((rank for rank, pattern in enumerate(_TARGET_RANKS) if pattern.search(header_cell or "")), len(_TARGET_RANKS))


def column_roles(header: list[str]) -> dict[str, int] | None:
    """Column index of each role (task, target, owner, deadline, index); None when the row is
    not a target table's header (it needs a task or target column and one more column it knows)."""
    roles: dict[str, list[int]] = {}
    for index, cell in enumerate(header):
        role = column_role(cell)
        if role != "other":
            roles.setdefault(role, []).append(index)
    found: dict[str, int] = {}
    for role, indexes in roles.items():
        if role == "owner":
            units = [i for i in indexes if _UNIT_OWNER_RE.search(header[i])]
            found[role] = (units or indexes)[0]
        elif role == "target":  # 年度目标 before 建设内容及规模: the column that names the goal
            found[role] = min(indexes, key=lambda i: (_target_rank(header[i]), i))
        else:
            found[role] = indexes[0]
    if "target" not in found and len(roles.get("task", [])) > 1:
        found["target"] = roles["task"][-1]  # 重点任务 | 工作内容: the content is the text
    if ("task" not in found and "target" not in found) or len(found) < 2:
        return None
    return found


def table_columns(header: list[str]) -> dict[str, int] | None:
    """:func:`column_roles` (the name older callers use)."""
    return column_roles(header)


def _cell(cells: list, index: int | None) -> tuple[int, str]:
    if index is None or index >= len(cells):
        return (0, "")
    return cells[index]


def _category_cell(cells: list, header_width: int, roles: dict[str, int]) -> tuple[int, str] | None:
    """The cell of a row naming a group of the rows below it (一、经济发展), or None.

    Such a row has one filled cell — with a heading label, in the 序号 column, or in a row
    shorter than the header (merged cells) — or only a Chinese numeral in the 序号 column
    and a task name (| 一 | 经济发展 | | |).
    """
    filled = [i for i, (_, text) in enumerate(cells) if text]
    if len(filled) == 1:
        index = filled[0]
        if index in (roles.get("owner"), roles.get("deadline")):
            return None
        text = cells[index][1]
        if _HEADING_LABEL_RE.match(text) or len(cells) < header_width or index == roles.get("index"):
            return cells[index]
        return None
    index_column, task_column = roles.get("index"), roles.get("task")
    if len(filled) == 2 and set(filled) == {index_column, task_column} \
            and re.fullmatch(r"[一二三四五六七八九十]{1,3}、?", cells[index_column][1]):
        return cells[task_column]
    return None


def _header(table: Table) -> tuple[int, dict[str, int]] | None:
    """(row index, roles) of the header: the first row, or the second under a title row."""
    for index, row in enumerate(table.rows[:2]):
        roles = column_roles([text for _, text in row.cells])
        if roles:
            return index, roles
    return None


def _cell_block(pillar: int, task: str, role: str, cell: tuple[int, str], line: int, table: int, name: str = "") -> Block:
    block = Block(pillar, task, name, line=line, role=role, table=table)
    block.append(cell[1], line, cell[0])
    return block


def table_blocks(table: Table, parser) -> list[Block]:
    """File a table's rows with ``parser`` (structure._Parser); returns the blocks of cells that
    are not task text (序号, 责任单位, 完成时限, header cells, unknown columns).

    A table whose header is not a target table's is kept as one block of role "other": its
    numbers are read, but none is proposed as a target without review.
    """
    cells: list[Block] = []
    found = _header(table)
    first = table.rows[0]
    if found is None:
        block = Block(parser.current_pillar or 0, parser.current.task if parser.current else "", "",
                      line=first.number, role="other", table=table.number)
        for row in table.rows:
            for column, text in row.cells:
                if text:
                    block.append(text, row.number, column, sep="\n")
        return [block]
    header_index, roles = found
    header = table.rows[header_index]
    width = len(header.cells)
    header_texts = [text for _, text in header.cells]
    caption = table.caption
    pillar = None
    for index, row in enumerate(table.rows):
        if index < header_index:  # a title row above the header names the table
            caption = caption or " ".join(text for _, text in row.cells if text)
            cells.append(_cell_block(parser.current_pillar or 0, "", "header", (row.cells[0][0], " ".join(t for _, t in row.cells if t)),
                                     row.number, table.number))
            continue
        texts = [text for _, text in row.cells]
        if index == header_index or texts == header_texts:
            for cell in row.cells:
                if cell[1]:
                    cells.append(_cell_block(parser.current_pillar or 0, "", "header", cell, row.number, table.number))
            continue
        category = _category_cell(row.cells, width, roles)
        if category is not None:
            for index_cell in row.cells:  # a 序号 such as 一 beside the group's name
                if index_cell[1] and index_cell is not category:
                    cells.append(_cell_block(parser.current_pillar or 0, "", "index", index_cell, row.number, table.number))
            pillar = parser.category_pillar(category, row.number, table.number)
            continue
        if pillar is None:
            pillar = parser.table_pillar(caption or TABLE_PILLAR_TITLE, table.number)
        cells.extend(_row_blocks(parser, pillar, row, roles, header_texts, table.number))
    return cells


def _row_blocks(parser, pillar: int, row, roles: dict[str, int], header: list[str], table: int) -> list[Block]:
    """The task block of one data row, and the blocks of its other cells."""
    task_cell, target_cell = _cell(row.cells, roles.get("task")), _cell(row.cells, roles.get("target"))
    title = _HEADING_LABEL_RE.sub("", task_cell[1]).strip() if task_cell[1] else ""
    if not title and target_cell[1]:
        first = _FIRST_CLAUSE_RE.match(target_cell[1])
        title = first.group() if first else target_cell[1]
    block = parser.add_task(pillar, title, row.number)
    block.table = table
    if task_cell[1]:
        block.append(task_cell[1], row.number, task_cell[0])
        block.title_end = len(task_cell[1])
    if target_cell[1] and roles.get("target") != roles.get("task"):
        block.append(target_cell[1], row.number, target_cell[0])
    target_header = header[roles["target"]] if roles.get("target") is not None and roles["target"] < len(header) else ""
    block.unit_hint = header_unit(target_header)
    block.owner = _cell(row.cells, roles.get("owner"))[1]
    block.due_quarter = quarter_of(_cell(row.cells, roles.get("deadline"))[1])
    others = []
    for index, cell in enumerate(row.cells):
        if index in (roles.get("task"), roles.get("target")) or not cell[1]:
            continue
        name = header[index] if index < len(header) else ""
        role = column_role(name)
        others.append(_cell_block(pillar, block.task, role if role in CELL_ROLES else "other", cell, row.number, table, name))
    return others
