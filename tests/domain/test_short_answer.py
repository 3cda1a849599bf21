"""Short answer: several accepted answers with weights, a case rule, trimmed white space."""

from __future__ import annotations

import pytest

from vpkp_tutor.domain.model import AcceptedAnswer, Difficulty, ShortAnswer
from vpkp_tutor.domain.scoring import ShortAnswerVerdict, judge, score


def item(*answers: AcceptedAnswer, case_sensitive: bool = False) -> ShortAnswer:
    return ShortAnswer(id="q", topic="anatomy", objectives=("o",),  # type: ignore[arg-type]
                       difficulty=Difficulty.EASY, stem="Name it.", explanation="e",
                       references=("r",), answers=answers, case_sensitive=case_sensitive)


Q = item(AcceptedAnswer("pedicle"), AcceptedAnswer("transpedicular route", 1.0, "Yes."),
         AcceptedAnswer("lamina", 0.25, "Close, but no."))


@pytest.mark.parametrize(("typed", "points"), [
    ("pedicle", 1.0),
    ("  Pedicle ", 1.0),  # trimmed, case folded
    ("PEDICLE", 1.0),
    ("transpedicular   route", 1.0),  # runs of spaces count as one
    ("transpedicular\troute", 1.0),
    ("lamina", 0.25),  # a partial answer earns its weight
    ("pedicles", 0.0),  # no fuzzy matching
    ("", 0.0),
    ("   ", 0.0),
])
def test_typed_text_earns_the_weight_of_the_answer_it_matches(typed: str, points: float) -> None:
    assert score(Q, typed).points == pytest.approx(points)


def test_case_sensitive_items_compare_letter_case() -> None:
    q = item(AcceptedAnswer("L1"), case_sensitive=True)
    assert score(q, "L1").correct
    assert score(q, "l1").points == 0.0
    assert score(q, " L1 ").correct  # white space is still trimmed


def test_the_verdict_names_the_matched_answer_and_the_key() -> None:
    v = judge(Q, "Lamina")
    assert isinstance(v, ShortAnswerVerdict)
    assert v.matched == 2 and v.best == "pedicle" and not v.right
    assert judge(Q, "nothing like it") == ShortAnswerVerdict("nothing like it", None, "pedicle",
                                                             v.score.__class__(0.0, 1.0))
    unanswered = judge(Q, None)
    assert isinstance(unanswered, ShortAnswerVerdict)
    assert unanswered.given is None and unanswered.score.points == 0.0


def test_the_best_of_two_matching_answers_counts() -> None:
    q = item(AcceptedAnswer("Body", 0.5), AcceptedAnswer("body", 1.0), case_sensitive=False)
    v = judge(q, "body")
    assert isinstance(v, ShortAnswerVerdict)
    assert v.matched == 1 and v.score.correct


def test_answers_of_another_shape_score_nothing() -> None:
    assert score(Q, ("pedicle",)).points == 0.0  # type: ignore[arg-type]
    assert score(Q, 3.0).points == 0.0
