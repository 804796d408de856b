"""Charts in one house style: the report font, a colour-blind-safe palette,
deterministic SVG output (fixed hash salt, no dates in metadata).

Each chart comes in two layouts (:class:`Layout`): the page-wide one that the PDF, the Word
document and a desktop browser show, and a narrow one for phones, whose text stays at least
:data:`NARROW_MIN_TEXT_PT` on a 360–400 px screen (bar labels on their own line above each bar
instead of beside it). A chart function called with its default layout remembers how to draw
itself narrow, and :func:`show` displays both; the report page shows the one that fits.

Axes are scaled to the data: a percent axis ends at 100 % (or at the largest value drawn, when
more), never at a round number far past everything; what a chart leaves out is named by the
caller in the ``note`` of :func:`show`, under the chart.
"""
from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401

from reportlib.report import fonts, style  # noqa: E402

SVG_HASH_SALT = "reportlib"
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
# The mimetype of a chart's narrow (phone) SVG in a notebook output, beside image/svg+xml (the
# wide one) and image/png (Word); the report template puts both SVGs into the page.
NARROW_SVG_MIMETYPE = "application/vnd.reportlib.narrow-svg+xml"
_SVG_REFERENCES = re.compile(r'(id="|href="#|url\(#)([^")]+)')
_chart_numbers = itertools.count(1)


@dataclass(frozen=True)
class Layout:
    """How big a chart is drawn: its width, its text sizes (pt) and where bar labels go."""

    width_in: float
    text_pt: float  # values, legends, labels: the smallest text of the chart
    title_pt: float
    labels_above: bool  # bar charts: each bar's label on a line of its own above the bar
    row_in: float  # height of one bar row
    dense_pt: float  # text of a chart with many rows (bullet chart)


# The narrow layout is drawn at about a phone's content width (3.6 in = 259 pt = 346 CSS px) and
# shown at that size or a little smaller: 9 pt text is 12 px there, and still 11 px on a 360 px
# screen. (Wide charts are drawn at 7.5 in and shown at half size on a phone: 4–6 px text.)
NARROW_MIN_TEXT_PT = 9.0
WIDE = Layout(style.FIGURE_WIDTH_IN, 9.0, 12.0, False, 0.34, 8.0)
NARROW = Layout(style.NARROW_FIGURE_WIDTH_IN, NARROW_MIN_TEXT_PT, 10.5, True, 0.52, NARROW_MIN_TEXT_PT)


def apply_house_style() -> None:
    """Set matplotlib's rcParams to the house style (font, palette, SVG determinism)."""
    family = fonts.ensure_matplotlib_fonts()
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [family],
            "axes.unicode_minus": False,
            "axes.prop_cycle": matplotlib.cycler(color=style.PALETTE),
            "axes.edgecolor": style.TEXT,
            "axes.grid": True,
            "axes.axisbelow": True,
            "grid.color": style.GRID,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": style.FIGURE_DPI,
            "svg.fonttype": "none",
            "svg.hashsalt": SVG_HASH_SALT,
            "text.parse_math": False,  # a "$" in a plan's title is text, never mathtext
        }
    )


def _responsive(chart):
    """Decorate a chart function taking ``layout=``: called with the wide layout, the figure it
    returns carries the same call with the narrow layout, which :func:`show` draws as well."""
    @functools.wraps(chart)
    def draw(*args, layout: Layout = WIDE, **kwargs):
        fig = chart(*args, layout=layout, **kwargs)
        if layout is WIDE:
            fig.reportlib_narrow = functools.partial(chart, *args, layout=NARROW, **kwargs)
        return fig
    return draw


def _text_sizes(layout: Layout) -> dict:
    """rcParams for the layout's text sizes (ticks, titles, legends)."""
    return {"font.size": layout.text_pt, "xtick.labelsize": layout.text_pt, "ytick.labelsize": layout.text_pt,
            "axes.titlesize": layout.title_pt, "legend.fontsize": layout.text_pt, "axes.labelsize": layout.text_pt}


def tight_bbox(fig):
    """The figure's tight bounding box with savefig's padding, in inches.

    What ``savefig(bbox_inches="tight")`` works out with a layout pass of its own before
    each save; worked out once, it serves both formats of a chart (one draw fewer per format).
    """
    fig.draw_without_rendering()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return bbox.padded(pad, pad)


