"""The app's questions written as Moodle XML.

One `<question type="category">` per topic (`$course$/top/<topic>`), then each question
with its id as `<name>` and `<idnumber>`, the stem and explanation in Markdown format,
options as plain text with their explanations as feedback, and tags. Every type is written:
ordering as the qtype_ordering plugin's `ordering` question (a site without the plugin
refuses those). Lost: difficulty, objectives, references, last_reviewed and each matching
pair's explanation (see docs/importing.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from vpkp_tutor.domain.model import (
    LETTERS,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)


def _text(parent: Element, tag: str, text: str, fmt: str | None = None) -> Element:
    el = SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    SubElement(el, "text").text = text
    return el


def _fraction(x: float) -> str:
    text = f"{x:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _answer(q: Element, fraction: float, text: str, feedback: str,
            fmt: str = "plain_text") -> Element:
    a = SubElement(q, "answer", fraction=_fraction(fraction), format=fmt)
    SubElement(a, "text").text = text
    if feedback.strip():
        _text(a, "feedback", feedback, "markdown")
    return a


def _question(quiz: Element, item: Question) -> None:
    if isinstance(item, Trajectory):  # left out by write_moodle_xml
        raise ValueError(f"{item.id}: Moodle XML has no needle-trajectory drills")
    kind = {SingleBest: "multichoice", MultipleResponse: "multichoice",
            TrueFalse: "truefalse", Ordering: "ordering", Matching: "matching",
            Numeric: "numerical", ShortAnswer: "shortanswer"}[type(item)]
    q = SubElement(quiz, "question", type=kind)
    _text(q, "name", item.id)
    _text(q, "questiontext", item.stem.strip(), "markdown")
    _text(q, "generalfeedback", item.explanation.strip(), "markdown")
    SubElement(q, "defaultgrade").text = "1"
    SubElement(q, "idnumber").text = item.id
    match item:
        case SingleBest() | MultipleResponse():
            single = isinstance(item, SingleBest)
            SubElement(q, "single").text = "true" if single else "false"
            SubElement(q, "shuffleanswers").text = "true"
            SubElement(q, "answernumbering").text = "ABCD"
            keys = {item.key} if isinstance(item, SingleBest) else set(item.keys)
            k = len(keys)
            for i, o in enumerate(item.options):
                keyed = LETTERS[i] in keys
                fraction = (100.0 if keyed else 0.0) if single else (
                    100 / k if keyed else -100 / k)
                _answer(q, fraction, o.text, o.explanation)
        case TrueFalse():
            for letter, word in (("A", "true"), ("B", "false")):
                i = LETTERS.index(letter)
                expl = item.options[i].explanation if i < len(item.options) else ""
                _answer(q, 100.0 if item.key == letter else 0.0, word, expl, "moodle_auto_format")
        case Ordering():
            SubElement(q, "layouttype").text = "VERTICAL"
            SubElement(q, "selecttype").text = "ALL"
            SubElement(q, "gradingtype").text = "RELATIVE_TO_CORRECT"
            for i, o in enumerate(item.options, start=1):
                _answer(q, float(i), o.text, o.explanation)
        case Matching():
            SubElement(q, "shuffleanswers").text = "true"
            for p in item.pairs:
                s = _text(q, "subquestion", p.left, "plain_text")
                _text(s, "answer", p.right)
            for d in item.distractors:
                s = _text(q, "subquestion", "", "plain_text")
                _text(s, "answer", d)
        case Numeric():
            a = _answer(q, 100.0, f"{item.answer:.10g}", "", "moodle_auto_format")
            SubElement(a, "tolerance").text = f"{item.tolerance:.10g}"
            if item.unit:
                units = SubElement(q, "units")
                u = SubElement(units, "unit")
                SubElement(u, "multiplier").text = "1"
                SubElement(u, "unit_name").text = item.unit
        case ShortAnswer():
            SubElement(q, "usecase").text = "1" if item.case_sensitive else "0"
            for ans in item.answers:
                _answer(q, ans.weight * 100, ans.text, ans.feedback, "moodle_auto_format")
        case _:
            assert_never(item)
    if item.tags:
        tags = SubElement(q, "tags")
        for t in item.tags:
            _text(tags, "tag", t)


def write_moodle_xml(questions: Sequence[Question]) -> tuple[str, list[tuple[str, str]]]:
    """The questions as one Moodle XML file, and (id, reason) for each left out (the
    needle-trajectory drills: Moodle has no such question type)."""
    quiz = Element("quiz")
    topic = None
    skipped: list[tuple[str, str]] = []
    for item in questions:
        if isinstance(item, Trajectory):
            skipped.append((item.id, "Moodle XML has no needle-trajectory drills"))
            continue
        if item.topic != topic:
            topic = item.topic
            cat = SubElement(quiz, "question", type="category")
            _text(cat, "category", f"$course$/top/{topic}")
        _question(quiz, item)
    indent(quiz)
    body = tostring(quiz, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", skipped
