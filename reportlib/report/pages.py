"""The report page: our nbconvert template and CSS, the font slot, and HTML laid out as an A4 PDF.

Shared by :mod:`reportlib.build.exporters` (nbconvert), :mod:`reportlib.build.render` (the build) and
:mod:`reportlib.report.index`; it imports neither of them.
"""
from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

from reportlib.report import fonts

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "reportlib"
CSS_PATH = TEMPLATE_DIR / TEMPLATE_NAME / "report.css"

FONT_FACE_SLOT = "/* reportlib:font-face */"
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def first_heading(html: str) -> str:
    """The text of the first <h1>, used as the document title."""
    match = _H1.search(html)
    return unescape(_TAG.sub("", match.group(1))).strip() if match else ""


# The @font-face rules fonts.embedded_font_css puts into report HTML for browsers: the
# report font subset to the page's characters, as data: URIs (a few hundred kB of CSS).
_EMBEDDED_FONT_FACE = re.compile(
    r'@font-face \{[^{}]*src: url\("data:font/woff;base64,[A-Za-z0-9+/=]*"\) format\("woff"\); \}\n?')


# A chart's narrow layout for phones (reportlib.report.charts), which print never shows
_NARROW_CHART = re.compile(r'<div class="chart-narrow">.*?</div>\n?', re.S)
# Links to the other reports of the quarter (reportlib.report.navigation): on paper they are
# text (a PDF would carry them as file addresses of the machine that built it)
_RELATIVE_LINK = re.compile(r'<a href="(?![a-z][a-z0-9+.-]*:|#)[^"]*">')


def html_to_pdf(html: str) -> bytes:
    """Lay out report HTML on A4 with WeasyPrint, embedding the report font.

    The PDF takes the font from the font files (``fonts.font_face_css``); the copies
    embedded in the HTML for browsers are dropped first, as WeasyPrint would only parse
    and decode them (the PDF is the same, about 0.1 s sooner), and so are the charts' narrow
    layouts for phones, which print hides; links to the quarter's other reports become text.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = _RELATIVE_LINK.sub("<a>", _NARROW_CHART.sub("", _EMBEDDED_FONT_FACE.sub("", html)))
    font_config = FontConfiguration()
    try:
        font_css = CSS(string=fonts.font_face_css(), font_config=font_config)
        document = HTML(string=html, base_url=str(TEMPLATE_DIR)).render(
            stylesheets=[font_css], font_config=font_config
        )
        return document.write_pdf()
    finally:
        # WeasyPrint copies the fonts (33 MB) into a temporary folder that it removes only
        # when the FontConfiguration is garbage-collected, which a build worker's exit skips.
        folder = getattr(font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            font_config._folder = None

