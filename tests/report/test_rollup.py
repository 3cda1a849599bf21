"""Roll-ups by learner × topic and learner × objective, cohort medians, who is behind, case
outcomes, lessons and reviews; objectives grouped by an external code when the course
gives one."""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

import pytest

from tests.report.gen import Cohort, learner_doc, make_cohort, make_items, two_courses
from vpkp_tutor.export.cohort import build_report
from vpkp_tutor.report.rollup import ObjectiveInfo, build_rollup


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    return make_cohort(tmp_path_factory.mktemp("cohort"), learners=30)


def test_topic_cells_agree_with_the_cohort_rows(cohort: Cohort) -> None:
    report = build_report(cohort.paths)
    rollup = build_rollup(report)
    for row in report.rows:
        cell = rollup.by_topic[(row.learner.id, row.course.id), row.topic]
        assert cell.mastery == pytest.approx(row.mastery)
        assert cell.accuracy == pytest.approx(row.accuracy)
        assert cell.responses == row.responses and cell.items == row.items_answered


def test_objectives_medians_and_who_is_behind(cohort: Cohort) -> None:
    report = build_report(cohort.paths)
    rollup = build_rollup(report, threshold=0.5)
    group = next(g for g in rollup.objectives if g.key == "imaging.obj1")
    masteries = {(m.learner.id, m.course.id): rollup.by_objective.get(
        ((m.learner.id, m.course.id), "imaging.obj1")) for m in report.learners}
    values = [c.mastery if c else 0.0 for c in masteries.values()]
    assert group.median_mastery == pytest.approx(statistics.median(values))
    assert set(group.below) == {row for row, c in masteries.items()
                                if (c.mastery if c else 0.0) < 0.5}
    assert group.below  # the planted miskey makes this objective hard
    behind = {s.key: s.behind_on for s in rollup.learners}
    assert all(behind[row] >= 1 for row in group.below)


def test_case_outcomes_lessons_and_learner_lines(cohort: Cohort) -> None:
    report = build_report(cohort.paths)
    rollup = build_rollup(report)
    (case,) = rollup.cases
    assert (case.case_id, case.runs, case.learners) == ("case.leak", 30, 30)
    assert case.never_event_runs == 6  # every fifth learner pushed on
    assert case.never_events == (("push", 6),)
    assert case.path_quality == pytest.approx(24 / 30)  # 4/4 on the good path, 0 on the bad
    lines = {s.id: s for s in rollup.learners}
    assert lines["l0000"].never_events == 1 and lines["l0001"].never_events == 0
    assert lines["l0002"].lessons_completed == 2 and lines["l0002"].lessons_total == 3
    assert lines["l0001"].responses == len(build_report([cohort.paths[1]]).learners[0]
                                           .responses)


def test_objectives_group_by_external_code(cohort: Cohort) -> None:
    report = build_report(cohort.paths)
    course = {"anatomy.obj0": ObjectiveInfo("anatomy.obj0", "Pedicle landmarks", "PC-3"),
              "anatomy.obj1": ObjectiveInfo("anatomy.obj1", "Vertebral levels", "PC-3"),
              "imaging.obj1": ObjectiveInfo("imaging.obj1", "Fracture age on MRI", "")}
    rollup = build_rollup(report, objectives=course)
    keys = {g.key for g in rollup.objectives}
    assert "PC-3" in keys and "anatomy.obj0" not in keys and "anatomy.obj1" not in keys
    pc3 = next(g for g in rollup.objectives if g.key == "PC-3")
    assert pc3.code == "PC-3" and "Pedicle landmarks" in pc3.label
    row = report.learners[0].learner.id, report.learners[0].course.id
    doc = json.loads(Path(report.learners[0].sources[0]).read_text(encoding="utf-8"))
    both = [r for r in doc["responses"]
            if set(r["objectives"]) & {"anatomy.obj0", "anatomy.obj1"}]
    assert rollup.by_objective[row, "PC-3"].responses == len(both)
    assert next(g for g in rollup.objectives if g.key == "imaging.obj1").label == \
        "Fracture age on MRI"


