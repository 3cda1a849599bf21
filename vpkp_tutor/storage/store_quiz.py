"""Quiz attempts, responses, flags, spaced-review cards and case runs in the SQLite store.

`record_response` is the heart of it: the response row and the FSRS card update happen in
one transaction. Replacing an answer within the same attempt keeps the response id and
re-reviews the card from the state it had before that attempt's first answer, so changing
one's mind in an exam does not count as two reviews.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from vpkp_tutor.domain.confidence import (
    Confidence,
    ErrorTag,
    confidence_from,
    error_tag_from,
    review_rating,
)
from vpkp_tutor.domain.model import Difficulty, Question
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    Pool,
    QuizMode,
    QuizSettings,
    ResponseEvent,
    ResponseRecord,
    ResponseRow,
    answer_from_json,
    answer_to_json,
    iso_utc,
    parse_utc,
)
from vpkp_tutor.storage.base import AttemptStatus, OnCommit, Restated, StoreBase
from vpkp_tutor.storage.review import rating_for

LESSON_PREFIX = "lesson:"
"""Attempt id prefix of embedded lesson checks (`lesson:<lesson id>`); answers append."""
CANONICAL_TIME_GLOB = (
    "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
    ".[0-9][0-9][0-9][0-9][0-9][0-9]Z"
)
"""GLOB pattern of a timestamp in `iso_utc` form (how every response time is stored)."""
RESPONSE_ROWS_SQL = (
    "SELECT answered_at, answered_at GLOB '" + CANONICAL_TIME_GLOB + "'"
    " AND typeof(points) = 'real' AND typeof(max_points) = 'real'"
    " AND typeof(seconds) = 'real' AS plain,"
    " mode, attempt_id, question_id, points, max_points, correct <> 0 AS correct, seconds,"
    " content_hash, id, answer_json, confidence, error_tag, error_comment"
    " FROM response WHERE learner_id = ? AND course_id = ? ORDER BY answered_at, seq"
)
"""One learner's responses as `ResponseRow` tuples, oldest first."""


def settings_to_json(s: QuizSettings) -> str:
    """Serialise quiz settings."""
    return json.dumps({
        "mode": s.mode.value, "topics": list(s.topics), "count": s.count,
        "difficulty": s.difficulty.value if s.difficulty else None, "pool": s.pool.value,
        "time_limit_s": s.time_limit_s, "seed": s.seed,
    }, sort_keys=True)


def settings_from_json(text: str) -> QuizSettings:
    """Rebuild quiz settings from `settings_to_json` output."""
    d = json.loads(text)
    return QuizSettings(
        mode=QuizMode(d["mode"]), topics=tuple(str(t) for t in d["topics"]),
        count=int(d["count"]),
        difficulty=Difficulty(d["difficulty"]) if d.get("difficulty") else None,
        pool=Pool(d["pool"]), time_limit_s=d.get("time_limit_s"), seed=d.get("seed"),
    )


def _record(r: sqlite3.Row) -> ResponseRecord:
    return ResponseRecord(
        attempt_id=r["attempt_id"], question_id=r["question_id"],
        content_hash=r["content_hash"], answer=answer_from_json(json.loads(r["answer_json"])),
        points=float(r["points"]), max_points=float(r["max_points"]),
        correct=bool(r["correct"]), seconds=float(r["seconds"]),
        answered_at=parse_utc(r["answered_at"]),
        confidence=confidence_from(r["confidence"]),
        error_tag=r["error_tag"] if error_tag_from(r["error_tag"]) else None,
        error_comment=str(r["error_comment"] or ""),
    )


def _case_run(r: sqlite3.Row) -> CaseRun:
    return CaseRun(
        id=r["id"], learner_id=r["learner_id"], case_id=r["case_id"],
        choice_path=tuple(json.loads(r["choice_path"])), points=int(r["points"]),
        max_points=int(r["max_points"]), critical_errors=tuple(json.loads(r["critical"])),
        started_at=parse_utc(r["started_at"]),
        finished_at=parse_utc(r["finished_at"]) if r["finished_at"] else None,
    )


