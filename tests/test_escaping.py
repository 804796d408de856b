"""Text from a plan or a submission is text in every report: escaped in HTML (headings included)
and in Word, never fetched by the PDF engine, escaped once in the index.

A plan file whose titles carry markup (a script, an image that loads from a server, a
``javascript:`` link, a stylesheet link) is built into a pillar report in all three formats while
a local HTTP server records every request it gets.
"""
from __future__ import annotations

import http.server
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from reportlib import workspace as wsmod
from reportlib.cli import main
from reportlib.errors import EXIT_OK
from reportlib.report import pages


@pytest.fixture
def server():
    """A local HTTP server; ``server.requests`` lists the paths asked for."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.requests = requests
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()


def test_the_pdf_engine_fetches_nothing_outside_the_reports_own_files(server, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("h1 { color: red }", encoding="utf-8")
    html = (f'<html><head><link rel="stylesheet" href="{server.url}/style.css">'
            f'<link rel="stylesheet" href="{secret.as_uri()}"></head>'
            f'<body><h1>城东街道</h1><img src="{server.url}/pixel.png">'
            f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{server.url}/in-svg.png"/></svg>'
            f'<p style="background: url({server.url}/bg.png)">正文</p></body></html>')
    pdf = pages.html_to_pdf(html)
    assert pdf.startswith(b"%PDF") and server.requests == []
    assert not pages.is_allowed_url(secret.as_uri()) and not pages.is_allowed_url(f"{server.url}/x.png")
    assert pages.is_allowed_url("data:image/png;base64,AAAA")


def _hostile_plan(ws: Path, url: str) -> dict[str, str]:
    """The bundled plan with markup in pillar 5's title and in task 5.3's title."""
    plan_file = ws / "data" / "raw" / "plans" / "2025" / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    titles = {
        "pillar": "聚力<script>alert(1)</script>平安",
        "task": f'守牢<img src={url}/task.png onerror=alert(2)>底线 [点我](javascript:alert(3)) <link rel=stylesheet href={url}/t.css>',
    }
    text = text.replace("    title: 聚力统筹发展和安全,巩固高质量发展环境", f"    title: '{titles['pillar']}'")
    text = text.replace("        title: 守牢环保安全工作底线", f"        title: '{titles['task']}'")
    # the digits inside the markup are no targets: reviewed as such, as a clerk would (plan check)
    text = text.rstrip("\n") + "".join(
        f"\n  - source_text: '{titles[key]}'\n    value: {value}\n    reason: 标题中的字符，不是目标"
        for key, value in (("pillar", 1), ("task", 2), ("task", 3))) + "\n"
    plan_file.write_text(text, encoding="utf-8")
    document = plan_file.with_name("000_01bc2443607d363b.txt")  # the source document says the same
    text = document.read_text(encoding="utf-8").replace("聚力统筹发展和安全,巩固高质量发展环境", titles["pillar"])
    document.write_text(text.replace("守牢环保安全工作底线", titles["task"]), encoding="utf-8")
    return titles


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs)


def test_plan_titles_with_markup_are_text_in_html_word_pdf_and_the_index(tmp_path, server, monkeypatch):
    ws = tmp_path / "ws"
    shutil.copytree(wsmod.PROJECT_ROOT / "data" / "raw", ws / "data" / "raw")
    monkeypatch.setenv(wsmod.WORKSPACE_ENV, str(ws))  # (reportlib -C sets it; restored after the test)
    titles = _hostile_plan(ws, server.url)
    code = main(["-C", str(ws), "build", "--quarter", "2025Q1", "--pillar", "5", "--jobs", "1",
                 "--log-file", str(tmp_path / "build.log")])
    assert code == EXIT_OK, (tmp_path / "build.log").read_text(encoding="utf-8")
    folder = ws / "reports" / "2025-Q1"
    html = (folder / "pillar-5.html").read_text(encoding="utf-8")
    for markup in ("<script", "<img", "<link", "javascript:alert(3)\"", 'href="javascript'):
        assert markup not in html, markup
    assert "聚力&lt;script&gt;alert(1)&lt;/script&gt;平安" in html  # the title, shown as it is written
    assert "守牢&lt;img src=" in html and "[点我](javascript:alert(3))" in html
    assert server.requests == []  # the PDF engine fetched nothing
    word = _docx_text(folder / "pillar-5.docx")
    assert titles["pillar"] in word and "守牢<img src=" in word and "[点我](javascript:alert(3))" in word
    with zipfile.ZipFile(folder / "pillar-5.docx") as docx:
        assert not [name for name in docx.namelist() if name.startswith("word/media/") and "task" in name]
    index = (ws / "reports" / "index.html").read_text(encoding="utf-8")
    assert "聚力&lt;script&gt;alert(1)&lt;/script&gt;平安" in index and "&amp;lt;" not in index  # escaped once
