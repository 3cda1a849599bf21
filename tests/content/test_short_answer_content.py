"""Short-answer items in YAML: what loads, and what the validator refuses, located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import AcceptedAnswer, ShortAnswer

TODAY = dt.date(2026, 11, 23)
LESSON = """\
kind: lesson
id: sa-lesson
title: Short answers
topic: anatomy
summary: A lesson declaring the objective.
estimated_minutes: 5
last_reviewed: 2026-11-01
objectives:
  - id: sa.one
    text: Name the part.
references: [Reference]
steps:
  - title: One
    body: Text.
"""
QUESTIONS = """\
kind: questions
questions:
  - id: sa-q1
    type: short_answer
    topic: anatomy
    objectives: [sa.one]
    difficulty: easy
    last_reviewed: 2026-11-01
    stem: Which part of the vertebra does the transpedicular needle cross?
    answers:
{answers}
    explanation: The pedicle.
    references: [Reference]
"""


def load(tmp_path: Path, answers: str, extra: str = ""):  # type: ignore[no-untyped-def]
    (tmp_path / "lesson.yaml").write_text(LESSON, encoding="utf-8")
    (tmp_path / "q.yaml").write_text(QUESTIONS.format(answers=answers) + extra,
                                     encoding="utf-8")
    return load_content([tmp_path], today=TODAY)


def test_a_short_answer_item_loads_with_its_answers(tmp_path: Path) -> None:
    bank = load(tmp_path, "      - text: pedicle\n      - text: lamina\n        weight: 0.25\n"
                          "        feedback: Not quite.\n", "    case_sensitive: true\n")
    assert bank.errors == ()
    (q,) = bank.questions
    assert isinstance(q, ShortAnswer)
    assert q.answers == (AcceptedAnswer("pedicle", 1.0, ""),
                         AcceptedAnswer("lamina", 0.25, "Not quite."))
    assert q.case_sensitive is True


def test_no_full_marks_answer_is_refused_where_the_answers_are(tmp_path: Path) -> None:
    bank = load(tmp_path, "      - text: pedicle\n        weight: 0.5\n")
    (problem,) = bank.errors
    assert "no accepted answer earns full marks" in problem.message
    assert problem.path.endswith("q.yaml") and problem.line == 11


def test_two_answers_a_learner_cannot_tell_apart_are_refused(tmp_path: Path) -> None:
    bank = load(tmp_path, "      - text: pedicle\n      - text: ' Pedicle'\n")
    (problem,) = bank.errors
    assert "answer 2 repeats answer 1" in problem.message and "letter case" in problem.message
    assert problem.line == 12
    # when case counts they are two answers
    bank = load(tmp_path, "      - text: pedicle\n      - text: Pedicle\n",
                "    case_sensitive: true\n")
    assert bank.errors == ()


def test_schema_limits_are_located(tmp_path: Path) -> None:
    bank = load(tmp_path, "      - text: pedicle\n        weight: 1.5\n")
    assert any("weight" in p.message or "less than or equal" in p.message for p in bank.errors)
    bank = load(tmp_path, "      - text: pedicle\n", "    case_sensitive: yes\n")
    assert any("yes/no/on/off" in p.message for p in bank.errors)