class QuizTables(StoreBase):
    """Attempts, responses, flags, review cards and case runs."""

    # -- attempts ------------------------------------------------------------------------
    def insert_attempt(self, attempt: Attempt) -> None:
        """Store a new attempt."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO attempt(id, learner_id, course_id, mode, settings_json,"
                " question_ids, time_limit_s, started_at, position) VALUES (?,?,?,?,?,?,?,?,?)",
                (attempt.id, attempt.learner_id, self.course_id, attempt.settings.mode.value,
                 settings_to_json(attempt.settings), json.dumps(list(attempt.question_ids)),
                 attempt.settings.time_limit_s, iso_utc(attempt.started_at), attempt.position),
            )

    def attempt_row(self, attempt_id: str) -> sqlite3.Row | None:
        """The raw attempt row (for status columns such as `abandoned_at`)."""
        rows = self.query("SELECT * FROM attempt WHERE id = ?", (attempt_id,))
        return rows[0] if rows else None

    def attempt_status(self, attempt_id: str) -> AttemptStatus | None:
        """Whose attempt this is, its mode and whether it is closed; None when unknown."""
        rows = self.query("SELECT learner_id, mode, finished_at, abandoned_at FROM attempt "
                          "WHERE id = ?", (attempt_id,))
        if not rows:
            return None
        row = rows[0]
        return AttemptStatus(row["learner_id"], row["mode"],
                             bool(row["finished_at"] or row["abandoned_at"]))

    def get_attempt(self, attempt_id: str) -> Attempt | None:
        """The attempt with its answers and the learner's flags, or None."""
        row = self.attempt_row(attempt_id)
        return self._attempt(row) if row else None

    def _attempt(self, row: sqlite3.Row) -> Attempt:
        qids = tuple(json.loads(row["question_ids"]))
        responses = {
            r.question_id: r
            for r in map(_record, self.query(
                "SELECT * FROM response WHERE attempt_id = ? ORDER BY answered_at, seq",
                (row["id"],)))
        }
        return Attempt(
            id=row["id"], learner_id=row["learner_id"],
            settings=settings_from_json(row["settings_json"]), question_ids=qids,
            started_at=parse_utc(row["started_at"]),
            finished_at=parse_utc(row["finished_at"]) if row["finished_at"] else None,
            responses=responses, flagged=self.flags(row["learner_id"]) & frozenset(qids),
            position=int(row["position"]),
        )

    def set_attempt_position(self, attempt_id: str, position: int) -> None:
        """Remember the item on screen."""
        with self.transaction() as c:
            c.execute("UPDATE attempt SET position = ? WHERE id = ?", (position, attempt_id))

    def finish_attempt(self, attempt_id: str, now: dt.datetime,
                       outbox: OnCommit | None = None) -> None:
        """Mark an attempt submitted (a second submit keeps the first time; `outbox`
        queues the first submission's xAPI statements in the same transaction)."""
        with self.transaction() as c:
            done = c.execute("UPDATE attempt SET finished_at = ? WHERE id = ? AND"
                             " finished_at IS NULL", (iso_utc(now), attempt_id)).rowcount
            if done and outbox is not None:
                outbox(c)

    def abandon_attempt(self, attempt_id: str, now: dt.datetime,
                        outbox: OnCommit | None = None) -> None:
        """Mark an unfinished attempt abandoned (`outbox` voids its statements in the same
        transaction)."""
        with self.transaction() as c:
            done = c.execute("UPDATE attempt SET abandoned_at = ? WHERE id = ? AND"
                             " finished_at IS NULL", (iso_utc(now), attempt_id)).rowcount
            if done and outbox is not None:
                outbox(c)

    def latest_unfinished_attempt(self, learner_id: str) -> Attempt | None:
        """The learner's newest attempt that is neither finished nor abandoned."""
        rows = self.query(
            "SELECT * FROM attempt WHERE learner_id = ? AND course_id = ? AND finished_at IS"
            " NULL AND abandoned_at IS NULL ORDER BY started_at DESC, rowid DESC LIMIT 1",
            (learner_id, self.course_id))
        return self._attempt(rows[0]) if rows else None

    def finished_attempts(self, learner_id: str) -> list[Attempt]:
        """Submitted attempts, newest first."""
        rows = self.query(
            "SELECT * FROM attempt WHERE learner_id = ? AND course_id = ? AND finished_at IS"
            " NOT NULL ORDER BY finished_at DESC, rowid DESC", (learner_id, self.course_id))
        return [self._attempt(r) for r in rows]

    def attempt_headers(self, learner_id: str) -> list[Attempt]:
        """Every attempt of the learner, oldest first, without answers (for exports)."""
        return [
            Attempt(id=r["id"], learner_id=r["learner_id"],
                    settings=settings_from_json(r["settings_json"]),
                    question_ids=tuple(json.loads(r["question_ids"])),
                    started_at=parse_utc(r["started_at"]),
                    finished_at=parse_utc(r["finished_at"]) if r["finished_at"] else None,
                    position=int(r["position"]))
            for r in self.query(
                "SELECT * FROM attempt WHERE learner_id = ? AND course_id = ?"
                " ORDER BY started_at, rowid", (learner_id, self.course_id))
        ]

    # -- responses -----------------------------------------------------------------------
    def record_response(self, learner_id: str, mode: str, record: ResponseRecord,
                        kind: type[Question],
                        outbox: Callable[[sqlite3.Connection, str], None] | None = None
                        ) -> str:
        """Store a response and review its card, in one transaction; return the response id.

        In a quiz attempt an earlier answer to the same question is replaced (same id; its
        confidence and error tag go with the old answer); in a lesson check (`lesson:`
        attempt) every answer is kept. `kind` is the question's record class, which sets how
        fast an answer must be to rate Easy (`FAST_SECONDS`); the record's confidence, when
        stated, adjusts the rating (`domain.confidence.review_rating`).
        `outbox(connection, response_id)` queues the answer's xAPI statement in the same
        transaction.
        """
        replace = not record.attempt_id.startswith(LESSON_PREFIX)
        confidence = confidence_from(record.confidence)
        values = (record.content_hash, json.dumps(answer_to_json(record.answer)),
                  record.points, record.max_points, int(record.correct), record.seconds,
                  iso_utc(record.answered_at), int(confidence) if confidence else None)
        with self.transaction() as c:
            existing = c.execute(
                "SELECT id FROM response WHERE attempt_id = ? AND question_id = ?",
                (record.attempt_id, record.question_id)).fetchone() if replace else None
            if existing:
                response_id = str(existing["id"])
                c.execute(
                    "UPDATE response SET content_hash=?, answer_json=?, points=?, max_points=?,"
                    " correct=?, seconds=?, answered_at=?, confidence=?, error_tag=NULL,"
                    " error_comment='' WHERE id = ?", (*values, response_id))
            else:
                import uuid

                response_id = str(uuid.uuid4())
                c.execute(
                    "INSERT INTO response(id, learner_id, course_id, attempt_id, mode,"
                    " question_id, content_hash, answer_json, points, max_points, correct,"
                    " seconds, answered_at, confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (response_id, learner_id, self.course_id, record.attempt_id, mode,
                     record.question_id, *values))
            self._review(c, learner_id, record, kind, confidence, replace)
            if outbox is not None:
                outbox(c, response_id)
        return response_id

    def _review(self, c: sqlite3.Connection, learner_id: str, record: ResponseRecord,
                kind: type[Question], confidence: Confidence | None, replace: bool) -> None:
        """Review the card of `record`'s question from the state it had before this
        attempt's answer, with the rating of its score and `confidence`."""
        fraction = record.points / record.max_points if record.max_points else 0.0
        rating = review_rating(int(rating_for(kind, fraction, record.seconds)), fraction,
                               confidence)
        key = (learner_id, self.course_id, record.question_id)
        log = c.execute(
            "SELECT card_before_json FROM review_log WHERE learner_id = ? AND"
            " course_id = ? AND question_id = ? AND attempt_id = ?", (*key, record.attempt_id)).fetchone()
        if log is not None and replace:
            before: str | None = log["card_before_json"]
        else:
            card = c.execute("SELECT card_json FROM review_card WHERE learner_id = ? AND"
                             " course_id = ? AND question_id = ?", key).fetchone()
            before = card["card_json"] if card else None
        self._apply_review(c, learner_id, record, rating, before, replace)

    def _apply_review(self, c: sqlite3.Connection, learner_id: str, record: ResponseRecord,
                      rating: int, before: str | None, keep_before: bool) -> None:
        from fsrs import Rating

        key = (learner_id, self.course_id, record.question_id)
        card_id = int(record.answered_at.timestamp() * 1000)
        card_json, due = self.scheduler.review(before, Rating(rating), record.answered_at,
                                               card_id, record.seconds)
        c.execute(
            "INSERT INTO review_card(learner_id, course_id, question_id, card_json, due)"
            " VALUES (?,?,?,?,?) ON CONFLICT(learner_id, course_id, question_id) DO UPDATE SET"
            " card_json = excluded.card_json, due = excluded.due",
            (*key, card_json, iso_utc(due)))
        c.execute(
            "INSERT INTO review_log(learner_id, course_id, question_id, attempt_id, rating,"
            " reviewed_at, card_before_json) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT(learner_id, course_id, question_id, attempt_id) DO UPDATE SET"
            " rating = excluded.rating, reviewed_at = excluded.reviewed_at"
            + ("" if keep_before else ", card_before_json = excluded.card_before_json"),
            (*key, record.attempt_id, int(rating), iso_utc(record.answered_at), before))

    def _latest_response(self, c: sqlite3.Connection, attempt_id: str,
                         question_id: str, learner_id: str | None = None
                         ) -> sqlite3.Row | None:
        """The latest answer to the question in the attempt (a lesson's checks, `lesson:`
        attempts, are shared by every learner: `learner_id` says whose)."""
        sql = ("SELECT * FROM response WHERE attempt_id = ? AND question_id = ? AND"
               " course_id = ?")
        params: tuple[str, ...] = (attempt_id, question_id, self.course_id)
        if learner_id is not None:
            sql += " AND learner_id = ?"
            params += (learner_id,)
        row: sqlite3.Row | None = c.execute(sql + " ORDER BY seq DESC LIMIT 1",
                                            params).fetchone()
        return row

    @staticmethod
    def _restate(c: sqlite3.Connection, seq: int, outbox: Restated | None) -> None:
        """Queue the answer's statement again, as it now stands (see `Restated`)."""
        if outbox is None:
            return
        row = c.execute("SELECT * FROM response WHERE seq = ?", (seq,)).fetchone()
        outbox(c, str(row["learner_id"]), str(row["id"]), str(row["mode"]), _record(row))

    def set_confidence(self, attempt_id: str, question_id: str,
                       confidence: Confidence | None, kind: type[Question], *,
                       learner_id: str | None = None, outbox: Restated | None = None) -> bool:
        """State the confidence of the latest answer to `question_id` in the attempt, and
        review its card again (from the state before this attempt's answer) with the rating
        the confidence implies, in one transaction (with `outbox`, the answer's statement is
        queued again as it now stands). False when there is no such answer."""
        with self.transaction() as c:
            row = self._latest_response(c, attempt_id, question_id, learner_id)
            if row is None:
                return False
            c.execute("UPDATE response SET confidence = ? WHERE seq = ?",
                      (int(confidence) if confidence else None, row["seq"]))
            self._restate(c, int(row["seq"]), outbox)
            log = c.execute(
                "SELECT card_before_json FROM review_log WHERE learner_id = ? AND"
                " course_id = ? AND question_id = ? AND attempt_id = ?",
                (row["learner_id"], self.course_id, question_id, attempt_id)).fetchone()
            if log is None:  # never reviewed (older data): review it now
                card = c.execute("SELECT card_json FROM review_card WHERE learner_id = ? AND"
                                 " course_id = ? AND question_id = ?",
                                 (row["learner_id"], self.course_id, question_id)).fetchone()
                before = card["card_json"] if card else None
            else:
                before = log["card_before_json"]
            record = _record(row)
            fraction = record.points / record.max_points if record.max_points else 0.0
            rating = review_rating(int(rating_for(kind, fraction, record.seconds)), fraction,
                                   confidence)
            self._apply_review(c, row["learner_id"], record, rating, before, True)
        return True

    def set_error_tag(self, attempt_id: str, question_id: str, tag: ErrorTag | None,
                      comment: str = "", *, learner_id: str | None = None,
                      outbox: Restated | None = None) -> bool:
        """Tag (or untag, with None) why the latest answer to `question_id` in the attempt
        was wrong, with a comment for the educator (with `outbox`, the answer's statement is
        queued again as it now stands). False when there is no such answer."""
        with self.transaction() as c:
            row = self._latest_response(c, attempt_id, question_id, learner_id)
            if row is None:
                return False
            c.execute("UPDATE response SET error_tag = ?, error_comment = ? WHERE seq = ?",
                      (tag.value if tag else None, comment if tag else "", row["seq"]))
            self._restate(c, int(row["seq"]), outbox)
        return True

    def responses(self, learner_id: str) -> list[ResponseRecord]:
        """All the learner's responses, oldest first."""
        return [_record(r) for r in self.query(
            "SELECT * FROM response WHERE learner_id = ? AND course_id = ?"
            " ORDER BY answered_at, seq", (learner_id, self.course_id))]

    def iter_response_events(self, learner_id: str) -> Iterator[ResponseEvent]:
        """Stream the learner's responses, oldest first, with id and mode (for exports)."""
        for r in self.iter_query(
                "SELECT * FROM response WHERE learner_id = ? AND course_id = ?"
                " ORDER BY answered_at, seq", (learner_id, self.course_id)):
            yield ResponseEvent(id=r["id"], learner_id=r["learner_id"], mode=r["mode"],
                                record=_record(r))

    @contextmanager
    def response_rows(self, learner_id: str) -> Iterator[Iterator[ResponseRow]]:
        """Stream the learner's responses, oldest first, as plain `ResponseRow` tuples
        straight from one SELECT over a read-only snapshot (for the CSV export, where an
        object per response would cost more than the export itself).

            with store.response_rows(learner_id) as rows:
                for row in rows: ...
        """
        with self.reader() as reader:
            yield reader.execute(RESPONSE_ROWS_SQL, (learner_id, self.course_id))

    def confidence_rows(self, learner_id: str) -> list[tuple[str, int | None, bool, str | None]]:
        """(question id, confidence, correct, error tag) of every response of the learner's,
        oldest first (for calibration and the error profile)."""
        return [(r["question_id"], r["confidence"], bool(r["correct"]), r["error_tag"])
                for r in self.query(
                    "SELECT question_id, confidence, correct, error_tag FROM response"
                    " WHERE learner_id = ? ORDER BY answered_at, seq", (learner_id,))]

    def answered_ids(self, learner_id: str) -> set[str]:
        """Questions the learner has answered at least once."""
        return {r[0] for r in self.query(
            "SELECT DISTINCT question_id FROM response WHERE learner_id = ? AND course_id = ?",
            (learner_id, self.course_id))}

    def answered_by_course(self, learner_id: str) -> dict[str, int]:
        """How many distinct questions the learner has answered in each course (by id),
        whichever course is open."""
        return {r[0]: int(r[1]) for r in self.query(
            "SELECT course_id, COUNT(DISTINCT question_id) FROM response WHERE learner_id = ?"
            " GROUP BY course_id", (learner_id,))}

    def incorrect_ids(self, learner_id: str) -> set[str]:
        """Questions whose latest answer by the learner was not fully correct."""
        rows = self.query(
            "SELECT question_id, correct FROM response WHERE learner_id = ? AND course_id = ?"
            " ORDER BY answered_at, seq", (learner_id, self.course_id))
        latest = {r["question_id"]: bool(r["correct"]) for r in rows}
        return {qid for qid, ok in latest.items() if not ok}

    # -- flags ---------------------------------------------------------------------------
    def set_flag(self, learner_id: str, question_id: str, flagged: bool,
                 now: dt.datetime) -> None:
        """Flag or unflag a question."""
        with self.transaction() as c:
            if flagged:
                c.execute("INSERT OR IGNORE INTO flag(learner_id, course_id, question_id,"
                          " flagged_at) VALUES (?,?,?,?)",
                          (learner_id, self.course_id, question_id, iso_utc(now)))
            else:
                c.execute("DELETE FROM flag WHERE learner_id = ? AND course_id = ? AND"
                          " question_id = ?", (learner_id, self.course_id, question_id))

    def flags(self, learner_id: str) -> frozenset[str]:
        """The learner's flagged question ids."""
        return frozenset(r[0] for r in self.query(
            "SELECT question_id FROM flag WHERE learner_id = ? AND course_id = ?",
            (learner_id, self.course_id)))

    # -- review cards --------------------------------------------------------------------
    def card_dues(self, learner_id: str, until: dt.datetime | None = None
                  ) -> list[tuple[str, dt.datetime]]:
        """(question id, due) of the learner's cards, soonest first, optionally up to `until`."""
        if until is None:
            rows = self.query("SELECT question_id, due FROM review_card WHERE learner_id = ?"
                              " AND course_id = ? ORDER BY due, question_id",
                              (learner_id, self.course_id))
        else:
            rows = self.query("SELECT question_id, due FROM review_card WHERE learner_id = ?"
                              " AND course_id = ? AND due <= ? ORDER BY due, question_id",
                              (learner_id, self.course_id, iso_utc(until)))
        return [(r["question_id"], parse_utc(r["due"])) for r in rows]

    def card_json(self, learner_id: str, question_id: str) -> str | None:
        """The stored FSRS card (JSON of `Card.to_dict()`), if the question was answered."""
        rows = self.query("SELECT card_json FROM review_card WHERE learner_id = ? AND"
                          " course_id = ? AND question_id = ?",
                          (learner_id, self.course_id, question_id))
        return str(rows[0]["card_json"]) if rows else None

    # -- case runs -----------------------------------------------------------------------
    def save_case_run(self, run: CaseRun, end_node: str | None = None,
                      outbox: OnCommit | None = None) -> None:
        """Insert or update a case run (`outbox` queues a finished run's xAPI statements in
        the same transaction)."""
        with self.transaction() as c:
            if outbox is not None and run.finished_at is not None:
                outbox(c)
            c.execute(
                "INSERT INTO case_run(id, learner_id, course_id, case_id, choice_path, points,"
                " max_points, critical, end_node, started_at, finished_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET choice_path = excluded.choice_path,"
                " points = excluded.points, max_points = excluded.max_points,"
                " critical = excluded.critical, end_node = excluded.end_node,"
                " finished_at = excluded.finished_at",
                (run.id, run.learner_id, self.course_id, run.case_id, json.dumps(list(run.choice_path)),
                 run.points, run.max_points, json.dumps(list(run.critical_errors)), end_node,
                 iso_utc(run.started_at),
                 iso_utc(run.finished_at) if run.finished_at else None))

    def get_case_run(self, run_id: str) -> CaseRun | None:
        """The case run with this id, or None."""
        rows = self.query("SELECT * FROM case_run WHERE id = ?", (run_id,))
        return _case_run(rows[0]) if rows else None

    def case_runs(self, learner_id: str) -> list[CaseRun]:
        """The learner's case runs, newest first."""
        return [_case_run(r) for r in self.query(
            "SELECT * FROM case_run WHERE learner_id = ? AND course_id = ?"
            " ORDER BY started_at DESC, rowid DESC", (learner_id, self.course_id))]
