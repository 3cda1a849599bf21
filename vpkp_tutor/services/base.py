"""What every part of the services facade shares: the content bank, the store, the clock, the
lookups of questions, cases and attempts, and how an answer is checked and scored."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from vpkp_tutor.domain.model import Case, ContentBank, Question
from vpkp_tutor.domain.progress import (
    WHOLE_ANSWER_BOUNDS,
    Attempt,
    ResponseRecord,
    answer_from_json,
    answer_to_json,
    content_hash,
)
from vpkp_tutor.domain.scoring import AnswerValue, score
from vpkp_tutor.services.settings import SHAPE_ONLY, AppSettings, UiRules, load_settings

if TYPE_CHECKING:
    from uuid import UUID

    from vpkp_tutor.storage.base import ProgressStore


def new_id() -> UUID:
    """A new random UUID (the uuid module is imported on first use, not at start-up)."""
    import uuid

    return uuid.uuid4()


def utc_now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class SharedSettings:
    """The settings every part of the facade reads: one object, so a change saved through
    one part is seen by all."""

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings


class ServicesBase:
    """The content bank, the store and the clock every part of the facade works with, and
    the lookups they share. Each part (`catalogue`, `learners`, `quizzes`, `cases`,
    `progress`) is one of these; `Services` holds one of each."""

    def __init__(
        self,
        content: ContentBank,
        store: ProgressStore,
        clock: Callable[[], dt.datetime] = utc_now,
        shared: SharedSettings | None = None,
    ) -> None:
        self.content = content
        """The loaded content bank (valid items only; `content.problems` lists the rest)."""
        self.store = store
        self.clock = clock
        self._shared = shared or SharedSettings(self._load_settings(SHAPE_ONLY)[0])

    @property
    def _settings(self) -> AppSettings:
        return self._shared.settings

    @_settings.setter
    def _settings(self, settings: AppSettings) -> None:
        self._shared.settings = settings

    def _load_settings(self, rules: UiRules) -> tuple[AppSettings, dict[str, str]]:
        """The stored settings checked with `rules`; the desired retention is applied."""
        settings, refused = load_settings(self.store, rules)
        self.store.use_retention(settings.desired_retention)
        return settings, refused

    @property
    def store_notices(self) -> tuple[str, ...]:
        """What opening the progress store did that the learner should know (a `-wal` file
        that did not belong to the database, set aside unapplied)."""
        return self.store.notices

    def _question(self, question_id: str) -> Question:
        if not self.content.has_question(question_id):
            raise ValueError(f"unknown question {question_id!r}")
        return self.content.question(question_id)

    def _case(self, case_id: str) -> Case:
        try:
            return self.content.case(case_id)
        except KeyError:
            raise ValueError(f"unknown case {case_id!r}") from None

    def _attempt(self, attempt_id: str) -> Attempt:
        attempt = self.store.get_attempt(attempt_id)
        if attempt is None:
            raise ValueError(f"unknown attempt {attempt_id!r}")
        return attempt

    def _score_record(self, attempt_id: str, question: Question, answer: AnswerValue,
                      seconds: float) -> ResponseRecord:
        answer = _checked_answer(answer)
        result = score(question, answer)
        return ResponseRecord(
            attempt_id=attempt_id, question_id=question.id, content_hash=content_hash(question),
            answer=answer, points=result.points, max_points=result.max_points,
            correct=result.correct, seconds=_checked_seconds(seconds), answered_at=self.clock(),
        )

def _checked_answer(answer: AnswerValue) -> AnswerValue:
    """The answer as it will be stored. ValueError for anything that could not be read back
    from the store (a boolean, a list of floats, an object) and for a number that is not
    finite (or too large to be one), or a whole number in a list beyond 64 bits, which no
    export could carry. A list is taken as the tuple it stands for."""
    if isinstance(answer, list):
        answer = tuple(answer)
    low, high = WHOLE_ANSWER_BOUNDS
    if isinstance(answer, tuple) and any(
            isinstance(item, int) and not low <= item <= high for item in answer):
        raise ValueError(f"not an answer: {answer!r} (a whole number in an answer has at "
                         "most 64 bits, as exports carry it)")
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        try:
            value = float(answer)
        except OverflowError:
            raise ValueError("a numeric answer must be a finite number") from None
        if math.isinf(value):
            raise ValueError("a numeric answer must be a finite number")
        return value
    try:
        if answer_from_json(json.loads(json.dumps(answer_to_json(answer)))) != answer:
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"not an answer: {answer!r}") from None
    return answer


def _checked_seconds(seconds: float) -> float:
    """Time spent on an answer: 0 (unknown) when negative, not a number or infinite, and
    at most `MAX_ANSWER_SECONDS`."""
    try:
        value = float(seconds)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if not math.isfinite(value) or value < 0:
        return 0.0
    return min(value, MAX_ANSWER_SECONDS)


MAX_ANSWER_SECONDS = 7 * 24 * 3600.0
"""Longest time recorded for one answer (a week: the app was left open)."""
