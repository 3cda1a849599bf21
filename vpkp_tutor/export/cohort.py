"""The cohort report: many learners' JSON exports merged for a program director.

Merging is idempotent: responses are keyed by learner id + response id (an answer replaced
later in the same attempt keeps its id; the newest version wins), case runs by learner id +
run id, lesson progress by learner id + lesson id. So the same export given twice, or an
older and a newer export of one learner, count each answer once. Exports made with a
different content bank (fingerprint) are flagged, and each row names its fingerprint.
A learner's progress in one course never mixes with another course's: records are merged by
learner id + course id, and each row names its course id and version.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from vpkp_tutor.domain.mastery import RECENT, item_score, mastery_value
from vpkp_tutor.domain.model import Course, Topic
from vpkp_tutor.domain.progress import Learner, LessonProgress
from vpkp_tutor.export.csv_safe import SafeCsvWriter
from vpkp_tutor.export.files import atomic_text, check_output
from vpkp_tutor.export.json_export import (
    CaseRunInfo,
    ExportedResponse,
    LearnerExport,
    read_export,
)
from vpkp_tutor.export.record import topic_label

COHORT_COLUMNS = (
    "learner_id", "learner_name", "program", "level", "course_id", "course_version", "topic",
    "topic_label", "responses",
    "items_answered", "items_in_bank", "points", "max_points", "accuracy", "mastery",
    "lessons_completed", "lessons_total", "case_runs", "case_runs_with_critical_errors",
    "content_fingerprint", "fingerprint_differs",
)
"""Header of the cohort CSV (one row per learner × topic)."""


@dataclass(slots=True)
class MergedLearner:
    """One learner's record merged from every export that held it."""

    learner: Learner
    exported_at: dt.datetime
    fingerprints: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    responses: dict[str, ExportedResponse] = field(default_factory=dict)
    case_runs: dict[str, CaseRunInfo] = field(default_factory=dict)
    lessons: dict[str, tuple[LessonProgress, str]] = field(default_factory=dict)
    topic_totals: dict[str, dict[str, int]] = field(default_factory=dict)
    attempts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Quiz attempt id → the question ids it drew (its form)."""
    course: Course = field(default_factory=Course)
    """The course (as the newest export gave it)."""
    course_versions: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A learner × topic line of the report."""

    learner: Learner
    topic: str
    responses: int
    items_answered: int
    items_in_bank: int
    points: float
    max_points: float
    mastery: float
    lessons_completed: int
    lessons_total: int
    case_runs: int
    critical_runs: int
    fingerprints: tuple[str, ...]
    course: Course = field(default_factory=Course)
    course_version: str = ""
    """The course versions the learner's exports came from (";"-joined)."""

    @property
    def accuracy(self) -> float:
        """Points over maximum (0 with no answers)."""
        return self.points / self.max_points if self.max_points else 0.0


@dataclass(frozen=True, slots=True)
class MissedItem:
    """A question the cohort gets wrong."""

    question_id: str
    topic: str
    misses: int
    responses: int
    learners_missing: int


@dataclass(frozen=True, slots=True)
class CriticalCase:
    """A case run that ended in a never event."""

    learner: Learner
    case_id: str
    title: str
    critical_errors: tuple[str, ...]
    finished_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CohortReport:
    """Everything `vpkp-tutor report` prints and writes."""

    learners: tuple[MergedLearner, ...]
    rows: tuple[TopicRow, ...]
    most_missed: tuple[MissedItem, ...]
    critical_cases: tuple[CriticalCase, ...]
    fingerprints: dict[str, tuple[str, ...]]
    """Content fingerprint → the export files made with it."""
    duplicates_ignored: int
    """Responses seen more than once across the exports (counted once)."""

    def topic(self, topic_id: str) -> Topic:
        """The topic with this id as the exports' courses declare it."""
        for m in self.learners:
            if topic_id in m.course.topic_ids:
                return m.course.topic(topic_id)
        return Course().topic(topic_id)

    @property
    def fingerprint_mismatch(self) -> bool:
        """True when the exports came from more than one version of the content."""
        return len(self.fingerprints) > 1


def merge(exports: Sequence[LearnerExport]) -> tuple[list[MergedLearner], int]:
    """Merge exports by learner id and course id (one learner's courses stay apart); return
    the learners and the duplicate responses ignored."""
    merged: dict[tuple[str, str], MergedLearner] = {}
    duplicates = 0
    for ex in sorted(exports, key=lambda e: e.exported_at):
        key = (ex.learner.id, ex.course.id)
        m = merged.get(key)
        if m is None:
            m = merged[key] = MergedLearner(ex.learner, ex.exported_at)
        else:
            m.learner, m.exported_at = ex.learner, ex.exported_at
        m.course = ex.course
        m.course_versions.add(ex.course.version)
        m.fingerprints.add(ex.fingerprint)
        m.sources.append(ex.source)
        m.topic_totals = ex.topic_totals
        for r in ex.responses:
            old = m.responses.get(r.event.id)
            if old is not None:
                duplicates += 1
                if old.event.record.answered_at > r.event.record.answered_at:
                    continue
            m.responses[r.event.id] = r
        for a in ex.attempts:
            ids = a.get("question_ids") or ()
            if isinstance(a.get("id"), str) and (ids or a["id"] not in m.attempts):
                m.attempts[a["id"]] = tuple(str(q) for q in ids)
        for c in ex.case_runs:
            old_run = m.case_runs.get(c.run.id)
            if old_run is None or len(c.run.choice_path) >= len(old_run.run.choice_path):
                m.case_runs[c.run.id] = c
        for progress, topic in ex.lesson_progress:
            prev = m.lessons.get(progress.lesson_id)
            if prev is not None and prev[0].completed and not progress.completed:
                progress = LessonProgress(progress.lesson_id, progress.position, True,
                                          progress.updated_at)
            m.lessons[progress.lesson_id] = (progress, topic)
    learners = sorted(merged.values(), key=lambda x: (x.learner.display_name.casefold(),
                                                      x.learner.id, x.course.id))
    return learners, duplicates


