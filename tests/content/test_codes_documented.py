"""Every problem code is documented in docs/authoring.md, with its name, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from vpkp_tutor.content.codes import CODES, LINT_CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def test_the_docs_list_exactly_the_codes_of_the_registry() -> None:
    documented = re.findall(r"^### (VP\d{3}) ([a-z-]+)", DOC.read_text(encoding="utf-8"), re.M)
    assert len(documented) == len({code for code, _ in documented}), "a code listed twice"
    assert dict(documented) == {code: name for code, (name, _) in CODES.items()}


def test_codes_are_well_formed_and_lint_codes_are_the_vp5xx() -> None:
    assert all(re.fullmatch(r"VP\d{3}", c) for c in CODES)
    assert len({name for name, _ in CODES.values()}) == len(CODES)
    assert {c for c in CODES if c.startswith("VP5")} == LINT_CODES
