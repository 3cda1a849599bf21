"""Mastery maths: pure functions over stored responses.

Mastery of a key (a topic value or an objective id) is computed in three steps.

1. **Item score.** For each question, take its last `RECENT` responses (newest first) and
   average their score fractions with weights 1, 1/2, 1/4: recent answers count most, but
   one lucky guess does not erase two misses.
2. **Evidence floor.** Mastery is the sum of the item scores of the key's answered items
   divided by `max(answered_items, min(total_items, EVIDENCE_ITEMS))`. Unanswered items
   count as 0 until the learner has answered at least `EVIDENCE_ITEMS` distinct items (or
   every item of a smaller key), so two right answers on a 40-item topic give 0.2, not 1.0.
3. **Accuracy** (reported beside mastery) is plain points over maximum across every
   response to the key's items.

The **weakest** topics or objectives are those answered with at least one miss, lowest
mastery first (then lowest accuracy). A key whose every answer earned full marks is never
listed as weak, however little of it has been answered (its mastery may still be low under
the evidence floor: that is missing evidence, not weakness).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain

from msgspec import Struct, field

from vpkp_tutor.domain.progress import Mastery, ResponseRecord

RECENT = 3
"""How many recent responses to an item its item score looks at."""
RECENCY_WEIGHTS = (1.0, 0.5, 0.25)
"""Weights of the newest, second newest and third newest response."""
EVIDENCE_ITEMS = 10
"""Distinct items a learner must answer (or all of a smaller key) before mastery can be 1."""


class _ItemHistory(Struct):
    """Responses to one question, oldest first."""

    fractions: list[float] = field(default_factory=list)
    points: float = 0.0
    max_points: float = 0.0


def _histories(responses: Iterable[ResponseRecord]) -> dict[str, _ItemHistory]:
    ordered = sorted(responses, key=lambda r: r.answered_at)
    out: dict[str, _ItemHistory] = defaultdict(_ItemHistory)
    for r in ordered:
        h = out[r.question_id]
        h.fractions.append(r.points / r.max_points if r.max_points else 0.0)
        h.points += r.points
        h.max_points += r.max_points
    return out


def item_score(fractions_oldest_first: list[float]) -> float:
    """Recency-weighted mean of the last `RECENT` score fractions (0 with none)."""
    recent = list(reversed(fractions_oldest_first[-RECENT:]))
    if not recent:
        return 0.0
    weights = RECENCY_WEIGHTS[: len(recent)]
    return sum(w * f for w, f in zip(weights, recent, strict=True)) / sum(weights)


def mastery_value(item_scores: Iterable[float], total_items: int) -> float:
    """Sum of item scores over `max(answered, min(total_items, EVIDENCE_ITEMS))`, in 0..1."""
    scores = list(item_scores)
    denominator = max(len(scores), min(total_items, EVIDENCE_ITEMS))
    if denominator <= 0:
        return 0.0
    return max(0.0, min(1.0, sum(scores) / denominator))


def compute_mastery(
    item_keys: Mapping[str, Sequence[str]], responses: Iterable[ResponseRecord]
) -> dict[str, Mastery]:
    """Mastery of every key named in `item_keys` (question id → its keys).

    `item_keys` describes the bank: a key's total is the number of questions naming it.
    Responses to questions not in `item_keys` are ignored. Every key gets an entry, even
    with no responses (value 0).
    """
    keys_of = item_keys
    totals = Counter(chain.from_iterable(keys_of.values()))
    histories = _histories(r for r in responses if r.question_id in keys_of)
    scores: dict[str, list[float]] = defaultdict(list)
    points: dict[str, float] = defaultdict(float)
    maxima: dict[str, float] = defaultdict(float)
    for qid, h in histories.items():
        for key in keys_of[qid]:
            scores[key].append(item_score(h.fractions))
            points[key] += h.points
            maxima[key] += h.max_points
    return {
        key: Mastery(
            key=key,
            value=mastery_value(scores[key], total),
            answered_items=len(scores[key]),
            total_items=total,
            accuracy=points[key] / maxima[key] if maxima[key] else 0.0,
        )
        for key, total in totals.items()
    }


def weakest(masteries: Iterable[Mastery], limit: int | None = None) -> list[Mastery]:
    """Keys answered with at least one miss, lowest mastery first, then lowest accuracy, then
    key; a key with no answers, or with full marks on every answer, is left out."""
    weak = [m for m in masteries if m.answered_items and m.accuracy < 1.0]
    weak.sort(key=lambda m: (m.value, m.accuracy, m.key))
    return weak if limit is None else weak[:limit]
