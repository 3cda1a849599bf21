"""Roll-ups a program director reads: learner × topic and learner × objective, cohort
medians, who is below a threshold per objective, case outcomes, lessons and reviews.

A row is one learner in one course (`LearnerKey`: learner id, course id): a learner with
answers in two courses has two rows, and no figure mixes them.

Topics and objectives are opaque string ids, as the exports carry them. An objective may
carry a label and an external code (a milestone or curriculum code from the course
manifest): pass an `objectives` lookup (id → `ObjectiveInfo`) and the objective roll-up
groups by the code when there is one, by the id otherwise.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.domain.scoring import case_fraction
from vpkp_tutor.export.cohort import (
    Answers,
    CohortReport,
    MergedLearner,
    distinct,
    group_mastery,
    moment,
    recency_scores,
)

BELOW = 0.6
"""Default mastery threshold: a learner under it on an objective is listed as behind."""
TREND_MIN = 6
"""Responses needed in a group before a trend is shown."""

LearnerKey = tuple[str, str]
"""A roll-up row: (learner id, course id)."""


@dataclass(frozen=True, slots=True)
class ObjectiveInfo:
    """What the course says about an objective (label; optional external code)."""

    id: str
    label: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One learner (in one course) on one topic or objective."""

    learner_id: str
    course_id: str
    key: str
    mastery: float
    accuracy: float
    responses: int
    items: int
    last_active: dt.datetime | None
    trend: float | None
    """Accuracy of the later half of the responses minus the earlier half (≥ TREND_MIN)."""


@dataclass(frozen=True, slots=True)
class Group:
    """A topic or an objective (code) across the cohort."""

    key: str
    label: str
    code: str
    items_in_bank: int
    median_mastery: float
    median_accuracy: float | None
    started: int
    below: tuple[LearnerKey, ...]
    """Rows (learner, course) whose mastery is under the threshold (not started included)."""


@dataclass(frozen=True, slots=True)
class LearnerSummary:
    """One line of the learners table: a learner in one course."""

    id: str
    name: str
    program: str
    level: str
    responses: int
    accuracy: float | None
    mastery: float
    lessons_completed: int
    lessons_total: int
    case_runs: int
    never_events: int
    path_quality: float | None
    reviews_done: int
    review_days: int
    last_active: dt.datetime | None
    behind_on: int
    reviews_overdue: int | None = None
    """Questions past their review date when the newest export was made (None: the
    exports do not carry the schedule)."""
    course_id: str = ""
    course_title: str = ""

    @property
    def key(self) -> LearnerKey:
        """The row's key in the roll-up's cells and groups."""
        return (self.id, self.course_id)

    @property
    def review_adherence(self) -> float | None:
        """Reviews done over reviews done plus those overdue: the share of what came due
        that was reviewed (None without the schedule, or with nothing due or done)."""
        if self.reviews_overdue is None or not self.reviews_done + self.reviews_overdue:
            return None
        return self.reviews_done / (self.reviews_done + self.reviews_overdue)


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    """One case across the cohort."""

    case_id: str
    title: str
    runs: int
    finished: int
    learners: int
    never_event_runs: int
    never_events: tuple[tuple[str, int], ...]
    """Critical choice → how many runs made it."""
    path_quality: float | None
    """Mean points / max over finished runs."""


@dataclass(frozen=True, slots=True)
class Rollup:
    """Everything the report's roll-up sections show."""

    learners: tuple[LearnerSummary, ...]
    topics: tuple[Group, ...]
    objectives: tuple[Group, ...]
    by_topic: dict[tuple[LearnerKey, str], Cell]
    by_objective: dict[tuple[LearnerKey, str], Cell]
    """(learner, course), topic or objective key → the cell."""
    cases: tuple[CaseOutcome, ...]
    threshold: float

    @property
    def several_courses(self) -> bool:
        """True when the rows come from more than one course (rows then name theirs)."""
        return len({s.course_id for s in self.learners}) > 1


