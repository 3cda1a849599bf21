"""What an export is made of: a learner's data as the services hand it over, and the
question facts (topic, objectives, type, difficulty) each response row carries."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from vpkp_tutor.domain.confidence import confidence_from
from vpkp_tutor.domain.model import ContentBank, Course
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Learner,
    LessonProgress,
    ResponseEvent,
    ResponseRecord,
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
    xapi: Any = None
    """The xAPI settings of the learner's statements (`xapi.XapiConfig`; None = defaults)."""
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
    return QuestionMeta(q.topic, q.objectives, q.type.value, q.difficulty.value)


def topic_label(topic: str, course: Course) -> str:
    """Human name of a topic id in the course (the id itself when the course does not
    declare it)."""
    return course.label(topic) if topic else "(not in bank)"


COURSE_COLUMNS = ("course_id", "course_version")
"""The columns that say which course (and which version of it) a row belongs to."""


def course_fields(course: Course) -> dict[str, str]:
    """The course's id and version, as exports carry them."""
    return {"course_id": course.id, "course_version": course.version}


def bank_topic_totals(bank: ContentBank) -> dict[str, dict[str, int]]:
    """Questions, lessons and cases per topic value, in topic order (topics with any)."""
    out: dict[str, dict[str, int]] = {}
    for topic in bank.topics:
        counts = {
            "questions": sum(1 for q in bank.question_meta if q.topic == topic.id),
            "lessons": sum(1 for x in bank.lessons if x.topic == topic.id),
            "cases": sum(1 for c in bank.cases if c.topic == topic.id),
        }
        if any(counts.values()):
            out[topic.id] = counts
    return out


def confidence_extensions(record: ResponseRecord, base: str) -> dict[str, str]:
    """xAPI result extensions of a response's confidence and error tag (under `base`):
    `ext/confidence` (`sure`, `unsure`, `guess`), `ext/error-tag` (an `ErrorTag` value) and
    `ext/error-comment` (with a `disagree` tag); only those that are set."""
    out: dict[str, str] = {}
    level = confidence_from(record.confidence)
    if level is not None:
        out[f"{base}ext/confidence"] = level.label
    if record.error_tag:
        out[f"{base}ext/error-tag"] = record.error_tag
        if record.error_comment:
            out[f"{base}ext/error-comment"] = record.error_comment
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
