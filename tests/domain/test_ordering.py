"""The starting order of ordering items: never the key, never one swap from it, at most half
the pairs in order, and the same for the same attempt and question."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from vpkp_tutor.content import bundled_paths
from vpkp_tutor.content.loader import load_content
from vpkp_tutor.domain.model import QuestionType
from vpkp_tutor.domain.ordering import MAX_START_SHARE, start_order, swap_distance
from vpkp_tutor.domain.scoring import kendall_share, score


def one_swap_orders(n: int) -> set[tuple[int, ...]]:
    """Every order one transposition (of any two items) away from the key."""
    found = set()
    for i, j in itertools.combinations(range(n), 2):
        order = list(range(n))
        order[i], order[j] = order[j], order[i]
        found.add(tuple(order))
    return found


@settings(max_examples=400, deadline=None)
@given(n=st.integers(min_value=2, max_value=8), attempt=st.text(max_size=40),
       question=st.text(min_size=1, max_size=20))
def test_start_order_is_never_the_key_nor_one_swap_away(n: int, attempt: str,
                                                       question: str) -> None:
    seed = f"{attempt}:{question}"
    order = start_order(n, seed)
    assert sorted(order) == list(range(n))
    assert order != list(range(n))
    if n == 2:
        assert order == [1, 0]
    else:
        assert tuple(order) not in one_swap_orders(n)
        assert swap_distance(order) >= 2
        assert kendall_share(order) <= MAX_START_SHARE
    assert start_order(n, seed) == order  # a resumed quiz shows the same order


def test_three_items_start_as_a_three_cycle() -> None:
    seen = {tuple(start_order(3, f"attempt-{i}:q")) for i in range(200)}
    assert seen == {(1, 2, 0), (2, 0, 1)}


def test_start_order_differs_between_attempts() -> None:
    orders = {tuple(start_order(6, f"attempt-{i}:q-order")) for i in range(50)}
    assert len(orders) > 10


def test_swap_distance_counts_transpositions() -> None:
    assert swap_distance([0, 1, 2, 3]) == 0
    assert all(swap_distance(list(o)) == 1 for o in one_swap_orders(5))
    assert swap_distance([1, 2, 0]) == 2
    assert swap_distance([3, 2, 1, 0]) == 2


def test_bundled_ordering_items_give_no_free_credit() -> None:
    """Enter on the untouched order of any bundled ordering item scores at most half (care-q026,
    img-q025 and img-q026 used to start one swap from the key and score 0.83)."""
    bank = load_content(bundled_paths())
    items = [q for q in bank.questions if q.type is QuestionType.ORDERING]
    assert {"care-q026", "img-q025", "img-q026"} <= {q.id for q in items}
    for question in items:
        for attempt in range(40):
            order = start_order(len(question.options), f"attempt-{attempt}:{question.id}")
            assert score(question, tuple(order)).points <= MAX_START_SHARE, question.id


def test_three_items_start_in_either_rotation_by_attempt() -> None:
    """Both 3-cycles occur across attempts (the start is shuffled per attempt, not fixed),
    and nothing else does (anything else is the key or one swap from it)."""
    starts = {tuple(start_order(3, f"attempt-{n}:q")) for n in range(50)}
    assert starts == {(1, 2, 0), (2, 0, 1)}
