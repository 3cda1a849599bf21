"""The xAPI 1.0.3 statement checks made before anything is queued or written."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vpkp_tutor.export.xapi_check import InvalidStatement, check, problems

GOOD: dict[str, Any] = {
    "id": "6f1d7c52-3c7e-5b8e-9a59-4c1b8d0e2f10",
    "actor": {"objectType": "Agent",
              "account": {"homePage": "https://lms.example.org", "name": "r-0042"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
    "object": {"objectType": "Activity", "id": "https://lms.example.org/xapi/question/q1",
               "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                              "interactionType": "choice", "correctResponsesPattern": ["B"],
                              "choices": [{"id": "A", "description": {"en-US": "a"}},
                                          {"id": "B", "description": {"en-US": "b"}}]}},
    "result": {"score": {"scaled": 0.5, "raw": 1, "min": 0, "max": 2}, "success": False,
               "completion": True, "response": "A", "duration": "PT12.5S"},
    "context": {"registration": "0b7e2f3c-4a5d-4e6f-8a9b-0c1d2e3f4a5b",
                "contextActivities": {"parent": [{"id": "https://lms.example.org/xapi/quiz/exam"}]},
                "extensions": {"https://lms.example.org/xapi/ext/mode": "exam"}},
    "timestamp": "2026-03-02T12:00:00.000000Z",
}


def changed(path: str, value: Any) -> dict[str, Any]:
    st = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node = st
    for p in parents:
        node = node[p]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return st


def test_a_good_statement_passes() -> None:
    assert problems(GOOD) == []
    assert check(GOOD) == GOOD


@pytest.mark.parametrize(("path", "value", "found"), [
    ("version", "1.0.3", "version: not allowed (the LRS sets it)"),
    ("stored", "2026-03-02T12:00:00Z", "stored: not allowed"),
    ("result.score.scaled", 1.5, "result.score.scaled: 1.5 is outside -1 to 1"),
    ("result.score.raw", 3, "result.score.raw: 3 is outside min to max"),
    ("result.score.max", 0, "result.score: min must be less than max"),
    ("result.score.scaled", float("nan"), "result.score.scaled: must be a finite number"),
    ("result.duration", "12.5s", "result.duration: '12.5s' is not an ISO 8601 duration"),
    ("result.duration", "PT", "is not an ISO 8601 duration"),
    ("result.success", "yes", "result.success: must be true or false"),
    ("result.response", 3, "result.response: must be a string"),
    ("actor", KeyError, "actor: missing"),
    ("actor.mbox", "mailto:a@b.org", "actor: needs exactly one identifier"),
    ("actor.account.homePage", "lms.example.org", "actor.account.homePage: must be an IRL"),
    ("actor.account.name", "", "actor.account.name: must be a non-empty string"),
    ("verb.id", "answered", "verb.id: must be an IRI"),
    ("object.id", "question q1", "object.id: an activity id must be an IRI"),
    ("object.definition.interactionType", "essay", "'essay' is not an xAPI interaction type"),
    ("object.definition.choices", [{"id": "A"}, {"id": "A"}], "ids must be distinct"),
    ("object.definition.name", {}, "a language map needs at least one entry"),
    ("object.definition.name", {"english": "x"}, "'english' is not a language tag"),
    ("context.registration", "attempt-1", "context.registration: must be a UUID"),
    ("context.extensions", {"mode": "exam"}, "key 'mode' is not an IRI"),
    ("timestamp", "2026-03-02 12:00", "is not an ISO 8601 time with a zone"),
    ("id", "not-a-uuid", "id: must be a UUID in canonical form"),
])
def test_each_rule_is_checked(path: str, value: Any, found: str) -> None:
    st = changed(path, value)
    listed = problems(st)
    assert any(found in p for p in listed), listed
    with pytest.raises(InvalidStatement, match="statement "):
        check(st)


def test_a_pattern_needs_an_interaction_and_a_voiding_statement_a_statement_ref() -> None:
    st = changed("object.definition.interactionType", KeyError)
    assert any("only an interaction" in p for p in problems(st))
    void = {"id": GOOD["id"], "actor": GOOD["actor"], "timestamp": GOOD["timestamp"],
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
            "object": {"objectType": "Activity", "id": "https://lms.example.org/x"}}
    assert any("must be a StatementRef" in p for p in problems(void))
    void["object"] = {"objectType": "StatementRef", "id": GOOD["id"]}
    assert problems(void) == []
