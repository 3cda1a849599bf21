"""The responses CSV leaves nothing out and reads well: every item of every attempt is a
row (unanswered ones marked, 0 points), every case run is there (a row per decision and
its score), and beside the ids stand the stem, topic label, objective text, the answer as
the learner saw it, seconds to one decimal and local ISO 8601 times with their offset."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from msgspec.structs import replace

from tests.faults.csvcheck import assert_safe
from tests.services.tinybank import FakeClock, make_services, tiny_bank
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.domain.scoring import score_case_run
from vpkp_tutor.export.csv_export import read_csv, summary_path
from vpkp_tutor.services import Services

LONG_STEM = ("A 78-year-old woman with an osteoporotic T12 compression fracture has "
             "persistent pain after six weeks of conservative care; which finding matters most?")


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def services(tmp_path: Path) -> Iterator[tuple[Services, FakeClock]]:
    bank = tiny_bank()
    questions = [replace(q, stem=LONG_STEM) if q.id == "anat.sb1" else q
                 for q in bank.questions]
    clock = FakeClock()
    svc = make_services(tmp_path / "data", clock, replace(bank, questions=tuple(questions)))
    yield svc, clock
    svc.store.close()


RIGHT = {"anat.sb1": "B", "anat.tf1": "A", "anat.mr1": ("A", "C"), "comp.nu1": 5.0,
         "comp.or1": (0, 1, 2), "comp.ma1": ("22510", "22513")}
WRONG = {"anat.sb1": "A", "anat.tf1": "B", "anat.mr1": ("B", "D"), "comp.nu1": 99.0,
         "comp.or1": (2, 1, 0), "comp.ma1": ("22511", "22511")}


def test_a_five_item_exam_scored_20_percent_has_five_rows(
        services: tuple[Services, FakeClock], tmp_path: Path) -> None:
    svc, _ = services
    lid = svc.create_learner("Ana", "", "").id
    attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=5, seed=3,
                                               time_limit_s=600))
    assert len(attempt.question_ids) == 5
    one, two = attempt.question_ids[1], attempt.question_ids[3]
    svc.record_answer(attempt.id, one, RIGHT[one], 5.0)
    svc.record_answer(attempt.id, two, WRONG[two], 7.25)
    svc.finish_quiz(attempt.id)
    out = svc.export(lid, "csv", tmp_path / "ana.csv")
    assert_safe(out)
    rows = [r for r in read_csv(out) if r["attempt_id"] == attempt.id]
    assert len(rows) == 5
    assert sorted(int(r["item"]) for r in rows) == [1, 2, 3, 4, 5]
    assert {r["items"] for r in rows} == {"5"}
    assert {r["question_id"] for r in rows} == set(attempt.question_ids)
    unanswered = [r for r in rows if r["kind"] == "unanswered"]
    assert {r["question_id"] for r in unanswered} == set(attempt.question_ids) - {one, two}
    for r in unanswered:
        assert (r["score"], r["correct"], r["answer"], r["seconds"]) == ("0.0", "false", "",
                                                                         "")
        assert float(r["max"]) == 1.0 and r["mode"] == "exam"
        assert r["timestamp"] and r["question"]
    share = sum(float(r["score"]) for r in rows) / sum(float(r["max"]) for r in rows)
    assert share == pytest.approx(0.2)
    summary = {r["topic"]: r for r in read_csv(summary_path(out))}
    assert sum(int(r["items_unanswered"]) for r in summary.values()) == 3


def test_case_runs_are_exported(services: tuple[Services, FakeClock], tmp_path: Path) -> None:
    svc, clock = services
    lid = svc.create_learner("Cy", "", "").id
    bad = svc.start_case(lid, "case.leak")
    svc.record_case_choice(bad.id, "push")
    good = svc.start_case(lid, "case.leak")
    svc.record_case_choice(good.id, "stop")
    clock.advance(minutes=2)
    svc.record_case_choice(good.id, "ct")
    unfinished = svc.start_case(lid, "case.leak")
    svc.record_case_choice(unfinished.id, "stop")
    out = svc.export(lid, "csv", tmp_path / "cy.csv")
    rows = list(read_csv(out))
    case = svc.content.case("case.leak")
    for run in (bad, good, unfinished):
        stored = svc.case_run(run.id)
        mine = [r for r in rows if r["attempt_id"] == run.id]
        decisions = [r for r in mine if r["kind"] == "case decision"]
        (result,) = [r for r in mine if r["kind"] == "case result"]
        assert [r["answer_json"].strip('"') for r in decisions] == list(stored.choice_path)
        assert [int(r["item"]) for r in decisions] == list(range(1, len(decisions) + 1))
        expected = score_case_run(case, stored.choice_path)
        assert (float(result["score"]), float(result["max"])) == (expected.points,
                                                                   expected.max_points)
        assert result["correct"] == ("true" if expected.passed else "false")
        assert result["question"] == "A leak" and result["topic_label"] == "Complications"
        assert all(r["mode"] == "case" and r["question_id"] == "case.leak" for r in mine)
    by_run = {r["attempt_id"]: r for r in rows if r["kind"] == "case result"}
    assert by_run[bad.id]["answer"] == "critical error"
    assert by_run[good.id]["answer"] == "ended: good"
    assert by_run[unfinished.id]["answer"] == "not finished"
    push = next(r for r in rows if r["attempt_id"] == bad.id and r["kind"] == "case decision")
    assert push["answer"] == "Keep pushing (critical error)" and push["question"] == "start"


def test_columns_a_director_can_read(services: tuple[Services, FakeClock], tmp_path: Path,
                                     new_york: None) -> None:
    svc, clock = services
    lid = svc.create_learner("Dee", "", "").id
    attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.TUTOR, count=6, seed=1))
    answers = {"anat.sb1": "B", "anat.tf1": "B", "anat.mr1": ("A", "C"),
               "comp.or1": (1, 2, 0), "comp.ma1": ("22513", None), "comp.nu1": -2.0}
    for qid in attempt.question_ids:
        clock.advance(seconds=30)
        svc.record_answer(attempt.id, qid, answers[qid], 12.3456789)
    out = svc.export(lid, "csv", tmp_path / "dee.csv")
    rows = {r["question_id"]: r for r in read_csv(out) if r["kind"] == "answered"}
    shown = {q: rows[q]["answer"] for q in answers}
    assert shown == {"anat.sb1": "B", "anat.tf1": "False", "anat.mr1": "A, C",
                     "comp.or1": "B → C → A", "comp.ma1": "A→3, B→–", "comp.nu1": "-2.0"}
    sb = rows["anat.sb1"]
    assert sb["question"].startswith("A 78-year-old woman") and sb["question"].endswith("…")
    assert len(sb["question"]) == 80 and sb["question"][:79] == LONG_STEM[:79].rstrip()
    assert rows["comp.nu1"]["question"] == "-2+3 how many mL?"
    assert (sb["topic"], sb["topic_label"]) == ("anatomy", "Anatomy")
    assert (sb["objectives"], sb["objective_text"]) == ("anat.pedicle", "Find the pedicle")
    assert {r["seconds"] for r in rows.values()} == {"12.3"}
    stamp = dt.datetime.fromisoformat(sb["timestamp"])
    assert sb["timestamp"].endswith("-05:00") and stamp.utcoffset() == dt.timedelta(hours=-5)
    stored = next(r for r in svc.store.responses(lid) if r.question_id == "anat.sb1")
    assert stamp == stored.answered_at.replace(microsecond=0)
    assert sb["answer_json"] == '"B"' and sb["response_id"] and sb["attempt_id"] == attempt.id
