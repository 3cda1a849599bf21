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
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpkp_tutor.domain.mastery import (
    EVIDENCE_ITEMS,
    RECENCY_WEIGHTS,
    RECENT,
    mastery_value,
)
from vpkp_tutor.domain.model import Course, Topic
from vpkp_tutor.domain.progress import Learner, LessonProgress
from vpkp_tutor.export.csv_safe import SafeCsvWriter
from vpkp_tutor.export.files import atomic_text, check_output
from vpkp_tutor.export.json_export import CaseRunInfo, LearnerExport
from vpkp_tutor.export.json_read import Codes, ResponseColumns, columns_of, read_all
from vpkp_tutor.export.record import topic_label

COHORT_COLUMNS = (
    "learner_id", "learner_name", "program", "level", "course_id", "course_version", "topic",
    "topic_label", "responses",
    "items_answered", "items_in_bank", "points", "max_points", "accuracy", "mastery",
    "lessons_completed", "lessons_total", "case_runs", "case_runs_with_critical_errors",
    "content_fingerprint", "fingerprint_differs",
)
"""Header of the cohort CSV (one row per learner × topic; `accuracy` is empty where the
learner answered nothing in the topic, as in the learner's summary CSV)."""


@dataclass(slots=True)
class MergedLearner:
    """One learner's record merged from every export that held it."""

    learner: Learner
    exported_at: dt.datetime
    fingerprints: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    case_runs: dict[str, CaseRunInfo] = field(default_factory=dict)
    lessons: dict[str, tuple[LessonProgress, str]] = field(default_factory=dict)
    topic_totals: dict[str, dict[str, int]] = field(default_factory=dict)
    attempts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Quiz attempt id → the question ids it drew (its form)."""
    course: Course = field(default_factory=Course)
    """The course (as the newest export gave it)."""
    course_versions: set[str] = field(default_factory=set)
    review_due: tuple[tuple[str, dt.datetime], ...] | None = None
    """The spaced-review schedule in the newest export (None when it carries none)."""
    responses: range = range(0)
    """Where its merged answers are in the cohort's `Answers` (one entry per answer)."""


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
    course_id: str = ""
    """The course the run was made in."""


@dataclass(frozen=True, slots=True)
class CohortReport:
    """Everything `vpkp-tutor report` prints and writes."""

    learners: tuple[MergedLearner, ...]
    critical_cases: tuple[CriticalCase, ...]
    fingerprints: dict[str, tuple[str, ...]]
    """Content fingerprint → the export files made with it."""
    duplicates_ignored: int
    """Responses seen more than once across the exports (counted once)."""
    answers: Answers
    most_missed_limit: int = 10
    _made: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def rows(self) -> tuple[TopicRow, ...]:
        """One row per learner × topic (worked out on first use: the printed summary and the
        cohort CSV read them; the item analysis, the roll-ups and the HTML report do not)."""
        rows: tuple[TopicRow, ...] = self._once(
            "rows", lambda: tuple(_rows(self.learners, self.answers)))
        return rows

    @property
    def most_missed(self) -> tuple[MissedItem, ...]:
        """The items missed most (at most `most_missed_limit`; worked out on first use)."""
        items: tuple[MissedItem, ...] = self._once("most_missed", lambda: tuple(
            _most_missed(self.learners, self.answers, self.most_missed_limit)))
        return items

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self._made:
            with collector_paused():
                self._made[name] = make()
        return self._made[name]

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


