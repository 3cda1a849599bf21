"""Roll-ups a program director reads: learner × topic and learner × objective, cohort
medians, who is below a threshold per objective, case outcomes, lessons and reviews.

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
from dataclasses import dataclass, field, replace

from vpkp_tutor.domain.mastery import RECENT, item_score, mastery_value
from vpkp_tutor.domain.progress import CaseRun
from vpkp_tutor.export.cohort import MergedLearner

BELOW = 0.6
"""Default mastery threshold: a learner under it on an objective is listed as behind."""
TREND_MIN = 6
"""Responses needed in a group before a trend is shown."""


@dataclass(frozen=True, slots=True)
class ObjectiveInfo:
    """What the course says about an objective (label; optional external code)."""

    id: str
    label: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One learner on one topic or objective."""

    learner_id: str
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
    below: tuple[str, ...]
    """Learner ids whose mastery is under the threshold (not started included)."""


@dataclass(frozen=True, slots=True)
class LearnerSummary:
    """One line of the learners table."""

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
    by_topic: dict[tuple[str, str], Cell]
    by_objective: dict[tuple[str, str], Cell]
    cases: tuple[CaseOutcome, ...]
    threshold: float


@dataclass(slots=True)
class _Acc:
    """A learner's responses in one group, in time order."""

    points: float = 0.0
    most: float = 0.0
    fractions: list[float] = field(default_factory=list)
    questions: set[str] = field(default_factory=set)
    last: dt.datetime | None = None


def _cell(lid: str, key: str, acc: _Acc, scores: Mapping[str, float], in_bank: int) -> Cell:
    fr = acc.fractions
    trend = None
    if len(fr) >= TREND_MIN:
        half = len(fr) // 2
        trend = sum(fr[half:]) / (len(fr) - half) - sum(fr[:half]) / half
    return Cell(lid, key, mastery_value([scores[q] for q in acc.questions], in_bank),
                acc.points / acc.most if acc.most else 0.0, len(fr), len(acc.questions),
                acc.last, trend)


def _item_scores(history: Mapping[str, list[float]]) -> dict[str, float]:
    """Each question's recency-weighted score (one answer: that answer's fraction)."""
    return {q: fr[0] if len(fr) == 1 else item_score(fr[-RECENT:])
            for q, fr in history.items()}


