"""Table tests for the pure scoring of every question type and of case runs."""

from __future__ import annotations

import datetime as dt

import pytest

from vpkp_tutor.domain.model import (
    QUESTION_CLASSES,
    Case,
    CaseNode,
    Choice,
    Difficulty,
    MatchPair,
    Option,
    Outcome,
    Question,
    QuestionType,
)
from vpkp_tutor.domain.scoring import (
    AnswerValue,
    ChoiceVerdict,
    MatchingVerdict,
    MatchMark,
    NumericVerdict,
    OptionMark,
    OrderingVerdict,
    judge,
    kendall_share,
    score,
    score_case_run,
)


def q(qtype: QuestionType, **kw: object) -> Question:
    base: dict[str, object] = dict(
        id="q", topic="anatomy", objectives=("o",),
        difficulty=Difficulty.EASY, stem="s", explanation="e", references=("r",),
        last_reviewed=dt.date(2026, 1, 1),
    )
    base.update(kw)
    return QUESTION_CLASSES[qtype](**base)  # type: ignore[arg-type]


OPTS4 = tuple(Option(t, "x") for t in "abcd")
SBA = q(QuestionType.SINGLE_BEST, options=OPTS4, key="C")
TF = q(QuestionType.TRUE_FALSE, options=(Option("True", "x"), Option("False", "y")), key="B")
MR = q(QuestionType.MULTIPLE_RESPONSE, options=(*OPTS4, Option("e", "x")), keys=("A", "C"))
MR3 = q(QuestionType.MULTIPLE_RESPONSE, options=OPTS4, keys=("A", "B", "C"))
ORD = q(QuestionType.ORDERING, options=OPTS4)
MATCH = q(
    QuestionType.MATCHING,
    pairs=(MatchPair("VP lumbar", "22511", "x"), MatchPair("KP thoracic", "22513", "y"),
           MatchPair("Sacroplasty, one side", "0200T", "z"), MatchPair("KP lumbar", "22514", "w")),
    distractors=("20225",),
)
NUM = q(QuestionType.NUMERIC, answer=100.0, tolerance=0.5, unit="USD")


@pytest.mark.parametrize(
    ("question", "answer", "points"),
    [
        (SBA, "C", 1.0),
        (SBA, "A", 0.0),
        (SBA, None, 0.0),
        (SBA, "", 0.0),
        (TF, "B", 1.0),
        (TF, "A", 0.0),
        (MR, ("A", "C"), 1.0),
        (MR, ("C", "A"), 1.0),
        (MR, ("A",), 0.5),
        (MR, ("A", "B"), 0.0),
        (MR, ("A", "C", "D"), 0.5),
        (MR, ("B", "D", "E"), 0.0),
        (MR, (), 0.0),
        (MR3, ("A", "B"), round(2 / 3, 6)),
        (MR3, ("A", "B", "C", "D"), round(2 / 3, 6)),
        (ORD, (0, 1, 2, 3), 1.0),
        (ORD, (1, 0, 2, 3), round(5 / 6, 6)),
        (ORD, (3, 2, 1, 0), 0.0),
        (ORD, (0, 1, 2), 0.0),
        (ORD, (0, 0, 1, 2), 0.0),
        (MATCH, ("22511", "22513", "0200T", "22514"), 1.0),
        (MATCH, ("22511", "22514", "0200T", "22513"), 0.5),
        (MATCH, ("20225", None, None, None), 0.0),
        (MATCH, ("22511", None, None, None), 0.25),
        (NUM, 100.0, 1.0),
        (NUM, 100.5, 1.0),
        (NUM, 99.4, 0.0),
        (NUM, float("nan"), 0.0),
        (NUM, None, 0.0),
    ],
)
def test_score_table(question: Question, answer: AnswerValue, points: float) -> None:
    result = score(question, answer)
    assert result.max_points == 1.0
    assert result.points == pytest.approx(points)
    assert result.correct is (points == 1.0)


def test_verdict_marks_each_option_right_chosen_missed() -> None:
    v = judge(MR, ("A", "B"))
    assert isinstance(v, ChoiceVerdict)
    assert v.options == (OptionMark(True, True), OptionMark(False, True),
                         OptionMark(True, False), OptionMark(False, False),
                         OptionMark(False, False))
    assert [m.missed for m in v.options] == [False, False, True, False, False]
    assert [m.wrong for m in v.options] == [False, True, False, False, False]
    assert v.score == score(MR, ("A", "B"))


def test_verdict_of_an_unanswered_choice_still_marks_the_key() -> None:
    v = judge(SBA, None)
    assert isinstance(v, ChoiceVerdict)
    assert [m.right for m in v.options] == [False, False, True, False]
    assert not any(m.chosen for m in v.options)
    assert v.score.points == 0.0


def test_verdict_gives_the_numeric_range() -> None:
    v = judge(NUM, 100.4)
    assert isinstance(v, NumericVerdict)
    assert (v.low, v.high, v.right, v.given) == (99.5, 100.5, True, 100.4)
    off = judge(NUM, 101.0)
    assert isinstance(off, NumericVerdict) and not off.right and off.score.points == 0.0
    none = judge(NUM, None)
    assert isinstance(none, NumericVerdict) and none.given is None and not none.right


