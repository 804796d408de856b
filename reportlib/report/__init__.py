"""The reports: the data a report reads, its sections, and the pages and files around them.

The stage in modules, each owning one concern: :mod:`~reportlib.report.data` (what a report
reads: :func:`load_report_data`), :mod:`~reportlib.report.sections` (one function per section
of a notebook), :mod:`~reportlib.report.narrative` (the sentences), :mod:`~reportlib.report.present`
(figures, tables and HTML pieces), :mod:`~reportlib.report.charts` and :mod:`~reportlib.report.style`
(the house style), :mod:`~reportlib.report.fonts` (the pinned report font),
:mod:`~reportlib.report.pages` (the page template, CSS and PDF layout),
:mod:`~reportlib.report.navigation` (links between reports), :mod:`~reportlib.report.word` (the
Word export) with :mod:`~reportlib.report.word_page` (its page, fonts and language),
:mod:`~reportlib.report.index` (``reports/index.html``), :mod:`~reportlib.report.owners` (责任单位 and
their ranking), :mod:`~reportlib.report.quality` (数据质量: judged figures and rejects by KPI) and
:mod:`~reportlib.report.remind` (催报清单).

What the notebooks call is exposed here, one call per section::

    from reportlib import report
    data = report.load_report_data(year, quarter, workspace=workspace)
    report.cover(data)

Names are resolved on first use, so importing the package (as the build does for its pages)
does not import pandas, matplotlib and the sections.
"""
from __future__ import annotations

import importlib

# name -> module that defines it (the notebooks' API)
_EXPORTS = {
    "load_report_data": "data",
    "ReportData": "data",
    "plan_owners": "owners",
    "RANKING_RULE": "owners",
    **dict.fromkeys((
        "cover", "overview", "pillar_blocks", "attention", "units_ranking", "data_quality", "appendix", "notes",
        "pillar_title", "pillar_overview", "pillar_tasks", "pillar_trend", "report_pillars",
        "unit_title", "unit_cover", "unit_overview", "unit_kpis", "unit_missing", "unit_data_quality",
    ), "sections"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reportlib.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"reportlib.report.{module}"), name)
    globals()[name] = value
    return value
