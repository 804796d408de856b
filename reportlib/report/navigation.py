"""Links between reports: from each report to the index and to the same report of the previous and
next quarter, and within a quarter from the quarter report down to the pillar and unit reports
(a KPI id to its row there: :func:`pillar_href`, :func:`unit_href`; the names are the build's).

The links are worked out at build time from the quarters of the report's plan year that have
data, and only to a report that the other quarter has too (the same pillar or unit) and that
is built in the same run or already published. They are part of the job and of its fingerprint, so a
report is rebuilt exactly when its links change (e.g. the next quarter's data arrives).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from html import escape

from reportlib.quarters import quarter_label

MAIN_TAG = '<main class="report">'
INDEX_LABEL = "报告目录"
QUARTER_STEM = "quarter"


# --------------------------------------------------------------------------- a quarter's reports


def pillar_stem(pillar: int) -> str:
    """The file name (without extension) of a pillar's report in its quarter's folder."""
    return f"pillar-{int(pillar)}"


UNIT_KEY_HEX = 10  # hex digits of a unit report's file key (40 bits; a clash among a plan's owners is refused)


def unit_key(unit: str) -> str:
    """The file key of a responsible unit's report: the first hex digits of the sha256 of its name.
    Stable (the same name, the same file), safe on every file system whatever the name holds
    (``/``, ``:``, ``{x}``), and two names never share a file; the name itself is in the title only."""
    return hashlib.sha256(unicodedata.normalize("NFC", unit).encode("utf-8")).hexdigest()[:UNIT_KEY_HEX]


def unit_stem(unit: str) -> str:
    """The file name (without extension) of a responsible unit's report in its quarter's folder:
    ``unit-<key>`` (:func:`unit_key`)."""
    return f"unit-{unit_key(unit)}"


def kpi_anchor(kpi_id: str) -> str:
    """The id of a KPI's row in its pillar's and its unit's report (a drill-down link's target)."""
    return f"kpi-{kpi_id}"


def pillar_href(pillar: int, kpi_id: str | None = None) -> str:
    """Link from a report of the quarter to a pillar's report (at ``kpi_id``'s row, when given)."""
    return f"{pillar_stem(pillar)}.html" + (f"#{kpi_anchor(kpi_id)}" if kpi_id else "")


def unit_href(unit: str, kpi_id: str | None = None) -> str:
    """Link from a report of the quarter to a unit's report (at ``kpi_id``'s row, when given)."""
    return f"{unit_stem(unit)}.html" + (f"#{kpi_anchor(kpi_id)}" if kpi_id else "")


# --------------------------------------------------------------------------- other quarters


def neighbours(quarter: str, available: list[str]) -> tuple[str | None, str | None]:
    """The quarters with data just before and just after ``quarter`` (None at either end)."""
    ordered = sorted(set(available) | {quarter})
    at = ordered.index(quarter)
    before = ordered[at - 1] if at > 0 else None
    after = ordered[at + 1] if at + 1 < len(ordered) else None
    return before, after


def links_for(name: str, quarter: str, available: list[str], names_of: dict[str, set[str]],
              folder_of) -> tuple[tuple[str, str], ...]:
    """(label, href) links of report ``name`` ("2025-Q3/pillar-2"): the index, then the same
    report of the previous and next quarter with data when that quarter has it
    (``names_of``: quarter -> report names it has; ``folder_of``: quarter -> folder)."""
    stem = name.split("/", 1)[1]
    links = [(INDEX_LABEL, "../index.html")]
    before, after = neighbours(quarter, available)
    for word, other in (("上一季度", before), ("下一季度", after)):
        if other and f"{folder_of(other)}/{stem}" in names_of.get(other, set()):
            links.append((f"{word}：{quarter_label(other)}", f"../{folder_of(other)}/{stem}.html"))
    return tuple(links)


NAV_OPEN = '\n<nav class="report-nav">'
_NAV_LINE = re.compile(re.escape(NAV_OPEN) + ".*?</nav>", re.S)


def with_links(html: str, links) -> str:
    """Report HTML with a navigation line at the top of the page (screen only: hidden in print)."""
    if not links:
        return html
    anchors = "".join(f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in links)
    return _reembed_fonts(html.replace(MAIN_TAG, f"{MAIN_TAG}{NAV_OPEN}{anchors}</nav>", 1))


def without_links(html: str) -> str:
    """The page :func:`with_links` was given: the navigation line taken out, the font subset made again."""
    if not _NAV_LINE.search(html):
        return html
    return _reembed_fonts(_NAV_LINE.sub("", html, count=1))


def _reembed_fonts(html: str) -> str:
    """The page with its embedded font subset made again, so it covers the navigation's characters."""
    from reportlib.report import fonts, pages

    rules = list(pages._EMBEDDED_FONT_FACE.finditer(html))
    if not rules:
        return html
    bare = html[:rules[0].start()] + pages.FONT_FACE_SLOT + "\n" + html[rules[-1].end():]
    return bare.replace(pages.FONT_FACE_SLOT, fonts.embedded_font_css(bare), 1)
