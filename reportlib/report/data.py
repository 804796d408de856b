"""What a report notebook reads: one call gives the plan, actuals, progress,
history, rejects and provenance of a quarter.

Notebooks call :func:`load_report_data` and hand the result to
:mod:`reportlib.report.present`, :mod:`reportlib.report.narrative` and :mod:`reportlib.report.charts`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportlib import __version__, actuals, progress, provenance, quarters, workspace
from reportlib.errors import InputError
from reportlib.workspace import resolve as resolve_workspace
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
    # Last year's figure for the same quarter of each KPI that recurs (progress.year_over_year),
    # and that year (None when the workspace has no plan of the year before).
    previous_year: int | None = None
    last_year: pd.DataFrame | None = None

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

    A kernel forked by the build's zygote starts with the workspace's plans parsed (:func:`warm_up`).
    """
    path = Path(plan_path) if plan_path is not None else plan_file.default_plan_path()
    try:
        key = (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError:
        return load_plan(path)  # which says what is wrong
    plan = _plans.get(key)
    if plan is None:
        plan = load_plan(path)
        if plan.sha256 == key[1]:  # (not when the file changed in between)
            _plans[key] = plan
    return plan


def warm_up() -> None:
    """Parse the current workspace's plans ahead of the notebooks (called in the kernel zygote,
    see :mod:`reportlib.build.render`); a broken plan is left for the notebook to report."""
    ws = workspace.current()
    for year in ws.plan_years():
        try:
            cached_plan(ws.plan_file(year))  # (caches only a plan that parsed)
        except Exception:  # noqa: BLE001
            continue


def latest_quarter_with_data(ws: workspace.Workspace, year: int | None = None) -> str:
    """The newest quarter that has accepted data (of ``year``, else of any plan year)."""
    years = [int(year)] if year is not None else list(reversed(ws.plan_years()))
    for candidate in years:
        plan = cached_plan(ws.plan_file(candidate))
        actuals.ensure_ingested(plan=plan, raw_dir=ws.actuals_raw, out_dir=ws.processed(candidate))
        found = sorted(set(actuals.load_actuals(ws.processed(candidate))["quarter"]))
        if found:
            return found[-1]
    where = f"{year} 年" if year is not None else "工作区"
    raise InputError(f"{where}还没有任何季度的填报数据，请先把填报文件放入 {ws.actuals_raw}/<年份>Q<季度>/ 再生成报告",
                     file=str(ws.actuals_raw))


def _last_year(plan: Plan, ws: workspace.Workspace, quarter: str) -> tuple[int | None, pd.DataFrame]:
    """Last year's figures for the same quarter of the KPIs that recur (see progress.year_over_year)."""
    previous_year = plan.year - 1
    if previous_year not in ws.plan_years():
        return None, progress.year_over_year(plan, None, None, quarter)
    previous_plan = cached_plan(ws.plan_file(previous_year))
    folder = ws.processed(previous_year)
    actuals.ensure_ingested(plan=previous_plan, raw_dir=ws.actuals_raw, out_dir=folder)
    return previous_year, progress.year_over_year(plan, previous_plan, actuals.load_actuals(folder), quarter)


def load_report_data(year: int | None = None, quarter: int | None = None, *, workspace=None,
                     plan_path=None, processed_dir=None) -> ReportData:
    """Load (ingesting first if the processed tables are stale) the data of ``year`` Q``quarter``.

    ``year``/``quarter`` None: the workspace's latest quarter that has data. ``workspace``: a
    folder or :class:`~reportlib.workspace.Workspace` (default: the current one). ``plan_path``
    and ``processed_dir`` override the year's plan file and processed folder.
    """
    ws = resolve_workspace(workspace)
    if year is None or quarter is None:
        latest = latest_quarter_with_data(ws, year)
        year, quarter = quarters.quarter_year(latest), quarters.quarter_index(latest)
    plan = cached_plan(plan_path if plan_path is not None else ws.plan_file(int(year)))
    processed = Path(processed_dir) if processed_dir else ws.processed(plan.year)
    actuals.ensure_ingested(plan=plan, raw_dir=ws.actuals_raw, out_dir=processed)
    table = actuals.load_actuals(processed)
    the_quarter = quarters.make_quarter(int(year), int(quarter))
    summary = actuals.load_summary(processed)
    the_progress = progress.compute_progress(plan, table, the_quarter)
    history = progress.progress_over_year(plan, table, int(year), through=the_quarter,
                                          known={the_quarter: the_progress})
    previous_year, last_year = _last_year(plan, ws, the_quarter)
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
        previous_year=previous_year,
        last_year=last_year,
    )
