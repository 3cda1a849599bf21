"""The one facade the UI talks to: content queries, quizzes, cases, progress and exports.

The TUI (and the CLI) call these methods; they never touch `content/`, `storage/` or
`export/` directly. Every method that records something commits it before returning, so an
answer the screen has acknowledged is on disk.

CONTRACT FILE — the signatures below are agreed between the store and the TUI. Methods may
be added; changing an existing signature must be announced here and both sides updated.
Added so far: `resolve_learner`, `case_run`, `mastery`.

Errors the UI should show (unknown learner, attempt, question or case; nothing to quiz on;
a closed attempt; a numeric answer that is not a finite number) are raised as ValueError
with a readable message.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from vpkp_tutor.domain.mastery import compute_mastery, weak_items
from vpkp_tutor.domain.model import (
    Case,
    ContentBank,
    Lesson,
    Question,
    QuestionMeta,
    Score,
    Topic,
)
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Dashboard,
    Learner,
    LessonProgress,
    Mastery,
    Pool,
    QuizMode,
    QuizResult,
    QuizSettings,
    ResponseRecord,
    TopicProgress,
    TopicResult,
    answer_from_json,
    answer_to_json,
    clean_name,
    content_hash,
)
from vpkp_tutor.domain.scoring import AnswerValue, CaseResult, expert_max, score, score_case_run

if TYPE_CHECKING:
    from uuid import UUID

    from vpkp_tutor.export.record import LearnerData
    from vpkp_tutor.storage.store import SqliteProgressStore


def _new_id() -> UUID:
    """A new random UUID (the uuid module is imported on first use, not at start-up)."""
    import uuid

    return uuid.uuid4()


def utc_now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Services:
    """Facade over the content bank and the progress store."""

    def __init__(
        self,
        content: ContentBank,
        store: SqliteProgressStore,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.content = content
        """The loaded content bank (valid items only; `content.problems` lists the rest)."""
        self.store = store
        self.clock = clock

    # -- content -------------------------------------------------------------------------
    def lessons_by_topic(self) -> dict[Topic, list[Lesson]]:
        """Lessons grouped by topic, in topic order then title order."""
        grouped: dict[Topic, list[Lesson]] = {t: [] for t in Topic}
        for lesson in sorted(self.content.lessons, key=lambda x: x.title):
            grouped[lesson.topic].append(lesson)
        return {t: v for t, v in grouped.items() if v}

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        return self.content.question(question_id)

    def cases(self) -> list[Case]:
        """All cases, by title."""
        return sorted(self.content.cases, key=lambda c: c.title)

    def cases_by_topic(self) -> dict[Topic, list[Case]]:
        """Cases grouped by topic, in topic order then title order."""
        grouped: dict[Topic, list[Case]] = {t: [] for t in Topic}
        for case in self.cases():
            grouped[case.topic].append(case)
        return {t: v for t, v in grouped.items() if v}

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
        learner = Learner(id=_new_id().hex, display_name=name, program=clean_name(program),
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

    # -- quizzes -------------------------------------------------------------------------
    def build_quiz(self, learner_id: str, settings: QuizSettings) -> Attempt:
        """Select questions per the settings, create and store an attempt.

        Review mode takes the due queue (spaced review), most overdue first. Raises
        ValueError with a readable message when no question matches. The seed is chosen
        when None and stored in the attempt's settings; an exam without a time limit gets
        `EXAM_SECONDS_PER_ITEM` per item.
        """
        if settings.count < 1:
            raise ValueError("a quiz needs at least one question")
        now = self.clock()
        seed = settings.seed if settings.seed is not None else random.randrange(2**31)
        chosen = self._select(learner_id, settings, now, random.Random(seed))
        limit = settings.time_limit_s
        if settings.mode is QuizMode.EXAM and limit is None:
            limit = EXAM_SECONDS_PER_ITEM * len(chosen)
        attempt = Attempt(
            id=str(_new_id()), learner_id=learner_id,
            settings=replace(settings, seed=seed, time_limit_s=limit),
            question_ids=tuple(chosen), started_at=now,
            flagged=self.store.flags(learner_id) & frozenset(chosen),
        )
        self.store.insert_attempt(attempt)
        return attempt

    def _select(self, learner_id: str, settings: QuizSettings, now: dt.datetime,
                rng: random.Random) -> list[str]:
        topics = set(settings.topics) or set(Topic)

        def eligible(q: QuestionMeta) -> bool:
            return q.topic in topics and settings.difficulty in (None, q.difficulty)

        if settings.mode is QuizMode.REVIEW:
            due = [qid for qid, _ in self.store.card_dues(learner_id, now)
                   if self.content.has_question(qid) and eligible(self.content.meta(qid))]
            if not due:
                raise ValueError("nothing is due for review right now")
            return due[: settings.count]
        candidates = sorted(q.id for q in self.content.question_meta if eligible(q))
        if settings.pool is Pool.UNUSED:
            used = self.store.answered_ids(learner_id)
            candidates = [c for c in candidates if c not in used]
        elif settings.pool is Pool.INCORRECT:
            wrong = self.store.incorrect_ids(learner_id)
            candidates = [c for c in candidates if c in wrong]
        elif settings.pool is Pool.FLAGGED:
            flagged = self.store.flags(learner_id)
            candidates = [c for c in candidates if c in flagged]
        if not candidates:
            raise ValueError(f"no {settings.pool.value} questions match these topics and "
                             "difficulty")
        rng.shuffle(candidates)
        return candidates[: settings.count]

    def record_answer(
        self, attempt_id: str, question_id: str, answer: AnswerValue, seconds: float
    ) -> Score:
        """Score and store an answer in one transaction (replacing an earlier answer to the
        same question in the same attempt), update spaced-review state, and return the score.
        """
        row = self.store.attempt_row(attempt_id)
        if row is None:
            raise ValueError(f"unknown attempt {attempt_id!r}")
        if row["finished_at"] or row["abandoned_at"]:
            raise ValueError("this attempt is closed; start a new quiz to answer again")
        question = self._question(question_id)
        record = self._score_record(attempt_id, question, answer, seconds)
        self.store.record_response(row["learner_id"], row["mode"], record, question.type)
        return Score(record.points, record.max_points)

    def set_flag(self, learner_id: str, question_id: str, flagged: bool) -> None:
        """Flag or unflag a question for the learner."""
        self.store.set_flag(learner_id, question_id, flagged, self.clock())

    def flagged(self, learner_id: str) -> frozenset[str]:
        """The learner's flagged question ids."""
        return self.store.flags(learner_id)

    def save_position(self, attempt_id: str, position: int) -> None:
        """Remember which item of an attempt is on screen."""
        self.store.set_attempt_position(attempt_id, max(0, position))

    def unfinished_attempt(self, learner_id: str) -> Attempt | None:
        """The learner's most recent unfinished attempt, with its answers, if any."""
        return self.store.latest_unfinished_attempt(learner_id)

    def finish_quiz(self, attempt_id: str) -> QuizResult:
        """Submit an attempt and return its result."""
        self._attempt(attempt_id)
        self.store.finish_attempt(attempt_id, self.clock())
        return self._result(self._attempt(attempt_id))

    def attempt_result(self, attempt_id: str) -> QuizResult:
        """The result of a finished attempt."""
        attempt = self._attempt(attempt_id)
        if attempt.finished_at is None:
            raise ValueError("this attempt has not been submitted yet")
        return self._result(attempt)

    def abandon_attempt(self, attempt_id: str) -> None:
        """Discard an unfinished attempt (its answers stay in the history)."""
        self.store.abandon_attempt(attempt_id, self.clock())

    def due_count(self, learner_id: str) -> int:
        """Questions due for spaced review now."""
        return sum(1 for qid, _ in self.store.card_dues(learner_id, self.clock())
                   if self.content.has_question(qid))

    def due_forecast(self, learner_id: str, days: int = 14) -> list[int]:
        """Reviews falling due on each of the next `days` days (index 0 = today, overdue
        included), by local calendar day."""
        counts = [0] * max(0, days)
        today = self.clock().astimezone().date()
        for qid, due in self.store.card_dues(learner_id):
            if not self.content.has_question(qid):
                continue
            offset = max(0, (due.astimezone().date() - today).days)
            if offset < days:
                counts[offset] += 1
        return counts

    # -- cases ---------------------------------------------------------------------------
    def start_case(self, learner_id: str, case_id: str) -> CaseRun:
        """Start and store a case run."""
        case = self._case(case_id)
        run = CaseRun(id=str(_new_id()), learner_id=learner_id, case_id=case_id,
                      choice_path=(), points=0, max_points=expert_max(case),
                      critical_errors=(), started_at=self.clock())
        self.store.save_case_run(run)
        return run

    def record_case_choice(self, run_id: str, choice_id: str) -> CaseResult:
        """Append a choice to a run (committed) and return the run's score so far."""
        run = self.store.get_case_run(run_id)
        if run is None:
            raise ValueError(f"unknown case run {run_id!r}")
        if run.finished_at is not None:
            raise ValueError("this case run has finished")
        case = self._case(run.case_id)
        try:
            case.choice(choice_id)
        except KeyError:
            raise ValueError(f"case {case.id!r} has no choice {choice_id!r}") from None
        path = (*run.choice_path, choice_id)
        result = score_case_run(case, path)
        self.store.save_case_run(
            replace(run, choice_path=path, points=result.points, max_points=result.max_points,
                    critical_errors=result.critical_errors,
                    finished_at=self.clock() if result.finished else None),
            end_node=result.end_node)
        return result

    def case_run(self, run_id: str) -> CaseRun:
        """A stored case run (ValueError when unknown)."""
        run = self.store.get_case_run(run_id)
        if run is None:
            raise ValueError(f"unknown case run {run_id!r}")
        return run

    # -- progress ------------------------------------------------------------------------
    def mastery(self, learner_id: str) -> tuple[dict[str, Mastery], dict[str, Mastery]]:
        """Mastery by topic value and by objective id (see domain.mastery for the formula)."""
        return self._mastery(self.store.responses(learner_id))

    def _mastery(self, responses: list[ResponseRecord]
                 ) -> tuple[dict[str, Mastery], dict[str, Mastery]]:
        qs = self.content.question_meta
        return (compute_mastery({q.id: (q.topic.value,) for q in qs}, responses),
                compute_mastery({q.id: q.objectives for q in qs}, responses))

    def dashboard(self, learner_id: str) -> Dashboard:
        """Everything the home screen shows."""
        learner = self.store.get_learner(learner_id)
        if learner is None:
            raise ValueError(f"unknown learner {learner_id!r}")
        responses = self.store.responses(learner_id)
        by_topic, by_objective = self._mastery(responses)
        progress = self.store.lesson_progress(learner_id)
        rows: list[TopicProgress] = []
        for topic in Topic:
            lessons = [x for x in self.content.lessons if x.topic is topic]
            if not lessons and topic.value not in by_topic:
                continue
            done = sum(1 for x in lessons if x.id in progress and progress[x.id].completed)
            rows.append(TopicProgress(topic, done, len(lessons), by_topic.get(
                topic.value, Mastery(topic.value, 0.0, 0, 0, 0.0))))
        lesson_ids = {x.id for x in self.content.lessons}
        open_lessons = [p for p in progress.values() if not p.completed and p.lesson_id in
                        lesson_ids]
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        weakest = sorted((m for m in by_objective.values() if m.answered_items),
                         key=lambda m: (m.value, m.key))
        return Dashboard(
            learner=learner, topics=tuple(rows), due_count=self.due_count(learner_id),
            continue_lesson=max(open_lessons, key=lambda p: p.updated_at or epoch,
                                default=None),
            unfinished_attempt=self.store.latest_unfinished_attempt(learner_id),
            weakest_objectives=tuple(weakest[:WEAKEST_OBJECTIVES]),
            weak_items=tuple(qid for qid in weak_items(responses)
                             if self.content.has_question(qid))[:WEAK_ITEMS],
        )

    def history(self, learner_id: str) -> tuple[list[QuizResult], list[CaseRun]]:
        """Finished attempts and case runs, newest first."""
        results = [self._result(a) for a in self.store.finished_attempts(learner_id)]
        runs = [r for r in self.store.case_runs(learner_id) if r.finished_at is not None]
        return results, runs

    def accuracy_over_time(self, learner_id: str) -> list[tuple[dt.date, float]]:
        """Share of points earned per day with any answer (local calendar days)."""
        points: dict[dt.date, float] = defaultdict(float)
        maxima: dict[dt.date, float] = defaultdict(float)
        for r in self.store.responses(learner_id):
            day = r.answered_at.astimezone().date()
            points[day] += r.points
            maxima[day] += r.max_points
        return [(day, points[day] / maxima[day] if maxima[day] else 0.0)
                for day in sorted(maxima)]

    # -- export --------------------------------------------------------------------------
    def export(self, learner_id: str, fmt: str, path: Path) -> Path:
        """Write the learner's scores as `csv`, `json` or `xapi` to `path`; return the path
        (for CSV, the responses file; the summary file sits beside it)."""
        from vpkp_tutor.export import write_learner_export

        return write_learner_export(self.learner_data(learner_id), self.content, fmt, path,
                                    exported_at=self.clock())

    def learner_data(self, learner_id: str) -> LearnerData:
        """Everything an export of the learner needs; the responses stream on demand."""
        from vpkp_tutor.export.record import LearnerData

        learner = self.store.get_learner(learner_id)
        if learner is None:
            raise ValueError(f"unknown learner {learner_id!r}")
        return LearnerData(
            learner=learner,
            responses=lambda: self.store.iter_response_events(learner_id),
            attempts=tuple(self.store.attempt_headers(learner_id)),
            lesson_progress=tuple(self.store.lesson_progress(learner_id).values()),
            case_runs=tuple(reversed(self.store.case_runs(learner_id))),
            flags=tuple(sorted(self.store.flags(learner_id))),
            response_rows=lambda: self.store.response_rows(learner_id),
        )

    # -- helpers -------------------------------------------------------------------------
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

    def _result(self, attempt: Attempt) -> QuizResult:
        """Points per topic over the attempt's items (each item is worth its maximum, 1)."""
        acc: dict[Topic, list[float]] = {}
        points = max_points = seconds = 0.0
        for qid in attempt.question_ids:
            response = attempt.responses.get(qid)
            earned = response.points if response else 0.0
            available = response.max_points if response else 1.0
            points += earned
            max_points += available
            seconds += response.seconds if response else 0.0
            if self.content.has_question(qid):
                row = acc.setdefault(self.content.question(qid).topic, [0.0, 0.0, 0, 0])
                row[0] += earned
                row[1] += available
                row[2] += 1 if response is not None else 0
                row[3] += 1
        by_topic = tuple(TopicResult(t, acc[t][0], acc[t][1], int(acc[t][2]), int(acc[t][3]))
                         for t in Topic if t in acc)
        return QuizResult(attempt, points, max_points, seconds, by_topic)


def _checked_answer(answer: AnswerValue) -> AnswerValue:
    """The answer as it will be stored. ValueError for anything that could not be read back
    from the store (a boolean, a list of floats, an object) and for a number that is not
    finite (or too large to be one), which no export could carry. A list is taken as the
    tuple it stands for."""
    if isinstance(answer, list):
        answer = tuple(answer)
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
EXAM_SECONDS_PER_ITEM = 90
"""Default exam time per item when the builder sets no limit."""
WEAKEST_OBJECTIVES = 5
"""How many weakest objectives the dashboard lists."""
WEAK_ITEMS = 10
"""How many weak items the dashboard lists."""
