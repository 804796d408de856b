"""Target tables (序号 / 任务 / 目标 / 责任单位 / 完成时限) of a plan document.

Many plans list their targets in a table, often as an annex. Each row becomes a
block scanned like a task, with the row's owner and deadline.
"""
from __future__ import annotations

import re

from reportlib.plan.model import Block
from reportlib.plan.owners import quarter_of

# Header words of each column a target table may have, as data.
TABLE_HEADERS = {
    "task": ("任务", "工作任务", "重点任务", "任务名称", "项目", "项目名称", "工作内容", "事项", "工作事项", "重点工作"),
    "target": ("目标", "工作目标", "目标任务", "任务目标", "年度目标", "预期目标", "指标", "主要指标", "目标值", "目标要求", "具体目标"),
    "owner": ("责任单位", "牵头单位", "责任部门", "牵头部门", "责任科室", "主责单位", "责任主体"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限", "完成期限"),
}
TABLE_PILLAR_TITLE = "目标任务表"


def _normalise_header(cell: str) -> str:
    return re.sub(r"\s+", "", cell or "")


def table_columns(header: list[str]) -> dict[str, int] | None:
    """Column index of task/target/owner/deadline; None when the row is not a target table's header."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _normalise_header(cell)
        for role, words in TABLE_HEADERS.items():
            if role not in found and name in words:
                found[role] = index
    if ("target" in found or "task" in found) and ("owner" in found or "deadline" in found or "target" in found and "task" in found):
        return found
    return None


def _cell(row: list[str], columns: dict[str, int], role: str) -> str:
    index = columns.get(role)
    return row[index].strip() if index is not None and index < len(row) else ""


def table_blocks(tables: list[list[list[str]]], pillar: int) -> tuple[list[Block], list[str]]:
    """Blocks for the rows of target tables (tasks ``pillar.n``), and the rows of other tables as text."""
    blocks: list[Block] = []
    other: list[str] = []
    for table in tables:
        columns = table_columns(table[0]) if table else None
        if columns is None:
            other.extend("，".join(cell for cell in row if cell) + "。" for row in table)
            continue
        for row in table[1:]:
            task, target = _cell(row, columns, "task"), _cell(row, columns, "target")
            text = target or task
            if not text or row == table[0]:
                continue
            number = len(blocks) + 1
            block = Block(pillar, f"{pillar}.{number}", task or target, text, 0)
            block.owner = _cell(row, columns, "owner")
            block.due_quarter = quarter_of(_cell(row, columns, "deadline"))
            blocks.append(block)
    return blocks, other
