"""The report as an editable Word document (.docx), made from the executed notebook.

What the HTML report shows, the document shows, built with python-docx (not by
converting the PDF): the markdown cells and the HTML blocks the report sections
display are read with a real HTML parser (BeautifulSoup on html.parser) and become
Word headings (so the navigation pane and a 目录 field work), paragraphs, lists and
real Word tables (header row repeated on every page, rows never split across
pages); charts become pictures from the PNG that :func:`reportlib.report.charts.show`
displays beside the SVG, at print resolution.

Tables take their column widths from their content, as the HTML report's do
(:func:`reportlib.report.present.column_widths`, at the Word table's font size): a column the
HTML keeps on one line (ids, figures, 状态, targets, unit names: classes ``num``, ``status``,
``nowrap``) gets its longest cell whole, text columns share the rest. Headings keep with
what follows, and so does a line that leads into a table, a chart or a list.

Page, fonts by role, zh-CN, running header and page numbers: :mod:`reportlib.report.word_page`.

Byte-reproducible: the core properties carry a fixed date and no author, and the
zip entries are rewritten with a fixed date and a fixed order.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from bs4 import BeautifulSoup, NavigableString, Tag
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reportlib.report import present, word_page
from reportlib.report.word_page import TABLE_PT, TEXT_WIDTH_MM


def _markdown_html(text: str) -> str:
    """Markdown as HTML, by the same renderer as the HTML report (nbconvert's mistune)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)

FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
NOTE_PT = word_page.NOTE_PT
# The table's width in em of its font (TABLE_PT), for present.column_widths; a table the HTML sets
# in its smaller type (class "dense", present.is_dense) is set in the same proportion smaller here
TABLE_WIDTH_EM = TEXT_WIDTH_MM / (TABLE_PT * 25.4 / 72)
DENSE_TABLE_PT = 8  # (its page is narrower than the PDF's: 170 mm against 178 mm)
ONE_LINE_CLASSES = {"num", "status", "nowrap"}  # cells the HTML keeps on one line (present.table_html)
PROVENANCE_KEEPS = 3  # paragraphs before the provenance line kept on its page
LEAD_IN_MAX_CHARS = 60  # a paragraph this short before a table, chart or list leads into it: kept with it
# HTML block elements that only group others: their children are converted in turn
CONTAINERS = {"div", "section", "header", "main", "article", "blockquote", "footer", "body", "html"}
HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3}
NOTEBOOK_ONLY_TAG = "notebook-only"
# A break opportunity Word honours between KPI ids (、 alone is not one inside a run of ASCII ids)
ZERO_WIDTH_SPACE = "\u200b"
# Output mimetypes in the order they are taken (the first one present in an output)
OUTPUT_PRIORITY = ("image/png", "text/html", "text/markdown", "text/plain")


# --------------------------------------------------------------------------- HTML -> Word


