"""Pure scoring of every question type and of a case run.

Answer shapes, by question type:

- single_best, true_false: the chosen letter, e.g. `"B"`.
- multiple_response: a tuple of chosen letters, e.g. `("A", "C")`.
- ordering: a tuple of item indices in the learner's order, where index 0 is the item the
  author listed first (the correct first step).
- matching: a tuple with, for each pair in authored order, the right-hand text chosen (or None).
- numeric: a float.
- trajectory: the needle path as a string (`domain.trajectory.encode`), e.g.
  `"E15,4 -18,-6,0 -18,-6,2 F"`.
- short_answer: the text typed.

`None` (or an empty tuple) is an unanswered item and scores 0.

Partial credit rules (also documented in docs/authoring.md):

- multiple_response: each keyed option chosen earns 1/k, each wrong option chosen costs
  1/k (k = number of keyed options); the total is floored at 0.
- ordering: the share of item pairs that are in the right relative order (Kendall), so one
  swap of neighbours costs little and a reversed list scores 0.
- matching: the share of pairs matched correctly.
- trajectory: entry, path safety and final position, each with its share (see
  `domain.trajectory`); a never event scores 0.
- short_answer: the weight of the best accepted answer the text matches, after trimming,
  making runs of white space one space and (unless the question is case-sensitive) folding
  letter case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import NamedTuple, assert_never

from msgspec import Struct

from vpkp_tutor.domain.model import (
    LETTERS,
    Case,
    CaseNode,
    Matching,
    MultipleResponse,
    Numeric,
    Option,
    Ordering,
    Question,
    Score,
    ShortAnswer,
    SingleBest,
    Trajectory,
    TrueFalse,
)
from vpkp_tutor.domain.trajectory import TrajectoryVerdict, judge_path

AnswerValue = str | float | tuple[str, ...] | tuple[int, ...] | tuple[str | None, ...] | None
"""Any answer a learner can give; see the module docstring for the shape per type."""


def is_answered(answer: AnswerValue) -> bool:
    """True when the learner gave something to score."""
    if answer is None:
        return False
    if isinstance(answer, tuple):
        return any(a is not None for a in answer)
    if isinstance(answer, str):
        return answer != ""
    if isinstance(answer, int):  # math.isnan would overflow on a huge integer
        return True
    return not math.isnan(answer)


class OptionMark(NamedTuple):
    """One option of a choice question, judged: keyed or not, chosen or not."""

    right: bool
    """The option is keyed (part of the correct answer)."""
    chosen: bool
    """The learner chose it."""

    @property
    def missed(self) -> bool:
        """Keyed but not chosen."""
        return self.right and not self.chosen

    @property
    def wrong(self) -> bool:
        """Chosen but not keyed."""
        return self.chosen and not self.right


class ChoiceVerdict(Struct, frozen=True):
    """Single best, true/false and multiple response: each option, right and chosen."""

    options: tuple[OptionMark, ...]
    """Per option, in authored order."""
    score: Score
    """The points the answer earns."""


class OrderingVerdict(Struct, frozen=True):
    """Ordering: the learner's order and, per place, whether its item belongs there."""

    order: tuple[int, ...] | None
    """Item indices in the learner's order (None unless a full order was given)."""
    in_place: tuple[bool, ...]
    """Per place in the learner's order: the item there is the one that belongs there
    (all False when no full order was given)."""
    score: Score
    """The points the answer earns."""


class MatchMark(NamedTuple):
    """One pair of a matching question, judged."""

    given: str | None
    """The right-hand text the learner chose (None: none)."""
    key: str
    """The correct right-hand text."""
    right: bool
    """The learner's match is the key."""


class MatchingVerdict(Struct, frozen=True):
    """Matching: each pair, given beside its key."""

    pairs: tuple[MatchMark, ...]
    """Per pair, in authored order."""
    score: Score
    """The points the answer earns."""


class NumericVerdict(Struct, frozen=True):
    """Numeric: the number given and the range that counts as right."""

    given: float | None
    """The learner's number (None when none was given)."""
    key: float
    """The keyed number."""
    tolerance: float
    """Absolute tolerance around the key."""
    right: bool
    """The number given lies within the tolerance of the key."""
    score: Score
    """The points the answer earns."""

    @property
    def low(self) -> float:
        """Lowest number that counts as right."""
        return self.key - self.tolerance

    @property
    def high(self) -> float:
        """Highest number that counts as right."""
        return self.key + self.tolerance


class ShortAnswerVerdict(Struct, frozen=True):
    """Short answer: the text given and the accepted answer it matched, if any."""

    given: str | None
    """The learner's text (None when nothing was typed)."""
    matched: int | None
    """Index of the accepted answer the text matched (the best one), or None."""
    best: str
    """The first accepted answer earning full marks (what the key shows)."""
    score: Score
    """The points the answer earns."""

    @property
    def right(self) -> bool:
        """Full marks."""
        return self.score.correct


