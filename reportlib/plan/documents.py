"""Reading a work-plan document into paragraphs, whatever its format and encoding.

One small reader per format, chosen by the file's content (not its name) and
registered in :data:`READERS` at the bottom of the module: ``.docx``
(its XML read with defusedxml, Word auto-numbering rendered back into the text), a web page
saved from a government site (BeautifulSoup; the 标题/索引号/发文日期 table
becomes metadata), a PDF with a text layer (pypdf) and plain text in UTF-8 or
GBK. Each returns a :class:`Document`: paragraphs, metadata, tables as rows.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reportlib import encoding
from reportlib.errors import InputError
from reportlib.plan.tables import table_text

# Metadata keys of a saved government page's header table (and of the seed's text header).
META_KEYS = ("标题", "索引号", "文号", "发文日期", "成文日期", "发布日期", "发布机构", "主题分类", "信息来源", "来源", "发布时间")
# Elements of a saved web page that are never document text.
_HTML_DROP_TAGS = ("script", "style", "nav", "header", "footer", "noscript", "iframe", "form", "button", "select")
_HTML_DROP_CLASS_RE = re.compile(r"(^|[-_ ])(nav|menu|footer|header|breadcrumb|share|crumb|toolbar|sidebar)([-_ ]|$)", re.I)
_HTML_BLOCK_TAGS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "blockquote", "pre",
)
# A line of a PDF ends a paragraph after these; otherwise the next line continues it.
_PARAGRAPH_END = "。！？!?：:；;"
_FULL_LINE_SHARE = 0.8  # a PDF line shorter than this share of the longest ends its paragraph
_HEADING_START_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）])"
)


@dataclass
class Document:
    """A document as the extractor reads it.

    ``paragraphs``: text paragraphs in reading order (numbering labels kept);
    ``meta``: header fields (标题, 发文日期 …); ``tables``: every table that is
    not the header table, each a list of rows of cell texts; ``problems``:
    what could not be read, in Chinese; ``format``: "text" | "docx" | "html" | "pdf".
    ``text`` is the text the line-based structure parser reads.
    """

    paragraphs: list[str]
    meta: dict = field(default_factory=dict)
    tables: list[list[list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    format: str = "text"
    text: str = ""

    def __post_init__(self):
        if not self.text:
            header = [f"{key}: {value}" for key, value in self.meta.items()]
            self.text = "\n".join(header + self.paragraphs)


# --------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------
def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding name and problems for the bytes of a document.

    Detection is reportlib.encoding's; when nothing decodes cleanly the text is
    read as UTF-8 with replacement characters, and the problems say so.
    """
    try:
        decoded = encoding.decode(data)
    except encoding.UndecodableError:
        return data.decode("utf-8", errors="replace"), "utf-8", ["无法识别文件编码,无法解码的字节已替换为 � (undecodable bytes replaced)"]
    problems = [f"编码不确定,按 {decoded.encoding} 读取 (encoding guessed)"] if decoded.guessed else []
    return decoded.text, decoded.encoding, problems


def read_text(data: bytes, name: str) -> Document:
    """Plain text in UTF-8 / UTF-8-BOM / GBK: one paragraph a line."""
    text, _, problems = decode_bytes(data)
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return Document(paragraphs, problems=problems, format="text", text=text)


# --------------------------------------------------------------------------
# Word (.docx): the package's XML read with defusedxml (python-docx would bring lxml,
# which changes how openpyxl writes the actuals workbooks)
# --------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(number: int) -> str:
    """1 -> 一, 12 -> 十二, 25 -> 二十五 (Word's chineseCounting)."""
    if number < 10:
        return _CN_DIGITS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


# Word numFmt values and how a counter is written in each.
_NUM_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalEnclosedParen": lambda n: f"({n})",
    "chineseCounting": _cn_number,
    "chineseCountingThousand": _cn_number,
    "chineseLegalSimplified": _cn_number,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26),
    "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26),
    "lowerRoman": lambda n: ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][(n - 1) % 10],
    "upperRoman": lambda n: ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][(n - 1) % 10],
}


def _xml_part(archive: zipfile.ZipFile, name: str):
    """The root element of a part of the package, or None when it is absent."""
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(archive.read(name))
    except KeyError:
        return None


def _num_pr(ppr):
    """(numId, ilvl) of a w:pPr's numbering, or None."""
    num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
    if num_pr is None:
        return None
    num_id, ilvl = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
    if num_id is None:
        return None
    return num_id.get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0


