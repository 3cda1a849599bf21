"""CSV exports: one row per item of every attempt, per lesson-check answer and per case
decision (long format), and a learner × topic summary.

Every item of every quiz attempt is a row: answered items with the answer given, items left
unanswered with `kind` = `unanswered` and 0 points, so an exam's rows add up to its score.
Each case run gives a row per decision taken and a `case result` row with the run's score
(from `domain.scoring.score_case_run`). Beside the ids every row carries what a person
reads: the question's stem cut short, the topic's label, the objectives' text, the answer
as the learner saw it, seconds to one decimal and the time in local ISO 8601 with its
offset.

Rows stream from the store as plain tuples (`ResponseRow`), so a million responses never sit
in memory; what depends only on a question (its cells) or on a stored answer (its readable
and JSON forms) is computed once per distinct value (small caches). The summary is
accumulated in the same pass (per item only the last few score fractions are kept, which is
all the mastery formula needs).
"""

from __future__ import annotations

import csv
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from vpkp_tutor.domain.confidence import Confidence
from vpkp_tutor.domain.mastery import RECENT, item_score, mastery_value
from vpkp_tutor.domain.model import Case, ContentBank, Question
from vpkp_tutor.domain.progress import (
    Attempt,
    CaseRun,
    ResponseEvent,
    ResponseRow,
    answer_from_json,
    iso_utc,
    parse_utc,
)
from vpkp_tutor.domain.scoring import case_points, score, score_case_run
from vpkp_tutor.export.csv_safe import Cell, SafeCsvWriter, cell, unneutralise
from vpkp_tutor.export.files import atomic_text
from vpkp_tutor.export.readable import answer_as_seen, local_iso, objective_texts, short
from vpkp_tutor.export.record import (
    COURSE_COLUMNS,
    LearnerData,
    bank_topic_totals,
    json_answer,
    question_meta,
    topic_label,
)

RESPONSE_COLUMNS = (
    "learner_id", "learner_name", "program", "level", *COURSE_COLUMNS, "timestamp", "kind",
    "mode",
    "attempt_id", "item", "items", "question_id", "question", "topic", "topic_label",
    "objectives", "objective_text", "type", "difficulty", "answer", "score", "max",
    "correct", "seconds", "content_hash", "response_id", "answer_json", "confidence",
    "error_tag", "error_comment",
)
"""Header of the long responses CSV (`confidence`: sure, unsure, guess or empty;
`error_tag`: a `domain.confidence.ErrorTag` value or empty; `error_comment`: the learner's
comment with a `disagree` tag)."""
SUMMARY_COLUMNS = (
    "learner_id", "learner_name", "program", "level", *COURSE_COLUMNS, "topic", "topic_label",
    "responses", "items_answered", "items_unanswered", "items_in_bank", "points", "max_points", "accuracy",
    "mastery", "lessons_completed", "lessons_total",
)
"""Header of the learner × topic summary CSV (`accuracy` is empty for a topic with nothing
answered: no answer is not the same as every answer wrong)."""
ANSWERED, UNANSWERED = "answered", "unanswered"
CASE_DECISION, CASE_RESULT = "case decision", "case result"
"""Values of the `kind` column."""
CACHE_LIMIT = 20_000
"""Distinct values a rendering cache holds before it starts afresh (keeps memory flat)."""
_K = TypeVar("_K")
_V = TypeVar("_V")
_Cells = tuple[str | int | float, ...]
_BOOL = ("false", "true")
_CONFIDENCE: dict[int | None, str] = {int(c): c.label for c in Confidence}


def summary_path(path: Path) -> Path:
    """Where the summary CSV goes beside the responses CSV: `<stem>-summary.csv`."""
    return path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")


@dataclass(slots=True)
class _TopicTally:
    responses: int = 0
    unanswered: int = 0
    points: float = 0.0
    max_points: float = 0.0
    items: dict[str, deque[float]] = field(default_factory=dict)


@dataclass(slots=True)
class _Slots:
    """A quiz attempt's items: where each sits and which were answered."""

    attempt: Attempt
    position: dict[str, int]
    answered: set[str] = field(default_factory=set)


class _Questions:
    """Per-question cells (id, stem, topic, label, objectives and their text, type,
    difficulty), computed once per question."""

    def __init__(self, bank: ContentBank) -> None:
        self.bank = bank
        self.objectives = objective_texts(bank)
        self.cells: dict[str, tuple[_Cells, str, Question | None]] = {}

    def get(self, question_id: str) -> tuple[_Cells, str, Question | None]:
        found = self.cells.get(question_id)
        if found is None:
            meta = question_meta(self.bank, question_id)
            question = (self.bank.question(question_id)
                        if self.bank.has_question(question_id) else None)
            found = self.cells[question_id] = (tuple(cell(v) for v in (
                question_id, short(question.stem) if question else "(not in the bank)",
                meta.topic, topic_label(meta.topic, self.bank.course) if meta.topic else "",
                ";".join(meta.objectives),
                "; ".join(self.objectives.get(o, o) for o in meta.objectives),
                meta.type, meta.difficulty)), meta.topic, question)
        return found