def test_trend_and_reviews(tmp_path: Path) -> None:
    rng = random.Random(1)
    items = make_items(12, rng)
    qids = [q for q in items if q.startswith("q.0")][:12]
    doc = learner_doc("lt", "Trend", items, [("a1", "tutor", qids), ("r1", "review", qids)],
                      theta=0.0, rng=rng)
    for i, r in enumerate(doc["responses"]):  # type: ignore[union-attr,arg-type]
        right = i >= 12  # all wrong at first, all right on review
        r.update(points=1.0 if right else 0.0, correct=right,
                 answer=items[r["question_id"]].key if right else "Z")
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rollup = build_rollup(build_report([path]))
    (line,) = rollup.learners
    assert line.reviews_done == 12 and line.review_days == 1
    cells = [c for ((lid, _), _), c in rollup.by_topic.items() if lid == "lt"]
    assert cells and all(c.responses >= 6 for c in cells)
    assert all(c.trend is not None and c.trend > 0.5 for c in cells)


def test_one_learner_in_two_courses_has_two_rows_that_do_not_mix(tmp_path: Path) -> None:
    vp, kp, other = two_courses(tmp_path)
    rollup = build_rollup(build_report([vp, kp, other]), threshold=0.5)
    assert rollup.several_courses
    assert sorted(s.key for s in rollup.learners) == [
        ("l0000", "kp"), ("l0000", "vp"), ("l0001", "vp")]
    lines = {s.key: s for s in rollup.learners}
    assert lines["l0000", "vp"].accuracy == 1.0 and lines["l0000", "kp"].accuracy == 0.0
    assert lines["l0000", "vp"].responses == lines["l0000", "kp"].responses == 12
    assert lines["l0000", "kp"].course_title == "Course KP"
    # each row's cells are those of its course's export read alone
    for path, row in ((vp, ("l0000", "vp")), (kp, ("l0000", "kp"))):
        alone = build_rollup(build_report([path]), threshold=0.5)
        for table, alone_table in ((rollup.by_topic, alone.by_topic),
                                   (rollup.by_objective, alone.by_objective)):
            mine = {key: cell for (r, key), cell in table.items() if r == row}
            assert mine == {key: cell for (_, key), cell in alone_table.items()}
            assert mine and all(c.course_id == row[1] for c in mine.values())
    # who is behind: the row that missed everything, on its own course's objectives only
    behind = {g.key: set(g.below) for g in rollup.objectives}
    assert all(below == {("l0000", "kp")} for key, below in behind.items()
               if key.startswith("kp."))
    assert all(below == set() for key, below in behind.items() if not key.startswith("kp."))
    assert lines["l0000", "vp"].behind_on == 0 and lines["l0001", "vp"].behind_on == 0
    assert lines["l0000", "kp"].behind_on == sum(1 for k in behind if k.startswith("kp."))
    topics = {g.key: g for g in rollup.topics}
    assert all(g.started == 3 and set(g.below) == {("l0000", "kp")} for g in topics.values())


def test_a_learners_mastery_is_of_the_whole_course_not_one_topic(tmp_path: Path) -> None:
    """Ten right answers in one topic of a nine-topic course: Home shows that topic mastered
    and the others at 0, so the course is a ninth mastered (the report pooled every answer
    and said 100%, a figure no screen of the app shows)."""
    from tests.bundled import bundled_bank
    from tests.services.tinybank import FakeClock, make_services
    from vpkp_tutor.domain.model import SingleBest, TrueFalse
    from vpkp_tutor.domain.progress import QuizMode, QuizSettings

    bank = bundled_bank()
    topics = {q.topic for q in bank.questions}
    topic = bank.questions[0].topic
    svc = make_services(tmp_path / "data", FakeClock(), bank)
    lid = svc.create_learner("Ana Ruiz").id
    mine = [q.id for q in bank.questions if q.topic == topic]
    attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, topics=(topic,),
                                               count=len(mine), seed=1))
    keyed = [q for q in (bank.question(i) for i in attempt.question_ids)
             if isinstance(q, SingleBest | TrueFalse)][:10]
    assert len(keyed) == 10
    for q in keyed:
        svc.record_answer(attempt.id, q.id, q.key, 20.0)
    svc.finish_quiz(attempt.id)
    shown = {t.topic.id: t.mastery.value for t in svc.dashboard(lid).topics}  # Home's bars
    assert shown[topic] == pytest.approx(1.0) and sum(shown.values()) == pytest.approx(1.0)
    exported = svc.export(lid, "json", tmp_path / "ana.json")
    (line,) = build_rollup(build_report([exported])).learners
    assert line.mastery == pytest.approx(1 / len(topics))
    svc.store.close()
