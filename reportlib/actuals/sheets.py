"""What a reader returns: the plain rows of one sheet, what was learned about the file, and the
exception for a whole file that cannot be read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any



@dataclass
class Sheet:
    """Raw rows of one worksheet (or a CSV file)."""

    name: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based row, 0-based col
    scanned: bool = False  # find_header already ran on these rows (CSV: while choosing the delimiter) ...
    found: Any = None  # ... and found this
    hidden: bool = False  # the sheet is hidden (or very hidden) in the workbook
    hidden_rows: set[int] = field(default_factory=set)  # 1-based numbers of hidden rows


@dataclass
class FileInfo:
    """What was learned about one file while reading it."""

    file: str
    format: str
    encoding: str = ""
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    sample: bool = False  # file name, a title row or a footer says SAMPLE_MARKER
    note: str = ""  # e.g. the extension does not match the content


class FileProblem(Exception):
    """A whole file cannot be read (``reason`` is a FILE_ERRORS code, ``detail`` Chinese text)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail
