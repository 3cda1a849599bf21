"""Moodle XML and Aiken readers, and the HTML → Markdown conversion, on realistic files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vpkp_tutor.interchange.aiken import parse_aiken
from vpkp_tutor.interchange.formats import guess_format
from vpkp_tutor.interchange.html2md import html_to_markdown, html_to_text
from vpkp_tutor.interchange.mapping import to_app
from vpkp_tutor.interchange.moodle_xml import parse_moodle_xml

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.moodle.xml"


def mapped_sample():  # type: ignore[no-untyped-def]
    parsed = parse_moodle_xml(SAMPLE.read_bytes(), str(SAMPLE))
    assert parsed.errors == []
    return parsed, to_app(parsed.items, str(SAMPLE), topic="anatomy", objective="o.x",
                          today=dt.date(2026, 12, 1))


def test_moodle_xml_types_fields_and_lines() -> None:
    parsed, mapped = mapped_sample()
    kinds = [(i.type, i.line) for i in parsed.items]
    assert kinds == [("Category", 4), ("MC", 9), ("MC", 24), ("TF", 32), ("Short", 38),
                     ("Numerical", 45), ("Matching", 51), ("Ordering", 58), ("Essay", 65),
                     ("calculated", 69)]
    by_id = {i.data["id"]: i.data for i in mapped.imported}
    leak = by_id["comp-leak-1"]  # idnumber is the id
    assert leak["type"] == "single_best" and leak["key"] == "A"
    assert leak["stem"] == "Where does **cement** leak most often?\n\n[image: leak]"
    assert leak["options"][2]["text"] == "Into the psoas"
    assert leak["options"][1]["explanation"] == "Less common."
    assert leak["explanation"] == "Venous and disc leaks are common."
    assert leak["tags"] == ["cement", "safety", "imported"]
    assert by_id["multi"]["keys"] == ["A", "B"]
    assert by_id["tf"]["key"] == "A" and by_id["tf"]["options"][1]["explanation"] == "It does."
    assert by_id["short"]["answers"] == [{"text": "Pedicle"}]
    assert by_id["short"]["case_sensitive"] is True
    assert (by_id["num"]["answer"], by_id["num"]["tolerance"], by_id["num"]["unit"]) == (3, 1, "mL")
    assert by_id["match"]["pairs"][1]["right"] == "22513"
    assert by_id["match"]["distractors"] == ["20225"]
    assert [o["text"] for o in by_id["order"]["options"]] == ["Skin", "Pedicle", "Body"]
    skipped = {r.line: r.reason for r in mapped.skipped}
    assert "essay" in skipped[65] and "calculated" in skipped[69]
    changed = [(r.line, r.reason) for r in mapped.changed]
    assert (9, "an image (@@PLUGINFILE@@/leak.png) dropped: the app shows text only") in changed
    assert any(line == 9 and "embedded file (leak.png)" in why for line, why in changed)
    assert any(line == 38 and "wildcard" in why for line, why in changed)


def test_aiken_strict_file_reads_and_maps() -> None:
    text = ("Which level is most often fractured?\nA. T12-L1\nB) C5\nC. S3\nANSWER: A\n\n"
            "Second question over\ntwo lines?\nA. yes\nB. no\nANSWER: B\n")
    parsed = parse_aiken(text.encode(), "bank.txt")
    assert parsed.errors == []
    assert [(i.stem.text, i.line) for i in parsed.items] == [
        ("Which level is most often fractured?", 1), ("Second question over two lines?", 7)]
    mapped = to_app(parsed.items, "bank.txt", topic="anatomy", objective="o.x")
    assert mapped.imported[0].data["options"][1]["text"] == "C5"
    assert mapped.imported[0].data["key"] == "A"
    (skip,) = mapped.skipped
    assert (skip.line, skip.reason) == (7, "2 options: a single-best item has 3 to 6")


def test_aiken_errors_as_moodle_refuses_them() -> None:
    cases = {
        "A. orphan\n": (1, "option A comes before any question text"),
        "Q?\nA. one\nANSWER: A\n": (3, "question missing answers"),
        "Q?\nA. one\nB. two\nANSWER: \n": (4, "names no option letter"),
        "Q?\nA. one\nB. two\nANSWER: D\n": (4, "ANSWER: D is not one of the options (A–B)"),
        "Q?\nA. one\nC. two\nANSWER: A\n": (3, "option C where option B was expected"),
        "Q?\nA. one\nB. two\nNext?\nA. x\nB. y\nANSWER: A\n": (1, "question not complete"),
        "Q?\nA. one\nB. two\n": (1, "the file ends before its 'ANSWER: X' line"),
    }
    for text, (line, message) in cases.items():
        parsed = parse_aiken(text.encode(), "a.txt")
        assert parsed.errors, text
        assert parsed.errors[0].line == line and message in parsed.errors[0].message, text


def test_format_guess() -> None:
    assert guess_format("b.gift", b"").fmt == "gift"
    assert guess_format("b.xml", b"").fmt == "moodle-xml"
    assert guess_format("b.txt", b"\xef\xbb\xbf<?xml version='1.0'?><quiz>").fmt == "moodle-xml"
    assert guess_format("b.txt", b"Q?\nA. x\nB. y\nANSWER: A\n").fmt == "aiken"
    assert guess_format("b.txt", b"Q?{T}").fmt == "gift"
    assert guess_format("b.txt", b"just words").fmt is None


def test_html_to_markdown_keeps_structure_and_reports_media() -> None:
    md, notes = html_to_markdown(
        "<h2>Risks</h2><p>Cement <strong>leak</strong> and <em>embolism</em>.<br>Rare.</p>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        "<p><a href='https://example.org/x'>source</a> &amp; <code>x&lt;y</code></p>"
        "<script>alert(1)</script><video src='v.mp4'></video><!-- note -->")
    assert md == ("### Risks\n\nCement **leak** and *embolism*.  \nRare.\n\n- one\n- two\n\n"
                  "1. first\n\nsource (https://example.org/x) & `x<y`")
    assert notes == ["a script dropped (its content is never shown)",
                     "a video (v.mp4) dropped: the app shows text only"]


def test_a_table_keeps_its_rows_and_an_image_its_place() -> None:
    """A row reads `Drug | Dose` (it was " Drug | Dose |"), and an image's text stands apart
    from the words around it (it was glued: "step?[image: fluoro]")."""
    md, notes = html_to_markdown(
        "<p>Doses:</p><table><tr><th>Drug</th><th>Dose</th></tr>"
        "<tr><td>PMMA</td><td>3 mL</td></tr></table>"
        "<p>Next step?<img src='@@PLUGINFILE@@/x.png' alt='fluoro'>Then.</p>")
    assert md == "Doses:\n\nDrug | Dose\n\nPMMA | 3 mL\n\nNext step? [image: fluoro] Then."
    assert notes == ["a table flattened into lines of text",
                     "an image (@@PLUGINFILE@@/x.png) dropped: the app shows text only"]


@pytest.mark.parametrize(("html", "markdown", "text"), [
    # a closing marker after punctuation is kept (it was taken for an empty italic)
    ("<p><strong>Note.</strong> Then text.</p>", "**Note.** Then text.", "Note. Then text."),
    ("<strong>Bold colon:</strong>", "**Bold colon:**", "Bold colon:"),
    ("<em><strong>Dos.</strong> rest</em>", "***Dos.** rest*", "Dos. rest"),
    # spaces inside the tags go outside the markers; emphasis around nothing goes
    ("<b>Bold </b>text", "**Bold** text", "Bold text"),
    ("a<b> </b>b<em></em>", "a b", "a b"),
    ("x</b>y", "xy", "xy"),  # a closing tag never opened
])
def test_emphasis_is_closed_where_the_html_closes_it(html: str, markdown: str,
                                                     text: str) -> None:
    assert html_to_markdown(html) == (markdown, [])
    assert html_to_text(html) == (text, [])


def test_cli_choices_are_the_readers() -> None:
    from vpkp_tutor import cli_interchange
    from vpkp_tutor.interchange import formats, source

    assert cli_interchange.FORMATS == formats.FORMATS
    assert cli_interchange.ENCODINGS == source.ENCODINGS


def test_a_flood_of_broken_questions_is_read_no_further_than_the_limit() -> None:
    from vpkp_tutor.interchange.gift import MAX_ERRORS, parse_gift

    gift = b"Fine?{T}\n\n" + b"Open {=a ~b\n\n" * 500
    parsed = parse_gift(gift, "flood.gift")
    assert len(parsed.errors) == MAX_ERRORS + 1
    assert [(e.line, e.column) for e in parsed.errors[:2]] == [(3, 6), (5, 6)]
    assert "never closed" in parsed.errors[0].message
    last = parsed.errors[-1]
    assert (last.line, last.message) == (2 * MAX_ERRORS + 1, f"{MAX_ERRORS} problems so far: "
                                                             "the rest of the file is not read")
    assert [i.type for i in parsed.items] == ["TF"]
    aiken = b"A. before any question\n" * 500
    parsed = parse_aiken(aiken, "flood.txt")
    assert len(parsed.errors) == MAX_ERRORS + 1
    assert parsed.errors[-1].line == MAX_ERRORS + 1
    assert parsed.errors[-1].message.endswith("the rest of the file is not read")
    few = parse_gift(b"Open {=a ~b\n\n" * (MAX_ERRORS - 1), "few.gift")
    assert len(few.errors) == MAX_ERRORS - 1
    assert not any("not read" in e.message for e in few.errors)
