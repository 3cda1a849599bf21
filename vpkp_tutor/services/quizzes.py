"""Quizzes: building an attempt, recording answers, flags, submitting, results and the
spaced-review queue."""

from __future__ import annotations

import datetime as dt
import random

from msgspec.structs import replace

from vpkp_tutor.domain.confidence import (
    CbmTotal,
    Confidence,
    ErrorTag,
    cbm_total,
    clean_comment,
    confidence_from,
)
from vpkp_tutor.domain.model import QuestionMeta, Score, TopicId
from vpkp_tutor.domain.progress import (
    Attempt,
    Pool,
    QuizMode,
    QuizResult,
    QuizSettings,
    TopicResult,
    time_used,
)
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services.base import ServicesBase, new_id


class QuizServices(ServicesBase):
    """Quizzes, answers, flags and the spaced-review queue."""

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
            id=str(new_id()), learner_id=learner_id,
            settings=replace(settings, seed=seed, time_limit_s=limit),
            question_ids=tuple(chosen), started_at=now,
            flagged=self.store.flags(learner_id) & frozenset(chosen),
        )
        self.store.insert_attempt(attempt)
        return attempt

    def _select(self, learner_id: str, settings: QuizSettings, now: dt.datetime,
                rng: random.Random) -> list[str]:
        topics = set(settings.topics) or {t.id for t in self.content.topics}

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
        status = self.store.attempt_status(attempt_id)
        if status is None:
            raise ValueError(f"unknown attempt {attempt_id!r}")
        if status.closed:
            raise ValueError("this attempt is closed; start a new quiz to answer again")
        question = self._question(question_id)
        record = self._score_record(attempt_id, question, answer, seconds)
        from vpkp_tutor.services.sync import answer_hook

        self.store.record_response(status.learner_id, status.mode, record, type(question),
                                   answer_hook(self.content, self._settings, status.learner_id,
                                               status.mode, record, self.clock()))
        return Score(record.points, record.max_points)

    def set_confidence(self, attempt_id: str, question_id: str,
                       confidence: Confidence | None) -> None:
        """State how sure the learner was of their stored answer to `question_id` in the
        attempt (None: not stated) and schedule its spaced review accordingly
        (`domain.confidence.review_rating`). The answer itself is already stored, so this
        may follow it at any time, even after the attempt was submitted (a timed exam that
        ran out while the question was asked). ValueError when there is no such answer."""
        from vpkp_tutor.services.sync import restate_hook

        question = self._question(question_id)
        if not self.store.set_confidence(
                attempt_id, question_id, confidence, type(question),
                outbox=restate_hook(self.content, self._settings, self.clock())):
            raise ValueError("there is no stored answer to state a confidence for")

    def set_error_tag(self, attempt_id: str, question_id: str, tag: ErrorTag | None,
                      comment: str = "") -> None:
        """Say why the stored answer to `question_id` in the attempt was wrong (None takes
        the tag back); `comment` (kept with a "disagree with the key" tag only) is cleaned
        to one line of at most `COMMENT_MAX` characters. ValueError when there is no such
        answer or it earned full marks."""
        attempt = self.store.get_attempt(attempt_id)
        record = attempt.responses.get(question_id) if attempt else None
        if record is None:
            raise ValueError("there is no stored answer to tag")
        if record.correct and tag is not None:
            raise ValueError("only a missed answer can be tagged")
        from vpkp_tutor.services.sync import restate_hook

        kept = clean_comment(comment) if tag is ErrorTag.DISAGREE else ""
        self.store.set_error_tag(attempt_id, question_id, tag, kept,
                                 outbox=restate_hook(self.content, self._settings,
                                                     self.clock()))

    def cbm(self, attempt: Attempt) -> CbmTotal:
        """Certainty-based marks over the attempt's items (unanswered items count 0)."""
        answers: list[tuple[float, Confidence | None] | None] = []
        for qid in attempt.question_ids:
            r = attempt.responses.get(qid)
            answers.append(None if r is None else (
                r.points / r.max_points if r.max_points else 0.0,
                confidence_from(r.confidence)))
        return cbm_total(answers)

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
        from vpkp_tutor.services.sync import quiz_hook

        attempt = self._attempt(attempt_id)
        now = self.clock()
        self.store.finish_attempt(attempt_id, now,
                                  quiz_hook(self.content, self._settings, attempt, now))
        return self.result_of(self._attempt(attempt_id))

    def attempt_result(self, attempt_id: str) -> QuizResult:
        """The result of a finished attempt."""
        attempt = self._attempt(attempt_id)
        if attempt.finished_at is None:
            raise ValueError("this attempt has not been submitted yet")
        return self.result_of(attempt)

    def abandon_attempt(self, attempt_id: str) -> None:
        """Discard an unfinished attempt (its answers stay in the history)."""
        from vpkp_tutor.services.sync import abandon_hook

        now = self.clock()
        self.store.abandon_attempt(attempt_id, now, abandon_hook(attempt_id, now))

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

    def result_of(self, attempt: Attempt) -> QuizResult:
        """An attempt's result: points per topic over the attempt's items (each item is worth its maximum, 1)."""
        acc: dict[TopicId, list[float]] = {}
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
        by_topic = tuple(TopicResult(t, acc[t.id][0], acc[t.id][1], int(acc[t.id][2]),
                                     int(acc[t.id][3]))
                         for t in self.content.topics if t.id in acc)
        return QuizResult(attempt, points, max_points, time_used(attempt, seconds), by_topic)


EXAM_SECONDS_PER_ITEM = 90
"""Default exam time per item when the builder sets no limit."""
