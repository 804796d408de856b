"""The reviewed plan file (YAML): reading it into :class:`~reportlib.plan.model.Plan`."""
from __future__ import annotations


import hashlib
from pathlib import Path

import pandas as pd
import yaml

from reportlib.workspace import resolve as resolve_workspace
from reportlib.plan.model import (
    OPTIONAL_KPI_KEYS, KPI_COLUMNS, KPI_KEYS, NOT_TARGET_COLUMNS, PILLAR_COLUMNS, TASK_COLUMNS, TO_REVIEW_COLUMNS, Plan,
    frame_of,
)
from reportlib.plan.validation import semantic_problems
from reportlib.errors import InputError

# --------------------------------------------------------------------------
# Plan file: reading
# --------------------------------------------------------------------------
# The C (libyaml) loader when PyYAML was built with it: the plan file is parsed once, by it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """(root node, data) of the YAML ``text``, parsed once: the node gives line numbers, the data
    is constructed from the same node (as ``yaml.safe_load`` would give it). Raises yaml.YAMLError."""
    loader = _YAML_LOADER(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data


def _item_lines(root, section: str = "kpis") -> list[int]:
    """1-based line of each item of the top-level list ``section`` of the parsed YAML (root node)."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == section and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def is_number(value) -> bool:
    """True for int/float values (YAML booleans excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Reader:
    """Turns the YAML mapping into the Plan tables, collecting type problems."""

    def __init__(self, path: Path, data: dict, lines: list[int]):
        self.path, self.data, self.lines = path, data, lines
        self.problems: list[str] = []

    def problem(self, message: str, line: int | None = None, kpi: str | None = None) -> None:
        where = f"{self.path.name}:{line}" if line else self.path.name
        self.problems.append(f"{where}: {kpi + ': ' if kpi else ''}{message}")

    def pillars_and_tasks(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        pillar_rows, task_rows = [], []
        pillars = self.data.get("pillars")
        if not isinstance(pillars, list):
            self.problem("缺少 pillars 列表 (missing 'pillars' list)")
            pillars = []
        for index, item in enumerate(pillars, 1):
            if not isinstance(item, dict) or not is_number(item.get("pillar")):
                self.problem(f"第{index}个篇章应有整数 pillar 和 title (pillar entry needs an integer 'pillar')")
                continue
            pillar = int(item["pillar"])
            pillar_rows.append({"pillar": pillar, "title": str(item.get("title") or "")})
            for task in item.get("tasks") or []:
                if not isinstance(task, dict) or not isinstance(task.get("task"), str):
                    self.problem(f"篇章{pillar}的任务编号应写成带引号的字符串, 如 \"{pillar}.1\" (task id must be a quoted string): {task!r}")
                    continue
                task_rows.append({"pillar": pillar, "task": task["task"], "title": str(task.get("title") or "")})
        return frame_of(pillar_rows, PILLAR_COLUMNS), frame_of(task_rows, TASK_COLUMNS)

    def kpi_row(self, index: int, item) -> dict | None:
        line = self.lines[index] if index < len(self.lines) else None
        if not isinstance(item, dict):
            self.problem("指标条目应为映射 (KPI entry must be a mapping)", line)
            return None
        kpi_id = str(item.get("id") or "")
        if not kpi_id:
            self.problem("指标缺少 id (KPI without id)", line)
        unknown = sorted(set(item) - set(KPI_KEYS) - set(OPTIONAL_KPI_KEYS))
        if unknown:
            self.problem(f"未知字段 (unknown keys): {', '.join(map(str, unknown))}", line, kpi_id)
        row = {"kpi_id": kpi_id, "line": line}
        pillar = item.get("pillar")
        row["pillar"] = int(pillar) if is_number(pillar) else None
        if row["pillar"] is None:
            self.problem(f"pillar 应为整数 (pillar must be an integer): {pillar!r}", line, kpi_id)
        task = item.get("task")
        row["task"] = task if isinstance(task, str) else ("" if task is None else str(task))
        if not isinstance(task, str):
            self.problem(f"task 应写成带引号的字符串, 如 \"1.1\" (task must be a quoted string): {task!r}", line, kpi_id)
        for key in ("name", "kind", "unit", "comparator", "period", "source_text"):
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                self.problem(f"{key} 应为文本 (must be text): {value!r}", line, kpi_id)
                value = str(value)
            if value is None and key in ("name", "source_text"):
                value = ""  # missing: the rule checks say so with file and line
            row[key] = value
        previous = item.get("previous_id")
        row["previous_id"] = "" if previous is None else str(previous)
        owner = item.get("owner")
        row["owner"] = "" if owner is None else str(owner)
        target = item.get("target")
        row["target"] = float(target) if is_number(target) else float("nan")
        if target is not None and not is_number(target):
            self.problem(f"target 应为数字或 null (target must be a number): {target!r}", line, kpi_id)
        row["schedule"] = self.schedule(item.get("schedule"), line, kpi_id)
        due = item.get("due_quarter")
        row["due_quarter"] = int(due) if is_number(due) and float(due).is_integer() else None
        if due is not None and row["due_quarter"] is None:
            self.problem(f"due_quarter 应为 1-4 的整数 (must be an integer 1-4): {due!r}", line, kpi_id)
        return row

    def not_targets(self, items, lines: list[int], section: str = "not_targets") -> pd.DataFrame:
        """The ``not_targets`` (or ``to_review``) list, optional, as a table; malformed entries noted
        and dropped. Each row keeps the line of its entry in the file (column ``line``)."""
        columns = NOT_TARGET_COLUMNS if section == "not_targets" else TO_REVIEW_COLUMNS
        if items is None:
            return frame_of([], columns + ["line"])
        if not isinstance(items, list):
            self.problem(f"{section} 应为列表 ({section} must be a list)")
            return frame_of([], columns + ["line"])
        rows = []
        for index, item in enumerate(items):
            line = lines[index] if index < len(lines) else None
            if not isinstance(item, dict):
                self.problem(f"{section} 条目应为映射 ({section} entry must be a mapping)", line)
                continue
            unknown = sorted(set(item) - set(columns))
            if unknown:
                self.problem(f"{section} 未知字段 (unknown keys): {', '.join(map(str, unknown))}", line)
            source_text, reason, value, unit = (item.get(k) for k in ("source_text", "reason", "value", "unit"))
            if not isinstance(source_text, str) or not source_text.strip():
                self.problem(f"{section} 条目需要 source_text: 文档中的原句 (entry needs the clause)", line)
                continue
            if section == "not_targets" and (not isinstance(reason, str) or not reason.strip()):
                self.problem(f"not_targets 条目需要 reason: 为什么不是指标 (entry needs a reason): {source_text}", line)
            if value is not None and not is_number(value):
                self.problem(f"{section} 的 value 应为数字或省略 (value must be a number): {value!r}", line)
                value = None
            if unit is not None and not isinstance(unit, str):
                self.problem(f"{section} 的 unit 应为文本 (unit must be text): {unit!r}", line)
                unit = None
            row = {"source_text": source_text, "value": float("nan") if value is None else float(value),
                   "unit": unit or "", "reason": reason if isinstance(reason, str) else "", "line": line}
            if section != "not_targets":
                row.update({"raw": str(item.get("raw") or ""), "where": str(item.get("where") or "")})
            rows.append(row)
        return frame_of(rows, columns + ["line"])

    def schedule(self, value, line, kpi_id):
        """Schedule as a tuple of floats, or None (problems noted)."""
        if value is None:
            return None
        if not isinstance(value, list) or not all(is_number(v) for v in value):
            self.problem(f"schedule 应为 4 个数字的列表 (must be a list of 4 numbers): {value!r}", line, kpi_id)
            return None
        return tuple(float(v) for v in value)


def read_plan(path) -> tuple[Plan, list[str]]:
    """The plan and its type problems; InputError when it cannot be read at all."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取计划文件 (cannot read plan file): {exc.strerror or exc}", file=str(path)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("计划文件应为 UTF-8 编码 (plan file must be UTF-8)", file=str(path)) from exc
    try:
        root, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"计划文件不是合法的 YAML (invalid YAML): {problem}", file=str(path),
                         row=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict):
        raise InputError("计划文件顶层应为映射 (top level must be a mapping with year, pillars, kpis)", file=str(path))
    reader = _Reader(path, data, _item_lines(root, "kpis"))
    year = data.get("year")
    if not is_number(year):
        reader.problem(f"year 应为整数 (year must be an integer): {year!r}")
    pillars, tasks = reader.pillars_and_tasks()
    items = data.get("kpis")
    if not isinstance(items, list):
        reader.problem("缺少 kpis 列表 (missing 'kpis' list)")
        items = []
    rows = [row for index, item in enumerate(items) if (row := reader.kpi_row(index, item)) is not None]
    kpis = pd.DataFrame([{c: r[c] for c in KPI_COLUMNS} for r in rows], columns=KPI_COLUMNS)
    kpis["schedule"] = pd.Series([r["schedule"] for r in rows], dtype=object)
    kpis["due_quarter"] = pd.Series([r["due_quarter"] for r in rows], dtype=object)
    kpis["target"] = kpis["target"].astype(float)
    not_targets = reader.not_targets(data.get("not_targets"), _item_lines(root, "not_targets"))
    to_review = reader.not_targets(data.get("to_review"), _item_lines(root, "to_review"), "to_review")
    source = str(data.get("source") or "")
    organization, parent = (data.get(key) for key in ("organization", "parent_organization"))
    for key, value in (("organization", organization), ("parent_organization", parent)):
        if value is not None and not isinstance(value, str):
            reader.problem(f"{key} 应为文本 (must be text): {value!r}")
    plan = Plan(
        year=int(year) if is_number(year) else 0,
        title=str(data.get("title") or ""),
        pillars=pillars,
        tasks=tasks,
        kpis=kpis,
        source_path=(path.parent / source) if source else path.parent,
        sha256=hashlib.sha256(raw).hexdigest(),
        kpi_lines={r["kpi_id"]: r["line"] for r in rows if r["line"]},
        source=source,
        path=path,
        not_targets=not_targets,
        to_review=to_review,
        organization=str(organization or "").strip(),
        parent_organization=str(parent or "").strip(),
        previous_ids={r["kpi_id"]: r["previous_id"] for r in rows if r["previous_id"]},
    )
    return plan, reader.problems