def write_csv(data: LearnerData, bank: ContentBank, path: Path) -> tuple[Path, Path]:
    """Write the responses CSV at `path` and the summary beside it; return both paths."""
    return write_csv_courses([(data, bank)], path)


def write_csv_courses(parts: Iterable[tuple[LearnerData, ContentBank]], path: Path
                      ) -> tuple[Path, Path]:
    """Write one learner's responses CSV at `path` and the summary beside it over several
    courses: each part is the learner's data in one course and that course's content, taken
    in turn (its rows are all written before the next part is asked for); every row carries
    its course's id and version. Return both paths."""
    courses: list[tuple[_Cells, LearnerData, ContentBank, dict[str, _TopicTally]]] = []
    with atomic_text(path, newline="") as stream:
        writer = SafeCsvWriter(stream, RESPONSE_COLUMNS)
        for data, bank in parts:
            learner = data.learner
            who: _Cells = (learner.id, learner.display_name, learner.program, learner.level,
                           bank.course.id, bank.course.version)
            tallies: dict[str, _TopicTally] = {}
            rows: AbstractContextManager[Iterable[ResponseRow]] = (
                data.response_rows() if data.response_rows is not None
                else nullcontext(rows_from_events(data.responses())))
            questions = _Questions(bank)
            slots = {a.id: _Slots(a, {q: i for i, q in
                                      reversed(list(enumerate(a.question_ids, 1)))})
                     for a in data.attempts}
            prefix = [cell(v) for v in who]
            with rows as stream_of_rows:
                _write_rows(writer, prefix, stream_of_rows, questions, slots, tallies)
            _write_unanswered(writer, prefix, slots, questions, tallies)
            _write_case_runs(writer, prefix, data.case_runs, bank)
            courses.append((who, data, bank, tallies))
    summary = summary_path(path)
    with atomic_text(summary, newline="") as stream:
        writer = SafeCsvWriter(stream, SUMMARY_COLUMNS)
        for cells, data, bank, tallies in courses:
            _write_summary(writer, cells, data, bank, tallies)
    return path, summary


def _write_summary(writer: SafeCsvWriter, who: _Cells, data: LearnerData, bank: ContentBank,
                   tallies: dict[str, _TopicTally]) -> None:
    """The learner × topic rows of one course."""
    totals = bank_topic_totals(bank)
    done = {p.lesson_id for p in data.lesson_progress if p.completed}
    for topic in [*totals, *sorted(set(tallies) - set(totals))]:
        tally = tallies.get(topic, _TopicTally())
        in_bank = totals.get(topic, {}).get("questions", 0)
        lessons = [x.id for x in bank.lessons if x.topic == topic]
        writer.writerow((
            *who, topic, topic_label(topic, bank.course), tally.responses, len(tally.items),
            tally.unanswered, in_bank, round(tally.points, 6), round(tally.max_points, 6),
            round(tally.points / tally.max_points, 4) if tally.max_points else None,
            round(mastery_value((item_score(list(d)) for d in tally.items.values()),
                                in_bank), 4),
            sum(1 for x in lessons if x in done), len(lessons),
        ))


def _write_rows(writer: SafeCsvWriter, prefix: Sequence[str | int | float],
                rows: Iterable[ResponseRow], questions: _Questions, slots: dict[str, _Slots],
                tallies: dict[str, _TopicTally]) -> None:
    """One row per stored response, tallying the topics and noting the items answered."""
    answers: dict[tuple[str, str], tuple[str | int | float, str | int | float]] = {}
    texts: dict[str, str | int | float] = {}
    for (at, plain, mode, attempt_id, question_id, points, max_points, correct, seconds,
         content_hash, response_id, answer, confidence, error_tag, comment) in rows:
        when = parse_utc(at)
        if not plain:
            points, max_points, seconds = float(points), float(max_points), float(seconds)
        qcells, topic, question = questions.get(question_id)
        if (shown := answers.get((question_id, answer))) is None:
            shown = _remember(answers, (question_id, answer), _answer_cells(question, answer))
        slot = slots.get(attempt_id)
        position: Cell = None
        count: Cell = None
        if slot is not None:
            slot.answered.add(question_id)
            position, count = slot.position.get(question_id), len(slot.attempt.question_ids)
        writer.write_safe((
            *prefix, local_iso(when), ANSWERED, _text(texts, mode), _text(texts, attempt_id),
            cell(position), cell(count), *qcells, shown[0], round(points, 6),
            round(max_points, 6),
            _BOOL[bool(correct)], round(seconds, 1), _text(texts, content_hash),
            _text(texts, response_id), shown[1], _CONFIDENCE.get(confidence, ""),
            _text(texts, error_tag) if error_tag else "", cell(comment) if comment else ""))
        if topic:
            if (tally := tallies.get(topic)) is None:
                tally = tallies[topic] = _TopicTally()
            tally.responses += 1
            tally.points += points
            tally.max_points += max_points
            if (recent := tally.items.get(question_id)) is None:
                recent = tally.items[question_id] = deque(maxlen=RECENT)
            recent.append(points / max_points if max_points else 0.0)


