"""CSV exports: one row per response (long format) and a learner × topic summary.

Rows stream from the store as plain tuples (`ResponseRow`), so a million responses never sit
in memory and no object is built per response. Each line is assembled from text that is
already safe: the learner's cells once, a question's id and facts once per question, and a
mode, attempt id, content hash or answer once per distinct value (small caches), all through
`csv_safe`; only the response id, the time and the numbers differ on every row. The stored
answer JSON is rewritten once per distinct text into the form the export has always written
(`json.dumps(json_answer(…), ensure_ascii=False)`), and a time not stored in canonical form
is normalised, so the file is the same byte for byte as one written cell by cell through
`SafeCsvWriter`. The summary is accumulated in the same pass (per item only the last few
score fractions are kept, which is all the mastery formula needs).
"""

from __future__ import annotations

import csv
import json
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

from vpkp_tutor.domain.mastery import RECENT, item_score, mastery_value
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import (
    ResponseEvent,
    ResponseRow,
    answer_from_json,
    iso_utc,
    parse_utc,
)
from vpkp_tutor.export.csv_safe import SafeCsvWriter, cell, csv_field, text_field, unneutralise
from vpkp_tutor.export.files import atomic_text
from vpkp_tutor.export.record import (
    LearnerData,
    bank_topic_totals,
    json_answer,
    question_meta,
    topic_label,
)

RESPONSE_COLUMNS = (
    "learner_id", "learner_name", "program", "level", "timestamp", "mode", "attempt_id",
    "question_id", "topic", "objectives", "type", "difficulty", "score", "max", "correct",
    "seconds", "content_hash", "response_id", "answer",
)
"""Header of the long responses CSV."""
SUMMARY_COLUMNS = (
    "learner_id", "learner_name", "program", "level", "topic", "topic_label", "responses",
    "items_answered", "items_in_bank", "points", "max_points", "accuracy", "mastery",
    "lessons_completed", "lessons_total",
)
"""Header of the learner × topic summary CSV."""
CACHE_LIMIT = 20_000
"""Distinct values a rendering cache holds before it starts afresh (keeps memory flat)."""
_BOOL = ("false", "true")
_LINES_PER_WRITE = 1024
_K = TypeVar("_K", str, float)


def summary_path(path: Path) -> Path:
    """Where the summary CSV goes beside the responses CSV: `<stem>-summary.csv`."""
    return path.with_name(f"{path.stem}-summary{path.suffix or '.csv'}")


@dataclass(slots=True)
class _TopicTally:
    responses: int = 0
    points: float = 0.0
    max_points: float = 0.0
    items: dict[str, deque[float]] = field(default_factory=dict)


def write_csv(data: LearnerData, bank: ContentBank, path: Path) -> tuple[Path, Path]:
    """Write the responses CSV at `path` and the summary beside it; return both paths."""
    learner = data.learner
    who = (learner.id, learner.display_name, learner.program, learner.level)
    tallies: dict[str, _TopicTally] = {}
    rows: AbstractContextManager[Iterable[ResponseRow]] = (
        data.response_rows() if data.response_rows is not None
        else nullcontext(rows_from_events(data.responses())))
    with atomic_text(path, newline="") as stream:
        stream.write(",".join(csv_field(cell(h)) for h in RESPONSE_COLUMNS) + "\r\n")
        with rows as stream_of_rows:
            _write_rows(stream, stream_of_rows, "".join(text_field(v) + "," for v in who),
                        bank, tallies)
    totals = bank_topic_totals(bank)
    done = {p.lesson_id for p in data.lesson_progress if p.completed}
    summary = summary_path(path)
    with atomic_text(summary, newline="") as stream:
        writer = SafeCsvWriter(stream, SUMMARY_COLUMNS)
        for topic in [*totals, *sorted(set(tallies) - set(totals))]:
            tally = tallies.get(topic, _TopicTally())
            in_bank = totals.get(topic, {}).get("questions", 0)
            lessons = [x.id for x in bank.lessons if x.topic.value == topic]
            writer.writerow((
                *who, topic, topic_label(topic), tally.responses, len(tally.items), in_bank,
                round(tally.points, 6), round(tally.max_points, 6),
                round(tally.points / tally.max_points, 4) if tally.max_points else 0.0,
                round(mastery_value((item_score(list(d)) for d in tally.items.values()),
                                    in_bank), 4),
                sum(1 for x in lessons if x in done), len(lessons),
            ))
    return path, summary


