"""Content queries, learner profiles, app settings and lesson progress."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from vpkp_tutor.domain.model import Case, Lesson, Question, Score, Topic
from vpkp_tutor.domain.progress import Learner, LessonProgress, clean_name
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services.base import ServicesBase, new_id


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
    """Content queries, learners, settings and lesson progress."""

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

    # -- learners and settings -----------------------------------------------------------
    def list_learners(self) -> list[Learner]:
        """All learner profiles, by display name."""
        return self.store.list_learners()

    def create_learner(self, display_name: str, program: str = "", level: str = "") -> Learner:
        """Create a profile with a new opaque id. Names are stored as one line of plain
        text: control characters, terminal escapes and bidi overrides are removed."""
        name = clean_name(display_name)
        if not name:
            raise ValueError("a learner needs a display name")
        learner = Learner(id=new_id().hex, display_name=name, program=clean_name(program),
                          level=clean_name(level), created_at=self.clock())
        self.store.add_learner(learner)
        return learner

    def find_learner(self, name_or_id: str) -> Learner | None:
        """A learner by exact id, else by display name (case-insensitive)."""
        learner = self.store.get_learner(name_or_id)
        if learner is not None:
            return learner
        wanted = clean_name(name_or_id).casefold()
        return next((x for x in self.store.list_learners()
                     if x.display_name.casefold() == wanted), None)

    def resolve_learner(self, name_or_id: str) -> Learner:
        """Like `find_learner`, but raise ValueError with a readable message when no learner
        or more than one learner (by display name) matches."""
        learner = self.store.get_learner(name_or_id)
        if learner is not None:
            return learner
        wanted = clean_name(name_or_id).casefold()
        matches = [x for x in self.store.list_learners()
                   if x.display_name.casefold() == wanted]
        if len(matches) > 1:
            ids = ", ".join(x.id for x in matches)
            raise ValueError(f"more than one learner is called {name_or_id!r}; use an id: {ids}")
        if not matches:
            known = ", ".join(x.display_name for x in self.store.list_learners()) or "none yet"
            raise ValueError(f"no learner with id or name {name_or_id!r} (learners: {known})")
        return matches[0]

    def get_setting(self, key: str, default: str = "") -> str:
        """An app setting (e.g. `theme`, `last_learner`)."""
        return self.store.get_setting(key, default)

    def set_setting(self, key: str, value: str) -> None:
        """Store an app setting. `desired_retention` (FSRS, 0.70–0.97) raises ValueError when
        out of range."""
        self.store.set_setting(key, value)

    def desired_retention(self) -> float:
        """The desired retention spaced review uses now (the setting, or its default)."""
        return self.store.scheduler.desired_retention

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
