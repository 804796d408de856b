"""The intake pages through the application itself (Starlette's test client): the check equals
the ingest, per-unit scope, storage, hostile input, tokens."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from bs4 import BeautifulSoup
import warnings

with warnings.catch_warnings():  # (Starlette would rather have httpx2, which the lock does not hold)
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from reportlib import actuals
from reportlib.intake import app as intake_app, check, storage
from reportlib.intake.guard import redact
from reportlib.intake.tokens import TokenStore
from intake_support import QUARTER, csrf_of, issue, make_workspace, plan_of, unit_name, workbook

A, B = unit_name(1), unit_name(2)
GOOD_SLIP_BAD = {"K1.1.01": 60, "K1.1.02": 0.93, "K1.1.03": "快完成了"}  # a count, 0.93 for 93 %, no state


@pytest.fixture
def site(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    tokens = issue(ws, [A, B])
    client = TestClient(intake_app.create_app(ws))
    return ws, tokens, client


def upload(client, token: str, data: bytes, name: str = "填报表.xlsx", csrf: str | None = None):
    page = client.get(f"/u/{token}")
    return client.post(f"/u/{token}/upload", data={"csrf": csrf if csrf is not None else csrf_of(page.text)},
                       files={"file": (name, data, "application/octet-stream")})


def result_rows(html: str) -> list[dict]:
    soup = BeautifulSoup(html, "html.parser")
    section = soup.find("h2", string="本次上传检查结果").parent
    return [{td["data-label"]: td.get_text(" ", strip=True) for td in tr.find_all("td")} for tr in section.find_all("tr")[1:]]


def quarter_files(ws) -> list[str]:
    folder = ws.quarter_raw(QUARTER)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_unit_sees_each_row_judged_and_the_answer_is_what_the_ingest_says(site):
    ws, tokens, client = site
    data = workbook(ws, A, GOOD_SLIP_BAD)
    response = upload(client, tokens[A], data)
    assert response.status_code == 200
    rows = {r["指标"].split()[0]: r for r in result_rows(response.text)}
    assert rows["K1.1.01"]["结果"] == "已采用" and "新建站点" in rows["K1.1.01"]["指标"]
    assert rows["K1.1.02"]["结果"] == "已采用，请核对" and "百分数按小数填报" in rows["K1.1.02"]["原因"]
    assert "95" in rows["K1.1.02"]["如何更正"]
    assert rows["K1.1.03"]["结果"] == "退回" and "制定工作办法" in rows["K1.1.03"]["指标"]
    assert "已完成、推进中、未启动" in rows["K1.1.03"]["如何更正"]
    assert "回执号" in response.text
    # stored unchanged, named by unit, time and hash
    (name,) = quarter_files(ws)
    stored = ws.quarter_raw(QUARTER) / name
    assert stored.read_bytes() == data
    assert name.startswith(A + "_") and name.endswith(".xlsx") and __import__("hashlib").sha256(data).hexdigest()[:12] in name
    # what a full ingest says about the same rows
    full = actuals.ingest(ws.actuals_raw, plan=plan_of(ws), write=False)
    rel = f"{QUARTER}/{name}"
    mine = full.actuals[full.actuals["source_file"] == rel].set_index("kpi_id")
    assert mine.loc["K1.1.01", "flags"] == "" and mine.loc["K1.1.01", "cumulative"] == 60
    assert "percent_as_fraction" in mine.loc["K1.1.02", "flags"] and mine.loc["K1.1.02", "cumulative"] == pytest.approx(93)
    assert list(full.rejects[full.rejects["file"] == rel]["reason"]) == ["bad_state"]
    again = check.outcomes(full, plan_of(ws), A, stored, rel)
    assert [(r.kpi_id, r.label, r.reason or "—", r.change or "—") for r in again.rows] == [
        (r["指标"].split()[0], r["结果"], r["原因"], r["如何更正"]) for r in result_rows(response.text)]
    # the log has the upload, never the token
    (event,) = [e for e in storage.read_log(ws) if e["event"] == "upload"]
    assert event["unit"] == A and event["file"] == rel and event["counts"] == {"rejected": 1, "warned": 1, "accepted": 1}
    assert tokens[A] not in ws.intake_log.read_text(encoding="utf-8")


def test_the_check_sees_the_other_files_of_the_quarter(site):
    """A correction with a later 填报日期 supersedes the first upload, and the first upload's
    row, checked again by a full ingest, is superseded: the check is the ingest's answer."""
    ws, tokens, client = site
    upload(client, tokens[A], workbook(ws, A, {"K1.1.01": 60}, date="2026-10-08"))
    response = upload(client, tokens[A], workbook(ws, A, {"K1.1.01": 50}, date="2026-10-09"))
    rows = result_rows(response.text)
    assert [r["结果"] for r in rows] == ["已采用，请核对"] or [r["结果"] for r in rows] == ["已采用"]
    full = actuals.ingest(ws.actuals_raw, plan=plan_of(ws), write=False)
    winner = full.actuals[(full.actuals["kpi_id"] == "K1.1.01") & ~full.actuals["superseded"]]
    assert list(winner["cumulative"]) == [50]
    response = upload(client, tokens[A], workbook(ws, A, {"K1.1.01": 40}, date="2026-10-07"))
    assert [r["结果"] for r in result_rows(response.text)] == ["已被更晚的报送替代"]
    assert len(quarter_files(ws)) == 3  # nothing overwritten


