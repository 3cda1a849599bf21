"""An independent check that a CSV file is safe to open in a spreadsheet, and reading it
back with nothing but the standard `csv` module."""

from __future__ import annotations

import csv
import math
from pathlib import Path

TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
"""Characters that start a formula (and the full-width forms some spreadsheets accept)."""
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
"""Zero-width characters a spreadsheet may skip like blanks."""


def is_number(text: str) -> bool:
    """True for a plain number the writer left unquoted (a number is never a formula)."""
    try:
        return math.isfinite(float(text)) and text.strip() == text
    except ValueError:
        return False


def formula_risk(cell: str) -> bool:
    """True when a spreadsheet could evaluate the cell: after any leading blanks (every kind
    of Unicode space and the zero-width characters) it starts with a formula trigger, or it
    starts with a tab or line break. A leading single quote makes the cell text."""
    if not cell or cell.startswith("'") or is_number(cell):
        return False
    if cell[0] in "\t\r\n":
        return True
    i = 0
    while i < len(cell) and (cell[i].isspace() or cell[i] in INVISIBLE):
        i += 1
    return i < len(cell) and cell[i] in TRIGGERS


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) parsed with the standard library; every row as wide as the header."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body), f"{path.name}: ragged rows"
    return header, body


def assert_safe(path: Path) -> tuple[list[str], list[list[str]]]:
    """Every cell of the file is safe; return the parsed file."""
    header, body = read_rows(path)
    risky = [(i, header[j], c) for i, r in enumerate(body) for j, c in enumerate(r)
             if formula_risk(c)]
    assert not risky, f"{path.name}: formula cells {risky[:5]}"
    return header, body
