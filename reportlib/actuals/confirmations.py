"""The analyst's confirmations of held or warned figures: a reviewed YAML file per quarter folder.

``data/raw/actuals/<year>Q<n>/confirmations.yaml``::

    confirmations:
      - kpi: K3.1.08                 # the KPI id
        quarter: 2025Q3              # optional: the folder's quarter
        value: 48000                 # the figure confirmed, in the plan's unit (95 for 95 %);
                                     # a milestone: 已完成 / 推进中 / 未启动
        who: 张伟（汇总人员，2025年10月12日电话核实城市管理办赵磊）
        why: 背街小巷提升改造二期整体完工，验收单见附件

A confirmation names the figure as reported or one of the readings the judgement proposed
(``是否为1.09万平方米？`` → 10900): then that figure is used, marked 经核实确认 in the reports. A
figure is never changed by editing a submission, and a confirmation whose value matches
neither (the unit sent a correction since) is listed as not used. The file is part of the
ingest's input fingerprint (it lies in the raw tree); a malformed file stops the ingest with
a message naming file:line, like the plan file.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from reportlib.actuals.cells import folder_quarter, parse_state
from reportlib.errors import InputError
from reportlib.quarters import QuarterError, parse_quarter, quarter_year

FILE_NAME = "confirmations.yaml"
KEYS = ("kpi", "quarter", "value", "who", "why", "date")
REQUIRED = ("kpi", "value", "who", "why")
HEADER = """\
# 人工核实确认（reviewed）：被暂缓采用或有提示的数据，经汇总人员核实无误后在此确认。
# 每条写明 kpi（指标编号）、value（确认的数值，按计划单位；节点类写 已完成/推进中/未启动）、
# who（核实人及核实方式）、why（依据）；quarter 可省略（默认为所在季度文件夹）。
# 数值须为报送数或系统提示的可能数值之一；不要修改报送文件本身。
confirmations:
"""


class ConfirmationsError(InputError):
    """A confirmations file that cannot be used; the message lists every problem as file:line."""


@dataclass(frozen=True)
class Confirmation:
    """One confirmed figure: ``value`` (NaN for milestones) or ``state``, who, why, where written."""

    kpi_id: str
    quarter: str
    value: float
    state: str
    who: str
    why: str
    file: str
    line: int

    def matches(self, values: list[float], state: str) -> bool:
        """Whether this confirmation names one of ``values`` (a milestone: ``state``)."""
        if self.state:
            return self.state == state
        return any(v == v and abs(v - self.value) <= max(1e-9, 1e-9 * abs(v)) for v in values)

    def as_dict(self) -> dict:
        """JSON form for the ingest summary."""
        return {"kpi_id": self.kpi_id, "quarter": self.quarter, "value": None if math.isnan(self.value) else self.value,
                "state": self.state, "who": self.who, "why": self.why, "file": self.file, "line": self.line}


def is_confirmations_file(rel: str) -> bool:
    """Whether a path (relative to the raw actuals folder) is a quarter folder's confirmations file."""
    return rel.rsplit("/", 1)[-1] == FILE_NAME and folder_quarter(rel) is not None


def load(raw_dir: Path, year: int, kpis: dict[str, dict]) -> dict[tuple[str, str], Confirmation]:
    """Every confirmation of ``year``'s quarter folders, by (kpi_id, quarter); raises
    :class:`ConfirmationsError` naming file:line for anything that cannot be used."""
    found: dict[tuple[str, str], Confirmation] = {}
    problems: list[str] = []
    for path in sorted(Path(raw_dir).glob(f"*/{FILE_NAME}")):
        rel = path.relative_to(raw_dir).as_posix()
        quarter = folder_quarter(rel)
        if quarter is None or quarter_year(quarter) != year or path.is_symlink():
            continue
        for item in _read(path, rel, quarter, kpis, problems):
            key = (item.kpi_id, item.quarter)
            if key in found:
                problems.append(f"{rel}:{item.line}: {item.kpi_id} {item.quarter} 已在第{found[key].line}行确认过，请只保留一条")
                continue
            found[key] = item
    if problems:
        raise ConfirmationsError("核实确认文件有误，请改正后重新运行：\n  " + "\n  ".join(problems))
    return found


