"""The report page: our nbconvert template and CSS, the font slot, and HTML laid out as an A4 PDF.

Shared by :mod:`reportlib.build.exporters` (nbconvert), :mod:`reportlib.build.render` (the build) and
:mod:`reportlib.report.index`; it imports neither of them.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
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


def allowed_roots() -> list[Path]:
    """The folders the PDF engine may read: the report template's and the report font's."""
    roots = [TEMPLATE_DIR.resolve()]
    if fonts.font_dir() is not None:
        roots.append(Path(fonts.font_dir()).resolve())
    return roots


def is_allowed_url(url: str) -> bool:
    """Whether the PDF engine may fetch ``url``: ``data:`` URLs, and files of :func:`allowed_roots`
    (never http(s), ftp, or a file elsewhere on the machine, whatever a plan or a submission says)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(os.path.realpath(unquote(parts.path)))
    return any(path.is_relative_to(root) for root in allowed_roots())


def local_url_fetcher():
    """A WeasyPrint URL fetcher that fetches only what :func:`is_allowed_url` allows; anything else
    is refused (WeasyPrint then leaves the image or stylesheet out) and logged."""
    import logging

    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not is_allowed_url(url):
                logging.getLogger("reportlib.render").info("PDF: not fetched (outside the report's own files): %s",
                                                           url[:200])
                raise ValueError(f"refused: {url[:200]}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


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
    import warnings

    # The PDF uses no system font (pinned_fontconfig): WeasyPrint's warning, at its import, that the
    # system has none is no concern of a report's (and it printed on a quiet run of a server without fonts).
    warnings.filterwarnings("ignore", message="No fonts configured in FontConfig")
    warnings.filterwarnings("ignore", message="FontConfig cannot load default config file")
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    html = _RELATIVE_LINK.sub("<a>", _NARROW_CHART.sub("", _EMBEDDED_FONT_FACE.sub("", html)))
    with pinned_fontconfig():
        font_config = FontConfiguration()
    fetcher = local_url_fetcher()
    try:
        font_css = CSS(string=fonts.font_face_css(), font_config=font_config, url_fetcher=fetcher)
        document = HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher).render(
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



# A fontconfig configuration that names no font folder: WeasyPrint then knows only the fonts
# of the report's @font-face rules (the pinned files), whatever fonts the machine has.
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


@contextmanager
def pinned_fontconfig():
    """Within the block, a new fontconfig configuration sees no system font (``FONTCONFIG_FILE``
    names a configuration without font folders; WeasyPrint's FontConfiguration reads it when made).

    A system font with the report font's name (Debian's ``fonts-noto-cjk``), or any other font a
    family name or a generic ``sans-serif`` might resolve to, can then not change the PDF.
    """
    folder = Path(tempfile.mkdtemp(prefix="reportlib-fontconfig-"))
    config = folder / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(cache=folder / "cache"), encoding="utf-8")
    saved = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(config)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("FONTCONFIG_FILE", None)
        else:
            os.environ["FONTCONFIG_FILE"] = saved
        shutil.rmtree(folder, ignore_errors=True)
