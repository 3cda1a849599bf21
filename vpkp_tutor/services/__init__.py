"""The one facade the UI talks to: content queries, quizzes, cases, progress and exports.

The TUI (and the CLI) call these methods; they never touch `content/`, `storage/` or
`export/` directly. Every method that records something commits it before returning, so an
answer the screen has acknowledged is on disk.

CONTRACT — the signatures of `Services` are agreed between the store and the TUI. `Services`
holds one part per concern (`catalogue`, `learners`, `quizzes`, `cases`, `progress`, each in
its module; what they share is in `base`), all over one `ProgressStore` (the protocol in
`storage.base`), and forwards each method to its part. Methods may be added; changing an existing signature
must be announced here and both sides updated. Added so far: `resolve_learner`, `case_run`,
`cases_by_topic`, `learner_summaries`, `open_learner`, `rename_learner`, `delete_learner`
(and `create_learner` now refuses a name another learner has, raising
`learners.NameTakenError`), `lessons`, `lesson`, `case`, `known_questions`,
`objective_texts`, `content_problems`, `files_left_out`, `best_case_results`,
`export_formats`, `course`, `topics`, `topic_label`, and the typed settings: `settings`,
`load_settings`, `save_settings` (replacing `get_setting`, `set_setting` and
`desired_retention`; `mastery` is gone, unused), `set_confidence`, `set_error_tag`, `cbm`,
`calibration`, `error_profile`, `answered_by_course`.

Errors the UI should show (unknown learner, attempt, question or case; nothing to quiz on;
a closed attempt; a numeric answer that is not a finite number) are raised as ValueError
with a readable message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.domain.confidence import CalibrationRow, CbmTotal, Confidence, ErrorTag
from vpkp_tutor.domain.model import (
    Case,
    ContentBank,
    ContentProblem,
    Course,
    Lesson,
    Question,
    Score,
    Topic,
    TopicId,
)
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Dashboard,
    Learner,
    LessonProgress,
    QuizResult,
    QuizSettings,
)
from vpkp_tutor.domain.scoring import AnswerValue, CaseResult
from vpkp_tutor.services.base import utc_now
from vpkp_tutor.services.cases import CaseServices
from vpkp_tutor.services.catalogue import CatalogueServices
from vpkp_tutor.services.learners import LearnerServices, LearnerSummary
from vpkp_tutor.services.progress import ProgressServices
from vpkp_tutor.services.quizzes import QuizServices
from vpkp_tutor.services.settings import AppSettings, UiRules
from vpkp_tutor.storage import is_disk_full  # the store's test, for the screens

if TYPE_CHECKING:
    from vpkp_tutor.export.formats import ExportFormat
    from vpkp_tutor.export.record import LearnerData
    from vpkp_tutor.services.sync import Sent
    from vpkp_tutor.storage.base import ProgressStore

__all__ = ["Services", "is_disk_full", "utc_now"]


class Services:
    """Facade over the content bank and the progress store: one part per concern, each
    method forwarded to its part."""

    def __init__(
        self,
        content: ContentBank,
        store: ProgressStore,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.content = content
        """The loaded content bank (valid items only; `content.problems` lists the rest)."""
        self.store = store
        if content.course.id:  # progress is kept per course
            store.course_id = content.course.id
        self._catalogue = CatalogueServices(content, store, clock)
        shared = self._catalogue._shared  # one settings object for every part
        self._learners = LearnerServices(content, store, clock, shared)
        self._quizzes = QuizServices(content, store, clock, shared)
        self._cases = CaseServices(content, store, clock, shared)
        self._progress = ProgressServices(content, store, clock, self._quizzes, shared)
        self._parts = (self._catalogue, self._learners, self._quizzes, self._cases,
                       self._progress)

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        """The clock every part reads (UTC, timezone-aware)."""
        return self._quizzes.clock

    @clock.setter
    def clock(self, clock: Callable[[], dt.datetime]) -> None:
        for part in self._parts:
            part.clock = clock

    @property
    def store_notices(self) -> tuple[str, ...]:
        """What opening the progress store did that the learner should know (a `-wal` file
        that did not belong to the database, set aside unapplied)."""
        return self.store.notices

    # -- catalogue ----------------------------------------------------------------------
    @property
    def course(self) -> Course:
        """The open course (id, title, version, topics)."""
        return self._catalogue.course

    def topics(self) -> tuple[Topic, ...]:
        """The course's topics, in display order."""
        return self._catalogue.topics()

    def topic_label(self, topic_id: TopicId) -> str:
        """The label of a topic (its id when the course does not declare it)."""
        return self._catalogue.topic_label(topic_id)

    def lessons_by_topic(self) -> dict[Topic, list[Lesson]]:
        """Lessons grouped by topic, in topic order then title order."""
        return self._catalogue.lessons_by_topic()

    def lessons(self) -> tuple[Lesson, ...]:
        """Every loaded lesson, in content order."""
        return self._catalogue.lessons()

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None when it is not in the content (any more)."""
        return self._catalogue.lesson(lesson_id)

    def case(self, case_id: str) -> Case | None:
        """The case with this id, or None when it is not in the content (any more)."""
        return self._catalogue.case(case_id)

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return self._catalogue.question(question_id)

    def known_questions(self, question_ids: Iterable[str]) -> list[str]:
        """The ids among `question_ids` that are in the content, in the order given."""
        return self._catalogue.known_questions(question_ids)

    def objective_texts(self) -> dict[str, str]:
        """Every lesson objective's text, by objective id."""
        return self._catalogue.objective_texts()

    def content_problems(self) -> tuple[ContentProblem, ...]:
        """What was wrong with the content files (files left out, items skipped)."""
        return self._catalogue.content_problems()

    def files_left_out(self) -> int:
        """How many content files could not be loaded at all."""
        return self._catalogue.files_left_out()

    def cases(self) -> list[Case]:
        """All cases, by title."""
        return self._catalogue.cases()

    def cases_by_topic(self) -> dict[Topic, list[Case]]:
        """Cases grouped by topic, in topic order then title order."""
        return self._catalogue.cases_by_topic()

    @property
    def settings(self) -> AppSettings:
        """The app's settings (as stored when the services were made or last loaded, with
        the changes saved since)."""
        return self._catalogue.settings

    def load_settings(self, rules: UiRules) -> dict[str, str]:
        """Read every setting again, checked with the user interface's `rules`; return, by
        key, why a stored value was left out (its default applies)."""
        return self._catalogue.load_settings(rules)

    def save_settings(self, settings: AppSettings) -> None:
        """Store the settings that changed (values already checked) and apply them."""
        self._catalogue.save_settings(settings)

    def lesson_progress(self, learner_id: str) -> dict[str, LessonProgress]:
        """Progress for every lesson the learner has opened, by lesson id."""
        return self._catalogue.lesson_progress(learner_id)

    def save_lesson_position(self, learner_id: str, lesson_id: str, position: int) -> None:
        """Remember the step on screen."""
        return self._catalogue.save_lesson_position(learner_id, lesson_id, position)

    def complete_lesson(self, learner_id: str, lesson_id: str) -> None:
        """Mark a lesson complete."""
        return self._catalogue.complete_lesson(learner_id, lesson_id)

    def answer_lesson_check(
        self, learner_id: str, lesson_id: str, question_id: str, answer: AnswerValue, seconds: float,
    ) -> Score:
        """Score and record an embedded check answered inside a lesson."""
        return self._catalogue.answer_lesson_check(learner_id, lesson_id, question_id, answer, seconds)

    def set_lesson_confidence(self, learner_id: str, lesson_id: str, question_id: str,
                              confidence: Confidence | None) -> None:
        """State how sure the learner was of their latest answer to a lesson's check."""
        return self._catalogue.set_lesson_confidence(learner_id, lesson_id, question_id,
                                                     confidence)

    # -- learners -----------------------------------------------------------------------
    def list_learners(self) -> list[Learner]:
        """All learner profiles, by display name."""
        return self._learners.list_learners()

    def learner_summaries(self, learners: list[Learner] | None = None) -> list[LearnerSummary]:
        """Each learner (all by default)"""
        return self._learners.learner_summaries(learners)

    def create_learner(self, display_name: str, program: str = "", level: str = "") -> Learner:
        """Create a profile with a new opaque id."""
        return self._learners.create_learner(display_name, program, level)

    def find_learner(self, name_or_id: str) -> Learner | None:
        """A learner by id or name; None when there is none, or several."""
        return self._learners.find_learner(name_or_id)

    def resolve_learner(self, name_or_id: str) -> Learner:
        """A learner by id, name or id prefix (ValueError when none, or several)."""
        return self._learners.resolve_learner(name_or_id)

    def open_learner(self, name_or_id: str) -> Learner:
        """The learner to open the app as: found, or created with this name."""
        return self._learners.open_learner(name_or_id)

    def rename_learner(self, name_or_id: str, new_name: str) -> tuple[Learner, Learner]:
        """Rename a learner; returns the learner before and after."""
        return self._learners.rename_learner(name_or_id, new_name)

    def delete_learner(self, learner_id: str) -> bool:
        """Delete a learner and all their progress; True when there was one."""
        return self._learners.delete_learner(learner_id)

    # -- quizzes ------------------------------------------------------------------------
    def build_quiz(self, learner_id: str, settings: QuizSettings) -> Attempt:
        """Select questions per the settings, create and store an attempt."""
        return self._quizzes.build_quiz(learner_id, settings)

    def record_answer(
        self, attempt_id: str, question_id: str, answer: AnswerValue, seconds: float,
    ) -> Score:
        """Score and store an answer (committed); return the score."""
        return self._quizzes.record_answer(attempt_id, question_id, answer, seconds)

    def set_confidence(self, attempt_id: str, question_id: str,
                       confidence: Confidence | None) -> None:
        """State the confidence of a stored answer and reschedule its review."""
        return self._quizzes.set_confidence(attempt_id, question_id, confidence)

    def set_error_tag(self, attempt_id: str, question_id: str, tag: ErrorTag | None,
                      comment: str = "") -> None:
        """Tag why a stored, missed answer was wrong (with a comment for a disagreement)."""
        return self._quizzes.set_error_tag(attempt_id, question_id, tag, comment)

    def cbm(self, attempt: Attempt) -> CbmTotal:
        """Certainty-based marks over an attempt's items."""
        return self._quizzes.cbm(attempt)

    def set_flag(self, learner_id: str, question_id: str, flagged: bool) -> None:
        """Flag or unflag a question for the learner."""
        return self._quizzes.set_flag(learner_id, question_id, flagged)

    def flagged(self, learner_id: str) -> frozenset[str]:
        """The learner's flagged question ids."""
        return self._quizzes.flagged(learner_id)

    def save_position(self, attempt_id: str, position: int) -> None:
        """Remember which item of an attempt is on screen."""
        return self._quizzes.save_position(attempt_id, position)

    def unfinished_attempt(self, learner_id: str) -> Attempt | None:
        """The learner's most recent unfinished attempt, with its answers, if any."""
        return self._quizzes.unfinished_attempt(learner_id)

    def finish_quiz(self, attempt_id: str) -> QuizResult:
        """Submit an attempt and return its result."""
        return self._quizzes.finish_quiz(attempt_id)

    def attempt_result(self, attempt_id: str) -> QuizResult:
        """The result of a finished attempt."""
        return self._quizzes.attempt_result(attempt_id)

    def abandon_attempt(self, attempt_id: str) -> None:
        """Discard an unfinished attempt (its answers stay in the history)."""
        return self._quizzes.abandon_attempt(attempt_id)

    def due_count(self, learner_id: str) -> int:
        """Questions due for spaced review now."""
        return self._quizzes.due_count(learner_id)

    def due_forecast(self, learner_id: str, days: int = 14) -> list[int]:
        """Reviews falling due on each of the next `days` days."""
        return self._quizzes.due_forecast(learner_id, days)

    # -- cases --------------------------------------------------------------------------
    def start_case(self, learner_id: str, case_id: str) -> CaseRun:
        """Start and store a case run."""
        return self._cases.start_case(learner_id, case_id)

    def open_case_run(self, learner_id: str, case_id: str) -> tuple[CaseRun, CaseResult]:
        """The learner's run of this case left before its end (to resume), else a new one;
        with its score so far."""
        return self._cases.open_case_run(learner_id, case_id)

    def record_case_choice(self, run_id: str, choice_id: str) -> CaseResult:
        """Append a choice to a run (committed)"""
        return self._cases.record_case_choice(run_id, choice_id)

    def case_run(self, run_id: str) -> CaseRun:
        """A stored case run (ValueError when unknown)."""
        return self._cases.case_run(run_id)

    def best_case_results(self, learner_id: str) -> dict[str, float]:
        """The learner's best finished result per case, by case id."""
        return self._cases.best_case_results(learner_id)

    # -- progress -----------------------------------------------------------------------
    def answered_by_course(self, learner_id: str) -> dict[str, int]:
        """How many distinct questions the learner has answered in each course (by course
        id), not only the open one (the course picker shows them)."""
        return self._progress.answered_by_course(learner_id)

    def dashboard(self, learner_id: str) -> Dashboard:
        """Everything the home screen shows."""
        return self._progress.dashboard(learner_id)

    def history(self, learner_id: str) -> tuple[list[QuizResult], list[CaseRun]]:
        """Finished attempts and case runs, newest first."""
        return self._progress.history(learner_id)

    def accuracy_over_time(self, learner_id: str) -> list[tuple[dt.date, float]]:
        """Share of points earned per day with any answer (local calendar days)."""
        return self._progress.accuracy_over_time(learner_id)

    def calibration(self, learner_id: str) -> tuple[CalibrationRow, ...]:
        """Accuracy at each stated confidence."""
        return self._progress.calibration(learner_id)

    def error_profile(self, learner_id: str) -> dict[str, dict[ErrorTag, int]]:
        """Tagged misses by reason, per topic id."""
        return self._progress.error_profile(learner_id)

    def export_formats(self) -> tuple[ExportFormat, ...]:
        """The export formats (name, label, suffix …), the default first."""
        return self._progress.export_formats()

    def export(self, learner_id: str, fmt: str, path: Path, *, overwrite: bool = False) -> Path:
        """Write the learner's scores as `fmt` to `path`; return the path written."""
        return self._progress.export(learner_id, fmt, path, overwrite=overwrite)

    def learner_data(self, learner_id: str) -> LearnerData:
        """Everything an export of the learner needs; the responses stream on demand."""
        return self._progress.learner_data(learner_id)

    def sync_status(self, learner_id: str) -> str:
        """`12 waiting · last sent 10:42` for the learner's xAPI outbox, or "" when no
        Learning Record Store is set."""
        if not self.settings.lrs_endpoint:
            return ""  # nothing more is imported at start-up
        from vpkp_tutor.services.sync import status_line

        return status_line(self.store, self.settings, learner_id)

    def sync_now(self, learner_id: str, catch_up: bool, cancelled: Callable[[], bool],
                 wait: Callable[[float], object]) -> Sent:
        """Send the learner's statements to the LRS now (the app's background sync; run in
        a thread): brought up to date with the history first when `catch_up`."""
        from vpkp_tutor.services.sync import sync_learner

        return sync_learner(self.store, self.content, self.settings,
                            (lambda: self.learner_data(learner_id)) if catch_up else None,
                            learner_id, self.clock, cancelled, wait)
