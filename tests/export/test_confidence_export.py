"""Exports carry confidence and error tags: CSV columns (formula-safe), JSON fields that
read back, xAPI result extensions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.export.conftest import Populated
from vpkp_tutor.domain.confidence import Confidence, ErrorTag
from vpkp_tutor.export.csv_export import RESPONSE_COLUMNS, read_csv
from vpkp_tutor.export.json_export import read_export
from vpkp_tutor.export.xapi import ACTIVITY_BASE


def _mark(populated: Populated) -> str:
    """anat.tf1 (answered B, key A) sure and disagreed with; anat.sb1 a right guess."""
    svc = populated.services
    (attempt,) = svc.store.finished_attempts(populated.learner_id)
    svc.set_confidence(attempt.id, "anat.tf1", Confidence.SURE)
    svc.set_error_tag(attempt.id, "anat.tf1", ErrorTag.DISAGREE, "=HYPERLINK(\"x\") key is A?")
    svc.set_confidence(attempt.id, "anat.sb1", Confidence.GUESS)
    return attempt.id


def test_csv_has_confidence_tag_and_comment_columns(populated: Populated,
                                                    tmp_path: Path) -> None:
    attempt_id = _mark(populated)
    out = populated.services.export(populated.learner_id, "csv", tmp_path / "ada.csv")
    assert RESPONSE_COLUMNS[-3:] == ("confidence", "error_tag", "error_comment")
    rows = {(r["attempt_id"], r["question_id"]): r for r in read_csv(out)
            if r["kind"] == "answered"}
    tf = rows[(attempt_id, "anat.tf1")]
    assert (tf["confidence"], tf["error_tag"], tf["error_comment"]) == (
        "sure", "disagree", "=HYPERLINK(\"x\") key is A?")
    assert rows[(attempt_id, "anat.sb1")]["confidence"] == "guess"
    assert rows[(attempt_id, "anat.mr1")]["confidence"] == ""
    with open(out, encoding="utf-8", newline="") as stream:  # the raw cell is neutralised
        raw = {r["question_id"]: r for r in csv.DictReader(stream)
               if r["attempt_id"] == attempt_id}
    assert not raw["anat.tf1"]["error_comment"].startswith("=")
    every = list(read_csv(out))
    assert all(len(r) == len(RESPONSE_COLUMNS) for r in every)  # case and unanswered rows too


def test_json_carries_and_reads_back_confidence_and_tags(populated: Populated,
                                                         tmp_path: Path) -> None:
    attempt_id = _mark(populated)
    out = populated.services.export(populated.learner_id, "json", tmp_path / "ada.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    tf = next(r for r in doc["responses"]
              if r["attempt_id"] == attempt_id and r["question_id"] == "anat.tf1")
    assert (tf["confidence"], tf["error_tag"], tf["error_comment"]) == (
        "sure", "disagree", "=HYPERLINK(\"x\") key is A?")
    back = read_export(out)
    records = {(r.event.record.attempt_id, r.event.record.question_id): r.event.record
               for r in back.responses}
    assert records[(attempt_id, "anat.tf1")].confidence == 1
    assert records[(attempt_id, "anat.tf1")].error_tag == "disagree"
    assert records[(attempt_id, "anat.sb1")].confidence == 3
    assert [r.event for r in back.responses] == list(
        populated.services.store.iter_response_events(populated.learner_id))


def test_json_without_the_fields_still_reads(populated: Populated, tmp_path: Path) -> None:
    out = populated.services.export(populated.learner_id, "json", tmp_path / "ada.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    for r in doc["responses"]:  # an export written before confidence existed
        for key in ("confidence", "error_tag", "error_comment"):
            del r[key]
    out.write_text(json.dumps(doc), encoding="utf-8")
    assert all(r.event.record.confidence is None for r in read_export(out).responses)


def test_xapi_result_extensions(populated: Populated, tmp_path: Path) -> None:
    attempt_id = _mark(populated)
    out = populated.services.export(populated.learner_id, "xapi", tmp_path / "ada.json")
    answered = [s for s in json.loads(out.read_text(encoding="utf-8"))
                if s["verb"]["id"].endswith("/answered")]
    by_question = {(s["context"].get("registration"), s["object"]["id"].rsplit("/", 1)[-1]): s
                   for s in answered}
    tf = by_question[(attempt_id, "anat.tf1")]["result"]["extensions"]
    assert tf == {f"{ACTIVITY_BASE}ext/confidence": "sure",
                  f"{ACTIVITY_BASE}ext/error-tag": "disagree",
                  f"{ACTIVITY_BASE}ext/error-comment": "=HYPERLINK(\"x\") key is A?"}
    sb = by_question[(attempt_id, "anat.sb1")]["result"]["extensions"]
    assert sb == {f"{ACTIVITY_BASE}ext/confidence": "guess"}
    assert "extensions" not in by_question[(attempt_id, "anat.mr1")]["result"]