def test_another_units_token_neither_sees_nor_changes_the_first_units_data(site):
    ws, tokens, client = site
    upload(client, tokens[A], workbook(ws, A, {"K1.1.01": 60}, notes={"K1.1.01": "甲单位的进展说明"}))
    page_b = client.get(f"/u/{tokens[B]}").text
    assert "K1.1.01" not in page_b and "甲单位的进展说明" not in page_b and "填报表.xlsx" not in page_b
    assert "K1.2.01" in page_b
    # B sends a workbook with A's KPI: refused whole, nothing stored
    foreign = workbook(ws, A, {"K1.1.01": 999})
    before = quarter_files(ws)
    response = upload(client, tokens[B], foreign)
    assert response.status_code == 422
    assert "不属于本单位" in response.text and f"属于{A}" in response.text
    assert quarter_files(ws) == before
    full = actuals.ingest(ws.actuals_raw, plan=plan_of(ws), write=False)
    assert list(full.actuals[full.actuals["kpi_id"] == "K1.1.01"]["cumulative"]) == [60]
    # a unit token does not open the board, nor the other unit's upload route with its own form
    assert client.get(f"/board/{tokens[A]}").status_code == 404
    response = client.post(f"/u/{tokens[B]}/upload", data={"csrf": csrf_of(client.get(f"/u/{tokens[A]}").text)},
                           files={"file": ("x.xlsx", workbook(ws, B, {"K1.2.01": 1}))})
    assert response.status_code == 403 and "页面已过期" in response.text


def test_the_board_shows_every_unit(site):
    ws, tokens, client = site
    upload(client, tokens[A], workbook(ws, A, GOOD_SLIP_BAD))
    soup = BeautifulSoup(client.get(f"/board/{tokens['board']}").text, "html.parser")
    table = soup.find("h2", string="各单位报送情况").parent.find("table")
    rows = {tr.find("td").get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.find_all("tr")[1:]}
    assert rows[A][1] == "已报送" and rows[A][3] == "2" and rows[A][5] == "1" and rows[A][7] == "1"
    assert rows[B][1] == "未报送" and rows[B][4] == "3"
    remind = soup.find("h2", string="催报清单").parent.get_text(" ", strip=True)
    assert B in remind and "K1.2.01" in remind and "K1.1.03" in remind and "K1.1.01" not in remind