Verdict = (
    ChoiceVerdict | OrderingVerdict | MatchingVerdict | NumericVerdict | TrajectoryVerdict
    | ShortAnswerVerdict
)
"""What the domain says of an answer, item by item: what every widget, the feedback and
the review render (nothing else compares an answer with the key)."""

_ZERO = Score(0.0, 1.0)


def score(question: Question, answer: AnswerValue) -> Score:
    """Score an answer to a question. Maximum is always 1 point."""
    return judge(question, answer).score


def judge(question: Question, answer: AnswerValue) -> Verdict:
    """The verdict on an answer to a question: per option, place, pair or number what was
    right, chosen or missed, and the score (see the module docstring for the rules)."""
    answered = is_answered(answer)
    match question:
        case SingleBest() | TrueFalse():
            return _judge_single(question, answer, answered)
        case MultipleResponse():
            return _judge_multiple(question, answer, answered)
        case Ordering():
            return _judge_ordering(question, answer, answered)
        case Matching():
            return _judge_matching(question, answer, answered)
        case Numeric():
            return _judge_numeric(question, answer, answered)
        case Trajectory():
            return judge_path(question, answer)
        case ShortAnswer():
            return _judge_short(question, answer, answered)
        case _:
            assert_never(question)


def _chosen_letters(answer: AnswerValue) -> set[str]:
    if isinstance(answer, str):
        return {answer}
    if isinstance(answer, tuple):
        return {a for a in answer if isinstance(a, str)}
    return set()


def _marks(options: Sequence[Option], keyed: set[str], answer: AnswerValue,
           ) -> tuple[OptionMark, ...]:
    chosen = _chosen_letters(answer)
    return tuple(OptionMark(LETTERS[i] in keyed, LETTERS[i] in chosen)
                 for i in range(len(options)))


def _judge_single(question: SingleBest | TrueFalse, answer: AnswerValue, answered: bool,
                  ) -> ChoiceVerdict:
    points = 1.0 if answered and answer == question.key else 0.0
    return ChoiceVerdict(_marks(question.options, {question.key}, answer), Score(points, 1.0))


def _judge_multiple(question: MultipleResponse, answer: AnswerValue, answered: bool,
                    ) -> ChoiceVerdict:
    keyed = set(question.keys)
    marks = _marks(question.options, keyed, answer)
    if not answered or not isinstance(answer, tuple) or not keyed:
        return ChoiceVerdict(marks, _ZERO)
    chosen = {a for a in answer if isinstance(a, str)}
    step = 1.0 / len(keyed)
    raw = step * len(chosen & keyed) - step * len(chosen - keyed)
    return ChoiceVerdict(marks, Score(round(max(0.0, raw), 6), 1.0))


def kendall_share(order: Sequence[int]) -> float:
    """Share of pairs of `order` that are in ascending relative order (1.0 = sorted)."""
    n = len(order)
    if n < 2:
        return 1.0
    good = sum(1 for a, b in combinations(order, 2) if a < b)
    return good / (n * (n - 1) / 2)


def _judge_ordering(question: Ordering, answer: AnswerValue, answered: bool) -> OrderingVerdict:
    n = len(question.options)
    if not isinstance(answer, tuple) or sorted(a for a in answer if isinstance(a, int)) != list(
        range(n)
    ):
        return OrderingVerdict(None, (False,) * n, _ZERO)
    order = tuple(a for a in answer if isinstance(a, int))
    in_place = tuple(item == place for place, item in enumerate(order))
    points = round(kendall_share(order), 6) if answered else 0.0
    return OrderingVerdict(order, in_place, Score(points, 1.0))


def _judge_matching(question: Matching, answer: AnswerValue, answered: bool) -> MatchingVerdict:
    given = answer if isinstance(answer, tuple) else ()
    pairs = []
    for i, pair in enumerate(question.pairs):
        mine = given[i] if i < len(given) else None
        mine = mine if isinstance(mine, str) else None
        pairs.append(MatchMark(mine, pair.right, mine is not None and mine == pair.right))
    marks = tuple(pairs)
    if not answered or not isinstance(answer, tuple) or not marks:
        return MatchingVerdict(marks, _ZERO)
    hits = sum(1 for m in marks if m.right)
    return MatchingVerdict(marks, Score(round(hits / len(marks), 6), 1.0))


def _judge_numeric(question: Numeric, answer: AnswerValue, answered: bool) -> NumericVerdict:
    key, tol = question.answer, question.tolerance
    given: float | None = None
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        try:
            given = float(answer)
        except OverflowError:  # an integer beyond the float range cannot be within tolerance
            given = None
    right = answered and given is not None and abs(given - key) <= tol + 1e-9
    return NumericVerdict(given, key, tol, right, Score(1.0 if right else 0.0, 1.0))


