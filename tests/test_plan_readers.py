"""reportlib.plan.documents: one reader per format, chosen by content; each gives paragraphs,
metadata and tables. Documents are built in tmp_path (the committed fixtures are checked to be
what the generator writes)."""
from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from reportlib.errors import InputError
from reportlib.plan import extract_file, load_document
from reportlib.plan.documents import READERS, _join_pdf_lines, sniff_format

PLANS = Path(__file__).parent / "fixtures" / "plans"


def _generator():
    spec = importlib.util.spec_from_file_location("make_plans", PLANS / "make_plans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_plans():
    return _generator()


def test_one_reader_per_format():
    assert set(READERS) == {"docx", "pdf", "html", "text"}


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n...", "pdf"), (b"<!DOCTYPE html><html>", "html"), (b"\xef\xbb\xbf<html lang=zh>", "html"),
    ("(一)甲\n1.乙".encode("gbk"), "text"), ("标题: 计划".encode("utf-8"), "text"),
])
def test_format_is_chosen_by_content(data, kind):
    assert sniff_format(data) == kind


def test_format_ignores_the_file_name(tmp_path, make_plans):
    path = tmp_path / "plan.txt"  # a Word file with the wrong extension
    path.write_bytes(make_plans.make_docx())
    assert load_document(path).format == "docx"


def test_zip_that_is_not_word_is_refused_in_chinese(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    path = tmp_path / "plan.docx"
    path.write_bytes(out.getvalue())
    with pytest.raises(InputError, match="不支持的文档格式.*plan.docx"):
        load_document(path)


def test_damaged_word_file_is_refused_in_chinese(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "not xml")
    path = tmp_path / "plan.docx"
    path.write_bytes(out.getvalue())
    with pytest.raises(InputError, match="无法打开 Word 文档"):
        load_document(path)


def test_gbk_text(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("(一)产业\n1.新建厂房2栋。\n".encode("gbk"))
    document = load_document(path)
    assert document.paragraphs == ["(一)产业", "1.新建厂房2栋。"]
    assert extract_file(path).candidates["value"].tolist() == [2.0]


def test_word_auto_numbering_is_put_back_into_the_text(tmp_path, make_plans):
    path = tmp_path / "plan.docx"
    path.write_bytes(make_plans.make_docx())
    document = load_document(path)
    assert document.meta == {"标题": "青石街道2025年工作计划"}
    numbered = [p for p in document.paragraphs if p[1:2] in ("、", ".")]
    assert [p[:6] for p in numbered] == ["一、经济发展", "1.招商引资", "2.楼宇经济", "二、城市管理", "1.背街小巷",
                                         "2.老旧小区", "三、民生服务", "1.就业服务", "2.养老服务"]
    assert document.tables[0][0] == ["序号", "任务", "目标", "责任单位", "完成时限"]
    assert len(document.tables[0]) == 5


def test_word_numbering_already_in_the_text_is_not_doubled(tmp_path, make_plans):
    path = tmp_path / "plan.docx"
    path.write_bytes(make_plans.docx_bytes([(None, "一、产业发展"), (None, "1.新建厂房2栋。")]))
    assert load_document(path).paragraphs == ["一、产业发展", "1.新建厂房2栋。"]


def test_word_numbering_restarts_below_a_new_heading(tmp_path, make_plans):
    path = tmp_path / "plan.docx"
    path.write_bytes(make_plans.docx_bytes([(0, "产业"), (1, "甲。"), (1, "乙。"), (0, "民生"), (1, "丙。")]))
    assert load_document(path).paragraphs == ["一、产业", "1.甲。", "2.乙。", "二、民生", "1.丙。"]


def test_saved_page_metadata_table_and_chrome(tmp_path, make_plans):
    path = tmp_path / "page.html"
    path.write_bytes(make_plans.make_html())
    document = load_document(path)
    assert document.meta["标题"] == "河西街道2025年工作谋划"
    assert document.meta["索引号"] == "11370399004000000X/2025-0000001"
    text = "\n".join(document.paragraphs)
    for chrome in ("pageSize", "首页", "第1页", "版权所有", "当前位置", "font-size"):
        assert chrome not in text
    assert document.paragraphs[1] == "（一）做强实体经济"
    assert document.tables == []


def test_html_inline_markup_does_not_split_numbers(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>(一)产业</p><p>1.新建厂房<span>2</span><b>栋</b>。</p>"
                    "<table><tr><td>任务</td><td>目标</td><td>责任单位</td></tr>"
                    "<tr><td>就业</td><td>新增就业300人</td><td>社保所</td></tr></table></body></html>", encoding="utf-8")
    extraction = extract_file(path)
    assert extraction.candidates[["value", "owner"]].values.tolist() == [[2.0, ""], [300.0, "社保所"]]


def test_pdf_text_layer(make_plans):
    document = load_document(PLANS / "nanhu_2025.pdf")
    assert document.format == "pdf"
    assert "二、2025年工作目标" in document.paragraphs
    assert "1.新修农村道路18公里，新建桥梁3座。" in document.paragraphs


def test_pdf_without_text_layer_says_so(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    extraction = extract_file(path)
    assert any("没有文字层" in p for p in extraction.problems)
    assert extraction.candidates.empty


def test_pdf_loses_the_spaces_its_layout_puts_around_figures(tmp_path):
    from weasyprint import HTML

    from reportlib.report import fonts

    html = (f"<html><head><style>{fonts.font_face_css()} body {{ font-family: 'Noto Sans CJK SC'; }} span {{ margin: 0 6px; }}"
            "</style></head><body><p>示例镇2025年工作计划</p><p>一、经济</p>"
            "<p>1.新建厂房<span>12</span>栋，完成投资<span>2.5</span>亿元，增长<span>6%</span>。</p></body></html>")
    pdf = tmp_path / "gaps.pdf"
    pdf.write_bytes(HTML(string=html).write_pdf())
    document = load_document(pdf)
    assert "1.新建厂房12栋，完成投资2.5亿元，增长6%。" in document.text.splitlines()
    assert extract_file(pdf).candidates["raw"].tolist() == ["12栋", "2.5亿元", "6%"]


def test_pdf_lines_are_joined_into_paragraphs():
    lines = ["南湖镇2025年工作计划", "一、2024年工作回顾", "2024年，全镇实现农业总产值12.6亿元，同比增长4.2%；建成高",
             "标准农田1.2万亩。", "二、目标"]
    assert _join_pdf_lines(lines) == ["南湖镇2025年工作计划", "一、2024年工作回顾",
                                      "2024年，全镇实现农业总产值12.6亿元，同比增长4.2%；建成高标准农田1.2万亩。", "二、目标"]


@pytest.mark.parametrize("name", ["shifan_2025.txt", "qingshi_2025.docx", "hexi_2025.html", "shiyan_2024_summary.txt",
                                  "qinghe_2025_renwu.docx", "yunling_2025.txt", "yunling_2025.docx"])
def test_fixtures_are_what_the_generator_writes(tmp_path, make_plans, name):
    (written,) = make_plans.main(tmp_path, names=[name])
    assert written.read_bytes() == (PLANS / name).read_bytes()
