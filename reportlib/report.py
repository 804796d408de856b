"""What a report notebook reads: one call gives the plan, actuals, progress,
history, rejects and provenance of a quarter.

Notebooks call :func:`load_report_data` and hand the result to
:mod:`reportlib.present`, :mod:`reportlib.narrative` and :mod:`reportlib.charts`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportlib import __version__, actuals, paths, progress, provenance, quarters
from reportlib import plan as plan_file
from reportlib.plan import Plan, load_plan


@dataclass(frozen=True)
class ReportData:
    """Everything a report of one quarter shows.

    progress: one row per KPI for ``quarter`` (columns: docs/data-contracts.md).
    history: the same for every quarter of the year up to ``quarter``, stacked.
    rejects: rejected rows from this quarter's submission folder.
    """

    year: int
    quarter: str
    plan: Plan
    actuals: pd.DataFrame
    progress: pd.DataFrame
    history: pd.DataFrame
    rejects: pd.DataFrame
    file_errors: list
    summary: dict
    sample: bool
    data_until: str
    provenance: dict

    @property
    def quarter_index(self) -> int:
        return quarters.quarter_index(self.quarter)

    @property
    def expected_share(self) -> float:
        """Share of the year elapsed at the end of the quarter (序时进度 of a linear target)."""
        return self.quarter_index / 4


def _data_until(table: pd.DataFrame, quarter: str) -> str:
    """The latest 填报日期 of the rows used, or the quarter's end date."""
    dates = [d for d in table.loc[table["quarter"] <= quarter, "report_date"] if d]
    return max(dates) if dates else quarters.quarter_end_date(quarter).isoformat()


_plans: dict[tuple[str, str], Plan] = {}


def cached_plan(plan_path=None) -> Plan:
    """``load_plan(plan_path)``, reusing a plan this process already parsed from the same bytes
    at the same path (parsing the YAML costs a third of a second per report).

    A kernel forked by the build's zygote starts with the default plan parsed (:func:`warm_up`).
    """
    path = Path(plan_path) if plan_path is not None else plan_file.DEFAULT_PLAN_PATH
    try:
        key = (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return load_plan(plan_path)  # which says what is wrong
    plan = _plans.get(key)
    if plan is None:
        plan = load_plan(plan_path)
        if plan.sha256 == key[1]:  # (not when the file changed in between)
            _plans[key] = plan
    return plan


def warm_up() -> None:
    """Parse the default plan ahead of the notebooks (called in the kernel zygote, see
    :mod:`reportlib.render`); a broken plan is left for the notebook to report."""
    try:
        cached_plan()
    except Exception:  # noqa: BLE001
        _plans.clear()


def load_report_data(year: int, quarter: int, *, plan_path=None, processed_dir=None) -> ReportData:
    """Load (ingesting first if the processed tables are stale) the data of ``year`` Q``quarter``."""
    plan = cached_plan(plan_path)
    processed = Path(processed_dir or paths.DATA_PROCESSED)
    actuals.ensure_ingested(plan=plan, out_dir=processed)
    table = actuals.load_actuals(processed)
    the_quarter = quarters.make_quarter(int(year), int(quarter))
    summary = actuals.load_summary(processed)
    the_progress = progress.compute_progress(plan, table, the_quarter)
    history = progress.progress_over_year(plan, table, int(year))
    history = history[history["quarter"] <= the_quarter].reset_index(drop=True)
    return ReportData(
        year=int(year),
        quarter=the_quarter,
        plan=plan,
        actuals=table,
        progress=the_progress,
        history=history,
        rejects=actuals.rejects_for(actuals.load_rejects(processed), the_quarter),
        file_errors=[e for e in summary.get("file_errors", []) if actuals.in_quarter_folder(e.get("file", ""), the_quarter)],
        summary=summary,
        sample=bool(summary.get("sample_data")),
        data_until=_data_until(table, the_quarter),
        provenance={
            "plan_sha256": plan.sha256,
            "data_sha256": provenance.data_digest(the_quarter, processed),
            "reportlib_version": __version__,
        },
    )
