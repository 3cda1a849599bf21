"""CSV exports: formula-injection safety, RFC 4180 round trip, summary, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import uuid
from pathlib import Path

import pytest

from tests.export.conftest import Populated
from tests.services.tinybank import T0
from vpkp_tutor.domain.progress import answer_from_json, iso_utc
from vpkp_tutor.export.csv_export import RESPONSE_COLUMNS, read_csv, summary_path
from vpkp_tutor.export.csv_safe import SafeCsvWriter, cell, neutralise, unneutralise

FORMULA_START = tuple("=+-@\t\r")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =cmd|' /C calc'!A0", "'  =cmd|' /C calc'!A0"),
        ("\u00a0=1", "'\u00a0=1"),
        ("\uff1d1", "'\uff1d1"),
        ("'quoted", "''quoted"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert unneutralise(neutralise(text)) == text


def test_numbers_stay_numbers_and_text_is_neutralised() -> None:
    assert cell(-2.5) == -2.5 and cell(3) == 3 and cell(True) == "true" and cell(None) == ""
    assert cell("-2.5") == "'-2.5"


def test_rfc4180_quoting() -> None:
    buf = io.StringIO(newline="")
    w = SafeCsvWriter(buf, ["a", "b"])
    w.writerow(['he said "hi", then left', "line\nbreak"])
    assert buf.getvalue() == 'a,b\r\n"he said ""hi"", then left","line\nbreak"\r\n'
    with pytest.raises(ValueError, match="header"):
        w.writerow(["only one"])


def _no_formula_cells(path: Path) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            for value in row:
                stripped = value.lstrip(" \u00a0")
                if not stripped or not stripped.startswith(FORMULA_START):
                    continue
                float(value)  # a plain number (e.g. -2.0) is the only allowed exception


def test_long_csv_round_trips(populated: Populated, tmp_path: Path) -> None:
    svc, lid = populated.services, populated.learner_id
    out = svc.export(lid, "csv", tmp_path / "ada.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"learner_id,learner_name,") and b"\r\n" in raw
    raw.decode("utf-8")
    rows = [r for r in read_csv(out) if r["kind"] == "answered"]
    events = list(svc.store.iter_response_events(lid))
    assert len(rows) == len(events) == 7
    for row, ev in zip(rows, events, strict=True):
        r = ev.record
        assert list(row) == list(RESPONSE_COLUMNS)
        assert row["learner_name"] == '=Ada, "MD"' and row["program"] == "@Metro IR"
        assert (row["response_id"], row["attempt_id"], row["question_id"]) == (
            ev.id, r.attempt_id, r.question_id)
        assert dt.datetime.fromisoformat(row["timestamp"]) == r.answered_at.replace(
            microsecond=0)
        assert float(row["score"]) == round(r.points, 6)
        assert float(row["max"]) == r.max_points
        assert row["correct"] == ("true" if r.correct else "false")
        assert float(row["seconds"]) == round(r.seconds, 1)
        assert row["content_hash"] == r.content_hash
        assert answer_from_json(json.loads(row["answer_json"])) == r.answer
        assert row["mode"] == ev.mode
    mr = next(r for r in rows if r["question_id"] == "anat.mr1")
    assert (mr["topic"], mr["objectives"], mr["type"], mr["difficulty"]) == (
        "anatomy", "anat.pedicle;anat.canal", "multiple_response", "easy")
    _no_formula_cells(out)


def test_summary_csv(populated: Populated, tmp_path: Path) -> None:
    out = populated.services.export(populated.learner_id, "csv", tmp_path / "ada.csv")
    summary = summary_path(out)
    assert summary.name == "ada-summary.csv"
    rows = {r["topic"]: r for r in read_csv(summary)}
    assert set(rows) == {"anatomy", "complications"}
    anat = rows["anatomy"]
    assert (anat["responses"], anat["items_answered"], anat["items_in_bank"]) == ("4", "3", "3")
    assert anat["items_unanswered"] == "0"
    assert float(anat["points"]) == 2.0 and float(anat["accuracy"]) == 0.5
    assert (anat["lessons_completed"], anat["lessons_total"]) == ("1", "1")
    dash = populated.services.dashboard(populated.learner_id)
    topic = next(t for t in dash.topics if t.topic.id == "anatomy")
    assert float(anat["mastery"]) == pytest.approx(topic.mastery.value, abs=1e-4)
    _no_formula_cells(summary)


def test_summary_accuracy_is_empty_when_nothing_was_answered(tmp_path: Path) -> None:
    """All answers wrong is accuracy 0.0; no answer in a topic (its items left unanswered)
    is an empty cell, as the terminal report's "–", not a 0.0 that reads as all wrong."""
    from tests.export.conftest import populate

    p = populate(tmp_path / "data", answers={"anat.sb1": "A"})  # the key is B
    try:
        out = p.services.export(p.learner_id, "csv", tmp_path / "ada.csv")
    finally:
        p.services.store.close()
    rows = {r["topic"]: r for r in read_csv(summary_path(out))}
    anat, comp = rows["anatomy"], rows["complications"]
    assert (anat["responses"], anat["points"], anat["accuracy"]) == ("2", "0.0", "0.0")
    assert (comp["responses"], comp["max_points"], comp["accuracy"]) == ("0", "0.0", "")
    assert int(comp["items_unanswered"]) > 0 and comp["mastery"] == "0.0"


def test_unwritable_output_is_a_clear_error(populated: Populated, tmp_path: Path) -> None:
    from vpkp_tutor.export import ExportError

    with pytest.raises(ExportError, match="does not exist"):
        populated.services.export(populated.learner_id, "csv", tmp_path / "no" / "x.csv")
    with pytest.raises(ExportError, match="is a directory"):
        populated.services.export(populated.learner_id, "json", tmp_path)
    with pytest.raises(ValueError, match="unknown export format"):
        populated.services.export(populated.learner_id, "xlsx", tmp_path / "x.xlsx")
    assert not list(tmp_path.glob(".*.part"))


def test_many_responses_stream(populated: Populated, tmp_path: Path) -> None:
    svc, lid = populated.services, populated.learner_id
    n = 20_000
    rows = [(str(uuid.uuid4()), lid, "att", "tutor", "anat.sb1", "h", '"B"', 1.0, 1.0, 1, 3.0,
             iso_utc(T0)) for _ in range(n)]
    with svc.store.transaction() as c:
        c.executemany("INSERT INTO response(id, learner_id, attempt_id, mode, question_id,"
                      " content_hash, answer_json, points, max_points, correct, seconds,"
                      " answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    start = time.perf_counter()
    out = svc.export(lid, "csv", tmp_path / "big.csv")
    elapsed = time.perf_counter() - start
    with open(out, encoding="utf-8") as f:
        assert sum(1 for _ in f) == n + 7 + 5 + 1  # + the two case runs' rows
    assert elapsed < 20  # generous: a sanity bound, not a benchmark
