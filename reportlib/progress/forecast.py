"""The year-end forecast of one KPI (run rate of its latest figure)."""
from __future__ import annotations

from typing import Any

from reportlib.progress.rules import (
    FORECAST_FROM_EARLIER,
    FORECAST_IMPLAUSIBLE_MULTIPLE,
    FORECAST_NEGATIVE,
    FORECAST_OVER_MULTIPLE,
    FORECAST_SINGLE_QUARTER,
    MILESTONE,
    NAN,
    QUARTERS_PER_YEAR,
    _join,
    _round,
)
from reportlib.progress.spec import KpiSpec, Submission

# --------------------------------------------------------------------------- forecast


def forecast(spec: KpiSpec, basis: Submission | None, history: list[Submission], q: int) -> tuple[float, str, Any]:
    """Year-end forecast, its flags and whether it meets the target.

    Cumulative, recurring and non-percent zero targets: the run rate of the latest
    figure (``actual / quarter x 4``, or against the schedule when there is one).
    Rates: the latest value. Milestones: no figure; met when done, not met once the
    due quarter has ended, otherwise unknown (None).
    """
    if basis is None:
        return NAN, "", None
    if spec.kind == MILESTONE:
        if basis.state == "done":
            return NAN, "", True
        return NAN, "", (False if q >= spec.due_quarter else None)
    flags = []
    if spec.is_point_in_time:
        forecast = basis.value
        if len(history) == 1:
            flags.append(FORECAST_SINGLE_QUARTER)
    else:
        planned = spec.schedule[basis.q - 1] if spec.schedule is not None else NAN
        if planned > 0:
            forecast = basis.value * spec.target / planned
        else:
            forecast = basis.value / basis.q * QUARTERS_PER_YEAR
        if basis.q == 1:
            flags.append(FORECAST_SINGLE_QUARTER)
    if basis.q != q:
        flags.append(FORECAST_FROM_EARLIER)
    if forecast < 0:
        flags.append(FORECAST_NEGATIVE)
    if spec.target > 0 and forecast > FORECAST_IMPLAUSIBLE_MULTIPLE * spec.target:
        flags.append(FORECAST_OVER_MULTIPLE)
    meets = forecast <= spec.target if spec.is_cap else _round(forecast) >= _round(spec.target)
    return forecast, _join(flags), bool(meets)


