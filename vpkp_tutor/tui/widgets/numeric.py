"""The numeric answer: a number field validated on Enter, with the unit beside it."""

from __future__ import annotations

import math
from decimal import Decimal

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from vpkp_tutor.domain.model import Numeric
from vpkp_tutor.domain.scoring import AnswerValue, NumericVerdict, Verdict
from vpkp_tutor.tui.widgets.answer_base import AnswerField, AnswerInput
from vpkp_tutor.tui.widgets.text import literal

NUMBER_CHARS = "0123456789.,-+"
"""Characters a number field takes (no exponent: the `e` of a unit typed after the number,
"24 vertebrae", is not part of it)."""

NOT_A_NUMBER = "Type a number such as 12.5 or 12,5, then Enter."


def read_number(text: str) -> float | str:
    """The number typed, or why it is refused: a number is never changed silently.

    One comma with no point is a decimal comma (`1,9` is 1.9) unless it could as well group
    thousands (`1,900`: three digits after it and a whole part other than 0), which is
    refused as ambiguous; a comma beside a point or several commas (`1,900.5`) are refused
    too, with the way to write the number."""
    text = text.strip()
    if not text:
        return NOT_A_NUMBER
    if "," in text:
        if "." in text or text.count(",") > 1:
            return f"{text} mixes separators: no grouping, a point for decimals (e.g. 1900.5)."
        whole, frac = text.split(",")
        if len(frac) == 3 and frac.isdigit() and whole.lstrip("+-") not in ("", "0"):
            return f"{text} is ambiguous: write {whole}{frac} or {whole}.{frac}."
        text = f"{whole}.{frac}"
    try:
        number = float(text)
    except ValueError:
        return NOT_A_NUMBER
    return number if math.isfinite(number) else NOT_A_NUMBER


def number_text(number: float) -> str:
    """A number as a learner writes it: every digit it holds and no exponent (`f"{x:g}"`
    shows 1234567 as 1.23457e+06, which a number field would read back as 1234570)."""
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def key_text(verdict: NumericVerdict) -> str:
    """The keyed number with its tolerance, e.g. `12 ± 0.5`."""
    return number_text(verdict.key) + (
        f" ± {number_text(verdict.tolerance)}" if verdict.tolerance else "")


NUMBER_PATTERN = r"[-+0-9.,]*"
"""What the number field lets be typed (checked on Enter by `read_number`)."""