class _Writer:
    """Appends HTML blocks to a python-docx Document."""

    def __init__(self, document):
        self.document = document
        self.title = ""
        self.table_style_id = document.styles[word_page.TABLE_TEXT_STYLE].style_id

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
            part = tag.find(class_="title-part")  # 报告——（二）领域: the part on a line of its own
            if part is not None:
                part.insert_before(Tag(name="br"))
            if tag.name == "h1" and not self.title:
                self.title = _text(tag).replace(" ——", "——")
            heading = self.document.add_heading("", HEADINGS[tag.name])
            self._inline(heading, tag)
        elif tag.name == "p":
            if "chart-note" in classes:  # what the chart above leaves out: on the chart's page
                self._keep_last_with_next()
            paragraph = self.document.add_paragraph()
            self._inline(paragraph, tag)
            if "id-list" in classes:  # Word breaks a long run of ids anywhere (K1.3 / 8.05), not after 、
                for run in paragraph.runs:
                    run.text = run.text.replace("、", "、" + ZERO_WIDTH_SPACE)
            if "note" in classes:
                for run in paragraph.runs:
                    run.font.size = Pt(NOTE_PT)
        elif tag.name in {"ul", "ol"}:
            self._lead_in()
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
            if tag.name == "footer":  # the provenance line: never alone on the last page
                for before in self.document.paragraphs[-PROVENANCE_KEEPS:]:
                    before.paragraph_format.keep_with_next = True
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
    def _last_paragraph(self):
        """The body's last element when it is a paragraph (not a table), else None."""
        body = self.document.element.body
        last = body[-2] if len(body) > 1 and body[-1].tag == qn("w:sectPr") else body[-1]
        return last if last.tag == qn("w:p") else None

    def _keep_last_with_next(self) -> None:
        last = self._last_paragraph()
        if last is not None:
            last.get_or_add_pPr().insert(0, _on_off("w:keepNext"))

    def _lead_in(self) -> None:
        """Keep the paragraph just written with what comes next (a table, chart or list) when it
        is a heading or a short line that leads into it (**滞后指标**（4项）, 请尽快补报：)."""
        last = self._last_paragraph()
        text = "" if last is None else "".join(node.text or "" for node in last.iter(qn("w:t")))
        if 0 < len(text) <= LEAD_IN_MAX_CHARS:
            self._keep_last_with_next()

    def _table(self, tag: Tag) -> None:
        rows = tag.find_all("tr")
        if not rows:
            return
        width = max(sum(int(c.get("colspan", 1)) for c in row.find_all(["th", "td"], recursive=False)) for row in rows)
        header_rows = len(tag.thead.find_all("tr")) if tag.thead else (1 if rows[0].find("th") else 0)
        self._lead_in()
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        dense = "dense" in (tag.get("class") or [])
        widths = _column_widths(rows, width, TABLE_WIDTH_EM * TABLE_PT / DENSE_TABLE_PT if dense else TABLE_WIDTH_EM)
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
                paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = self.table_style_id  # (by id: a lookup by name costs ms)
                if r < header_rows:  # the header row goes with the first row of figures
                    paragraph.paragraph_format.keep_with_next = True
                self._inline(paragraph, cell, bold=r < header_rows)
                if dense:
                    for run in paragraph.runs:
                        run.font.size = Pt(DENSE_TABLE_PT)
                if "num" in (cell.get("class") or []):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if r < header_rows:
                    _shade(word_cells[c], "E8EEF4")
        self.document.add_paragraph()

    # ----- pictures
    def add_png(self, data: bytes) -> None:
        self._lead_in()
        picture = self.document.add_picture(io.BytesIO(data))
        limit = Mm(TEXT_WIDTH_MM)
        if picture.width > limit:
            picture.height = int(picture.height * limit / picture.width)
            picture.width = limit
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _column_widths(rows, count: int, table_em: float = TABLE_WIDTH_EM) -> list[int]:
    """Column widths (EMU) over the text width, from the content as the HTML report's
    (:func:`reportlib.report.present.column_widths` at the Word table's font size): a column whose
    cells the HTML keeps on one line (:data:`ONE_LINE_CLASSES`) gets its longest cell whole, so no
    id, figure, 状态, target or unit name is broken; text columns share the rest."""
    body = []
    one_line: set[int] = set()
    for row in rows:
        cells = row.find_all(["th", "td"], recursive=False)[:count]
        body.append([_text(cell) for cell in cells] + [""] * (count - len(cells)))
        one_line |= {c for c, cell in enumerate(cells) if ONE_LINE_CLASSES & set(cell.get("class") or [])}
    percents = present.column_widths(body[0], body[1:], one_line, table_em=table_em)
    return [int(Mm(TEXT_WIDTH_MM) * p / sum(percents)) for p in percents]


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
    word_page.style_document(document)
    writer = _Writer(document)
    for kind, content in parts:
        if kind == "png":
            writer.add_png(content)
        else:
            writer.add_html(content)
    word_page.page_setup(document, writer.title)
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
