"""The bank formats: their names, how a file's format is guessed, and their readers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from vpkp_tutor.interchange.gift import GiftFile

FORMATS = ("gift", "aiken", "moodle-xml")
"""What `--format` accepts."""

Reader = Callable[[bytes, str, "str | None"], GiftFile]


def reader(fmt: str) -> Reader:
    """The reader of a format (each imports its parser library only when called)."""
    match fmt:
        case "gift":
            from vpkp_tutor.interchange.gift import parse_gift

            return parse_gift
        case "aiken":
            from vpkp_tutor.interchange.aiken import parse_aiken

            return parse_aiken
        case "moodle-xml":
            from vpkp_tutor.interchange.moodle_xml import parse_moodle_xml

            return parse_moodle_xml
        case _:
            raise ValueError(f"unknown format {fmt!r}")


@dataclass(frozen=True)
class Guess:
    fmt: str | None
    why: str


_AIKEN_ANSWER = re.compile(rb"^ANSWER:\s*[A-Z]\s*$", re.M)


def guess_format(name: str, head: bytes) -> Guess:
    """The format of a file from its name and first bytes: `.gift` is GIFT, `.xml` (or a
    file starting with `<?xml` or `<quiz`) Moodle XML; a `.txt` file is Aiken when a line
    reads `ANSWER: X`, GIFT when it has `{…}` answer blocks."""
    lower = name.lower()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if lower.endswith(".gift"):
        return Guess("gift", "the .gift extension")
    if lower.endswith(".xml") or start.startswith((b"<?xml", b"<quiz")):
        return Guess("moodle-xml", "XML")
    if _AIKEN_ANSWER.search(head):
        return Guess("aiken", "lines reading 'ANSWER: X'")
    if b"{" in head and b"}" in head:
        return Guess("gift", "answer blocks in braces")
    return Guess(None, "neither GIFT braces, Aiken 'ANSWER:' lines nor XML")
