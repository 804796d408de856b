"""Uploads into the raw tree, whole or not at all, and the append-only intake log.

* An upload streams into ``<workspace>/intake/spool/`` (same file system, outside the raw
  tree), hashed and counted as it arrives; past the size limit it stops and is deleted.
* Stored with :func:`store`: fsync'ed, then hard-linked into ``data/raw/actuals/<year>Q<n>/``
  under ``<unit>_<YYYYMMDD-HHMMSS>_<sha256 prefix>.<ext>`` (``os.link`` never replaces a file,
  and a link appears whole), the folder fsync'ed, the spool name removed. A build reading the
  folder sees a file whole or not at all; a server killed mid-upload leaves a spool file,
  never a partial file in the raw tree, and the spool is emptied when the server starts.
  A re-upload is a new file: the ingest rules (later 填报日期 wins) settle which figure counts.
* Every upload (stored or refused) and confirmation is one JSON line appended to
  ``data/raw/intake/log.jsonl`` under an exclusive lock, fsync'ed. Tokens are never written.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reportlib.intake.screen import check_size
from reportlib.template import safe_file_part
from reportlib.workspace import Workspace

SPOOL = "spool"


@dataclass
class Spooled:
    """A received file in the spool."""

    path: Path
    original_name: str
    size: int
    sha256: str
    received: dt.datetime


class SpoolWriter:
    """Receive one file's bytes into the spool, hashing and counting; :meth:`add` raises
    :class:`~reportlib.intake.screen.Refusal` ``too_large`` past ``limit`` (the part is deleted)."""

    def __init__(self, ws: Workspace, limit: int):
        folder = spool_dir(ws)
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=folder)
        self.path, self.limit, self.size = Path(name), limit, 0
        self.handle = os.fdopen(fd, "wb")
        self.hash = hashlib.sha256()

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.discard()
            check_size(self.size, self.limit)
        self.handle.write(data)
        self.hash.update(data)

    def finish(self, original_name: str, received: dt.datetime) -> Spooled:
        """Flush and fsync; the file is complete on disk."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        return Spooled(self.path, original_name, self.size, self.hash.hexdigest(), received)

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.path.unlink(missing_ok=True)


def spool_dir(ws: Workspace) -> Path:
    return ws.intake / SPOOL


def clean_spool(ws: Workspace) -> int:
    """Remove what a stopped server left in the spool; returns how many files."""
    folder = spool_dir(ws)
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def stored_name(unit: str, received: dt.datetime, sha256: str, extension: str) -> str:
    """``党建办_20260405-101500_3f9a2c41d0be.xlsx``: unit, time and content hash."""
    return f"{safe_file_part(unit)}_{received:%Y%m%d-%H%M%S}_{sha256[:12]}{extension}"


def receipt_of(received: dt.datetime, sha256: str) -> str:
    """The receipt number (回执号) a unit is given: time and hash, ``20260405101500-3F9A2C``."""
    return f"{received:%Y%m%d%H%M%S}-{sha256[:6].upper()}"


def store(ws: Workspace, quarter: str, spooled: Spooled, name: str) -> str:
    """Put a spooled file into the quarter's raw folder under ``name``, whole; returns its path
    relative to ``data/raw/actuals``. The same name can only be the same unit, second and
    content: then the file already there is that upload and nothing is written twice."""
    folder = ws.quarter_raw(quarter)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    try:
        _link_whole(spooled.path, target)
    except FileExistsError:
        pass
    finally:
        spooled.path.unlink(missing_ok=True)
    _fsync_dir(folder)
    return target.relative_to(ws.actuals_raw).as_posix()


def _link_whole(source: Path, target: Path) -> None:
    """Make ``target`` appear, complete, with ``source``'s bytes; never replaces a file."""
    try:
        os.link(source, target)
        return
    except OSError as exc:
        if exc.errno != 18:  # EXDEV: the spool is on another file system
            raise
    fd, temp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, target)
    finally:
        os.unlink(temp)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- the log


def append_log(ws: Workspace, entry: dict) -> None:
    """Append one event (a dict of plain values; never a token) to the intake log."""
    path = ws.intake_log
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # (closing releases the lock)


def read_log(ws: Workspace) -> list[dict]:
    """Every event of the intake log, oldest first (a line torn by a crash is passed over)."""
    path = ws.intake_log
    if not path.is_file():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
