"""JSON export: round trip to the same records, and clear errors on malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.export.conftest import Populated
from vpkp_tutor import __version__
from vpkp_tutor.export import ExportError
from vpkp_tutor.export.json_export import read_export


def test_json_round_trips_to_the_same_records(populated: Populated, tmp_path: Path) -> None:
    svc, lid = populated.services, populated.learner_id
    out = svc.export(lid, "json", tmp_path / "ada.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["app_version"] == __version__ and doc["content"]["fingerprint"] == "fp-1"
    assert doc["content"]["topics"]["anatomy"] == {"questions": 3, "lessons": 1, "cases": 0}
    back = read_export(out)
    assert back.learner == svc.store.get_learner(lid)
    assert [r.event for r in back.responses] == list(svc.store.iter_response_events(lid))
    assert [c.run for c in back.case_runs] == list(reversed(svc.store.case_runs(lid)))
    assert {p.lesson_id: p for p, _ in back.lesson_progress} == svc.store.lesson_progress(lid)
    assert [a["id"] for a in back.attempts] == [a.id for a in svc.store.attempt_headers(lid)]
    assert back.flags == ("comp.nu1",)
    assert back.exported_at == populated.clock.now
    meta = next(r.meta for r in back.responses if r.event.record.question_id == "comp.or1")
    assert (meta.topic, meta.type, meta.difficulty) == ("complications", "ordering", "medium")


def test_an_export_saved_with_a_byte_order_mark_is_read(populated: Populated,
                                                        tmp_path: Path) -> None:
    """An export opened and saved again by an editor that writes a BOM reads as before."""
    svc, lid = populated.services, populated.learner_id
    out = svc.export(lid, "json", tmp_path / "ada.json")
    plain = read_export(out)
    marked = tmp_path / "ada-bom.json"
    marked.write_bytes(b"\xef\xbb\xbf" + out.read_bytes())
    back = read_export(marked)
    assert back.learner == plain.learner and back.responses == plain.responses


def test_empty_learner_exports(populated: Populated, tmp_path: Path) -> None:
    svc = populated.services
    lid = svc.create_learner("New").id
    back = read_export(svc.export(lid, "json", tmp_path / "new.json"))
    assert back.responses == () and back.case_runs == ()


def _write(tmp_path: Path, doc: object) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return p


@pytest.fixture
def good_doc(populated: Populated, tmp_path: Path) -> dict[str, object]:
    out = populated.services.export(populated.learner_id, "json", tmp_path / "good.json")
    doc: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "{not json", r"bad\.json:1:2: not valid JSON"),
        (lambda d: [], "not a VP/KP Tutor learner export"),
        (lambda d: {**d, "format": "other"}, "not a VP/KP Tutor learner export"),
        (lambda d: {**d, "format_version": 99}, "newer than this app reads"),
        (lambda d: {k: v for k, v in d.items() if k != "learner"}, "missing field 'learner'"),
        (lambda d: {**d, "responses": [{**d["responses"][0], "points": "1"}]},
         r"responses\[0\]\.points: expected a number"),
        (lambda d: {**d, "responses": [{**d["responses"][0], "correct": 1}]},
         r"responses\[0\]\.correct: expected true/false"),
        (lambda d: {**d, "responses": [{**d["responses"][0], "answered_at": "yesterday"}]},
         r"responses\[0\]\.answered_at: not an ISO 8601"),
        (lambda d: {**d, "responses": [{**d["responses"][0], "answer": {"x": 1}}]},
         r"responses\[0\]\.answer: not an answer"),
        (lambda d: {**d, "case_runs": [5]}, r"case_runs\[0\]: expected an object"),
    ],
)
def test_malformed_export_names_file_and_field(tmp_path: Path, good_doc: dict[str, object],
                                               mutate: object, message: str) -> None:
    path = _write(tmp_path, mutate(good_doc))  # type: ignore[operator]
    with pytest.raises(ExportError, match=message) as info:
        read_export(path)
    assert str(path) in str(info.value)


def test_unreadable_export(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot read"):
        read_export(tmp_path / "missing.json")
    (tmp_path / "latin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ExportError, match=r"latin\.json: cannot read"):
        read_export(tmp_path / "latin.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (5, "responses[3]: expected an object, got a whole number"),
        ({"points": True}, "responses[3].points: expected a number, got true/false"),
        ({"max_points": None}, "responses[3].max_points: expected a number, got null"),
        ({"seconds": "12"}, "responses[3].seconds: expected a number, got text"),
        ({"correct": "yes"}, "responses[3].correct: expected true/false, got text"),
        ({"id": 7}, "responses[3].id: expected text, got a whole number"),
        ({"mode": None}, "responses[3].mode: expected text, got null"),
        ({"topic": 1}, "responses[3].topic: expected text or null, got a whole number"),
        ({"objectives": "a"}, "responses[3].objectives: expected a list or null, got text"),
        ({"answer": [1.5]}, "responses[3].answer[0]: expected a whole number or text or null, "
                               "got a number"),
        ({"answer": True}, "responses[3].answer: not an answer: expected a number or text or a "
                             "list or null, got true/false"),
        ({"answered_at": "2026-13-01T00:00:00Z"},
         "responses[3].answered_at: not an ISO 8601 timestamp"),
        ({"content_hash": None}, "responses[3].content_hash: expected text, got null"),
        ({"attempt_id": ["a"]}, "responses[3].attempt_id: expected text, got a list"),
    ],
)
def test_a_bad_response_among_good_ones_is_named_exactly(
        tmp_path: Path, good_doc: dict[str, object], change: object, message: str) -> None:
    items = list(good_doc["responses"])  # type: ignore[call-overload]
    items[3] = change if not isinstance(change, dict) else {**items[3], **change}
    path = _write(tmp_path, {**good_doc, "responses": items})
    with pytest.raises(ExportError) as info:
        read_export(path)
    assert str(info.value) == f"{path}: {message}"


def test_a_response_missing_a_field_is_named_exactly(tmp_path: Path,
                                                     good_doc: dict[str, object]) -> None:
    items = list(good_doc["responses"])  # type: ignore[call-overload]
    for field in ("id", "attempt_id", "mode", "question_id", "content_hash", "points",
                  "max_points", "correct", "seconds", "answered_at"):
        items[3] = {k: v for k, v in good_doc["responses"][3].items()  # type: ignore[index]
                    if k != field}
        path = _write(tmp_path, {**good_doc, "responses": items})
        with pytest.raises(ExportError) as info:
            read_export(path)
        assert str(info.value) == f"{path}: responses[3]: missing field {field!r}"