@dataclass(frozen=True, slots=True)
class Answers:
    """The cohort's merged answers as columns (numpy arrays, one entry per answer), grouped by
    learner in the order of `CohortReport.learners`, each learner's in merge order."""

    learner: Any
    """Index into the report's learners."""
    question: Any
    """Code into `question_ids`."""
    topic: Any
    kind: Any
    objectives: Any
    """Code into `objective_sets` (the objective ids an answer's question tests)."""
    attempt: Any
    choice: Any
    """Code into `choices`: the answer."""
    points: Any
    max_points: Any
    correct: Any
    sure: Any
    """The stated confidence: 1 sure, 2 unsure, 3 guess, 0 not stated."""
    review: Any
    answered_us: Any
    """Microseconds since 1970-01-01T00:00:00Z (UTC)."""
    question_ids: list[str]
    topics: list[str]
    kinds: list[str]
    objective_sets: list[tuple[str, ...]]
    attempt_ids: list[str]
    choices: list[Any]
    """Every answer given (a text, a number, a tuple or None)."""
    why: Any
    """Code into `whys`: why the learner says the answer was wrong."""
    whys: list[tuple[str | None, str]]
    """(error tag or None, the comment kept with the tag, else "")."""
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                     compare=False)
    """`fraction` and `time_order()` once worked out (read-only: the analyses share them)."""

    def __len__(self) -> int:
        return len(self.question)

    @property
    def fraction(self) -> Any:
        """points / max_points (0 where nothing was available)."""
        import numpy as np

        def fraction() -> Any:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(self.max_points > 0, self.points / self.max_points, 0.0)

        return self._shared("fraction", fraction)

    def time_order(self) -> Any:
        """Positions sorted by learner, then answered_at, then merge order."""
        import numpy as np

        return self._shared("time_order", lambda: np.lexsort(
            (np.arange(len(self)), self.answered_us, self.learner)))

    def _shared(self, name: str, make: Callable[[], Any]) -> Any:
        """A column derived from the others, made on first use and kept (read-only)."""
        value = self._derived.get(name)
        if value is None:
            value = self._derived[name] = make()
            value.flags.writeable = False
        return value

    def answer(self, i: int) -> Any:
        """The answer of entry `i` (text, number, tuple or None)."""
        return self.choices[int(self.choice[i])]


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def moment(micros: int) -> dt.datetime:
    """An `Answers.answered_us` value as a UTC datetime."""
    return EPOCH + dt.timedelta(microseconds=int(micros))


Merged = tuple[list[MergedLearner], Answers, dict[str, list[str]], int]
"""The learners, their answers, the files of each content fingerprint, and the duplicate
responses ignored."""


def merge(paths: Sequence[Path]) -> Merged:
    """Read exports into columns and merge them by learner id and course id (one learner's
    courses stay apart); ExportError names the first bad file."""
    columns, read = read_all(paths)
    return merge_columns(columns, read)


def merge_records(exports: Sequence[LearnerExport]) -> Merged:
    """Merge learner records already read (from an LRS: `lrs.cohort`) as `merge` does."""
    columns, read = columns_of(exports)
    return merge_columns(columns, read)


def merge_columns(columns: ResponseColumns,
                  read: Sequence[tuple[LearnerExport, range]]) -> Merged:
    """Merge exports whose answers are in `columns` (each export's at its range)."""
    import numpy as np

    at = columns.answered_us
    repeated = set(columns.repeated)
    fingerprints: dict[str, list[str]] = defaultdict(list)
    for ex, _ in read:
        fingerprints[ex.fingerprint].append(ex.source)
    merged: dict[tuple[str, str], MergedLearner] = {}
    rows_of: dict[tuple[str, str], list[range]] = defaultdict(list)
    for ex, rows in sorted(read, key=lambda e: e[0].exported_at):
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
        m.review_due = ex.review_due
        rows_of[key].append(rows)
        for a in ex.attempts:
            qids = a.get("question_ids") or ()
            if isinstance(a.get("id"), str) and (qids or a["id"] not in m.attempts):
                m.attempts[a["id"]] = tuple(qids)  # texts: the reader checked them
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
    duplicates = 0
    parts = []
    start = 0
    for m in learners:
        spans = rows_of[m.learner.id, m.course.id]
        if len(spans) == 1 and spans[0] not in repeated:
            kept: Any = np.arange(spans[0].start, spans[0].stop, dtype=np.int64)
        else:  # the newest version of each response id, at the place it was first seen
            ids = columns.ids
            seen: dict[str, int] = {}
            for span in spans:
                for i in span:
                    old = seen.get(ids[i])
                    if old is not None:
                        duplicates += 1
                        if at[old] > at[i]:
                            continue
                    seen[ids[i]] = i
            kept = np.fromiter(seen.values(), np.int64, len(seen))
        parts.append(kept)
        m.responses = range(start, start + len(kept))
        start += len(kept)
    order = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    counts = np.fromiter((len(m.responses) for m in learners), np.int64, len(learners))

    def col(values: Any, dtype: Any) -> Any:
        return np.frombuffer(values, dtype=dtype)[order] if len(values) else np.zeros(
            0, dtype)

    def table(codes: Codes, values: list[Any]) -> Any:
        return np.frombuffer(codes.code(values), dtype=np.int64) if values else np.zeros(
            1, np.int64)

    # the question facts and sittings behind the codes, each as its own code
    facts, sittings = columns.facts.values(), columns.sittings.values()
    questions, topics, kinds, objective_sets, attempts, whys = (Codes() for _ in range(6))
    fact, sitting = col(columns.fact, np.int64), col(columns.sitting, np.int64)
    answers = Answers(
        learner=np.repeat(np.arange(len(learners), dtype=np.int64), counts),
        question=table(questions, [f[0] for f in facts])[fact],
        topic=table(topics, [f[1] or "" for f in facts])[fact],
        kind=table(kinds, [f[2] or "" for f in facts])[fact],
        objectives=table(objective_sets, [f[3] or () for f in facts])[fact],
        attempt=table(attempts, [a for a, _ in sittings])[sitting],
        choice=col(columns.answer, np.int64),
        points=col(columns.points, np.float64),
        max_points=col(columns.max_points, np.float64),
        correct=col(columns.correct, np.int8).astype(bool),
        sure=col(columns.sure, np.int8),
        review=np.array([mode == "review" for _, mode in sittings] or [False])[sitting],
        answered_us=col(columns.answered_us, np.int64),
        question_ids=questions.values(), topics=topics.values(), kinds=kinds.values(),
        objective_sets=objective_sets.values(), attempt_ids=attempts.values(),
        choices=columns.answers.values(),
        # a comment is kept only with a tag (as `json_export.read_export` keeps it)
        why=table(whys, [(tag, comment if tag else "")
                         for tag, comment in columns.whys.values()])[col(columns.why, np.int64)],
        whys=whys.values() or [(None, "")])
    return learners, answers, fingerprints, duplicates