class _Numbering:
    """Word's automatic list numbers (numbering.xml, styles.xml), rendered as the reader sees them."""

    def __init__(self, numbering, styles):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        if styles is not None:
            based_on, own = {}, {}
            for style in styles.iter(f"{_W}style"):
                style_id = style.get(f"{_W}styleId")
                found = _num_pr(style.find(f"{_W}pPr"))
                if found:
                    own[style_id] = found
                parent = style.find(f"{_W}basedOn")
                if parent is not None:
                    based_on[style_id] = parent.get(f"{_W}val")
            for style_id in set(own) | set(based_on):
                current, seen = style_id, set()
                while current and current not in own and current not in seen:
                    seen.add(current)
                    current = based_on.get(current)
                if current in own:
                    self.style_numbering[style_id] = own[current]
        if numbering is None:
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in numbering.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt, text, start = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText"), lvl.find(f"{_W}start")
                levels[int(lvl.get(f"{_W}ilvl"))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "",
                    int(start.get(f"{_W}val")) if start is not None else 1,
                )
            abstract[node.get(f"{_W}abstractNumId")] = levels
        for num in numbering.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})

    def label(self, paragraph) -> str:
        """The number Word shows before a w:p ("一、", "（一）", "1.") or ""."""
        ppr = paragraph.find(f"{_W}pPr")
        found = _num_pr(ppr)
        if found is None and ppr is not None and ppr.find(f"{_W}pStyle") is not None:
            found = self.style_numbering.get(ppr.find(f"{_W}pStyle").get(f"{_W}val"))
        if not found or found[0] not in self.levels:
            return ""  # numId 0 (numbering switched off) is never defined
        num_id, ilvl = found
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]  # a new 一、 restarts its （一）
        text = levels[ilvl][1]
        for level, (fmt, _, start) in levels.items():
            if f"%{level + 1}" in text:
                text = text.replace(f"%{level + 1}", _NUM_FORMATS.get(fmt, str)(counters.get(level, start)))
        return text


def _paragraph_text(paragraph) -> str:
    """The visible text of a w:p: its w:t runs, tabs as spaces (deleted text and field codes left out)."""
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append(" ")
    return "".join(parts).strip()


def _table_rows(table) -> list[list[str]]:
    """Cell texts of a w:tbl, row by row (nested tables left out)."""
    rows = []
    for tr in table.findall(f"{_W}tr"):
        cells = ["".join(_paragraph_text(p) for p in tc.findall(f"{_W}p")) for tc in tr.findall(f"{_W}tc")]
        if any(cells):
            rows.append(cells)
    return rows


def _body_items(parent):
    """w:p and w:tbl of the body in reading order, through content controls (w:sdt)."""
    for child in parent:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_items(content)


def read_docx(data: bytes, name: str) -> Document:
    """A Word document: paragraphs with their automatic numbering put back, and tables in order."""
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = _xml_part(archive, "word/document.xml")
            numbering = _Numbering(_xml_part(archive, "word/numbering.xml"), _xml_part(archive, "word/styles.xml"))
            core = _xml_part(archive, "docProps/core.xml")
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(f"无法打开 Word 文档,文件可能已损坏;请用 Word 另存为 .docx 后重试 ({exc})", file=name) from exc
    body = document.find(f"{_W}body") if document is not None else None
    if body is None:
        raise InputError("无法打开 Word 文档:缺少正文 (word/document.xml);请用 Word 另存为 .docx 后重试", file=name)
    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    for item in _body_items(body):
        if item.tag == f"{_W}tbl":
            rows = _table_rows(item)
            tables.append(rows)
            paragraphs.extend(table_text(rows))  # read in place, as a table written with |
            continue
        text = _paragraph_text(item)
        if not text:
            continue
        label = numbering.label(item).strip()
        if label and not text.startswith(label):
            text = label + text
        paragraphs.append(text)
    meta = {}
    title = core.find(_DC_TITLE) if core is not None else None
    if title is not None and (title.text or "").strip():
        meta["标题"] = title.text.strip()
    return Document(paragraphs, meta, [t for t in tables if t], format="docx")


# --------------------------------------------------------------------------
# Saved web page (.html)
# --------------------------------------------------------------------------
def _meta_table(rows: list[list[str]]) -> dict:
    """``标题: | 城东… | 索引号: | …`` cells as a dict; empty when the table is not one."""
    meta = {}
    for row in rows:
        for key, value in zip(row, row[1:]):
            key = key.strip().rstrip(":：").strip()
            if key in META_KEYS and value.strip() and value.strip().rstrip(":：") not in META_KEYS:
                meta[key] = value.strip()
    return meta


