"""Plan data: the plan file's tables (:class:`Plan`), what extraction finds (:class:`Extraction`),
and the constants both share (kinds, periods, columns, reasons)."""
from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportlib.units import (
    AT_LEAST,
)

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------
KINDS = ("count", "area", "length", "growth_rate", "rate", "recurring", "milestone", "zero_target")
CUMULATIVE_KINDS = ("count", "area", "length")  # schedules must not decrease
PERIODS = ("year", "half_year", "quarter", "month", "week", "day")
DEFAULT_TARGET_COMPARATOR = AT_LEAST
DEFAULT_RECURRING_UNIT = "次"
# Candidates below this confidence are shown by ``plan extract`` but not
# reported as drift when no KPI covers them.
DRIFT_MIN_CONFIDENCE = 0.5
QUARTERS = (1, 2, 3, 4)

PILLAR_COLUMNS = ["pillar", "title"]
TASK_COLUMNS = ["pillar", "task", "title"]
SUBITEM_COLUMNS = ["pillar", "task", "subitem", "title"]
CANDIDATE_COLUMNS = [
    "pillar", "task", "subitem", "kind", "value", "unit", "comparator", "period", "due_quarter",
    "approximate", "confidence", "name", "source_text", "raw", "owner", "range_high",
]
IGNORED_COLUMNS = ["pillar", "task", "value", "raw", "reason", "source_text"]
KPI_COLUMNS = [
    "kpi_id", "pillar", "task", "name", "kind", "target", "unit", "comparator",
    "period", "schedule", "due_quarter", "owner", "source_text",
]
# Keys of one KPI block in the YAML file, in the contract's order.
KPI_KEYS = [
    "id", "pillar", "task", "name", "kind", "target", "unit", "comparator",
    "period", "schedule", "due_quarter", "owner", "source_text",
]
# Optional keys of a KPI block, written only when set: ``previous_id`` links a KPI to
# last year's KPI it continues (when the name or unit changed between the years).
OPTIONAL_KPI_KEYS = ["previous_id"]
# Top-level keys of the plan file, in the order they are written.
PLAN_KEYS = ["organization", "parent_organization", "year", "title", "source"]
# A KPI of the plan as a whole (a headline target of the preface, 主要预期目标) has
# pillar 0; a KPI of a pillar without numbered tasks has task "". Their ids use 0 for
# the missing level: K0.0.01, K3.0.02.
PLAN_LEVEL_PILLAR = 0
# A number in the document that a reviewer decided is not a target (plan file
# ``not_targets``): its clause, optionally its value and unit, and why.
NOT_TARGET_COLUMNS = ["source_text", "value", "unit", "reason"]

# Reasons a number is not a target (Extraction.ignored["reason"]).
REASON_YEAR = "year_or_date"
REASON_ORDINAL = "ordinal"
REASON_QUOTED = "quoted_name"
REASON_NAME = "name_or_code"
REASON_NO_UNIT = "no_unit"
REASON_ARTICLE = "article"
REASON_DURATION = "duration"
REASON_CONTEXT = "context_stock"
REASON_PLAN_SELF = "describes_plan"
REASON_OUTSIDE = "outside_task"
REASON_SCOPE = "scope_context"  # 惠及17个乡镇, 受益群众5万人, 占地300亩
REASON_QUALIFIER = "qualifier"  # 500万元以上固定资产投资增长8.5%: 500万元 qualifies the noun
REASON_PLACE = "place_name"  # 801台地块
REASON_PAST = "past_result"  # 2024年,完成地区生产总值670.7亿元

# Document kinds (Extraction.document_kind).
DOCUMENT_PLAN = "plan"
DOCUMENT_SUMMARY = "summary"
# Columns of Extraction.numbers: every number of the document, what it was taken for and why.
NUMBER_COLUMNS = ["pillar", "task", "status", "kind", "value", "unit", "raw", "reason", "source_text"]

# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found in a work-plan document.

    ``pillars``: pillar (int), title. ``tasks``: pillar, task ("2.2"), title.
    ``subitems``: pillar, task, subitem (1 for 一是 ...), title.
    ``candidates``: see :data:`CANDIDATE_COLUMNS`; ``subitem`` is 0 outside
    sub-items, ``value`` is multiplied out, ``unit`` canonical,
    ``source_text`` the verbatim clause, ``confidence`` 0-1.
    ``ignored``: numbers deliberately not reported, with the reason.
    ``problems``: what could not be parsed, one sentence each.
    ``results``: past figures (工作回顾, 2024年完成…), candidate columns, kind "result".
    ``document_kind``: "plan", or "summary" for a year-end summary (no candidates then).
    ``numbers``: every number in document order (:data:`NUMBER_COLUMNS`), for ``--explain``.
    """

    title: str
    meta: dict
    pillars: pd.DataFrame
    tasks: pd.DataFrame
    subitems: pd.DataFrame
    candidates: pd.DataFrame
    ignored: pd.DataFrame
    problems: list[str]
    results: pd.DataFrame = field(default_factory=lambda: frame_of([], CANDIDATE_COLUMNS))
    document_kind: str = DOCUMENT_PLAN
    numbers: pd.DataFrame = field(default_factory=lambda: frame_of([], NUMBER_COLUMNS))


@dataclass(frozen=True)
class Plan:
    """The reviewed plan file, as plain tables (docs/data-contracts.md)."""

    year: int
    title: str
    pillars: pd.DataFrame  # pillar:int, title:str
    tasks: pd.DataFrame  # pillar:int, task:str, title:str
    kpis: pd.DataFrame  # KPI_COLUMNS
    source_path: Path
    sha256: str
    # Not in the contract: line of each KPI block in the file, for messages.
    kpi_lines: dict = field(default_factory=dict, compare=False, repr=False)
    # Not in the contract: the ``source`` value as written (a file name).
    source: str = field(default="", compare=False, repr=False)
    # Not in the contract: the plan file itself.
    path: Path | None = field(default=None, compare=False, repr=False)
    # Reviewed numbers that are deliberately not KPIs (NOT_TARGET_COLUMNS); drift skips them.
    not_targets: pd.DataFrame = field(
        default_factory=lambda: frame_of([], NOT_TARGET_COLUMNS), compare=False, repr=False
    )
    # The office the plan is of (城东街道) and, optionally, its parent (博山区).
    organization: str = ""
    parent_organization: str = ""
    # kpi_id -> last year's kpi_id, where the plan file links them (``previous_id``).
    previous_ids: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Block:
    """A task (or a pillar body scanned as one) while the document is parsed."""

    pillar: int
    task: str
    title: str
    text: str
    line: int
    past: bool = False  # a section reviewing past work: its figures are results
    # Sub-item headings ((1), 1. below the task level): (number, start, title_end, marker_end).
    subitems: list = field(default_factory=list)
    owner: str = ""  # 责任单位 given for the whole block (a target-table row)
    due_quarter: int | None = None  # 完成时限 given for the whole block


def frame_of(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns``, also when ``rows`` is empty."""
    frame = pd.DataFrame(rows, columns=columns)
    return frame.reset_index(drop=True)