def to_svg(fig, bbox=None) -> str:
    """The figure as deterministic SVG text with ids unique to this chart; closes the figure.

    matplotlib numbers ids the same way in every figure (line2d_1, clip and hatch
    ids), so several charts inlined in one page would clash; each chart's ids get
    a prefix from its running number and content, which is stable across runs.
    Text stays text (``svg.fonttype: none``, in the report font that the page embeds):
    a tenth of the elements of glyph outlines, which the PDF then draws as real,
    searchable text in a fraction of the time. ``bbox``: from :func:`tight_bbox`.
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches=bbox if bbox is not None else "tight", metadata=SVG_METADATA)
    plt.close(fig)
    svg = buffer.getvalue()
    prefix = f"c{next(_chart_numbers)}-{hashlib.sha256(svg.encode()).hexdigest()[:6]}-"
    return _SVG_REFERENCES.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def to_png(fig, bbox=None) -> bytes:
    """The figure as deterministic PNG bytes at print resolution (style.PRINT_DPI); keeps the figure open.
    ``bbox``: from :func:`tight_bbox`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=style.PRINT_DPI, bbox_inches=bbox if bbox is not None else "tight",
                metadata=PNG_METADATA)
    return buffer.getvalue()


def show(fig, note: str = "") -> None:
    """Display the figure in the notebook as SVG (and close it), then ``note`` (plain text: what
    the chart leaves out and where it is) under it.

    The same output holds the chart as PNG at print resolution (the Word document shows it)
    and, for a chart function of this module, its narrow SVG for phones
    (:data:`NARROW_SVG_MIMETYPE`); the HTML and PDF show the SVG (nbconvert prefers it).
    """
    from IPython.display import HTML, display

    display(chart_bundle(fig), raw=True)
    if note:
        display(HTML(note_html(note)))


def chart_bundle(fig) -> dict:
    """The figure as a notebook output's data (closes it): wide SVG, PNG at print resolution
    and, when the figure knows its narrow layout, the narrow SVG (:data:`NARROW_SVG_MIMETYPE`)."""
    import base64

    from IPython.display import SVG

    narrow = getattr(fig, "reportlib_narrow", None)
    bbox = tight_bbox(fig)
    png = base64.b64encode(to_png(fig, bbox)).decode("ascii")
    bundle = {"image/svg+xml": SVG(to_svg(fig, bbox))._repr_svg_(), "image/png": png}  # as display(SVG(...)) shows it
    if narrow is not None:
        bundle[NARROW_SVG_MIMETYPE] = SVG(to_svg(narrow()))._repr_svg_()
    return bundle


def note_html(note: str) -> str:
    """The note under a chart (plain text, escaped)."""
    from html import escape

    return f'<p class="note chart-note">{escape(note)}</p>'


def _bar_rows(ax, labels, layout: Layout, fontsize: float | None = None) -> None:
    """Label the rows of a horizontal bar chart (row y = 0, 1, …, top down): beside the bars on
    the y axis, or in the narrow layout on a line of their own above each bar."""
    positions = list(range(len(labels)))
    if not layout.labels_above:
        ax.set_yticks(positions, labels, fontsize=fontsize or layout.text_pt)
        return
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    for y, label in zip(positions, labels):
        ax.annotate(label, (0, y - 0.27), xycoords=("axes fraction", "data"), va="bottom", ha="left",
                    fontsize=layout.text_pt, annotation_clip=False,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3})  # over the dashed 序时 line


def _figure(layout: Layout, rows: int, extra_in: float):
    """A figure for ``rows`` bar rows in ``layout`` (rows grow taller when labels go above them)."""
    height = layout.row_in * rows + extra_in
    return plt.subplots(figsize=(layout.width_in, height))


def bar_chart(labels, values, *, title: str, xlabel: str = "", ylabel: str = ""):
    """A horizontal bar chart, one bar per label, values written at the bar ends."""
    apply_house_style()
    height = 0.45 * len(labels) + 1.2
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, height))
    positions = range(len(labels))
    ax.barh(positions, values, color=style.PRIMARY)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    for y, value in zip(positions, values):
        ax.annotate(f"{value:g}", (value, y), xytext=(4, 0), textcoords="offset points", va="center")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


# Room right of the largest bar for the value and status written after it, as a share of the axis
TEXT_ROOM = {False: 0.28, True: 0.42}  # by Layout.labels_above (the narrow axis is shorter)


def percent_axis_top(values) -> float:
    """Where a percent axis ends: 100 %, or the largest value drawn rounded up to 10 % when more."""
    known = [float(v) for v in values if v == v]
    largest = max(known, default=100.0)
    return max(100.0, math.ceil(largest / 10.0) * 10.0)


