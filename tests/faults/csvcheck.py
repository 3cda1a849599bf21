"""An independent check that a CSV file is safe to open in a spreadsheet, and reading it
back with nothing but the standard `csv` module."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from pathlib import Path

TRIGGERS = frozenset("=+-@\t\r\n")
"""Characters that start a formula (or split a cell)."""
LOOK_ALIKES = frozenset("−˖➕➖⩲⩵‐‑‒–—―⁃˗")
"""Signs a spreadsheet or a reader may take for `=`, `+`, `-` or `@` whose NFKC form is not
one (minus sign, modifier plus/minus, heavy plus/minus, hyphens and dashes)."""
HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs"))
"""Control, format, private-use, unassigned, surrogate and separator characters: a
spreadsheet may skip them, and a reader does not see them."""
FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
"""Characters that show as nothing although they are letters or symbols."""
RAW_CONTROLS = frozenset([chr(c) for c in range(0x20) if chr(c) not in "\t\r\n"]
                         + [chr(c) for c in range(0x7f, 0xa0)])
"""Control characters no cell may hold raw."""


_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def shown(text: str) -> str:
    """A text as a CSV cell carries it: raw control characters (all but tab and line
    breaks) and lone surrogates replaced by U+FFFD."""
    return _RAW.sub("\ufffd", text)


def is_number(text: str) -> bool:
    """True for a plain number the writer left unquoted (a number is never a formula)."""
    try:
        return math.isfinite(float(text)) and text.strip() == text and text.isascii()
    except ValueError:
        return False


def _hidden(ch: str) -> bool:
    return ch.isspace() or ch in FILLERS or unicodedata.category(ch) in HIDDEN_CATEGORIES


def _trigger(ch: str) -> bool:
    return (ch in TRIGGERS or ch in LOOK_ALIKES
            or unicodedata.normalize("NFKC", ch)[:1] in TRIGGERS)


def formula_risk(cell: str) -> bool:
    """True when a spreadsheet could evaluate the cell: after any leading hidden characters
    (spaces of every kind, controls, format and private-use characters, fillers) it starts
    with a formula sign or a look-alike of one, or it holds a tab or line break before its
    first visible character. A leading single quote makes the cell text."""
    if not cell or cell.startswith("'") or is_number(cell):
        return False
    for ch in cell:
        if ch in "\t\r\n":
            return True
        if not _hidden(ch):
            return _trigger(ch)
    return False


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) parsed with the standard library; every row as wide as the header."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body), f"{path.name}: ragged rows"
    return header, body


def assert_safe(path: Path) -> tuple[list[str], list[list[str]]]:
    """Every cell of the file is safe and holds no raw control character; return the parsed
    file."""
    header, body = read_rows(path)
    risky = [(i, header[j], c) for i, r in enumerate(body) for j, c in enumerate(r)
             if formula_risk(c)]
    assert not risky, f"{path.name}: formula cells {risky[:5]}"
    raw = [(i, header[j], c) for i, r in enumerate(body) for j, c in enumerate(r)
           if RAW_CONTROLS.intersection(c)]
    assert not raw, f"{path.name}: raw control characters {raw[:5]}"
    return header, body