def default_plan_path(year: int | None = None, workspace=None) -> Path:
    """The plan file of ``year`` (default: the latest plan year) in the workspace (default: current)."""
    ws = resolve_workspace(workspace)
    return ws.plan_file(ws.year(year))


def load_plan(path=None, *, validate: bool = False) -> Plan:
    """Read the plan file (default: the current workspace's latest year, see :func:`default_plan_path`).

    Raises :class:`InputError` when the file cannot be read or a field has
    the wrong type. With ``validate=True`` every :func:`validate_plan` error
    raises too. ``Plan.source_path`` is the source document named by
    ``source:`` (beside the plan file); ``Plan.path`` is the plan file.
    """
    path = Path(path) if path is not None else default_plan_path()
    plan, problems = read_plan(path)
    if validate:
        problems = problems + semantic_problems(plan)
    if problems:
        raise InputError("计划文件有错误 (plan file has errors):\n  " + "\n  ".join(problems), file=str(path))
    return plan


def validate_plan(plan_or_path=None) -> list[str]:
    """Every error in a plan (a :class:`Plan` or a path); empty when it is valid.

    Checks: duplicate ids, pillars and tasks; task/pillar mismatch; a KPI's
    task that does not exist; unknown kind, unit, comparator or period; a
    numeric kind without a target; bad schedule (not 4 numbers,
    decreasing for cumulative kinds, last != target); due_quarter outside
    1-4; missing name or source_text; the source document missing.
    """
    if isinstance(plan_or_path, Plan):
        return semantic_problems(plan_or_path)
    path = Path(plan_or_path) if plan_or_path is not None else default_plan_path()
    try:
        plan, problems = read_plan(path)
    except InputError as exc:
        return [str(exc)]
    return problems + semantic_problems(plan)

