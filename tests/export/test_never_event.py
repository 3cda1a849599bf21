"""A case run that ends in a never event scores 0 everywhere a director reads it: the CSV's
case result, the JSON export's `points` and the cohort report's path quality, as in the app
(the debrief, the case list) and the xAPI statement. The points earned before the never
event used to be exported, and the report's path quality counted them."""

from __future__ import annotations

import json
from pathlib import Path

from msgspec.structs import replace

from tests.services.tinybank import FakeClock, make_services, tiny_bank
from vpkp_tutor.domain.model import Choice
from vpkp_tutor.export.cohort import build_report
from vpkp_tutor.export.csv_export import read_csv
from vpkp_tutor.report.rollup import build_rollup


def test_points_earned_before_a_never_event_are_not_credited(tmp_path: Path) -> None:
    bank = tiny_bank()
    (case,) = bank.cases
    start, second, end = case.nodes
    second = replace(second, choices=(*second.choices, Choice(
        "home", "Send her home", "A new deficit needs imaging.", 0, None, critical=True)))
    bank = replace(bank, cases=(replace(case, nodes=(start, second, end)),))
    svc = make_services(tmp_path / "data", FakeClock(), bank)
    lid = svc.create_learner("Ana Ruiz").id
    run = svc.start_case(lid, "case.leak")
    svc.record_case_choice(run.id, "stop")  # 2 points
    svc.record_case_choice(run.id, "home")  # the never event
    stored = svc.case_run(run.id)
    assert stored.points == 2 and stored.critical_errors == ("home",)  # (earned, kept)
    assert svc.best_case_results(lid) == {"case.leak": 0.0}  # the case list's figure

    out = svc.export(lid, "csv", tmp_path / "ana.csv")
    (result,) = [r for r in read_csv(out) if r["kind"] == "case result"]
    assert (result["answer"], float(result["score"]), float(result["max"]),
            result["correct"]) == ("critical error", 0.0, 3.0, "false")

    exported = svc.export(lid, "json", tmp_path / "ana.json")
    (doc_run,) = json.loads(exported.read_text())["case_runs"]
    assert (doc_run["points"], doc_run["max_points"]) == (0, 3)
    (outcome,) = build_rollup(build_report([exported])).cases
    assert outcome.path_quality == 0.0

    # an export written before this rule, with the earned points: still 0 in the report
    doc = json.loads(exported.read_text())
    doc["case_runs"][0]["points"] = 2
    older = tmp_path / "older.json"
    older.write_text(json.dumps(doc))
    rollup = build_rollup(build_report([older]))
    assert rollup.cases[0].path_quality == 0.0
    assert rollup.learners[0].path_quality == 0.0
    svc.store.close()
