"""Shared fixtures. Expensive renders are done once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from reportlib.report import pages
from reportlib import workspace
from reportlib.build import render


@pytest.fixture(scope="session")
def proof_render(tmp_path_factory):
    """The proof notebook executed once, with its HTML and PDF."""
    out = tmp_path_factory.mktemp("proof")
    nb = render.execute_notebook(workspace.NOTEBOOKS / "proof.ipynb", out / "proof.ipynb", {"year": 2025, "quarter": 2})
    html = render.export_html(nb)
    pdf = pages.html_to_pdf(html)
    (out / "proof.pdf").write_bytes(pdf)
    return {"dir": out, "nb": nb, "html": html, "pdf": pdf, "pdf_path": out / "proof.pdf"}


@pytest.fixture
def empty_font_dir(tmp_path, monkeypatch) -> Path:
    """Point the font lookup at an empty folder."""
    folder = tmp_path / "no-fonts"
    folder.mkdir()
    monkeypatch.setenv("REPORTLIB_FONT_DIR", str(folder))
    return folder