def build_rollup(learners: Sequence[MergedLearner], *,
                 objectives: Mapping[str, ObjectiveInfo] | None = None,
                 topic_label: Callable[[str], str] = lambda t: t,
                 objective_items: Mapping[str, int] | None = None,
                 threshold: float = BELOW) -> Rollup:
    """Roll the merged learners up by topic and by objective (see the module's note).

    `objective_items` gives each objective's question count in the bank (the mastery
    denominator, as in the app); without it an objective's answered items are used."""
    objectives = objectives or {}
    by_topic: dict[tuple[str, str], Cell] = {}
    by_obj: dict[tuple[str, str], Cell] = {}
    topic_bank: dict[str, int] = {}
    obj_bank: dict[str, int] = defaultdict(int)
    for oid, count in (objective_items or {}).items():
        obj_bank[_objective_key(oid, objectives)] += count
    summaries = []
    for m in learners:
        lid = m.learner.id
        per_topic: dict[str, _Acc] = defaultdict(_Acc)
        per_obj: dict[str, _Acc] = defaultdict(_Acc)
        overall = _Acc()
        history: dict[str, list[float]] = defaultdict(list)
        review_days: set[dt.date] = set()
        reviews = 0
        okeys: dict[tuple[str, ...], tuple[str, ...]] = {}
        for r in sorted(m.responses.values(), key=lambda r: r.event.record.answered_at):
            rec = r.event.record
            qid = rec.question_id
            frac = rec.points / rec.max_points if rec.max_points > 0 else 0.0
            history[qid].append(frac)
            objs = r.meta.objectives
            keys = okeys.get(objs)
            if keys is None:
                keys = okeys[objs] = tuple(dict.fromkeys(_objective_key(o, objectives)
                                                         for o in objs))
            for acc in (overall, per_topic[r.meta.topic], *(per_obj[k] for k in keys)):
                acc.points += rec.points
                acc.most += rec.max_points
                acc.fractions.append(frac)
                acc.questions.add(qid)
                acc.last = rec.answered_at
            if r.event.mode == "review":
                reviews += 1
                review_days.add(rec.answered_at.date())
        scores = _item_scores(history)
        for topic, counts in m.topic_totals.items():
            topic_bank[topic] = max(topic_bank.get(topic, 0), counts.get("questions", 0))
        for topic, acc in per_topic.items():
            by_topic[lid, topic] = _cell(lid, topic, acc, scores,
                                         m.topic_totals.get(topic, {}).get("questions", 0))
        for oid, acc in per_obj.items():
            by_obj[lid, oid] = _cell(lid, oid, acc, scores, obj_bank.get(oid, 0))
        cell = _cell(lid, "", overall, scores, sum(c.get("questions", 0) for c in
                                                   m.topic_totals.values())
                     ) if overall.fractions else None
        finished = [c for c in m.case_runs.values() if c.run.finished_at is not None]
        quality = [c.run.points / c.run.max_points for c in finished if c.run.max_points > 0]
        lessons_total = sum(c.get("lessons", 0) for c in m.topic_totals.values())
        summaries.append(LearnerSummary(
            id=lid, name=m.learner.display_name, program=m.learner.program,
            level=m.learner.level, responses=len(overall.fractions),
            accuracy=cell.accuracy if cell else None, mastery=cell.mastery if cell else 0.0,
            lessons_completed=sum(1 for p, _ in m.lessons.values() if p.completed),
            lessons_total=max(lessons_total, len(m.lessons)),
            case_runs=len(m.case_runs),
            never_events=sum(1 for c in m.case_runs.values() if c.run.critical_errors),
            path_quality=sum(quality) / len(quality) if quality else None,
            reviews_done=reviews, review_days=len(review_days),
            last_active=_last_active(m, cell), behind_on=0))
    ids = [s.id for s in summaries]
    topic_keys = list(dict.fromkeys([*topic_bank, *(t for _, t in by_topic)]))
    topics = [_group(t, topic_label(t), "", topic_bank.get(t, 0), ids, by_topic, threshold)
              for t in topic_keys if t]
    obj_keys = sorted({o for _, o in by_obj} | set(obj_bank))
    groups = []
    for key in obj_keys:
        info = _info_for_key(key, objectives)
        groups.append(_group(key, info.label if info else "", info.code if info else "",
                             obj_bank.get(key, 0), ids, by_obj, threshold))
    behind: dict[str, int] = defaultdict(int)
    for g in groups:
        for lid in g.below if g.started else ():  # nobody started it: not one's lag
            behind[lid] += 1
    summaries = [_replace_behind(s, behind[s.id]) for s in summaries]
    return Rollup(tuple(summaries), tuple(topics), tuple(groups), by_topic, by_obj,
                  tuple(_cases(learners)), threshold)


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


def _group(key: str, label: str, code: str, in_bank: int, ids: Sequence[str],
           cells: Mapping[tuple[str, str], Cell], threshold: float) -> Group:
    mine = [cells.get((lid, key)) for lid in ids]
    masteries = [c.mastery if c else 0.0 for c in mine]
    accuracies = [c.accuracy for c in mine if c]
    return Group(key, label, code, in_bank,
                 statistics.median(masteries) if masteries else 0.0,
                 statistics.median(accuracies) if accuracies else None,
                 sum(1 for c in mine if c),
                 tuple(lid for lid, v in zip(ids, masteries, strict=True) if v < threshold))


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
        quality = [r.points / r.max_points for r in finished if r.max_points > 0]
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
