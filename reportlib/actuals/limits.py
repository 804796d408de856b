"""Bounded reading: what one submission file may cost before it is refused.

A file is read within :func:`reading`, which gives it a :class:`Budget` of cells and seconds; the
readers count what they build (:func:`count_cells`, :func:`check_time`, :func:`check_text`) and an
archive is measured before it is opened (:func:`check_archive`). A limit passed raises
:class:`~reportlib.actuals.readers.FileProblem`: the file is rejected as a whole, its message naming
the file (the ledger adds it) and the limit in words a clerk understands, and the ingest goes on
with the other files. The limits are in :mod:`reportlib.actuals.rules` (``MAX_…``).
"""
from __future__ import annotations

import time
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from reportlib.actuals import rules
from reportlib.actuals.sheets import FileProblem

MB = 1024 * 1024
TRIM_ADVICE = "请在 Excel 中删去多余的行、列和格式，另存为新的 .xlsx 后重新提交"


def LimitPassed(reason: str, detail: str) -> FileProblem:  # noqa: N802 (raised like a class)
    """The :class:`~reportlib.actuals.sheets.FileProblem` of a limit passed (``reason``: a FILE_ERRORS
    code, ``detail``: Chinese text)."""
    return FileProblem(reason, detail)


@dataclass
class Budget:
    """What the file being read has used so far."""

    max_cells: int = field(default_factory=lambda: rules.MAX_CELLS)
    seconds: float = field(default_factory=lambda: rules.MAX_READ_SECONDS)
    cells: int = 0
    started: float = field(default_factory=time.monotonic)

    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.max_cells:
            raise LimitPassed("too_many_cells", f"超过 {self.max_cells:,} 个单元格的上限；"
                                                "一份季度填报用不了这么多，可能粘贴了整张其他表格，" + TRIM_ADVICE)

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise LimitPassed("read_too_slow", f"读取超过 {self.seconds:g} 秒仍未读完（文件过大或结构异常），" + TRIM_ADVICE)


_budget: ContextVar[Budget | None] = ContextVar("reading_budget", default=None)


@contextmanager
def reading(budget: Budget | None = None):
    """Read one file within the block, under ``budget`` (default: the limits of rules)."""
    token = _budget.set(budget or Budget())
    try:
        yield _budget.get()
    finally:
        _budget.reset(token)


def budget() -> Budget:
    """The budget of the file being read (an unlimited one outside :func:`reading`)."""
    return _budget.get() or Budget(max_cells=2 ** 62, seconds=float("inf"))


def count_cells(count: int) -> None:
    """``count`` more cells holding a value were read (also checks the time)."""
    current = budget()
    current.add_cells(count)
    current.check_time()


def check_time() -> None:
    budget().check_time()


def check_grid(height: int, width: int, sheet: str = "") -> None:
    """A sheet read whole (calamine) spans at most 4 x MAX_CELLS cells, empty ones included."""
    cells = int(height or 0) * int(width or 0)
    if cells > 4 * budget().max_cells:
        raise LimitPassed("too_many_cells", f"工作表「{sheet}」有 {height:,} 行 × {width:,} 列，超过 {4 * budget().max_cells:,} 个单元格的上限；"
                                            + TRIM_ADVICE)


def check_text(value, where: str = "") -> None:
    """A cell's text is at most MAX_FIELD_CHARS characters (``where``: e.g. 第12行)."""
    if isinstance(value, str) and len(value) > rules.MAX_FIELD_CHARS:
        raise LimitPassed("field_too_long", f"{where}有一格有 {len(value):,} 个字符，超过 {rules.MAX_FIELD_CHARS:,} 个字符的上限"
                                            "（Excel 一格最多能放这么多）；请删去这一格多余的内容后重新提交")


def check_archive(path: Path, streamed_parts: tuple[str, ...] = ()) -> None:
    """An .xlsx/.ods/.xlsb unpacks to at most MAX_UNPACKED_BYTES, and each part to MAX_PART_BYTES
    except ``streamed_parts`` (name prefixes of parts read as a stream, e.g. xlsx worksheets).

    The sizes are the ones the archive declares; Python's zip reader never unpacks more than that
    (and a part that would is a damaged file)."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    total = sum(entry.file_size for entry in entries)
    if total > rules.MAX_UNPACKED_BYTES:
        raise LimitPassed("unpacked_too_large", f"解压后有 {total / MB:,.0f} MB，超过 {rules.MAX_UNPACKED_BYTES // MB} MB 的上限（"
                                                f"压缩包中只有 {Path(path).stat().st_size / MB:,.1f} MB）；" + TRIM_ADVICE)
    for entry in entries:
        if entry.file_size > rules.MAX_PART_BYTES and not entry.filename.startswith(streamed_parts):
            raise LimitPassed("unpacked_too_large", f"其中的 {entry.filename} 解压后有 {entry.file_size / MB:,.0f} MB，"
                                                    f"超过 {rules.MAX_PART_BYTES // MB} MB 的上限；" + TRIM_ADVICE)
