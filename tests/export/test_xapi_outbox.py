"""Statements queued in the outbox with the record that caused them: ids from the record and
its content, voiding when an answer is replaced or an attempt discarded, one `completed` per
lesson, removed questions keeping their stored definition."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.export.conftest import Populated, populate
from tests.services.tinybank import FakeClock, make_services, q, tiny_bank
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.export.xapi import XapiConfig, keyed_statements
from vpkp_tutor.export.xapi_check import problems
from vpkp_tutor.services import Services
from vpkp_tutor.services.settings import AppSettings
from vpkp_tutor.services.sync import catch_up
from vpkp_tutor.storage.outbox import Outbox

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def waiting(svc: Services) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in svc.store.query(
        "SELECT statement_json FROM xapi_outbox ORDER BY seq")]


def outbox(svc: Services) -> Outbox:
    return Outbox(svc.store)  # type: ignore[arg-type]


def send_all(svc: Services) -> None:
    """What a sync does once the LRS acknowledged everything."""
    box = outbox(svc)
    ids = [x.id for x in svc.store.list_learners()]
    box.ack(box.claim(ids, 10_000), svc.clock())


@pytest.fixture
def fresh(tmp_path: Path) -> Services:
    return make_services(tmp_path / "data", FakeClock())


def exam(svc: Services) -> tuple[str, str]:
    lid = svc.create_learner("Ana").id
    attempt = svc.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=6, seed=1))
    return lid, attempt.id


def test_an_answer_queues_one_valid_statement_in_its_own_transaction(fresh: Services) -> None:
    _, attempt = exam(fresh)
    fresh.record_answer(attempt, "anat.sb1", "B", 10)
    [st] = waiting(fresh)
    assert problems(st) == [] and "version" not in st
    assert st["verb"]["id"].endswith("/answered") and st["result"]["response"] == "B"
    # the outbox write fails: the answer is not stored either (one transaction)
    fresh.store.query("DROP TABLE xapi_outbox")
    with pytest.raises(sqlite3.OperationalError):
        fresh.record_answer(attempt, "anat.tf1", "A", 10)
    assert fresh.store.query("SELECT count(*) FROM response")[0][0] == 1


def test_a_replaced_answer_drops_the_unsent_one_and_voids_a_sent_one(fresh: Services) -> None:
    _, attempt = exam(fresh)
    fresh.record_answer(attempt, "anat.sb1", "A", 10)
    first = waiting(fresh)[0]["id"]
    fresh.record_answer(attempt, "anat.sb1", "C", 11)  # changed before any sync
    [st] = waiting(fresh)
    assert st["id"] != first and st["result"]["response"] == "C"
    send_all(fresh)
    fresh.record_answer(attempt, "anat.sb1", "B", 12)  # changed after it was sent
    void, new = waiting(fresh)
    assert void["verb"]["id"] == VOIDED
    assert void["object"] == {"objectType": "StatementRef", "id": st["id"]}
    assert problems(void) == [] and new["result"]["response"] == "B"


def test_a_discarded_attempt_voids_its_sent_statements_and_is_never_queued_again(
        fresh: Services) -> None:
    lid, attempt = exam(fresh)
    fresh.record_answer(attempt, "anat.sb1", "A", 10)
    send_all(fresh)
    fresh.record_answer(attempt, "anat.tf1", "A", 10)  # not sent yet
    [sent] = [st for st in map(json.loads, (r[0] for r in fresh.store.query(
        "SELECT statement_json FROM xapi_statement"))) if st["object"]["id"].endswith(".sb1")]
    fresh.abandon_attempt(attempt)
    [void] = waiting(fresh)  # the unsent answer is dropped; the sent one voided
    assert void["verb"]["id"] == VOIDED and void["object"]["id"] == sent["id"]
    assert catch_up(outbox(fresh), fresh.content, AppSettings(), fresh.learner_data(lid),
                    fresh.clock()) == 0


def test_a_lesson_completed_twice_is_one_completed(fresh: Services) -> None:
    lid = fresh.create_learner("Ana").id
    fresh.complete_lesson(lid, "anat-basics")
    fresh.save_lesson_position(lid, "anat-basics", 1)
    fresh.complete_lesson(lid, "anat-basics")  # re-opened and finished again
    [st] = waiting(fresh)
    send_all(fresh)
    fresh.complete_lesson(lid, "anat-basics")
    assert waiting(fresh) == []
    assert catch_up(outbox(fresh), fresh.content, AppSettings(), fresh.learner_data(lid),
                    fresh.clock()) == 0
    assert st["verb"]["id"].endswith("/completed")


def bank_without(qid: str) -> ContentBank:
    b = tiny_bank()
    return ContentBank(questions=tuple(x for x in b.questions if x.id != qid),
                       lessons=b.lessons, cases=b.cases, fingerprint="fp-2", course=b.course)


def test_a_removed_question_keeps_its_stored_definition(tmp_path: Path) -> None:
    p = populate(tmp_path / "data")
    svc = p.services
    try:
        catch_up(outbox(svc), svc.content, AppSettings(), svc.learner_data(p.learner_id),
                 svc.clock())
        send_all(svc)
        gone = bank_without("comp.ma1")
        assert catch_up(outbox(svc), gone, AppSettings(), svc.learner_data(p.learner_id),
                        svc.clock()) == 0  # unchanged: nothing voided, nothing sent
        data = svc.learner_data(p.learner_id)
        [st] = [s for _, s in keyed_statements(data, gone, data.xapi)
                if s["object"]["id"].endswith("/comp.ma1")]
        assert st["object"]["definition"]["interactionType"] == "matching"
        assert st["result"]["response"] == "p0[.]t0"
    finally:
        svc.store.close()


def test_a_removed_question_never_stored_goes_as_other_with_the_real_answer(
        populated: Populated) -> None:
    data = populated.services.learner_data(populated.learner_id)
    for qid, response in (("comp.ma1", '["22510", null]'), ("comp.nu1", "-2.0")):
        [st] = [s for _, s in keyed_statements(data, bank_without(qid), XapiConfig())
                if s["object"]["id"].endswith(f"/{qid}")]
        assert problems(st) == []
        assert st["object"]["definition"]["interactionType"] == "other"
        assert "correctResponsesPattern" not in st["object"]["definition"]
        assert st["result"]["response"] == response


def test_ids_follow_the_content_and_iris_the_settings(populated: Populated) -> None:
    data = populated.services.learner_data(populated.learner_id)
    before = dict(keyed_statements(data, tiny_bank(), XapiConfig()))
    edited = tiny_bank()
    edited = ContentBank(questions=tuple(q("anat.tf1", stem="Edited?") if x.id == "anat.tf1"
                                         else x for x in edited.questions),
                         lessons=edited.lessons, cases=edited.cases, course=edited.course)
    after = dict(keyed_statements(data, edited, XapiConfig()))
    assert before.keys() == after.keys()
    differ = {k for k in before if before[k]["id"] != after[k]["id"]}
    assert differ and all(after[k]["object"]["id"].endswith("/anat.tf1") for k in differ)
    assert dict(keyed_statements(data, tiny_bank(), XapiConfig())) == before  # stable
    mine = XapiConfig(base="https://lms.example.org/x/", home_page="https://lms.example.org",
                      account_name="r-0042")
    for st in dict(keyed_statements(data, tiny_bank(), mine)).values():
        assert st["object"]["id"].startswith("https://lms.example.org/x/")
        assert st["actor"]["account"] == {"homePage": "https://lms.example.org",
                                          "name": "r-0042"}
        exts = {**st.get("context", {}).get("extensions", {}),
                **st.get("result", {}).get("extensions", {})}
        assert all(k.startswith("https://lms.example.org/x/ext/") for k in exts)


def test_every_record_is_queued_as_it_happens_and_a_catch_up_adds_nothing(
        populated: Populated) -> None:
    svc = populated.services
    queued = waiting(svc)
    # six exam answers and a lesson check, the exam's completed + failed, two case runs'
    # completed + failed/passed, one lesson completed
    assert len(queued) == 14 and all(problems(st) == [] for st in queued)
    assert catch_up(outbox(svc), svc.content, AppSettings(),
                    svc.learner_data(populated.learner_id), svc.clock()) == 0
    assert waiting(svc) == queued


def test_a_program_issued_account_name_names_the_actor_from_then_on(
        populated: Populated) -> None:
    svc = populated.services
    box = outbox(svc)
    send_all(svc)
    box.set_account_name(populated.learner_id, "r-0042")
    assert box.account_name(populated.learner_id) == "r-0042"
    s = AppSettings(xapi_base="https://lms.example.org/x/", xapi_home_page="https://lms.example.org")
    queued = catch_up(box, svc.content, s, svc.learner_data(populated.learner_id), svc.clock())
    assert queued == 14
    statements = waiting(svc)
    voids = [st for st in statements if st["verb"]["id"] == VOIDED]
    assert len(voids) == 14 and len(statements) == 28  # each sent one voided, then anew
    assert {st["actor"]["account"]["name"] for st in statements} == {"r-0042"}
    fresh = svc.learner_data(populated.learner_id)
    [lesson] = [st for st in statements if st["object"]["id"].endswith("/lesson/anat-basics")]
    assert lesson["timestamp"] == next(  # the completion keeps its first time
        st for _, st in keyed_statements(fresh, svc.content, XapiConfig())
        if st["object"]["id"].endswith("/lesson/anat-basics"))["timestamp"]


class AnswerChangedMidway:
    """A learner's data whose answers stream as a catch-up reads them — and the learner
    changes an answer (in the app) just after the first one was read."""

    def __init__(self, svc: Services, lid: str, change: Any) -> None:
        self._data = svc.learner_data(lid)
        self._change = change

    def __getattr__(self, name: str) -> Any:
        return getattr(self._data, name)

    def responses(self) -> Any:
        for n, event in enumerate(self._data.responses()):
            yield event
            if n == 0:
                self._change()


def test_a_catch_up_never_overwrites_an_answer_changed_while_it_was_building(
        fresh: Services) -> None:
    lid, attempt = exam(fresh)
    fresh.record_answer(attempt, "anat.sb1", "B", 10)
    fresh.record_answer(attempt, "anat.tf1", "B", 10)
    send_all(fresh)
    data = AnswerChangedMidway(fresh, lid,
                               lambda: fresh.record_answer(attempt, "anat.tf1", "A", 5))
    catch_up(outbox(fresh), fresh.content, AppSettings(), data,  # type: ignore[arg-type]
             fresh.clock())
    rows = fresh.store.query("SELECT record_key, statement_json FROM xapi_statement")
    answers = {json.loads(text)["object"]["id"].rsplit("/", 1)[1]:
               json.loads(text)["result"]["response"] for key, text in rows
               if key.startswith("answer:")}
    assert answers["anat.tf1"] == "true"  # the learner's change (A: true) stands
    queued = waiting(fresh)
    assert [st["result"]["response"] for st in queued if "result" in st] == ["true"]
    assert sum(st["verb"]["id"] == VOIDED for st in queued) == 1  # the sent "B", voided


def result_extensions(st: dict[str, Any]) -> dict[str, str]:
    return {k.rsplit("/", 1)[1]: v for k, v in st.get("result", {}).get("extensions", {}).items()
            if "/ext/" in k}


def test_confidence_and_an_error_tag_go_out_with_the_answer_at_once(fresh: Services) -> None:
    from vpkp_tutor.domain.confidence import Confidence, ErrorTag

    _, attempt = exam(fresh)
    fresh.record_answer(attempt, "anat.tf1", "B", 10)  # keyed A (true): a miss
    fresh.set_confidence(attempt, "anat.tf1", Confidence.SURE)
    [st] = waiting(fresh)  # the statement queued with the answer, still unsent, is replaced
    assert problems(st) == [] and result_extensions(st)["confidence"] == "sure"
    send_all(fresh)
    fresh.set_error_tag(attempt, "anat.tf1", ErrorTag.DISAGREE, "the key looks wrong")
    void, new = waiting(fresh)  # once sent: voided, then the statement as it now stands
    assert void["verb"]["id"] == VOIDED and void["object"]["id"] == st["id"]
    assert result_extensions(new) == {"confidence": "sure", "error-tag": "disagree",
                                      "error-comment": "the key looks wrong"}


def test_a_lesson_check_confidence_is_the_learners_own(fresh: Services) -> None:
    from vpkp_tutor.domain.confidence import Confidence

    ana = fresh.create_learner("Ana").id
    ben = fresh.create_learner("Ben").id
    fresh.answer_lesson_check(ana, "anat-basics", "anat.sb1", "A", 4)
    fresh.answer_lesson_check(ben, "anat-basics", "anat.sb1", "B", 4)  # the latest row
    fresh.set_lesson_confidence(ana, "anat-basics", "anat.sb1", Confidence.GUESS)
    rows = dict(fresh.store.query("SELECT learner_id, confidence FROM response"))
    assert rows == {ana: int(Confidence.GUESS), ben: None}
    ana_statements = [st for st in waiting(fresh)
                      if st["actor"]["account"]["name"] == ana]
    assert [result_extensions(st).get("confidence") for st in ana_statements] == ["guess"]
    with pytest.raises(ValueError, match="no stored answer"):
        fresh.set_lesson_confidence(ana, "anat-basics", "anat.tf1", Confidence.SURE)
