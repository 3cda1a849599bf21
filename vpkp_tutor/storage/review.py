"""Spaced review with the FSRS scheduler (the `fsrs` package): ratings and card updates.

Every answered question is an FSRS card per learner. An answer becomes an FSRS rating:

| answer                                   | rating |
|------------------------------------------|--------|
| score below half marks                   | Again  |
| partial credit (half marks or more)      | Hard   |
| full marks, slower than the type's limit | Good   |
| full marks within the type's limit       | Easy   |

A response time of 0 (unknown) never counts as fast. A stated confidence then adjusts the
rating (`domain.confidence.review_rating`: a confident error is Again, a right guess Hard).
Card state is stored as the JSON of `fsrs.Card.to_dict()`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsrs import Rating

from vpkp_tutor.domain.model import (
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)

FAST_SECONDS: dict[type[Question], float] = {
    TrueFalse: 10.0,
    SingleBest: 20.0,
    Numeric: 30.0,
    MultipleResponse: 30.0,
    Ordering: 45.0,
    Matching: 45.0,
    Trajectory: 120.0,
    ShortAnswer: 30.0,
}
"""Full marks within this many seconds rate Easy, by question type (a test checks that
every type has a limit)."""
DEFAULT_RETENTION = 0.9
"""Desired retention when the `desired_retention` setting is absent."""
RETENTION_RANGE = (0.70, 0.97)
"""Accepted desired-retention values (inclusive)."""
MAX_DURATION_S = 1e9
"""Longer (or non-finite) review durations are recorded as unknown."""


def rating_for(kind: type[Question], fraction: float, seconds: float) -> Rating:
    """The FSRS rating for an answer scoring `fraction` of the maximum in `seconds`."""
    from fsrs import Rating

    if fraction < 0.5:
        return Rating.Again
    if fraction < 1.0 - 1e-9:
        return Rating.Hard
    if 0 < seconds <= FAST_SECONDS[kind]:
        return Rating.Easy
    return Rating.Good


def parse_retention(text: str) -> float:
    """Validate a desired-retention setting; ValueError with a readable message if bad."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"desired retention must be a number, got {text!r}") from None
    low, high = RETENTION_RANGE
    if not low <= value <= high:
        raise ValueError(f"desired retention must be between {low} and {high}, got {value}")
    return value


class ReviewScheduler:
    """FSRS scheduling with a given desired retention (no interval fuzzing: reproducible).

    The `fsrs` package is imported on the first review, not at start-up."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION) -> None:
        self.desired_retention = desired_retention
        self._made: Any = None

    @property
    def _scheduler(self) -> Any:
        if self._made is None:
            from fsrs import Scheduler

            self._made = Scheduler(desired_retention=self.desired_retention,
                                   enable_fuzzing=False)
        return self._made

    def review(self, card_json: str | None, rating: Rating, now: dt.datetime,
               card_id: int, seconds: float = 0.0) -> tuple[str, dt.datetime]:
        """Review a card (a new one when `card_json` is None); return its JSON and due time."""
        from fsrs import Card

        card = Card.from_dict(json.loads(card_json)) if card_json else Card(
            card_id=card_id, due=now)
        duration = int(seconds * 1000) if 0 < seconds < MAX_DURATION_S else None
        new_card, _log = self._scheduler.review_card(
            card, rating, review_datetime=now.astimezone(dt.UTC), review_duration=duration)
        due: dt.datetime = new_card.due
        return json.dumps(new_card.to_dict(), sort_keys=True), due.astimezone(dt.UTC)