def distinct(values: Any) -> Any:
    """The distinct values of an integer array, sorted: `np.unique(values)` by sorting (numpy
    2's hashing `unique` took 16 times longer on a cohort's half a million codes)."""
    import numpy as np

    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def runs(ordered: Any) -> tuple[Any, Any]:
    """Where each run of equal values starts in a sorted array, and its length (what
    `np.unique` returns as index and counts, without sorting again)."""
    import numpy as np

    if not len(ordered):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return starts, np.diff(np.append(starts, len(ordered)))


def recency_scores(key: Any, fraction: Any, order: Any) -> Any:
    """Each answer's item score (`mastery.item_score`) over the answers sharing its `key`:
    the recency-weighted mean of the group's last `RECENT` fractions, in `order` (time)."""
    import numpy as np

    k = key[order]
    by_key = np.argsort(k, kind="stable")
    rows = order[by_key]
    k = k[by_key]
    f = fraction[rows]
    first, counts = runs(k)
    inverse = np.repeat(np.arange(len(first)), counts)
    back = np.repeat(first + counts, counts) - np.arange(len(k)) - 1  # 0 = the newest
    weights = np.zeros(len(k))
    for age, w in enumerate(RECENCY_WEIGHTS[:RECENT]):
        weights[back == age] = w
    score = np.bincount(inverse, weights * f) / np.bincount(inverse, weights)
    out = np.empty(len(key))
    out[rows] = score[inverse]
    return out


def group_mastery(group: Any, question: Any, score: Any, in_bank: Any) -> tuple[Any, Any]:
    """Per group (codes 0..len(in_bank)-1): distinct questions answered and mastery
    (`mastery.mastery_value` of their item scores with `in_bank` items in the bank)."""
    import numpy as np

    ng = len(in_bank)
    nq = int(question.max()) + 1 if len(question) else 1
    _, one = np.unique(group * nq + question, return_index=True)
    items = np.bincount(group[one], minlength=ng)
    total = np.bincount(group[one], score[one], minlength=ng)
    denominator = np.maximum(items, np.minimum(in_bank, EVIDENCE_ITEMS))
    with np.errstate(invalid="ignore", divide="ignore"):
        mastery = np.where(denominator > 0, np.clip(total / denominator, 0.0, 1.0), 0.0)
    return items, mastery


