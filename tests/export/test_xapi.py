"""xAPI 1.0.3 statements: checked against the rules of the spec that can be checked here."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.export.conftest import Populated
from tests.services.tinybank import q, tiny_bank
from vpkp_tutor.domain.model import MatchPair, QuestionType
from vpkp_tutor.export.xapi import VERBS, duration, interaction, response_text
from vpkp_tutor.export.xapi_check import problems

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
DURATION = re.compile(r"^PT(\d+(\.\d{1,2})?S)$")
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching",
                     "performance", "sequencing", "likert", "numeric", "other"}
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp",
                  "stored", "authority", "version", "attachments"}


def is_iri(text: str) -> bool:
    parsed = urlparse(text)
    return bool(parsed.scheme) and (bool(parsed.netloc) or parsed.scheme in {"urn", "mailto"})


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def check_lang_map(m: dict[str, str]) -> None:
    assert m and all(LANG_TAG.match(k) and isinstance(v, str) for k, v in m.items())


def check_statement(st: dict[str, Any]) -> None:
    """The xAPI 1.0.3 statement rules this export can break."""
    assert set(st) <= STATEMENT_KEYS and {"actor", "verb", "object"} <= set(st)
    assert is_uuid(st["id"]) and uuid.UUID(st["id"]).variant == uuid.RFC_4122
    assert "version" not in st  # the LRS sets it (xAPI 1.0.3 Data 2.4.10)
    assert problems(st) == []
    assert "stored" not in st and "authority" not in st
    actor = st["actor"]
    assert actor["objectType"] == "Agent"
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis == ["account"] and "name" not in actor
    assert is_iri(actor["account"]["homePage"]) and actor["account"]["name"]
    verb = st["verb"]
    assert verb["id"] in VERBS.values() and is_iri(verb["id"])
    check_lang_map(verb["display"])
    obj = st["object"]
    assert obj["objectType"] == "Activity" and is_iri(obj["id"])
    definition = obj.get("definition", {})
    assert is_iri(definition.get("type", "http://x.y"))
    for key in ("name", "description"):
        if key in definition:
            check_lang_map(definition[key])
    if "interactionType" in definition:
        assert definition["interactionType"] in INTERACTION_TYPES
        assert all(isinstance(p, str) for p in definition["correctResponsesPattern"])
        for comp in ("choices", "scale", "source", "target", "steps"):
            ids = [c["id"] for c in definition.get(comp, [])]
            assert len(ids) == len(set(ids)) and all(ids)
    else:
        assert "correctResponsesPattern" not in definition
    assert ISO_UTC.match(st["timestamp"])
    result = st.get("result", {})
    if "score" in result:
        s = result["score"]
        assert -1 <= s["scaled"] <= 1
        assert s["min"] <= s["raw"] <= s["max"] and s["min"] < s["max"]
    if "duration" in result:
        assert DURATION.match(result["duration"])
    for key in ("success", "completion"):
        assert isinstance(result.get(key, True), bool)
    ctx = st.get("context", {})
    if "registration" in ctx:
        assert is_uuid(ctx["registration"])
    for ext in (ctx.get("extensions", {}), result.get("extensions", {})):
        assert all(is_iri(k) for k in ext)
    for parent in ctx.get("contextActivities", {}).get("parent", []):
        assert is_iri(parent["id"])


def load(path: Path) -> list[dict[str, Any]]:
    """The statements of a `xapi` export (one JSON array) or a `xapi-lines` one."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines()]
    value = json.loads(text)
    assert isinstance(value, list)
    return value


def test_statements_are_valid_xapi(populated: Populated, tmp_path: Path) -> None:
    svc, lid = populated.services, populated.learner_id
    statements = load(svc.export(lid, "xapi", tmp_path / "ada.json"))
    assert statements == load(svc.export(lid, "xapi-lines", tmp_path / "ada.jsonl"))
    for st in statements:
        check_statement(st)
    verbs = [st["verb"]["id"].rsplit("/", 1)[1] for st in statements]
    assert verbs.count("answered") == 7
    # exam: completed + failed; two case runs: completed + failed (critical) and + passed;
    # one lesson completed
    assert verbs.count("completed") == 4
    assert verbs.count("failed") == 2 and verbs.count("passed") == 1
    assert len({st["id"] for st in statements}) == len(statements)
    assert {st["actor"]["account"]["name"] for st in statements} == {lid}
    assert "Ada" not in json.dumps(statements)  # only the opaque id identifies the learner
    attempt = svc.store.attempt_headers(lid)[0]
    quiz = [st for st in statements if st.get("context", {}).get("registration") == attempt.id]
    assert len(quiz) == 6 + 2


def test_export_twice_gives_the_same_statement_ids(populated: Populated,
                                                   tmp_path: Path) -> None:
    svc, lid = populated.services, populated.learner_id
    first = [s["id"] for s in load(svc.export(lid, "xapi", tmp_path / "1.json"))]
    second = [s["id"] for s in load(svc.export(lid, "xapi", tmp_path / "2.json"))]
    assert first == second


@pytest.mark.parametrize(
    ("question", "answer", "itype", "pattern", "response"),
    [
        (q("a"), "C", "choice", ["B"], "C"),
        (q("b", QuestionType.MULTIPLE_RESPONSE), ("A", "D"), "choice", ["A[,]C"], "A[,]D"),
        (q("c", QuestionType.TRUE_FALSE), "B", "true-false", ["true"], "false"),
        (q("d", QuestionType.TRUE_FALSE, key="B"), "B", "true-false", ["false"], "false"),
        (q("e", QuestionType.ORDERING), (2, 0, 1), "sequencing", ["item0[,]item1[,]item2"],
         "item2[,]item0[,]item1"),
        (q("f", QuestionType.MATCHING), ("22510", None), "matching",
         ["p0[.]t0[,]p1[.]t2"], "p0[.]t0"),
        (q("g", QuestionType.NUMERIC), 5.25, "numeric", ["4.5[:]5.5"], "5.25"),
        (q("h", QuestionType.NUMERIC, answer=3.0, tolerance=0.0), -2.0, "numeric", ["3"], "-2"),
    ],
)
def test_interaction_definitions(question: Any, answer: Any, itype: str, pattern: list[str],
                                 response: str) -> None:
    d = interaction(question)
    assert d["interactionType"] == itype and d["correctResponsesPattern"] == pattern
    assert response_text(question, answer) == response


def test_matching_components() -> None:
    question = q("m", QuestionType.MATCHING,
                 pairs=(MatchPair("VP", "22510", "x"), MatchPair("KP", "22513", "y")))
    d = interaction(question)
    assert [c["id"] for c in d["source"]] == ["p0", "p1"]
    assert [c["description"]["en-US"] for c in d["target"]] == ["22510", "22511", "22513"]


@pytest.mark.parametrize(("seconds", "text"), [(12.5, "PT12.5S"), (0, "PT0S"),
                                                (3.14159, "PT3.14S"), (-1, "PT0S")])
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_tiny_bank_questions_all_have_interactions() -> None:
    for question in tiny_bank().questions:
        assert interaction(question)["interactionType"] in INTERACTION_TYPES