def normal_text(text: str, case_sensitive: bool) -> str:
    """A typed answer as it is compared: trimmed, runs of white space made one space, and
    letter case folded unless `case_sensitive`."""
    flat = " ".join(text.split())
    return flat if case_sensitive else flat.casefold()


def _judge_short(question: ShortAnswer, answer: AnswerValue, answered: bool,
                 ) -> ShortAnswerVerdict:
    full = [a.text for a in question.answers if a.weight >= 1.0 - 1e-9]
    best_text = next(iter(full or [a.text for a in question.answers]), "")
    if not answered or not isinstance(answer, str):
        return ShortAnswerVerdict(None, None, best_text, _ZERO)
    mine = normal_text(answer, question.case_sensitive)
    matched: int | None = None
    for i, accepted in enumerate(question.answers):
        if normal_text(accepted.text, question.case_sensitive) == mine and (
            matched is None or accepted.weight > question.answers[matched].weight
        ):
            matched = i
    if matched is None:
        return ShortAnswerVerdict(answer, None, best_text, _ZERO)
    weight = min(1.0, max(0.0, question.answers[matched].weight))
    return ShortAnswerVerdict(answer, matched, best_text, Score(round(weight, 6), 1.0))


CASE_PASS_MARK = 0.7
"""Share of the points available on the path taken that a case run needs to pass."""


def case_points(points: float, critical: bool) -> float:
    """The points a case run is credited with: those earned, or none after a never event
    (the figure the exports give beside `max_points`)."""
    return 0 if critical else points


def case_fraction(points: float, max_points: float, critical: bool) -> float:
    """A case run's share: points earned over the best points available at the decisions
    the learner faced; 0 after a never event or when nothing could be earned. Scoring
    each decision once (see `score_case_run`) keeps `points <= max_points`, so nothing is
    clamped here."""
    if critical or max_points <= 0:
        return 0.0
    return points / max_points


def case_passed(points: float, max_points: float, critical: bool, finished: bool) -> bool:
    """Finished, no never event, and at least `CASE_PASS_MARK` of the points available on
    the path taken. The one rule the debrief, the case list and the exports apply."""
    return (
        finished and not critical
        and case_fraction(points, max_points, critical) >= CASE_PASS_MARK - 1e-9
    )


class CaseResult(Struct, frozen=True):
    """The score of one run through a case."""

    points: int
    """Points earned: at each decision node visited, the score of the last choice made
    there (each decision counts once)."""
    max_points: int
    """Best points available at the decision nodes the run visited (each counted once),
    including the node the run is at when unfinished."""
    critical_errors: tuple[str, ...]
    """Ids of never-event choices taken."""
    finished: bool
    """True when the run reached an end node or a critical choice."""
    end_node: str | None
    """The end node reached, if any."""

    @property
    def fraction(self) -> float:
        """Score as a share of the points available on the path taken; 0 after a never
        event."""
        return case_fraction(self.points, self.max_points, bool(self.critical_errors))

    @property
    def passed(self) -> bool:
        """Finished, no never event, and at least 70% of the points available."""
        return case_passed(self.points, self.max_points, bool(self.critical_errors),
                           self.finished)


def best_choice_score(node: CaseNode) -> int:
    """The most points any choice at `node` earns (0 at an end node)."""
    return max((c.score for c in node.choices), default=0)


def score_case_run(case: Case, choice_ids: Sequence[str]) -> CaseResult:
    """Score the choices taken in a case, in order, from its start node.

    The score is fair to every route: `max_points` is the sum, over the decision nodes the
    run visited, of the best score available there, so a sound shorter path that makes the
    best choice at each decision it meets scores 100%. Each decision node counts once: if a
    run comes back to a node (a loop the author allowed, whose choices score 0), the last
    choice made there is the one that counts, so looping can never earn more than the best.

    Choices that do not belong to the node the run is at are ignored (they cannot be made
    through the app); the run stops at the first critical choice or end node.
    """
    node = case.node(case.start)
    available: dict[str, int] = {node.id: best_choice_score(node)}
    earned: dict[str, int] = {}
    critical: list[str] = []
    for cid in choice_ids:
        if node.is_end:
            break
        choice = next((c for c in node.choices if c.id == cid), None)
        if choice is None:
            continue
        earned[node.id] = choice.score
        if choice.critical:
            critical.append(choice.id)
            return CaseResult(sum(earned.values()), sum(available.values()), tuple(critical),
                              True, None)
        if choice.next is None:
            break
        node = case.node(choice.next)
        available.setdefault(node.id, best_choice_score(node))
    return CaseResult(
        sum(earned.values()), sum(available.values()), tuple(critical), node.is_end,
        node.id if node.is_end else None,
    )