def _html_table_rows(table) -> list[list[str]]:
    """Cell texts of an HTML table, row by row (nested tables left out)."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [re.sub(r"\s+", " ", cell.get_text(" ")).strip() for cell in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(cells)
    return rows


def read_html(data: bytes, name: str) -> Document:
    """A page saved from a government site: article text, header table as metadata."""
    from bs4 import BeautifulSoup

    text, _, problems = decode_bytes(data)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_HTML_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        marks = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
        if _HTML_DROP_CLASS_RE.search(marks.strip()):
            tag.decompose()
    meta: dict = {}
    tables: list[list[list[str]]] = []
    for table in soup.find_all("table"):
        if table.decomposed or table.find_parent("table") is not None:
            continue
        rows = _html_table_rows(table)
        found = _meta_table(rows)
        if found and len(found) >= 2:
            meta.update(found)
            table.replace_with("\n")
        elif rows:
            tables.append(rows)
            table.replace_with("\n" + "\n".join(table_text(rows)) + "\n")  # read in place, written with |
        else:
            table.replace_with("\n")
    if "标题" not in meta and soup.title and soup.title.get_text(strip=True):
        meta["标题"] = soup.title.get_text(strip=True)
    if soup.head:
        soup.head.decompose()
    for tag in soup.find_all(_HTML_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.get_text("")
    paragraphs = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in body.split("\n")]
    paragraphs = [line for line in paragraphs if line and line != meta.get("标题")]
    return Document(paragraphs, meta, tables, problems, format="html")


# --------------------------------------------------------------------------
# PDF with a text layer
# --------------------------------------------------------------------------
# Spaces a PDF's text layer puts between Chinese and a figure (新建厂房 12 栋) where the layout
# left a gap: Chinese text has none, so the text reads as the same document in any format.
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_PDF_GAP_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}\d%.])|(?<=[\d%.])[ \t\u00a0]+(?=[{_CJK}])")


def tidy_pdf_line(line: str) -> str:
    """A line of a PDF's text without the spaces inserted between Chinese and digits or Chinese."""
    return _PDF_GAP_RE.sub("", line)


def _join_pdf_lines(lines: list[str]) -> list[str]:
    """Lines of a PDF page back into paragraphs.

    A line continues the previous one unless the previous ended a sentence, was
    clearly shorter than a full line (a heading, a paragraph's last line), or this
    one starts with a heading number.
    """
    lines = [line.strip() for line in lines if line.strip()]
    full = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    previous_short = True
    for line in lines:
        if paragraphs and not previous_short and not paragraphs[-1].endswith(tuple(_PARAGRAPH_END)) \
                and not _HEADING_START_RE.match(line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        previous_short = len(line) < _FULL_LINE_SHARE * full
    return paragraphs


def read_pdf(data: bytes, name: str) -> Document:
    """A PDF with a text layer (pypdf); a scanned PDF is reported, not guessed at."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"无法读取 PDF,文件可能已损坏或加密;请提供 Word 或文本版本 ({exc})", file=name) from exc
    lines = [tidy_pdf_line(line) for page in pages for line in page.splitlines()]
    problems = []
    if not "".join(lines).strip():
        problems.append("PDF 没有文字层(可能是扫描件),读不出文字;请先做文字识别(OCR)或提供 Word 版本")
    paragraphs = _join_pdf_lines(lines)
    meta = {}
    title = (reader.metadata.title if reader.metadata else None) or ""
    if title.strip():
        meta["标题"] = title.strip()
    return Document(paragraphs, meta, problems=problems, format="pdf")


# --------------------------------------------------------------------------
# Choosing the reader by content
# --------------------------------------------------------------------------
def sniff_format(data: bytes) -> str:
    """"docx" | "pdf" | "html" | "text" from the first bytes of a file (never its name)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head[:512]:
        return "html"
    return "text"


def load_document(path) -> Document:
    """Read any supported document; InputError (in Chinese) when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文档 (cannot read document): {exc.strerror or exc}", file=str(path)) from exc
    kind = sniff_format(data)
    reader = READERS.get(kind)
    if reader is None:
        raise InputError(
            "不支持的文档格式(压缩包但不是 Word .docx;旧版 .doc 请用 Word 另存为 .docx)", file=str(path)
        )
    return reader(data, str(path))


def read_document(path) -> tuple[str, list[str]]:
    """The text of a document file (any supported format) and reading problems."""
    document = load_document(path)
    return document.text, document.problems


# One reader per format; sniff_format picks the key.
READERS = {
    "docx": read_docx,
    "pdf": read_pdf,
    "html": read_html,
    "text": read_text,
}
