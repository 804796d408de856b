"""Every number of a block has exactly one find: table cells by their role, and a sweep for any
figure no rule of :mod:`~reportlib.plan.scanner` reached (to review, never dropped)."""
from __future__ import annotations

import re

from reportlib.plan.clauses import is_accountable
from reportlib.plan.model import Block
from reportlib.plan.reasons import IGNORED, REVIEW, TARGET
from reportlib.units import find_quantities

# Cells of a table whose every number has one meaning, and that meaning.
_ROLE_REASONS = {"index": "row_number", "owner": "owner_cell", "deadline": "deadline", "header": "table_header"}


def role_finds(block: Block, finds: list[dict]) -> list[dict]:
    """Finds of a table cell block after its role: every number of a 序号, 责任单位, 完成时限 or
    header cell is that (context); a would-be target in a column of unknown meaning is to review."""
    reason = _ROLE_REASONS.get(block.role)
    for find in finds:
        if reason is not None and find["number_start"] is not None:
            find["status"], find["reason"] = IGNORED, reason
        elif block.role == "other" and find["status"] == TARGET:
            find["status"], find["reason"] = REVIEW, "table_unknown" if not block.title else "table_other"
    if reason is not None or block.role == "other":
        finds = [f for f in finds if f["number_start"] is not None]  # no milestone from a cell
    return finds


_DIGITS_RE = re.compile(r"\d+")
_SPECIAL_WORDS_RE = re.compile(r"全覆盖|全面覆盖|全域覆盖|清零|零的突破|零突破")


def sweep(block: Block, finds: list[dict]) -> list[dict]:
    """Finds for the numbers of ``block`` that no rule reached (status review, reason "unread"),
    so that every quantity of the document has a find.

    Every figure in digits and every 全覆盖/清零 not inside a find's words sends its piece of text
    through :func:`~reportlib.units.find_quantities` again (rarely: the rules reach them all).
    """
    covered = bytearray(len(block.text) + 1)
    for find in finds:
        if find["number_start"] is not None:
            start = find["number_start"]
            covered[start:start + max(len(find["raw"] or ""), 1)] = b"\x01" * max(len(find["raw"] or ""), 1)
    starts = [s for s, _, _ in block.segments] + [len(block.text) + 1]
    missing = []
    for (start, _, _), next_start in zip(block.segments, starts[1:]):
        piece = block.text[start:next_start].rstrip("\n")
        unread = [m for pattern in (_DIGITS_RE, _SPECIAL_WORDS_RE) for m in pattern.finditer(piece)
                  if not covered[start + m.start()]]
        if not unread:
            continue
        for match in find_quantities(piece):
            if not is_accountable(match) or any(covered[start + match.start:start + match.end]):
                continue
            line, column = block.position(start + match.start)
            missing.append({
                "pillar": block.pillar, "task": block.task, "status": REVIEW, "reason": "unread",
                "raw": match.quantity.raw, "value": match.quantity.value, "source_text": piece,
                "kind": "", "unit": match.quantity.unit, "counted": True, "number_start": start + match.start, "line": line,
                "column": column, "start": column, "end": column + match.end - match.start, "sentence": piece,
            })
    return missing
