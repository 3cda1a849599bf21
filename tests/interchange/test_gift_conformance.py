"""Every file of the GIFT conformance corpus is read field by field as the corpus says, and
every item the app cannot hold is reported skipped at its file:line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.interchange.conformance import CORPUS, reference
from vpkp_tutor.interchange.gift import parse_gift
from vpkp_tutor.interchange.mapping import to_app

FILES = sorted(CORPUS.glob("*.gift"))


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 50, f"expected the 50 corpus files in {CORPUS}"
    assert (CORPUS / "LICENSE.MIT.txt").is_file()


def compare(got: Any, want: Any, where: str) -> list[str]:
    """Differences between our value and the corpus's, field by field."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: expected an object, got {got!r}"]
        out: list[str] = []
        for key, value in want.items():
            if key not in got:
                out.append(f"{where}.{key}: missing (expected {value!r})")
            else:
                out += compare(got[key], value, f"{where}.{key}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: expected {len(want)} entries, got {got!r}"]
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True))
                for d in compare(g, w, f"{where}[{i}]")]
    if isinstance(want, int | float) and not isinstance(want, bool):
        ok = isinstance(got, int | float) and abs(got - want) < 1e-9
        return [] if ok else [f"{where}: expected {want!r}, got {got!r}"]
    return [] if got == want else [f"{where}: expected {want!r}, got {got!r}"]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_file_matches_its_expected_structure(path: Path) -> None:
    parsed = parse_gift(path.read_bytes(), str(path))
    assert parsed.errors == []
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    got = [reference(item) for item in parsed.items]
    assert len(got) == len(expected), [g["type"] for g in got]
    differences = [d for i, (g, w) in enumerate(zip(got, expected, strict=True))
                   for d in compare(g, w, f"{path.name}#{i + 1}")]
    assert differences == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_nothing_is_dropped_silently(path: Path) -> None:
    """Every question read is either imported or reported, at its file and line."""
    parsed = parse_gift(path.read_bytes(), str(path))
    result = to_app(parsed.items, str(path), topic="anatomy", objective="imp.bank")
    questions = [i for i in parsed.items if i.type != "Category"]
    accounted = {r.line for r in result.skipped} | {q.line for q in result.imported}
    assert {q.line for q in questions} <= accounted
    for report in result.skipped:
        assert report.path == str(path) and report.line >= 1 and report.reason
    for item in parsed.items:
        if item.type == "Essay":
            assert any(r.line == item.line and "essay" in r.reason for r in result.skipped)
