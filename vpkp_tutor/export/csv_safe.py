"""A CSV writer that is safe to open in a spreadsheet (no cell is evaluated as a formula).

Text cells that begin with `=`, `+`, `-`, `@`, a tab, a carriage return or a line feed — also
after leading blanks of any kind (spaces, non-breaking and other Unicode spaces, zero-width
characters), and the full-width forms of the signs — are prefixed with a single quote, as
OWASP's CSV-injection guidance describes. A text cell that already begins
with a quote gets one more, so `unneutralise` restores every original value exactly.
Numbers are written as numbers; only text is neutralised. Output is UTF-8 with a header row
and RFC 4180 quoting (`\\r\\n` line ends, fields with commas, quotes or newlines quoted).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO

DANGEROUS_FIRST = frozenset("=+-@\t\r\n＝＋－＠")
"""First characters that make a spreadsheet treat a cell as a formula."""
LEADING_BLANKS = " \u00a0\u3000"
"""Common blanks a spreadsheet skips before looking for a formula sign (every other Unicode
space, `str.isspace`, and the zero-width characters in `INVISIBLE` count too)."""
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
"""Zero-width characters that may be skipped like blanks."""

Cell = str | int | float | bool | None
"""A value the writer accepts."""


def _blank(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def neutralise(text: str) -> str:
    """Prefix a quote when the text would start a formula (or already starts with a quote)."""
    if not text:
        return text
    first = text[0]
    if first == "'" or first in DANGEROUS_FIRST:
        return "'" + text
    if not _blank(first):
        return text
    for ch in text:
        if not _blank(ch):
            return "'" + text if ch in DANGEROUS_FIRST else text
        if ch in DANGEROUS_FIRST:  # a tab or line break after the blanks
            return "'" + text
    return text


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

    def writerows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)