def _write_unanswered(writer: SafeCsvWriter, prefix: Sequence[str | int | float],
                      slots: dict[str, _Slots], questions: _Questions,
                      tallies: dict[str, _TopicTally]) -> None:
    """A row for every item of an attempt that has no answer: 0 points of the item's
    maximum, at the time the attempt was submitted (or started, if it never was)."""
    for slot in slots.values():
        attempt = slot.attempt
        when = local_iso(attempt.finished_at or attempt.started_at)
        count = len(attempt.question_ids)
        for position, question_id in enumerate(attempt.question_ids, 1):
            if question_id in slot.answered:
                continue
            slot.answered.add(question_id)  # an id listed twice gets one row
            qcells, topic, question = questions.get(question_id)
            maximum = score(question, None).max_points if question is not None else None
            writer.write_safe((
                *prefix, *(cell(v) for v in (when, UNANSWERED, attempt.settings.mode.value,
                                             attempt.id, position, count)),
                *qcells, *(cell(v) for v in ("", 0.0, maximum, False, None, "", "", "", "", "", ""))))
            if topic:
                if (tally := tallies.get(topic)) is None:
                    tally = tallies[topic] = _TopicTally()
                tally.unanswered += 1


def _node_of(case: Case, choice_id: str) -> tuple[str, str] | None:
    """(narrative, choice text + critical mark) of the node offering the choice."""
    for node in case.nodes:
        for choice in node.choices:
            if choice.id == choice_id:
                return node.narrative, choice.text + (" (critical error)" if choice.critical
                                                      else "")
    return None


def _write_case_runs(writer: SafeCsvWriter, prefix: Sequence[str | int | float],
                     runs: Iterable[CaseRun], bank: ContentBank) -> None:
    """Per case run, a row for each decision taken and a `case result` row with the run's
    score as `score_case_run` gives it (the stored score when the case is gone)."""
    cases = {c.id: c for c in bank.cases}
    objectives = objective_texts(bank)
    for run in runs:
        case = cases.get(run.case_id)
        topic = case.topic if case else ""
        obj = case.objectives if case else ()
        common = (topic, topic_label(topic, bank.course) if topic else "", ";".join(obj),
                  "; ".join(objectives.get(o, o) for o in obj), "case", "")
        started = local_iso(run.started_at)
        steps = len(run.choice_path)
        for step, choice_id in enumerate(run.choice_path, 1):
            found = _node_of(case, choice_id) if case else None
            points = case.choice(choice_id).score if case and found else None
            writer.writerow((
                started, CASE_DECISION, "case", run.id, step, steps, run.case_id,
                short(found[0]) if found else "(not in the bank)", *common,
                short(found[1]) if found else choice_id, points, None, None, None, "", "",
                json.dumps(choice_id, ensure_ascii=False), "", "", "",
            ), safe_prefix=prefix)
        if case is not None:
            result = score_case_run(case, run.choice_path)
            points_ = case_points(result.points, bool(result.critical_errors))
            maximum, passed = result.max_points, result.passed
            ending = ("critical error" if result.critical_errors else
                      f"ended: {case.node(result.end_node).outcome.kind}"  # type: ignore[union-attr]
                      if result.end_node else "finished" if result.finished
                      else "not finished")
        else:
            points_ = case_points(run.points, bool(run.critical_errors))
            maximum, passed = run.max_points, None
            ending = "finished" if run.finished_at else "not finished"
        writer.writerow((
            local_iso(run.finished_at or run.started_at), CASE_RESULT, "case", run.id, None,
            steps, run.case_id, short(case.title) if case else "(not in the bank)", *common,
            ending, points_, maximum, passed, None, "", "",
            json.dumps(list(run.choice_path), ensure_ascii=False), "", "", "",
        ), safe_prefix=prefix)


def _answer_cells(question: Question | None, stored: str) -> tuple[str | int | float,
                                                                   str | int | float]:
    """The answer as the learner saw it and as JSON (non-ASCII as is, no `Infinity`).
    ValueError when the stored text is not an answer."""
    answer = answer_from_json(json.loads(stored))
    return (cell(answer_as_seen(question, answer)),
            cell(json.dumps(json_answer(answer), ensure_ascii=False)))


def _text(cache: dict[str, str | int | float], value: str) -> str | int | float:
    if (done := cache.get(value)) is None:
        done = _remember(cache, value, cell(value))
    return done


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def rows_from_events(events: Iterable[ResponseEvent]) -> Iterator[ResponseRow]:
    """Responses as `ResponseRow` tuples, for a `LearnerData` without a row stream."""
    for event in events:
        r = event.record
        yield (iso_utc(r.answered_at), 1, event.mode, r.attempt_id, r.question_id,
               float(r.points), float(r.max_points), int(r.correct), float(r.seconds),
               r.content_hash, event.id, json.dumps(json_answer(r.answer), ensure_ascii=False),
               r.confidence, r.error_tag, r.error_comment)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Read one of our CSV files back, undoing the formula neutralisation."""
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            yield {k: unneutralise(v) for k, v in row.items()}
