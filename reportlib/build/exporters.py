"""The nbconvert exporters of the reports: ``reporthtml`` and ``reportpdf``.

Registered as nbconvert entry points (pyproject.toml), so
``jupyter nbconvert --to reportpdf X.ipynb`` gives the same output as
:func:`reportlib.build.render.export_pdf`. This module imports nbconvert; the rest of
the package imports it only when something is rendered.
"""
from __future__ import annotations

from html import escape

from nbconvert.exporters import HTMLExporter
from traitlets import default

from reportlib import __version__
from reportlib.report import fonts
from reportlib.report.pages import CSS_PATH, FONT_FACE_SLOT, TEMPLATE_DIR, TEMPLATE_NAME, first_heading, html_to_pdf


class ReportHTMLExporter(HTMLExporter):
    """Self-contained HTML in the house style, with no input code and no prompts."""

    export_from_notebook = "Report HTML"

    @default("template_name")
    def _template_name_default(self):
        return TEMPLATE_NAME

    @default("template_file")
    def _template_file_default(self):
        return "index.html.j2"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATE_DIR)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self):
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self):
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self):
        return True

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        resources["reportlib"] = {
            "css": CSS_PATH.read_text(encoding="utf-8"),
            "font_stack": fonts.CSS_FONT_STACK,
            "version": __version__,
            "title": "",
        }
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        title = first_heading(html)
        html = html.replace("<title></title>", f"<title>{escape(title, quote=False)}</title>", 1)
        html = html.replace(FONT_FACE_SLOT, fonts.embedded_font_css(html), 1)
        resources["reportlib"]["title"] = title
        return html, resources


class ReportPDFExporter(ReportHTMLExporter):
    """A4 PDF: the report HTML laid out by WeasyPrint with the CJK font embedded."""

    export_from_notebook = "Report PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources=resources, **kw)
        resources["output_extension"] = ".pdf"
        return html_to_pdf(html), resources