@pytest.mark.parametrize("name", ["../../etc/passwd.xlsx", "子目录/表.xlsx", "..\\表.xlsx", "/tmp/表.xlsx", "表\u202e.xlsx"])
def test_a_path_in_the_file_name_is_refused(site, name):
    ws, tokens, client = site
    response = upload(client, tokens[A], workbook(ws, A, {"K1.1.01": 60}), name=name)
    assert response.status_code == 400 and "文件名中含有路径" in response.text
    assert quarter_files(ws) == [] and not list((ws.intake / "spool").iterdir())


def test_an_oversized_file_is_refused_while_it_streams(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    tokens = issue(ws, [A])
    client = TestClient(intake_app.create_app(ws, max_bytes=200_000))
    response = upload(client, tokens[A], b"a,b\n" + b"x" * 300_000)
    assert response.status_code == 413 and "超过 195 KB，未接收" in response.text
    assert quarter_files(ws) == [] and not list((ws.intake / "spool").iterdir())
    event = storage.read_log(ws)[-1]
    assert event["event"] == "refused" and event["code"] == "too_large"


def zip_bomb() -> bytes:
    """An .xlsx-looking zip whose one member inflates to 200 MB (from about 200 kB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def lying_zip_bomb() -> bytes:
    """The same bomb with the member's declared size rewritten to 1 kB (declared sizes can lie)."""
    data = bytearray(zip_bomb())
    # patch the uncompressed size in the central directory and local header of sheet1.xml
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at:name_at + len(name)] == name and data[at + offset:at + offset + 4] != b"\xff\xff\xff\xff":
                data[at + offset:at + offset + 4] = (1024).to_bytes(4, "little")
            at += 4
    return bytes(data)


@pytest.mark.parametrize("bomb", [zip_bomb, lying_zip_bomb])
def test_a_zip_bomb_is_refused(site, bomb):
    ws, tokens, client = site
    data = bomb()
    assert len(data) < 1_000_000
    response = upload(client, tokens[A], data, name="填报表.xlsx")
    assert response.status_code == 415
    assert "解压后超过 100 MB" in response.text or "损坏的压缩文件" in response.text
    assert quarter_files(ws) == []


@pytest.mark.parametrize("data, what", [
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "PNG"),
    (b"<html><body><script>alert(1)</script></body></html>", "网页或脚本"),
    (b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", "二进制"),
])
def test_a_non_spreadsheet_is_refused(site, data, what):
    ws, tokens, client = site
    response = upload(client, tokens[A], data, name="填报表.xlsx")
    assert response.status_code == 415 and what in response.text and "不是表格文件" in response.text
    assert quarter_files(ws) == []


def test_a_word_document_or_a_text_without_a_header_is_refused(site):
    ws, tokens, client = site
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    response = upload(client, tokens[A], buffer.getvalue(), name="报告.docx")
    assert response.status_code == 415 and "Word 文档" in response.text
    response = upload(client, tokens[A], "今年工作很好，没有表格。\n".encode("utf-8"), name="说明.csv")
    assert response.status_code == 422 and "找不到表头行" in response.text
    response = upload(client, tokens[A], workbook(ws, A, {}), name="空表.xlsx")
    assert response.status_code == 422 and "没有任何填报数据" in response.text
    assert quarter_files(ws) == []


def test_a_script_in_a_cell_is_shown_as_text(site):
    ws, tokens, client = site
    script = "<script>alert('x')</script>"
    data = workbook(ws, A, {"K1.1.01": script, "K1.1.02": 90}, notes={"K1.1.02": script})
    response = upload(client, tokens[A], data, name="<img src=x onerror=alert(1)>.xlsx")
    assert response.status_code == 200
    assert "<script>" not in response.text and "<img" not in response.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in response.text
    board = client.get(f"/board/{tokens['board']}").text
    assert "<script>" not in board and "&lt;script&gt;" in board


