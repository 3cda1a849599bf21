"""FSRS: the answer → rating mapping table, card JSON round trip, retention, re-answers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fsrs import Card, Rating

from tests.services.tinybank import T0, FakeClock
from vpkp_tutor.domain.model import QUESTION_CLASSES
from vpkp_tutor.domain.model import QuestionType as QT
from vpkp_tutor.domain.progress import QuizMode, QuizSettings
from vpkp_tutor.services import Services
from vpkp_tutor.storage.review import ReviewScheduler, parse_retention, rating_for


@pytest.mark.parametrize(
    ("qtype", "fraction", "seconds", "rating"),
    [
        (QT.SINGLE_BEST, 0.0, 5, Rating.Again),
        (QT.MULTIPLE_RESPONSE, 0.49, 5, Rating.Again),
        (QT.MULTIPLE_RESPONSE, 0.5, 5, Rating.Hard),
        (QT.ORDERING, 0.9, 5, Rating.Hard),
        (QT.SINGLE_BEST, 1.0, 20, Rating.Easy),
        (QT.SINGLE_BEST, 1.0, 20.1, Rating.Good),
        (QT.TRUE_FALSE, 1.0, 10, Rating.Easy),
        (QT.TRUE_FALSE, 1.0, 11, Rating.Good),
        (QT.MATCHING, 1.0, 45, Rating.Easy),
        (QT.NUMERIC, 1.0, 31, Rating.Good),
        (QT.SINGLE_BEST, 1.0, 0, Rating.Good),  # unknown time never counts as fast
    ],
)
def test_rating_mapping(qtype: QT, fraction: float, seconds: float, rating: Rating) -> None:
    assert rating_for(QUESTION_CLASSES[qtype], fraction, seconds) is rating


@pytest.mark.parametrize("text", ["0.7", "0.9", "0.97"])
def test_retention_accepted(text: str) -> None:
    assert parse_retention(text) == float(text)


@pytest.mark.parametrize(("text", "message"), [("0.5", "between"), ("1", "between"),
                                                ("high", "number")])
def test_retention_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_retention(text)


def test_card_json_is_fsrs_card_dict() -> None:
    card_json, due = ReviewScheduler().review(None, Rating.Good, T0, 1, 12.0)
    card = Card.from_dict(json.loads(card_json))
    assert card.due == due and card.last_review == T0 and card.card_id == 1


def _days_to_due(retention: float) -> float:
    sched = ReviewScheduler(retention)
    card, _ = sched.review(None, Rating.Easy, T0, 1)
    _, due = sched.review(card, Rating.Good, T0 + dt.timedelta(days=20), 1)
    return (due - T0).total_seconds() / 86400


def test_higher_retention_means_sooner_reviews() -> None:
    assert _days_to_due(0.95) < _days_to_due(0.9) < _days_to_due(0.8)


def test_retention_setting_reaches_the_scheduler(services: Services) -> None:
    from msgspec.structs import replace

    services.save_settings(replace(services.settings, desired_retention=0.8))
    assert services.store.scheduler.desired_retention == 0.8
    services.store.use_retention(0.9)
    assert Services(services.content, services.store).store.scheduler.desired_retention == 0.8


def test_changing_an_answer_reviews_once(services: Services, clock: FakeClock) -> None:
    lid = services.create_learner("Ada").id
    a = services.build_quiz(lid, QuizSettings(mode=QuizMode.EXAM, count=1, seed=1))
    qid = a.question_ids[0]
    services.record_answer(a.id, qid, "Z", 3)
    services.record_answer(a.id, qid, "Z", 3)
    services.record_answer(a.id, qid, "Z", 3)
    fresh_once = ReviewScheduler().review(None, Rating.Again, clock.now, 0, 3)[1]
    assert services.store.card_dues(lid) == [(qid, fresh_once)]
    log = services.store.query("SELECT rating FROM review_log")
    assert [r[0] for r in log] == [1]


def test_lesson_checks_review_the_card_each_time(services: Services,
                                                 clock: FakeClock) -> None:
    lid = services.create_learner("Ada").id
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    first = services.store.card_json(lid, "anat.sb1")
    clock.advance(days=3)
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    second = services.store.card_json(lid, "anat.sb1")
    assert first and second and json.loads(second)["last_review"] != json.loads(
        first)["last_review"]