def _cells(answers: Answers, rows: Any, group: Any, ids: Sequence[LearnerKey],
           keys: Sequence[str], score: Any, in_bank: Any) -> dict[tuple[LearnerKey, str], Cell]:
    """Cells of the answers at `rows`, grouped by learner × key (`group` = learner * nkeys +
    key code, per row; `rows` in time order, learner by learner)."""
    import numpy as np

    ng = len(in_bank)
    points = np.bincount(group, answers.points[rows], minlength=ng)
    most = np.bincount(group, answers.max_points[rows], minlength=ng)
    count = np.bincount(group, minlength=ng)
    items, mastery = group_mastery(group, answers.question[rows], score[rows], in_bank)
    # trend: the later half of a group's answers (in time) against the earlier half
    by_group = np.argsort(group, kind="stable")
    g_sorted = group[by_group]
    ends = np.nonzero(np.append(g_sorted[1:] != g_sorted[:-1], True))[0] if len(group) else (
        np.zeros(0, np.int64))
    last = np.zeros(ng, dtype=np.int64)  # the newest answer: the last of each group
    last[g_sorted[ends]] = answers.answered_us[rows][by_group][ends]
    # where each answer's group starts in the sorted order (each run repeated over its length)
    firsts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    starts = np.repeat(firsts, ends - firsts + 1)
    rank = np.empty(len(group), dtype=np.int64)
    rank[by_group] = np.arange(len(group)) - starts
    half = count // 2
    frac = answers.fraction[rows]
    early = rank < half[group]
    early_sum = np.bincount(group[early], frac[early], minlength=ng)
    late_sum = np.bincount(group[~early], frac[~early], minlength=ng)
    nkeys = max(1, len(keys))
    out: dict[tuple[LearnerKey, str], Cell] = {}
    for g in np.nonzero(count)[0].tolist():
        li, key = divmod(g, nkeys)
        n = int(count[g])
        trend = (float(late_sum[g]) / (n - int(half[g])) - float(early_sum[g]) / int(half[g])
                 if n >= TREND_MIN else None)
        out[ids[li], keys[key]] = Cell(
            *ids[li], keys[key], float(mastery[g]),
            float(points[g]) / float(most[g]) if most[g] else 0.0, n, int(items[g]),
            moment(int(last[g])), trend)
    return out