def test_wrong_expired_and_revoked_links_are_refused_and_failures_are_rate_limited(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    tokens = issue(ws, [A, B])
    old = issue(ws, [B], deadline=dt.date.today() - dt.timedelta(days=1))[B]  # (revokes B's first link)
    client = TestClient(intake_app.create_app(ws))
    response = client.get("/u/" + "x" * 32)
    assert response.status_code == 404 and "链接无效" in response.text
    response = client.get(f"/u/{old}")
    assert response.status_code == 403 and "失效" in response.text
    response = client.get(f"/u/{tokens[B]}")
    assert response.status_code == 403 and "已停用" in response.text
    TokenStore(ws.intake).revoke(QUARTER, A)
    assert client.get(f"/u/{tokens[A]}").status_code == 403
    for _ in range(20):
        client.get("/u/guess")
    response = client.get(f"/u/{tokens['board']}")
    assert response.status_code == 429 and "次数过多" in response.text
    assert client.get(f"/board/{tokens['board']}").status_code == 429  # even a good link, from this address


def test_tokens_are_stored_hashed_and_the_key_is_private(site):
    ws, tokens, _ = site
    stored = (ws.intake / "tokens.json").read_text(encoding="utf-8")
    assert all(token not in stored for token in tokens.values())
    assert len(json.loads(stored)["tokens"]) == 3
    assert (ws.intake / "secret.key").stat().st_mode & 0o077 == 0


def test_every_answer_forbids_referrers_and_framing(site):
    ws, tokens, client = site
    for response in (client.get(f"/u/{tokens[A]}"), client.get("/u/wrong"), client.get("/nothing")):
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"


def test_log_lines_never_hold_a_token():
    assert redact('127.0.0.1:5 - "GET /u/abcDEF-_123/upload HTTP/1.1" 200') == '127.0.0.1:5 - "GET /u/***/upload HTTP/1.1" 200'
    assert redact("/board/xyz/reports/index.html") == "/board/***/reports/index.html"


def test_the_board_serves_reports_but_nothing_outside_them(site):
    ws, tokens, client = site
    ws.reports.mkdir(exist_ok=True)
    (ws.reports / "index.html").write_text("<p>报告目录</p>", encoding="utf-8")
    base = f"/board/{tokens['board']}/reports"
    assert "报告目录" in client.get(f"{base}/index.html").text
    for path in ("/../intake/secret.key", "/%2e%2e/intake/secret.key", "/..%2fintake%2fsecret.key"):
        response = client.get(base + path)
        assert response.status_code == 404 and (ws.intake / "secret.key").read_bytes() not in response.content
    assert client.get(f"/board/{tokens[A]}/reports/index.html").status_code == 404


def test_links_are_written_into_each_units_template(tmp_path, capsys, monkeypatch):
    from reportlib import cli, workspace
    import openpyxl

    ws = make_workspace(tmp_path / "ws")
    monkeypatch.setenv(workspace.WORKSPACE_ENV, str(ws.root))  # (restored after the test; -C sets it)
    out = tmp_path / "templates"
    assert cli.main(["-C", str(ws.root), "intake", "links", "--quarter", QUARTER, "--deadline",
                     (dt.date.today() + dt.timedelta(days=10)).isoformat(), "--base-url", "http://10.1.2.3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    link_a = next(line.split("\t")[1] for line in printed.splitlines() if line.strip().startswith(A))
    book = openpyxl.load_workbook(next(out.glob(f"*{A}*.xlsx")))
    instructions = " ".join(str(c.value) for c in book["填报说明"]["A"] if c.value)
    assert link_a in instructions and "请勿转发" in instructions
    assert TokenStore(ws.intake).verify(link_a.rsplit("/", 1)[1]).unit == A
    assert link_a.rsplit("/", 1)[1] not in ws.intake_log.read_text(encoding="utf-8")
