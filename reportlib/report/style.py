"""House style constants: one place for colours and chart sizes.

The status palette is the Okabe-Ito colour-blind-safe set, chosen so the
statuses also differ in lightness (they stay apart in greyscale print); status
is always written as text beside the colour too.
"""
from __future__ import annotations

PRIMARY = "#1f4e79"
EXPECTED_MARK = "#000000"
GRID = "#d9d9d9"
TEXT = "#1a1a1a"
SAMPLE_DATA_LABEL = "示例数据"

# Okabe-Ito hues, ordered from dark to light in greyscale.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

FIGURE_WIDTH_IN = 7.5
NARROW_FIGURE_WIDTH_IN = 3.6  # the phone variant of each chart (reportlib.report.charts.NARROW)
FIGURE_DPI = 100
PRINT_DPI = 200  # the PNG of each chart, for the Word document

# Status colours (codes from reportlib.progress). Okabe-Ito; lightness differs so
# greyscale still separates them, and every chart writes the status as text.
STATUS_COLORS = {
    "done": "#0072B2",  # blue, dark
    "ahead": "#56B4E9",  # sky blue, light
    "on_track": "#009E73",  # bluish green, mid
    "behind": "#E69F00",  # orange, light-mid
    "severely_behind": "#D55E00",  # vermillion, dark-mid
    "held": "#CC79A7",  # reddish purple: submitted, held for checking (待核实)
    "missing": "#BBBBBB",  # grey
}
STATUS_HATCHES = {
    "done": "",
    "ahead": "",
    "on_track": "",
    "behind": "//",
    "severely_behind": "xx",
    "held": "\\\\",
    "missing": "..",
}
