"""Confidence: Moodle's CBM marks, the FSRS rating it implies, calibration and error tags."""

from __future__ import annotations

import pytest

from vpkp_tutor.domain.confidence import (
    AGAIN,
    COMMENT_MAX,
    EASY,
    GOOD,
    HARD,
    Confidence,
    ErrorTag,
    calibration,
    cbm_mark,
    cbm_total,
    clean_comment,
    confidence_from,
    confident_error,
    error_profile,
    review_rating,
)

S, U, G = Confidence.SURE, Confidence.UNSURE, Confidence.GUESS


@pytest.mark.parametrize(("fraction", "confidence", "mark"), [
    (1.0, S, 3.0), (0.0, S, -6.0),      # C=3
    (1.0, U, 2.0), (0.0, U, -2.0),      # C=2
    (1.0, G, 1.0), (0.0, G, 0.0),       # C=1
    (1.0, None, 1.0), (0.0, None, 0.0),  # not stated: C=1, as Moodle assumes
    (0.5, S, 1.5), (0.5, U, 1.0),       # partial credit: right mark × fraction
])
def test_cbm_marks_follow_moodle(fraction: float, confidence: Confidence | None,
                                 mark: float) -> None:
    assert cbm_mark(fraction, confidence) == mark


def test_cbm_levels_map_keys_to_moodle_certainty() -> None:
    assert [c.cbm_level for c in (S, U, G)] == [3, 2, 1]


def test_cbm_total_counts_unanswered_items_as_zero() -> None:
    total = cbm_total([(1.0, S), (0.0, S), None, (1.0, G)])
    assert total.marks == 3 - 6 + 0 + 1 and total.items == 4 and total.average == -0.5


def test_cbm_break_even_chances() -> None:
    """The bands the calibration chart uses are where each level earns the most on
    average: C=2 beats C=1 above 2/3, C=3 beats C=2 above 0.8."""
    def expected(p: float, c: Confidence) -> float:
        return p * cbm_mark(1.0, c) + (1 - p) * cbm_mark(0.0, c)

    assert expected(0.6, G) > expected(0.6, U) > expected(0.6, S)
    assert expected(0.75, U) > max(expected(0.75, G), expected(0.75, S))
    assert expected(0.9, S) > expected(0.9, U) > expected(0.9, G)


@pytest.mark.parametrize(("base", "fraction", "confidence", "rating"), [
    (AGAIN, 0.0, S, AGAIN),   # a confident error restarts the card
    (HARD, 0.5, S, AGAIN),    # sure of a partly right answer: sooner than Hard
    (EASY, 1.0, S, EASY),     # sure and right: as scored
    (GOOD, 1.0, S, GOOD),
    (EASY, 1.0, U, GOOD),     # unsure: never Easy
    (HARD, 0.6, U, HARD),
    (AGAIN, 0.0, U, AGAIN),
    (EASY, 1.0, G, HARD),     # a right guess is not knowledge
    (GOOD, 1.0, G, HARD),
    (AGAIN, 0.2, G, AGAIN),
    (EASY, 1.0, None, EASY),  # not stated: unchanged
    (HARD, 0.5, None, HARD),
])
def test_review_rating(base: int, fraction: float, confidence: Confidence | None,
                       rating: int) -> None:
    assert review_rating(base, fraction, confidence) == rating


def test_confident_error_is_sure_and_not_fully_right() -> None:
    assert confident_error(False, S)
    assert not confident_error(True, S)
    assert not confident_error(False, U) and not confident_error(False, None)


def test_calibration_rows_and_verdicts() -> None:
    answers = ([(S, True)] * 6 + [(S, False)] * 4      # sure, 60 % right: over-confident
               + [(U, True)] * 3 + [(U, False)] * 1    # unsure, 75 %: in its band
               + [(G, True)] * 9 + [(G, False)] * 1    # guess, 90 %: under-confident
               + [(None, False)] * 5)                  # not stated: left out
    rows = {r.confidence: r for r in calibration(answers)}
    assert (rows[S].answers, rows[S].correct, rows[S].accuracy, rows[S].verdict) == (
        10, 6, 0.6, "over")
    assert (rows[U].accuracy, rows[U].verdict) == (0.75, "ok")
    assert (rows[G].accuracy, rows[G].verdict) == (0.9, "under")


def test_calibration_without_answers() -> None:
    rows = calibration([])
    assert [r.confidence for r in rows] == [S, U, G]
    assert all(r.accuracy is None and r.verdict == "" for r in rows)


@pytest.mark.parametrize(("value", "expected"), [
    (1, S), ("2", U), ("guess", G), (" Sure ", S), (None, None), (0, None), (4, None),
    ("x", None), (True, None)])
def test_confidence_from(value: object, expected: Confidence | None) -> None:
    assert confidence_from(value) is expected


def test_error_tags_keys_and_labels() -> None:
    assert [t.key for t in ErrorTag] == ["1", "2", "3", "4", "5"]
    assert ErrorTag.DISAGREE.label == "disagree with the key"


def test_error_profile_counts_per_topic() -> None:
    profile = error_profile([("anatomy", ErrorTag.SLIP), ("anatomy", ErrorTag.SLIP),
                             ("imaging", ErrorTag.MISREAD)])
    assert profile["anatomy"][ErrorTag.SLIP] == 2
    assert profile["anatomy"][ErrorTag.MISREAD] == 0
    assert profile["imaging"][ErrorTag.MISREAD] == 1


def test_comment_is_one_clean_line_of_limited_length() -> None:
    assert clean_comment("key says B\n\x1b[31mbut C\x1b[0m  is  right") == (
        "key says B but C is right")
    assert len(clean_comment("x" * 2000)) == COMMENT_MAX
