"""Drill-down in the HTML reports: from the quarter report every pillar and unit report is a link
away, and every KPI id (and the KPI's 责任单位) links to the KPI's row in the pillar (unit) report
the build publishes beside it; on paper the links are plain text."""
from __future__ import annotations

import re

import pytest

from reportlib import build
from reportlib.report import load_report_data, navigation, owners, pages, present, sections

QUARTER = "2025Q3"


def _shown(monkeypatch, section, *args) -> str:
    shown = []
    monkeypatch.setattr(present, "show_html", shown.append)
    monkeypatch.setattr(present, "show_markdown", lambda text: None)
    monkeypatch.setattr(sections.charts, "show", lambda fig, note="": sections.charts.plt.close(fig))
    section(*args)
    return "".join(shown)


@pytest.fixture(scope="module")
def quarter_pages():
    """The quarter report's linking sections and each pillar's and unit's KPI tables, keyed by the
    file name the build gives each report."""
    data = load_report_data(2025, 3)
    mp = pytest.MonkeyPatch()
    try:
        quarter = "".join(_shown(mp, section, data) for section in
                          (sections.pillar_blocks, sections.attention, sections.units_ranking, sections.appendix))
        reports = {navigation.pillar_stem(p): _shown(mp, sections.pillar_tasks, data, p) for p in sections.report_pillars(data) if p}
        reports |= {navigation.unit_stem(u): _shown(mp, sections.unit_kpis, data, u) for u in owners.plan_owners(data.plan.kpis)}
    finally:
        mp.undo()
    return data, quarter, reports


def test_every_link_of_the_quarter_report_reaches_a_report_the_build_publishes_and_a_kpi_row(quarter_pages):
    data, quarter, reports = quarter_pages
    published = {job.name.split("/", 1)[1] for job in build.jobs_for_quarter(QUARTER, list(data.plan.pillars["pillar"]))}
    assert set(reports) <= published
    links = re.findall(r'<a href="([^"]+)">', quarter)
    assert links
    for href in links:
        stem, _, anchor = href.partition(".html")
        assert stem in published, href
        if anchor:
            assert f'id="{anchor[1:]}"' in reports[stem], href


def test_the_quarter_report_links_every_pillar_every_unit_and_every_kpi_id(quarter_pages):
    data, quarter, _ = quarter_pages
    links = set(re.findall(r'<a href="([^"#]+)[^"]*">', quarter))
    assert {navigation.pillar_href(p) for p in data.plan.pillars["pillar"]} <= links
    assert {navigation.unit_href(u) for u in owners.plan_owners(data.plan.kpis)} <= links
    for kpi_id, pillar in zip(data.progress["kpi_id"], data.progress["pillar"]):  # (the appendix lists them all)
        assert f'<a href="{navigation.pillar_href(pillar, kpi_id)}">{kpi_id}</a>' in quarter


def test_on_paper_the_links_are_text():
    html = present.kpi_table(*_one_kpi(), 3, with_owner=True, drill=True)
    assert 'href="pillar-1.html#kpi-K1.1.01"' in html
    cleaned = pages._RELATIVE_LINK.sub("<a>", html)
    assert "href" not in cleaned and "K1.1.01" in cleaned
    assert pages._RELATIVE_LINK.sub("<a>", '<a href="https://example.org">x</a>') == '<a href="https://example.org">x</a>'


def _one_kpi():
    import pandas as pd

    progress = pd.DataFrame([{"kpi_id": "K1.1.01", "pillar": 1, "name": "指标", "kind": "count", "unit": "个",
                              "target": 4.0, "plan_target": 4.0, "actual": 1.0, "expected": 3.0, "completion": 0.25,
                              "status": "severely_behind", "status_label": "严重滞后", "state": "", "approximate": False}])
    kpis = pd.DataFrame([{"kpi_id": "K1.1.01", "comparator": "at_least", "period": "year", "due_quarter": None,
                          "owner": "城市管理办"}])
    return progress, kpis