def test_verdict_gives_the_ordering_positions() -> None:
    v = judge(ORD, (0, 2, 1, 3))
    assert isinstance(v, OrderingVerdict)
    assert v.order == (0, 2, 1, 3)
    assert v.in_place == (True, False, False, True)
    bad = judge(ORD, (0, 0, 1))
    assert isinstance(bad, OrderingVerdict)
    assert bad.order is None and bad.in_place == (False,) * 4 and bad.score.points == 0.0


def test_verdict_pairs_the_given_match_with_the_key() -> None:
    v = judge(MATCH, ("22511", None, "22514"))
    assert isinstance(v, MatchingVerdict)
    assert v.pairs == (MatchMark("22511", "22511", True), MatchMark(None, "22513", False),
                       MatchMark("22514", "0200T", False), MatchMark(None, "22514", False))
    assert v.score.points == 0.25


@pytest.mark.parametrize(
    ("order", "share"),
    [((0,), 1.0), ((0, 1, 2), 1.0), ((2, 1, 0), 0.0), ((0, 2, 1), 2 / 3), ((1, 0), 0.0)],
)
def test_kendall_share(order: tuple[int, ...], share: float) -> None:
    assert kendall_share(order) == pytest.approx(share)


CASE = Case(
    id="c", title="t", topic="complications", vignette="v", start="a",
    nodes=(
        CaseNode("a", "n", choices=(
            Choice("best", "b", "f", 3, "b"), Choice("ok", "o", "f", 1, "b"),
            Choice("never", "x", "f", 0, None, critical=True),
        )),
        CaseNode("b", "n", choices=(
            Choice("finish", "b", "f", 2, "end"), Choice("worse", "w", "f", 0, "bad"),
        )),
        CaseNode("end", "n", outcome=Outcome("good", "t")),
        CaseNode("bad", "n", outcome=Outcome("poor", "t")),
    ),
    expert_path=("best", "finish"), debrief="d", references=("r",),
)


@pytest.mark.parametrize(
    ("path", "points", "max_points", "fraction", "critical", "finished", "passed", "end"),
    [
        (("best", "finish"), 5, 5, 1.0, (), True, True, "end"),
        (("ok", "finish"), 3, 5, 0.6, (), True, False, "end"),
        (("best", "worse"), 3, 5, 0.6, (), True, False, "bad"),
        (("never",), 0, 3, 0.0, ("never",), True, False, None),
        (("best",), 3, 5, 0.6, (), False, False, None),
        (("finish", "best", "finish"), 5, 5, 1.0, (), True, True, "end"),
        ((), 0, 3, 0.0, (), False, False, None),
    ],
)
def test_case_run_table(
    path: tuple[str, ...], points: int, max_points: int, fraction: float,
    critical: tuple[str, ...], finished: bool, passed: bool, end: str | None,
) -> None:
    result = score_case_run(CASE, path)
    assert result.points == points
    assert result.max_points == max_points
    assert result.fraction == pytest.approx(fraction)
    assert result.critical_errors == critical
    assert result.finished is finished
    assert result.passed is passed
    assert result.end_node == end


SHORT = Case(
    id="short", title="t", topic="complications", vignette="v", start="a",
    nodes=(
        CaseNode("a", "n", choices=(
            Choice("long", "l", "f", 3, "b"), Choice("short", "s", "f", 3, "end"),
            Choice("weak", "w", "f", 1, "end"),
        )),
        CaseNode("b", "n", choices=(
            Choice("finish", "b", "f", 2, "end"), Choice("skip", "k", "f", 1, "end"),
        )),
        CaseNode("end", "n", outcome=Outcome("acceptable", "t")),
    ),
    expert_path=("long", "finish"), debrief="d", references=("r",),
)
"""A sound shorter route: `short` is as good as `long` but meets one decision fewer."""


@pytest.mark.parametrize(
    ("path", "points", "max_points", "passed"),
    [
        (("short",), 3, 3, True),  # best at every decision met: 100%, not 3/5
        (("long", "finish"), 5, 5, True),
        (("long", "skip"), 4, 5, True),
        (("weak",), 1, 3, False),
        ((), 0, 3, False),  # unfinished: the start decision is faced
        (("long",), 3, 5, False),  # unfinished at b
    ],
)
def test_case_score_counts_the_decisions_met(
    path: tuple[str, ...], points: int, max_points: int, passed: bool
) -> None:
    result = score_case_run(SHORT, path)
    assert (result.points, result.max_points, result.passed) == (points, max_points, passed)
    assert result.fraction == pytest.approx(points / max_points)


LOOP = Case(
    id="loop", title="t", topic="complications", vignette="v", start="a",
    nodes=(
        CaseNode("a", "n", choices=(
            Choice("again", "l", "f", 2, "side"), Choice("go", "g", "f", 3, "end"),
        )),
        CaseNode("side", "n", choices=(Choice("back", "b", "f", 0, "a"),)),
        CaseNode("end", "n", outcome=Outcome("good", "t")),
    ),
    expert_path=("go",), debrief="d", references=("r",),
)
"""A loop that could score again (the validator refuses it; scoring stays sound anyway)."""


@pytest.mark.parametrize(
    ("path", "points", "max_points"),
    [
        (("again", "back") * 5 + ("go",), 3, 3),  # not 13 of 3 ("best 433%")
        (("again", "back") * 5, 2, 3),
        (("go",), 3, 3),
    ],
)
def test_case_loop_scores_each_decision_once(
    path: tuple[str, ...], points: int, max_points: int
) -> None:
    result = score_case_run(LOOP, path)
    assert (result.points, result.max_points) == (points, max_points)
    assert 0.0 <= result.fraction <= 1.0
