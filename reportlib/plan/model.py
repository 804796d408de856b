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
    "approximate", "confidence", "name", "source_text", "raw", "owner", "range_high", "line",
]
IGNORED_COLUMNS = ["pillar", "task", "value", "unit", "raw", "reason", "source_text", "line"]
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
# Lists after the KPIs, in the order they are written.
LIST_KEYS = ["not_targets", "to_review"]
# A KPI of the plan as a whole (a headline target of the preface, 主要预期目标) has
# pillar 0; a KPI of a pillar without numbered tasks has task "". Their ids use 0 for
# the missing level: K0.0.01, K3.0.02.
PLAN_LEVEL_PILLAR = 0
# A number in the document that a reviewer decided is not a target (plan file
# ``not_targets``): its clause, optionally its value and unit, and why.
NOT_TARGET_COLUMNS = ["source_text", "value", "unit", "reason"]
# A number the extractor could not decide (plan file ``to_review``, written by the draft): the
# clerk makes it a KPI or a ``not_targets`` entry and removes it; ``plan check`` fails meanwhile.
TO_REVIEW_COLUMNS = ["source_text", "value", "unit", "raw", "where", "reason"]

# Why a number is not a target, or what else it is: reportlib.plan.reasons (codes and texts).

# Document kinds (Extraction.document_kind).
DOCUMENT_PLAN = "plan"
DOCUMENT_SUMMARY = "summary"
# Columns of Extraction.numbers: every number of the document (and every milestone or recurring
# duty found without one), what it was taken for and why (reportlib.plan.reasons), where it stands
# (line of the document text, column of its first character, start/end columns of its words,
# the sentence), and for targets the candidate's fields. ``counted``: a quantity every check accounts
# for (digits, a unit, or 全覆盖/清零); a bare Chinese numeral (一体化) is a word, listed but not counted.
NUMBER_COLUMNS = [
    "pillar", "task", "subitem", "status", "reason", "kind", "value", "unit", "comparator", "period",
    "approximate", "range_high", "due_quarter", "owner", "confidence", "name", "raw", "source_text",
    "sentence", "line", "column", "start", "end", "counted",
]

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
    ``ignored``: numbers that are context, with the reason (:mod:`~reportlib.plan.reasons`).
    ``problems``: what could not be parsed, one sentence each.
    ``results``: past figures (工作回顾, 2024年完成…), candidate columns, kind "result".
    ``document_kind``: "plan", or "summary" for a year-end summary (no candidates then).
    ``numbers``: every number in document order (:data:`NUMBER_COLUMNS`): target, context
    (``ignored``), past ``result`` or ``review`` (the extractor could not decide).
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
        default_factory=lambda: frame_of([], NOT_TARGET_COLUMNS + ["line"]), compare=False, repr=False
    )
    # Numbers still to decide (TO_REVIEW_COLUMNS); any entry fails plan check.
    to_review: pd.DataFrame = field(
        default_factory=lambda: frame_of([], TO_REVIEW_COLUMNS + ["line"]), compare=False, repr=False
    )
    # The office the plan is of (城东街道) and, optionally, its parent (博山区).
    organization: str = ""
    parent_organization: str = ""
    # kpi_id -> last year's kpi_id, where the plan file links them (``previous_id``).
    previous_ids: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Block:
    """A run of document text scanned as one unit while the document is parsed: a task, a
    pillar's own text (its heading and intro), the preface, a review section or table cells.

    ``segments`` map the block's text back to the document: (offset in ``text``, line,
    column in that line) of each piece appended; pieces are joined by a newline, so a
    sentence never runs from one paragraph into the next.
    """

    pillar: int
    task: str
    title: str
    text: str = ""
    line: int = 0
    past: bool = False  # a section reviewing past work: its figures are results
    # Sub-item headings ((1), 1. below the task level): (number, start, title_end, marker_end).
    subitems: list = field(default_factory=list)
    owner: str = ""  # 责任单位 given for the whole block (a target-table row)
    due_quarter: int | None = None  # 完成时限 given for the whole block
    segments: list = field(default_factory=list)
    title_end: int = 0  # text[:title_end] is a heading: numbers are read, no milestone is taken from it
    role: str = ""  # "" for running text; a table cell's role (see plan.tables.CELL_ROLES)
    table: int = 0  # the table (1, 2 …) a row block comes from; 0 for running text
    headed: bool = False  # a pillar's own text when the pillar has numbered tasks (heading and intro)
    outlook: bool = False  # a section of next year's plans inside a year-end summary (工作打算)
    unit_hint: str = ""  # the unit a table's header gives its column (年度计划投资（万元）): bare figures are in it

    def append(self, text: str, line: int, column: int, sep: str = "\n") -> int:
        """Add a piece of the document (its line and column); returns where it starts in ``text``."""
        if self.text and sep:
            self.text += sep
        start = len(self.text)
        self.segments.append((start, line, column))
        self.text += text
        return start

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) in the document of ``offset`` in ``text``; (line, 0) without segments."""
        found = None
        for start, line, column in self.segments:
            if start > offset:
                break
            found = (line, column + offset - start)
        return found if found is not None else (self.line, 0)

    def drop_last_segment(self) -> str:
        """Remove the last piece appended (a table caption read after it was filed); returns it."""
        start, _, _ = self.segments.pop()
        removed = self.text[start:]
        self.text = self.text[:start].rstrip("\n")
        return removed


def frame_of(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns``, also when ``rows`` is empty."""
    frame = pd.DataFrame(rows, columns=columns)
    return frame.reset_index(drop=True)

