"""CSV exports: one row per response (long format) and a learner × topic summary.

Rows are streamed from the store, so a million responses never sit in memory; the summary
is accumulated in the same pass (per item only the last few score fractions are kept, which
is all the mastery formula needs).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vpkp_tutor.domain.mastery import RECENT, item_score, mastery_value
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import iso_utc
from vpkp_tutor.export.csv_safe import SafeCsvWriter, cell, unneutralise
from vpkp_tutor.export.files import atomic_text
from vpkp_tutor.export.record import (
    LearnerData,
    QuestionMeta,
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
    tallies: dict[str, _TopicTally] = defaultdict(_TopicTally)
    safe_who = [cell(v) for v in who]
    metas: dict[str, QuestionMeta] = {}
    with atomic_text(path, newline="") as stream:
        writer = SafeCsvWriter(stream, RESPONSE_COLUMNS)
        for event in data.responses():
            r = event.record
            meta = metas.get(r.question_id)
            if meta is None:
                meta = metas[r.question_id] = question_meta(bank, r.question_id)
            writer.writerow((
                iso_utc(r.answered_at), event.mode, r.attempt_id, r.question_id,
                meta.topic, ";".join(meta.objectives), meta.type, meta.difficulty, r.points,
                r.max_points, r.correct, r.seconds, r.content_hash, event.id,
                json.dumps(json_answer(r.answer), ensure_ascii=False),
            ), safe_prefix=safe_who)
            if meta.topic:
                tally = tallies[meta.topic]
                tally.responses += 1
                tally.points += r.points
                tally.max_points += r.max_points
                recent = tally.items.setdefault(r.question_id, deque(maxlen=RECENT))
                recent.append(r.points / r.max_points if r.max_points else 0.0)
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


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Read one of our CSV files back, undoing the formula neutralisation."""
    with open(path, encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            yield {k: unneutralise(v) for k, v in row.items()}
