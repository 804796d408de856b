"""Load and faults on loopback, against the real server (uvicorn in a child process): 40
uploads from 20 units at once, one unit twice at the same moment — each stored once, whole,
and the ingest afterwards equal to ingesting the same files from a folder; a server killed
mid-upload leaves no partial file in the raw tree."""
from __future__ import annotations

import hashlib
import shutil
import socket
import threading
import time
import uuid

import pandas as pd
import requests

from reportlib import actuals
from reportlib.intake import storage
from intake_support import QUARTER, Server, csrf_of, issue, make_workspace, plan_of, unit_name, workbook

UNITS = [unit_name(n) for n in range(1, 21)]
REQUEST_TIMEOUT = 300


def post(base: str, token: str, name: str, data: bytes, results: dict, barrier: threading.Barrier) -> None:
    session = requests.Session()
    csrf = csrf_of(session.get(f"{base}/u/{token}", timeout=REQUEST_TIMEOUT).text)
    barrier.wait()
    response = session.post(f"{base}/u/{token}/upload", data={"csrf": csrf}, files={"file": (name, data)},
                            timeout=REQUEST_TIMEOUT)
    results[name] = response


def test_forty_uploads_at_once_are_each_stored_once_and_ingest_as_a_folder_would(tmp_path):
    ws = make_workspace(tmp_path / "ws", units=len(UNITS))
    tokens = issue(ws, UNITS)
    uploads: dict[str, tuple[str, bytes]] = {}
    for n, unit in enumerate(UNITS, start=1):
        for attempt in (1, 2):  # two workbooks per unit, dated apart so the rules (not the clock) decide
            uploads[f"{unit}-{attempt}.xlsx"] = (unit, workbook(
                ws, unit, {f"K1.{n}.01": 10 * n + attempt, f"K1.{n}.02": 90 + attempt, f"K1.{n}.03": "推进中"},
                date=f"2026-10-0{attempt}"))
    server = Server(ws.root, tmp_path / "server.log").start()
    try:
        results: dict[str, requests.Response] = {}
        barrier = threading.Barrier(len(uploads))
        threads = [threading.Thread(target=post, args=(server.base, tokens[unit], name, data, results, barrier))
                   for name, (unit, data) in uploads.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT)
    finally:
        server.stop()
    assert sorted(results) == sorted(uploads)
    assert all(r.status_code == 200 and "回执号" in r.text for r in results.values())
    stored = sorted(ws.quarter_raw(QUARTER).iterdir())
    digests = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in stored)
    assert digests == sorted(hashlib.sha256(data).hexdigest() for _, data in uploads.values())  # each once, whole
    events = [e for e in storage.read_log(ws) if e["event"] == "upload"]
    assert sorted(e["original_name"] for e in events) == sorted(uploads)
    assert {e["file"] for e in events} == {f"{QUARTER}/{p.name}" for p in stored}
    assert not list((ws.intake / "spool").iterdir())
    # the same files, copied into a plain folder, ingest to the same tables
    plain = tmp_path / "plain"
    shutil.copytree(ws.actuals_raw / QUARTER, plain / QUARTER)
    served = actuals.ingest(ws.actuals_raw, plan=plan_of(ws), write=False)
    copied = actuals.ingest(plain, plan=plan_of(ws), write=False)
    pd.testing.assert_frame_equal(served.actuals, copied.actuals)
    pd.testing.assert_frame_equal(served.rejects, copied.rejects)
    winners = served.actuals[~served.actuals["superseded"] & (served.actuals["kpi_id"].str.endswith(".01"))]
    assert sorted(winners["cumulative"]) == sorted(10 * n + 2 for n in range(1, 21))  # the later 填报日期 wins
    assert served.summary["accepted"] == 60 and served.summary["superseded"] == 60 and served.summary["rejected"] == 0


def test_a_server_killed_mid_upload_leaves_no_partial_file_in_the_raw_tree(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    unit = unit_name(1)
    tokens = issue(ws, [unit])
    data = workbook(ws, unit, {"K1.1.01": 5})  # a whole workbook; only its first half is sent
    server = Server(ws.root, tmp_path / "server.log").start()
    try:
        csrf = csrf_of(requests.get(f"{server.base}/u/{tokens[unit]}", timeout=60).text)
        boundary = uuid.uuid4().hex
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        body_length = len(head) + len(data) + len(tail)
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
            connection.sendall((f"POST /u/{tokens[unit]}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                                f"Content-Length: {body_length}\r\n\r\n").encode() + head + data[: len(data) // 2])
            spool = ws.intake / "spool"
            for _ in range(300):  # until the server has begun writing the file (bounded: 30 s)
                if spool.is_dir() and any(p.stat().st_size > 0 for p in spool.iterdir()):
                    break
                time.sleep(0.1)
            assert any(spool.iterdir()), "the upload never reached the spool"
            server.kill()
        raw_files = [p for p in ws.raw.rglob("*") if p.is_file()]
        assert all(p.suffix in (".yaml", ".txt") or p.name == "log.jsonl" for p in raw_files), raw_files
        assert not ws.quarter_raw(QUARTER).exists() or not any(ws.quarter_raw(QUARTER).iterdir())
        assert [e for e in storage.read_log(ws) if e["event"] == "upload"] == []
        # a restarted server empties the spool, and the unit's next upload is whole
        server = Server(ws.root, tmp_path / "server2.log").start()
        assert not list(spool.iterdir())
        session = requests.Session()
        csrf = csrf_of(session.get(f"{server.base}/u/{tokens[unit]}", timeout=60).text)
        response = session.post(f"{server.base}/u/{tokens[unit]}/upload", data={"csrf": csrf},
                                files={"file": ("a.xlsx", data)}, timeout=60)
        assert response.status_code == 200
        (stored,) = ws.quarter_raw(QUARTER).iterdir()
        assert stored.read_bytes() == data
    finally:
        server.stop()
