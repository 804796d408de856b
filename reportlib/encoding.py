"""Decoding text files whose encoding nobody wrote down (plan documents, CSV submissions).

One order, used everywhere: a BOM (UTF-8, UTF-16) → strict UTF-8 → strict GBK →
strict GB18030 (its superset) → charset-normalizer's best guess.
"""
from __future__ import annotations

from dataclasses import dataclass

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# GBK before its superset GB18030 only so that the label says what the file is.
STRICT_ENCODINGS = ("utf-8", "gbk", "gb18030")


class UndecodableError(ValueError):
    """No encoding decodes the bytes."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    guessed: bool  # only charset-normalizer's statistical guess fitted


def decode(data: bytes) -> Decoded:
    """Decode ``data``; raises UndecodableError when nothing fits."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding, False)
            except UnicodeDecodeError as exc:
                raise UndecodableError(str(exc)) from None
    for encoding in STRICT_ENCODINGS:
        try:
            return Decoded(data.decode(encoding), encoding, False)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableError("no encoding fits")
    return Decoded(str(best), best.encoding, True)
