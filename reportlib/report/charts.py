"""Charts in one house style: the report font, a colour-blind-safe palette,
deterministic SVG output (fixed hash salt, no dates in metadata)."""
from __future__ import annotations

import hashlib
import io
import itertools
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402,F401

from reportlib.report import fonts, style  # noqa: E402

SVG_HASH_SALT = "reportlib"
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
_SVG_REFERENCES = re.compile(r'(id="|href="#|url\(#)([^")]+)')
_chart_numbers = itertools.count(1)


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


def show(fig) -> None:
    """Display the figure in the notebook as SVG (and close it).

    The same chart is displayed as PNG at print resolution in the same output: the HTML
    and PDF show the SVG (nbconvert prefers it), the Word document the PNG.
    """
    import base64

    from IPython.display import SVG, display

    bbox = tight_bbox(fig)
    png = base64.b64encode(to_png(fig, bbox)).decode("ascii")
    svg = SVG(to_svg(fig, bbox))._repr_svg_()  # as display(SVG(...)) shows it
    display({"image/svg+xml": svg, "image/png": png}, raw=True)


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


def _percent_axis(ax, upper: float) -> None:
    ax.set_xlim(0, max(110.0, upper * 1.12))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:.0f}%"))


def completion_by_group(labels, completion_pct, expected_pct: float, *, title: str, status_labels=None):
    """Average completion (%) per group as bars, with the expected progress as a dashed line.

    ``status_labels`` (optional, one per bar) is written after the value so the
    chart reads without colour.
    """
    apply_house_style()
    labels, values = list(labels), [float(v) for v in completion_pct]
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 0.5 * len(labels) + 1.4))
    positions = list(range(len(labels)))
    ax.barh(positions, values, color=style.PRIMARY, height=0.6)
    ax.axvline(expected_pct, color=style.EXPECTED_MARK, linestyle="--", linewidth=1.2)
    ax.annotate(f"序时进度 {expected_pct:.0f}%", (expected_pct, -0.6), xytext=(3, 0),
                textcoords="offset points", fontsize=9, va="center")
    for y, value in zip(positions, values):
        extra = f"  {status_labels[y]}" if status_labels is not None else ""
        # Written right of both the bar and the dashed line, so neither hides it.
        ax.annotate(f"{value:.1f}%{extra}", (max(value, expected_pct), y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.set_yticks(positions, labels)
    ax.set_ylim(len(labels) - 0.4, -1.0)
    _percent_axis(ax, max(values + [expected_pct]) + 25)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return fig


def status_counts_chart(counts: dict, labels: dict, *, title: str):
    """Number of KPIs per status (codes in reportlib.progress order), coloured and hatched."""
    apply_house_style()
    codes = [code for code in counts]
    values = [int(counts[code]) for code in codes]
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 0.42 * len(codes) + 1.2))
    positions = list(range(len(codes)))
    for y, code, value in zip(positions, codes, values):
        ax.barh(y, value, color=style.STATUS_COLORS[code], hatch=style.STATUS_HATCHES[code],
                edgecolor=style.TEXT, linewidth=0.5, height=0.6)
        ax.annotate(f"{value} 项", (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(positions, [labels[code] for code in codes])
    ax.invert_yaxis()
    ax.set_xlim(0, max(values + [1]) * 1.18)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return fig


# Rows of one bullet chart: 0.34 in a row plus title and axis fit an A4 page under a heading
# (longer lists are drawn as several charts, see :func:`parts`).
BULLET_ROWS_PER_CHART = 24
# Lines of one trend chart before it shows only the total and the series that moved most.
TREND_MAX_SERIES = 8


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


def bullet_chart(names, completion_pct, expected_pct, status_codes, status_labels, *, title: str):
    """One row per KPI: completion bar (coloured and hatched by status), expected-progress tick,
    and the status written at the end of the row. Completion above 150 % is drawn at 150 %
    with its true value written.

    The figure grows 0.34 in a row and is one image on paper: give it at most
    :data:`BULLET_ROWS_PER_CHART` rows (:func:`parts`) so that it fits a page."""
    apply_house_style()
    names = list(names)
    shown_cap = 150.0
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 0.34 * len(names) + 1.3))
    for y, (value, expected, code, label) in enumerate(zip(completion_pct, expected_pct, status_codes, status_labels)):
        width = 0.0 if value != value else min(float(value), shown_cap)  # NaN -> no bar
        ax.barh(y, width, color=style.STATUS_COLORS[code], hatch=style.STATUS_HATCHES[code],
                edgecolor=style.TEXT, linewidth=0.4, height=0.55)
        if expected == expected:  # not NaN
            ax.plot([expected, expected], [y - 0.38, y + 0.38], color=style.EXPECTED_MARK, linewidth=1.6)
        text = "—" if value != value else f"{float(value):.0f}%"
        after = width if expected != expected else max(width, float(expected))  # never across the tick
        ax.annotate(f"{text} {label}", (after, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    _percent_axis(ax, shown_cap + 20)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    ax.plot([], [], color=style.EXPECTED_MARK, linewidth=1.6, label="序时进度")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig


def trend_chart(quarters, series: dict, expected_pct, *, title: str, total: tuple[str, list] | None = None):
    """Completion (%) by quarter, one line per series (name -> values), expected progress dashed;
    ``total`` (name, values), when given, is drawn first as a thick black line.

    Lines differ by marker and line style as well as colour; give at most
    :data:`TREND_MAX_SERIES` series (see :func:`moved_most`). The legend goes under the
    chart, in columns, so the chart keeps the page's width and its height stays fixed."""
    apply_house_style()
    fig, ax = plt.subplots(figsize=(style.FIGURE_WIDTH_IN, 3.6))
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
    ax.set_ylim(0, max(110.0, ax.get_ylim()[1]))
    ax.set_title(title)
    entries = len(series) + 1 + (total is not None)
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1),
              ncol=min(entries, 5))
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
