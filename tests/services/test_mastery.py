"""Table tests of the mastery formula (domain.mastery)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.services.tinybank import T0
from vpkp_tutor.domain.mastery import (
    compute_mastery,
    item_score,
    mastery_value,
    weakest,
)
from vpkp_tutor.domain.progress import Mastery, ResponseRecord
from vpkp_tutor.services import Services


def resp(qid: str, fraction: float, minute: int) -> ResponseRecord:
    return ResponseRecord("a", qid, "h", None, fraction, 1.0, fraction == 1.0, 5.0,
                          T0 + dt.timedelta(minutes=minute))


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [
        ([], 0.0),
        ([1.0], 1.0),
        ([0.0, 1.0], 1 / 1.5),                 # newest weighs 1, previous 1/2
        ([0.0, 0.0, 1.0], 1 / 1.75),
        ([1.0, 0.0, 0.0, 1.0], 1 / 1.75),      # only the last three count
        ([1.0, 1.0, 0.0], 0.75 / 1.75),
        ([0.5], 0.5),
    ],
)
def test_item_score(fractions: list[float], expected: float) -> None:
    assert item_score(fractions) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "total", "expected"),
    [
        ([], 40, 0.0),
        ([1.0, 1.0], 40, 0.2),        # two right answers on a big topic: little evidence
        ([1.0] * 10, 40, 1.0),        # ten distinct items right: full mastery
        ([1.0] * 12, 40, 1.0),
        ([1.0, 1.0, 1.0], 3, 1.0),    # a small key needs every item
        ([1.0, 0.5, 0.0], 3, 0.5),
        ([1.0], 0, 1.0),              # key no longer in the bank: answered items only
    ],
)
def test_mastery_value(scores: list[float], total: int, expected: float) -> None:
    assert mastery_value(scores, total) == pytest.approx(expected)


def test_compute_mastery_per_key() -> None:
    keys = {"q1": ("t1", "o1"), "q2": ("t1",), "q3": ("t2",)}
    responses = [resp("q1", 1.0, 0), resp("q2", 0.0, 1), resp("q2", 1.0, 2),
                 resp("elsewhere", 1.0, 3)]
    m = compute_mastery(keys, responses)
    assert set(m) == {"t1", "o1", "t2"}
    assert (m["t1"].answered_items, m["t1"].total_items) == (2, 2)
    assert m["t1"].value == pytest.approx((1.0 + 1 / 1.5) / 2)
    assert m["t1"].accuracy == pytest.approx(2 / 3)
    assert (m["t2"].value, m["t2"].answered_items, m["t2"].accuracy) == (0.0, 0, 0.0)
    assert m["o1"].value == 1.0


def test_weakest_never_lists_a_key_answered_all_correctly() -> None:
    """Lowest mastery first; a perfect record (however little evidence) is not a weakness."""
    keys = {"p1": ("perfect",), **{f"m{i}": ("mixed",) for i in range(12)},
            "w1": ("wrong",), "n1": ("never",)}
    responses = [resp("p1", 1.0, 0), resp("m0", 1.0, 1), resp("m1", 0.0, 2),
                 resp("m2", 1.0, 3), resp("w1", 0.0, 4)]
    # "perfect" has 19 items, one answered right: the evidence floor keeps its mastery at
    # 1/10, below "mixed" (2 of 3 right), yet it is not weak
    masteries = compute_mastery(dict(keys, **{f"p{i}": ("perfect",) for i in range(2, 20)}),
                                responses)
    assert masteries["perfect"].value < masteries["mixed"].value
    assert [m.key for m in weakest(masteries.values())] == ["wrong", "mixed"]
    assert weakest(masteries.values(), limit=1)[0].key == "wrong"
    assert weakest([Mastery("all-right", 0.1, 1, 20, 1.0)]) == []


def test_dashboard_weakest_objectives_leave_out_perfect_ones(services: Services) -> None:
    """Two objectives each answered once: the one answered right is not listed as weak,
    although the evidence floor keeps both masteries low."""
    lid = services.create_learner("Bo").id
    services.answer_lesson_check(lid, "comp-leaks", "comp.nu1", 5.0, 3)    # right
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "A", 3)   # wrong
    services.answer_lesson_check(lid, "anat-basics", "anat.tf1", "A", 3)   # right
    weakest_keys = [m.key for m in services.dashboard(lid).weakest_objectives]
    assert weakest_keys == ["anat.pedicle"]
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    services.answer_lesson_check(lid, "anat-basics", "anat.sb1", "B", 3)
    # still one miss among its answers, so still listed; comp.volume never is
    assert "comp.volume" not in [m.key for m in services.dashboard(lid).weakest_objectives]
