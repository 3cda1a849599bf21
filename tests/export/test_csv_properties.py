"""Property tests of the formula-safe CSV writer: whatever hides a formula sign — invisible,
format, control, private-use or unassigned characters, separators, blank fillers — or
whatever look-alike writes it, the cell reaches the file neutralised, without raw control
characters, and reads back as the original (controls shown as U+FFFD)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.faults.csvcheck import FILLERS, LOOK_ALIKES, RAW_CONTROLS, formula_risk
from vpkp_tutor.export.csv_safe import SafeCsvWriter, neutralise, unneutralise

HIDDEN = st.one_of(
    st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs"]),
    st.sampled_from(sorted(FILLERS)),
)
SIGN_CHARS = sorted({chr(c) for c in range(0x110000)
                     if not 0xD800 <= c <= 0xDFFF
                     and unicodedata.normalize("NFKC", chr(c))[:1] in "=+-@"} | LOOK_ALIKES)
SIGNS = st.sampled_from(SIGN_CHARS)
RAW = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]")


def written(text: str) -> str:
    buffer = io.StringIO(newline="")
    SafeCsvWriter(buffer, ["a", "b"]).writerow([text, 1])
    buffer.seek(0)
    rows = list(csv.reader(buffer))
    assert len(rows) == 2 and len(rows[1]) == 2
    return rows[1][0]


@settings(max_examples=600, deadline=None)
@given(hidden=st.lists(HIDDEN, max_size=6), sign=SIGNS, tail=st.text(max_size=20))
def test_a_hidden_or_look_alike_sign_is_always_neutralised(hidden: list[str], sign: str,
                                                            tail: str) -> None:
    text = "".join(hidden) + sign + tail
    cell = written(text)
    assert cell.startswith("'"), ascii(text)
    assert not formula_risk(cell)
    assert not RAW_CONTROLS.intersection(cell)
    assert unneutralise(cell) == RAW.sub("\ufffd", text)


@settings(max_examples=600, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_safe_and_reads_back(text: str) -> None:
    cell = written(text)
    assert not formula_risk(cell), ascii(cell)
    assert not RAW_CONTROLS.intersection(cell)
    assert unneutralise(cell) == RAW.sub("\ufffd", text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20))
def test_plain_words_are_left_alone(text: str) -> None:
    if text[0] in FILLERS or unicodedata.normalize("NFKC", text[0])[:1] in "=+-@":
        return
    assert neutralise(text) == text
