"""The Word document's page and type: A4, fonts by role, language, running header, page numbers.

Fonts are the ones a Chinese office's Windows or WPS has, chosen by role as in 公文 (GB/T 9704):
headings in 黑体 (subheadings 楷体), text in 仿宋, tables in 宋体 (仿宋 at table size is too thin
to read); Latin letters and figures in Times New Roman (headings: Arial). Each Chinese font is
declared in the font table with its English name, GB2312 charset and PANOSE class, so that an
office without it substitutes a Chinese font of the same kind. The language is zh-CN for East
Asian text (line breaking, fallback fonts), in the styles' defaults and in the theme's font
language (python-docx's template says ja-JP there).
"""
from __future__ import annotations

from dataclasses import dataclass

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reportlib.report import style

PAGE_WIDTH_MM, PAGE_HEIGHT_MM, MARGIN_MM = 210, 297, 20
TEXT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM
BODY_PT, TABLE_PT, NOTE_PT, HEADER_PT = 10.5, 9, 9, 9
HEADING_PT = {0: 18, 1: 16, 2: 14, 3: 12}
GB2312_CHARSET = "86"
EAST_ASIAN_LANGUAGE = "zh-CN"


@dataclass(frozen=True)
class WordFont:
    """A font a Chinese Windows/WPS office has: its Chinese name (what Word writes), English name
    (altName) and PANOSE class (what a substitute is matched by)."""

    name: str
    english: str
    panose: str
    family: str  # w:family: roman (serif) / modern / swiss (sans) / script


SONG = WordFont("宋体", "SimSun", "02010600030101010101", "auto")
FANGSONG = WordFont("仿宋", "FangSong", "02010609060101010101", "modern")
HEI = WordFont("黑体", "SimHei", "02010609060101010101", "modern")
KAI = WordFont("楷体", "KaiTi", "02010609060101010101", "modern")
LATIN_TEXT, LATIN_HEADING = "Times New Roman", "Arial"

# role -> (East Asian font, Latin font); the roles' styles are set in style_document
FONT_ROLES = {
    "title": (HEI, LATIN_HEADING),
    "heading": (HEI, LATIN_HEADING),  # 一、二、… (Heading 1)
    "subheading": (KAI, LATIN_TEXT),  # （一）（二）… and below (Heading 2, 3): 公文's 楷体
    "body": (FANGSONG, LATIN_TEXT),
    "table": (SONG, LATIN_TEXT),
}
TABLE_TEXT_STYLE = "Table Text"  # the paragraphs of table cells (a paragraph style outranks a table style)
# Word style -> role
STYLE_ROLES = {
    "Normal": "body", "List Bullet": "body", "List Number": "body", "Header": "table", "Footer": "table",
    "Title": "title", "Heading 1": "heading", "Heading 2": "subheading", "Heading 3": "subheading",
    "Table Grid": "table", TABLE_TEXT_STYLE: "table",
}


def set_run_fonts(rpr_parent, role: str) -> None:
    """Name the role's fonts for East Asian and Latin text on an rPr owner (a style or a run)."""
    east_asian, latin = FONT_ROLES[role]
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
    for attr, family in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asian.name)):
        rfonts.set(qn(attr), family)


def _set_language(document) -> None:
    """zh-CN for East Asian text in the style defaults and as the theme's font language."""
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    set_run_fonts(rpr_default, "body")
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)


def _declare_fonts(document) -> None:
    """List the Chinese fonts in the font table with English name, GB2312 charset and PANOSE."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from lxml import etree

    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    table = etree.fromstring(part.blob)
    for font in (SONG, FANGSONG, HEI, KAI):
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), font.name)
        for tag, value in (("w:altName", font.english), ("w:panose1", font.panose), ("w:charset", GB2312_CHARSET),
                           ("w:family", font.family), ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            entry.append(child)
        table.append(entry)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def style_document(document) -> None:
    """Fonts by role, sizes, zh-CN; every heading keeps with the paragraph after it."""
    from docx.enum.style import WD_STYLE_TYPE

    _declare_fonts(document)
    _set_language(document)
    document.styles["Normal"].font.size = Pt(BODY_PT)
    table_text = document.styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = document.styles["Normal"]
    table_text.font.size = Pt(TABLE_PT)
    table_text.paragraph_format.space_after = Pt(0)
    for level, size in HEADING_PT.items():
        heading = document.styles["Title" if level == 0 else f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.bold = level < 2  # 公文: 黑体 headings bold, 楷体 subheadings plain
        heading.font.color.rgb = RGBColor.from_string(style.TEXT.lstrip("#").upper()[:6])
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.keep_together = True
    for name, role in STYLE_ROLES.items():
        set_run_fonts(document.styles[name].element, role)


def page_setup(document, title: str) -> None:
    """A4 portrait, 20 mm margins; ``title`` as the running header from page 2 on (the first page
    is the cover), the page number centred in the footer of every page."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.different_first_page_header_footer = True
    for footer in (section.footer, section.first_page_footer):
        _page_numbers(footer.paragraphs[0])
    if title:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(title)
        run.font.size = Pt(HEADER_PT)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        _bottom_rule(header)


def _page_numbers(paragraph) -> None:
    """第 N 页 / 共 M 页, centred."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("第 ")
    _add_field(paragraph, "PAGE")
    paragraph.add_run(" 页 / 共 ")
    _add_field(paragraph, "NUMPAGES")
    paragraph.add_run(" 页")


def _bottom_rule(paragraph) -> None:
    """A thin line under the paragraph (the running header's rule)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "999999")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    p_pr.append(borders)


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
