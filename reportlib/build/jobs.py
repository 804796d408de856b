"""Which reports a build renders: one job per report, its name, notebook, parameters and links.

A quarter has its quarter report, one report per pillar of its year's plan and one per responsible
unit (:func:`jobs_for_quarter`); each job reads its own year's plan and processed data, and links
to the index and to the same report of the quarters before and after (:func:`with_navigation`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlib import quarters, workspace
from reportlib.errors import InputError, NothingToDo
from reportlib.report import navigation
from reportlib.report.navigation import unit_key  # noqa: F401 (re-exported: reportlib.build.unit_key)

QUARTER_NOTEBOOK = "quarter_report.ipynb"
PILLAR_NOTEBOOK = "pillar_report.ipynb"
UNIT_NOTEBOOK = "unit_report.ipynb"


@dataclass(frozen=True)
class ReportJob:
    """One report: which notebook, with which parameters, published under which name."""

    notebook: Path
    name: str  # path under the output folder, without extension, e.g. "2025-Q3/pillar-2"
    parameters: dict = field(default_factory=dict)
    quarter: str = ""
    plan_file: Path | None = None  # the plan and processed data the notebook reads (its year's;
    processed_dir: Path | None = None  # default: the current workspace's, of its year or the latest)
    links: tuple = ()  # (label, href): index, previous and next quarter (reportlib.report.navigation)

    def __post_init__(self):
        if self.plan_file is None or self.processed_dir is None:
            ws = workspace.current()
            year = self.parameters.get("year") or (quarters.quarter_year(self.quarter) if self.quarter else ws.latest_year())
            object.__setattr__(self, "plan_file", self.plan_file or ws.plan_file(year))
            object.__setattr__(self, "processed_dir", self.processed_dir or ws.processed(year))

    @property
    def folder(self) -> str:
        return self.name.split("/", 1)[0]


@dataclass
class JobResult:
    job: ReportJob
    files: list[Path]
    seconds: float


# --------------------------------------------------------------------------- which reports


def quarter_folder(quarter: str) -> str:
    """``"2025Q3"`` -> ``"2025-Q3"``."""
    return f"{quarters.quarter_year(quarter)}-Q{quarters.quarter_index(quarter)}"


def jobs_for_quarter(quarter: str, pillars: list[int], *, with_quarter_report: bool = True,
                     ws: workspace.Workspace | None = None) -> list[ReportJob]:
    """The quarter report, the pillar reports and (with the quarter report) one report per
    responsible unit of the plan (``unit-<key>``, :func:`unit_key`) of ``quarter``, reading ``ws`` (default: current)."""
    ws = ws or workspace.current()
    year = quarters.quarter_year(quarter)
    index = quarters.quarter_index(quarter)
    folder = quarter_folder(quarter)
    inputs = {"quarter": quarter, "plan_file": ws.plan_file(year), "processed_dir": ws.processed(year)}
    jobs = []
    if with_quarter_report:
        jobs.append(ReportJob(workspace.NOTEBOOKS / QUARTER_NOTEBOOK, f"{folder}/{navigation.QUARTER_STEM}",
                              {"year": year, "quarter": index}, **inputs))
    for pillar in pillars:
        jobs.append(ReportJob(workspace.NOTEBOOKS / PILLAR_NOTEBOOK, f"{folder}/{navigation.pillar_stem(pillar)}",
                              {"year": year, "quarter": index, "pillar": pillar}, **inputs))
    if with_quarter_report:
        jobs += unit_jobs(quarter, ws)
    return jobs


def unit_jobs(quarter: str, ws: workspace.Workspace) -> list[ReportJob]:
    """One report per responsible unit (owner) of the quarter's year's plan, ``unit-<key>``
    (:func:`unit_key`)."""
    from reportlib.report import owners
    from reportlib.report.data import cached_plan

    year, index = quarters.quarter_year(quarter), quarters.quarter_index(quarter)
    inputs = {"quarter": quarter, "plan_file": ws.plan_file(year), "processed_dir": ws.processed(year)}
    units = owners.plan_owners(cached_plan(ws.plan_file(year)).kpis)
    keys: dict[str, str] = {}
    for unit in units:
        other = keys.setdefault(unit_key(unit), unit)
        if other != unit:
            raise InputError(f"责任单位“{other}”和“{unit}”的报告文件名相同（{unit_key(unit)}），请在计划文件中把其中一个改名",
                             file=str(ws.plan_file(year)))
    return [ReportJob(workspace.NOTEBOOKS / UNIT_NOTEBOOK, f"{quarter_folder(quarter)}/{navigation.unit_stem(unit)}",
                      {"year": year, "quarter": index, "unit": unit}, **inputs)
            for unit in units]


def latest_quarter(available: list[str], today: dt.date) -> str:
    """The last quarter that has ended by ``today`` and has data."""
    ended = [q for q in available if quarters.quarter_end_date(q) < today]
    if not ended:
        first = min(available) if available else None
        why = (f"；最早有数据的 {first} 到 {_cn_date(quarters.quarter_end_date(first))} 才结束，在此之前没有可生成的报告"
               if first else "；data/raw/actuals 中还没有任何季度的填报数据")
        raise NothingToDo(f"截至 {today.isoformat()} 没有已结束且有数据的季度（有数据的季度：{', '.join(available) or '无'}）{why}")
    return max(ended)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class YearData:
    """A plan year of the workspace: its pillars and the quarters that have data."""

    year: int
    pillars: list[int]
    quarters: list[str]


def with_navigation(jobs: list[ReportJob], available: list[str], years: list[YearData],
                    ws: workspace.Workspace | None = None, out_dir: Path | None = None) -> list[ReportJob]:
    """``jobs`` with their links to the index and to the same report of the previous/next quarter
    of the same plan year that has data (a new year's data never changes last year's reports;
    the index links the years)."""
    from dataclasses import replace

    from reportlib.report import navigation

    pillars_of = {y.year: y.pillars for y in years}
    building = {job.name for job in jobs}
    names_of = {q: {job.name for job in jobs_for_quarter(q, pillars_of[quarters.quarter_year(q)], ws=ws)
                    if job.name in building or out_dir is None or (out_dir / f"{job.name}.html").exists()}
                for q in available}  # a link only to a report built now or already published
    def same_year(quarter: str) -> list[str]:
        return [q for q in available if quarters.quarter_year(q) == quarters.quarter_year(quarter)]

    return [replace(job, links=navigation.links_for(job.name, job.quarter, same_year(job.quarter), names_of,
                                                    quarter_folder))
            for job in jobs]
