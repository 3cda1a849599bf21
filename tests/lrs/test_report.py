"""The director's cohort report built from a real Ralph LRS equals the one built from the
learners' JSON export files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.export.conftest import populate
from tests.lrs.ralph import KEY, SECRET, Ralph
from tests.lrs.test_sync import BASE, configure, settings
from tests.services.tinybank import tiny_bank
from vpkp_tutor.cli import main
from vpkp_tutor.domain.confidence import Confidence, ErrorTag
from vpkp_tutor.export.cohort import CohortReport, build_report, report_of
from vpkp_tutor.lrs.client import LrsClient
from vpkp_tutor.lrs.cohort import exports, fetch
from vpkp_tutor.lrs.credentials import Credentials
from vpkp_tutor.report.why import calibration, disagreements, error_profile
from vpkp_tutor.services.sync import catch_up, send
from vpkp_tutor.storage.outbox import Outbox


def summary(report: CohortReport) -> dict[str, Any]:
    """What the director reads, with learners by id (the LRS never has display names)."""
    return {
        "rows": [(r.learner.id, r.topic, r.responses, r.items_answered, r.items_in_bank,
                  round(r.points, 6), round(r.max_points, 6), round(r.mastery, 6),
                  r.lessons_completed, r.lessons_total, r.case_runs, r.critical_runs)
                 for r in sorted(report.rows, key=lambda r: (r.learner.id, r.topic))],
        "most_missed": list(report.most_missed),
        "critical": sorted((c.learner.id, c.case_id, c.title, c.critical_errors,
                            c.finished_at) for c in report.critical_cases),
        # why answers were wrong (a statement does not carry the answer given)
        "errors": error_profile(report, ("anatomy", "complications")),  # (in this order)
        "disagree": {qid: [(a.learner, a.comment, a.answered_at) for a in d.answers]
                     for qid, d in disagreements(report).items()},
        "sureness": calibration(report),
    }


@pytest.fixture
def cohort(tmp_path: Path, ralph: Ralph) -> list[Path]:
    """Two learners on two machines; each synced to the LRS and exported to a file."""
    files = []
    for name, answers in (("Ana", None), ("Ben", {"anat.sb1": "A", "comp.nu1": 5.0,
                                                  "anat.tf1": "A"})):
        p = populate(tmp_path / name, name=name, answers=answers)
        svc = p.services
        attempt = svc.store.attempt_headers(p.learner_id)[0]
        missed = [q for q, r in svc.store.get_attempt(attempt.id).responses.items()
                  if not r.correct]
        for qid, tag in zip(missed, (ErrorTag.DISAGREE, ErrorTag.MISREAD), strict=False):
            svc.set_error_tag(attempt.id, qid, tag, f"{name}: the key is wrong <b>")
        for qid, sure in zip(sorted(svc.store.get_attempt(attempt.id).responses),
                             (Confidence.SURE, Confidence.GUESS, Confidence.UNSURE,
                              Confidence.SURE), strict=False):
            svc.set_confidence(attempt.id, qid, sure)
        box = Outbox(svc.store)  # type: ignore[arg-type]
        catch_up(box, svc.content, settings(), svc.learner_data(p.learner_id), svc.clock())
        with LrsClient(ralph.endpoint, Credentials(KEY, SECRET)) as client:
            send(box, client, [p.learner_id], 4, svc.clock)
        files.append(svc.export(p.learner_id, "json", tmp_path / f"{name}.json"))
        if name == "Ben":  # Ben changes an answer after the sync: voided and replaced
            attempt = svc.store.attempt_headers(p.learner_id)[0]
            svc.store.query("UPDATE attempt SET finished_at = NULL WHERE id = ?",
                            (attempt.id,))
            svc.record_answer(attempt.id, "anat.sb1", "B", 3)
            svc.finish_quiz(attempt.id)
            catch_up(box, svc.content, settings(), svc.learner_data(p.learner_id),
                     svc.clock())
            with LrsClient(ralph.endpoint, Credentials(KEY, SECRET)) as client:
                send(box, client, [p.learner_id], 4, svc.clock)
            files[-1] = svc.export(p.learner_id, "json", tmp_path / f"{name}.json",
                                   overwrite=True)
        svc.store.close()
    return files


def test_the_report_from_the_lrs_equals_the_report_from_the_files(
        cohort: list[Path], ralph: Ralph) -> None:
    from_files = build_report(cohort)
    with LrsClient(ralph.endpoint, Credentials(KEY, SECRET)) as client:
        found = exports(fetch(client, BASE, page=3), tiny_bank(), BASE, "lrs",
                        dt.datetime.now(dt.UTC))
    from_lrs = report_of(found)
    expected = summary(from_files)
    assert len(expected["rows"]) == 4 and expected["critical"] and expected["most_missed"]
    assert sum(r[2] for r in expected["rows"]) == 7 + 4  # Ana's 7 answers, Ben's 4
    assert expected["disagree"] and expected["errors"][1].count(ErrorTag.MISREAD)
    sureness, confident = expected["sureness"]
    # four stated by Ana, three by Ben, whose sure answer to anat.sb1 was replaced later
    assert [x.answers for x in sureness[:3]] == [2, 2, 2] and confident
    assert summary(from_lrs) == expected


def test_report_lrs_on_the_command_line_and_its_date_range(
        cohort: list[Path], ralph: Ralph, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    director = tmp_path / "director"  # the director's own machine: settings, no learners
    assert main(["--data-dir", str(director), "config", "theme", "nord"]) == 0
    configure(director, ralph.endpoint)
    monkeypatch.setenv("VPKP_TUTOR_LRS_KEY", KEY)
    monkeypatch.setenv("VPKP_TUTOR_LRS_SECRET", SECRET)
    capsys.readouterr()
    assert main(["--data-dir", str(director), "report", "--lrs"]) == 0
    out = capsys.readouterr().out
    assert "Learners:" in out and out.count("\n") > 5
    assert main(["--data-dir", str(director), "report", "--lrs", "--until",
                 "2000-01-01"]) == 2
    assert f"no statements under {BASE}" in capsys.readouterr().err
    assert main(["--data-dir", str(director), "report", "--lrs", str(cohort[0])]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["--data-dir", str(director), "report", "--lrs", "--since", "soon"]) == 2
    assert "--since: 'soon' is not a day" in capsys.readouterr().err
