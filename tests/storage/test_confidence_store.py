"""Confidence and error tags in the store: the migration, the write paths, the review
schedule they set, and what services read back (calibration, error profile, CBM)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fsrs import Rating
from msgspec.structs import replace

from tests.services.tinybank import FakeClock, make_services
from vpkp_tutor.domain.confidence import Confidence, ErrorTag, ScoringMode
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.services.settings import load_settings
from vpkp_tutor.storage import open_store, schema
from vpkp_tutor.storage.review import ReviewScheduler


def _quiz(services: Services, mode: QuizMode = QuizMode.TUTOR) -> tuple[str, str]:
    lid = services.create_learner("Ada").id
    a = services.build_quiz(lid, QuizSettings(mode=mode, count=6, seed=1))
    return lid, a.id


def _row(services: Services, attempt_id: str, qid: str) -> sqlite3.Row:
    rows = services.store.query(
        "SELECT confidence, error_tag, error_comment FROM response WHERE attempt_id = ? AND"
        " question_id = ?", (attempt_id, qid))
    return rows[0]


def _rating(services: Services, attempt_id: str, qid: str) -> int:
    return int(services.store.query(
        "SELECT rating FROM review_log WHERE attempt_id = ? AND question_id = ?",
        (attempt_id, qid))[0][0])


def test_a_version_1_database_gains_the_columns_and_keeps_its_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / "progress.sqlite3", isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:1])
    conn.execute("INSERT INTO learner VALUES ('l1', 'Ada', '', '', '2026-01-01T00:00:00Z')")
    conn.execute("INSERT INTO response(id, learner_id, attempt_id, mode, question_id,"
                 " content_hash, answer_json, points, max_points, correct, seconds,"
                 " answered_at) VALUES ('r1','l1','a1','tutor','anat.sb1','h','\"B\"',1.0,"
                 "1.0,1,3.0,'2026-01-01T00:00:00.000000Z')")
    conn.close()
    store = open_store(data, daily_backups=False)
    try:
        assert store.schema_version == schema.SCHEMA_VERSION
        (record,) = store.responses("l1")
        assert (record.confidence, record.error_tag, record.error_comment) == (None, None, "")
        with pytest.raises(sqlite3.IntegrityError):  # only 1, 2, 3 or nothing
            store.query("UPDATE response SET confidence = 7")
    finally:
        store.close()


def test_a_confident_error_is_rated_again_and_comes_back_sooner(
        services: Services, clock: FakeClock) -> None:
    lid, aid = _quiz(services)
    services.record_answer(aid, "anat.mr1", ("A",), 40)  # half marks: Hard
    assert _rating(services, aid, "anat.mr1") == Rating.Hard
    due_hard = dict(services.store.card_dues(lid))["anat.mr1"]
    services.set_confidence(aid, "anat.mr1", Confidence.SURE)
    assert _row(services, aid, "anat.mr1")["confidence"] == 1
    assert _rating(services, aid, "anat.mr1") == Rating.Again
    due_sure = dict(services.store.card_dues(lid))["anat.mr1"]
    assert due_sure < due_hard
    fresh_again = ReviewScheduler().review(None, Rating.Again, clock.now, 0, 40)[1]
    assert due_sure == fresh_again  # reviewed once, from the card before this answer
    assert [r[0] for r in services.store.query(
        "SELECT rating FROM review_log WHERE question_id = 'anat.mr1'")] == [Rating.Again]


def test_a_right_guess_is_rated_hard(services: Services) -> None:
    lid, aid = _quiz(services)
    services.record_answer(aid, "anat.sb1", "B", 3)  # right and fast: Easy
    assert _rating(services, aid, "anat.sb1") == Rating.Easy
    easy_due = dict(services.store.card_dues(lid))["anat.sb1"]
    services.set_confidence(aid, "anat.sb1", Confidence.GUESS)
    assert _rating(services, aid, "anat.sb1") == Rating.Hard
    assert dict(services.store.card_dues(lid))["anat.sb1"] < easy_due
    services.set_confidence(aid, "anat.sb1", None)  # taken back: as scored again
    assert _rating(services, aid, "anat.sb1") == Rating.Easy
    assert dict(services.store.card_dues(lid))["anat.sb1"] == easy_due


def test_changing_the_answer_drops_its_confidence_and_tag(services: Services) -> None:
    _lid, aid = _quiz(services, QuizMode.EXAM)
    services.record_answer(aid, "anat.sb1", "A", 3)
    services.set_confidence(aid, "anat.sb1", Confidence.SURE)
    services.set_error_tag(aid, "anat.sb1", ErrorTag.SLIP)
    services.record_answer(aid, "anat.sb1", "C", 3)
    row = _row(services, aid, "anat.sb1")
    assert (row["confidence"], row["error_tag"]) == (None, None)


def test_error_tags_only_on_misses_and_comments_only_with_disagree(
        services: Services) -> None:
    lid, aid = _quiz(services)
    services.record_answer(aid, "anat.sb1", "B", 3)
    with pytest.raises(ValueError, match="only a missed answer"):
        services.set_error_tag(aid, "anat.sb1", ErrorTag.SLIP)
    with pytest.raises(ValueError, match="no stored answer"):
        services.set_error_tag(aid, "anat.tf1", ErrorTag.SLIP)
    services.record_answer(aid, "anat.tf1", "B", 3)
    services.set_error_tag(aid, "anat.tf1", ErrorTag.MISREAD, "ignored")
    assert tuple(_row(services, aid, "anat.tf1")) == (None, "misread", "")
    services.set_error_tag(aid, "anat.tf1", ErrorTag.DISAGREE, "Key\nseems wrong\x1b[0m")
    assert tuple(_row(services, aid, "anat.tf1")) == (None, "disagree", "Key seems wrong")
    (record,) = [r for r in services.store.responses(lid) if r.question_id == "anat.tf1"]
    assert (record.error_tag, record.error_comment) == ("disagree", "Key seems wrong")


def test_confidence_after_the_exam_was_submitted_is_kept(services: Services) -> None:
    _lid, aid = _quiz(services, QuizMode.EXAM)
    services.record_answer(aid, "anat.sb1", "B", 3)
    services.finish_quiz(aid)
    services.set_confidence(aid, "anat.sb1", Confidence.UNSURE)
    assert _row(services, aid, "anat.sb1")["confidence"] == 2
    with pytest.raises(ValueError, match="no stored answer"):
        services.set_confidence(aid, "anat.tf1", Confidence.SURE)


def test_calibration_error_profile_and_cbm(services: Services) -> None:
    lid, aid = _quiz(services)
    services.record_answer(aid, "anat.sb1", "B", 3)      # right, sure
    services.set_confidence(aid, "anat.sb1", Confidence.SURE)
    services.record_answer(aid, "anat.tf1", "B", 3)      # wrong, sure
    services.set_confidence(aid, "anat.tf1", Confidence.SURE)
    services.set_error_tag(aid, "anat.tf1", ErrorTag.MISREAD)
    services.record_answer(aid, "comp.nu1", 9.0, 3)      # wrong, guess
    services.set_confidence(aid, "comp.nu1", Confidence.GUESS)
    services.set_error_tag(aid, "comp.nu1", ErrorTag.NOT_KNOWN)
    services.record_answer(aid, "comp.or1", (0, 1, 2), 3)  # no confidence stated
    rows = {r.confidence: r for r in services.calibration(lid)}
    assert (rows[Confidence.SURE].answers, rows[Confidence.SURE].correct) == (2, 1)
    assert (rows[Confidence.GUESS].answers, rows[Confidence.GUESS].correct) == (1, 0)
    assert rows[Confidence.UNSURE].answers == 0
    profile = services.error_profile(lid)
    assert list(profile) == ["anatomy", "complications"]
    assert profile["anatomy"][ErrorTag.MISREAD] == 1
    assert profile["complications"][ErrorTag.NOT_KNOWN] == 1
    attempt = services.store.get_attempt(aid)
    assert attempt is not None
    total = services.cbm(attempt)
    # sure right 3, sure wrong -6, guess wrong 0, unstated right 1 (C=1), two unanswered 0
    order_points = attempt.responses["comp.or1"]
    assert order_points.correct
    assert (total.marks, total.items) == (3 - 6 + 0 + 1, 6)


def test_confidence_settings_are_stored_and_checked(tmp_path: Path) -> None:
    services = make_services(tmp_path / "data")
    try:
        assert services.settings.ask_confidence is True  # asked by default
        assert services.settings.scoring is ScoringMode.PLAIN
        services.save_settings(replace(services.settings, ask_confidence=False,
                                       scoring=ScoringMode.CBM))
        assert services.store.get_setting("ask_confidence") == "off"
        assert services.store.get_setting("scoring") == "cbm"
        settings, refused = load_settings(services.store)
        assert settings.ask_confidence is False and settings.scoring is ScoringMode.CBM
        services.store.set_setting("scoring", "negative")
        services.store.set_setting("ask_confidence", "maybe")
        settings, refused = load_settings(services.store)
        assert settings.scoring is ScoringMode.PLAIN and "plain or cbm" in refused["scoring"]
        assert settings.ask_confidence is True and "on or off" in refused["ask_confidence"]
    finally:
        services.store.close()
