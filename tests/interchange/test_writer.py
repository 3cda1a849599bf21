"""The imported questions' YAML, and its description as the reader sees it: the importer
validates the description in memory, so it must be exactly what the loader reads from the
written bytes (value, positions), or be refused so that the loader reads the file."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.interchange.conformance import CORPUS
from vpkp_tutor.cli import main
from vpkp_tutor.content import yamlsource
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.content.yamlsource import Document, build
from vpkp_tutor.interchange import importer, writer
from vpkp_tutor.interchange.gift import parse_gift
from vpkp_tutor.interchange.mapping import to_app
from vpkp_tutor.interchange.writer import Written, questions_file

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 1)


def mapped(path: Path) -> list[dict[str, Any]]:
    items = parse_gift(path.read_bytes(), str(path)).items
    return [i.data for i in to_app(items, str(path), topic="anatomy", objective="o.bank",
                                   today=TODAY).imported]


def as_read(written: Written) -> Document:
    doc = Document("x.yaml")
    build(doc, written.text)
    return doc


def assert_described(written: Written) -> None:
    doc = as_read(written)
    assert doc.problems == []
    assert written.value == doc.value
    assert written.positions == doc.positions
    assert written.key_positions == doc.key_positions
    assert written.reads_back()


def generated_bank(tmp_path: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from import_bank import make_bank
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    bank = tmp_path / "generated.gift"
    make_bank(bank, n)
    return bank


def test_every_conformance_file_is_described_as_the_reader_reads_it() -> None:
    files = sorted(CORPUS.glob("*.gift"))
    assert len(files) == 50
    described = 0
    for path in files:
        items = mapped(path)
        if items:
            assert_described(questions_file(items, path.name)[0])
            described += 1
    assert described >= 35  # the others hold only what the app skips (essays, descriptions)


def test_an_empty_question_file_is_described_as_the_reader_reads_it() -> None:
    written, starts = questions_file([], "empty.gift")
    assert_described(written)
    assert starts == []
    assert written.value == {"kind": "questions", "questions": []}


def test_a_generated_bank_is_described_as_the_reader_reads_it(tmp_path: Path) -> None:
    items = mapped(generated_bank(tmp_path, 140))
    assert len(items) == 140
    written, starts = questions_file(items, "generated.gift")
    assert_described(written)
    assert starts == [written.positions[("questions", i)][0] for i in range(140)]


TRICKY = [
    "null", "Null", "yes", "No", "on", "~", "-", "1.5", "0x1F", "2026-01-02", "a: b", "a #b",
    "# hash", "- dash", "? what", "'single'", '"double"', "back\\slash", "@at", "`tick",
    "%pct", "&anchor", "*alias", "!tag", "|pipe", ">fold", "{brace}", "[bracket]", "a,b",
    " leading", "trailing ", "two  spaces", "tab\there", "café ✓ 😀", "x" * 400,
    "line one\nline two", "line one\n  indented\n\nafter a blank", "ends with a line\n",
    "\nstarts with a line", "para\n\n\n\nfar", "crlf\r\nline", "nel\x85line",
    "separator\u2028line", "paragraph\u2029sep", "bom\ufeffinside", "nbsp\xa0here",
]


@pytest.mark.parametrize("text", TRICKY)
def test_a_text_is_described_as_read_or_left_to_the_reader(text: str) -> None:
    """Every text either reads back exactly as described, or the description is refused
    (`_as_read` is None) and the loader reads the file itself."""
    item = {"id": "q-1", "type": "single_best", "stem": text,
            "options": [{"text": text, "explanation": text}, {"text": "b"}],
            "key": "A", "references": [text, "r"], "tags": []}
    written, _ = questions_file([item], "bank.gift")
    data = written.text.encode("utf-8")
    described = importer._as_read(written, data, "x.yaml")
    doc = Document("x.yaml")
    text_read = yamlsource.decode(doc, data)
    assert text_read is not None
    build(doc, text_read)
    if described is None:
        assert doc.problems or not written.reads_back() or any(
            yamlsource._UNSAFE.search(e) for e in written.events if isinstance(e, str))
        return
    assert doc.problems == []
    assert described.value == doc.value
    assert described.positions == doc.positions
    assert described.key_positions == doc.key_positions
    assert doc.value["questions"][0]["stem"] == text


def test_plain_printable_texts_are_described() -> None:
    """The fast path is the usual one: texts without control characters are described."""
    printable = [t for t in TRICKY if t.replace("\n", "").isprintable()]
    assert len(printable) > 35
    for text in printable:
        item = {"id": "q-1", "stem": text, "tags": [text]}
        written, _ = questions_file([item], "bank.gift")
        assert importer._as_read(written, written.text.encode(), "x.yaml") is not None, text


def test_text_that_reads_otherwise_is_caught() -> None:
    written, _ = questions_file([{"id": "q-1", "stem": "Which level?", "tags": ["a"]}], "b")
    assert written.reads_back()
    for before, after in [("Which level?", "Which levels?"), ("stem:", "stem: *x\n    s:"),
                          ("- a", "- null"), ("- a", '- "a"\n    x: y'),
                          ("id: q-1", "id: &a q-1")]:
        changed = Written(written.text.replace(before, after, 1), written.value,
                          written.positions, written.key_positions, written.events)
        assert changed.text != written.text
        if before == "id: q-1":  # an anchor changes nothing the reader keeps
            assert changed.reads_back()
        else:
            assert not changed.reads_back(), after


@pytest.mark.parametrize("key", ["null", "~", "", "a: b", "#x", "yes", "é"])
def test_a_key_that_may_not_read_as_itself_is_not_described(key: str) -> None:
    written, _ = questions_file([{"id": "q", key: "a"}], "b")
    assert not written.exact
    assert importer._as_read(written, written.text.encode(), "x.yaml") is None


def test_the_nulls_are_the_readers() -> None:
    assert writer._NULLS == yamlsource._NULLS


def test_the_loader_validates_a_given_document_instead_of_the_file(tmp_path: Path) -> None:
    written, _ = questions_file(mapped(generated_bank(tmp_path, 3)), "generated.gift")
    course = tmp_path / "course"
    course.mkdir()
    (course / "lesson.yaml").write_text(writer.lesson_yaml(
        "imported", "o.bank", "anatomy", ["generated.gift"], TODAY, 3), encoding="utf-8")
    path = course / "bank.yaml"
    path.write_text(written.text, encoding="utf-8")
    doc = importer._as_read(written, written.text.encode(), str(path))
    assert doc is not None
    assert load_content([course], today=TODAY).errors == ()
    assert len(load_content([course], today=TODAY).questions) == 3
    given = {os.path.realpath(path): doc}
    assert len(load_content([course], today=TODAY, documents=given).questions) == 3
    doc.value["questions"][0]["key"] = "Z"
    bank = load_content([course], today=TODAY, documents=given)
    assert len(bank.questions) == 2
    assert [(p.path, p.line) for p in bank.errors] == [
        (str(path), written.positions[("questions", 0, "key")][0])]


def test_the_import_is_the_same_when_every_file_is_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With no description usable the loader reads the staged files: same files, same
    report (also for an item the validator refuses)."""
    bank = generated_bank(tmp_path, 30)
    with bank.open("a", encoding="utf-8") as f:
        f.write("\nToo long?{=" + "x" * 1200 + " ~b ~c}\n")
    results = []
    for use in (True, False):
        if not use:
            monkeypatch.setattr(Written, "reads_back", lambda self: False)
        course = tmp_path / f"course-{use}"
        assert main(["import", str(bank), "--to", str(course), "--topic", "anatomy"]) == 0
        out = capsys.readouterr().out.replace(str(course), "COURSE")
        files = {str(p.relative_to(course)): p.read_bytes() for p in course.rglob("*.yaml")}
        results.append((out, files))
    assert results[0] == results[1]
    assert "refused by the validator" in results[0][0]
    assert "imported 30 questions" in results[0][0]