def _read(path: Path, rel: str, quarter: str, kpis: dict[str, dict], problems: list[str]) -> list[Confirmation]:
    """The confirmations of one file; problems are appended as ``file:line: message``."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(f"{rel}:{mark.line + 1 if mark else 1}: 无法读取（{type(exc).__name__}），请检查缩进和冒号，保存为 UTF-8")
        return []
    if data is None:
        return []
    items = data.get("confirmations", "missing") if isinstance(data, dict) else None
    if items is None:  # the header alone: nothing confirmed yet
        return []
    if not isinstance(items, list):
        problems.append(f"{rel}:1: 应为“confirmations:”下的列表（见文件开头的说明）")
        return []
    lines = [node.start_mark.line + 1 for key, value in root.value if key.value == "confirmations"
             for node in value.value] if isinstance(root, yaml.MappingNode) else []
    out = []
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        entry = _entry(item, rel, line, quarter, kpis, problems)
        if entry is not None:
            out.append(entry)
    return out


def _entry(item, rel: str, line: int, quarter: str, kpis: dict[str, dict], problems: list[str]) -> Confirmation | None:
    """One list item as a :class:`Confirmation`, or None (its problems appended)."""
    before = len(problems)

    def problem(message: str) -> None:
        problems.append(f"{rel}:{line}: {message}")

    if not isinstance(item, dict):
        problem("每条确认应写成 kpi/value/who/why 等字段")
        return None
    unknown = sorted(str(k) for k in set(item) - set(KEYS))
    if unknown:
        problem(f"未知字段 {', '.join(unknown)}（可用：{', '.join(KEYS)}）")
    for key in REQUIRED:
        if item.get(key) is None or str(item.get(key)).strip() == "":
            problem(f"缺少 {key}")
    kpi_id = str(item.get("kpi") or "").strip()
    kpi = kpis.get(kpi_id)
    if kpi_id and kpi is None:
        problem(f"计划中没有指标 {kpi_id}")
    the_quarter = quarter
    if item.get("quarter") is not None:
        try:
            the_quarter = parse_quarter(str(item["quarter"]), default_year=quarter_year(quarter))
        except QuarterError:
            problem(f"无法识别的季度 {item['quarter']!r}")
        if the_quarter != quarter:
            problem(f"季度 {item['quarter']} 与所在文件夹 {quarter} 不一致：请把这条确认放到该季度的文件夹中")
    value, state = math.nan, ""
    raw = item.get("value")
    if kpi is not None and raw is not None:
        if str(kpi.get("kind") or "") == "milestone":
            state = parse_state(raw) or ""
            if not state:
                problem(f"{kpi_id} 是节点类指标，value 应为 已完成、推进中 或 未启动，而不是 {raw!r}")
        elif isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(float(raw)):
            problem(f"value 应为数字（按计划单位 {kpi.get('unit') or ''}），而不是 {raw!r}")
        else:
            value = float(raw)
    if len(problems) > before:
        return None
    return Confirmation(kpi_id, the_quarter, value, state, str(item["who"]).strip(), str(item["why"]).strip(), rel, line)


def entry_text(kpi_id: str, quarter: str, value, who: str, why: str) -> str:
    """The YAML of one confirmation, as appended to a file by :func:`append`."""
    text = yaml.safe_dump([{"kpi": kpi_id, "quarter": quarter, "value": value, "who": who, "why": why}],
                          allow_unicode=True, sort_keys=False, default_flow_style=False)
    return textwrap.indent(text, "  ")


def append(folder: Path, kpi_id: str, quarter: str, value, who: str, why: str) -> Path:
    """Add one confirmation to ``folder``'s file (written with its header when new); returns the path.
    The file stays a reviewed text file: earlier entries and comments are kept as they are."""
    from reportlib.atomic import write_bytes_atomic

    path = Path(folder) / FILE_NAME
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if not text.endswith("\n"):
        text += "\n"
    write_bytes_atomic(path, (text + entry_text(kpi_id, quarter, value, who, why)).encode("utf-8"))
    return path
