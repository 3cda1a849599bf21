"""Keyboard answer inputs for every question type.

Each input shows the answer being built, posts `AnswerInput.Submitted` when the learner
presses Enter, and can be frozen and *revealed* (the key marked beside the learner's answer)
after scoring. Inputs never call services: the screen handles the message.

- `ChoiceAnswer`: single best, true/false (A–H or 1–8 choose, or space on the cursor row) and
  multiple response (the same keys toggle). Enter answers what was chosen; with nothing
  chosen it says so and submits nothing (moving the cursor is not a choice).
- `OrderingAnswer`: ↑/↓ move the cursor, shift+↑/shift+↓ (or u/d) move the item.
- `MatchingAnswer`: ↑/↓ pick a row, 1–9 give its match (and move to the next row), ←/→
  cycle, backspace clears.
- `NumericAnswer` (in `numeric.py`): a number field validated on Enter, with the unit beside it.
- `TrajectoryAnswer` (in `trajectory.py`): the needle drill; arrows place and aim, +/Enter
  advance, - withdraws, f declares the final position.
- `ShortAnswerInput` (in `short_answer.py`): a text field answered on Enter.
"""

from __future__ import annotations

from typing import Any, ClassVar, assert_never

from textual.binding import Binding, BindingType
from textual.content import Content

