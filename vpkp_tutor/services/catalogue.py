"""Content queries, the app's settings and lesson progress (learner profiles: `learners`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from vpkp_tutor.domain.model import Case, Lesson, Question, Score, Topic
from vpkp_tutor.domain.progress import LessonProgress
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services.base import ServicesBase
from vpkp_tutor.services.settings import AppSettings, UiRules, save_changes


class _Filed(Protocol):
    """Something filed under a topic, with a title."""

    @property
    def topic(self) -> Topic: ...
    @property
    def title(self) -> str: ...


_F = TypeVar("_F", bound=_Filed)


def by_topic(items: Iterable[_F]) -> dict[Topic, list[_F]]:
    """`items` grouped by topic, in topic order then title order (empty topics left out)."""
    grouped: dict[Topic, list[_F]] = {t: [] for t in Topic}
    for item in sorted(items, key=lambda x: x.title):
        grouped[item.topic].append(item)
    return {t: v for t, v in grouped.items() if v}


class CatalogueServices(ServicesBase):
    """Content queries, settings and lesson progress."""

    # -- content -------------------------------------------------------------------------
    def lessons_by_topic(self) -> dict[Topic, list[Lesson]]:
        """Lessons grouped by topic, in topic order then title order."""
        return by_topic(self.content.lessons)

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return self.content.question(question_id)

    def cases(self) -> list[Case]:
        """All cases, by title."""
        return sorted(self.content.cases, key=lambda c: c.title)

    def cases_by_topic(self) -> dict[Topic, list[Case]]:
        """Cases grouped by topic, in topic order then title order."""
        return by_topic(self.content.cases)

    # -- settings ------------------------------------------------------------------------
    @property
    def settings(self) -> AppSettings:
        """The app's settings (as stored when the services were made or last loaded, with
        the changes saved since)."""
        return self._settings

    def load_settings(self, rules: UiRules) -> dict[str, str]:
        """Read every setting again, checked with the user interface's `rules`; return, by
        key, why a stored value was left out (its default applies)."""
        self._settings, refused = self._load_settings(rules)
        return refused

    def save_settings(self, settings: AppSettings) -> None:
        """Store the settings that changed (values already checked) and apply them."""
        save_changes(self.store, self.settings, settings)
        self._settings = settings
        self.store.use_retention(settings.desired_retention)

    # -- lessons -------------------------------------------------------------------------
    def lesson_progress(self, learner_id: str) -> dict[str, LessonProgress]:
        """Progress for every lesson the learner has opened, by lesson id."""
        return self.store.lesson_progress(learner_id)

    def save_lesson_position(self, learner_id: str, lesson_id: str, position: int) -> None:
        """Remember the step on screen."""
        self.store.save_lesson(learner_id, lesson_id, self.clock(), position=max(0, position))

    def complete_lesson(self, learner_id: str, lesson_id: str) -> None:
        """Mark a lesson complete."""
        self.store.save_lesson(learner_id, lesson_id, self.clock(), completed=True)

    def answer_lesson_check(
        self, learner_id: str, lesson_id: str, question_id: str, answer: AnswerValue,
        seconds: float,
    ) -> Score:
        """Score and record an embedded check answered inside a lesson."""
        question = self._question(question_id)
        record = self._score_record(f"lesson:{lesson_id}", question, answer, seconds)
        self.store.record_response(learner_id, "lesson", record, question.type)
        return Score(record.points, record.max_points)
