"""Reading an upload form as it streams in: the file goes straight into the spool, counted
against the size limit (python-multipart's streaming parser; nothing is buffered whole), the
other fields are kept only while small."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from reportlib.intake.rules import MAX_FIELD_BYTES
from reportlib.intake.screen import Refusal, size_text
from reportlib.intake.storage import Spooled, SpoolWriter
from reportlib.workspace import Workspace

FILE_FIELD = "file"
DRAIN_FACTOR = 4  # an oversized body is read (and thrown away) up to this many limits, so the browser gets the message
MAX_PARTS = 8


@dataclass
class UploadForm:
    """The fields of an upload form and the spooled file (None when no file came)."""

    fields: dict[str, str] = field(default_factory=dict)
    file: Spooled | None = None
    refusal: Refusal | None = None  # the first problem met while reading (the spool is gone then)


async def receive(request, ws: Workspace, limit: int, now: dt.datetime) -> UploadForm:
    """Read a multipart form from ``request`` into an :class:`UploadForm`; :class:`Refusal` for a
    body that is no form or far too large."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise Refusal("not_form")
    declared = request.headers.get("content-length", "")
    hard_cap = limit * DRAIN_FACTOR
    if declared.isdigit() and int(declared) > hard_cap:
        raise Refusal("too_large", limit=size_text(limit))
    reader = _PartReader(ws, limit, now)
    parser = MultipartParser(boundary, reader.callbacks(), max_size=hard_cap)
    received, failed = 0, False
    async for chunk in request.stream():
        received += len(chunk)
        if received > hard_cap:
            reader.fail(Refusal("too_large", limit=size_text(limit)))
            break
        if failed:
            continue  # read to the end, so the browser is still listening for the answer
        try:
            parser.write(chunk)
        except MultipartParseError:
            reader.fail(Refusal("not_form"))
            failed = True
        except Refusal as refusal:  # (raised by a callback)
            reader.fail(refusal)
            failed = True
    if not failed and received <= hard_cap:
        try:
            parser.finalize()
        except MultipartParseError:
            reader.fail(Refusal("not_form"))
    return reader.form


class _PartReader:
    """python-multipart callbacks that fill an :class:`UploadForm`."""

    def __init__(self, ws: Workspace, limit: int, now: dt.datetime):
        self.ws, self.limit, self.now = ws, limit, now
        self.form = UploadForm()
        self.parts = 0
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.value = bytearray()
        self.writer: SpoolWriter | None = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin, "on_header_field": self.header_field_data,
            "on_header_value": self.header_value_data, "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished, "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def fail(self, refusal: Refusal) -> None:
        if self.writer is not None:
            self.writer.discard()
            self.writer = None
        if self.form.file is not None:
            self.form.file.path.unlink(missing_ok=True)
            self.form.file = None
        if self.form.refusal is None:
            self.form.refusal = refusal

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise Refusal("not_form")
        self.headers, self.name, self.filename, self.value = {}, "", None, bytearray()

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = params.get(b"name", b"").decode("utf-8", "replace")
        raw = params.get(b"filename")
        self.filename = None if raw is None else raw.decode("utf-8", "replace")
        if self.filename is not None and self.form.refusal is None:
            if self.name != FILE_FIELD or self.form.file is not None or self.writer is not None:
                raise Refusal("not_form")
            self.writer = SpoolWriter(self.ws, self.limit)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.form.refusal is not None:
            return  # draining
        if self.writer is not None:
            self.writer.add(data[start:end])
        elif self.filename is None:
            self.value += data[start:end]
            if len(self.value) > MAX_FIELD_BYTES:
                raise Refusal("not_form")

    def part_end(self) -> None:
        if self.form.refusal is not None:
            return
        if self.writer is not None:
            if not self.filename and self.writer.size == 0:  # a form sent without choosing a file
                self.writer.discard()
            else:
                self.form.file = self.writer.finish(self.filename or "", self.now)
            self.writer = None
        elif self.filename is None and self.name:
            self.form.fields[self.name] = self.value.decode("utf-8", "replace")