def build_rollup(cohort: CohortReport, *,
                 objectives: Mapping[str, ObjectiveInfo] | None = None,
                 topic_label: Callable[[str], str] = lambda t: t,
                 objective_items: Mapping[str, int] | None = None,
                 threshold: float = BELOW) -> Rollup:
    """Roll the merged learners up by topic and by objective (see the module's note).

    `objective_items` gives each objective's question count in the bank (the mastery
    denominator, as in the app); without it an objective's answered items are used."""
    import numpy as np

    objectives = objectives or {}
    learners = cohort.learners
    answers = cohort.answers
    ids = [(m.learner.id, m.course.id) for m in learners]
    nlearners = len(learners)
    obj_bank: dict[str, int] = defaultdict(int)
    for oid, count in (objective_items or {}).items():
        obj_bank[_objective_key(oid, objectives)] += count
    topic_bank: dict[str, int] = {}
    for m in learners:
        for topic, counts in m.topic_totals.items():
            topic_bank[topic] = max(topic_bank.get(topic, 0), counts.get("questions", 0))
    order = answers.time_order()
    nq = max(1, len(answers.question_ids))
    # each question's recency-weighted score over the learner's whole history
    score = recency_scores(answers.learner * nq + answers.question, answers.fraction, order)
    # by topic
    topic_names = answers.topics
    nt = max(1, len(topic_names))
    in_bank = np.zeros(nlearners * nt, dtype=np.int64)
    tcode = {t: i for i, t in enumerate(topic_names)}
    for li, m in enumerate(learners):
        for topic, counts in m.topic_totals.items():
            if topic in tcode:
                in_bank[li * nt + tcode[topic]] = counts.get("questions", 0)
    by_topic = _cells(answers, order, answers.learner[order] * nt + answers.topic[order], ids,
                      topic_names, score, in_bank)
    # by objective (or its external code): an answer counts toward each of its keys
    okey_code: dict[str, int] = {}
    set_keys = []
    for objs in answers.objective_sets:
        keys = dict.fromkeys(_objective_key(o, objectives) for o in objs)
        set_keys.append([okey_code.setdefault(k, len(okey_code)) for k in keys])
    okeys = list(okey_code)
    no = max(1, len(okeys))
    per_set = np.array([len(k) for k in set_keys] or [0], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(per_set)[:-1]))
    flat = np.array([k for keys in set_keys for k in keys] or [0], dtype=np.int64)
    repeat = per_set[answers.objectives[order]] if len(order) else per_set[:0]
    rows = np.repeat(order, repeat)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    okey = flat[offsets[answers.objectives[rows]] + within]
    in_bank_o = np.tile(np.array([obj_bank.get(k, 0) for k in okeys] or [0],
                                 dtype=np.int64), nlearners)
    by_obj = _cells(answers, rows, answers.learner[rows] * no + okey, ids, okeys, score,
                    in_bank_o)
    # each learner overall
    totals = np.array([sum(c.get("questions", 0) for c in m.topic_totals.values())
                       for m in learners], dtype=np.int64)
    overall = _cells(answers, order, answers.learner[order], ids, [""], score, totals)
    review = answers.review
    reviews = np.bincount(answers.learner[review], minlength=nlearners)
    days = distinct(answers.learner[review] * (1 << 32)
                     + answers.answered_us[review] // 86_400_000_000)
    review_days = np.bincount(days // (1 << 32), minlength=nlearners)
    summaries = []
    for li, m in enumerate(learners):
        lid = m.learner.id
        cell = overall.get((ids[li], ""))
        finished = [c for c in m.case_runs.values() if c.run.finished_at is not None]
        quality = [_share(c.run) for c in finished if c.run.max_points > 0]
        lessons_total = sum(c.get("lessons", 0) for c in m.topic_totals.values())
        summaries.append(LearnerSummary(
            id=lid, name=m.learner.display_name, program=m.learner.program,
            level=m.learner.level, responses=cell.responses if cell else 0,
            accuracy=cell.accuracy if cell else None,
            mastery=_course_mastery(m, ids[li], by_topic),
            lessons_completed=sum(1 for p, _ in m.lessons.values() if p.completed),
            lessons_total=max(lessons_total, len(m.lessons)),
            case_runs=len(m.case_runs),
            never_events=sum(1 for c in m.case_runs.values() if c.run.critical_errors),
            path_quality=sum(quality) / len(quality) if quality else None,
            reviews_done=int(reviews[li]), review_days=int(review_days[li]),
            last_active=_last_active(m, cell), behind_on=0,
            reviews_overdue=None if m.review_due is None else sum(
                1 for _, due in m.review_due if due < m.exported_at),
            course_id=m.course.id, course_title=m.course.title))
    # a group is judged over the rows of the courses that offer it (a course declaring the
    # topic, or any of its rows answering it), so one course's rows are not "behind" on
    # another course's topics and objectives
    topic_courses = _courses_of(by_topic)
    for m in learners:
        for topic in m.topic_totals:
            topic_courses[topic].add(m.course.id)
    topic_keys = list(dict.fromkeys([*topic_bank, *(t for _, t in by_topic)]))
    topics = [_group(t, topic_label(t), "", topic_bank.get(t, 0),
                     _offering(ids, topic_courses[t]), by_topic, threshold)
              for t in topic_keys if t]
    obj_courses = _courses_of(by_obj)
    obj_keys = sorted({o for _, o in by_obj} | set(obj_bank))
    groups = []
    for key in obj_keys:
        info = _info_for_key(key, objectives)
        groups.append(_group(key, info.label if info else "", info.code if info else "",
                             obj_bank.get(key, 0), _offering(ids, obj_courses[key]), by_obj,
                             threshold))
    behind: dict[LearnerKey, int] = defaultdict(int)
    for g in groups:
        for row in g.below if g.started else ():  # nobody started it: not one's lag
            behind[row] += 1
    summaries = [_replace_behind(s, behind[s.key]) for s in summaries]
    return Rollup(tuple(summaries), tuple(topics), tuple(groups), by_topic, by_obj,
                  tuple(_cases(learners)), threshold)


def _courses_of(cells: Mapping[tuple[LearnerKey, str], Cell]) -> defaultdict[str, set[str]]:
    """Group key → the courses with a row that answered it."""
    out: defaultdict[str, set[str]] = defaultdict(set)
    for (_, course), key in cells:
        out[key].add(course)
    return out


def _offering(ids: Sequence[LearnerKey], courses: set[str]) -> Sequence[LearnerKey]:
    """The rows of these courses (every row when no course is known to offer the group)."""
    if not courses or len(courses) == len({c for _, c in ids}):
        return ids
    return [k for k in ids if k[1] in courses]


def _objective_key(oid: str, objectives: Mapping[str, ObjectiveInfo]) -> str:
    """The roll-up key of an objective: its external code when the course gives one."""
    info = objectives.get(oid)
    return info.code if info is not None and info.code else oid


def _info_for_key(key: str, objectives: Mapping[str, ObjectiveInfo]) -> ObjectiveInfo | None:
    info = objectives.get(key)
    if info is not None:
        return info
    named = [o for o in objectives.values() if o.code == key]
    if not named:
        return None
    return ObjectiveInfo(key, "; ".join(o.label or o.id for o in named), key)


def _last_active(m: MergedLearner, cell: Cell | None) -> dt.datetime | None:
    times = [cell.last_active] if cell and cell.last_active else []
    times += [c.run.finished_at or c.run.started_at for c in m.case_runs.values()]
    times += [p.updated_at for p, _ in m.lessons.values() if p.updated_at]
    return max(times) if times else None


def _replace_behind(s: LearnerSummary, n: int) -> LearnerSummary:
    return replace(s, behind_on=n)


def _group(key: str, label: str, code: str, in_bank: int, ids: Sequence[LearnerKey],
           cells: Mapping[tuple[LearnerKey, str], Cell], threshold: float) -> Group:
    mine = [cells.get((row, key)) for row in ids]
    masteries = [c.mastery if c else 0.0 for c in mine]
    accuracies = [c.accuracy for c in mine if c]
    return Group(key, label, code, in_bank,
                 statistics.median(masteries) if masteries else 0.0,
                 statistics.median(accuracies) if accuracies else None,
                 sum(1 for c in mine if c),
                 tuple(row for row, v in zip(ids, masteries, strict=True) if v < threshold))


def _course_mastery(m: MergedLearner, key: LearnerKey,
                    by_topic: Mapping[tuple[LearnerKey, str], Cell]) -> float:
    """A learner's mastery of the course: the mean of their topic masteries (each as the app
    shows it on Home) over the course's topics, a topic not started counting 0. (Pooled
    over the whole bank, ten good answers in one topic read as 100%.)"""
    topics = [t for t, counts in m.topic_totals.items() if counts.get("questions", 0)]
    if not topics:
        return 0.0
    return sum(c.mastery if (c := by_topic.get((key, t))) else 0.0 for t in topics) / len(
        topics)


def _share(run: CaseRun) -> float:
    """A run's share of its case's points, as the app scores it (none after a never event,
    whatever an export from an older version says it earned)."""
    return case_fraction(run.points, run.max_points, bool(run.critical_errors))


def _cases(learners: Sequence[MergedLearner]) -> list[CaseOutcome]:
    runs: dict[str, list[tuple[str, CaseRun]]] = defaultdict(list)
    titles: dict[str, str] = {}
    for m in learners:
        for c in m.case_runs.values():
            runs[c.run.case_id].append((m.learner.id, c.run))
            titles[c.run.case_id] = c.title or titles.get(c.run.case_id, "") or c.run.case_id
    out = []
    for case_id, items in runs.items():
        rs = [r for _, r in items]
        finished = [r for r in rs if r.finished_at is not None]
        quality = [_share(r) for r in finished if r.max_points > 0]
        errors: dict[str, int] = defaultdict(int)
        for r in rs:
            for e in r.critical_errors:
                errors[e] += 1
        out.append(CaseOutcome(
            case_id, titles[case_id], len(rs), len(finished), len({lid for lid, _ in items}),
            sum(1 for r in rs if r.critical_errors),
            tuple(sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))),
            sum(quality) / len(quality) if quality else None))
    out.sort(key=lambda c: (-c.never_event_runs, c.case_id))
    return out
