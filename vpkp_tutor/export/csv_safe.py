"""A CSV writer that is safe to open in a spreadsheet (no cell is evaluated as a formula).

A text cell is neutralised — prefixed with a single quote, as OWASP's CSV-injection guidance
describes — when, after every leading character a spreadsheet may skip or not show is set
aside, it begins with a formula sign. Set aside: every kind of space (`str.isspace`), every
control, format, private-use, unassigned, line- and paragraph-separator character (Unicode
categories Cc, Cf, Co, Cn, Zl, Zp) and the blank-looking fillers in `FILLERS` (Hangul
fillers, the braille blank, combining grapheme joiner, Khmer inherent vowels …). Formula
signs: `=`, `+`, `-`, `@`, and any character whose NFKC form begins with one of them
(full-width, small and superscript forms such as `＝ ﹦ ⁼ ₌ ﹢`), plus the look-alike signs in
`LOOKALIKES` (`−`, `˖`, `➕` …). A cell that begins with a tab, a carriage return or a line
feed (also after skipped characters), or with a quote, is prefixed too, so `unneutralise`
restores every original value exactly.

Control characters other than tab and line breaks (C0, DEL, C1) and lone surrogates are
replaced by U+FFFD in text cells, so none reaches the file raw. Numbers are written as
numbers; only text is neutralised. Output is UTF-8 with a header row and RFC 4180 quoting
(`\\r\\n` line ends, fields with commas, quotes or newlines quoted).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO

SIGNS = frozenset("=+-@")
"""The characters that start a formula."""
LOOKALIKES = frozenset("\u2212\u02d6\u2795\u2796\u2a72\u2a75\uff0b\uff0d\uff1d\uff20"
                       "\u207a\u207b\u207c\u208a\u208b\u208c\ufe62\ufe63\ufe66\ufe6b"
                       "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u02d7\u0594")
"""Signs that look like `=`, `+`, `-` or `@` whatever their NFKC form (minus sign, modifier
plus and minus, heavy plus and minus, hyphens and dashes …)."""
BREAKS = frozenset("\t\r\n")
"""Leading characters that make a spreadsheet split or evaluate a cell."""
SKIPPED_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs", "Cs"))
"""Unicode categories of characters set aside before looking for a formula sign."""
FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0\u200b"
                    "\u2060\ufeff")
"""Characters that show as nothing (or a blank) though not in a skipped category."""
DANGEROUS_FIRST = frozenset((*SIGNS, *BREAKS, *LOOKALIKES))
"""First characters that make a spreadsheet treat a cell as a formula (besides any whose
NFKC form starts with a sign)."""
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

Cell = str | int | float | bool | None
"""A value the writer accepts."""


def skipped(ch: str) -> bool:
    """True for a character set aside before looking for a formula sign."""
    return ch.isspace() or ch in FILLERS or unicodedata.category(ch) in SKIPPED_CATEGORIES


def formula_sign(ch: str) -> bool:
    """True for `=`, `+`, `-`, `@`, a look-alike of one, or a tab or line break."""
    return ch in DANGEROUS_FIRST or unicodedata.normalize("NFKC", ch)[:1] in SIGNS


def neutralise(text: str) -> str:
    """Prefix a quote when the text would start a formula (or already starts with a quote),
    judged on the text as given; then replace raw control characters (see the module
    docstring)."""
    if not text:
        return text
    risky = _risky(text)
    if _RAW_CONTROL.search(text):
        text = _RAW_CONTROL.sub("\ufffd", text)
    return "'" + text if risky else text


def _risky(text: str) -> bool:
    first = text[0]
    if first == "'" or formula_sign(first):
        return True
    if first.isalnum() and first not in FILLERS:  # the common case: a word or a number
        return False
    for ch in text:
        if ch in BREAKS:
            return True
        if not skipped(ch):
            return formula_sign(ch)
    return False


def unneutralise(text: str) -> str:
    """Undo `neutralise` (for reading our own CSV files back)."""
    return text[1:] if text.startswith("'") else text


def cell(value: Cell) -> str | int | float:
    """The CSV form of a value: numbers as numbers, booleans as true/false, text neutralised."""
    if isinstance(value, str):
        return neutralise(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def csv_field(value: str | int | float) -> str:
    """The text `SafeCsvWriter` writes for a cell already passed through `cell`, in a row of
    more than one cell: a number as `str` gives it, text as it is or — when it holds a comma,
    a double quote or a line break — in double quotes with inner quotes doubled."""
    if not isinstance(value, str):
        return str(value)
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def text_field(text: str) -> str:
    """`csv_field(neutralise(text))`: a text cell ready to join with commas."""
    return csv_field(neutralise(text))


class SafeCsvWriter:
    """Writes rows through `cell`, streaming to an open text file."""

    def __init__(self, stream: IO[str], header: Sequence[str]) -> None:
        self._writer = csv.writer(stream, dialect="excel", lineterminator="\r\n")
        self._writer.writerow([cell(h) for h in header])
        self.width = len(header)

    def writerow(self, row: Sequence[Cell], safe_prefix: Sequence[str | int | float] = ()
                 ) -> None:
        """Write one row (must match the header's width). `safe_prefix` holds leading cells
        already passed through `cell` (e.g. the learner's columns, repeated on every row)."""
        if len(safe_prefix) + len(row) != self.width:
            raise ValueError(f"row has {len(safe_prefix) + len(row)} cells, header has "
                             f"{self.width}")
        self._writer.writerow([*safe_prefix, *[cell(v) for v in row]])

    def write_safe(self, cells: Sequence[str | int | float]) -> None:
        """Write one row of cells every one of which already went through `cell`."""
        if len(cells) != self.width:
            raise ValueError(f"row has {len(cells)} cells, header has {self.width}")
        self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)
