"""The report as an editable Word document (.docx), made from the executed notebook.

What the HTML report shows, the document shows, built with python-docx (not by
converting the PDF): the markdown cells and the HTML blocks the report sections
display are read with a real HTML parser (BeautifulSoup on html.parser) and become
Word headings (so the navigation pane and a 目录 field work), paragraphs, lists and
real Word tables (header row repeated on every page, rows never split across
pages); charts become pictures from the PNG that :func:`reportlib.report.charts.show`
displays beside the SVG, at print resolution.

Page: A4, the report font named for both Latin and East Asian text (``w:eastAsia``)
so that Word/WPS without it fall back to a Chinese font, page numbers in the footer.

Byte-reproducible: the core properties carry a fixed date and no author, and the
zip entries are rewritten with a fixed date and a fixed order.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from bs4 import BeautifulSoup, NavigableString, Tag
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reportlib.report import fonts, style


def _markdown_html(text: str) -> str:
    """Markdown as HTML, by the same renderer as the HTML report (nbconvert's mistune)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)

FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PAGE_WIDTH_MM, PAGE_HEIGHT_MM, MARGIN_MM = 210, 297, 20
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
MIN_COLUMN_CHARS, MAX_COLUMN_CHARS = 5, 30  # column width weights, in half-width characters
CELL_PADDING_CHARS = 3  # a cell's left and right margins, in the same units
FALLBACK_FONT, GB2312_CHARSET = "Microsoft YaHei", "86"  # what Word/WPS substitute when the report font is missing
BODY_PT, TABLE_PT, NOTE_PT = 10.5, 9, 9
TABLE_WIDTH_CHARS = TEXT_WIDTH_MM / (TABLE_PT / 2 * 25.4 / 72)  # half-width characters of TABLE_PT across the text
HEADING_PT = {0: 18, 1: 16, 2: 14, 3: 12}
# HTML block elements that only group others: their children are converted in turn
CONTAINERS = {"div", "section", "header", "main", "article", "blockquote", "footer", "body", "html"}
HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
NOTEBOOK_ONLY_TAG = "notebook-only"
# A break opportunity Word honours between KPI ids (、 alone is not one inside a run of ASCII ids)
ZERO_WIDTH_SPACE = "\u200b"
_UNBROKEN = re.compile(r"[\x21-\x7e]+")  # runs of ASCII a line does not break inside
# Output mimetypes in the order they are taken (the first one present in an output)
OUTPUT_PRIORITY = ("image/png", "text/html", "text/markdown", "text/plain")


# --------------------------------------------------------------------------- fonts and page


def _set_run_fonts(rpr_parent, family: str) -> None:
    """Name ``family`` for Latin, complex and East Asian text on an rPr owner (style or run)."""
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_parent.append(rpr)
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), family)


def _set_language(document) -> None:
    """East Asian language zh-CN on the document defaults (line breaking and fallback fonts)."""
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    _set_run_fonts(rpr_default, fonts.FONT_FAMILY)


def _declare_font(document) -> None:
    """List the report font in the font table with a Simplified-Chinese charset and an alternative
    name, so Word/WPS without it substitute a Chinese sans-serif font, not a Latin one."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    table = etree.fromstring(part.blob)
    font = OxmlElement("w:font")
    font.set(qn("w:name"), fonts.FONT_FAMILY)
    for tag, value in (("w:altName", FALLBACK_FONT), ("w:charset", GB2312_CHARSET), ("w:family", "swiss"),
                       ("w:pitch", "variable")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        font.append(child)
    table.append(font)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style_document(document) -> None:
    family = fonts.FONT_FAMILY
    _declare_font(document)
    _set_language(document)
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_run_fonts(normal.element, family)
    for level, size in HEADING_PT.items():
        heading = document.styles["Title" if level == 0 else f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.color.rgb = RGBColor.from_string(style.TEXT.lstrip("#").upper()[:6])
        _set_run_fonts(heading.element, family)
    for name in ("List Bullet", "Table Grid"):
        _set_run_fonts(document.styles[name].element, family)


def _page_setup(document) -> None:
    """A4 portrait, 20 mm margins, the page number centred in the footer."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" 页 / 共 ")
    _add_field(paragraph, "NUMPAGES")
    paragraph.add_run(" 页")


