"""The content lint: each rule on a small item, and its codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vpkp_tutor.content.lint import jaccard, similar_pairs, stem_tokens
from vpkp_tutor.content.loader import validate_paths
from vpkp_tutor.content.scaffold import write_new

TODAY = dt.date(2026, 12, 1)

QUESTION = """\
  - id: {id}
    type: {type}
    topic: anatomy
    objectives: [intro.first-objective]
    difficulty: easy
    last_reviewed: {reviewed}
    stem: |
      {stem}
{body}    explanation: Because.
    references:
{refs}
"""

SBA = """\
    options:
      - {{text: "{a}", explanation: x}}
      - {{text: "{b}", explanation: x}}
      - {{text: "{c}", explanation: x}}
      - {{text: "{d}", explanation: x}}
    key: A
"""

REF = "      - {title: A guideline, year: 2024, kind: guideline, url: https://example.org/g}"


def _sba(qid: str, stem: str = "Which vertebral level is counted from the sternal angle "
         "landmark on imaging?", options: tuple[str, ...] = ("Alpha one", "Beta two",
                                                            "Gamma three", "Delta four"),
         reviewed: str = "2026-11-01", refs: str = REF) -> str:
    body = SBA.format(a=options[0], b=options[1], c=options[2], d=options[3])
    return QUESTION.format(id=qid, type="single_best", stem=stem, body=body, refs=refs,
                           reviewed=reviewed)


def _check(tmp_path: Path, *questions: str) -> list[tuple[str, int]]:
    root = tmp_path / "course"
    if not root.exists():
        (root / "lessons").mkdir(parents=True)
        (root / "question_bank").mkdir()
        write_new("lesson", root / "lessons" / "intro.yaml", topic="anatomy", today=TODAY)
    path = root / "question_bank" / "q.yaml"
    path.write_text("kind: questions\nquestions:\n" + "".join(questions), encoding="utf-8")
    result = validate_paths([path], today=TODAY)
    assert result.errors == 0, [str(p) for p in result.problems]
    return sorted((p.code, p.line) for p in result.problems)


def test_a_clean_question_has_no_warnings(tmp_path: Path) -> None:
    assert _check(tmp_path, _sba("q1")) == []


def test_near_duplicate_stems_are_reported_once_with_both_places(tmp_path: Path) -> None:
    stem = "A 73-year-old woman has a painful T5 fracture; both pedicles are 4 mm wide."
    found = _check(tmp_path, _sba("q1", stem=stem),
                   _sba("q2", stem=stem.replace("73-year-old", "72-year-old")),
                   _sba("q3", stem="Which needle gauge passes a narrow pedicle safely at T5?"))
    assert [c for c, _ in found] == ["VP501"]
    result = validate_paths([tmp_path / "course" / "question_bank" / "q.yaml"], today=TODAY)
    (problem,) = result.problems
    assert "'q2'" in problem.message and "'q1'" in problem.message
    assert "q.yaml:9" in problem.message  # the first one's place


def test_similarity_is_token_set_jaccard_over_normalised_stems() -> None:
    a = stem_tokens("**Which** level is T4?")
    assert a == {"which", "level", "is", "t4"}
    assert jaccard(a, stem_tokens("which LEVEL is t4")) == 1.0
    sets = [stem_tokens(s) for s in ("one two three four five", "one two three four six",
                                     "seven eight nine ten eleven")]
    # 4 shared of 6 distinct = 0.67 < 0.7: not reported; at 0.6 it is
    assert similar_pairs(sets) == []
    assert similar_pairs(sets, threshold=0.6) == [(1, 0, pytest.approx(4 / 6))]


def test_stale_review_uses_the_period(tmp_path: Path) -> None:
    assert [c for c, _ in _check(tmp_path, _sba("q1", reviewed="2024-11-30"))] == ["VP502"]
    assert _check(tmp_path, _sba("q1", reviewed="2024-12-01")) == []


def test_references_without_link_and_on_warned_domains(tmp_path: Path) -> None:
    refs = ("      - {title: A textbook, year: 2020, kind: textbook}\n"
            "      - \"Vertebroplasty, en.wikipedia.org/wiki/Vertebroplasty\"\n"
            "      - {title: Chat, year: 2025, kind: other, url: https://chatgpt.com/share/x}\n"
            "      - \"A trial, doi:10.1000/xyz\"")
    found = [c for c, _ in _check(tmp_path, _sba("q1", refs=refs))]
    assert found == ["VP503", "VP504", "VP504"]


@pytest.mark.parametrize(("options", "code"), [
    (("It is the T4 level", "It is always T2", "It is never T6", "Beta two"), "VP506"),
    (("Alpha", "Beta", "Gamma", "Delta with a very much longer text that gives it away, "
      "surely"), "VP507"),
    (("It is usually T4", "It is T2", "It is T6", "It is T8"), "VP509"),
])
def test_item_writing_flaws(tmp_path: Path, options: tuple[str, ...], code: str) -> None:
    assert [c for c, _ in _check(tmp_path, _sba("q1", options=options))] == [code]


def test_few_options_and_count_with_select_all(tmp_path: Path) -> None:
    three = QUESTION.format(
        id="q1", type="single_best", stem="Which level is it on imaging today?",
        reviewed="2026-11-01", refs=REF,
        body="    options:\n      - {text: Aa, explanation: x}\n      - {text: Bb, explanation: x}\n"
             "      - {text: Cc, explanation: x}\n    key: A\n")
    mr = QUESTION.format(
        id="q2", type="multiple_response", reviewed="2026-11-01", refs=REF,
        stem="Choose two findings. Select all that apply.",
        body="    options:\n      - {text: Aa, explanation: x}\n      - {text: Bb, explanation: x}\n"
             "      - {text: Cc, explanation: x}\n    keys: [A, B]\n")
    assert [c for c, _ in _check(tmp_path, three, mr)] == ["VP505", "VP508"]


@pytest.mark.parametrize(("extra", "codes"), [("", ["VP510"]), ("        deliberate: true\n", [])])
def test_a_never_event_on_a_coding_decision(tmp_path: Path, extra: str, codes: list[str]) -> None:
    root = tmp_path / "course"
    (root / "lessons").mkdir(parents=True)
    (root / "cases").mkdir()
    write_new("lesson", root / "lessons" / "intro.yaml", topic="anatomy", today=TODAY)
    case = root / "cases" / "c.yaml"
    write_new("case", case, today=TODAY)
    text = case.read_text(encoding="utf-8")
    critical = ("      - id: wrong-code\n        text: Bill the procedure under the other code\n"
                "        critical: true\n" + extra +
                "        feedback: Replace with why.\n")
    text = text.replace("  - id: good-end\n", critical + "  - id: good-end\n", 1)
    case.write_text(text, encoding="utf-8")
    result = validate_paths([case], today=TODAY)
    assert [p.code for p in result.problems] == codes, [str(p) for p in result.problems]
