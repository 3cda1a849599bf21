"""The order an ordering item starts in.

Pressing Enter without moving anything must not earn credit for free, so the starting order
is shuffled and then checked: it is never the key, never one transposition (swap of any two
items, i.e. Cayley distance 1) away from it, and no more than half of its pairs are in
ascending order (so the untouched order scores at most 0.5 with `scoring.kendall_share`).
Two items can only be one swap apart, so a pair starts reversed.

The shuffle is seeded by the attempt and the question, so a resumed quiz (and its review)
shows the same starting order.
"""

from __future__ import annotations

import random

from vpkp_tutor.domain.scoring import kendall_share

MAX_START_SHARE = 0.5
"""The largest Kendall share (score) an untouched starting order may have."""

_TRIES = 1000


def swap_distance(order: list[int] | tuple[int, ...]) -> int:
    """The fewest swaps of two items that sort `order` (a permutation of 0..n-1): n minus
    its number of cycles (the Cayley distance to the key)."""
    seen = [False] * len(order)
    cycles = 0
    for start in range(len(order)):
        if seen[start]:
            continue
        cycles += 1
        i = start
        while not seen[i]:
            seen[i] = True
            i = order[i]
    return len(order) - cycles


def fair_start(order: list[int]) -> bool:
    """Whether `order` may be shown as an ordering item's starting order."""
    n = len(order)
    if n < 2:
        return True
    if n == 2:
        return order == [1, 0]
    return swap_distance(order) >= 2 and kendall_share(order) <= MAX_START_SHARE


def start_order(n: int, seed: str) -> list[int]:
    """A starting order of `n` items (indexes into the key order), the same for the same
    `seed` (use the attempt id and the question id), that `fair_start` accepts."""
    if n < 2:
        return list(range(n))
    rng = random.Random(seed)
    order = list(range(n))
    for _ in range(_TRIES):
        rng.shuffle(order)
        if fair_start(order):
            return order
    # Never reached in practice; both fallbacks are fair for their sizes.
    return [1, 2, 0] if n == 3 else list(reversed(range(n)))