def _write_rows(stream: IO[str], rows: Iterable[ResponseRow], prefix: str,
                bank: ContentBank, tallies: dict[str, _TopicTally]) -> None:
    """Write one line per response (`prefix` holds the learner's cells and a comma) and
    tally the topics."""
    questions: dict[str, tuple[str, str]] = {}  # id → (its five cells, topic)
    texts: dict[str, str] = {}  # mode, attempt id or content hash → its cell
    answers: dict[str, str] = {}  # stored answer JSON → its cell
    scores: dict[float, str] = {}  # points or maximum → its text (few distinct values)
    lines: list[str] = []
    add = lines.append
    for (at, plain, mode, attempt_id, question_id, points, max_points, correct, seconds,
         content_hash, response_id, answer) in rows:
        if not plain:
            at, points, max_points, seconds = (iso_utc(parse_utc(at)), float(points),
                                               float(max_points), float(seconds))
        if (mode_cell := texts.get(mode)) is None:
            mode_cell = _remember(texts, mode, text_field(mode))
        if (attempt_cell := texts.get(attempt_id)) is None:
            attempt_cell = _remember(texts, attempt_id, text_field(attempt_id))
        if (hash_cell := texts.get(content_hash)) is None:
            hash_cell = _remember(texts, content_hash, text_field(content_hash))
        if (answer_cell := answers.get(answer)) is None:
            answer_cell = _remember(answers, answer, text_field(_answer_text(answer)))
        if (question := questions.get(question_id)) is None:
            question = questions[question_id] = _question_cells(bank, question_id)
        if (points_text := scores.get(points)) is None:
            points_text = _remember(scores, points, repr(points))
        if (max_text := scores.get(max_points)) is None:
            max_text = _remember(scores, max_points, repr(max_points))
        if not (response_id[:1].isalnum() and "," not in response_id
                and '"' not in response_id and "\n" not in response_id
                and "\r" not in response_id):
            response_id = text_field(response_id)
        add(f"{prefix}{at},{mode_cell},{attempt_cell},{question[0]},{points_text},"
            f"{max_text},{_BOOL[correct]},{seconds!r},{hash_cell},{response_id},"
            f"{answer_cell}\r\n")
        if len(lines) >= _LINES_PER_WRITE:
            stream.write("".join(lines))
            lines.clear()
        if topic := question[1]:
            if (tally := tallies.get(topic)) is None:
                tally = tallies[topic] = _TopicTally()
            tally.responses += 1
            tally.points += points
            tally.max_points += max_points
            if (recent := tally.items.get(question_id)) is None:
                recent = tally.items[question_id] = deque(maxlen=RECENT)
            recent.append(points / max_points if max_points else 0.0)
    stream.write("".join(lines))


def _remember(cache: dict[_K, str], key: _K, value: str) -> str:
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _answer_text(stored: str) -> str:
    """A stored answer JSON in the form the export writes (non-ASCII as is, no `Infinity`,
    numbers as floats). ValueError when it is not an answer."""
    return json.dumps(json_answer(answer_from_json(json.loads(stored))), ensure_ascii=False)


def _question_cells(bank: ContentBank, question_id: str) -> tuple[str, str]:
    """The question id, topic, objectives, type and difficulty cells joined, and the topic."""
    meta = question_meta(bank, question_id)
    cells = (question_id, meta.topic, ";".join(meta.objectives), meta.type, meta.difficulty)
    return ",".join(text_field(c) for c in cells), meta.topic


def rows_from_events(events: Iterable[ResponseEvent]) -> Iterator[ResponseRow]:
    """Responses as `ResponseRow` tuples, for a `LearnerData` without a row stream."""
    for event in events:
        r = event.record
        yield (iso_utc(r.answered_at), 1, event.mode, r.attempt_id, r.question_id,
               float(r.points), float(r.max_points), int(r.correct), float(r.seconds),
               r.content_hash, event.id, json.dumps(json_answer(r.answer), ensure_ascii=False))


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Read one of our CSV files back, undoing the formula neutralisation."""
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            yield {k: unneutralise(v) for k, v in row.items()}
