"""Services over a real tmp_path store: learners, lessons, quizzes, review, cases, progress."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from tests.services.tinybank import FakeClock
from vpkp_tutor.domain.model import Difficulty
from vpkp_tutor.domain.progress import Pool, QuizMode, QuizSettings
from vpkp_tutor.domain.scoring import AnswerValue
from vpkp_tutor.services import Services


def learner_id(services: Services, name: str = "Ada") -> str:
    return services.create_learner(name, "Metro IR", "PGY-4").id


def test_learners_create_find_and_list(services: Services) -> None:
    a = services.create_learner("  Ada ", "Metro", "PGY-3")
    services.create_learner("bob")
    assert a.display_name == "Ada" and len(a.id) == 32
    assert [x.display_name for x in services.list_learners()] == ["Ada", "bob"]
    assert services.find_learner(a.id) == services.find_learner("ADA")
    assert services.find_learner("nobody") is None
    with pytest.raises(ValueError, match="no learner"):
        services.resolve_learner("nobody")
    with pytest.raises(ValueError, match="visible character"):
        services.create_learner("   ")


def test_ambiguous_name_asks_for_an_id(services: Services) -> None:
    services.create_learner("Sam")
    with pytest.raises(ValueError, match="already exists"):
        services.create_learner("sam")
    with services.store.transaction() as c:  # a database from before names were unique
        c.execute("INSERT INTO learner(id, display_name, created_at)"
                  " VALUES ('f00d', 'sam', '2026-01-01T00:00:00.000000Z')")
    with pytest.raises(ValueError, match="2 learners are called 'SAM'"):
        services.resolve_learner("SAM")


def test_settings_round_trip_and_retention_validated(services: Services) -> None:
    from msgspec.structs import replace

    from vpkp_tutor.services.settings import DEFAULTS, check

    assert services.settings == DEFAULTS
    services.save_settings(replace(services.settings, theme="nord", desired_retention=0.85))
    assert services.store.get_setting("theme") == "nord"
    assert services.store.scheduler.desired_retention == 0.85
    assert services.store.get_setting("keymap", "unset") == "unset"  # only changes stored
    again = Services(services.content, services.store)
    assert (again.settings.theme, again.settings.desired_retention) == ("nord", 0.85)
    with pytest.raises(ValueError, match="between"):
        check("desired_retention", "1.5")
    services.store.set_setting("desired_retention", "1.5")  # stored by hand: left out
    assert Services(services.content, services.store).settings.desired_retention == 0.9


def test_lesson_position_and_completion(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    services.save_lesson_position(lid, "anat-basics", 1)
    clock.advance(minutes=1)
    services.complete_lesson(lid, "anat-basics")
    services.save_lesson_position(lid, "anat-basics", 0)
    p = services.lesson_progress(lid)["anat-basics"]
    assert (p.position, p.completed) == (0, True)
    assert p.updated_at == clock.now


def test_lesson_checks_append(services: Services) -> None:
    lid = learner_id(services)
    assert services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "A", 3).points == 0
    assert services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3).correct
    responses = services.store.responses(lid)
    assert [r.attempt_id for r in responses] == ["lesson:anat-basics"] * 2


def test_build_quiz_filters_and_is_reproducible(services: Services) -> None:
    lid = learner_id(services)
    s = QuizSettings(topics=("complications",), count=2, seed=7)
    a1, a2 = services.build_quiz(lid, s), services.build_quiz(lid, s)
    assert a1.question_ids == a2.question_ids and len(a1.question_ids) == 2
    assert all(qid.startswith("comp.") for qid in a1.question_ids)
    hard = services.build_quiz(lid, QuizSettings(difficulty=Difficulty.HARD, count=10))
    assert set(hard.question_ids) == {"comp.ma1", "comp.nu1"}
    assert hard.settings.seed is not None
    assert services.store.get_attempt(hard.id) is not None


def test_exam_gets_a_default_time_limit(services: Services) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=3))
    assert a.settings.time_limit_s == 270


def test_pools_unused_incorrect_flagged(services: Services) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(topics=("anatomy",), count=10, seed=1))
    services.record_answer(a.id, "anat.sb1", "B", 5)
    services.record_answer(a.id, "anat.tf1", "B", 5)
    services.set_flag(lid, "anat.mr1", True)
    services.set_flag(lid, "anat.tf1", True)
    services.set_flag(lid, "anat.tf1", False)
    assert services.flagged(lid) == frozenset({"anat.mr1"})

    def ids(pool: Pool) -> set[str]:
        settings = QuizSettings(topics=("anatomy",), count=10, pool=pool)
        return set(services.build_quiz(lid, settings).question_ids)

    assert ids(Pool.UNUSED) == {"anat.mr1"}
    assert ids(Pool.INCORRECT) == {"anat.tf1"}
    assert ids(Pool.FLAGGED) == {"anat.mr1"}
    services.set_flag(lid, "anat.mr1", False)
    with pytest.raises(ValueError, match="no flagged questions"):
        ids(Pool.FLAGGED)


def test_record_answer_replaces_within_attempt(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(topics=("anatomy",), count=3, seed=3))
    assert services.record_answer(a.id, "anat.sb1", "A", 4).points == 0
    first = services.store.query("SELECT id FROM response")[0]["id"]
    clock.advance(seconds=30)
    assert services.record_answer(a.id, "anat.sb1", "B", 4).correct
    rows = services.store.query("SELECT id, correct FROM response")
    assert [(r["id"], r["correct"]) for r in rows] == [(first, 1)]
    attempt = services.store.get_attempt(a.id)
    assert attempt is not None and attempt.responses["anat.sb1"].answer == "B"
    log = services.store.query("SELECT rating, card_before_json FROM review_log")
    assert len(log) == 1 and log[0]["rating"] == 4 and log[0]["card_before_json"] is None


def test_every_answer_shape_round_trips(services: Services) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(count=10, seed=1))
    answers: dict[str, AnswerValue] = {"anat.sb1": "B", "anat.tf1": "A", "anat.mr1": ("A", "C"),
               "comp.or1": (0, 2, 1), "comp.ma1": ("22510", None), "comp.nu1": 5.25}
    for qid, ans in answers.items():
        services.record_answer(a.id, qid, ans, 10)
    got = services.store.get_attempt(a.id)
    assert got is not None
    assert {qid: r.answer for qid, r in got.responses.items()} == answers
    assert got.responses["comp.ma1"].points == 0.5


def test_closed_attempts_refuse_answers(services: Services) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(count=2, seed=1))
    services.finish_quiz(a.id)
    with pytest.raises(ValueError, match="closed"):
        services.record_answer(a.id, a.question_ids[0], "A", 1)
    with pytest.raises(ValueError, match="unknown attempt"):
        services.record_answer("nope", "anat.sb1", "A", 1)
    with pytest.raises(ValueError, match="unknown question"):
        services.answer_lesson_check(lid, "anat-basics", "nope", "A", 1)


def test_unfinished_attempt_resumes_and_abandons(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(count=3, seed=2))
    services.record_answer(a.id, a.question_ids[0], "A", 2)
    services.save_position(a.id, 1)
    services.set_flag(lid, a.question_ids[2], True)
    resumed = services.unfinished_attempt(lid)
    assert resumed is not None and resumed.id == a.id and resumed.position == 1
    assert set(resumed.responses) == {a.question_ids[0]}
    assert resumed.flagged == frozenset({a.question_ids[2]})
    clock.advance(minutes=1)
    services.abandon_attempt(a.id)
    assert services.unfinished_attempt(lid) is None
    assert len(services.store.responses(lid)) == 1


def test_finish_quiz_result_by_topic(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(count=10, seed=5))
    services.record_answer(a.id, "anat.sb1", "B", 12)
    services.record_answer(a.id, "anat.mr1", ("A",), 8)
    services.record_answer(a.id, "comp.nu1", 9.0, 5)
    clock.advance(minutes=5)
    result = services.finish_quiz(a.id)
    assert (result.points, result.max_points, result.seconds_used) == (1.5, 6.0, 25.0)
    anat, comp = result.by_topic
    assert (anat.topic.id, anat.points, anat.answered, anat.total) == ("anatomy", 1.5, 2, 3)
    assert (comp.points, comp.answered, comp.total) == (0.0, 1, 3)
    assert result.attempt.finished_at == clock.now
    assert services.attempt_result(a.id) == result
    assert services.history(lid)[0] == [result]


def test_attempt_result_of_unsubmitted_attempt_is_an_error(services: Services) -> None:
    lid = learner_id(services)
    a = services.build_quiz(lid, QuizSettings(count=1, seed=5))
    with pytest.raises(ValueError, match="not been submitted"):
        services.attempt_result(a.id)


def test_review_queue_follows_fsrs_due_dates(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    with pytest.raises(ValueError, match="nothing is due"):
        services.build_quiz(lid, QuizSettings(mode=QuizMode.REVIEW))
    a = services.build_quiz(lid, QuizSettings(topics=("anatomy",), count=3, seed=1))
    services.record_answer(a.id, "anat.sb1", "A", 5)   # wrong -> Again: due in minutes
    services.record_answer(a.id, "anat.tf1", "A", 3)   # right and fast -> Easy: days away
    assert services.due_count(lid) == 0
    clock.advance(hours=1)
    assert services.due_count(lid) == 1
    review = services.build_quiz(lid, QuizSettings(mode=QuizMode.REVIEW))
    assert review.question_ids == ("anat.sb1",)
    forecast = services.due_forecast(lid, 14)
    assert len(forecast) == 14 and forecast[0] == 1 and sum(forecast) == 2


def test_case_run_scores_and_finishes(services: Services) -> None:
    lid = learner_id(services)
    run = services.start_case(lid, "case.leak")
    assert (run.max_points, run.choice_path) == (2, ())  # the first decision: best 2
    r1 = services.record_case_choice(run.id, "stop")
    assert (r1.points, r1.finished) == (2, False)
    r2 = services.record_case_choice(run.id, "ct")
    assert (r2.points, r2.finished, r2.end_node) == (3, True, "end")
    stored = services.case_run(run.id)
    assert stored.choice_path == ("stop", "ct") and stored.finished_at is not None
    with pytest.raises(ValueError, match="finished"):
        services.record_case_choice(run.id, "ct")
    bad = services.start_case(lid, "case.leak")
    r3 = services.record_case_choice(bad.id, "push")
    assert r3.critical_errors == ("push",) and r3.finished
    assert len(services.history(lid)[1]) == 2
    with pytest.raises(ValueError, match="unknown case"):
        services.start_case(lid, "nope")


def test_dashboard(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    services.save_lesson_position(lid, "comp-leaks", 0)
    clock.advance(minutes=1)
    services.save_lesson_position(lid, "anat-basics", 1)
    clock.advance(minutes=1)
    services.complete_lesson(lid, "comp-leaks")
    for _ in range(2):
        a = services.build_quiz(lid, QuizSettings(topics=("anatomy",), count=3, seed=1))
        services.record_answer(a.id, "anat.sb1", "C", 5)
        services.record_answer(a.id, "anat.tf1", "A", 5)
        services.finish_quiz(a.id)
        clock.advance(days=1)
    d = services.dashboard(lid)
    assert d.learner.display_name == "Ada"
    anat = next(t for t in d.topics if t.topic.id == "anatomy")
    comp = next(t for t in d.topics if t.topic.id == "complications")
    assert (anat.lessons_done, anat.lessons_total, comp.lessons_done) == (0, 1, 1)
    assert anat.mastery.answered_items == 2 and anat.mastery.total_items == 3
    assert anat.mastery.accuracy == 0.5 and anat.mastery.value == pytest.approx(1 / 3)
    assert d.continue_lesson is not None and d.continue_lesson.lesson_id == "anat-basics"
    assert d.weakest_objectives[0].key == "anat.pedicle"
    assert d.due_count >= 1 and d.unfinished_attempt is None


def test_accuracy_over_time(services: Services, clock: FakeClock) -> None:
    lid = learner_id(services)
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "A", 3)
    clock.advance(days=1)
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    series = services.accuracy_over_time(lid)
    assert [v for _, v in series] == [0.5, 1.0]
    assert series[1][0] - series[0][0] == dt.timedelta(days=1)


def test_time_used_has_one_definition(services: Services, clock: FakeClock,
                                     tmp_path: Path) -> None:
    """A timed exam's time used is start to submission, capped at its limit (resumed past
    the limit, it shows the limit, not more); tutor quizzes sum the time per item. Results
    (`finish_quiz`, `attempt_result`), History and the xAPI export agree."""
    lid = learner_id(services)
    exam = services.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=3, seed=5,
                                                 time_limit_s=60))
    services.record_answer(exam.id, exam.question_ids[0], None, 5)
    clock.advance(seconds=40)
    early = services.finish_quiz(exam.id)
    assert early.seconds_used == 40.0
    late = services.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=3, seed=6,
                                                 time_limit_s=60))
    services.record_answer(late.id, late.question_ids[0], None, 5)
    clock.advance(seconds=71)  # left open, resumed after the limit: submitted at once
    past = services.finish_quiz(late.id)
    assert past.seconds_used == 60.0
    tutor = services.build_quiz(lid, QuizSettings(count=3, seed=7))
    services.record_answer(tutor.id, tutor.question_ids[0], None, 7)
    services.record_answer(tutor.id, tutor.question_ids[1], None, 4)
    clock.advance(days=1)
    assert services.finish_quiz(tutor.id).seconds_used == 11.0
    history = {r.attempt.id: r.seconds_used for r in services.history(lid)[0]}
    assert history == {exam.id: 40.0, late.id: 60.0, tutor.id: 11.0}
    assert services.attempt_result(late.id).seconds_used == 60.0
    path = services.export(lid, "xapi", tmp_path / "scores.json")
    durations = {}
    for statement in json.loads(path.read_text(encoding="utf-8")):
        registration = (statement.get("context") or {}).get("registration")
        if "/quiz/" in statement["object"]["id"] and registration:
            durations[str(uuid.UUID(registration))] = statement["result"]["duration"]
    assert durations == {str(uuid.UUID(exam.id)): "PT40S", str(uuid.UUID(late.id)): "PT60S",
                         str(uuid.UUID(tutor.id)): "PT11S"}


def test_best_case_results_keep_the_best_finished_run(services: Services) -> None:
    lid = learner_id(services)
    assert services.best_case_results(lid) == {}
    services.start_case(lid, "case.leak")  # started, never finished: not listed
    assert services.best_case_results(lid) == {}
    bad = services.start_case(lid, "case.leak")
    services.record_case_choice(bad.id, "push")  # a never event scores 0
    assert services.best_case_results(lid) == {"case.leak": 0.0}
    good = services.start_case(lid, "case.leak")
    services.record_case_choice(good.id, "stop")
    services.record_case_choice(good.id, "ct")
    assert services.best_case_results(lid) == {"case.leak": 1.0}


def test_content_lookups_answer_none_for_what_is_gone(services: Services) -> None:
    assert services.case("case.leak") is not None and services.case("gone") is None
    lesson = services.lessons()[0]
    assert services.lesson(lesson.id) == lesson and services.lesson("gone") is None
    assert services.known_questions(["gone", "anat.mr1", "anat.sb1"]) == ["anat.mr1",
                                                                          "anat.sb1"]
    assert services.objective_texts()[lesson.objectives[0].id] == lesson.objectives[0].text
    assert services.content_problems() == () and services.files_left_out() == 0


def test_a_new_clock_reaches_every_part(services: Services, clock: FakeClock) -> None:
    later = FakeClock()
    later.advance(days=3)
    services.clock = later
    lid = learner_id(services)
    attempt = services.build_quiz(lid, QuizSettings(count=1, seed=1))
    assert attempt.started_at == later()
    run = services.start_case(lid, "case.leak")
    assert run.started_at == later() and services.clock() == later()
