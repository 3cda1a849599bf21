"""A needle-trajectory drill's result in every export: the CSV answer in words with the three
parts, the JSON answer, the xAPI `performance` interaction with the path as its response,
and the cohort report's item analysis (a drill is an item like any other)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.export.test_xapi import check_statement, load
from tests.services.tinybank import FakeClock, make_services
from tests.tui.bank import TRAJECTORY
from vpkp_tutor.domain import trajectory as tr
from vpkp_tutor.domain.model import ContentBank, Trajectory
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.export.cohort import build_report
from vpkp_tutor.export.xapi import interaction, response_text

assert isinstance(TRAJECTORY, Trajectory)
DRILL: Trajectory = TRAJECTORY
G = DRILL.geometry
IDEAL = tr.ideal_answer(G)
NEVER = "E13,0 -30,0,0 -30,0,2 -30,0,4 -30,0,6 -30,0,8 -30,0,10 -30,0,12"


def _answered(tmp_path: Path, name: str, answer: str) -> tuple[Path, Path, Path, Path]:
    svc = make_services(tmp_path / name, FakeClock(),
                        ContentBank(questions=(DRILL,), fingerprint="drill"))
    try:
        lid = svc.create_learner(name, "", "").id
        attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=1, seed=1))
        svc.record_answer(attempt.id, DRILL.id, answer, 95.0)
        svc.finish_quiz(attempt.id)
        out = tmp_path / f"{name}-out"
        out.mkdir()
        return (svc.export(lid, "csv", out / "r.csv"), svc.export(lid, "json", out / "r.json"),
                svc.export(lid, "xapi", out / "r.xapi.json"), out)
    finally:
        svc.store.close()


def test_never_event_path_is_what_the_rule_forbids() -> None:
    assert tr.judge_path(DRILL, NEVER).never_event is not None


def test_csv_carries_the_drill_in_words_and_its_score(tmp_path: Path) -> None:
    path, *_ = _answered(tmp_path, "ada", IDEAL)
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["question_id"] == DRILL.id]
    assert len(rows) == 1
    row = rows[0]
    assert row["type"] == "trajectory" and float(row["score"]) == 1.0
    assert row["answer"].startswith("contact ") and "entry 0.25/0.25" in row["answer"]
    assert "final tip" in row["answer"] and json.loads(row["answer_json"]) == IDEAL


def test_xapi_performance_interaction_with_the_path(tmp_path: Path) -> None:
    *_, xapi, _ = _answered(tmp_path, "ada", IDEAL)
    statements = load(xapi)
    answered = [st for st in statements if st["verb"]["id"].endswith("/answered")]
    assert len(answered) == 1
    st = answered[0]
    check_statement(st)
    definition = st["object"]["definition"]
    assert definition["interactionType"] == "performance"
    assert [s["id"] for s in definition["steps"]] == ["entry", "path", "depth", "midline",
                                                       "outcome"]
    assert definition["correctResponsesPattern"] == [
        "depth[.]0.666667[:]1[,]midline[.]0[:]0.35"]
    steps = dict(part.split("[.]") for part in st["result"]["response"].split("[,]"))
    first = tr.ideal_path(G)[0]
    assert steps["entry"] == f"{first.ex} {first.ey}"
    tips = [tuple(float(v) for v in p.split()) for p in steps["path"].split(";")]
    assert len(tips) == len(tr.ideal_path(G)) + 1  # the contact point, then each state
    assert tips[0][2] == -G.pedicle_length and tips[-1][2] >= 2 / 3 * G.body_depth
    assert float(steps["depth"]) >= 2 / 3 and steps["outcome"] == "declared"
    assert st["result"]["score"]["scaled"] == 1.0 and st["result"]["success"] is True


def test_xapi_never_event_outcome_and_zero_score() -> None:
    text = response_text(DRILL, NEVER)
    assert text.endswith("outcome[.]never-event")
    assert response_text(DRILL, None) == "" and response_text(DRILL, "nonsense") == ""
    assert interaction(DRILL)["interactionType"] == "performance"


def test_item_analysis_counts_a_drill_like_any_item(tmp_path: Path) -> None:
    _, good, _, _ = _answered(tmp_path, "ada", IDEAL)
    _, bad, _, _ = _answered(tmp_path, "bo", NEVER)
    report = build_report([good, bad])
    missed = [m for m in report.most_missed if m.question_id == DRILL.id]
    assert len(missed) == 1
    assert (missed[0].misses, missed[0].responses, missed[0].learners_missing) == (1, 2, 1)
