"""The director's report: the cohort merge, item analysis and roll-ups in one object, with
the content bank's stems, options and objectives when one is given."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vpkp_tutor.export.cohort import CohortReport, build_report, collector_paused
from vpkp_tutor.report.forked import beside
from vpkp_tutor.report.items import (
    MIN_N,
    FormStats,
    ItemContent,
    ItemStats,
    analyse_forms,
    analyse_items,
)
from vpkp_tutor.report.rollup import BELOW, ObjectiveInfo, Rollup, build_rollup
from vpkp_tutor.report.why import (
    ItemDisagreements,
    Sureness,
    TopicErrors,
    calibration,
    disagreements,
    error_profile,
)

if TYPE_CHECKING:
    from vpkp_tutor.domain.model import ContentBank


@dataclass(frozen=True, slots=True)
class DirectorReport:
    """Everything the HTML report and the terminal flags summary show."""

    cohort: CohortReport
    items: tuple[ItemStats, ...]
    forms: tuple[FormStats, ...]
    rollup: Rollup
    names: Mapping[str, str]
    """Learner id → the name shown (a stable code when anonymised)."""
    anonymised: bool
    generated_at: dt.datetime
    min_n: int
    errors: tuple[TopicErrors, ...]
    """The cohort's error profile: per topic, misses and the reasons learners gave."""
    errors_total: TopicErrors
    """The same over every topic."""
    disagree: Mapping[str, ItemDisagreements]
    """Items whose key learners disagree with (most disagreed with first)."""
    sureness: tuple[Sureness, ...] = ()
    """How often the cohort was right at each stated confidence (then none stated)."""
    confident_errors: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Per item, answers stated "sure" that missed full marks."""


def anonymous_code(learner_id: str) -> str:
    """A stable code for a learner: the same id gives the same code in every report."""
    return "L-" + hashlib.sha256(learner_id.encode("utf-8")).hexdigest()[:6].upper()


@dataclass(frozen=True, slots=True)
class Course:
    """What the report takes from the content bank (all optional)."""

    content: Callable[[str], ItemContent | None]
    objectives: Mapping[str, ObjectiveInfo]
    objective_items: Mapping[str, int]


NO_COURSE = Course(lambda _q: None, {}, {})


def course_from_bank(bank: ContentBank) -> Course:
    """Stems, options and keys of the bank's items; its objectives (with an external code
    when the course declares one) and how many items test each."""
    from vpkp_tutor.domain.model import (
        LETTERS,
        MultipleResponse,
        SingleBest,
        TrueFalse,
    )

    def content(qid: str) -> ItemContent | None:
        if not bank.has_question(qid):
            return None
        q = bank.question(qid)
        if isinstance(q, SingleBest | TrueFalse):
            keys = frozenset({q.key})
        elif isinstance(q, MultipleResponse):
            keys = frozenset(q.keys)
        else:
            return ItemContent(q.stem, (), frozenset())
        return ItemContent(q.stem, tuple((LETTERS[i], o.text) for i, o in enumerate(q.options)),
                           keys)

    objectives: dict[str, ObjectiveInfo] = {}
    for lesson in bank.lessons:
        for o in lesson.objectives:
            # hook: an objective that carries an external code (a milestone or curriculum
            # code from the course manifest) is grouped under it
            code = getattr(o, "code", None) or getattr(o, "external_code", None) or ""
            objectives[o.id] = ObjectiveInfo(o.id, o.text, str(code))
    counts: dict[str, int] = {}
    for meta in bank.question_meta:
        for oid in meta.objectives:
            counts[oid] = counts.get(oid, 0) + 1
    return Course(content, objectives, counts)


def build_director_report(paths: Sequence[Path], course: Course = NO_COURSE, *,
                          anonymise: bool = False, threshold: float = BELOW,
                          min_n: int = MIN_N, most_missed: int = 10,
                          topic_label: Callable[[str], str] | None = None,
                          now: dt.datetime | None = None,
                          cohort: CohortReport | None = None) -> DirectorReport:
    """Read the exports (ExportError names the first bad one) and analyse them. Topic
    names come from `topic_label`, else from the courses the exports carry."""
    with collector_paused():  # a million small objects, none in a cycle
        if cohort is None:  # else read already (from a Learning Record Store)
            cohort = build_report(paths, most_missed=most_missed)
        if topic_label is None:
            topic_label = lambda t: cohort.topic(t).label  # noqa: E731
        label = topic_label

        def rolled_up() -> tuple[Rollup, tuple[tuple[TopicErrors, ...], TopicErrors]]:
            rollup = build_rollup(cohort, objectives=course.objectives, topic_label=label,
                                  objective_items=course.objective_items,
                                  threshold=threshold)
            return rollup, error_profile(cohort, [g.key for g in rollup.topics])

        # the roll-ups take about as long as the item analysis: a large cohort's are
        # worked out beside it
        rolling_up = beside(rolled_up, len(cohort.answers))
        items = analyse_items(cohort, course.content, min_n)
        forms = analyse_forms(cohort)
        disagree = disagreements(cohort)
        sureness, confident_errors = calibration(cohort)
        rollup, (errors, errors_total) = rolling_up()
    names = {m.learner.id: anonymous_code(m.learner.id) if anonymise
             else m.learner.display_name for m in cohort.learners}
    return DirectorReport(cohort, tuple(items), tuple(forms), rollup, names, anonymise,
                          now or dt.datetime.now(dt.UTC), min_n, errors, errors_total,
                          disagree, sureness, confident_errors)
