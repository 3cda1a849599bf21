"""The short answer: a text field that has the keys on arrival, Enter there answers; after
answering, the key (or the accepted answer matched) beside it.

While the item can still be answered, arriving on it puts the focus in the field, so that
what the learner types is the answer — never the quiz's letter keys (`s` submits, `p` goes
back, `m` flags…), which a word typed anywhere else would set off. Escape (or Tab) leaves
the field for those keys, and Enter goes back in. Once the answer is locked, the input
around the field has the focus and the quiz's keys work at once."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from vpkp_tutor.domain.model import ShortAnswer
from vpkp_tutor.domain.scoring import AnswerValue, ShortAnswerVerdict, Verdict
from vpkp_tutor.tui.widgets.answer_base import AnswerField, AnswerInput
from vpkp_tutor.tui.widgets.text import literal

NOTHING_TYPED = "Type an answer, then Enter."
MAX_ANSWER_CHARS = 200
"""Longest answer the field takes (accepted answers are words or short phrases)."""


class TextField(AnswerField):
    """The field of a short answer: Escape gives the focus back to the answer input (so the
    quiz's keys work again) instead of leaving the quiz."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "Leave field", id="answer.leave_field"),
    ]

    def action_leave_field(self) -> None:
        """Focus the answer input around the field."""
        owner = self.owner
        if owner is not None:
            self.screen.set_focus(owner)


class ShortAnswerInput(AnswerInput[ShortAnswer]):
    """A word or phrase typed in a field."""

    HINT = "Type the answer · Enter answers · Esc leaves the field"

    OUTSIDE_HINT = "Enter goes into the field to type the answer"
    """The hint while the field does not have the keys (left with Esc, or a lesson being
    read): typed letters are the screen's keys then, not the answer."""

    DEFAULT_CSS = """
    ShortAnswerInput TextField {
        width: 1fr;
        max-width: 60;
    }
    ShortAnswerInput .short-key {
        height: auto;
    }
    """

    def load(self, question: ShortAnswer) -> None:
        super().load(question)
        self._initial = ""
        self.HINT = ("Type the answer (letter case counts) · Enter answers · Esc leaves the "
                     "field" if question.case_sensitive else type(self).HINT)
        field = self._field()
        if field is not None:
            field.value = ""
            field.disabled = False
            self.query_one(".short-key", Static).update("")

    def compose(self) -> ComposeResult:
        yield TextField(self._initial, placeholder="your answer", id="text",
                        max_length=MAX_ANSWER_CHARS, select_on_focus=False)
        yield Static(classes="short-key")

    @property
    def focus_target(self) -> Widget:
        """The text field while the answer can still be typed, else the input itself."""
        field = self._field()
        return field if field is not None and not self.frozen else self

    @property
    def field(self) -> Input:
        """The text field."""
        return self.query_one("#text", Input)

    def _field(self) -> Input | None:
        return next(iter(self.query("#text").results(Input)), None)

    @property
    def value(self) -> AnswerValue:
        field = self._field()
        text = field.value if field is not None else self._initial
        return text if text.strip() else None

    def set_value(self, answer: AnswerValue) -> None:
        if isinstance(answer, str):
            self._initial = answer
            field = self._field()
            if field is not None:
                field.value = answer

    def freeze(self) -> None:
        super().freeze()
        field = self._field()
        if field is not None:
            field.disabled = True

    def thaw(self) -> None:
        super().thaw()
        field = self._field()
        if field is not None:
            field.disabled = False

    def reveal(self, verdict: Verdict) -> None:
        super().reveal(verdict)
        if not isinstance(verdict, ShortAnswerVerdict):
            return
        ok = verdict.right
        mark = ("✓ " if ok else ("◐ " if verdict.score.points > 0 else "✗ "),
                "bold $success" if ok else "bold $error")
        shown = ("accepted: ", self.question.answers[verdict.matched].text) if ok and (
            verdict.matched is not None) else ("key: ", verdict.best)
        self.query_one(".short-key", Static).update(
            Content.assemble(mark, shown[0], literal(shown[1], "bold")))

    def action_answer(self) -> None:
        """Enter on the input moves into the field (the field's own Enter answers)."""
        field = self._field()
        if not self.frozen and field is not None and not field.has_focus:
            self.screen.set_focus(field)  # at once: the keys typed next go to the field
            field.cursor_position = len(field.value)

    @property
    def hint(self) -> str:
        """`HINT` while the field has the keys (or the answer is given); else how to get
        there."""
        field = self._field()
        if self.frozen or (field is not None and field.has_focus):
            return self.HINT
        return self.OUTSIDE_HINT

    def missing_reason(self) -> str:
        return NOTHING_TYPED

    def accept_char(self, char: str) -> bool:
        """A character that reached the answer while its field has the focus was sent
        before the focus moved there (Enter, then a word, in one burst): it is typed in the
        field, never taken as a screen's key. With the field left (Esc), characters are the
        screen's."""
        field = self._field()
        if self.frozen or field is None or self.screen.focused is not field or (
                not char.isprintable()):
            return False
        field.insert_text_at_cursor(char)
        return True

    @on(Input.Changed, "#text")
    def _text_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.frozen:
            self.post_message(self.Changed(self.question.id))
