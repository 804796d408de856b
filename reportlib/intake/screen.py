"""What an upload must pass before anything is read as a submission: a plain file name, the
size limit, content that is a spreadsheet by its magic bytes, and a zip-based workbook that
does not unpack past ``MAX_UNPACKED_BYTES``. Each failure is a :class:`Refusal` with the
Chinese message of :data:`~reportlib.intake.rules.REFUSALS`; nothing refused is stored."""
from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path, PurePosixPath

from reportlib.actuals.readers import OLE2_MAGIC, ZIP_MAGIC, FileProblem, sniff_format
from reportlib.actuals.rules import EXTENSION_FORMATS
from reportlib.intake.rules import (
    MARKUP_STARTS,
    MAX_NAME_CHARS,
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
    NOT_SPREADSHEET_MAGIC,
    REFUSALS,
)

# The extension a stored file gets for the format its content has (when its own name does not fit).
FORMAT_EXTENSIONS = {"xlsx": ".xlsx", "xlsb": ".xlsb", "xls": ".xls", "ods": ".ods", "text": ".csv"}
# Zip-based documents that are not spreadsheets, by a member they hold.
OTHER_ZIP_DOCUMENTS = (("word/", "Word 文档"), ("ppt/", "PowerPoint 演示文稿"), ("content.xml", "OpenDocument 文档（非表格）"))
READ_CHUNK = 1024 * 1024


class Refusal(Exception):
    """An upload or request that is refused, with the values its message needs."""

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code, self.values = code, values

    @property
    def status(self) -> int:
        return REFUSALS[self.code][0]

    def message(self, **context) -> str:
        """The Chinese message, with ``context`` (organization …) filled in."""
        values = {"organization": "", "limit": size_text(MAX_UPLOAD_BYTES), "detail": "", "what": "",
                  "minutes": "", "expires": "", **context, **self.values}
        return REFUSALS[self.code][1].format(**values)


def size_text(size: int) -> str:
    """10 MB, 195 KB: a size limit as the message says it."""
    return f"{size / 1048576:.0f} MB" if size >= 1048576 else f"{size / 1024:.0f} KB"


def check_name(name: str) -> str:
    """The uploaded file's name, if it is a plain name; :class:`Refusal` ``bad_name`` when it
    holds a path (/ \\ ..), a control character or is too long. (The name is only recorded:
    the stored file is named by the server.)"""
    name = name or ""
    if (not name.strip() or len(name) > MAX_NAME_CHARS or "/" in name or "\\" in name or ".." in name
            or name.strip() in (".", "..") or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)):
        raise Refusal("bad_name")
    return name


def check_size(size: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    """:class:`Refusal` ``too_large`` past ``limit`` bytes, ``empty_file`` at 0."""
    if size > limit:
        raise Refusal("too_large", limit=size_text(limit))
    if size == 0:
        raise Refusal("empty_file")


def sniff(path: Path) -> str:
    """The spreadsheet format of a received file by its content (``xlsx``, ``xlsb``, ``xls``,
    ``ods`` or ``text``); :class:`Refusal` for anything else and for a zip bomb."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    for magic, what in NOT_SPREADSHEET_MAGIC:
        if head.startswith(magic):
            raise Refusal("not_spreadsheet", what=what)
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        check_zip(path)
        try:
            return sniff_format(path)
        except FileProblem as problem:
            raise Refusal("not_spreadsheet", what=_zip_kind(path) or problem.detail) from None
    return _check_text(head)


def _check_text(head: bytes) -> str:
    """A text upload must look like text and not like a web page or script."""
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\0" in head and not utf16:
        raise Refusal("not_spreadsheet", what="二进制文件")
    start = head.decode("utf-16" if utf16 else "utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if start.startswith(MARKUP_STARTS):
        raise Refusal("not_spreadsheet", what="网页或脚本文件")
    return "text"


def check_zip(path: Path, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse a zip that unpacks past ``limit`` bytes or holds too many members: the declared
    sizes first, then by really inflating every member up to the limit (declared sizes can lie)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > limit:
                raise Refusal("zip_bomb", limit=size_text(limit))
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(READ_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise Refusal("zip_bomb", limit=size_text(limit))
    except Refusal:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError, RuntimeError):
        raise Refusal("not_spreadsheet", what="损坏的压缩文件") from None


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return ""
    for prefix, what in OTHER_ZIP_DOCUMENTS:
        if any(name.startswith(prefix) for name in names):
            return what
    return "压缩包"


def stored_extension(original: str, fmt: str) -> str:
    """The extension the stored file gets: the uploaded one when it names this format (.xlsm,
    .et, .tsv, .txt kept), else the format's own."""
    suffix = PurePosixPath(original).suffix.lower()
    if EXTENSION_FORMATS.get(suffix) == fmt and suffix != ".txt":
        return suffix
    return FORMAT_EXTENSIONS[fmt]