from vpkp_tutor.domain.model import (
    LETTERS,
    ChoiceQuestion,
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
from vpkp_tutor.domain.ordering import start_order
from vpkp_tutor.domain.scoring import (
    AnswerValue,
    ChoiceVerdict,
    MatchingVerdict,
    OrderingVerdict,
)
from vpkp_tutor.tui.widgets.answer_base import AnswerInput, Row, RowsAnswer
from vpkp_tutor.tui.widgets.numeric import NumberField, NumericAnswer
from vpkp_tutor.tui.widgets.short_answer import ShortAnswerInput
from vpkp_tutor.tui.widgets.text import literal
from vpkp_tutor.tui.widgets.trajectory import TrajectoryAnswer

__all__ = [
    "AnswerInput",
    "ChoiceAnswer",
    "MatchingAnswer",
    "NumberField",
    "NumericAnswer",
    "OrderingAnswer",
    "Row",
    "RowsAnswer",
    "ShortAnswerInput",
    "TrajectoryAnswer",
    "input_class",
    "make_answer_input",
]


class ChoiceAnswer(RowsAnswer[ChoiceQuestion]):
    """Single best, true/false and multiple response."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "choose_cursor", "Choose", show=False),
    ]

    def load(self, question: ChoiceQuestion) -> None:
        super().load(question)
        self.multiple = isinstance(question, MultipleResponse)
        self.chosen: set[int] = set()
        n = len(question.options)
        last = LETTERS[n - 1]
        self._keys = f"A–{last} or ↑↓ Space"
        if self.multiple:
            self.HINT = f"A–{last} or 1–{n} (or ↑↓ Space) toggle · Enter answers"
        else:
            self.HINT = f"A–{last} or 1–{n} (or ↑↓ Space) choose · Enter answers"
        self._labels = [
            Content.assemble((f"{LETTERS[i]}. ", "bold"), literal(option.text))
            for i, option in enumerate(question.options)
        ]

    def row_count(self) -> int:
        return len(self._labels)

    @property
    def value(self) -> AnswerValue:
        if not self.chosen:
            return None
        letters = tuple(LETTERS[i] for i in sorted(self.chosen))
        return letters if self.multiple else letters[0]

    def set_value(self, answer: AnswerValue) -> None:
        self.chosen.clear()
        if isinstance(answer, str) and answer:
            self.chosen.add(LETTERS.index(answer))
        elif isinstance(answer, tuple):
            self.chosen.update(LETTERS.index(a) for a in answer if isinstance(a, str))
        if self.chosen:
            self.cursor = min(self.chosen)
        self.changed()

    def choose(self, index: int) -> None:
        """Choose (single) or toggle (multiple) the option at `index`."""
        if self.frozen or not 0 <= index < len(self.question.options):
            return
        self.cursor = index
        if self.multiple:
            self.chosen ^= {index}
        else:
            self.chosen = {index}
        self.changed()

    def pick_row(self, index: int) -> None:
        self.choose(index)

    def action_choose_cursor(self) -> None:
        """Space chooses the option under the cursor."""
        self.choose(self.cursor)

    def missing_reason(self) -> str:
        """Enter answers only what was chosen: moving the cursor is not a choice."""
        if self.multiple:
            return f"Toggle at least one option first ({self._keys}), then Enter."
        return f"Choose an option first ({self._keys}), then Enter."

    def accept_char(self, char: str) -> bool:
        """Letters and digits choose options."""
        char = char.upper()
        n = len(self.question.options)
        index: int | None = None
        if char in LETTERS[:n]:
            index = LETTERS.index(char)
        elif char.isdigit() and 1 <= int(char) <= n:
            index = int(char) - 1
        if index is None or self.frozen:
            return False
        self.choose(index)
        return True

    def row(self, index: int) -> Row:
        picked = index in self.chosen
        if self.multiple:
            box = "[x]" if picked else "[ ]"
        else:
            box = "(●)" if picked else "( )"
        mark = ""
        style = ""
        verdict = self.verdict
        if isinstance(verdict, ChoiceVerdict) and index < len(verdict.options):
            option = verdict.options[index]
            mark = "✓" if option.right else ("✗" if option.wrong else " ")
            style = "bold $success" if option.right else ("bold $error" if option.wrong else "")
        return Row(Content.assemble((mark, style), " ", box), self._labels[index], chosen=picked)


class OrderingAnswer(RowsAnswer[Ordering]):
    """Put the items in order."""

    MARKER_WIDTH: ClassVar[int] = 6

    HINT = "↑/↓ select · shift+↑/shift+↓ (or u/d) move the item · Enter answers"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+up,u", "move(-1)", "Move up", show=False),
        Binding("shift+down,d", "move(1)", "Move down", show=False),
    ]

    def load(self, question: Ordering) -> None:
        super().load(question)
        self.order = start_order(len(question.options), f"{self.seed}:{question.id}")
        self.touched = False

    def row_count(self) -> int:
        return len(self.order)

    @property
    def value(self) -> AnswerValue:
        """The order, once the learner moved an item or pressed Enter (else None)."""
        return tuple(self.order) if self.touched else None

    def action_answer(self) -> None:
        """Enter accepts the order on screen, moved or not."""
        if not self.frozen:
            self.touched = True
        super().action_answer()

    def set_value(self, answer: AnswerValue) -> None:
        if isinstance(answer, tuple) and sorted(
            a for a in answer if isinstance(a, int)
        ) == list(range(len(self.question.options))):
            self.order = [a for a in answer if isinstance(a, int)]
            self.touched = True
        self.changed()

    @property
    def shown(self) -> AnswerValue:
        """The order on screen, moved or not."""
        return tuple(self.order)

    def action_move(self, delta: int) -> None:
        """Move the item under the cursor up or down."""
        if self.frozen:
            return
        target = self.cursor + delta
        if not 0 <= target < len(self.order):
            return
        self.order[self.cursor], self.order[target] = self.order[target], self.order[self.cursor]
        self.cursor = target
        self.touched = True
        self.changed()
        self.scroll_to_row(self.cursor)

    def row(self, index: int) -> Row:
        item = self.order[index]
        mark: Content = Content(f"{index + 1:>2}. ")
        verdict = self.verdict
        if isinstance(verdict, OrderingVerdict):
            if index < len(verdict.in_place) and verdict.in_place[index]:
                mark = Content.assemble(("✓", "bold $success"), f"{index + 1:>2}. ")
            else:
                mark = Content.assemble(("✗", "bold $error"), f"{index + 1:>2}. ")
        return Row(mark, literal(self.question.options[item].text))


class MatchingAnswer(RowsAnswer[Matching]):
    """Give each left-hand item its match."""

    MARKER_WIDTH: ClassVar[int] = 3

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "cycle(-1)", "Previous match", show=False),
        Binding("right", "cycle(1)", "Next match", show=False),
        Binding("backspace,delete", "clear", "Clear", show=False),
    ]

    def load(self, question: Matching) -> None:
        super().load(question)
        self.choices = question.right_choices
        self.given: list[int | None] = [None] * len(question.pairs)
        k = len(self.choices)
        self.HINT = (
            f"↑/↓ row · 1–{min(k, 9)} match it, moves down · ←/→ cycle · ⌫ clears · "
            "Enter answers"
        )
        legend = Content("\n").join(
            Content.assemble((f"{i + 1:>2} ", "bold"), literal(c))
            for i, c in enumerate(self.choices)
        )
        self._legend = Content.assemble(("Matches:\n", "bold"), legend)
        self._labels = [
            Content.assemble((f"{LETTERS[i]}. ", "bold"), literal(pair.left))
            for i, pair in enumerate(question.pairs)
        ]

    def legend(self) -> Content | None:
        return self._legend

    def row_count(self) -> int:
        return len(self._labels)

    @property
    def value(self) -> AnswerValue:
        if all(g is None for g in self.given):
            return None
        return tuple(None if g is None else self.choices[g] for g in self.given)

    def set_value(self, answer: AnswerValue) -> None:
        if isinstance(answer, tuple):
            for i, given in enumerate(answer[: len(self.given)]):
                self.given[i] = (
                    self.choices.index(given)
                    if isinstance(given, str) and given in self.choices
                    else None
                )
        self.changed()

    def missing_reason(self) -> str:
        return "Give at least one match (type its number), then press Enter."

    def assign(self, choice: int | None) -> None:
        """Give the row under the cursor the match `choice`."""
        if self.frozen:
            return
        self.given[self.cursor] = choice
        self.changed()

    def action_cycle(self, delta: int) -> None:
        """Step the current row's match through the choices."""
        current = self.given[self.cursor]
        start = -1 if current is None else current
        self.assign((start + delta) % len(self.choices))

    def action_clear(self) -> None:
        """Remove the current row's match."""
        self.assign(None)

    def accept_char(self, char: str) -> bool:
        """Digits give the current row a match and move down."""
        if self.frozen or not (char.isdigit() and 1 <= int(char) <= min(len(self.choices), 9)):
            return False
        self.assign(int(char) - 1)
        if self.cursor < len(self.given) - 1:
            self.action_cursor(1)
        return True

    def row(self, index: int) -> Row:
        given = self.given[index]
        right = Content("→ ?") if given is None else Content.assemble(
            f"→ {given + 1} ", literal(self.choices[given])
        )
        mark = Content("  ")
        verdict = self.verdict
        if isinstance(verdict, MatchingVerdict) and index < len(verdict.pairs):
            pair = verdict.pairs[index]
            mark = Content.styled("✓ ", "bold $success") if pair.right else Content.styled(
                "✗ ", "bold $error"
            )
            if not pair.right:
                right = Content.assemble(right, ("  key: ", "bold"), literal(pair.key))
        return Row(mark, self._labels[index], right)


def input_class(question: Question) -> type[AnswerInput[Any]]:
    """The answer input class for the question's type."""
    match question:
        case SingleBest() | MultipleResponse() | TrueFalse():
            return ChoiceAnswer
        case Ordering():
            return OrderingAnswer
        case Matching():
            return MatchingAnswer
        case Numeric():
            return NumericAnswer
        case Trajectory():
            return TrajectoryAnswer
        case ShortAnswer():
            return ShortAnswerInput
        case _:
            assert_never(question)


def make_answer_input(
    question: Question, *, id: str | None = None, seed: str = ""
) -> AnswerInput[Any]:
    """The answer input for the question's type (`seed`: see `AnswerInput.seed`)."""
    return input_class(question)(question, id=id, seed=seed)