def _percent_axis(ax, top: float, layout: Layout) -> None:
    """An x axis from 0 to ``top`` percent (ticks and base line stop there), with room right of
    it for the texts written after the bars."""
    ax.set_xlim(0, top * (1 + TEXT_ROOM[layout.labels_above]))
    step = 25.0 if top <= (100 if layout.labels_above else 150) else 50.0  # ticks no closer than ~45 pt
    ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([step * i for i in range(int(top // step) + 1)]))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.spines["bottom"].set_bounds(0, top)


@_responsive
def completion_by_group(labels, completion_pct, expected_pct: float, *, title: str, status_labels=None,
                        layout: Layout = WIDE):
    """Average completion (%) per group as bars, with the expected progress as a dashed line.

    ``status_labels`` (optional, one per bar) is written after the value so the chart reads
    without colour. A group without a value (NaN: nothing reported) gets no bar and says so
    (无已报送指标), never 0 %.
    """
    apply_house_style()
    labels, values = list(labels), [float(v) for v in completion_pct]
    with matplotlib.rc_context(_text_sizes(layout)):
        fig, ax = _figure(layout, len(labels), 1.4 if not layout.labels_above else 1.2)
        positions = list(range(len(labels)))
        ax.barh(positions, [0.0 if v != v else v for v in values], color=style.PRIMARY, height=0.6 if not layout.labels_above else 0.45)
        ax.axvline(expected_pct, color=style.EXPECTED_MARK, linestyle="--", linewidth=1.2)
        ax.annotate(f"序时进度 {expected_pct:.0f}%", (expected_pct, -0.6 if not layout.labels_above else -0.95),
                    xytext=(3, 0), textcoords="offset points", fontsize=layout.text_pt, va="center")
        for y, value in zip(positions, values):
            extra = f"  {status_labels[y]}" if status_labels is not None else ""
            text = "无已报送指标" if value != value else f"{value:.1f}%{extra}"
            # Written right of both the bar and the dashed line, so neither hides it.
            at = expected_pct if value != value else max(value, expected_pct)
            ax.annotate(text, (at, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=layout.text_pt)
        _bar_rows(ax, labels, layout)
        ax.set_ylim(len(labels) - 0.4, -1.0 if not layout.labels_above else -1.3)
        _percent_axis(ax, percent_axis_top(values + [expected_pct]), layout)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
    return fig


@_responsive
def status_counts_chart(counts: dict, labels: dict, *, title: str, layout: Layout = WIDE):
    """Number of KPIs per status (codes in reportlib.progress order), coloured and hatched."""
    apply_house_style()
    codes = [code for code in counts]
    values = [int(counts[code]) for code in codes]
    with matplotlib.rc_context(_text_sizes(layout)):
        fig, ax = plt.subplots(figsize=(layout.width_in, 0.42 * len(codes) + 1.2))
        positions = list(range(len(codes)))
        for y, code, value in zip(positions, codes, values):
            ax.barh(y, value, color=style.STATUS_COLORS[code], hatch=style.STATUS_HATCHES[code],
                    edgecolor=style.TEXT, linewidth=0.5, height=0.6)
            ax.annotate(f"{value} 项", (value, y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=max(9, layout.text_pt))
        ax.set_yticks(positions, [labels[code] for code in codes])
        ax.invert_yaxis()
        ax.set_xlim(0, max(values + [1]) * (1.18 if not layout.labels_above else 1.3))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
    return fig


# Rows of one bullet chart: 0.34 in a row plus title and axis fit an A4 page under a heading
# (longer lists are drawn as several charts, see :func:`parts`).
BULLET_ROWS_PER_CHART = 24
# Lines of one trend chart before it shows only the total and the series that moved most.
TREND_MAX_SERIES = 8
# Completion drawn no longer than this (the true value is written)
BULLET_CAP_PCT = 150.0


def parts(count: int, limit: int) -> list[range]:
    """``range(count)`` cut into the fewest runs of at most ``limit``, as even as possible
    (50 rows at 24 -> 17, 17, 16), so that no chart is a stub of one or two rows."""
    if count <= 0:
        return []
    pieces = -(-count // limit)
    size, extra = divmod(count, pieces)
    bounds, start = [], 0
    for index in range(pieces):
        stop = start + size + (1 if index < extra else 0)
        bounds.append(range(start, stop))
        start = stop
    return bounds


@_responsive
def bullet_chart(names, completion_pct, expected_pct, status_codes, status_labels, *, title: str,
                 layout: Layout = WIDE):
    """One row per KPI: completion bar (coloured and hatched by status), expected-progress tick,
    and the status written at the end of the row. Completion above :data:`BULLET_CAP_PCT` is
    drawn at the cap with its true value written; the axis ends at 100 % or at the longest bar.

    The figure grows 0.34 in a row and is one image on paper: give it at most
    :data:`BULLET_ROWS_PER_CHART` rows (:func:`parts`) so that it fits a page."""
    apply_house_style()
    names = list(names)
    drawn = [float("nan") if v != v else min(float(v), BULLET_CAP_PCT) for v in completion_pct]
    with matplotlib.rc_context({**_text_sizes(layout), "legend.fontsize": layout.dense_pt}):
        fig, ax = _figure(layout, len(names), 1.3)
        for y, (value, width, expected, code, label) in enumerate(
                zip(completion_pct, drawn, expected_pct, status_codes, status_labels)):
            width = 0.0 if width != width else width  # NaN -> no bar
            ax.barh(y, width, color=style.STATUS_COLORS[code], hatch=style.STATUS_HATCHES[code],
                    edgecolor=style.TEXT, linewidth=0.4, height=0.55 if not layout.labels_above else 0.42)
            if expected == expected:  # not NaN
                reach = 0.38 if not layout.labels_above else 0.25  # (narrow: not into the label above)
                ax.plot([expected, expected], [y - reach, y + reach], color=style.EXPECTED_MARK, linewidth=1.6)
            text = "—" if value != value else f"{float(value):.0f}%"
            after = width if expected != expected else max(width, float(expected))  # never across the tick
            ax.annotate(f"{text} {label}", (after, y), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=layout.dense_pt)
        _bar_rows(ax, names, layout, layout.dense_pt)
        ax.set_ylim(len(names) - 0.5, -0.5 if not layout.labels_above else -0.9)
        _percent_axis(ax, percent_axis_top(drawn + [e for e in expected_pct]), layout)
        ax.set_title(title)
        ax.grid(axis="y", visible=False)
        ax.plot([], [], color=style.EXPECTED_MARK, linewidth=1.6, label="序时进度")
        if layout.labels_above:  # under the axis
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), frameon=False, borderaxespad=2.2)
        else:  # above the axes' right end, clear of every row's text
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, borderaxespad=0.2)
    return fig


@_responsive
def trend_chart(quarters, series: dict, expected_pct, *, title: str, total: tuple[str, list] | None = None,
                layout: Layout = WIDE):
    """Completion (%) by quarter, one line per series (name -> values), expected progress dashed;
    ``total`` (name, values), when given, is drawn first as a thick black line.

    Lines differ by marker and line style as well as colour; give at most
    :data:`TREND_MAX_SERIES` series (see :func:`moved_most`). The legend goes under the
    chart, in columns, so the chart keeps the page's width and its height stays fixed."""
    apply_house_style()
    with matplotlib.rc_context(_text_sizes(layout)):
        fig, ax = plt.subplots(figsize=(layout.width_in, 3.6 if not layout.labels_above else 3.2))
        x = list(range(len(quarters)))
        markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
        linestyles = ["-", "-.", ":", (0, (5, 1)), "-", "-.", ":", (0, (5, 1))]
        if total is not None:
            ax.plot(x, total[1], color=style.TEXT, linewidth=2.6, marker="o", label=total[0])
        for i, (name, values) in enumerate(series.items()):
            ax.plot(x, values, marker=markers[i % len(markers)], linestyle=linestyles[i % len(linestyles)],
                    color=style.PALETTE[i % len(style.PALETTE)], label=name)
        ax.plot(x, list(expected_pct), color=style.EXPECTED_MARK, linestyle="--", linewidth=1.2, label="序时进度")
        ax.set_xticks(x, list(quarters))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))
        drawn = [v for values in [*series.values(), list(expected_pct), *([total[1]] if total else [])] for v in values]
        ax.set_ylim(0, percent_axis_top(drawn) * 1.05)
        ax.set_title(title)
        entries = len(series) + 1 + (total is not None)
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1),
                  ncol=min(entries, 5 if not layout.labels_above else 2))
    return fig


def moved_most(series: dict, limit: int) -> dict:
    """The ``limit`` series whose last value changed most from the one before (ties: plan order),
    in plan order; all of them when there are no more than ``limit``."""
    if len(series) <= limit:
        return dict(series)

    def change(values) -> float:
        known = [v for v in values if v == v]
        return abs(known[-1] - known[-2]) if len(known) >= 2 else (abs(known[-1]) if known else -1.0)

    order = list(series)
    chosen = sorted(order, key=lambda name: (-change(series[name]), order.index(name)))[:limit]
    return {name: series[name] for name in order if name in chosen}
