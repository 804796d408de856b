"""Reading a work-plan document into paragraphs, whatever its format and encoding.

One small reader per format, chosen by the file's content (not its name) and
registered in :data:`READERS` at the bottom of the module: ``.docx``
(python-docx, Word auto-numbering rendered back into the text), a web page
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
# Word (.docx)
# --------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
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


class _Numbering:
    """Word's automatic list numbers (numbering.xml), rendered as the reader sees them."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in root.iter(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.iter(f"{_W}lvl"):
                fmt, text, start = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText"), lvl.find(f"{_W}start")
                levels[int(lvl.get(f"{_W}ilvl"))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "",
                    int(start.get(f"{_W}val")) if start is not None else 1,
                )
            abstract[node.get(f"{_W}abstractNumId")] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})

    @staticmethod
    def _num_pr(paragraph):
        """(numId, ilvl) of a paragraph's own or its style's numbering, or None."""
        for owner in (paragraph._p, getattr(paragraph.style, "element", None)):
            ppr = owner.find(f"{_W}pPr") if owner is not None else None
            num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
            if num_pr is None:
                continue
            num_id, ilvl = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
            if num_id is not None:
                return num_id.get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
        return None

    def label(self, paragraph) -> str:
        """The number Word shows before ``paragraph`` ("一、", "（一）", "1.") or ""."""
        found = self._num_pr(paragraph)
        if not found or found[0] not in self.levels or found[0] == "0":
            return ""
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
                value = counters.get(level, start)
                text = text.replace(f"%{level + 1}", _NUM_FORMATS.get(fmt, str)(value))
        return text


def read_docx(data: bytes, name: str) -> Document:
    """A Word document: paragraphs with their auto-numbering, and tables in order."""
    import docx  # python-docx; imported here so text-only use does not need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds
        raise InputError(f"无法打开 Word 文档,文件可能已损坏;请用 Word 另存为 .docx 后重试 ({exc})", file=name) from exc
    numbering = _Numbering(document)
    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            rows = [[cell.text.strip() for cell in row.cells] for row in item.rows]
            tables.append([row for row in rows if any(row)])
            continue
        text = item.text.strip()
        if not text:
            continue
        label = numbering.label(item)
        if label and not text.startswith(label.strip()):
            text = label.strip() + text
        paragraphs.append(text)
    meta = {}
    title = (document.core_properties.title or "").strip()
    if title:
        meta["标题"] = title
    return Document(paragraphs, meta, tables, format="docx")


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


def _table_rows(table) -> list[list[str]]:
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
        rows = _table_rows(table)
        found = _meta_table(rows)
        if found and len(found) >= 2:
            meta.update(found)
        elif rows:
            tables.append(rows)
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
    lines = [line for page in pages for line in page.splitlines()]
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
