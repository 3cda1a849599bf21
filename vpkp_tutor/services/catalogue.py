"""Content queries, the app's settings and lesson progress (learner profiles: `learners`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from vpkp_tutor.domain.confidence import Confidence
from vpkp_tutor.domain.model import (
    Case,
    ContentProblem,
    Course,
    Lesson,
    Question,
    Score,
    Topic,
    TopicId,
)
from vpkp_tutor.domain.progress import LessonProgress
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services.base import ServicesBase
from vpkp_tutor.services.settings import AppSettings, UiRules, save_changes


class _Filed(Protocol):
    """Something filed under a topic, with a title."""

    @property
    def topic(self) -> TopicId: ...
    @property
    def title(self) -> str: ...


_F = TypeVar("_F", bound=_Filed)


def by_topic(items: Iterable[_F], topics: Iterable[Topic]) -> dict[Topic, list[_F]]:
    """`items` grouped by topic, in the order of `topics` then title order (empty topics
    left out)."""
    grouped: dict[TopicId, list[_F]] = {t.id: [] for t in topics}
    for item in sorted(items, key=lambda x: x.title):
        grouped.setdefault(item.topic, []).append(item)
    order = {t.id: t for t in topics}
    return {order[t]: v for t, v in grouped.items() if v and t in order}


class CatalogueServices(ServicesBase):
    """Content queries, settings and lesson progress."""

    # -- content -------------------------------------------------------------------------
    @property
    def course(self) -> Course:
        """The open course (its id, title, version and topics)."""
        return self.content.course

    def topics(self) -> tuple[Topic, ...]:
        """The course's topics, in display order."""
        return self.content.topics

    def topic_label(self, topic_id: TopicId) -> str:
        """The label of a topic (its id when the course does not declare it)."""
        return self.content.course.label(topic_id)

    def lessons_by_topic(self) -> dict[Topic, list[Lesson]]:
        """Lessons grouped by topic, in topic order then title order."""
        return by_topic(self.content.lessons, self.content.topics)

    def lessons(self) -> tuple[Lesson, ...]:
        """Every loaded lesson, in content order."""
        return self.content.lessons

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None when it is not in the content (any more)."""
        try:
            return self.content.lesson(lesson_id)
        except KeyError:
            return None

    def case(self, case_id: str) -> Case | None:
        """The case with this id, or None when it is not in the content (any more)."""
        try:
            return self.content.case(case_id)
        except KeyError:
            return None

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return self.content.question(question_id)

    def known_questions(self, question_ids: Iterable[str]) -> list[str]:
        """The ids among `question_ids` that are in the content, in the order given (an
        attempt or a lesson may name an item since removed from the bank)."""
        return [q for q in question_ids if self.content.has_question(q)]

    def objective_texts(self) -> dict[str, str]:
        """Every lesson objective's text, by objective id."""
        return {o.id: o.text for lesson in self.content.lessons for o in lesson.objectives}

    def content_problems(self) -> tuple[ContentProblem, ...]:
        """What was wrong with the content files (files left out, items skipped)."""
        return self.content.problems

    def files_left_out(self) -> int:
        """How many content files could not be loaded at all."""
        content = self.content
        return len(set(content.skipped_files)) or len(
            {p.path for p in content.problems if p.severity == "error"})

    def cases(self) -> list[Case]:
        """All cases, by title."""
        return sorted(self.content.cases, key=lambda c: c.title)

    def cases_by_topic(self) -> dict[Topic, list[Case]]:
        """Cases grouped by topic, in topic order then title order."""
        return by_topic(self.content.cases, self.content.topics)

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
        from vpkp_tutor.services.sync import lesson_hook

        now = self.clock()
        self.store.save_lesson(learner_id, lesson_id, now, completed=True,
                               outbox=lesson_hook(self.content, self._settings, learner_id,
                                                  lesson_id, now))

    def answer_lesson_check(
        self, learner_id: str, lesson_id: str, question_id: str, answer: AnswerValue,
        seconds: float,
    ) -> Score:
        """Score and record an embedded check answered inside a lesson."""
        question = self._question(question_id)
        record = self._score_record(f"lesson:{lesson_id}", question, answer, seconds)
        from vpkp_tutor.services.sync import answer_hook

        self.store.record_response(learner_id, "lesson", record, type(question),
                                   answer_hook(self.content, self._settings, learner_id,
                                               "lesson", record, self.clock()))
        return Score(record.points, record.max_points)

    def set_lesson_confidence(self, learner_id: str, lesson_id: str, question_id: str,
                              confidence: Confidence | None) -> None:
        """State how sure the learner was of their latest answer to a lesson's check (None:
        not stated): kept with the answer, its spaced review rescheduled and its statement
        queued again, as for a quiz answer. ValueError when there is no such answer."""
        from vpkp_tutor.services.sync import restate_hook

        question = self._question(question_id)
        if not self.store.set_confidence(
                f"lesson:{lesson_id}", question_id, confidence, type(question),
                learner_id=learner_id,
                outbox=restate_hook(self.content, self._settings, self.clock())):
            raise ValueError("there is no stored answer to state a confidence for")
