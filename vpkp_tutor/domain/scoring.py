"""Pure scoring of every question type and of a case run.

Answer shapes, by question type:

- single_best, true_false: the chosen letter, e.g. `"B"`.
- multiple_response: a tuple of chosen letters, e.g. `("A", "C")`.
- ordering: a tuple of item indices in the learner's order, where index 0 is the item the
  author listed first (the correct first step).
- matching: a tuple with, for each pair in authored order, the right-hand text chosen (or None).
- numeric: a float.

`None` (or an empty tuple) is an unanswered item and scores 0.

Partial credit rules (also documented in docs/authoring.md):

- multiple_response: each keyed option chosen earns 1/k, each wrong option chosen costs
  1/k (k = number of keyed options); the total is floored at 0.
- ordering: the share of item pairs that are in the right relative order (Kendall), so one
  swap of neighbours costs little and a reversed list scores 0.
- matching: the share of pairs matched correctly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations

from msgspec import Struct

from vpkp_tutor.domain.model import Case, CaseNode, Question, QuestionType, Score

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


def score(question: Question, answer: AnswerValue) -> Score:
    """Score an answer to a question. Maximum is always 1 point."""
    if not is_answered(answer):
        return Score(0.0, 1.0)
    qtype = question.type
    if qtype in (QuestionType.SINGLE_BEST, QuestionType.TRUE_FALSE):
        return Score(1.0 if answer == question.key else 0.0, 1.0)
    if qtype is QuestionType.MULTIPLE_RESPONSE:
        return _score_multiple(question, answer)
    if qtype is QuestionType.ORDERING:
        return _score_ordering(question, answer)
    if qtype is QuestionType.MATCHING:
        return _score_matching(question, answer)
    return _score_numeric(question, answer)


def _score_multiple(question: Question, answer: AnswerValue) -> Score:
    if not isinstance(answer, tuple):
        return Score(0.0, 1.0)
    chosen = {a for a in answer if isinstance(a, str)}
    keyed = set(question.keys)
    if not keyed:
        return Score(0.0, 1.0)
    step = 1.0 / len(keyed)
    raw = step * len(chosen & keyed) - step * len(chosen - keyed)
    return Score(round(max(0.0, raw), 6), 1.0)


def kendall_share(order: Sequence[int]) -> float:
    """Share of pairs of `order` that are in ascending relative order (1.0 = sorted)."""
    n = len(order)
    if n < 2:
        return 1.0
    good = sum(1 for a, b in combinations(order, 2) if a < b)
    return good / (n * (n - 1) / 2)


def _score_ordering(question: Question, answer: AnswerValue) -> Score:
    n = len(question.options)
    if not isinstance(answer, tuple) or sorted(a for a in answer if isinstance(a, int)) != list(
        range(n)
    ):
        return Score(0.0, 1.0)
    order = [a for a in answer if isinstance(a, int)]
    return Score(round(kendall_share(order), 6), 1.0)


def _score_matching(question: Question, answer: AnswerValue) -> Score:
    if not isinstance(answer, tuple) or not question.pairs:
        return Score(0.0, 1.0)
    hits = sum(
        1
        for pair, given in zip(question.pairs, answer, strict=False)
        if given is not None and given == pair.right
    )
    return Score(round(hits / len(question.pairs), 6), 1.0)


def _score_numeric(question: Question, answer: AnswerValue) -> Score:
    if not isinstance(answer, int | float) or isinstance(answer, bool) or question.answer is None:
        return Score(0.0, 1.0)
    try:
        given = float(answer)
    except OverflowError:  # an integer beyond the float range cannot be within tolerance
        return Score(0.0, 1.0)
    ok = abs(given - question.answer) <= question.tolerance + 1e-9
    return Score(1.0 if ok else 0.0, 1.0)


CASE_PASS_MARK = 0.7
"""Share of the points available on the path taken that a case run needs to pass."""


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
