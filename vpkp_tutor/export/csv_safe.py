"""A CSV writer that is safe to open in a spreadsheet (no cell is evaluated as a formula).

Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return — also after
leading spaces or non-breaking spaces, and their full-width forms — are prefixed with a
single quote, as OWASP's CSV-injection guidance describes. A text cell that already begins
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
"""Blanks a spreadsheet skips before looking for a formula sign."""

Cell = str | int | float | bool | None
"""A value the writer accepts."""
_LOOK_CLOSER = frozenset(DANGEROUS_FIRST | set(LEADING_BLANKS) | {"'"})
"""First characters that need the full check (everything else is safe at once)."""


def neutralise(text: str) -> str:
    """Prefix a quote when the text would start a formula (or already starts with a quote)."""
    if not text or text[0] not in _LOOK_CLOSER:
        return text
    stripped = text.lstrip(LEADING_BLANKS)
    if text[0] == "'" or (stripped and stripped[0] in DANGEROUS_FIRST) or text[0] in "\t\r\n":
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
