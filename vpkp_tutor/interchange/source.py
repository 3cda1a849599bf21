"""Reading a bank file as text: size limit, encoding, line endings, located refusals."""

from __future__ import annotations

import codecs
from typing import NamedTuple

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest bank file read (a 10,000-question GIFT file is about 2 MB)."""
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
"""Encodings `--encoding` accepts."""


class Located(NamedTuple):
    """A problem at a place in a source file."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ImportError_(Exception):
    """A file that cannot be read at all; `where` says where and why."""

    def __init__(self, where: Located) -> None:
        super().__init__(str(where))
        self.where = where


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def decode_text(data: bytes, path: str, encoding: str | None = None) -> str:
    """The file's text with `\\n` line endings.

    UTF-8 with or without a byte-order mark is read as such, as is UTF-16 with its mark.
    Bytes that are not UTF-8 are refused at their line and column, naming the byte, unless an
    `encoding` (say `cp1252`, what Word on Windows writes) is given. A NUL byte is refused
    at its place: no text format holds one, and it usually means a binary file."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportError_(Located(path, 1, 1, f"the file is {len(data):,} bytes; the limit is "
                                               f"{MAX_FILE_BYTES:,}"))
    if encoding is None and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    if encoding in (None, "utf-8"):
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, col = _line_col(data, exc.start)
            bad = data[exc.start:exc.start + 1].hex()
            raise ImportError_(Located(
                path, line, col,
                f"byte 0x{bad} is not UTF-8; if the file was saved as Windows-1252 (Word's "
                "curly quotes), give --encoding cp1252, or save it as UTF-8")) from None
    else:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportError_(Located(path, 1, 1, f"cannot be read as {encoding}: {exc}")) \
                from None
        text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        before = text[:nul]
        line = before.count("\n") + 1
        col = nul - (before.rfind("\n") + 1) + 1
        raise ImportError_(Located(path, line, col,
                                   "a NUL byte: this is not a text file (or is damaged)"))
    return text.replace("\r\n", "\n").replace("\r", "\n")
