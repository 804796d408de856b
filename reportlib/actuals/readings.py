"""How a typed figure can be read: its decimals, a date in disguise (``9.30``), a thousands
point (``1.234``), the readings of a bare percent (``0.8`` → 0.8 % or 80 %), the unit or decimal
slip that explains a ratio, the quantities a 进展说明 states, and figures written for messages.

Pure functions of text and numbers; :mod:`reportlib.actuals.judge` decides with them.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from reportlib.actuals.cells import fold
from reportlib.actuals.judge_rules import COUNT_DIMENSION_PREFIX, DECIMAL_FACTORS, DECIMAL_SLIP, PROPOSAL_BAND, SLIP_FACTORS, WHOLE_DIMENSIONS
from reportlib.units import UnitError, convert, dimension, find_quantities

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_DATE_LIKE = re.compile(r"^(1[0-2]|0?[1-9])\.(0[1-9]|[12]\d|3[01])$")
_THOUSANDS_POINT = re.compile(r"^\d{1,3}\.\d{3}$")
_PERCENT_MARKS = ("%", "％", "百分之", "‰")
_MULTIPLIER = re.compile(r"(千万|百万|万|亿)")


def decimals(raw: str) -> int:
    """Decimal places of the first number written in ``raw`` (``0.085`` → 3, ``95`` → 0)."""
    match = _NUMBER.search(fold(raw or "").replace(",", ""))
    if match is None or "." not in match.group():
        return 0
    return len(match.group().split(".")[1])


def is_bare(raw: str) -> bool:
    """A figure typed without a percent sign (so ``0.8`` may be 0.8 % or 80 %)."""
    return not any(mark in (raw or "") for mark in _PERCENT_MARKS)


def date_reading(raw: str, months: tuple[int, ...] = ()) -> str:
    """``9.30`` → ``9月30日`` when the text is a month.day (of one of ``months``, when given), else ""."""
    match = _DATE_LIKE.match(fold(raw or ""))
    if not match or (months and int(match.group(1)) not in months):
        return ""
    return f"{int(match.group(1))}月{int(match.group(2))}日"


def thousands_point_reading(raw: str) -> float | None:
    """``1.234`` → 1234 (a point used as a thousands separator), else None."""
    text = fold(raw or "")
    return float(text.replace(".", "")) if _THOUSANDS_POINT.match(text) else None


def typed_digits(raw: str) -> float | None:
    """The first number as written, before any 万/亿 or unit (``1.09万平方米`` → 1.09), or None."""
    match = _NUMBER.search(fold(raw or "").replace(",", ""))
    return float(match.group()) if match else None


def is_whole_unit(unit: str) -> bool:
    """Whether figures in ``unit`` count discrete things (个, 家, 场, 人 …): whole numbers."""
    try:
        found = dimension(unit)
    except (UnitError, KeyError):
        return False
    return found.startswith(COUNT_DIMENSION_PREFIX) or found in WHOLE_DIMENSIONS


def dimension_family(unit: str) -> str:
    """The dimension of ``unit`` for slip factors: "area", "length", "money" …; "" for counts."""
    try:
        found = dimension(unit)
    except (UnitError, KeyError):
        return ""
    return found.split(":")[0] if not found.startswith(COUNT_DIMENSION_PREFIX) and found not in WHOLE_DIMENSIONS else ""


def close(a: float, b: float, tolerance: float) -> bool:
    """``a`` and ``b`` agree within ``tolerance`` of the larger (and within 1e-9 absolutely)."""
    return abs(a - b) <= max(tolerance * max(abs(a), abs(b)), 1e-9)


@dataclass(frozen=True)
class Slip:
    """A factor that explains a ratio: the figure is ``factor`` times too large (``larger``) or
    too small, by ``what`` (a decimal point, 万, 亩 …)."""

    factor: float
    larger: bool
    what: str

    def undo(self, value: float) -> float:
        """The figure as meant."""
        return value / self.factor if self.larger else value * self.factor


def slip_for(ratio: float, unit: str, *, unit_only: bool = False) -> Slip | None:
    """The slip whose factor is nearest ``ratio`` (figure ÷ reference), within PROPOSAL_BAND, or
    None. ``unit_only``: only unit factors (千, 万, 亿, 亩 …), no decimal point."""
    if not ratio > 0 or not math.isfinite(ratio):
        return None
    factors = [] if unit_only else [(f, DECIMAL_SLIP) for f in DECIMAL_FACTORS]
    factors += list(SLIP_FACTORS.get(dimension_family(unit), SLIP_FACTORS[""]))
    larger = ratio > 1
    size = ratio if larger else 1 / ratio
    best = min(factors, key=lambda item: abs(math.log(size / item[0])))
    if abs(math.log(size / best[0])) > math.log(PROPOSAL_BAND):
        return None
    return Slip(best[0], larger, best[1].format(unit=unit))


@dataclass(frozen=True)
class Stated:
    """A quantity a 进展说明 states: its text, its value in the plan's unit (None when its unit
    is of another dimension), its unit, and its number as written (``1.09万`` → 1.09)."""

    text: str
    value: float | None
    unit: str
    digits: float | None


def stated_quantities(note: str, plan_unit: str) -> list[Stated]:
    """The quantities of a 进展说明 that carry a unit or a 万/亿 (bare numbers say nothing of a
    magnitude), with their values converted to ``plan_unit`` where the dimensions agree."""
    found = []
    for match in find_quantities(note or ""):
        quantity = match.quantity
        if match.special or (quantity.unit is None and not _MULTIPLIER.search(match.number_text)):
            continue
        unit = quantity.unit or plan_unit
        try:
            value = convert(quantity.value, unit, plan_unit) if plan_unit else quantity.value
        except UnitError:
            value = None
        found.append(Stated(quantity.raw, value, unit, typed_digits(match.number_text)))
    return found


def amount(value: float) -> str:
    """A figure as a report writes it: ``10900`` → 1.09万, ``405000000`` → 4.05亿, ``9.3`` → 9.3."""
    if value is None or not math.isfinite(value):
        return "—"
    sign, size = ("-" if value < 0 else ""), abs(value)
    for step, word in ((1e8, "亿"), (1e4, "万")):
        if size >= step:
            return sign + _short(size / step) + word
    return sign + _short(size)


def _short(value: float) -> str:
    """At most four decimals, no trailing zeros: 1.0900 → 1.09, 12.0 → 12."""
    text = format(Decimal(repr(round(value, 4))).normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def times(ratio: float) -> str:
    """A ratio in words: 10.2 → 约10倍, 0.0001 → 约1万分之一."""
    if ratio >= 1:
        return f"约{amount(float(f'{ratio:.2g}'))}倍"
    return f"约{amount(float(f'{1 / ratio:.2g}'))}分之一"


def percent_text(value: float) -> str:
    """A share as a percent: 0.753 → 75.3%."""
    return f"{value * 100:.0f}%" if value >= 10 else f"{value * 100:.1f}%"