def _rows(m: MergedLearner) -> list[TopicRow]:
    by_topic: dict[str, list[ExportedResponse]] = defaultdict(list)
    for r in sorted(m.responses.values(), key=lambda r: r.event.record.answered_at):
        by_topic[r.meta.topic].append(r)
    topics = [*m.topic_totals, *sorted(t for t in by_topic if t and t not in m.topic_totals)]
    rows = []
    for topic in topics:
        responses = by_topic.get(topic, [])
        recent: dict[str, deque[float]] = {}
        for r in responses:
            rec = r.event.record
            recent.setdefault(rec.question_id, deque(maxlen=RECENT)).append(
                rec.points / rec.max_points if rec.max_points else 0.0)
        in_bank = m.topic_totals.get(topic, {}).get("questions", 0)
        runs = [c for c in m.case_runs.values() if c.topic == topic]
        rows.append(TopicRow(
            learner=m.learner, topic=topic, responses=len(responses),
            items_answered=len(recent), items_in_bank=in_bank,
            points=sum(r.event.record.points for r in responses),
            max_points=sum(r.event.record.max_points for r in responses),
            mastery=mastery_value((d[0] if len(d) == 1 else item_score(list(d))
                                   for d in recent.values()), in_bank),
            lessons_completed=sum(1 for p, t in m.lessons.values() if t == topic and
                                  p.completed),
            lessons_total=m.topic_totals.get(topic, {}).get("lessons", 0),
            case_runs=sum(1 for c in runs if c.run.finished_at is not None),
            critical_runs=sum(1 for c in runs if c.run.critical_errors),
            fingerprints=tuple(sorted(m.fingerprints)),
            course=m.course, course_version=";".join(sorted(m.course_versions)),
        ))
    return rows


def _most_missed(learners: Sequence[MergedLearner], limit: int) -> list[MissedItem]:
    misses: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    who: dict[str, set[str]] = defaultdict(set)
    topic: dict[str, str] = {}
    for m in learners:
        for r in m.responses.values():
            qid = r.event.record.question_id
            answered[qid] += 1
            topic[qid] = r.meta.topic
            if not r.event.record.correct:
                misses[qid] += 1
                who[qid].add(m.learner.id)
    items = [MissedItem(q, topic[q], n, answered[q], len(who[q])) for q, n in misses.items()]
    items.sort(key=lambda i: (-i.misses, -i.learners_missing, -i.misses / i.responses,
                              i.question_id))
    return items[:limit]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while many small objects are made that hold no cycles (a
    cohort is hundreds of thousands of them, and each collection would walk them all)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_report(paths: Sequence[Path], most_missed: int = 10) -> CohortReport:
    """Read and merge JSON exports (ExportError names the first bad file and why)."""
    with collector_paused():
        exports = [read_export(Path(p)) for p in paths]
    return report_of(exports, most_missed)


def report_of(exports: Sequence[LearnerExport], most_missed: int = 10) -> CohortReport:
    """The report of learner records read from files or from an LRS (`lrs.cohort`)."""
    with collector_paused():
        learners, duplicates = merge(exports)
    fingerprints: dict[str, list[str]] = defaultdict(list)
    for ex in exports:
        fingerprints[ex.fingerprint].append(ex.source)
    critical = [
        CriticalCase(m.learner, c.run.case_id, c.title or c.run.case_id, c.run.critical_errors,
                     c.run.finished_at)
        for m in learners for c in m.case_runs.values() if c.run.critical_errors
    ]
    return CohortReport(
        learners=tuple(learners),
        rows=tuple(row for m in learners for row in _rows(m)),
        most_missed=tuple(_most_missed(learners, most_missed)),
        critical_cases=tuple(critical),
        fingerprints={fp: tuple(srcs) for fp, srcs in fingerprints.items()},
        duplicates_ignored=duplicates,
    )


def write_cohort_csv(report: CohortReport, path: Path, *, protected: tuple[Path, ...] = (),
                     overwrite: bool = False) -> Path:
    """Write one row per learner × topic with the injection-safe CSV writer (refusing a
    protected path, and an existing file unless `overwrite`: see `files.check_output`)."""
    check_output(path, protected, overwrite)
    with atomic_text(path, newline="") as stream:
        writer = SafeCsvWriter(stream, COHORT_COLUMNS)
        for row in report.rows:
            lr = row.learner
            writer.writerow((
                lr.id, lr.display_name, lr.program, lr.level, row.course.id, row.course_version,
                row.topic, topic_label(row.topic, row.course),
                row.responses, row.items_answered, row.items_in_bank, round(row.points, 6),
                round(row.max_points, 6), round(row.accuracy, 4), round(row.mastery, 4),
                row.lessons_completed, row.lessons_total, row.case_runs, row.critical_runs,
                ";".join(row.fingerprints), report.fingerprint_mismatch,
            ))
    return path
