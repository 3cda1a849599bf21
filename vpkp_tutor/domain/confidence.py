"""Confidence on an answer, certainty-based marking, the spaced-review rating it implies,
calibration, and the reasons a learner gives for a miss.

**Confidence** is asked after an answer is chosen and before feedback, with one key:
1 sure, 2 unsure, 3 guess. It is optional (a learner may skip it; a setting turns the
question off), so every function here takes `None` for "not stated".

**Certainty-based marking** (CBM, the three levels of Moodle's CBM behaviours):

| certainty          | Moodle | mark if right | mark if wrong | worth choosing when p(right) |
|--------------------|--------|---------------|---------------|------------------------------|
| 1 sure             | C=3    | 3             | −6            | above 80 %                   |
| 2 unsure           | C=2    | 2             | −2            | 67–80 %                      |
| 3 guess            | C=1    | 1             | 0             | below 67 %                   |
| (not stated)       | C=1    | 1             | 0             | (Moodle assumes C=1)         |

A partly right answer earns the right mark times its fraction of the points (Moodle's
`question_cbm::adjust_fraction`); no points at all earns the wrong mark. The break-even
chances follow from the marks: C=2 beats C=1 when 4p − 2 > p (p > 2/3), C=3 beats C=2 when
9p − 6 > 4p − 2 (p > 0.8).

**Spaced review.** The FSRS rating of an answer (`storage.review.rating_for`: Again below
half marks, Hard for partial credit, Good for full marks, Easy for full marks fast) is
adjusted by the stated confidence (`review_rating`):

| confidence | full marks            | partial credit | below half marks |
|------------|-----------------------|----------------|------------------|
| sure       | unchanged (Good/Easy) | **Again**      | Again            |
| unsure     | Good at most          | Hard           | Again            |
| guess      | **Hard**              | Hard           | Again            |
| not stated | unchanged             | unchanged      | unchanged        |

So a confident error always restarts the card (Again: it comes back the same day), and a
lucky guess is not taken as knowledge (Hard: a short interval).

**Why was it wrong?** (`ErrorTag`): did not know, misread the question, reasoning error,
slip (knew it, chose wrong), disagree with the key (with a short comment for the educator).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum

from msgspec import Struct

from vpkp_tutor.domain.text import clean_text


class Confidence(IntEnum):
    """How sure the learner was, by the key that states it."""

    SURE = 1
    UNSURE = 2
    GUESS = 3

    @property
    def label(self) -> str:
        """`sure`, `unsure` or `guess`."""
        return self.name.lower()

    @property
    def cbm_level(self) -> int:
        """Moodle's certainty level: C=3 for sure, C=2 unsure, C=1 guess."""
        return 4 - int(self)


def confidence_from(value: object) -> Confidence | None:
    """A stored or typed confidence (1, 2, 3 or their labels), or None for anything else."""
    if isinstance(value, Confidence):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        for c in Confidence:
            if text in (c.label, str(int(c))):
                return c
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2, 3):
        return Confidence(value)
    return None


class ScoringMode(StrEnum):
    """How a quiz's score is shown."""

    PLAIN = "plain"
    """Points as the question awards them (the default)."""
    CBM = "cbm"
    """Certainty-based marks beside the points."""


CBM_RIGHT = {Confidence.SURE: 3.0, Confidence.UNSURE: 2.0, Confidence.GUESS: 1.0}
"""CBM mark of a right answer, by confidence."""
CBM_WRONG = {Confidence.SURE: -6.0, Confidence.UNSURE: -2.0, Confidence.GUESS: 0.0}
"""CBM mark of a wrong answer, by confidence."""
NO_POINTS = 5e-8
"""A fraction at or below this is no points at all (Moodle's mark tolerance)."""
CBM_BAND = {Confidence.SURE: (0.8, 1.0), Confidence.UNSURE: (2 / 3, 0.8),
            Confidence.GUESS: (0.0, 2 / 3)}
"""The chance of being right for which each level earns the best expected CBM mark."""


def cbm_mark(fraction: float, confidence: Confidence | None) -> float:
    """The CBM mark of an answer scoring `fraction` of its points (between −6 and 3). Without
    a stated confidence the lowest level (guess, C=1) is assumed, as Moodle does."""
    level = confidence or Confidence.GUESS
    if fraction <= NO_POINTS:
        return CBM_WRONG[level]
    return CBM_RIGHT[level] * min(1.0, fraction)


