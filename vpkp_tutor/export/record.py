"""What an export is made of: a learner's data as the services hand it over, and the
question facts (topic, objectives, type, difficulty) each response row carries."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from vpkp_tutor.domain.model import ContentBank, Topic
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRow,
    answer_to_json,
)
from vpkp_tutor.domain.scoring import AnswerValue

FORMAT_NAME = "vpkp-tutor/learner-export"
"""`format` field of a JSON export."""
FORMAT_VERSION = 1
"""`format_version` field of a JSON export; bumped on incompatible changes."""


@dataclass(frozen=True, slots=True)
class LearnerData:
    """One learner's complete record, as read from the store."""

    learner: Learner
    """The learner."""
    responses: Callable[[], Iterator[ResponseEvent]]
    """Opens a fresh stream of responses, oldest first (may be called more than once)."""
    attempts: tuple[Attempt, ...]
    """Quiz attempts (without answers), oldest first."""
    lesson_progress: tuple[LessonProgress, ...]
    """Lessons opened."""
    case_runs: tuple[CaseRun, ...]
    """Case runs, oldest first."""
    flags: tuple[str, ...] = ()
    """Flagged question ids."""
    response_rows: Callable[[], AbstractContextManager[Iterator[ResponseRow]]] | None = None
    """Opens the same responses as plain `ResponseRow` tuples, oldest first (the CSV
    export's fast path); None when only `responses` is available."""
    review_dues: tuple[tuple[str, dt.datetime], ...] = ()
    """(question id, when it falls due) of each question on the spaced-review schedule."""


@dataclass(frozen=True, slots=True)
class QuestionMeta:
    """Facts about a question that travel with each response row."""

    topic: str
    objectives: tuple[str, ...]
    type: str
    difficulty: str


UNKNOWN = QuestionMeta("", (), "", "")
"""Meta of a question no longer in the bank."""


def question_meta(bank: ContentBank, question_id: str) -> QuestionMeta:
    """The question's meta, or blanks when the bank no longer holds it."""
    if not bank.has_question(question_id):
        return UNKNOWN
    q = bank.meta(question_id)
    return QuestionMeta(q.topic.value, q.objectives, q.type.value, q.difficulty.value)


def topic_label(topic: str) -> str:
    """Human name of a topic value (the value itself when unknown)."""
    try:
        return Topic(topic).label
    except ValueError:
        return topic or "(not in bank)"


def bank_topic_totals(bank: ContentBank) -> dict[str, dict[str, int]]:
    """Questions, lessons and cases per topic value, in topic order (topics with any)."""
    out: dict[str, dict[str, int]] = {}
    for topic in Topic:
        counts = {
            "questions": sum(1 for q in bank.question_meta if q.topic is topic),
            "lessons": sum(1 for x in bank.lessons if x.topic is topic),
            "cases": sum(1 for c in bank.cases if c.topic is topic),
        }
        if any(counts.values()):
            out[topic.value] = counts
    return out


def finite(value: float, default: float = 0.0) -> float:
    """`value`, or `default` when it is NaN or infinite (which standard JSON cannot hold)."""
    return value if math.isfinite(value) else default


def json_answer(answer: AnswerValue) -> str | float | list[str | int | None] | None:
    """An answer in its JSON form with any non-finite number (a stored `inf`) as null, so
    every export is standard JSON."""
    value = answer_to_json(answer)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [None if isinstance(v, float) and not math.isfinite(v) else v for v in value]
    return value
