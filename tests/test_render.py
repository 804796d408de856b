"""The toolchain: papermill -> our HTML template -> WeasyPrint PDF, in Chinese, without code."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import nbformat
import pytest
from pypdf import PdfReader

from reportlib import build, workspace
from reportlib.report import pages
from reportlib.build import render
from reportlib.errors import RenderError

TITLE = "报告工具链自检（示例数据）"
CODE_MARKERS = ("import pandas", "apply_house_style", "present.show_table", "quarter = ")


def _embedded_fonts(pdf: bytes) -> set[str]:
    """BaseFont names of fonts that carry an embedded font program."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                descriptor = descendant["/FontDescriptor"].get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descendant["/BaseFont"]))
    return names


def test_parameters_are_injected(proof_render):
    tags = [cell.metadata.get("tags", []) for cell in proof_render["nb"].cells]
    assert ["injected-parameters"] in tags
    assert "第2季度" in proof_render["html"]


def test_html_has_title_and_no_input_code(proof_render):
    html = proof_render["html"]
    assert f"<title>{TITLE}</title>" in html
    for marker in CODE_MARKERS:
        assert marker not in html
    assert "injected-parameters" not in html


def test_html_is_self_contained(proof_render):
    html = proof_render["html"]
    assert "<script" not in html
    fetches = re.findall(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//|url\(\s*["\']?(?:https?:)?//|@import', html)
    assert fetches == []


def test_pdf_embeds_the_cjk_font_and_gives_the_title_back(proof_render):
    fonts = _embedded_fonts(proof_render["pdf"])
    assert any("Noto-Sans-CJK-SC" in name for name in fonts), fonts
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(proof_render["pdf"])).pages)
    assert TITLE in text
    for marker in CODE_MARKERS:
        assert marker not in text


def test_pdf_is_a4(proof_render):
    box = PdfReader(io.BytesIO(proof_render["pdf"])).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_no_missing_glyph_warnings(proof_render):
    streams = [
        output.get("text", "")
        for cell in proof_render["nb"].cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    ]
    assert not any("Glyph" in text and "missing" in text for text in streams)


def test_chart_is_svg_with_deterministic_output(proof_render):
    svgs = [
        output["data"]["image/svg+xml"]
        for cell in proof_render["nb"].cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]
    assert len(svgs) == 1
    assert "<dc:date>" not in svgs[0]


def test_same_notebook_gives_byte_identical_html_and_pdf(proof_render):
    html_again = render.export_html(proof_render["nb"])
    assert html_again == proof_render["html"]
    assert pages.html_to_pdf(html_again) == proof_render["pdf"]


def test_nbconvert_cli_knows_the_pdf_exporter(proof_render, tmp_path):
    jupyter = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "reportpdf", "--output-dir", str(tmp_path)]
    result = subprocess.run([*jupyter, str(proof_render["dir"] / "proof.ipynb")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proof.pdf").read_bytes() == proof_render["pdf"]


def test_failing_cell_names_notebook_parameters_and_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('数据缺失')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "broken.ipynb"
    nbformat.write(nb, source)
    with pytest.raises(RenderError) as info:
        render.execute_notebook(source, tmp_path / "out.ipynb", {"x": 2})
    message = str(info.value)
    assert "broken.ipynb" in message and "'x': 2" in message and "ValueError" in message and "cell" in message


def test_failed_build_publishes_nothing(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "old.html").write_text("previous report")
    jobs = [build.ReportJob(workspace.NOTEBOOKS / "proof.ipynb", "a/proof"), build.ReportJob(broken, "b/broken")]
    with pytest.raises(RenderError):
        build.build(jobs, out, ("html",))
    assert sorted(p.name for p in out.rglob("*")) == ["old.html"]


def test_html_embeds_the_font_subset_for_machines_without_cjk_fonts(proof_render):
    html = proof_render["html"]
    assert html.count('src: url("data:font/woff;base64,') == 2
    assert "/* reportlib:font-face */" not in html


def test_font_subset_is_deterministic_and_covers_the_text():
    import base64
    import io

    from fontTools.ttLib import TTFont

    from reportlib.report import fonts

    path = fonts.font_files()["normal"]
    first, second = fonts._subset_woff(path, "城东街道进展"), fonts._subset_woff(path, "城东街道进展")
    assert first == second
    cmap = TTFont(io.BytesIO(first)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "城东街道进展")
    assert ord("县") not in cmap
    assert base64.b64encode(first)
