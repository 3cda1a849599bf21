"""Domain records: immutability, value semantics, pickling (the content cache), and the
content hash that stored responses are compared against."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from msgspec.structs import replace

from vpkp_tutor.domain.model import (
    Difficulty,
    Matching,
    MatchPair,
    Numeric,
    Objective,
    Option,
    Question,
    SingleBest,
)
from vpkp_tutor.domain.progress import Attempt, QuizSettings, content_hash

SINGLE = SingleBest(
    id="q1", topic="anatomy", objectives=("anat.a",),
    difficulty=Difficulty.EASY, stem="Stem é", explanation="Why", references=("Ref",),
    tags=("t",), last_reviewed=dt.date(2026, 3, 4),
    options=(Option("A text", "A why"), Option("B text", "B why")), key="A", source="x.yaml",
)
MATCHING = Matching(
    id="q2", topic="billing", objectives=(),
    difficulty=Difficulty.HARD, stem="s", explanation="e", references=(),
    pairs=(MatchPair("VP", "22510", "x"),), distractors=("22511",),
)
NUMERIC = Numeric(
    id="q3", topic="evidence", objectives=(),
    difficulty=Difficulty.MEDIUM, stem="s", explanation="e", references=(), answer=0.2,
    tolerance=1e-05, unit="%",
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (SINGLE, "db7192d2a90faa804170e417d544597be37ae0a1d200be71f9edebea0f90b3be"),
        (MATCHING, "10811941ef479ed9bdeb80722a4fcfc5e6e099bf5884863a1ddc5f4dd84b866b"),
        (NUMERIC, "953905075d1a6937b4c2bed9bfaf0318feb0719257a0c95f2390039d96c773fb"),
    ],
)
def test_content_hash_is_stable(question: Question, expected: str) -> None:
    """Stored responses carry this hash: it must not change when the code does (these
    values were computed by the first released form of the canonical JSON)."""
    assert content_hash(question) == expected


def test_content_hash_ignores_the_source_file_but_not_the_wording() -> None:
    assert content_hash(replace(SINGLE, source="moved.yaml")) == content_hash(SINGLE)
    assert content_hash(replace(SINGLE, stem="Stem e")) != content_hash(SINGLE)
    assert content_hash(replace(SINGLE, key="B")) != content_hash(SINGLE)


def test_records_are_frozen_and_compare_by_value_and_type() -> None:
    with pytest.raises(AttributeError):
        SINGLE.stem = "changed"  # type: ignore[misc]
    assert Option("a", "b") == Option("a", "b")
    assert hash(Option("a", "b")) == hash(Option("a", "b"))
    assert Option("a", "b") != Objective("a", "b")  # same values, different records
    assert Option("a", "b") != ("a", "b")


def test_records_round_trip_through_pickle() -> None:
    attempt = Attempt("a1", "l1", QuizSettings(count=5), ("q1",),
                      dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    for value in (SINGLE, MATCHING, NUMERIC, attempt):
        assert pickle.loads(pickle.dumps(value)) == value


def test_mutable_defaults_are_not_shared() -> None:
    started = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    one = Attempt("a1", "l1", QuizSettings(), (), started)
    two = Attempt("a2", "l1", QuizSettings(), (), started)
    one.responses["q1"] = None  # type: ignore[assignment]
    assert two.responses == {}


def test_time_used_is_one_definition() -> None:
    """Exams: start to submission, capped at the limit; otherwise (tutor, review, an exam not
    yet submitted): the answers' seconds, summed."""
    from vpkp_tutor.domain.progress import QuizMode, ResponseRecord, time_used

    start = dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)
    record = ResponseRecord("a1", "q1", "h", "A", 1.0, 1.0, True, 12.5, start)
    exam = Attempt("a1", "l1", QuizSettings(mode=QuizMode.EXAM, time_limit_s=60), ("q1",),
                   start, responses={"q1": record})
    assert time_used(exam) == 12.5  # not submitted yet
    assert time_used(replace(exam, finished_at=start + dt.timedelta(seconds=45))) == 45.0
    assert time_used(replace(exam, finished_at=start + dt.timedelta(seconds=71))) == 60.0
    assert time_used(replace(exam, finished_at=start - dt.timedelta(seconds=5))) == 0.0
    tutor = replace(exam, settings=QuizSettings(), finished_at=start + dt.timedelta(days=2))
    assert time_used(tutor) == 12.5
    assert time_used(tutor, answer_seconds=30.0) == 30.0
    assert time_used(tutor, answer_seconds=float("nan")) == 0.0
