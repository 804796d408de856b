"""Reading a work-plan document into text, whatever its encoding."""
from __future__ import annotations


from pathlib import Path


from reportlib import encoding
from reportlib.errors import InputError

# --------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------
def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Text, encoding name and problems for the bytes of a document.

    Detection is reportlib.encoding's; when nothing decodes cleanly the text is
    read as UTF-8 with replacement characters, and the problems say so.
    """
    try:
        decoded = encoding.decode(data)
    except encoding.UndecodableError:
        return data.decode("utf-8", errors="replace"), "utf-8", ["无法识别文件编码,无法解码的字节已替换为 � (undecodable bytes replaced)"]
    problems = [f"编码不确定,按 {decoded.encoding} 读取 (encoding guessed)"] if decoded.guessed else []
    return decoded.text, decoded.encoding, problems


def read_document(path) -> tuple[str, list[str]]:
    """The text of a document file and encoding problems; InputError if unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取文档 (cannot read document): {exc.strerror or exc}", file=str(path)) from exc
    text, _, problems = decode_bytes(data)
    return text, problems


