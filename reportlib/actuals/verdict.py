"""What the judge sees of one figure (:class:`Figure`) and what it decides (:class:`Verdict`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from reportlib.actuals.confirmations import Confirmation
from reportlib.actuals.judge_rules import ACCEPTED, HELD, outcome_of, rule_message
from reportlib.quarters import quarter_index


@dataclass(frozen=True)
class Figure:
    """The row that won supersession for one KPI and quarter, as the judge sees it.

    ``cumulative``/``increment`` in the plan's unit (NaN when neither given nor derived);
    ``*_given``: typed in its column (not derived); ``prior``: the previous quarter's trusted
    cumulative figure the derivation used (0 in Q1, None when there is none)."""

    kpi_id: str
    quarter: str
    cumulative: float
    increment: float
    cumulative_given: bool
    increment_given: bool
    state: str
    note: str
    cumulative_raw: str
    increment_raw: str
    flags: frozenset
    prior: float | None


@dataclass
class Verdict:
    """What the judge decided of one figure: outcome, the rules that fired (codes and Chinese
    messages), the figures to use, flags to add, and the other readings a confirmation may name."""

    cumulative: float
    increment: float
    outcome: str = ACCEPTED
    codes: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    readings: list[float] = field(default_factory=list)
    confirmation: Confirmation | None = None
    explained: bool = False  # the 进展说明 states the figure or explains its size

    def add(self, code: str, **values) -> None:
        self.codes.append(code)
        self.messages.append(rule_message(code, **values))

    @property
    def held(self) -> bool:
        return outcome_of(self.codes) == HELD

    @property
    def message(self) -> str:
        return "；".join(self.messages)


# Trusted figures of a KPI's earlier quarters: quarter -> (cumulative, state).
History = dict


def short_label(quarter: str) -> str:
    """``2025Q2`` → 二季度 (the year is the report's)."""
    return "一二三四"[quarter_index(quarter) - 1] + "季度"