class NumberField(AnswerField):
    """A number input that leaves letters to the screen (n next, p previous, …) while it is
    empty. Once a number is begun, the other characters are kept from the screen as well: a
    unit typed after the number ("12 min", "3 patients") must not move to another item (n,
    p), flag it (m) or submit the quiz (s). They are not typed either; `Refused` lets the
    answer say why in its hint."""

    class Refused(Message):
        """A character that is not part of a number was typed after one."""

    given = ""
    """The number the app put in the field (an answer shown again); not one being typed."""

    @property
    def begun(self) -> bool:
        """True while a number is being typed: the field holds one the learner typed or
        changed (an answer shown again, untouched, leaves the screen's keys alone)."""
        return bool(self.value) and self.value != self.given

    def holds_back(self, character: str) -> bool:
        """True for a character kept from the screen though not typed: once a number is
        begun, every printable character but `?` (help, as the footer shows)."""
        return self.begun and character.isprintable() and character != "?"

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Characters of a number, and those it `holds_back`."""
        if character is None:
            return False
        return character in NUMBER_CHARS or self.holds_back(character)

    async def _on_key(self, event: events.Key) -> None:
        """Characters of a number are typed (Input's handler); others are not. Before a
        number they go on up to the bindings (`?` opens help here, unlike in a text field);
        after one they stop here, and the hint says why."""
        if self.held(event):
            return
        if not event.is_printable or event.character is None or (
                event.character in NUMBER_CHARS):
            return
        event.prevent_default()
        if self.check_consume_key(event.key, event.character):
            event.stop()
            self.post_message(self.Refused())


class NumericAnswer(AnswerInput[Numeric], can_focus=False):
    """A number with its unit."""

    HINT = "Type a number (1.5 or 1,5) · Enter answers"

    DEFAULT_CSS = """
    NumericAnswer .numeric-row {
        height: auto;
    }
    NumericAnswer .numeric-row Input {
        width: 24;
    }
    NumericAnswer .numeric-row .unit {
        width: auto;
        padding: 1 1;
    }
    NumericAnswer .numeric-error {
        height: auto;
    }
    """

    def load(self, question: Numeric) -> None:
        super().load(question)
        self._initial = ""
        field = self._field()
        if isinstance(field, NumberField):
            field.value = field.given = ""
            field.disabled = False
            self.query_one(".unit", Static).update(literal(question.unit))
            self.query_one(".numeric-error", Static).update("")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="numeric-row"):
            field = NumberField(
                self._initial,
                placeholder="number",
                restrict=NUMBER_PATTERN,
                id="number",
                select_on_focus=False,
            )
            field.given = self._initial
            yield field
            yield Static(literal(self.question.unit), classes="unit")
        yield Static(classes="numeric-error")

    @property
    def input(self) -> Input:
        """The number field."""
        return self.query_one("#number", Input)

    def _field(self) -> Input | None:
        return next(iter(self.query("#number").results(Input)), None)

    @property
    def focus_target(self) -> Widget:
        """The number field."""
        return self.input

    def focus(self, scroll_visible: bool = True) -> NumericAnswer:
        """Focus the number field."""
        self.input.focus(scroll_visible)
        return self

    @property
    def value(self) -> AnswerValue:
        field = self._field()
        text = field.value if field is not None else self._initial
        number = read_number(text)
        return number if isinstance(number, float) else None

    def set_value(self, answer: AnswerValue) -> None:
        if isinstance(answer, int | float):
            self._initial = number_text(answer)
            field = self._field()
            if isinstance(field, NumberField):
                field.value = field.given = self._initial

    def freeze(self) -> None:
        super().freeze()
        self.input.disabled = True

    def thaw(self) -> None:
        super().thaw()
        self.input.disabled = False

    def reveal(self, verdict: Verdict) -> None:
        super().reveal(verdict)
        if not isinstance(verdict, NumericVerdict):
            return
        ok = verdict.right
        self.query_one(".numeric-error", Static).update(
            Content.assemble(
                ("✓ " if ok else "✗ ", "bold $success" if ok else "bold $error"),
                "key: ",
                (key_text(verdict), "bold"),
                " ",
                literal(self.question.unit),
            )
        )

    def missing_reason(self) -> str:
        field = self._field()
        reason = read_number(field.value if field is not None else self._initial)
        return reason if isinstance(reason, str) else NOT_A_NUMBER

    def accept_char(self, char: str) -> bool:
        """A character that reached the answer, not its field (typed while the field was
        not focused, or sent before the focus moved into it): the field takes it as it
        would have. A character of a number is typed there, and the field gets the focus at
        once, so that the keys after it go straight to it. Once a number is begun, any other
        printable character but `?` is held back, with the hint saying why."""
        if self.frozen:
            return False
        field = self.input
        if char in NUMBER_CHARS:
            self.screen.set_focus(field)
            field.insert_text_at_cursor(char)
            return True
        if isinstance(field, NumberField) and field.holds_back(char):
            # from the field, as if typed there: after the changes it has still to report
            field.post_message(NumberField.Refused())
            return True
        return False

    @on(NumberField.Refused)
    def _refused(self, event: NumberField.Refused) -> None:
        """A letter after the number: the hint says only the number is typed."""
        event.stop()
        unit = self.question.unit.strip()
        self.post_message(self.Incomplete(self.question.id, (
            f"Just the number — {unit} is given beside it · Enter answers" if unit
            else "Just the number · Enter answers")))

    @on(Input.Changed, "#number")
    def _number_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.frozen:
            self.post_message(self.Changed(self.question.id))