def _rows(learners: Sequence[MergedLearner], answers: Answers) -> list[TopicRow]:
    import numpy as np

    nt = max(1, len(answers.topics))
    nq = max(1, len(answers.question_ids))
    group = answers.learner * nt + answers.topic
    ng = len(learners) * nt
    score = recency_scores(group * nq + answers.question, answers.fraction,
                           answers.time_order())
    code = {t: i for i, t in enumerate(answers.topics)}
    in_bank = np.zeros(ng, dtype=np.int64)
    for li, m in enumerate(learners):
        for topic, counts in m.topic_totals.items():
            if topic in code:
                in_bank[li * nt + code[topic]] = counts.get("questions", 0)
    items, mastery = group_mastery(group, answers.question, score, in_bank)
    count = np.bincount(group, minlength=ng)
    points = np.bincount(group, answers.points, minlength=ng)
    most = np.bincount(group, answers.max_points, minlength=ng)
    rows = []
    for li, m in enumerate(learners):
        seen = {answers.topics[t] for t in np.nonzero(count[li * nt:(li + 1) * nt])[0]}
        for topic in [*m.topic_totals, *sorted(t for t in seen if t and t not in m.topic_totals)]:
            g = li * nt + code[topic] if topic in code else -1
            in_bank_t = m.topic_totals.get(topic, {}).get("questions", 0)
            runs = [c for c in m.case_runs.values() if c.topic == topic]
            rows.append(TopicRow(
                learner=m.learner, topic=topic, responses=int(count[g]) if g >= 0 else 0,
                items_answered=int(items[g]) if g >= 0 else 0, items_in_bank=in_bank_t,
                points=float(points[g]) if g >= 0 else 0.0,
                max_points=float(most[g]) if g >= 0 else 0.0,
                mastery=float(mastery[g]) if g >= 0 and count[g] else mastery_value(
                    (), in_bank_t),
                lessons_completed=sum(1 for p, t in m.lessons.values() if t == topic and
                                      p.completed),
                lessons_total=m.topic_totals.get(topic, {}).get("lessons", 0),
                case_runs=sum(1 for c in runs if c.run.finished_at is not None),
                critical_runs=sum(1 for c in runs if c.run.critical_errors),
                fingerprints=tuple(sorted(m.fingerprints)),
                course=m.course, course_version=";".join(sorted(m.course_versions)),
            ))
    return rows


def _most_missed(learners: Sequence[MergedLearner], answers: Answers,
                 limit: int) -> list[MissedItem]:
    import numpy as np

    if not len(answers):
        return []
    nq = len(answers.question_ids)
    q = answers.question
    answered = np.bincount(q, minlength=nq)
    missed = ~answers.correct
    misses = np.bincount(q[missed], minlength=nq)
    # a learner counted once however many of their courses missed it
    person_code: dict[str, int] = {}
    person = np.array([person_code.setdefault(m.learner.id, len(person_code))
                       for m in learners] or [0], dtype=np.int64)[answers.learner]
    people = max(1, len(person_code))
    who = distinct(q[missed] * people + person[missed]) // people
    learners_missing = np.bincount(who, minlength=nq)
    last = np.zeros(nq, dtype=np.int64)  # where each item was last answered
    np.maximum.at(last, q, np.arange(len(q)))  # (the topic its last answer carried)
    items = [MissedItem(answers.question_ids[i], answers.topics[answers.topic[last[i]]],
                        int(misses[i]), int(answered[i]), int(learners_missing[i]))
             for i in np.nonzero(misses)[0].tolist()]
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
        return _report(merge(paths), most_missed)


def report_of(exports: Sequence[LearnerExport], most_missed: int = 10) -> CohortReport:
    """The report of learner records already read (from an LRS: `lrs.cohort`)."""
    with collector_paused():
        return _report(merge_records(exports), most_missed)


def _report(merged: Merged, most_missed: int) -> CohortReport:
    learners, answers, fingerprints, duplicates = merged
    critical = [
        CriticalCase(m.learner, c.run.case_id, c.title or c.run.case_id, c.run.critical_errors,
                     c.run.finished_at, m.course.id)
        for m in learners for c in m.case_runs.values() if c.run.critical_errors
    ]
    return CohortReport(
        learners=tuple(learners),
        critical_cases=tuple(critical),
        fingerprints={fp: tuple(srcs) for fp, srcs in fingerprints.items()},
        duplicates_ignored=duplicates,
        answers=answers,
        most_missed_limit=most_missed,
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
                round(row.max_points, 6),
                round(row.accuracy, 4) if row.max_points else None, round(row.mastery, 4),
                row.lessons_completed, row.lessons_total, row.case_runs, row.critical_runs,
                ";".join(row.fingerprints), report.fingerprint_mismatch,
            ))
    return path