def _add_field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / "1" / end runs."""
    def run_with(element):
        run = paragraph.add_run()
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# --------------------------------------------------------------------------- HTML -> Word


class _Writer:
    """Appends HTML blocks to a python-docx Document."""

    def __init__(self, document):
        self.document = document
        self.title = ""

    # ----- blocks
    def add_html(self, html: str) -> None:
        soup = BeautifulSoup(html, "html.parser")
        for anchor in soup.select("a.anchor-link"):  # the ¶ links nbconvert puts after headings
            anchor.decompose()
        self._blocks(soup)

    def _blocks(self, parent) -> None:
        loose: list = []  # inline content directly inside a container
        for child in list(parent.children):
            if isinstance(child, Tag) and self._is_block(child):
                self._flush(loose)
                self._block(child)
            elif isinstance(child, NavigableString) and not isinstance(child, Tag):
                if str(child).strip() and child.__class__.__name__ == "NavigableString":
                    loose.append(child)
            elif isinstance(child, Tag):
                loose.append(child)
        self._flush(loose)

    @staticmethod
    def _is_block(tag: Tag) -> bool:
        return tag.name in CONTAINERS or tag.name in HEADINGS or tag.name in {
            "p", "ul", "ol", "table", "svg", "style", "script", "hr", "pre"}

    def _flush(self, loose: list) -> None:
        if loose:
            paragraph = self.document.add_paragraph()
            for node in loose:
                self._inline(paragraph, node)
            loose.clear()

    def _block(self, tag: Tag) -> None:
        classes = tag.get("class") or []
        if tag.name in HEADINGS:
            text = _text(tag)
            if tag.name == "h1" and not self.title:
                self.title = text
            self.document.add_heading(text, HEADINGS[tag.name])
        elif tag.name == "p":
            paragraph = self.document.add_paragraph()
            self._inline(paragraph, tag)
            if "id-list" in classes:  # Word breaks a long run of ids anywhere (K1.3 / 8.05), not after 、
                for run in paragraph.runs:
                    run.text = run.text.replace("、", "、" + ZERO_WIDTH_SPACE)
            if "note" in classes:
                for run in paragraph.runs:
                    run.font.size = Pt(NOTE_PT)
        elif tag.name in {"ul", "ol"}:
            for item in tag.find_all("li", recursive=False):
                paragraph = self.document.add_paragraph(style="List Bullet" if tag.name == "ul" else "List Number")
                self._inline(paragraph, item)
        elif tag.name == "table":
            self._table(tag)
        elif tag.name == "pre":
            self.document.add_paragraph(tag.get_text())
        elif tag.name in {"svg", "style", "script", "hr"}:
            return  # charts come as PNG outputs; no styles or scripts in Word
        elif "subtitle" in classes or "sample-badge" in classes or tag.name == "footer":
            paragraph = self.document.add_paragraph()
            self._inline(paragraph, tag)
            if "sample-badge" in classes:
                for run in paragraph.runs:
                    run.bold = True
                    run.font.color.rgb = RGBColor(0xB0, 0x30, 0x00)
            if tag.name == "footer":
                for run in paragraph.runs:
                    run.font.size = Pt(NOTE_PT)
        else:
            self._blocks(tag)

    # ----- inline
    def _inline(self, paragraph, node, bold: bool = False) -> None:
        if isinstance(node, NavigableString):
            if node.__class__.__name__ != "NavigableString":
                return  # comments, doctype
            text = " ".join(str(node).split()) if "\n" in str(node) else str(node)
            if text:
                run = paragraph.add_run(text)
                run.bold = bold or None
            return
        if node.name in {"svg", "style", "script"}:
            return
        if node.name == "br":
            paragraph.add_run().add_break()
            return
        strong = bold or node.name in {"strong", "b", "th"}
        for child in node.children:
            self._inline(paragraph, child, strong)

    # ----- tables
    def _table(self, tag: Tag) -> None:
        rows = tag.find_all("tr")
        if not rows:
            return
        width = max(sum(int(c.get("colspan", 1)) for c in row.find_all(["th", "td"], recursive=False)) for row in rows)
        header_rows = len(tag.thead.find_all("tr")) if tag.thead else (1 if rows[0].find("th") else 0)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = _column_widths(rows, width)
        for column, column_width in zip(table.columns, widths):
            column.width = column_width  # w:gridCol, which LibreOffice and WPS lay out by
        for r, row in enumerate(rows):
            word_row = table.rows[r]
            tr_pr = word_row._tr.get_or_add_trPr()
            tr_pr.append(_on_off("w:cantSplit"))
            if r < header_rows:
                tr_pr.append(_on_off("w:tblHeader"))
            word_cells = word_row.cells  # (python-docx builds this list anew on every access)
            for c, word_cell in enumerate(word_cells):
                word_cell.width = widths[c]
            for c, cell in enumerate(row.find_all(["th", "td"], recursive=False)[:width]):
                paragraph = word_cells[c].paragraphs[0]
                self._inline(paragraph, cell, bold=r < header_rows)
                if "num" in (cell.get("class") or []):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(TABLE_PT)
                if r < header_rows:
                    _shade(word_cells[c], "E8EEF4")
        self.document.add_paragraph()

    # ----- pictures
    def add_png(self, data: bytes) -> None:
        picture = self.document.add_picture(io.BytesIO(data))
        limit = Mm(TEXT_WIDTH_MM)
        if picture.width > limit:
            picture.height = int(picture.height * limit / picture.width)
            picture.width = limit
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _column_widths(rows, count: int) -> list[int]:
    """Column widths (EMU) over the text width, by each column's longest text (capped), so a
    name column gets the room and a number column what it needs.

    A table wider than the page first gives each column its longest unbroken ASCII run
    (K1.18.05, 100.0%) and shares what is left among the longer texts: squeezing every column
    alike would break ids and figures in two (K1.18. / 05)."""
    weights = [MIN_COLUMN_CHARS] * count
    floors = [MIN_COLUMN_CHARS] * count
    for row in rows:
        for c, cell in enumerate(row.find_all(["th", "td"], recursive=False)[:count]):
            text = _text(cell)
            length = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK is two wide
            unbroken = max((len(token) for token in _UNBROKEN.findall(text)), default=0)  # K1.1.05, 100.0%
            weights[c] = max(weights[c], min(length, MAX_COLUMN_CHARS), unbroken + 1)
            floors[c] = max(floors[c], unbroken + 1)
    weights = [w + CELL_PADDING_CHARS for w in weights]
    floors = [f + CELL_PADDING_CHARS for f in floors]
    if sum(weights) > TABLE_WIDTH_CHARS >= sum(floors):
        spare, extra = TABLE_WIDTH_CHARS - sum(floors), [w - f for w, f in zip(weights, floors)]
        weights = [f + e * spare / (sum(extra) or 1) for f, e in zip(floors, extra)]
    total = sum(weights)
    return [int(Mm(TEXT_WIDTH_MM) * w / total) for w in weights]


def _on_off(name: str):
    element = OxmlElement(name)
    element.set(qn("w:val"), "true")
    return element


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


# --------------------------------------------------------------------------- notebook -> docx


def _outputs(nb):
    """Each shown cell's content in order: ("html", text) or ("png", bytes)."""
    import base64

    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if NOTEBOOK_ONLY_TAG in tags:
            continue
        if cell.cell_type == "markdown":
            yield "html", _markdown_html(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in {"display_data", "execute_result"}:
                continue
            data = output.get("data", {})
            kind = next((m for m in OUTPUT_PRIORITY if m in data), None)
            if kind == "image/png":
                yield "png", base64.b64decode(data[kind])
            elif kind == "text/html":
                yield "html", _joined(data[kind])
            elif kind == "text/markdown":
                yield "html", _markdown_html(_joined(data[kind]))


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_to_docx(nb) -> bytes:
    """The executed report notebook as .docx bytes (same inputs, same bytes)."""
    return _document_bytes(_outputs(nb))


def html_to_docx(html: str) -> bytes:
    """An HTML page or fragment (e.g. the 催报 list) as .docx bytes (same inputs, same bytes)."""
    return _document_bytes([("html", html)])


def _document_bytes(parts) -> bytes:
    document = Document()
    _style_document(document)
    _page_setup(document)
    writer = _Writer(document)
    for kind, content in parts:
        if kind == "png":
            writer.add_png(content)
        else:
            writer.add_html(content)
    properties = document.core_properties
    properties.title = writer.title
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.revision = 1
    properties.created = properties.modified = properties.last_printed = FIXED_TIMESTAMP.replace(tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())


def reproducible_zip(data: bytes) -> bytes:
    """The zip ``data`` rewritten with a fixed date on every entry (order kept)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
