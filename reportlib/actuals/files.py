"""Which files an ingest reads, and reading one file by its content.

Rules (also in the package docstring):

* Every file under the raw folder is either read or listed in ``files_not_read`` with
  its reason (:data:`~reportlib.actuals.rules.NOT_READ_REASONS`): names starting with
  ``.`` (any folder or file on the path), Office lock files ``~$…``, other file types,
  and files inside another year's quarter folder (``2025Q4/`` when the plan year is
  2026: "属于 2025 年度（按该年度计划导入）" – never a reject of this year).
* Nothing outside the raw folder is ever read: paths are resolved, and a link (file or
  folder) that leads outside is a file error ``link_outside``; folders reached through
  links are not walked.
* Only regular files are read (a FIFO, device or socket is listed as not read: ``not_a_file``).
* The reader is chosen by content (:func:`~reportlib.actuals.readers.sniff_format`), and every
  file is read within the limits of :mod:`~reportlib.actuals.limits` (size unpacked, cells, one
  cell's length, seconds): a file past one is a file error naming the limit.
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from reportlib.actuals import limits
from reportlib.actuals.cells import folder_quarter
from reportlib.actuals.readers import READERS, FileInfo, FileProblem, Sheet, extension_note, read_csv_bytes, sniff_format
from reportlib.actuals.rules import EXTENSION_FORMATS, MAX_FILE_BYTES, NOT_READ_REASONS, UNSUPPORTED_EXTENSIONS
from reportlib.quarters import quarter_year


BROKEN_SPREADSHEET = "文件内容不是 {suffix} 表格（可能已损坏或只下载了一部分），请重新导出或重新下载后提交"


def not_read(rel: str, code: str, **values) -> dict:
    """One entry of ``files_not_read``: file, reason code and the Chinese reason."""
    return {"file": rel, "reason": code, "message": NOT_READ_REASONS[code].format(**values)}


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (resolved, links followed) lies inside ``root`` (resolved)."""
    try:
        Path(os.path.realpath(path)).relative_to(root)
    except ValueError:
        return False
    return True


def walk(raw_dir: Path) -> list[tuple[str, Path]]:
    """Every entry below ``raw_dir`` that is a file or a link, as (relative posix path, path),
    sorted by relative path; folders reached through links are not walked."""
    found = []
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        base = Path(folder)
        names = list(files) + [d for d in dirs if (base / d).is_symlink()]
        for name in names:
            path = base / name
            found.append((path.relative_to(raw_dir).as_posix(), path))
    return sorted(found)


def discover(raw_dir: Path, year: int) -> tuple[list[tuple[str, Path]], list[dict], list[tuple[str, str]]]:
    """``(to_read, not_read_entries, link_errors)`` for the raw folder and plan ``year``.

    ``link_errors``: (relative path, reason code) of links leaving the raw folder.
    """
    root = Path(os.path.realpath(raw_dir))
    to_read, skipped, errors = [], [], []
    for rel, path in walk(raw_dir):
        parts = rel.split("/")
        if any(part.startswith(".") for part in parts):
            skipped.append(not_read(rel, "dot_file"))
            continue
        if parts[-1].startswith("~$"):
            skipped.append(not_read(rel, "lock_file"))
            continue
        if path.is_symlink() and not inside(path, root):
            errors.append((rel, "link_outside"))
            continue
        if path.is_dir():
            continue  # a link to a folder inside the raw folder: its files are walked there
        if not is_regular_file(path):  # a FIFO named .xlsx would block a reader forever
            skipped.append(not_read(rel, "not_a_file"))
            continue
        quarter = folder_quarter(rel)
        if quarter is not None and quarter_year(quarter) != year:
            skipped.append(not_read(rel, "other_year", year=quarter_year(quarter)))
            continue
        suffix = path.suffix.lower()
        if suffix in EXTENSION_FORMATS or suffix in UNSUPPORTED_EXTENSIONS:
            to_read.append((rel, path))
        else:
            skipped.append(not_read(rel, "other_type"))
    return to_read, skipped, errors


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` (links followed) is a regular file: never a FIFO, device or socket."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # (a broken link: opening it says what is wrong)


def open_file(path: Path, rel: str, digests: dict[str, bytes]) -> tuple[list[Sheet], FileInfo]:
    """Read one file by its content, within the reading limits (:mod:`~reportlib.actuals.limits`);
    raises :class:`FileProblem`.

    ``digests`` receives the sha256 of text files' bytes (read once, used for the
    input fingerprint).
    """
    with limits.reading():
        return _open_file(path, rel, digests)


def _open_file(path: Path, rel: str, digests: dict[str, bytes]) -> tuple[list[Sheet], FileInfo]:
    if not is_regular_file(path):
        raise FileProblem("corrupt_file", NOT_READ_REASONS["not_a_file"])
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_EXTENSIONS:
        raise FileProblem("unsupported_format", suffix)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileProblem("file_too_large", f"{size / 1048576:.1f} MB，上限 {MAX_FILE_BYTES // 1048576} MB")
    real = sniff_format(path)
    note = extension_note(path, real)
    if real == "text":
        data = path.read_bytes()
        digests[rel] = hashlib.sha256(data).digest()
        spreadsheet_name = EXTENSION_FORMATS.get(suffix, "text") != "text"
        try:
            sheets, encoding = read_csv_bytes(data)
        except FileProblem as problem:
            if spreadsheet_name:
                raise FileProblem("corrupt_file", BROKEN_SPREADSHEET.format(suffix=suffix)) from None
            raise FileProblem(problem.reason, "；".join(t for t in (note, problem.detail) if t)) from None
        if spreadsheet_name and sheets[0].found is None:
            raise FileProblem("corrupt_file", BROKEN_SPREADSHEET.format(suffix=suffix))
        return sheets, FileInfo(rel, "csv" if suffix == ".csv" else "text", encoding, note=note)
    try:
        sheets = READERS[real](path)
    except FileProblem as problem:
        raise FileProblem(problem.reason, "；".join(t for t in (note, problem.detail) if t)) from None
    return sheets, FileInfo(rel, real, note=note)