class CbmTotal(Struct, frozen=True):
    """The CBM marks of a set of items."""

    marks: float
    """Sum of the items' CBM marks (unanswered items count 0)."""
    items: int
    """Items counted."""

    @property
    def average(self) -> float:
        """Mean CBM mark per item, from −6 to 3."""
        return self.marks / self.items if self.items else 0.0


def cbm_total(answers: Iterable[tuple[float, Confidence | None] | None]) -> CbmTotal:
    """CBM marks over items: each an answer's (fraction, confidence), or None when the item
    was not answered (0 marks)."""
    marks = 0.0
    items = 0
    for answer in answers:
        items += 1
        if answer is not None:
            marks += cbm_mark(*answer)
    return CbmTotal(marks, items)


# FSRS ratings as plain numbers (fsrs.Rating values), so the domain does not import fsrs.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


def review_rating(base: int, fraction: float, confidence: Confidence | None) -> int:
    """The FSRS rating (1 Again … 4 Easy) of an answer rated `base` from its score alone,
    adjusted by the stated confidence (see the module's table)."""
    if confidence is None:
        return base
    full = fraction >= 1.0 - 1e-9
    if confidence is Confidence.SURE:
        return base if full else AGAIN
    if confidence is Confidence.UNSURE:
        return min(base, GOOD)
    return min(base, HARD)  # a guess: right by luck is not knowing


def confident_error(correct: bool, confidence: Confidence | None) -> bool:
    """Sure of an answer that did not earn full marks."""
    return confidence is Confidence.SURE and not correct


class CalibrationRow(Struct, frozen=True):
    """How often the learner was right at one stated confidence."""

    confidence: Confidence
    answers: int
    """Answers given at this confidence."""
    correct: int
    """Of which fully correct."""

    @property
    def accuracy(self) -> float | None:
        """Share fully correct, or None with no answers."""
        return self.correct / self.answers if self.answers else None

    @property
    def verdict(self) -> str:
        """`over` (right less often than the level implies), `under` (more often), `ok`
        (within the CBM band of the level), or `` with no answers."""
        accuracy = self.accuracy
        if accuracy is None:
            return ""
        low, high = CBM_BAND[self.confidence]
        if accuracy < low:
            return "over"
        if accuracy > high:
            return "under"
        return "ok"


def calibration(answers: Iterable[tuple[Confidence | None, bool]]) -> tuple[CalibrationRow, ...]:
    """One row per confidence level (sure, unsure, guess) from (confidence, correct) pairs;
    answers without a stated confidence are left out."""
    counts = {c: [0, 0] for c in Confidence}
    for confidence, correct in answers:
        if confidence is None:
            continue
        counts[confidence][0] += 1
        counts[confidence][1] += 1 if correct else 0
    return tuple(CalibrationRow(c, n, k) for c, (n, k) in counts.items())


class ErrorTag(StrEnum):
    """Why an answer was wrong, in the learner's own judgement."""

    NOT_KNOWN = "not_known"
    MISREAD = "misread"
    REASONING = "reasoning"
    SLIP = "slip"
    DISAGREE = "disagree"

    @property
    def label(self) -> str:
        """As the app shows it."""
        return TAG_LABELS[self]

    @property
    def key(self) -> str:
        """The digit that chooses it."""
        return str(list(ErrorTag).index(self) + 1)


TAG_LABELS = {
    ErrorTag.NOT_KNOWN: "did not know",
    ErrorTag.MISREAD: "misread the question",
    ErrorTag.REASONING: "reasoning error",
    ErrorTag.SLIP: "slip (knew it, chose wrong)",
    ErrorTag.DISAGREE: "disagree with the key",
}
"""Each tag as the app shows it."""
COMMENT_MAX = 500
"""Longest comment kept with a "disagree with the key" tag (characters)."""


def error_tag_from(value: object) -> ErrorTag | None:
    """A stored tag, or None for anything else."""
    try:
        return ErrorTag(str(value)) if value is not None else None
    except ValueError:
        return None


def clean_comment(text: str) -> str:
    """A comment as kept: one line, no control characters, at most `COMMENT_MAX`
    characters."""
    return " ".join(clean_text(text).split())[:COMMENT_MAX]


def error_profile(tags: Iterable[tuple[str, ErrorTag]]) -> dict[str, dict[ErrorTag, int]]:
    """Counts of each tag per topic id, from (topic, tag) pairs, topics in first-seen order."""
    out: dict[str, dict[ErrorTag, int]] = {}
    for topic, tag in tags:
        row = out.setdefault(topic, {t: 0 for t in ErrorTag})
        row[tag] += 1
    return out
