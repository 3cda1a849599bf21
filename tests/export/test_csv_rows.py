"""The CSV export from the store's row stream writes, byte for byte, what the export from
response events writes — on data full of awkward values: negative and huge numbers, partial
credit, answers stored in older or foreign JSON forms, times not in canonical form, formula
payloads in every text column, questions no longer in the bank and hostile learner names —
and every file stays formula-safe."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from tests.faults.csvcheck import assert_safe
from tests.faults.test_export_injection import PAYLOADS, hostile_bank, learner_with_work
from tests.services.tinybank import FakeClock
from vpkp_tutor.domain.progress import RESPONSE_ROW_FIELDS, Learner, iso_utc
from vpkp_tutor.export import csv_export
from vpkp_tutor.export.csv_export import (
    RESPONSE_COLUMNS,
    SUMMARY_COLUMNS,
    read_csv,
    summary_path,
)
from vpkp_tutor.export.csv_safe import cell, csv_field, text_field
from vpkp_tutor.services import Services
from vpkp_tutor.storage import open_store

TIMES = ["2026-03-02T12:00:00+00:00", "2026-03-02T14:00:00+02:00", "2026-03-02T12:00:00",
         "2026-03-02 12:00:01.5", "2026-03-02T12:00:02Z", "2026-03-02T12:00:03.000001Z"]
"""Times as older data or another tool could have stored them, and canonical ones."""
ANSWERS = ['"B"', '"Zo\\u00eb \\u5c71\\u7530"', '"Zoë"', "-2.0", "-0.5", "12", "1e+16",
           "-1e-07", "3.0000000000000004", "null", "[0, 2, 1]", '["22510", null]',
           '["=cmd|\' /C calc\'!A0", "+1"]', '"=1+1"', "\"'quoted\"", '" =x"', "Infinity",
           "-Infinity", "[]", "[1]", '"a,b"', '"line\\nbreak"', '"tab\\there"', '["A","C"]',
           '"\\u00a0@x"', '"-"', '""']
"""Answer JSON as the store writes it (ASCII-escaped) and in other valid forms."""
TEXTS = ["tutor", "=mode", "-1", "a,b", 'q"q', "line\nbreak", "\u00a0@x", "'q", "\t", "",
         " \t=x", "\u3000=1", "\u200b=1", "\uff1d1", "é1", "\uff12", "lesson:+x", "@", "+"]
"""Text for the mode, attempt id, content hash and response id columns."""
NUMBERS = [(0.0, 1.0, 12.5), (1.0, 1.0, 3.141592653589793), (0.333333, 1.0, 0.0),
           (1 / 3, 1.0, 1e16), (0.1 + 0.2, 2.0, 604800.0), (1e-05, 0.0, 0.001),
           (123456789.123, 1e300, 7.0)]
"""(points, max_points, seconds)."""


def add_awkward_rows(services: Services, learner_id: str) -> int:
    """Insert responses straight into the table, as older data or another tool could."""
    qids = [m.id for m in services.content.question_meta] + ["gone.q", "@gone", "=q.anat.sb1"]
    rows = []
    for i in range(240):
        points, max_points, seconds = NUMBERS[i % len(NUMBERS)]
        text = TEXTS[i % len(TEXTS)]
        rows.append((
            f"{TEXTS[(i * 7) % len(TEXTS)]}#{i}" if i % 3 else f"resp-{i}", learner_id,
            TEXTS[(i * 5) % len(TEXTS)] if i % 4 else f"att-{i // 10}",
            text if i % 2 else "exam", qids[i % len(qids)],
            TEXTS[(i * 3) % len(TEXTS)] if i % 5 else "h" * 64,
            ANSWERS[i % len(ANSWERS)], points, max_points, i % 2, seconds,
            TIMES[i % len(TIMES)] if i % 2 else iso_utc(services.clock()).replace("00.0", f"{i % 60:02d}.0"),
        ))
    with services.store.transaction() as c:
        c.executemany(
            "INSERT INTO response(id, learner_id, attempt_id, mode, question_id, content_hash,"
            " answer_json, points, max_points, correct, seconds, answered_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    svc = Services(hostile_bank(), open_store(tmp_path / "data", daily_backups=False),
                   FakeClock())
    yield svc  # type: ignore[misc]
    svc.store.close()


def written(path: Path) -> tuple[bytes, bytes]:
    return path.read_bytes(), summary_path(path).read_bytes()


@pytest.mark.parametrize("cache_limit", [csv_export.CACHE_LIMIT, 2])
def test_rows_write_what_the_events_write(services: Services, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               cache_limit: int) -> None:
    monkeypatch.setattr(csv_export, "CACHE_LIMIT", cache_limit)
    learners = [learner_with_work(services, p, p[::-1], p + "!") for p in PAYLOADS[::4]]
    added = add_awkward_rows(services, learners[0].id)
    for learner in learners:
        fast = services.export(learner.id, "csv", tmp_path / "fast.csv", overwrite=True)
        data = services.learner_data(learner.id)
        assert_safe(fast)
        assert_safe(summary_path(fast))
        csv_export.write_csv(dataclasses.replace(data, response_rows=None), services.content,
                             tmp_path / "events.csv")
        assert written(tmp_path / "events.csv") == written(fast)
    rows = list(read_csv(tmp_path / "fast.csv"))  # the last learner's
    assert rows and all(r["learner_name"] == learners[-1].display_name for r in rows)
    with services.store.response_rows(learners[0].id) as stream:
        assert sum(1 for _ in stream) > added


def test_store_rows_have_the_documented_columns(services: Services) -> None:
    learner = learner_with_work(services, "Ann", "", "")
    with services.store.response_rows(learner.id) as rows:
        first = next(iter(rows))
        assert tuple(d[0] for d in rows.description) == RESPONSE_ROW_FIELDS  # type: ignore[attr-defined]
    assert first[1] == 1 and isinstance(first[5], float) and first[7] in (0, 1)


@pytest.mark.parametrize(("column", "value", "error"), [
    ("answer_json", '{"a": 1}', "not an answer"),
    ("answer_json", "[1.5]", "not an answer item"),
    ("answer_json", "not json", "Expecting value"),
    ("answered_at", "yesterday", "Invalid isoformat string"),
    ("points", "lots", "could not convert"),
])
def test_a_bad_stored_value_fails_cleanly(services: Services, tmp_path: Path, column: str,
                                            value: str, error: str) -> None:
    learner = learner_with_work(services, "Ann", "", "")
    with services.store.transaction() as c:
        c.execute(f"UPDATE response SET {column} = ? WHERE learner_id = ?",
                  (value, learner.id))
    with pytest.raises(ValueError, match=error):
        services.export(learner.id, "csv", tmp_path / "fast.csv")
    assert not (tmp_path / "fast.csv").exists()


def test_csv_field_is_what_the_csv_module_writes() -> None:
    samples = [chr(c) for c in range(0x3100)] + [
        "", "a,b", 'say "hi"', "x\ny", "x\r\ny", "\r", " lead", "trail ", "'q", "''", "a\tb",
        *PAYLOADS, *TEXTS]
    for text in samples:
        for value in (text, f"{text}{text}", f"x{text}y"):
            buf = io.StringIO(newline="")
            csv.writer(buf, dialect="excel", lineterminator="\r\n").writerow(
                ["a", cell(value)])
            assert buf.getvalue() == f"a,{text_field(value)}\r\n", repr(value)
    for number in (0.0, -2.5, 1e16, 3, 10**20, float("inf")):
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\r\n").writerow(["a", number])
        assert buf.getvalue() == f"a,{csv_field(number)}\r\n"


def test_a_learner_without_responses_gets_headers_only(services: Services,
                                                       tmp_path: Path) -> None:
    learner = Learner("quiet", "=Quiet", "", "", services.clock())
    services.store.add_learner(learner)
    out = services.export(learner.id, "csv", tmp_path / "q.csv")
    assert out.read_bytes() == (",".join(RESPONSE_COLUMNS) + "\r\n").encode()
    summary = list(read_csv(summary_path(out)))
    assert list(summary[0]) == list(SUMMARY_COLUMNS)
    assert all(r["responses"] == "0" and r["learner_name"] == "=Quiet" for r in summary)
